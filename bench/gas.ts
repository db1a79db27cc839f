/**
 * `npm run bench:gas`: measures every lifecycle operation in steady state (see gas-scenarios.ts for the inputs of
 * each figure), writes bench/results/gas.json and prints the figures beside the targets and the committed snapshot.
 * It never fails on a figure: the snapshot test (test/nodejs/gas.test.ts) does.
 */
import { mkdir, writeFile } from "node:fs/promises";

import { network } from "hardhat";

import { formatFigures, formatGasTable, readSnapshot } from "./gas-report.js";
import { measureGas } from "./gas-scenarios.js";

const connection = await network.create();
try {
  const figures = await measureGas(connection);

  const resultsDirectory = new URL("./results/", import.meta.url);
  await mkdir(resultsDirectory, { recursive: true });
  const resultsFile = new URL("gas.json", resultsDirectory);
  await writeFile(resultsFile, formatFigures(figures));

  const hardfork = "hardfork" in connection.networkConfig ? ` (${connection.networkConfig.hardfork})` : "";
  console.log(`Gas used per operation, steady state, network "${connection.networkName}"${hardfork}:\n`);
  console.log(formatGasTable(figures, await readSnapshot()));
  console.log(`\nWritten to ${resultsFile.pathname}`);
} finally {
  await connection.close();
}
