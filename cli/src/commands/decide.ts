// Deciding on a submission and settling: the verification service's checks and attestation, the verifier's approval
// or rejection, release after a silent review window, settlement of whatever settles the task now, and disputes
// through the task's verification module.
import type { Command } from "commander";
import type { Hex } from "viem";

import { contentHash } from "../../../sdk/src/index.ts";
import type { Context } from "../context.ts";
import { RefusedError } from "../failures.ts";
import {
  OUTPUT_ENCODINGS,
  parseAmount,
  parseTaskId,
  readJson,
  readOutput,
  type OutputEncodingChoice,
} from "../inputs.ts";
import { fields } from "../output.ts";
import type { Register } from "../program.ts";
import {
  sendDirect,
  sendPreparedTransactions,
  statusAfter,
  transactionLines,
  transition,
  written,
  type WriteOutcome,
} from "../writes.ts";

export function registerDecisionCommands(program: Command, register: Register): void {
  register(
    program
      .command("verify")
      .summary("have the API's verification service check a submission, and apply its attestation")
      .description(
        "Sends the submitted output to the API's verification service (POST /verify, an API key with the verify " +
          "scope), which checks that it hashes to the submission under review, runs the document's automated checks " +
          "and, for a task verified by an attestation quorum it belongs to, signs an attestation. With --submit the " +
          "attestation is then submitted on-chain (anyone may), which settles the task for a quorum of one.",
      )
      .argument("<taskId>", "the task id")
      .requiredOption("--output <file>", "the output that was submitted: a file, or - for stdin")
      .option("--encoding <encoding>", `how to read the output: ${OUTPUT_ENCODINGS.join(", ")}`, "json")
      .option("--submit", "submit the signed attestation on-chain (signs with the signer's key)"),
    async (context, taskIdText: string, options) => {
      const taskId = parseTaskId(taskIdText);
      const { output } = readOutput(options.output, options.encoding as OutputEncodingChoice);
      const api = context.apiWithKey("Verifying");
      context.output.progress("the verification service is checking the output");
      const record = await api.verify({ taskId, output });
      const lines = fields([
        ["Task", record.taskId],
        ["Verdict", record.verdict.approved ? "approved" : "rejected"],
        ["Score", `${record.verdict.scoreBps / 100}%`],
        ["Summary", record.verdict.summary],
        ["Signing", record.signing.status + (record.signing.reason ? ` (${record.signing.reason})` : "")],
        ["Verification id", record.id],
      ]);
      lines.push(
        ...record.checks.map((check) => `  ${check.passed ? "pass" : "FAIL"}  ${check.check}: ${check.summary}`),
      );
      if (!options.submit) return { json: record, text: lines };

      const attestation = record.attestation;
      if (attestation === null) {
        throw new RefusedError(
          "not_signed",
          `the verification service signed no attestation for task ${taskId} (${record.signing.status}` +
            `${record.signing.reason ? `: ${record.signing.reason}` : ""}); there is nothing to submit`,
          { verification: record },
        );
      }
      const outcome =
        attestation.transaction !== null
          ? await sendPreparedTransactions(context, [attestation.transaction])
          : (
              await sendDirect(context, `submit the verdict on task ${taskId}`, async () =>
                (await context.market()).submitVerdict(taskId, [attestation]),
              )
            ).outcome;
      const status = await statusAfter(context, taskId);
      return {
        json: { ...record, submitted: { status, ...outcome } },
        text: [...lines, `Attestation submitted; task ${taskId} is ${status}.`, ...transactionLines(outcome)],
      };
    },
  );

  register(
    program
      .command("approve")
      .summary("approve the submission under review (the task's verifier)")
      .description(
        "Approves the submission under review, as the task's verifier: the poster, a reviewer account, or the reviewer " +
          "named in the review module's configuration (sent through the module).",
      )
      .argument("<taskId>", "the task id"),
    async (context, taskIdText: string) => {
      const taskId = parseTaskId(taskIdText);
      const outcome = await decision(context, taskId, "approve", {}, async () =>
        (await context.market()).approve(taskId),
      );
      return written(context, taskId, "approved", outcome);
    },
  );

  register(
    program
      .command("reject")
      .summary("reject the submission under review, with a reason (the task's verifier)")
      .description(
        "Rejects the submission under review; the executor may resubmit until the execution deadline. The reason, a " +
          "JSON file, is recorded on-chain by its hash. On a proof-verified task anyone rejects an unproven submission.",
      )
      .argument("<taskId>", "the task id")
      .option("--reason <file>", "a JSON file giving the reason (its hash is recorded on-chain)"),
    async (context, taskIdText: string, options) => {
      const taskId = parseTaskId(taskIdText);
      const reason = options.reason === undefined ? undefined : readJson(options.reason, "reason");
      const reasonHash: Hex | undefined = reason === undefined ? undefined : contentHash(reason);
      const outcome = await decision(
        context,
        taskId,
        "reject",
        reasonHash === undefined ? {} : { reasonHash },
        async () => (await context.market()).reject(taskId, reason === undefined ? {} : { content: reason }),
      );
      return written(context, taskId, "rejected", outcome);
    },
  );

  register(
    program
      .command("release")
      .summary("release the payment of a submission whose review window ran out (anyone)")
      .argument("<taskId>", "the task id"),
    async (context, taskIdText: string) => {
      const taskId = parseTaskId(taskIdText);
      const outcome = await transition(context, taskId, { transition: "release" }, `release task ${taskId}`, async () =>
        (await context.market()).release(taskId),
      );
      return written(context, taskId, "released", outcome);
    },
  );

  register(
    program
      .command("settle")
      .summary("settle a task by whatever settles it now: approve, release or refund")
      .description(
        "Settles the task by the call its state allows now: the verifier's approval of a submission under review, the " +
          "release of one whose review window ran out (anyone), or the refund of an expired task (anyone). Through the " +
          "API, POST /settle chooses; directly, the task's live status does. A task verified by an attestation quorum " +
          "settles with `taskmarket verify --submit`.",
      )
      .argument("<taskId>", "the task id"),
    async (context, taskIdText: string) => {
      const taskId = parseTaskId(taskIdText);
      let action: string;
      let outcome: WriteOutcome;
      if (context.throughApi) {
        const prepared = await context.api("Settling").settle({ taskId, from: context.account.address });
        action = prepared.action;
        outcome = await sendPreparedTransactions(context, prepared.transactions);
      } else {
        const market = await context.market();
        const { statusName } = await market.getTask(taskId);
        const calls = {
          Submitted: ["approve", () => market.approve(taskId)],
          Verified: ["release", () => market.release(taskId)],
          Expired: ["refund-expired", () => market.refundExpired(taskId)],
        } as const;
        const call = calls[statusName as keyof typeof calls];
        if (call === undefined) {
          throw new RefusedError(
            "invalid_transition",
            `task ${taskId} is ${statusName}: nothing settles it now (it settles when Submitted, Verified or Expired)`,
            { currentState: statusName },
          );
        }
        action = call[0];
        outcome = (await sendDirect(context, `${action} task ${taskId}`, call[1])).outcome;
      }
      const result = await written(context, taskId, `settled by ${action}`, outcome);
      return { ...result, json: { action, ...(result.json as object) } };
    },
  );

  register(
    program
      .command("dispute")
      .summary("dispute a decision, or challenge a submission, through the task's verification module")
      .description(
        "Disputes the decision held for contest on a task verified by the review or attestation module (the executor " +
          "disputes a rejection or a partial score, the poster an approval or a partial score), or challenges a " +
          "submission on an optimistic task. Sends the deposit the module requires (the arbitrator's fee, plus the " +
          "challenge bond for a challenge) unless --deposit is given. Goes to the chain directly.",
      )
      .argument("<taskId>", "the task id")
      .option("--deposit <wei>", "the deposit to send instead of the one the module requires"),
    async (context, taskIdText: string, options) => {
      const taskId = parseTaskId(taskIdText);
      const deposit = options.deposit === undefined ? undefined : parseAmount(options.deposit, "--deposit");
      const { outcome } = await sendDirect(context, `dispute task ${taskId}`, async () =>
        (await context.market()).dispute(taskId, deposit === undefined ? {} : { deposit }),
      );
      return written(context, taskId, "disputed", outcome);
    },
  );

  register(
    program
      .command("respond")
      .summary("answer a dispute as its respondent, matching the deposit (which seizes the arbitrator)")
      .argument("<taskId>", "the task id")
      .option("--deposit <wei>", "the deposit to send instead of the one the module requires"),
    async (context, taskIdText: string, options) => {
      const taskId = parseTaskId(taskIdText);
      const deposit = options.deposit === undefined ? undefined : parseAmount(options.deposit, "--deposit");
      const { outcome } = await sendDirect(context, `respond to the dispute on task ${taskId}`, async () =>
        (await context.market()).respondToDispute(taskId, deposit === undefined ? {} : { deposit }),
      );
      return written(context, taskId, "answered", outcome);
    },
  );
}

/**
 * The verifier's approval or rejection: through the API's lifecycle route when the poster or an account decides, or
 * through the SDK when the task's verifier is a verification module (whose calls need its configuration).
 */
async function decision(
  context: Context,
  taskId: bigint,
  name: "approve" | "reject",
  params: { reasonHash?: Hex },
  direct: Parameters<typeof transition>[4],
): Promise<WriteOutcome> {
  if (context.throughApi) {
    const market = await context.market();
    if ((await market.getVerifierConfig(taskId)) === undefined) {
      return transition(
        context,
        taskId,
        name === "approve" ? { transition: "approve" } : { transition: "reject", params },
        `${name} task ${taskId}`,
        direct,
      );
    }
  }
  return (await sendDirect(context, `${name} task ${taskId}`, direct)).outcome;
}
