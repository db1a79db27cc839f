// Tasks: post one from a task document, find them (search, list), read one (show), and tell its history.
import type { Command } from "commander";

import {
  ASSIGNMENT_MODULE_NAMES,
  InvalidTaskDocumentError,
  validateTaskDocument,
  type TaskEvent,
  type TaskSearchQuery,
  type TaskStatusName,
  type JsonValue,
  type TaskAssignment,
  type TaskSummary,
  type TaskVerification,
  type DocumentSummary,
} from "../../../sdk/src/index.ts";
import { parseAddress } from "../context.ts";
import { UsageError } from "../failures.ts";
import {
  collect,
  parseAmount,
  parseDuration,
  parseInteger,
  parseTaskId,
  parseTime,
  readJson,
  readJsonArgument,
} from "../inputs.ts";
import { fields, formatAmount, formatTime, table, truncate, type CommandResult } from "../output.ts";
import { afterPrepared, sendDirect, transactionLines, type WriteOutcome } from "../writes.ts";
import type { Register } from "../program.ts";

const STATUS_NAMES = [
  "Posted",
  "Claimed",
  "InProgress",
  "Submitted",
  "Verified",
  "Settled",
  "Cancelled",
  "Expired",
  "Disputed",
] as const;

export function registerTaskCommands(program: Command, register: Register): void {
  register(
    program
      .command("post")
      .summary("post a task from a JSON task document, funding its escrow")
      .description(
        "Posts a task from a task document (taskmarket/task-document@1; see src/documents/task-document-schema.ts) and " +
          "funds its escrow from the signer's account. The document is validated here first. Through the API, the API " +
          "stores the document and prepares the transactions (a module configuration's publishConfig, an ERC-20 " +
          "approval, the creation), which are signed here; directly, the SDK derives the terms and sends them, and " +
          "nobody stores the document: pin the canonical JSON (printed with --json) where its ipfs:// URI points.",
      )
      .argument("<document>", "the task document: a JSON file, or - for stdin")
      .option("--review-window <duration>", "how long the verifier has to decide on a submission (default 3d)")
      .option("--claim-deadline <time>", "when claiming closes, if the document has none (Unix seconds or ISO date)")
      .option("--reviewer <address>", "an account that decides instead of the poster (verification method review)")
      .option(
        "--verification <json>",
        "who verifies, as POST /tasks takes it, inline or as @file: " +
          '{"method":"attestation","config":{…}} (amounts as decimal strings)',
      )
      .option(
        "--assignment <json>",
        "how the task is given out instead of first come, inline or as @file: " +
          '{"module":"reverseAuction","config":{…}}; modules gatedClaim, applicationBoard, reverseAuction',
      )
      .option(
        "--subtask-budget <amount>",
        "how much of the reward (base units) the executor may spend on subtasks (`taskmarket subtask`)",
      ),
    async (context, documentPath: string, options) => {
      const { choices, verification, assignment } = postInput(documentPath, options);
      // Checked before anything is sent: the module's configuration must be published once the task exists.
      if (assignment !== undefined) context.deploymentFor("Posting with --assignment");

      if (context.throughApi) {
        const wallet = context.walletClient;
        context.output.progress("asking the API to store the document and prepare the transactions");
        const result = await context.api("Posting").postTask(
          wallet,
          {
            ...choices,
            ...(verification === undefined ? {} : { verification: verification as never }),
            ...(assignment === undefined ? {} : { assignment: assignment as never }),
          },
          { publicClient: context.publicClient, onSent: context.mined },
        );
        let outcome = await afterPrepared(context, result.sent);
        if (assignment !== undefined) {
          // The API prepares no publishConfig of the assignment module (it takes the task id, known only once the task
          // exists): without it nobody could read the configuration back to bid, apply or claim. Anyone may send it.
          const published = await sendDirect(context, `publish the ${assignment.module} configuration`, async () => {
            const sent = await (await context.market()).publishAssignmentConfig(result.taskId, assignment);
            if (sent === undefined) throw new Error(`The ${assignment.module} configuration was already published.`);
            return sent;
          }).catch((error: unknown) => {
            // The task exists and holds the escrow: its id must not be lost with the failure.
            context.output.warn(
              `task ${result.taskId} was created, but its ${assignment.module} configuration was not published; ` +
                "until it is (the SDK's publishAssignmentConfig, by anyone), nobody can bid, apply or claim",
            );
            throw error;
          });
          outcome = {
            transactions: [...outcome.transactions, ...published.outcome.transactions],
            indexed: published.outcome.indexed,
          };
        }
        return posted(result.taskId, result.creation.documentHash, result.creation.documentURI, outcome, {
          terms: result.creation.terms,
          pinned: result.creation.pinned,
        });
      }
      const market = await context.market();
      const { outcome, result } = await sendDirect(context, "create and fund the task", () =>
        market.postTask({
          ...choices,
          ...(verification === undefined ? {} : { verification }),
          ...(assignment === undefined ? {} : { assignment }),
        }),
      );
      context.output.warn(
        `no API stores the document in direct mode: pin its canonical JSON where ${result.documentURI} points ` +
          "(--json prints it as canonicalDocument)",
      );
      return posted(result.taskId, result.documentHash, result.documentURI, outcome, {
        terms: result.terms,
        canonicalDocument: result.canonicalDocument,
      });
    },
  );

  register(
    program
      .command("show")
      .summary("show a task: its document, terms, live state and latest submission")
      .description(
        "Shows a task. Through the API: the document, the indexed record and the live on-chain state (GET /tasks/{id}). " +
          "Directly: the live state and the terms read from the chain.",
      )
      .argument("<taskId>", "the task id"),
    async (context, taskIdText: string) => {
      const taskId = parseTaskId(taskIdText);
      if (context.apiUrl !== undefined) {
        const task = await context.api("Reading the task").getTask(taskId);
        const indexed = task.indexed;
        const rows: [string, unknown][] = [
          ["Task", task.id],
          ["Status", task.chain.status],
          ["Objective", task.document === null ? "(document not held by the API)" : task.document.objective],
          ["Poster", task.poster],
          ["Executor", task.chain.executor],
        ];
        if (indexed !== null) {
          rows.push(
            ["Reward", formatAmount(indexed.reward, indexed.token)],
            ["Claim bond", formatAmount(indexed.claimBond, indexed.token)],
            ["Executor kind", indexed.executorKind],
            ["Verification", indexed.verificationMethod + (indexed.verifier === null ? "" : ` (${indexed.verifier})`)],
            ["Assignment", indexed.assignmentMode],
            ["Claim deadline", formatTime(indexed.claimDeadline)],
          );
        }
        rows.push(
          ["Execution deadline", formatTime(task.chain.executionDeadline)],
          ["Review deadline", formatTime(task.chain.reviewDeadline)],
        );
        if (task.document !== null) {
          rows.push(
            ["Category", task.document.metadata.category],
            ["Capabilities", task.document.execution_requirements.required_capabilities?.join(", ") || "-"],
          );
        }
        if (indexed?.latestSubmission) {
          const submission = indexed.latestSubmission;
          rows.push([
            "Latest submission",
            `#${submission.number} ${submission.resultHash} (${submission.status}) ${submission.resultURI}`.trim(),
          ]);
        }
        if (indexed?.currentDispute) rows.push(["Dispute", indexed.currentDispute.phase]);
        rows.push(
          ["Document", task.documentURI],
          ["Indexed at block", task.block.indexed?.number ?? "not yet indexed"],
        );
        return { json: task, text: fields(rows) };
      }
      const market = await context.market();
      const [snapshot, posted] = await Promise.all([market.getTask(taskId), market.getPostedTask(taskId)]);
      const { terms } = posted;
      return {
        json: { taskId, status: snapshot.statusName, snapshot, posted },
        text: fields([
          ["Task", taskId],
          ["Status", snapshot.statusName],
          ["Poster", terms.poster],
          ["Executor", /^0x0{40}$/.test(snapshot.state.executor) ? "-" : snapshot.state.executor],
          ["Reward", formatAmount(terms.reward, terms.token)],
          ["Claim bond", formatAmount(terms.claimBond, terms.token)],
          ["Verifier", /^0x0{40}$/.test(terms.verifier) ? "the poster" : terms.verifier],
          ["Claim deadline", formatTime(terms.claimDeadline)],
          ["Execution deadline", formatTime(snapshot.state.executionDeadline)],
          ["Review deadline", formatTime(snapshot.state.reviewDeadline)],
          ["Document", posted.documentURI],
          ["Read at block", snapshot.blockNumber],
        ]),
      };
    },
  );

  register(
    program
      .command("search")
      .summary("search tasks by text and filters (through the API)")
      .description("Full-text search over the task documents, with filters on the indexed tasks (GET /tasks/search).")
      .argument("[text...]", "words to search the objective, category and tags for")
      .option("--state <status>", `a status: ${STATUS_NAMES.join(", ")} (repeatable)`, collect)
      .option("--capability <name>", "a required capability, e.g. lang:de (repeatable)", collect)
      .option("--category <category>", "a category, e.g. translation/marketing (repeatable)", collect)
      .option("--tag <tag>", "a tag (repeatable)", collect)
      .option("--executor-kind <kind>", "any, human or agent (repeatable)", collect)
      .option("--token <address>", "the reward's token; the zero address for ETH (repeatable)", collect)
      .option("--poster <address>", "posted by this account (repeatable)", collect)
      .option("--min-reward <amount>", "at least this reward, in base units")
      .option("--max-reward <amount>", "at most this reward, in base units")
      .option("--sort <order>", "relevance, newest, reward or deadline")
      .option("--order <direction>", "asc or desc")
      .option("--first <n>", "how many (1 to 100; default 20)")
      .option("--skip <n>", "how many to skip"),
    async (context, words: string[], options) => {
      const query: TaskSearchQuery = {
        ...(words.length > 0 ? { q: words.join(" ") } : {}),
        ...(options.state ? { state: options.state.map(statusName) } : {}),
        ...(options.capability ? { capability: options.capability } : {}),
        ...(options.category ? { category: options.category } : {}),
        ...(options.tag ? { tag: options.tag } : {}),
        ...(options.executorKind ? { executorKind: options.executorKind } : {}),
        ...(options.token ? { token: options.token } : {}),
        ...(options.poster ? { poster: options.poster.map((poster: string) => parseAddress(poster, "poster")) } : {}),
        ...(options.minReward ? { minReward: parseAmount(options.minReward, "--min-reward") } : {}),
        ...(options.maxReward ? { maxReward: parseAmount(options.maxReward, "--max-reward") } : {}),
        ...(options.sort ? { sort: options.sort } : {}),
        ...(options.order ? { order: options.order } : {}),
        ...pagination(options),
      };
      const result = await context.api("Searching").searchTasks(query);
      return { json: result, text: taskTable(result.items, result.hasMore) };
    },
  );

  register(
    program
      .command("list")
      .summary("list tasks: open ones, your own, the ones you hold, or the ones you may claim (through the API)")
      .description(
        "Lists tasks, newest first. Without an option: the open (Posted) tasks. --mine: the tasks the signer (or " +
          "--account) posted. --held: the tasks the account holds or held as executor. --eligible: the open tasks the " +
          "account qualifies for (kind, capabilities, reputation gates).",
      )
      .option("--mine", "tasks the account posted")
      .option("--held", "tasks the account holds or held as executor")
      .option("--eligible", "open tasks the account may claim")
      .option("--account <address>", "the account, instead of the signer's")
      .option("--state <status>", "only tasks in this status (repeatable)", collect)
      .option("--first <n>", "how many (1 to 100; default 20)")
      .option("--skip <n>", "how many to skip"),
    async (context, options) => {
      const chosen = [options.mine, options.held, options.eligible].filter(Boolean).length;
      if (chosen > 1) throw new UsageError("Give at most one of --mine, --held and --eligible.");
      const api = context.api("Listing tasks");
      const states = options.state?.map(statusName) as TaskStatusName[] | undefined;
      if (options.held || options.eligible) {
        const account = context.addressOr(options.account, "executor");
        const result = await api.getAgentTasks(account, {
          ...(options.eligible ? { eligible: true } : {}),
          ...(states ? { state: states } : {}),
          ...pagination(options),
        });
        const lines =
          options.eligible && result.ineligibleReason !== null
            ? [`${account} cannot claim tasks: ${result.ineligibleReason}.`]
            : taskTable(result.items, result.hasMore);
        return { json: result, text: lines };
      }
      const result = await api.searchTasks({
        sort: "newest",
        ...(options.mine ? { poster: context.addressOr(options.account, "poster") } : { state: states ?? ["Posted"] }),
        ...(options.mine && states ? { state: states } : {}),
        ...pagination(options),
      });
      return { json: result, text: taskTable(result.items, result.hasMore) };
    },
  );

  register(
    program
      .command("history")
      .summary("show a task's history: every event that names it, from the chain")
      .description(
        "Every event of the market and the verification modules that names the task, oldest first, read from the " +
          "chain (eth_getLogs from the block the task was created in): no indexer is involved.",
      )
      .argument("<taskId>", "the task id"),
    async (context, taskIdText: string) => {
      const taskId = parseTaskId(taskIdText);
      const market = await context.market();
      const events = await market.getTaskHistory(taskId);
      const blocks = [...new Set(events.map((event) => event.blockNumber))];
      const timestamps = new Map(
        await Promise.all(
          blocks.map(
            async (blockNumber) =>
              [blockNumber, (await context.publicClient.getBlock({ blockNumber })).timestamp] as const,
          ),
        ),
      );
      const items = events.map((event) => ({ ...event, timestamp: Number(timestamps.get(event.blockNumber)) }));
      return {
        json: { taskId, events: items },
        text:
          items.length === 0
            ? [`Task ${taskId} has no events.`]
            : table(
                ["BLOCK", "TIME", "EVENT", "CONTRACT", "DETAILS"],
                items.map((event) => [
                  String(event.blockNumber),
                  formatTime(event.timestamp),
                  event.eventName,
                  event.source,
                  eventDetails(event, taskId),
                ]),
              ),
      };
    },
  );
}

