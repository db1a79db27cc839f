// An executor's side: registering, claiming, starting, reporting progress and submitting; and the calls either party
// makes around a task (cancel, consent to cancel, refund an expired task, rate, withdraw a credited payment).
import type { Command } from "commander";
import { zeroAddress, zeroHash, type Hex } from "viem";

import { contentHash } from "../../../sdk/src/index.ts";
import { parseAddress } from "../context.ts";
import { RefusedError, UsageError } from "../failures.ts";
import {
  OUTPUT_ENCODINGS,
  collect,
  parseHash,
  parseInteger,
  parseTaskId,
  readJson,
  readOutput,
  type OutputEncodingChoice,
} from "../inputs.ts";
import type { Register } from "../program.ts";
import { sendDirect, sendPreparedTransactions, transactionLines, transition, written } from "../writes.ts";

export function registerWorkCommands(program: Command, register: Register): void {
  register(
    program
      .command("register")
      .summary("register the signer as an executor (needed before claiming)")
      .description(
        "Registers the signer's account in the executor registry as a person (human) or an agent, with the " +
          "capabilities it offers. An agent names its operator: the person or organisation accountable for it.",
      )
      .requiredOption("--kind <kind>", "human or agent")
      .option("--operator <address>", "an agent's operator (required for an agent)")
      .option("--capability <name>", "a capability offered, e.g. lang:de or skill:translation (repeatable)", collect)
      .option("--metadata-uri <uri>", "where the executor's profile is published"),
    async (context, options) => {
      if (options.kind !== "human" && options.kind !== "agent") {
        throw new UsageError(`--kind must be human or agent, got "${options.kind}".`);
      }
      if (options.kind === "agent" && options.operator === undefined) {
        throw new UsageError("An agent names its operator: pass --operator <address>.");
      }
      const operator = options.operator === undefined ? undefined : parseAddress(options.operator, "operator");
      const capabilities: string[] = options.capability ?? [];
      const request = {
        kind: options.kind as "human" | "agent",
        capabilities,
        ...(operator === undefined ? {} : { operator }),
        ...(options.metadataUri === undefined ? {} : { metadataURI: options.metadataUri as string }),
      };
      const executor = context.account.address;
      const outcome = context.throughApi
        ? await sendPreparedTransactions(
            context,
            (await context.api("Registering").registerAgent({ executor, ...request })).transactions,
          )
        : (
            await sendDirect(context, "register as an executor", async () =>
              (await context.market()).registerExecutor(request),
            )
          ).outcome;
      return {
        json: { executor, kind: request.kind, operator: operator ?? zeroAddress, capabilities, ...outcome },
        text: [`Registered ${executor} as ${request.kind}`, ...transactionLines(outcome)],
      };
    },
  );

  register(
    program
      .command("claim")
      .summary("claim an open task, locking its claim bond")
      .description(
        "Claims a posted task for the signer, who must be a registered executor of the kind and with the capabilities " +
          "the task requires. The claim bond is sent with the claim (ETH) or approved first (ERC-20).",
      )
      .argument("<taskId>", "the task id"),
    async (context, taskIdText: string) => {
      const taskId = parseTaskId(taskIdText);
      if (!context.throughApi) {
        // A task behind the application board or an auction is not claimed: say which command gives it out.
        const assignment = await (await context.market()).getAssignmentConfig(taskId);
        if (assignment !== undefined && assignment.module !== "gatedClaim") {
          const command = assignment.module === "applicationBoard" ? "apply" : "bid";
          throw new RefusedError(
            "wrong_assignment",
            `task ${taskId} is given out by the ${assignment.module} module: nobody claims it ` +
              `(\`taskmarket ${command} ${taskId}\`)`,
            { assignment: assignment.module },
          );
        }
      }
      const outcome = context.throughApi
        ? await sendPreparedTransactions(
            context,
            (await context.api("Claiming").claimTask(context.account.address, { taskId })).transactions,
          )
        : (await sendDirect(context, `claim task ${taskId}`, async () => (await context.market()).claim(taskId)))
            .outcome;
      return written(context, taskId, "claimed", outcome);
    },
  );

  register(
    program.command("start").summary("mark a claimed task as in progress").argument("<taskId>", "the task id"),
    async (context, taskIdText: string) => {
      const taskId = parseTaskId(taskIdText);
      const outcome = await transition(context, taskId, { transition: "start" }, `start task ${taskId}`, async () =>
        (await context.market()).start(taskId),
      );
      return written(context, taskId, "started", outcome);
    },
  );

  register(
    program
      .command("checkpoint")
      .summary("record progress on a task: a percentage and, optionally, a report")
      .description(
        "Records a progress checkpoint: the percentage done, and optionally a report (a JSON file, hashed as its " +
          "RFC 8785 canonical form) with where to read it.",
      )
      .argument("<taskId>", "the task id")
      .requiredOption("--percent <n>", "how much is done, 0 to 100")
      .option("--report <file>", "a JSON progress report (its hash is recorded on-chain)")
      .option("--uri <uri>", "where the report can be read"),
    async (context, taskIdText: string, options) => {
      const taskId = parseTaskId(taskIdText);
      const percentComplete = parseInteger(options.percent, "--percent", { min: 0, max: 100 });
      const report = options.report === undefined ? undefined : readJson(options.report, "progress report");
      const progressHash: Hex = report === undefined ? zeroHash : contentHash(report);
      const progressURI: string = options.uri ?? "";
      const outcome = await transition(
        context,
        taskId,
        { transition: "checkpoint", params: { percentComplete, progressHash, progressURI } },
        `checkpoint ${percentComplete}% on task ${taskId}`,
        async () =>
          (await context.market()).checkpoint(taskId, {
            percentComplete,
            ...(report === undefined ? {} : { content: report }),
            uri: progressURI,
          }),
      );
      const result = await written(context, taskId, `checkpointed at ${percentComplete}%`, outcome);
      return { ...result, json: { ...(result.json as object), percentComplete, progressHash, progressURI } };
    },
  );

  register(
    program
      .command("submit")
      .summary("submit a result for review")
      .description(
        "Submits a result: its hash on-chain and where to read it. The hash follows the protocol's convention, which the " +
          "verification service checks: a JSON output as keccak256 of its RFC 8785 canonical form, text and other " +
          "bytes as keccak256 of the bytes. Keep the output file: `taskmarket verify` sends it to be checked.",
      )
      .argument("<taskId>", "the task id")
      .option("--output <file>", "the output: a file, or - for stdin")
      .option("--encoding <encoding>", `how to read the output: ${OUTPUT_ENCODINGS.join(", ")}`, "json")
      .option("--hash <hash>", "the result's hash computed elsewhere, instead of --output")
      .option("--uri <uri>", "where the result can be read", "")
      .option("--proof <hex>", "a proof, for a task verified by the proof module (settles it if the proof holds)"),
    async (context, taskIdText: string, options) => {
      const taskId = parseTaskId(taskIdText);
      if ((options.output === undefined) === (options.hash === undefined)) {
        throw new UsageError("Give the result as --output <file> or as --hash <hash>.");
      }
      const resultHash: Hex =
        options.hash !== undefined
          ? parseHash(options.hash, "--hash")
          : readOutput(options.output, options.encoding as OutputEncodingChoice).hash;
      const resultURI: string = options.uri;
      let outcome;
      if (options.proof !== undefined) {
        if (!/^0x([0-9a-fA-F]{2})*$/.test(options.proof)) throw new UsageError("--proof must be bytes in hex (0x…).");
        outcome = (
          await sendDirect(context, `submit task ${taskId} with a proof`, async () =>
            (await context.market()).submit(taskId, { hash: resultHash, uri: resultURI, proof: options.proof as Hex }),
          )
        ).outcome;
      } else {
        outcome = await transition(
          context,
          taskId,
          { transition: "submit", params: { resultHash, resultURI } },
          `submit task ${taskId}`,
          async () => (await context.market()).submit(taskId, { hash: resultHash, uri: resultURI }),
        );
      }
      const result = await written(context, taskId, "submitted", outcome);
      return { ...result, json: { ...(result.json as object), resultHash, resultURI } };
    },
  );

  const simple = (
    name: string,
    summary: string,
    transitionName: "cancel" | "consent-cancel" | "refund-expired",
    done: string,
    call: "cancel" | "consentToCancel" | "refundExpired",
  ) =>
    register(program.command(name).summary(summary).argument("<taskId>", "the task id"), async (context, text) => {
      const taskId = parseTaskId(text as string);
      const outcome = await transition(
        context,
        taskId,
        { transition: transitionName },
        `${name} task ${taskId}`,
        async () => (await context.market())[call](taskId),
      );
      return written(context, taskId, done, outcome);
    });
  simple("cancel", "cancel an unclaimed task and refund its escrow (the poster)", "cancel", "cancelled", "cancel");
  simple(
    "consent-cancel",
    "agree to cancel a claimed task; it is cancelled once poster and executor agree",
    "consent-cancel",
    "consented to cancel",
    "consentToCancel",
  );
  simple("refund", "refund the poster of an expired task (anyone)", "refund-expired", "refunded", "refundExpired");

  register(
    program
      .command("rate")
      .summary("rate the other side of a settled task, 1 to 5")
      .argument("<taskId>", "the task id")
      .argument("<rating>", "1 to 5"),
    async (context, taskIdText: string, ratingText: string) => {
      const taskId = parseTaskId(taskIdText);
      const rating = parseInteger(ratingText, "The rating", { min: 1, max: 5 });
      const outcome = await transition(
        context,
        taskId,
        { transition: "rate", params: { rating } },
        `rate task ${taskId}`,
        async () => (await context.market()).rate(taskId, rating),
      );
      return written(context, taskId, `rated ${rating}`, outcome);
    },
  );

  register(
    program
      .command("withdraw")
      .summary("withdraw a payment the market credited the signer after a failed transfer")
      .option("--token <address>", "the token; ETH by default", zeroAddress),
    async (context, options) => {
      const token = parseAddress(options.token, "token");
      const { outcome } = await sendDirect(context, "withdraw credited payments", async () =>
        (await context.market()).withdraw(token),
      );
      return { json: { token, ...outcome }, text: ["Withdrawn", ...transactionLines(outcome)] };
    },
  );
}
