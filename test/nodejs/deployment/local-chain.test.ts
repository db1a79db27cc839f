// The local chain process: it answers JSON-RPC on 127.0.0.1, its PID is the node's own, it stops cleanly, it reports a
// taken port, and it never outlives the process that started it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

import { LocalChainExitedError, startLocalChain, type LocalChain } from "../../../scripts/local-chain.js";

const LOCAL_CHAIN_MODULE = fileURLToPath(new URL("../../../scripts/local-chain.ts", import.meta.url));

async function chainIdAt(rpcUrl: string): Promise<string> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    signal: AbortSignal.timeout(2_000),
  });
  return ((await response.json()) as { result: string }).result;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid)) return true;
    await sleep(100);
  }
  return !isRunning(pid);
}

describe("startLocalChain", () => {
  const started: LocalChain[] = [];
  after(async () => {
    // Whatever a failed assertion left running.
    await Promise.all(started.map((chain) => chain.stop()));
  });

  it("answers JSON-RPC on 127.0.0.1 and stops by its PID", async () => {
    const chain = await startLocalChain();
    started.push(chain);
    assert.equal(chain.rpcUrl, `http://127.0.0.1:${chain.port}`);
    assert.equal(chain.chainId, 31337);
    assert.equal(await chainIdAt(chain.rpcUrl), "0x7a69");
    assert.ok(isRunning(chain.pid));
    assert.equal(chain.hasExited, false);
    assert.ok(existsSync(chain.logPath));

    await chain.stop();
    assert.equal(chain.hasExited, true);
    assert.equal(isRunning(chain.pid), false);
    assert.deepEqual(await chain.exited, { code: null, signal: "SIGTERM" });
    await assert.rejects(chainIdAt(chain.rpcUrl));
    assert.equal(existsSync(chain.logPath), false, "the log is removed on stop");
    await chain.stop(); // A second stop is harmless.
  });

  it("is the node process itself: killing its PID ends the chain", async () => {
    const chain = await startLocalChain({ keepLog: true });
    started.push(chain);
    process.kill(chain.pid, "SIGKILL");
    assert.deepEqual(await chain.exited, { code: null, signal: "SIGKILL" });
    await assert.rejects(chainIdAt(chain.rpcUrl));
    await chain.stop();
    assert.ok(existsSync(chain.logPath), "keepLog keeps the log");
    chain.removeLog();
    assert.equal(existsSync(chain.logPath), false);
  });

  it("reports a pinned port that is already taken", async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    try {
      const error = await startLocalChain({ port }).then(
        () => assert.fail("the chain started on a taken port"),
        (error: unknown) => error,
      );
      assert.ok(error instanceof LocalChainExitedError, String(error));
      assert.equal(error.port, port);
      assert.equal(error.portWasTaken, true);
      assert.match(error.message, new RegExp(`could not listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
      // The log that explains the failure is kept.
      assert.ok(existsSync(error.logPath));
      rmSync(error.logPath, { force: true });
    } finally {
      server.close();
    }
  });

  it("rejects a port that is not a port", async () => {
    await assert.rejects(startLocalChain({ port: 70_000 }), /must be an integer from 1 to 65535, got 70000/);
    await assert.rejects(startLocalChain({ port: 1.5 }), /must be an integer from 1 to 65535/);
  });

  it("exits when the process that started it is killed", async () => {
    // Started by a plain Node process (type stripping, no Hardhat runtime), which is then killed with SIGKILL: no
    // exit handler of its runs, only the chain's watchdog can notice.
    const directory = mkdtempSync(join(tmpdir(), "taskmarket-parent-"));
    const script = join(directory, "parent.ts");
    writeFileSync(
      script,
      `import { startLocalChain } from ${JSON.stringify(pathToFileURL(LOCAL_CHAIN_MODULE).href)};\n` +
        "const chain = await startLocalChain();\n" +
        "process.stdout.write(JSON.stringify({ pid: chain.pid, rpcUrl: chain.rpcUrl, logPath: chain.logPath }) + '\\n');\n" +
        "setInterval(() => {}, 1 << 30);\n",
    );
    const parent = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let output = "";
        parent.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes("\n")) resolve(output.split("\n")[0]);
        });
        parent.once("exit", (code) => reject(new Error(`The parent exited (code ${code}) before the chain started.`)));
      });
      const { pid, rpcUrl, logPath } = JSON.parse(line) as { pid: number; rpcUrl: string; logPath: string };
      assert.equal(await chainIdAt(rpcUrl), "0x7a69");

      parent.kill("SIGKILL");
      assert.ok(await waitUntilGone(pid, 10_000), `the chain (pid ${pid}) outlived its parent`);
      await assert.rejects(chainIdAt(rpcUrl));
      rmSync(logPath, { force: true });
    } finally {
      parent.kill("SIGKILL");
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