/** The options `post` and `subtask` share. */
export interface PostOptions {
  reviewWindow?: string;
  claimDeadline?: string;
  reviewer?: string;
  verification?: string;
  assignment?: string;
  subtaskBudget?: string;
}

/** What `post` and `subtask` read and check before anything is sent: the document and the poster's choices. */
export function postInput(documentPath: string, options: PostOptions) {
  const document = readJson(documentPath, "task document");
  const validation = validateTaskDocument(document);
  if (!validation.ok) throw new InvalidTaskDocumentError(validation.errors);
  if (options.reviewer !== undefined && options.verification !== undefined) {
    throw new UsageError("Give --reviewer or --verification, not both.");
  }
  const verification: TaskVerification | undefined =
    options.reviewer !== undefined
      ? { method: "reviewer", reviewer: parseAddress(options.reviewer, "reviewer") }
      : options.verification === undefined
        ? undefined
        : verificationArgument(readJsonArgument(options.verification, "verification"));
  const assignment =
    options.assignment === undefined
      ? undefined
      : assignmentArgument(readJsonArgument(options.assignment, "assignment"));
  const reviewWindow =
    options.reviewWindow === undefined ? undefined : parseDuration(options.reviewWindow, "--review-window");
  const claimDeadline =
    options.claimDeadline === undefined ? undefined : parseTime(options.claimDeadline, "--claim-deadline");
  const subtaskBudget =
    options.subtaskBudget === undefined ? undefined : parseAmount(options.subtaskBudget, "--subtask-budget");
  const choices = {
    document: validation.document,
    ...(reviewWindow === undefined ? {} : { reviewWindow }),
    ...(claimDeadline === undefined ? {} : { claimDeadline }),
    ...(subtaskBudget === undefined ? {} : { options: { subtaskBudget } }),
  };
  return { choices, verification, assignment };
}

