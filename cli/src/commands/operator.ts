// What operators need: whether the API, its indexer and the chain answer, where the contracts are, how tasks can be
// verified, and the attestation module's verifier sets (create one, add verifiers, bond). API keys are the API's own
// command line's (`npm run api -- keys …`).
import type { Command } from "commander";
import { formatEther } from "viem";

import { parseAddress } from "../context.ts";
import { parseAmount, parseInteger } from "../inputs.ts";
import { fields, table } from "../output.ts";
import type { Register } from "../program.ts";
import { sendDirect, transactionLines } from "../writes.ts";

export function registerOperatorCommands(program: Command, register: Register): void {
  register(
    program
      .command("status")
      .summary("check the configuration: the API and its indexer, the chain, the signer, the contracts")
      .description(
        "Checks what the command line is configured to talk to: the API's readiness (GET /ready: its database, the " +
          "chain and the indexer), the chain's id and head, the signer's address and balance (never its key), and the " +
          "protocol's contract addresses.",
      ),
    async (context) => {
      const report: Record<string, unknown> = { mode: context.throughApi ? "api" : "direct" };
      const rows: [string, unknown][] = [["Writes", context.throughApi ? "through the API" : "directly to the chain"]];
      if (context.apiUrl !== undefined) {
        const response = await fetch(
          new URL("ready", context.apiUrl.endsWith("/") ? context.apiUrl : `${context.apiUrl}/`),
        );
        const readiness = (await response.json()) as {
          ready: boolean;
          checks: Record<string, { ok: boolean; detail: string }>;
        };
        report.api = { url: context.apiUrl, ...readiness };
        rows.push(["API", `${context.apiUrl} (${readiness.ready ? "ready" : "NOT READY"})`]);
        for (const [name, check] of Object.entries(readiness.checks)) {
          rows.push([`  ${name}`, `${check.ok ? "ok" : "FAILING"}: ${check.detail}`]);
        }
      }
      const [chainId, head] = await Promise.all([
        context.publicClient.getChainId(),
        context.publicClient.getBlockNumber(),
      ]);
      report.chain = { rpcUrl: context.rpcUrl, chainId, blockNumber: head };
      rows.push(["Chain", `${context.rpcUrl} (chain ${chainId}, block ${head})`]);
      if (context.hasSigner) {
        const address = context.account.address;
        const balance = await context.publicClient.getBalance({ address });
        report.signer = { address, balance };
        rows.push(["Signer", `${address} (${formatEther(balance)} ETH)`]);
      } else {
        rows.push(["Signer", "none (TASKMARKET_PRIVATE_KEY is not set): read-only"]);
      }
      const market = await context.market();
      report.contracts = market.addresses;
      report.deployment = context.deployment === undefined ? "from the API" : context.deployment.network;
      rows.push([
        "Contracts",
        context.deployment === undefined ? "found through the API" : `deployment ${context.deployment.network}`,
      ]);
      for (const [key, address] of Object.entries(market.addresses)) rows.push([`  ${key}`, address]);
      return { json: report, text: fields(rows) };
    },
  );

  register(
    program
      .command("methods")
      .summary("list the verification methods and what the API's verification service checks and signs")
      .description(
        "The protocol's verification methods with their modules, and the service's checks (GET /verify/methods).",
      ),
    async (context) => {
      const methods = await context.api("Listing the verification methods").verificationMethods();
      return {
        json: methods,
        text: [
          ...fields([
            ["Service signer", methods.service.signer ?? "none (checks only)"],
            ["Method id", methods.service.methodId],
          ]),
          "",
          ...table(
            ["METHOD", "MODULE", "DESCRIPTION"],
            methods.methods.map((method) => [method.id, method.module, method.description]),
          ),
          "",
          ...table(
            ["CHECK", "DESCRIPTION"],
            methods.checks.map((check) => [check.id, check.description]),
          ),
        ],
      };
    },
  );

  const verifiers = program
    .command("verifiers")
    .summary("manage the attestation module's verifier sets (create, add, bond)")
    .description(
      "Verifier sets of the attestation module: a task verified by attestation names a set, a quorum and a minimum " +
        "bond, and only the set's active, bonded verifiers' signatures count. The set's admin adds verifiers; each " +
        "verifier bonds ETH from its own account. Sent directly to the chain with the signer's key.",
    );

  register(
    verifiers
      .command("create")
      .summary("create a verifier set administered by the signer (or --admin)")
      .option("--admin <address>", "the set's admin (default: the signer)"),
    async (context, options) => {
      const admin = options.admin === undefined ? context.account.address : parseAddress(options.admin, "admin");
      const { outcome, result } = await sendDirect(context, "create a verifier set", async () =>
        (await context.market()).createVerifierSet(admin),
      );
      const { setId } = result;
      return {
        json: { setId, admin, ...outcome },
        text: [`Created verifier set ${setId} (admin ${admin})`, ...transactionLines(outcome)],
      };
    },
  );

  register(
    verifiers
      .command("add")
      .summary("add a verifier to a set (the set's admin)")
      .argument("<setId>", "the verifier set")
      .argument("<verifier>", "the verifier's address"),
    async (context, setIdText: string, verifierText: string) => {
      const setId = BigInt(parseInteger(setIdText, "The set id", { min: 1 }));
      const verifier = parseAddress(verifierText, "verifier");
      const { outcome } = await sendDirect(context, `add ${verifier} to verifier set ${setId}`, async () =>
        (await context.market()).addVerifier(setId, verifier),
      );
      return {
        json: { setId, verifier, ...outcome },
        text: [`Added ${verifier} to verifier set ${setId}`, ...transactionLines(outcome)],
      };
    },
  );

  register(
    verifiers
      .command("bond")
      .summary("bond ETH as a verifier of a set (from the signer's account)")
      .argument("<setId>", "the verifier set")
      .requiredOption("--amount <wei>", "the bond, in wei"),
    async (context, setIdText: string, options) => {
      const setId = BigInt(parseInteger(setIdText, "The set id", { min: 1 }));
      const amount = parseAmount(options.amount, "--amount");
      const { outcome } = await sendDirect(
        context,
        `bond ${formatEther(amount)} ETH in verifier set ${setId}`,
        async () => (await context.market()).bondVerifier(setId, amount),
      );
      return {
        json: { setId, verifier: context.account.address, amount, ...outcome },
        text: [`Bonded ${formatEther(amount)} ETH in verifier set ${setId}`, ...transactionLines(outcome)],
      };
    },
  );
}
