// Accounts: an executor's profile, an account's reputation and its history, and the leaderboard.
import type { Command } from "commander";

import { UsageError } from "../failures.ts";
import { parseInteger } from "../inputs.ts";
import { fields, formatTime, table } from "../output.ts";
import type { Register } from "../program.ts";

const KIND_NAMES = ["Any", "Human", "Agent"] as const;

export function registerAccountCommands(program: Command, register: Register): void {
  register(
    program
      .command("executor")
      .summary("show an executor's registration: kind, operator, capabilities")
      .description(
        "Shows an account's executor profile: through the API with its records and activity (GET /agents/{id}), " +
          "directly from the executor registry.",
      )
      .argument("[address]", "the account (default: the signer's)"),
    async (context, address: string | undefined) => {
      const account = context.addressOr(address, "executor");
      if (context.apiUrl !== undefined) {
        const profile = await context.api("Reading the executor").getAgent(account);
        const executor = profile.executor;
        return {
          json: profile,
          text:
            executor === null
              ? [`${account} is not a registered executor.`]
              : fields([
                  ["Executor", account],
                  ["Kind", executor.kind],
                  ["Active", executor.active],
                  ["Operator", executor.operator],
                  ["Capability ids", executor.capabilities.join(", ") || "-"],
                  ["Metadata", executor.metadataURI || "-"],
                  ["Completed", profile.executorRecord.completed],
                  ["Reputation", `${profile.reputation.score} (${profile.reputation.scoreBps} bps)`],
                ]),
        };
      }
      const profile = await (await context.market()).getExecutor(account);
      return {
        json: profile,
        text: profile.registered
          ? fields([
              ["Executor", account],
              ["Kind", KIND_NAMES[profile.kind] ?? profile.kind],
              ["Active", profile.active],
              ["Operator", profile.operator],
              ["Capability ids", profile.capabilities.join(", ") || "-"],
              ["Registered", formatTime(profile.registeredAt)],
            ])
          : [`${account} is not a registered executor.`],
      };
    },
  );

  register(
    program
      .command("reputation")
      .summary("show an account's reputation as executor and poster (through the API)")
      .description(
        "Shows the reputation score and its inputs, as executor and as poster (GET /reputation/{id}); with --history, " +
          "the events that changed it, newest first (GET /reputation/{id}/history).",
      )
      .argument("[address]", "the account (default: the signer's)")
      .option("--history", "also list the reputation events")
      .option("--first <n>", "how many events (1 to 100)"),
    async (context, address: string | undefined, options) => {
      const account = context.addressOr(address, "account");
      const api = context.api("Reading reputation");
      const reputation = await api.getReputation(account);
      const { asExecutor, asPoster } = reputation;
      const lines = fields([
        ["Account", account],
        [
          "Executor",
          asExecutor.registered ? `${asExecutor.kind}${asExecutor.active ? "" : " (inactive)"}` : "not registered",
        ],
        ["Score", `${asExecutor.score} (${asExecutor.scoreBps} bps)`],
        ["Completed", asExecutor.record.completed],
        ["Expired", asExecutor.record.expired],
        ["Rejected", asExecutor.record.rejected],
        ["Disputes won", asExecutor.record.disputesWon],
        ["Disputes lost", asExecutor.record.disputesLost],
        [
          "Rating",
          asExecutor.rating.average === null ? "-" : `${asExecutor.rating.average} of ${asExecutor.rating.count}`,
        ],
        ["Tasks posted", asPoster.record.posted],
        [
          "Poster rating",
          asPoster.rating.average === null ? "-" : `${asPoster.rating.average} of ${asPoster.rating.count}`,
        ],
      ]);
      if (!options.history) return { json: reputation, text: lines };
      const history = await api.getReputationHistory(account, {
        ...(options.first === undefined ? {} : { first: parseInteger(options.first, "--first", { min: 1, max: 100 }) }),
      });
      return {
        json: { ...reputation, history },
        text: [
          ...lines,
          "",
          ...(history.items.length === 0
            ? ["No reputation events."]
            : table(
                ["TIME", "EVENT", "TASK", "SCORE (BPS)"],
                history.items.map((event) => [
                  formatTime(event.timestamp),
                  event.kind,
                  event.task ?? "-",
                  `${event.scoreBpsBefore} -> ${event.scoreBpsAfter}`,
                ]),
              )),
        ],
      };
    },
  );

  register(
    program
      .command("leaderboard")
      .summary("rank executors or posters by reputation (through the API)")
      .option("--role <role>", "executor or poster", "executor")
      .option("--kind <kind>", "Human or Agent")
      .option("--first <n>", "how many (1 to 100)"),
    async (context, options) => {
      if (options.role !== "executor" && options.role !== "poster") {
        throw new UsageError(`--role must be executor or poster, got "${options.role}".`);
      }
      if (options.kind !== undefined && options.kind !== "Human" && options.kind !== "Agent") {
        throw new UsageError(`--kind must be Human or Agent, got "${options.kind}".`);
      }
      const board = await context.api("The leaderboard").getLeaderboard({
        role: options.role,
        ...(options.kind === undefined ? {} : { kind: options.kind }),
        ...(options.first === undefined ? {} : { first: parseInteger(options.first, "--first", { min: 1, max: 100 }) }),
      });
      return {
        json: board,
        text:
          board.items.length === 0
            ? ["Nobody yet."]
            : table(
                ["RANK", "ACCOUNT", "KIND", "SCORE"],
                board.items.map((item) => [
                  String(item.rank),
                  item.account,
                  item.executorKind ?? "-",
                  String(item.reputation.score),
                ]),
              ),
      };
    },
  );
}