export function posted(
  taskId: bigint,
  documentHash: string,
  documentURI: string,
  outcome: WriteOutcome,
  extra: Record<string, unknown>,
): CommandResult {
  return {
    json: { taskId, documentHash, documentURI, ...extra, ...outcome },
    text: [`Posted task ${taskId}`, `Document ${documentURI}`, ...transactionLines(outcome)],
  };
}

/**
 * `--verification` as the SDK and the API take it. Amounts and ids come as decimal strings (JSON numbers lose
 * precision past 2^53); the direct client encodes them as integers.
 */
function verificationArgument(value: unknown): TaskVerification {
  if (typeof value !== "object" || value === null || typeof (value as { method?: unknown }).method !== "string") {
    throw new UsageError('--verification must be an object with a "method" (poster, reviewer, review, …).');
  }
  const verification = value as { method: string; config?: Record<string, unknown> };
  if (verification.config === undefined) return verification as TaskVerification;
  const config = Object.fromEntries(
    Object.entries(verification.config).map(([key, item]) => [
      key,
      typeof item === "string" && /^[0-9]+$/.test(item) ? BigInt(item) : item,
    ]),
  );
  return { ...verification, config } as TaskVerification;
}

/**
 * `--assignment` as the SDK takes it, checked field by field so that a mistake is named before anything is sent:
 * amounts and task ids as decimal strings (or numbers), times as Unix seconds or ISO dates, windows as seconds or
 * durations like 1d.
 */
