// The `taskmarket` command line: its commands, global options, help, and how each command's result or failure is
// printed and turned into an exit code.
import { readFileSync } from "node:fs";

import { Command, CommanderError, Option } from "commander";

import { registerAccountCommands } from "./commands/accounts.ts";
import { registerArbitrationCommands } from "./commands/arbitration.ts";
import { registerDecisionCommands } from "./commands/decide.ts";
import { registerMatchingCommands } from "./commands/matching.ts";
import { registerOperatorCommands } from "./commands/operator.ts";
import { registerTaskCommands } from "./commands/tasks.ts";
import { registerWorkCommands } from "./commands/work.ts";
import { Context, ENVIRONMENT, type GlobalOptions } from "./context.ts";
import { EXIT_CODES, describeFailure } from "./failures.ts";
import { Output, type CommandResult } from "./output.ts";

/** A command's action: the positional arguments, then the options (the command's own and the global ones). */
// Commander hands arguments and options over untyped; each action names and parses its own.
export type Action = (context: Context, ...arguments_: any[]) => Promise<CommandResult>;
export type Register = (command: Command, action: Action) => Command;

const VERSION = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
  .version;

/** One example per command (a subcommand by its group and name), shown at the end of its help. */
const EXAMPLES: Record<string, string[]> = {
  post: [
    "taskmarket post task.json --review-window 2d",
    `taskmarket post task.json --verification @attestation.json --json`,
    "taskmarket post task.json --assignment @auction.json",
  ],
  show: ["taskmarket show 7", "taskmarket show 7 --json | jq .chain.status"],
  search: ["taskmarket search german translation --state Posted --capability lang:de --sort reward"],
  list: ["taskmarket list", "taskmarket list --eligible", "taskmarket list --mine --state Submitted"],
  history: ["taskmarket history 7"],
  register: [
    "taskmarket register --kind agent --operator 0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC --capability lang:de",
  ],
  claim: ["taskmarket claim 7"],
  bid: [
    "taskmarket bid 7 --price 800000000000000000 --eta 4h",
    "taskmarket bid 7 --price 800000000000000000 --eta 4h --sealed --save bid-7.json",
  ],
  reveal: ["taskmarket reveal 7 --bid bid-7.json"],
  auction: ["taskmarket auction 7", "taskmarket auction 7 --json | jq .preview"],
  award: ["taskmarket award 7 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"],
  finalize: ["taskmarket finalize 7"],
  "withdraw-bid": ["taskmarket withdraw-bid 7"],
  apply: ["taskmarket apply 7 --note pitch.json --uri ipfs://bafy…"],
  assign: ["taskmarket assign 7 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"],
  dismiss: ["taskmarket dismiss 7 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"],
  "withdraw-application": ["taskmarket withdraw-application 7"],
  subtask: ["taskmarket subtask 7 part.json", "taskmarket subtask 7 merge.json --assignment @gate.json"],
  start: ["taskmarket start 7"],
  checkpoint: ["taskmarket checkpoint 7 --percent 50 --report progress.json --uri ipfs://bafy…"],
  submit: [
    "taskmarket submit 7 --output result.json --uri ipfs://bafy…",
    "taskmarket submit 7 --output notes.txt --encoding text",
  ],
  verify: ["taskmarket verify 7 --output result.json", "taskmarket verify 7 --output result.json --submit"],
  approve: ["taskmarket approve 7"],
  reject: ["taskmarket reject 7 --reason reason.json"],
  release: ["taskmarket release 7"],
  settle: ["taskmarket settle 7"],
  dispute: ["taskmarket dispute 7"],
  respond: ["taskmarket respond 7"],
  evidence: ["taskmarket evidence 7 --file evidence.json --uri ipfs://bafy…"],
  vote: ["taskmarket vote 7 --executor-share 100", "taskmarket vote 7 --refuse"],
  "execute-ruling": ["taskmarket execute-ruling 7"],
  timeout: ["taskmarket timeout 7"],
  "settlement sign": ["taskmarket settlement sign 7 --executor-share 60 --deadline 2026-12-01T12:00:00Z"],
  "settlement submit": [
    "taskmarket settlement submit 7 --executor-share 60 --deadline 1796126400 --poster-signature 0x…",
  ],
  cancel: ["taskmarket cancel 7"],
  "consent-cancel": ["taskmarket consent-cancel 7"],
  refund: ["taskmarket refund 7"],
  rate: ["taskmarket rate 7 5"],
  withdraw: ["taskmarket withdraw", "taskmarket withdraw --token 0x5FbDB2315678afecb367f032d93F642f64180aa3"],
  executor: ["taskmarket executor 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"],
  reputation: ["taskmarket reputation 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65 --history"],
  leaderboard: ["taskmarket leaderboard --kind Agent --first 10"],
  status: ["taskmarket status"],
  methods: ["taskmarket methods"],
  "verifiers create": ["taskmarket verifiers create"],
  "verifiers add": ["taskmarket verifiers add 1 0x976EA74026E726554dB657fA54763abd0C3a0aa9"],
  "verifiers bond": ["taskmarket verifiers bond 1 --amount 1000000000000000000"],
};

