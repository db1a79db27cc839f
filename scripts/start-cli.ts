// `npm start [-- --demo]`: the command line of scripts/start.ts. `hardhat run` refuses arguments it does not know, so
// this takes the options, passes them on as environment variables, and runs `hardhat run --no-compile
// scripts/start.ts` as its child, on the same Node, with the terminal handed over.
//
// It stays out of the way of the shutdown: Ctrl-C reaches the whole foreground process group, and start.ts stops
// everything it started by its own PIDs. What is sent to this process alone (SIGTERM from a supervisor, a SIGHUP) is
// passed on; if this process loses its parent, it stops the child; and it exits with the child's code once the child
// has exited.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { dirname, join } from "node:path";

const USAGE = `Usage: npm start [-- --demo]

Starts a local chain, deploys TaskMarket, and runs the graph node and the API (scripts/start.ts).

Options:
  --demo   also seed a demo marketplace: posters, people and agents, tasks in every state, auctions, a dispute
           and a task graph
  --help   show this help

Environment: TASKMARKET_PORT, TASKMARKET_API_PORT and TASKMARKET_GRAPH_PORT pin the ports (free ports otherwise).`;

const environment: NodeJS.ProcessEnv = { ...process.env };
for (const argument of process.argv.slice(2)) {
  if (argument === "--demo") {
    environment.TASKMARKET_DEMO = "1";
  } else if (argument === "--help" || argument === "-h") {
    console.log(USAGE);
    process.exit(0);
  } else {
    console.error(`Unknown option "${argument}".\n\n${USAGE}`);
    process.exit(2);
  }
}

const require = createRequire(import.meta.url);
/** The V8 flag `npm run indexer` runs the graph node with: the marketplace runs the same node in its process. */
const GRAPH_NODE_YOUNG_GENERATION = "--max-semi-space-size=32";
const hardhatPackage = require.resolve("hardhat/package.json");
const { bin } = JSON.parse(readFileSync(hardhatPackage, "utf8")) as { bin: { hardhat: string } };
const repositoryRoot = join(import.meta.dirname, "..");

// The Hardhat CLI on this very Node (a `hardhat` found on PATH might run on another), with the graph node's young
// generation (see docs/graph-node.md).
const child = spawn(
  process.execPath,
  [GRAPH_NODE_YOUNG_GENERATION, join(dirname(hardhatPackage), bin.hardhat), "run", "--no-compile", "scripts/start.ts"],
  { cwd: repositoryRoot, env: environment, stdio: "inherit" },
);

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  // start.ts stops once whichever copy of the signal arrives first; a second copy changes nothing.
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

const parentPid = process.ppid;
const parentWatch = setInterval(() => {
  if (process.ppid !== parentPid && child.exitCode === null) child.kill("SIGTERM");
}, 500);
parentWatch.unref();

child.on("error", (error) => {
  console.error(`Could not run Hardhat: ${error.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  clearInterval(parentWatch);
  process.exit(code ?? 128 + (signal === null ? 0 : constants.signals[signal]));
});