export function assignmentArgument(value: JsonValue): TaskAssignment {
  const object = (item: unknown, path: string): Record<string, unknown> => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new UsageError(`--assignment: ${path} must be an object.`);
    }
    return item as Record<string, unknown>;
  };
  const field = (from: Record<string, unknown>, name: string, path: string): string => {
    const item = from[name];
    if (typeof item === "number" || (typeof item === "string" && item !== "")) return String(item);
    throw new UsageError(`--assignment: ${path}.${name} is required (a number or a string).`);
  };
  const root = object(value, "the assignment");
  const module = root.module;
  if (typeof module !== "string" || !(ASSIGNMENT_MODULE_NAMES as readonly string[]).includes(module)) {
    throw new UsageError(
      `--assignment must name a "module": ${ASSIGNMENT_MODULE_NAMES.join(", ")}, got ${JSON.stringify(module)}.`,
    );
  }
  const config = object(root.config, "config");
  const gate = object(config.requirements, "config.requirements");
  const dependencies = gate.dependencies ?? [];
  if (!Array.isArray(dependencies))
    throw new UsageError("--assignment: config.requirements.dependencies must be a list of task ids.");
  const requirements = {
    minCompleted: parseInteger(field(gate, "minCompleted", "config.requirements"), "--assignment minCompleted", {
      min: 0,
    }),
    maxDisputesLostBps: parseInteger(
      field(gate, "maxDisputesLostBps", "config.requirements"),
      "--assignment maxDisputesLostBps",
      { min: 0, max: 10_000 },
    ),
    dependencies: dependencies.map((id) => parseTaskId(String(id))),
  };
  const time = (name: string) => parseTime(field(config, name, "config"), `--assignment ${name}`);
  switch (module as TaskAssignment["module"]) {
    case "gatedClaim":
      return { module: "gatedClaim", config: { requirements } };
    case "applicationBoard":
      return {
        module: "applicationBoard",
        config: {
          requirements,
          applicationDeadline: config.applicationDeadline === undefined ? 0 : time("applicationDeadline"),
        },
      };
    case "reverseAuction":
      return {
        module: "reverseAuction",
        config: {
          requirements,
          biddingEnd: time("biddingEnd"),
          revealEnd: config.revealEnd === undefined ? 0 : time("revealEnd"),
          bidBond:
            config.bidBond === undefined ? 0n : parseAmount(field(config, "bidBond", "config"), "--assignment bidBond"),
          priceWeightBps: parseInteger(field(config, "priceWeightBps", "config"), "--assignment priceWeightBps", {
            min: 0,
            max: 10_000,
          }),
          awardWindow: parseDuration(field(config, "awardWindow", "config"), "--assignment awardWindow"),
        },
      };
  }
}