const ENVIRONMENT_HELP: [string, string][] = [
  [
    ENVIRONMENT.apiUrl,
    "the TaskMarket API (--api-url). With it, reads and writes go through the API: it prepares each " +
      "transaction and this command signs it locally.",
  ],
  [
    ENVIRONMENT.apiKey,
    "an API key, for verify (scope verify); an operator makes one with `npm run api -- keys create`. " +
      "Read from the environment only.",
  ],
  [ENVIRONMENT.rpcUrl, "the chain's JSON-RPC endpoint (--rpc-url); default: the deployment's rpcUrl."],
  [
    ENVIRONMENT.deployment,
    "a deployment record (--deployment deployments/<network>.json). Without an API the default is " +
      "deployments/localhost.json (written by `npm start`); with an API the addresses are found through it.",
  ],
  [
    ENVIRONMENT.privateKey,
    "the signing account's private key, for every command that sends a transaction. There is no flag for it " +
      "on purpose: a flag would show in the process list and the shell's history. It never leaves this process.",
  ],
  [ENVIRONMENT.indexTimeout, "seconds a write waits for the API's indexer (default 60)."],
];

/** `text` wrapped at `width` columns, every line after the first indented by `indent`. */
function wrap(text: string, width: number, indent: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width - indent) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${" ".repeat(indent)}`);
}

const NAME_WIDTH = Math.max(...ENVIRONMENT_HELP.map(([name]) => name.length)) + 2;

const MAIN_HELP = `
Configuration (flags override the environment):
${ENVIRONMENT_HELP.map(([name, text]) => `  ${name.padEnd(NAME_WIDTH)}${wrap(text, 100, NAME_WIDTH + 2)}`).join("\n")}

Output:
  Results go to stdout; progress ("sent 0x…", "waiting for 1 confirmation", "indexed") to stderr.
  --json prints one JSON document on stdout and nothing else (bigints as decimal strings); a
  failure prints {"error": {…}} with the API's problem code or the contract's custom error.

Exit codes:
  0 done · 1 unexpected error · 2 bad command line or configuration · 3 refused (the API's 4xx
  problem, an invalid document, no such task) · 4 the chain would revert or reverted (nothing is
  sent when a simulation reverts) · 5 a service did not answer (API 5xx, RPC down, a wait timed out)

A task's journey:
  taskmarket register --kind agent --operator <address> --capability lang:de
  taskmarket post task.json                  (as the poster)
  taskmarket search german --state Posted    taskmarket claim 7
  taskmarket start 7                         taskmarket checkpoint 7 --percent 50
  taskmarket submit 7 --output result.json   taskmarket verify 7 --output result.json --submit
  taskmarket settle 7                        (as the poster: approve; or release after the window)
  taskmarket history 7                       taskmarket reputation <executor>

