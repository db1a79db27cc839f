/**
 * The indexer's reconciliation test: a scripted scenario drives every lifecycle path of the protocol on a real local
 * chain (each step checking the events it emitted), then the embedded graph node indexes the chain with the built
 * subgraph, and every task, account and payment it reports is compared with the state read from the chain through the
 * contracts' views and balances. A mismatch names the entity, the field, the chain's value and the indexed value.
 *
 * Needs the contracts compiled (the test runner builds them) and the subgraph built: `npm run indexer:build`.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";

import hre, { network } from "hardhat";

import { startGraphNode } from "../../../indexer/node/index.ts";
import { deployProtocol } from "../../../scripts/deploy-protocol.js";
import { startLocalChain } from "../../../scripts/local-chain.js";
import { Discrepancies } from "./scenario/discrepancies.js";
import { runScenario } from "./scenario/index.js";
import { reconcile } from "./scenario/reconcile.js";
import { TREASURY } from "./scenario/scenario.js";
import { SubgraphClient } from "./scenario/subgraph-client.js";
import { TamperedSubgraph } from "./scenario/tampering.js";
import { ARBITRATION_FEE } from "./scenario/verification.js";

const DAY = 24 * 3600;
const MANIFEST = join(hre.config.paths.root, "indexer", "build", "subgraph.yaml");
/** Generous: indexing the scenario takes 30 to 60 s on a busy machine. */
const INDEXING_TIMEOUT_MS = 240_000;

function stopwatch() {
  const started = performance.now();
  return () => `${Math.round(performance.now() - started)} ms`;
}

describe("Indexer reconciliation", () => {
  it("indexes a scenario of every lifecycle path, and every task, account and payment equals the chain", async () => {
    if (!existsSync(MANIFEST)) {
      throw new Error(`No built subgraph at ${MANIFEST}: run \`npm run indexer:build\` first.`);
    }
    let elapsed = stopwatch();
    const chain = await startLocalChain();
    console.log(`local chain: ${elapsed()}`);
    try {
      elapsed = stopwatch();
      const deployment = await deployProtocol(chain.rpcUrl, {
        parameters: { feeBps: 250, feeRecipient: TREASURY, arbitrationFee: ARBITRATION_FEE, votingPeriod: 2 * DAY },
      });
      console.log(`deployment: ${elapsed()}`);

      const connection = await network.create({ network: "localhost", override: { url: chain.rpcUrl } });
      try {
        elapsed = stopwatch();
        const result = await runScenario(connection, deployment, (entry) =>
          console.log(`scenario ${entry.phase}: ${entry.tasks} tasks in ${entry.milliseconds} ms`),
        );
        console.log(
          `scenario: ${result.tasks.length} tasks, ${result.accounts.size} accounts, ` +
            `blocks ${result.startBlock}..${result.endBlock}, ${elapsed()}`,
        );

        elapsed = stopwatch();
        const problems: string[] = [];
        const graphNode = await startGraphNode({
          manifest: MANIFEST,
          deployment,
          rpcUrl: chain.rpcUrl,
          port: 0,
          logger: (level, message) => {
            if (level !== "info") problems.push(`${level}: ${message}`);
          },
        });
        try {
          await graphNode.waitForBlock(Number(result.endBlock), INDEXING_TIMEOUT_MS);
          const status = graphNode.status();
          assert.equal(
            status.failed,
            false,
            `the graph node failed: ${JSON.stringify(status.failure)}\n${problems.join("\n")}`,
          );
          console.log(`indexing to block ${result.endBlock}: ${elapsed()}`);
          // The mappings log a warning when an event contradicts what they indexed before: none may appear.
          assert.deepEqual(problems, [], "warnings and errors logged while indexing");

          elapsed = stopwatch();
          const report = new Discrepancies();
          const summary = await reconcile(
            result,
            new SubgraphClient(graphNode.graphqlUrl, Number(result.endBlock)),
            report,
          );
          console.log(
            `reconciliation: ${summary.tasks} tasks, ${summary.accounts} accounts, ${summary.payments} payments, ` +
              `${summary.transactions} transactions, ${summary.comparisons} values compared, ${elapsed()}`,
          );
          assert.equal(report.mismatches.length, 0, report.format());

          // The same reconciliation, against the indexed rows with deliberate errors in them, must report every one.
          elapsed = stopwatch();
          const tampered = new TamperedSubgraph(graphNode.graphqlUrl, Number(result.endBlock));
          const tamperedReport = new Discrepancies();
          await reconcile(result, tampered, tamperedReport);
          assert.deepEqual(
            tampered.uncaught(tamperedReport.mismatches),
            [],
            "errors the reconciliation did not report",
          );
          console.log(
            `tampered reconciliation: ${tampered.applied.size} errors planted, ` +
              `${tamperedReport.mismatches.length} mismatches reported, ${elapsed()}`,
          );
        } finally {
          await graphNode.stop();
        }
      } finally {
        await connection.close();
      }
    } finally {
      await chain.stop();
    }
  });
});
