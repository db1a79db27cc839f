// After `dispute` and `respond`: the parties' evidence, the panel arbiters' votes, carrying out the ruling, ending a
// dispute whose respondent or arbitrator missed its deadline, and settling by a split both parties sign. These calls go
// to the task's verification module (or the panel) directly through the SDK; the API prepares none of them.
import type { Command } from "commander";
import type { Hex } from "viem";

import { rulingForShare } from "../../../sdk/src/index.ts";
import type { Context } from "../context.ts";
import { RefusedError, UsageError } from "../failures.ts";
import { parseHex, parseSharePercent, parseTaskId, parseTime, readContentReference } from "../inputs.ts";
import { fields, formatTime } from "../output.ts";
import type { Register } from "../program.ts";
import { sendDirect, written } from "../writes.ts";

export function registerArbitrationCommands(program: Command, register: Register): void {
  register(
    program
      .command("evidence")
      .summary("submit evidence for a task's dispute (the claimant or the respondent)")
      .description(
        "Submits evidence for the dispute on a task: a JSON file recorded on-chain by its hash (or a hash computed " +
          "elsewhere), with where the arbitrator can read it. The claimant or the respondent only, once the dispute " +
          "is open.",
      )
      .argument("<taskId>", "the task id")
      .option("--file <file>", "the evidence, a JSON file (its hash is recorded on-chain)")
      .option("--hash <hash>", "the evidence's hash computed elsewhere, instead of --file")
      .option("--uri <uri>", "where the evidence can be read"),
    async (context, taskIdText: string, options) => {
      const taskId = parseTaskId(taskIdText);
      if (options.file === undefined && options.hash === undefined && options.uri === undefined) {
        throw new UsageError("Give the evidence as --file <file> or --hash <hash>, and where to read it with --uri.");
      }
      const evidence = readContentReference(options, "evidence", { file: "--file", hash: "--hash" });
      const { outcome, result } = await sendDirect(context, `submit evidence on task ${taskId}`, async () =>
        (await context.market()).submitEvidence(taskId, evidence),
      );
      const status = await written(context, taskId, "has new evidence", outcome);
      return {
        ...status,
        json: { ...(status.json as object), evidenceHash: result.evidenceHash, evidenceURI: evidence.uri },
      };
    },
  );

  register(
    program
      .command("vote")
      .summary("vote on a task's dispute as an arbiter of its panel: the executor's share, or refuse")
      .description(
        "Votes, as an arbiter of the panel the task's dispute is before, on the share of the payment the executor " +
          "gets: 0 to 100 percent in steps of 10. --refuse votes to refuse to arbitrate (the contested decision then " +
          "stands). The vote that reaches the panel's majority delivers the ruling; `taskmarket execute-ruling` then " +
          "settles the task. The dispute is found from the task's contest.",
      )
      .argument("<taskId>", "the task id")
      .option("--executor-share <percent>", "the executor's share, 0 to 100 in steps of 10")
      .option("--refuse", "refuse to arbitrate"),
    async (context, taskIdText: string, options) => {
      const taskId = parseTaskId(taskIdText);
      if ((options.executorShare === undefined) === (options.refuse === undefined)) {
        throw new UsageError("Give the ruling as --executor-share <percent> or as --refuse.");
      }
      const executorShareBps =
        options.executorShare === undefined
          ? undefined
          : parseSharePercent(options.executorShare, "--executor-share", 10);
      const ruling = executorShareBps === undefined ? 0 : rulingForShare(executorShareBps);
      const market = await context.market();
      const contest = await market.getContest(taskId);
      if (contest.phaseName !== "Arbitrating") {
        throw new RefusedError(
          "invalid_phase",
          `task ${taskId}'s dispute is ${contest.phaseName}: the panel votes while it is Arbitrating`,
          { phase: contest.phaseName },
        );
      }
      const disputeId = contest.arbitratorDisputeId;
      const { outcome } = await sendDirect(context, `vote on dispute ${disputeId} (task ${taskId})`, () =>
        market.vote(disputeId, ruling, { arbitrator: contest.arbitrator }),
      );
      const phase = (await market.getContest(taskId)).phaseName;
      const result = await written(
        context,
        taskId,
        executorShareBps === undefined
          ? "has a vote to refuse"
          : `has a vote for ${executorShareBps / 100}% to the executor`,
        outcome,
      );
      return {
        json: { ...(result.json as object), disputeId, ruling, executorShareBps: executorShareBps ?? null, phase },
        text: [...(result.text as string[]), `The dispute is ${phase}.`],
      };
    },
  );

  register(
    program
      .command("execute-ruling")
      .summary("carry out the arbitrator's ruling on a task's dispute, settling it (anyone)")
      .argument("<taskId>", "the task id"),
    async (context, taskIdText: string) => {
      const taskId = parseTaskId(taskIdText);
      const { outcome } = await sendDirect(context, `execute the ruling on task ${taskId}`, async () =>
        (await context.market()).executeRuling(taskId),
      );
      return written(context, taskId, "had its ruling executed", outcome);
    },
  );

  register(
    program
      .command("timeout")
      .summary("end a dispute whose respondent or arbitrator missed its deadline (anyone)")
      .description(
        "Ends a dispute by the call its state allows: when the respondent did not match the deposit in time, the " +
          "claimant wins (timeoutRespondent); when the arbitrator did not rule in time, the contested decision stands " +
          "(timeoutArbitration); when the task's hold ran out in the market before either, the deposits are refunded " +
          "(closeLapsedContest). The chain refuses before the deadline.",
      )
      .argument("<taskId>", "the task id"),
    async (context, taskIdText: string) => {
      const taskId = parseTaskId(taskIdText);
      const market = await context.market();
      const [contest, task] = await Promise.all([market.getContest(taskId), market.getTask(taskId)]);
      let action: string;
      let call: () => ReturnType<typeof market.executeRuling>;
      if (contest.phaseName !== "None" && task.statusName !== "Disputed") {
        action = "close-lapsed-contest";
        call = () => market.closeLapsedContest(taskId);
      } else if (contest.phaseName === "AwaitingRespondent") {
        action = "timeout-respondent";
        call = () => market.timeoutRespondent(taskId);
      } else if (contest.phaseName === "Arbitrating") {
        action = "timeout-arbitration";
        call = () => market.timeoutArbitration(taskId);
      } else {
        throw new RefusedError(
          "invalid_phase",
          `task ${taskId}'s dispute is ${contest.phaseName}: a timeout ends one AwaitingRespondent or Arbitrating` +
            (contest.phaseName === "Ruled" ? " (this one is ruled: `taskmarket execute-ruling`)" : ""),
          { phase: contest.phaseName },
        );
      }
      context.output.progress(`the dispute is ${contest.phaseName}, its deadline ${formatTime(contest.deadline)}`);
      const { outcome } = await sendDirect(context, `${action} on task ${taskId}`, call);
      const result = await written(context, taskId, `ended by ${action}`, outcome);
      return { ...result, json: { action, ...(result.json as object) } };
    },
  );

  const settlement = program
    .command("settlement")
    .summary("settle a disputed task at a split the poster and the executor both sign")
    .description(
      "Ends a task's contest at a split of the payment both parties agree on, without the arbitrator: each signs the " +
        "verification module's EIP-712 Settlement (the task, its current submission, the executor's share and a " +
        "deadline) with `settlement sign`, and either of them, or anyone, submits both signatures with " +
        "`settlement submit` before the deadline.",
    );

  register(
    settlement
      .command("sign")
      .summary("sign a split of the contested payment, as the poster or the executor")
      .description(
        "Signs, with the signer's key, the executor's share of the task's contested submission until the deadline, " +
          "and prints the signature for the other party. Nothing is sent.",
      )
      .argument("<taskId>", "the task id")
      .requiredOption("--executor-share <percent>", "the executor's share, 0 to 100")
      .option("--deadline <time>", "until when the agreement can be submitted (default: a day from now)"),
    async (context, taskIdText: string, options) => {
      const taskId = parseTaskId(taskIdText);
      const executorShareBps = parseSharePercent(options.executorShare, "--executor-share");
      const deadline = options.deadline === undefined ? undefined : parseTime(options.deadline, "--deadline");
      const market = await context.market();
      const [{ terms }, task] = await Promise.all([market.getPostedTask(taskId), market.getTask(taskId)]);
      const role = partyOf(context, terms.poster, task.state.executor, taskId);
      const signed = await market.signSettlement(taskId, {
        executorShareBps,
        ...(deadline === undefined ? {} : { deadline }),
      });
      const other = role === "poster" ? "executor" : "poster";
      const command =
        `taskmarket settlement submit ${taskId} --executor-share ${executorShareBps / 100} ` +
        `--deadline ${signed.message.deadline} --${role}-signature ${signed.signature}`;
      return {
        json: { taskId, role, ...signed },
        text: [
          ...fields([
            ["Task", taskId],
            ["Signed as", `${role} (${signed.signer})`],
            ["Executor's share", `${executorShareBps / 100}%`],
            ["Submission", signed.message.submissionHash],
            ["Deadline", `${formatTime(signed.message.deadline)} (${signed.message.deadline})`],
            ["Signature", signed.signature],
          ]),
          `The ${other} settles with (signing their half there):`,
          `  ${command}`,
        ],
      };
    },
  );

  register(
    settlement
      .command("submit")
      .summary("end the contest at the split both parties signed, signing the signer's half if missing")
      .description(
        "Ends the task's contest at the split both parties signed. Give both signatures to submit as anyone; give the " +
          "other party's, and the signer (the poster or the executor) signs its own half here. The share and the " +
          "deadline must be exactly those signed.",
      )
      .argument("<taskId>", "the task id")
      .requiredOption("--executor-share <percent>", "the executor's share that was signed, 0 to 100")
      .requiredOption("--deadline <time>", "the deadline that was signed (Unix seconds or ISO date)")
      .option("--poster-signature <hex>", "the poster's signature")
      .option("--executor-signature <hex>", "the executor's signature"),
    async (context, taskIdText: string, options) => {
      const taskId = parseTaskId(taskIdText);
      const executorShareBps = parseSharePercent(options.executorShare, "--executor-share");
      const deadline = parseTime(options.deadline, "--deadline");
      const given = {
        poster:
          options.posterSignature === undefined ? undefined : parseHex(options.posterSignature, "--poster-signature"),
        executor:
          options.executorSignature === undefined
            ? undefined
            : parseHex(options.executorSignature, "--executor-signature"),
      };
      if (given.poster === undefined && given.executor === undefined) {
        throw new UsageError("Give the other party's signature: --poster-signature or --executor-signature.");
      }
      const market = await context.market();
      let signatures: { poster: Hex; executor: Hex };
      if (given.poster !== undefined && given.executor !== undefined) {
        signatures = { poster: given.poster, executor: given.executor };
      } else {
        const [{ terms }, task] = await Promise.all([market.getPostedTask(taskId), market.getTask(taskId)]);
        const missing = given.poster === undefined ? "poster" : "executor";
        const role = partyOf(context, terms.poster, task.state.executor, taskId);
        if (role !== missing) {
          throw new UsageError(
            `The ${missing}'s signature is missing, and the signer is the ${role}: give --${missing}-signature.`,
          );
        }
        const own = (await market.signSettlement(taskId, { executorShareBps, deadline })).signature;
        signatures = { poster: given.poster ?? own, executor: given.executor ?? own };
      }
      const { outcome } = await sendDirect(context, `settle task ${taskId} by agreement`, () =>
        market.settleByAgreement(taskId, {
          executorShareBps,
          deadline,
          posterSignature: signatures.poster,
          executorSignature: signatures.executor,
        }),
      );
      const result = await written(
        context,
        taskId,
        `settled by agreement, ${executorShareBps / 100}% to the executor`,
        outcome,
      );
      return { ...result, json: { ...(result.json as object), executorShareBps, deadline } };
    },
  );
}

/** Whether the signer is the task's poster or its executor; a usage error for anyone else. */
function partyOf(context: Context, poster: string, executor: string, taskId: bigint): "poster" | "executor" {
  const signer = context.account.address.toLowerCase();
  if (signer === poster.toLowerCase()) return "poster";
  if (signer === executor.toLowerCase()) return "executor";
  throw new UsageError(
    `The signer ${context.account.address} is neither task ${taskId}'s poster nor its executor: only they sign a ` +
      "settlement.",
  );
}