Other ways to give a task out, and disputes:
  taskmarket post task.json --assignment @auction.json    taskmarket bid 7 --price <wei> --eta 4h
  taskmarket auction 7                       taskmarket finalize 7     (or the poster: award 7 <bidder>)
  taskmarket apply 7 --note pitch.json       taskmarket assign 7 <applicant>
  taskmarket dispute 7    taskmarket respond 7    taskmarket evidence 7 --file evidence.json
  taskmarket vote 7 --executor-share 100     (an arbiter)    taskmarket execute-ruling 7
`;

export function buildProgram(environment: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command("taskmarket");
  program
    .description(
      "The TaskMarket command line: post, find, claim, bid and apply for, work on, verify, settle and dispute tasks on " +
        "the TaskMarket protocol, through the TaskMarket API or directly against the contracts.",
    )
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .addOption(new Option("--api-url <url>", `the TaskMarket API (env ${ENVIRONMENT.apiUrl})`))
    .addOption(new Option("--rpc-url <url>", `the chain's JSON-RPC endpoint (env ${ENVIRONMENT.rpcUrl})`))
    .addOption(
      new Option(
        "--deployment <file>",
        `a deployment record, deployments/<network>.json (env ${ENVIRONMENT.deployment})`,
      ),
    )
    .option("--direct", "send writes directly to the contracts even when an API is configured")
    .option("--json", "print one JSON document on stdout, for scripts and agents")
    .option("-q, --quiet", "print no progress on stderr")
    .option("--no-wait-index", "do not wait for the API's indexer after a write")
    .addHelpText("after", MAIN_HELP)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showSuggestionAfterError(true);

  const register: Register = (command, action) =>
    command.action(async (...arguments_: unknown[]) => {
      const self = arguments_.at(-1) as Command;
      const options = self.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
      const context = new Context(options, environment);
      const result = await action(context, ...arguments_.slice(0, -2), options);
      context.output.result(result);
    });

  registerTaskCommands(program, register);
  registerWorkCommands(program, register);
  registerMatchingCommands(program, register);
  registerDecisionCommands(program, register);
  registerArbitrationCommands(program, register);
  registerAccountCommands(program, register);
  registerOperatorCommands(program, register);

  const addExamples = (command: Command) => {
    const parent = command.parent;
    const examples =
      EXAMPLES[parent === null || parent === program ? command.name() : `${parent.name()} ${command.name()}`];
    if (examples !== undefined) {
      command.addHelpText(
        "after",
        `\nExample${examples.length > 1 ? "s" : ""}:\n${examples.map((line) => `  $ ${line}`).join("\n")}\n`,
      );
    }
    command.commands.forEach(addExamples);
  };
  program.commands.forEach(addExamples);
  return program;
}

/** Runs the command line on `argv` (without node and the script) and resolves to the exit code. */
export async function run(argv: readonly string[], environment: NodeJS.ProcessEnv = process.env): Promise<number> {
  const program = buildProgram(environment);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT_CODES.ok;
  } catch (error) {
    const json = argv.includes("--json");
    const output = new Output({ json, quiet: false });
    if (error instanceof CommanderError) {
      // Help and the version are printed by commander itself and end the command successfully.
      if (error.exitCode === 0) return EXIT_CODES.ok;
      if (error.code === "commander.help" || error.code === "commander.executeSubCommandAsync") {
        return EXIT_CODES.usage;
      }
      const message = error.message.replace(/^error: /, "");
      output.failure(`${message} (see taskmarket --help)`, { kind: "usage", message });
      return EXIT_CODES.usage;
    }
    const failure = describeFailure(error);
    output.failure(failure.line, failure.json);
    return failure.exitCode;
  }
}
