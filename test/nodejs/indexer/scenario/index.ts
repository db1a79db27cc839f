/**
 * The reconciliation scenario: on a chain where the protocol is deployed, drives every lifecycle path of the market,
 * the verification modules and the assignment modules, and returns what the reconciliation compares: the book of
 * tasks, every account that took part, the tokens, and the block range over which balances are reconciled.
 */
import assert from "node:assert/strict";

import type { NetworkConnection } from "hardhat/types/network";
import type { Address } from "viem";

import type { Deployment } from "../../../../scripts/deployment.js";
import { ScenarioChain } from "./chain.js";
import { runCompositionFlows } from "./composition.js";
import { runCoreFlows } from "./core.js";
import { leaveTasksOpen } from "./open-tasks.js";
import { Scenario, type ScenarioTask } from "./scenario.js";
import { prepareAccounts, registerParticipants } from "./setup.js";
import { runVerificationFlows } from "./verification.js";

export { Scenario, type ScenarioTask } from "./scenario.js";

export interface ScenarioResult {
  scenario: Scenario;
  /** Balances are reconciled from the end of this block (after the parties were funded, before any protocol call)… */
  startBlock: bigint;
  /** …to the end of this one, the chain head when the scenario ended. */
  endBlock: bigint;
  tasks: ScenarioTask[];
  /** Every account that took part: the dev accounts, the contract accounts, operators and passive recipients. */
  accounts: Map<Address, string>;
  tokens: Address[];
}

/** The number of tasks a phase created, for the test's log. */
export interface PhaseLog {
  phase: string;
  tasks: number;
  milliseconds: number;
}

export async function runScenario(
  connection: NetworkConnection,
  deployment: Deployment,
  log: (entry: PhaseLog) => void = () => undefined,
): Promise<ScenarioResult> {
  const chain = await ScenarioChain.attach(connection, deployment);
  const scenario = new Scenario(chain);
  for (const key of [
    "taskMarket",
    "executorRegistry",
    "reviewModule",
    "attestationModule",
    "optimisticModule",
    "proofModule",
    "panelArbitrator",
    "gatedClaim",
    "applicationBoard",
    "reverseAuction",
  ] as const) {
    scenario.note(chain.contracts[key].address, key);
  }
  scenario.note((await chain.contracts.taskMarket.read.feeRecipient()) as Address, "first fee recipient");

  await prepareAccounts(scenario);
  const startBlock = await chain.blockNumber();

  const phases: [string, (scenario: Scenario) => Promise<void>][] = [
    ["registration", registerParticipants],
    ["core", runCoreFlows],
    ["verification", runVerificationFlows],
    ["composition", runCompositionFlows],
    ["open tasks", leaveTasksOpen],
  ];
  for (const [phase, run] of phases) {
    const started = performance.now();
    const before = scenario.tasks.size;
    await run(scenario);
    log({ phase, tasks: scenario.tasks.size - before, milliseconds: Math.round(performance.now() - started) });
  }

  const tasks = [...scenario.tasks.values()].sort((a, b) => (a.taskId < b.taskId ? -1 : 1));
  const taskCount = ((await chain.contracts.taskMarket.read.nextTaskId()) as bigint) - 1n;
  assert.equal(BigInt(tasks.length), taskCount, "the book holds every task the market created");
  tasks.forEach((task, index) => assert.equal(task.taskId, BigInt(index + 1), "task ids are 1..taskCount"));
  return {
    scenario,
    startBlock,
    endBlock: await chain.blockNumber(),
    tasks,
    accounts: scenario.accounts,
    tokens: scenario.tokens,
  };
}
