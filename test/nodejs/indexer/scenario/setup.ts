/**
 * What the scenario needs before its first task: the contract accounts that refuse payments (so that the market and
 * the modules must credit them), a second ERC-20 whose holders can be blocked, tokens for every party, the executors
 * registered with their kinds, capabilities and operators, and a bonded verifier set.
 *
 * The balance ledger starts after the deployments and mints and before the first protocol transaction: what the
 * indexer must account for is what the protocol moved, not how the parties were funded.
 */
import { getAddress, zeroAddress } from "viem";

import { ExecutorKind, sortCapabilities } from "../../helpers/protocol.js";
import { CAPABILITIES, CAPABILITY_REVIEW, OPERATORS, TOKEN_MINT, type Scenario } from "./scenario.js";

/** What each attestation verifier bonds: uneven, so that a slash of it rounds. */
export const VERIFIER_BOND = 1_000_000_000_000_000_009n;

/**
 * Deploys the scenario's own contracts and funds the parties. Returns nothing: the contracts are on `scenario`.
 * Everything here happens before the ledger's start block.
 */
export async function prepareAccounts(scenario: Scenario): Promise<void> {
  const { chain, cast, c } = scenario;
  const { viem } = chain.connection;
  const deployer = { client: { wallet: cast.cora.wallet } };

  const blockable = await viem.deployContract("BlockableToken", [18], deployer);
  scenario.blockable = await viem.getContractAt("BlockableToken", getAddress(blockable.address));
  scenario.tokens.push(c.devToken.address, scenario.blockable.address);
  chain.addEventSource(scenario.blockable);

  const rejecting = await viem.deployContract(
    "RejectingExecutor",
    [c.executorRegistry.address, c.taskMarket.address],
    deployer,
  );
  scenario.rejecting = await viem.getContractAt("RejectingExecutor", getAddress(rejecting.address), deployer);
  scenario.note(scenario.rejecting.address, "rejecting executor");

  const refusing = await viem.deployContract("EthRefusingAccount", [], deployer);
  scenario.refusing = await viem.getContractAt("EthRefusingAccount", getAddress(refusing.address), deployer);
  scenario.note(scenario.refusing.address, "refusing poster");

  const holders = [cast.alice, cast.bob, cast.carol, cast.hana, cast.hugo, cast.ada, cast.bert, cast.cyd, cast.wally];
  for (const holder of holders) {
    await scenario.send(
      cast.cora,
      c.devToken.write.mint([holder.address, TOKEN_MINT], { account: cast.cora.wallet.account }),
    );
    await scenario.send(
      cast.cora,
      scenario.blockable.write.mint([holder.address, TOKEN_MINT], { account: cast.cora.wallet.account }),
    );
  }
}

/** Registers the executors and sets up the attestation verifier set. These are the first protocol transactions. */
export async function registerParticipants(scenario: Scenario): Promise<void> {
  const { cast, c } = scenario;
  const registry = c.executorRegistry;

  await scenario.register(cast.hana, ExecutorKind.Human, zeroAddress, CAPABILITIES, "ipfs://bafyprofile/hana");
  await scenario.register(
    cast.hugo,
    ExecutorKind.Human,
    OPERATORS.hugo,
    sortCapabilities([...CAPABILITIES, CAPABILITY_REVIEW]),
    "ipfs://bafyprofile/hugo",
  );
  await scenario.register(cast.ada, ExecutorKind.Agent, OPERATORS.ada, CAPABILITIES, "ipfs://bafyprofile/ada");
  await scenario.register(cast.bert, ExecutorKind.Agent, OPERATORS.bert, CAPABILITIES, "ipfs://bafyprofile/bert");
  // An executor's capabilities may be listed in any order; only a task's must be sorted.
  await scenario.register(
    cast.cyd,
    ExecutorKind.Agent,
    OPERATORS.cyd,
    [...CAPABILITIES].reverse(),
    "ipfs://bafyprofile/cyd",
  );

  // The contract executor registers through its controller.
  const rejecting = scenario.rejecting;
  await scenario.send(
    cast.cora,
    rejecting.write.register([ExecutorKind.Human, zeroAddress, CAPABILITIES, "ipfs://bafyprofile/contract"], {
      account: cast.cora.wallet.account,
    }),
    [
      scenario.ev(registry, "ExecutorRegistered", {
        executor: rejecting.address,
        kind: ExecutorKind.Human,
        operator: zeroAddress,
      }),
    ],
  );

  // A human steps away and comes back: inactive executors cannot claim, and the registry records both changes.
  for (const active of [false, true]) {
    await scenario.send(cast.hugo, registry.write.setActive([active], { account: cast.hugo.wallet.account }), [
      scenario.ev(registry, "ExecutorActivationChanged", { executor: cast.hugo.address, active }),
    ]);
  }

  // The verifier set: administered by cora, three bonded members.
  const attestation = c.attestationModule;
  const created = await scenario.send(
    cast.cora,
    attestation.write.createVerifierSet([cast.cora.address], { account: cast.cora.wallet.account }),
    [scenario.ev(attestation, "VerifierSetCreated", { admin: cast.cora.address })],
  );
  const setId = (scenario.chain.decode(created.receipt)[0]!.args as { setId: bigint }).setId;
  scenario.verifierSetIds.push(setId);
  for (const verifier of [cast.vera, cast.vince, cast.viola]) {
    await scenario.send(
      cast.cora,
      attestation.write.addVerifier([setId, verifier.address], { account: cast.cora.wallet.account }),
      [scenario.ev(attestation, "VerifierAdded", { setId, verifier: verifier.address })],
    );
    await scenario.send(
      verifier,
      attestation.write.bond([setId], { account: verifier.wallet.account, value: VERIFIER_BOND }),
      [
        scenario.ev(attestation, "VerifierBonded", {
          setId,
          verifier: verifier.address,
          amount: VERIFIER_BOND,
          totalBond: VERIFIER_BOND,
        }),
      ],
    );
  }
}
