// The contracts' enums, from the integer an event carries to the schema's enum value.
import { log } from "@graphprotocol/graph-ts";

/** `ExecutorKind`. */
export function executorKindName(kind: i32): string {
  if (kind == 0) return "Any";
  if (kind == 1) return "Human";
  if (kind == 2) return "Agent";
  log.critical("Unknown ExecutorKind {}: the ABI and the schema disagree.", [kind.toString()]);
  return "Any";
}

/** `IDisputableModule.ContestOutcome`. */
export function contestOutcomeName(outcome: i32): string {
  if (outcome == 0) return "Accepted";
  if (outcome == 1) return "RespondentDefaulted";
  if (outcome == 2) return "Ruled";
  if (outcome == 3) return "ArbitratorSilent";
  if (outcome == 4) return "Agreed";
  if (outcome == 5) return "Lapsed";
  log.critical("Unknown ContestOutcome {}: the ABI and the schema disagree.", [outcome.toString()]);
  return "Lapsed";
}