function statusName(value: string): TaskStatusName {
  const found = STATUS_NAMES.find((name) => name.toLowerCase() === value.toLowerCase());
  if (found === undefined) throw new UsageError(`--state must be one of ${STATUS_NAMES.join(", ")}, got "${value}".`);
  return found;
}

function pagination(options: { first?: string; skip?: string }) {
  return {
    ...(options.first === undefined ? {} : { first: parseInteger(options.first, "--first", { min: 1, max: 100 }) }),
    ...(options.skip === undefined ? {} : { skip: parseInteger(options.skip, "--skip", { min: 0 }) }),
  };
}

function taskTable(
  items: readonly { task: TaskSummary; document: DocumentSummary | null }[],
  hasMore: boolean,
): string[] {
  if (items.length === 0) return ["No tasks."];
  return [
    ...table(
      ["ID", "STATUS", "REWARD", "CLAIM BY", "CATEGORY", "OBJECTIVE"],
      items.map(({ task, document }) => [
        task.id,
        task.status,
        formatAmount(task.reward, task.token),
        formatTime(task.claimDeadline),
        document?.category ?? "-",
        truncate(document?.objective ?? "(document not held by the API)", 60),
      ]),
    ),
    ...(hasMore ? ["(more: use --skip)"] : []),
  ];
}

/** An event's arguments other than the task id, as `name=value`. */
function eventDetails(event: TaskEvent, taskId: bigint): string {
  return Object.entries(event.args)
    .filter(([name, value]) => !(name === "taskId" && value === taskId))
    .map(([name, value]) => `${name}=${formatValue(value)}`)
    .join(" ");
}

/** A value for a table cell: structures stay in the `--json` output, where they can be read whole. */
function formatValue(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.length}]`;
  if (typeof value === "object" && value !== null) return "{…}";
  return String(value);
}
