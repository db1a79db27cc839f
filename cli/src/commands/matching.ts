// How a task is given out other than by a first-come claim, and the tasks an executor gives out in turn: reverse
// auctions (open and sealed bids, the poster's award, the automatic finalization), the application board (apply, assign,
// dismiss, withdraw), and subtasks funded from a parent's budget. The API prepares none of these calls: they go to the
// assignment modules and the market directly through the SDK, which reads the task's terms and the module's published
// configuration from the chain.
import { rmSync, writeFileSync } from "node:fs";

import type { Command } from "commander";
import { bytesToHex, isHex, type Hex } from "viem";

import { TaskMarketContractError, type AssignmentModuleName, type TaskAssignment } from "../../../sdk/src/index.ts";
import { parseAddress, type Context } from "../context.ts";
import { RefusedError, UsageError } from "../failures.ts";
import { parseAmount, parseDuration, parseHash, parseTaskId, readContentReference, readJson } from "../inputs.ts";
import { fields, formatAmount, table } from "../output.ts";
import type { Register } from "../program.ts";
import { sendDirect, transactionLines, written } from "../writes.ts";
import { postInput, posted, type PostOptions } from "./tasks.ts";

/** What `bid --sealed` saves for the reveal: everything `reveal` needs, and what it was committed to. */
interface SealedBidFile {
  kind: "taskmarket/sealed-bid";
  taskId: string;
  bidder: string;
  price: string;
  eta: number;
  salt: Hex;
  commitment?: Hex;
}

