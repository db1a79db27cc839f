import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import type { IgnitionModuleBuilder } from "@nomicfoundation/ignition-core";

/** ERC-1497 meta-evidence for a disputable module's disputes, as a self-contained `data:` URI. */
function localMetaEvidence(moduleName: string, decision: string): string {
  // Ruling r from 1 to 11 gives the executor (r - 1) × 10 % of the contested amount; 0 is a refusal to arbitrate.
  const shares = Array.from({ length: 11 }, (_, index) => index * 10);
  const document = {
    category: "TaskMarket work dispute",
    title: `TaskMarket ${moduleName} dispute`,
    description:
      `A party contests ${decision} on a task of the TaskMarket protocol. The task's terms, the submitted result and ` +
      "the evidence of both parties are in the evidence group numbered after the task id.",
    question: "Which share of the contested amount does the executor's submission earn?",
    rulingOptions: {
      type: "single-select",
      titles: shares.map((share) => `Executor gets ${share} %`),
      descriptions: shares.map(
        (share) => `The executor is paid ${share} % of the contested amount; the poster is refunded the rest.`,
      ),
    },
  };
  return `data:application/json,${encodeURIComponent(JSON.stringify(document))}`;
}

/**
 * Deploys the whole protocol: the executor registry, the task market (whose constructor deploys its extension), the
 * verification modules (review, attestation, optimistic, proof), the panel arbitrator, the assignment modules (gated
 * claim, application board, reverse auction) and the proof verifiers (hash commitment, Merkle inclusion).
 *
 * Nothing is configured after deployment: every contract is ready to use as deployed, except the arbitrator, which
 * has no arbiters until its owner adds them (`addArbiter`). On the local chain, `LocalArbitrationPanel` seats a panel.
 *
 * Parameters (module id `Protocol`):
 * - `owner`: owns the market (fee, fee recipient, pause) and the arbitrator (arbiters, fee, voting period).
 *   Default: account 0.
 * - `feeBps`: the protocol fee in basis points, snapshotted into every task created while it is set. At most 500 (the
 *   market's hard cap). Default: 100 (1 %).
 * - `feeRecipient`: where protocol fees and the treasury share of dispute bonds are paid. Default: account 1.
 * - `reviewMetaEvidenceURI`, `attestationMetaEvidenceURI`, `optimisticMetaEvidenceURI`: the ERC-1497 meta-evidence
 *   each disputable module emits once at deployment, describing its disputes to arbitrators. Default: a `data:` URI
 *   holding a generic description; on a public network pass URIs of published documents.
 * - `arbitrationFee`: the panel arbitrator's fee per dispute, in wei. Default: 0.01 ETH.
 * - `votingPeriod`: how long the panel votes on a dispute, in seconds, from 1 hour to 90 days. Default: 1 day.
 *
 * The defaults suit the local chain, where every account is a funded dev account. A public network is deployed to with
 * `npm run deploy` (scripts/deploy.ts), which takes `PublicNetworkProtocolModule` below and the network's parameters
 * file, ignition/parameters/<network>.json (see docs/deployment.md).
 */
export default buildModule("Protocol", (m) => protocolContracts(m, { accountDefaults: true }));

/**
 * The same protocol for a public network (scripts/deploy.ts): `owner` and `feeRecipient` have no default and must be
 * given. Ignition checks a default account exists even when the parameter is set, and a public network's deploying
 * key is a single account, so the local defaults (accounts 0 and 1) cannot even be declared there. The module id is
 * the same, so that one parameters file (`Protocol`) serves both.
 */
export const PublicNetworkProtocolModule = buildModule("Protocol", (m) =>
  protocolContracts(m, { accountDefaults: false }),
);

function protocolContracts(m: IgnitionModuleBuilder, { accountDefaults }: { accountDefaults: boolean }) {
  const owner = accountDefaults ? m.getParameter("owner", m.getAccount(0)) : m.getParameter<string>("owner");
  const feeBps = m.getParameter("feeBps", 100);
  const feeRecipient = accountDefaults
    ? m.getParameter("feeRecipient", m.getAccount(1))
    : m.getParameter<string>("feeRecipient");
  const reviewMetaEvidenceURI = m.getParameter(
    "reviewMetaEvidenceURI",
    localMetaEvidence("ReviewModule", "a reviewer's rejection or partial acceptance of a submission"),
  );
  const attestationMetaEvidenceURI = m.getParameter(
    "attestationMetaEvidenceURI",
    localMetaEvidence("AttestationModule", "the verdict an attestation quorum gave on a submission"),
  );
  const optimisticMetaEvidenceURI = m.getParameter(
    "optimisticMetaEvidenceURI",
    localMetaEvidence("OptimisticModule", "a submission that was accepted unless challenged"),
  );
  const arbitrationFee = m.getParameter("arbitrationFee", 10n ** 16n);
  const votingPeriod = m.getParameter("votingPeriod", 24 * 60 * 60);

  const executorRegistry = m.contract("ExecutorRegistry");
  const taskMarket = m.contract("TaskMarket", [owner, executorRegistry, feeBps, feeRecipient]);

  const reviewModule = m.contract("ReviewModule", [taskMarket, reviewMetaEvidenceURI]);
  const attestationModule = m.contract("AttestationModule", [taskMarket, attestationMetaEvidenceURI]);
  const optimisticModule = m.contract("OptimisticModule", [taskMarket, optimisticMetaEvidenceURI]);
  const proofModule = m.contract("ProofModule", [taskMarket]);
  const panelArbitrator = m.contract("PanelArbitrator", [owner, arbitrationFee, votingPeriod]);

  const gatedClaim = m.contract("GatedClaim", [taskMarket]);
  const applicationBoard = m.contract("ApplicationBoard", [taskMarket]);
  const reverseAuction = m.contract("ReverseAuction", [taskMarket]);

  const hashCommitmentVerifier = m.contract("HashCommitmentVerifier");
  const merkleInclusionVerifier = m.contract("MerkleInclusionVerifier");

  return {
    executorRegistry,
    taskMarket,
    reviewModule,
    attestationModule,
    optimisticModule,
    proofModule,
    panelArbitrator,
    gatedClaim,
    applicationBoard,
    reverseAuction,
    hashCommitmentVerifier,
    merkleInclusionVerifier,
  };
}
