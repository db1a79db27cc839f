#!/usr/bin/env node
// `taskmarket`: see `taskmarket --help` and docs/cli.md. Runs on Node >= 22.18, which strips the types of this file.
import { enableCompileCache } from "node:module";

// Every command loads viem, the SDK and the protocol's ABIs; Node's on-disk compile cache (in the system's temporary
// directory) spares recompiling them on each run.
enableCompileCache();
const { run } = await import("./program.ts");

const exitCode = await run(process.argv.slice(2));
process.exitCode = exitCode;
// An idle keep-alive connection to the API or the RPC endpoint must not hold the process open once the command is
// done; the timer does not keep the process alive by itself.
setTimeout(() => process.exit(exitCode), 2000).unref();