export function registerMatchingCommands(program: Command, register: Register): void {
  register(
    program
      .command("bid")
      .summary("bid on a task given out by reverse auction: an open bid, or a sealed one (--sealed)")
      .description(
        "Bids on a task behind the ReverseAuction module at a price (at most the reward, in base units) and an ETA. An " +
          "open bid may be lowered by bidding again; the first deposits the claim bond. A sealed auction takes a " +
          "commitment now and the bid in its reveal window: --sealed computes the commitment here (the price never " +
          "reaches the node before the reveal) with a random salt, and writes the bid and its salt to --save before " +
          "anything is sent; `taskmarket reveal` reads that file. Without the salt the bid cannot be revealed and its " +
          "bid bond is lost. The first commitment deposits the claim bond plus the auction's bid bond. Goes to the " +
          "chain directly.",
      )
      .argument("<taskId>", "the task id")
      .requiredOption("--price <amount>", "the price asked, in the reward token's base units (wei for ETH)")
      .requiredOption("--eta <duration>", "how long the work will take: seconds, or 90m, 4h, 2d")
      .option("--sealed", "commit a sealed bid, to reveal in the auction's reveal window")
      .option("--save <file>", "with --sealed: the new file the bid and its salt are written to, for the reveal"),
    async (context, taskIdText: string, options) => {
      const taskId = parseTaskId(taskIdText);
      const price = parseAmount(options.price, "--price");
      const eta = parseDuration(options.eta, "--eta");
      if (!options.sealed && options.save !== undefined)
        throw new UsageError("--save is for a sealed bid: add --sealed.");
      if (options.sealed && options.save === undefined) {
        throw new UsageError(
          "A sealed bid needs --save <file>: its salt is written there for `taskmarket reveal`, and without it the bid " +
            "cannot be revealed.",
        );
      }
      const { config } = await requireAssignment(context, taskId, "reverseAuction", "bidding");
      if (!options.sealed && config.revealEnd !== 0) {
        throw new UsageError(
          `Task ${taskId}'s auction takes sealed bids: add --sealed --save <file>, and reveal in its reveal window.`,
        );
      }
      if (options.sealed && config.revealEnd === 0) {
        throw new UsageError(`Task ${taskId}'s auction takes open bids: leave out --sealed.`);
      }
      if (!options.sealed) {
        const { outcome } = await sendDirect(context, `bid ${price} on task ${taskId}`, async () =>
          (await context.market()).bid(taskId, { price, eta }),
        );
        const result = await written(context, taskId, `has a bid at ${price}`, outcome);
        return { ...result, json: { ...(result.json as object), price, eta } };
      }
      const salt = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
      const saved: SealedBidFile = {
        kind: "taskmarket/sealed-bid",
        taskId: taskId.toString(),
        bidder: context.account.address,
        price: price.toString(),
        eta,
        salt,
      };
      // The salt is on disk before the commitment is sent, and never over another bid's file.
      const save = (bid: SealedBidFile, flag: "wx" | "w") => {
        try {
          writeFileSync(options.save, `${JSON.stringify(bid, null, 2)}\n`, { flag, mode: 0o600 });
        } catch (error) {
          throw new UsageError(`Cannot write the sealed bid to ${options.save}: ${(error as Error).message}`);
        }
      };
      save(saved, "wx");
      context.output.progress(`saved the bid and its salt to ${options.save}`);
      let committed;
      try {
        committed = await sendDirect(context, `commit a sealed bid on task ${taskId}`, async () =>
          (await context.market()).commitBid(taskId, { price, eta, salt }),
        );
      } catch (error) {
        // A simulation that reverts sends nothing: the file holds no bid, and would only block the next attempt.
        if (error instanceof TaskMarketContractError) rmSync(options.save, { force: true });
        throw error;
      }
      const { outcome, result } = committed;
      save({ ...saved, commitment: result.commitment }, "w");
      const status = await written(context, taskId, "has a sealed bid", outcome);
      return {
        json: { ...(status.json as object), price, eta, salt, commitment: result.commitment, saved: options.save },
        text: [
          `Sealed bid committed on task ${taskId}; reveal it in the reveal window with:`,
          `  taskmarket reveal ${taskId} --bid ${options.save}`,
          `Salt: ${salt} (saved in ${options.save}; the reveal needs it)`,
          ...transactionLines(outcome),
        ],
      };
    },
  );

  register(
    program
      .command("reveal")
      .summary("reveal a sealed bid in the auction's reveal window")
      .description(
        "Reveals the signer's sealed bid: the price, ETA and salt it committed to, read from the file `bid --sealed " +
          "--save` wrote, or given as --price, --eta and --salt.",
      )
      .argument("<taskId>", "the task id")
      .option("--bid <file>", "the file `taskmarket bid --sealed --save` wrote")
      .option("--price <amount>", "the committed price, instead of --bid")
      .option("--eta <duration>", "the committed ETA, instead of --bid")
      .option("--salt <hex>", "the commitment's salt (32 bytes), instead of --bid"),
    async (context, taskIdText: string, options) => {
      const taskId = parseTaskId(taskIdText);
      const given = [options.price, options.eta, options.salt].filter((item) => item !== undefined).length;
      let bid: { price: bigint; eta: number; salt: Hex };
      if (options.bid !== undefined) {
        if (given > 0) throw new UsageError("Give the bid as --bid <file> or as --price, --eta and --salt, not both.");
        const saved = sealedBidFrom(readJson(options.bid, "sealed bid"), options.bid, taskId);
        if (saved.bidder.toLowerCase() !== context.account.address.toLowerCase()) {
          throw new UsageError(
            `${options.bid} holds ${saved.bidder}'s bid: only that account can reveal it (set its key).`,
          );
        }
        bid = saved;
      } else {
        if (given !== 3) throw new UsageError("Give the bid as --bid <file>, or all of --price, --eta and --salt.");
        bid = {
          price: parseAmount(options.price, "--price"),
          eta: parseDuration(options.eta, "--eta"),
          salt: parseHash(options.salt, "--salt"),
        };
      }
      await requireAssignment(context, taskId, "reverseAuction", "revealing a bid");
      const { outcome } = await sendDirect(context, `reveal the bid on task ${taskId}`, async () =>
        (await context.market()).revealBid(taskId, bid),
      );
      const result = await written(context, taskId, `bid revealed at ${bid.price}`, outcome);
      return { ...result, json: { ...(result.json as object), price: bid.price, eta: bid.eta } };
    },
  );

  register(
    program
      .command("auction")
      .summary("show a reverse auction: its phase, its bids, the winner or who would win now")
      .description(
        "Reads a task's reverse auction from the chain: the phase (Bidding, Revealing, Awarding, Finalizable, Awarded, " +
          "Cancelled), the bids in the order they were first placed, the winner once awarded, and otherwise the bid " +
          "`taskmarket finalize` would award now by the auction's scoring rule.",
      )
      .argument("<taskId>", "the task id"),
    async (context, taskIdText: string) => {
      const taskId = parseTaskId(taskIdText);
      await requireAssignment(context, taskId, "reverseAuction", "an auction");
      const market = await context.market();
      const [auction, { terms }] = await Promise.all([market.getAuction(taskId), market.getPostedTask(taskId)]);
      const leading =
        auction.winner === undefined && auction.phase !== "Cancelled"
          ? await market.previewAuctionWinner(taskId)
          : undefined;
      const price = (amount: bigint) => formatAmount(amount, terms.token);
      const lines = fields([
        ["Task", taskId],
        ["Phase", auction.phase],
        ["Winner", auction.winner ?? "-"],
        ["Would win now", leading === undefined ? "-" : `${leading.winner} at ${price(leading.price)}`],
      ]);
      lines.push(
        "",
        ...(auction.bids.length === 0
          ? ["No bids."]
          : table(
              ["BIDDER", "STATUS", "PRICE", "ETA", "DEPOSIT"],
              auction.bids.map((bid) => [
                bid.bidder,
                bid.statusName,
                bid.statusName === "Committed" ? "(sealed)" : price(bid.price),
                bid.statusName === "Committed" ? "-" : `${bid.eta}s`,
                price(bid.deposit),
              ]),
            )),
      );
      return { json: { taskId, ...auction, preview: leading ?? null }, text: lines };
    },
  );

  register(
    program
      .command("award")
      .summary("give an auctioned task to a bid of your choice, at its price (the poster)")
      .description(
        "Gives the task to a valid bid at its price, from the auction's close until its award window ends; the rest " +
          "of the budget returns to the poster. The poster only.",
      )
      .argument("<taskId>", "the task id")
      .argument("<bidder>", "the bidder's address"),
    async (context, taskIdText: string, bidderText: string) => {
      const taskId = parseTaskId(taskIdText);
      const bidder = parseAddress(bidderText, "bidder");
      await requireAssignment(context, taskId, "reverseAuction", "awarding a bid");
      const { outcome } = await sendDirect(context, `award task ${taskId} to ${bidder}`, async () =>
        (await context.market()).awardBid(taskId, bidder),
      );
      const result = await written(context, taskId, `awarded to ${bidder}`, outcome);
      return { ...result, json: { ...(result.json as object), winner: bidder } };
    },
  );

  register(
    program
      .command("finalize")
      .summary("end an auction by its rule: the best-scoring bid wins, or the task is cancelled")
      .description(
        "Ends a reverse auction with the automatic rule: awards the best-scoring valid bid (`taskmarket auction` shows " +
          "which), or cancels the task and refunds the poster when none is left. The poster from the auction's close; " +
          "anyone once the award window has passed.",
      )
      .argument("<taskId>", "the task id"),
    async (context, taskIdText: string) => {
      const taskId = parseTaskId(taskIdText);
      await requireAssignment(context, taskId, "reverseAuction", "finalizing an auction");
      const { outcome } = await sendDirect(context, `finalize the auction of task ${taskId}`, async () =>
        (await context.market()).finalizeAuction(taskId),
      );
      const winner = (await (await context.market()).getAuction(taskId)).winner ?? null;
      const result = await written(
        context,
        taskId,
        winner === null ? "finalized without a winner" : `awarded to ${winner}`,
        outcome,
      );
      return { ...result, json: { ...(result.json as object), winner } };
    },
  );

  register(
    program
      .command("withdraw-bid")
      .summary("take back a bid's deposit once the bid cannot win")
      .description(
        "Takes back what the auction holds for the signer's bid once it cannot be awarded: a losing bid's claim bond " +
          "(and a revealed sealed bid's bid bond); the winner's bid bond.",
      )
      .argument("<taskId>", "the task id"),
    async (context, taskIdText: string) => {
      const taskId = parseTaskId(taskIdText);
      context.deploymentFor("Withdrawing a bid deposit");
      const { outcome } = await sendDirect(context, `withdraw the bid deposit on task ${taskId}`, async () =>
        (await context.market()).withdrawBidDeposit(taskId),
      );
      return written(context, taskId, "had a bid deposit withdrawn", outcome);
    },
  );

  register(
    program
      .command("apply")
      .summary("apply for a task on the application board, with a note, depositing the claim bond")
      .description(
        "Applies for a task behind the ApplicationBoard module, depositing its claim bond with the module. A note (a " +
          "JSON file, recorded on-chain by its hash, with where to read it) tells the poster why the signer.",
      )
      .argument("<taskId>", "the task id")
      .option("--note <file>", "a JSON note for the poster (its hash is recorded on-chain)")
      .option("--note-hash <hash>", "the note's hash computed elsewhere, instead of --note")
      .option("--uri <uri>", "where the note can be read"),
    async (context, taskIdText: string, options) => {
      const taskId = parseTaskId(taskIdText);
      const note = readContentReference({ file: options.note, hash: options.noteHash, uri: options.uri }, "note", {
        file: "--note",
        hash: "--note-hash",
      });
      await requireAssignment(context, taskId, "applicationBoard", "applying");
      const { outcome, result } = await sendDirect(context, `apply for task ${taskId}`, async () =>
        (await context.market()).applyToTask(taskId, note),
      );
      const status = await written(context, taskId, "applied for", outcome);
      return { ...status, json: { ...(status.json as object), noteHash: result.noteHash, noteURI: note.uri } };
    },
  );

  register(
    program
      .command("assign")
      .summary("give a task on the application board to an applicant (the poster)")
      .description("Gives the task to an applicant, whose deposit becomes its claim bond. The poster only.")
      .argument("<taskId>", "the task id")
      .argument("<applicant>", "the applicant's address"),
    async (context, taskIdText: string, applicantText: string) => {
      const taskId = parseTaskId(taskIdText);
      const applicant = parseAddress(applicantText, "applicant");
      await requireAssignment(context, taskId, "applicationBoard", "assigning an applicant");
      const { outcome } = await sendDirect(context, `assign task ${taskId} to ${applicant}`, async () =>
        (await context.market()).assignApplicant(taskId, applicant),
      );
      const result = await written(context, taskId, `assigned to ${applicant}`, outcome);
      return { ...result, json: { ...(result.json as object), executor: applicant } };
    },
  );

  register(
    program
      .command("dismiss")
      .summary("dismiss an application, freeing its place; the applicant cannot apply again (the poster)")
      .argument("<taskId>", "the task id")
      .argument("<applicant>", "the applicant's address"),
    async (context, taskIdText: string, applicantText: string) => {
      const taskId = parseTaskId(taskIdText);
      const applicant = parseAddress(applicantText, "applicant");
      context.deploymentFor("Dismissing an application");
      const { outcome } = await sendDirect(context, `dismiss ${applicant}'s application for task ${taskId}`, async () =>
        (await context.market()).dismissApplication(taskId, applicant),
      );
      const result = await written(context, taskId, `had ${applicant}'s application dismissed`, outcome);
      return { ...result, json: { ...(result.json as object), applicant } };
    },
  );

  register(
    program
      .command("withdraw-application")
      .summary("withdraw the signer's application (or a dismissed one's deposit), taking the deposit back")
      .argument("<taskId>", "the task id"),
    async (context, taskIdText: string) => {
      const taskId = parseTaskId(taskIdText);
      context.deploymentFor("Withdrawing an application");
      const { outcome } = await sendDirect(context, `withdraw the application for task ${taskId}`, async () =>
        (await context.market()).withdrawApplication(taskId),
      );
      return written(context, taskId, "had an application withdrawn", outcome);
    },
  );

  register(
    program
      .command("subtask")
      .summary("create a subtask of a task you execute, funded from its subtask budget")
      .description(
        "Creates a subtask of a task the signer is executing, from a task document as `post` does (with the same " +
          "choices of verification and assignment), funded from the parent's subtask budget in the parent's token: " +
          "nothing is paid. The signer is the subtask's poster. What the subtask does not spend returns to the parent, " +
          "which can be submitted only once every subtask has ended. Goes to the chain directly; as with a direct " +
          "`post`, pin the canonical document (printed with --json) where its ipfs:// URI points.",
      )
      .argument("<parentId>", "the parent task's id")
      .argument("<document>", "the subtask's task document: a JSON file, or - for stdin")
      .option("--review-window <duration>", "how long the verifier has to decide on a submission (default 3d)")
      .option("--claim-deadline <time>", "when claiming closes, if the document has none (Unix seconds or ISO date)")
      .option("--reviewer <address>", "an account that decides instead of the signer (verification method review)")
      .option("--verification <json>", "who verifies, as for post, inline or as @file")
      .option("--assignment <json>", "how the subtask is given out, as for post, inline or as @file")
      .option("--subtask-budget <amount>", "how much of its reward the subtask's executor may spend on subtasks"),
    async (context, parentIdText: string, documentPath: string, options: PostOptions) => {
      const parentId = parseTaskId(parentIdText);
      const { choices, verification, assignment } = postInput(documentPath, options);
      if (assignment !== undefined) context.deploymentFor("A subtask with --assignment");
      const { outcome, result } = await sendDirect(context, `create a subtask of task ${parentId}`, async () =>
        (await context.market()).createSubtask(parentId, {
          ...choices,
          ...(verification === undefined ? {} : { verification }),
          ...(assignment === undefined ? {} : { assignment }),
        }),
      );
      context.output.warn(
        `no API stores the document of a subtask: pin its canonical JSON where ${result.documentURI} points ` +
          "(--json prints it as canonicalDocument)",
      );
      const created = posted(result.taskId, result.documentHash, result.documentURI, outcome, {
        parentId,
        terms: result.terms,
        canonicalDocument: result.canonicalDocument,
      });
      return {
        json: created.json,
        text: [`Created subtask ${result.taskId} of task ${parentId}`, ...(created.text as string[]).slice(1)],
      };
    },
  );
}

const COMMAND_FOR_MODULE: Record<AssignmentModuleName | "firstCome", string> = {
  firstCome: "claim",
  gatedClaim: "claim",
  applicationBoard: "apply",
  reverseAuction: "bid",
};

/**
 * The task's assignment, which must be by `module` for `action`: refused (exit 3) with the command that gives the task
 * out instead, before the SDK's own check would fail in its words.
 */
export async function requireAssignment<const M extends AssignmentModuleName>(
  context: Context,
  taskId: bigint,
  module: M,
  action: string,
): Promise<Extract<TaskAssignment, { module: M }>> {
  context.deploymentFor(action.charAt(0).toUpperCase() + action.slice(1));
  const assignment = await (await context.market()).getAssignmentConfig(taskId);
  if (assignment?.module !== module) {
    const by = assignment === undefined ? "first-come claim" : `the ${assignment.module} module`;
    throw new RefusedError(
      "wrong_assignment",
      `task ${taskId} is given out by ${by} (\`taskmarket ${COMMAND_FOR_MODULE[assignment?.module ?? "firstCome"]}\`): ` +
        `${action} needs a task given out by the ${module} module`,
      { assignment: assignment?.module ?? "firstCome" },
    );
  }
  return assignment as Extract<TaskAssignment, { module: M }>;
}

/** The bid in a file `bid --sealed --save` wrote, checked to be for this task. */
function sealedBidFrom(
  value: unknown,
  path: string,
  taskId: bigint,
): { bidder: string; price: bigint; eta: number; salt: Hex } {
  const bid = value as Partial<SealedBidFile> | null;
  if (
    typeof bid !== "object" ||
    bid === null ||
    bid.kind !== "taskmarket/sealed-bid" ||
    typeof bid.bidder !== "string" ||
    typeof bid.price !== "string" ||
    typeof bid.eta !== "number" ||
    typeof bid.salt !== "string" ||
    !isHex(bid.salt, { strict: true })
  ) {
    throw new UsageError(`${path} is not a sealed bid written by \`taskmarket bid --sealed --save\`.`);
  }
  if (bid.taskId !== taskId.toString()) {
    throw new UsageError(`${path} holds a bid on task ${bid.taskId}, not on task ${taskId}.`);
  }
  return {
    bidder: bid.bidder,
    price: parseAmount(bid.price, `the price in ${path}`),
    eta: bid.eta,
    salt: parseHash(bid.salt, `the salt in ${path}`),
  };
}
