// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Hashes } from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

import { IProofVerifier } from "../../../../contracts/interfaces/IProofVerifier.sol";
import { ProofConfig } from "../../../../contracts/interfaces/verification/IProofModule.sol";
import { ProofModule } from "../../../../contracts/verification/ProofModule.sol";
import { HashCommitmentVerifier } from "../../../../contracts/verification/proofs/HashCommitmentVerifier.sol";
import { MerkleInclusionVerifier } from "../../../../contracts/verification/proofs/MerkleInclusionVerifier.sol";
import { TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";
import { MalformedProofVerifier, RevertingProofVerifier } from "../../mocks/RevertingProofVerifier.sol";

/// @notice Deploys a `ProofModule` on top of the market of `Base_Test`, with the repository's two proof verifiers and
/// two broken ones, and offers helpers for tasks verified by proof.
abstract contract ProofModule_Test is Base_Test {
    /// @dev The deterministic result the poster of a hash-commitment task expects; its hash is the commitment.
    bytes internal constant ARTIFACT = "the deterministic build artifact, byte for byte";
    string internal constant PROOF_RESULT_URI = "ipfs://bafyproofresult";
    uint128 internal constant PROOF_FEE = 0.05 ether;

    ProofModule internal module;
    HashCommitmentVerifier internal hashVerifier;
    MerkleInclusionVerifier internal merkleVerifier;
    RevertingProofVerifier internal revertingVerifier;
    MalformedProofVerifier internal malformedVerifier;

    function setUp() public virtual override {
        super.setUp();
        module = new ProofModule(market);
        hashVerifier = new HashCommitmentVerifier();
        merkleVerifier = new MerkleInclusionVerifier();
        revertingVerifier = new RevertingProofVerifier();
        malformedVerifier = new MalformedProofVerifier();
        vm.label(address(module), "ProofModule");
        vm.label(address(hashVerifier), "HashCommitmentVerifier");
        vm.label(address(merkleVerifier), "MerkleInclusionVerifier");
        vm.label(address(revertingVerifier), "RevertingProofVerifier");
        vm.label(address(malformedVerifier), "MalformedProofVerifier");
    }

    /*//////////////////////////////////////////////////////////////
                            CONFIGURATIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev The result hash (and commitment) of `ARTIFACT`.
    function artifactHash() internal pure returns (bytes32) {
        return keccak256(ARTIFACT);
    }

    /// @dev A hash-commitment configuration expecting `ARTIFACT`.
    function hashConfig() internal view returns (ProofConfig memory) {
        return ProofConfig({ proofVerifier: hashVerifier, commitment: artifactHash() });
    }

    function proofConfig(IProofVerifier proofVerifier, bytes32 commitment) internal pure returns (ProofConfig memory) {
        return ProofConfig({ proofVerifier: proofVerifier, commitment: commitment });
    }

    function proofConfigHash(ProofConfig memory config) internal pure returns (bytes32) {
        return keccak256(abi.encode(config));
    }

    /// @dev Default terms of `rewardToken` verified by the module under `config`.
    function proofTerms(address rewardToken, ProofConfig memory config) internal view returns (TaskTerms memory terms) {
        terms = defaultTerms(rewardToken);
        terms.verifier = address(module);
        terms.verifierConfigHash = proofConfigHash(config);
    }

    /*//////////////////////////////////////////////////////////////
                               LIFECYCLE
    //////////////////////////////////////////////////////////////*/

    /// @dev Creates `terms` as the poster, sending the reward and the verifier fee for an ETH task.
    function createProofTask(TaskTerms memory terms) internal returns (uint256 taskId) {
        uint256 value = terms.token == address(0) ? uint256(terms.reward) + terms.verifierFee : 0;
        vm.prank(terms.poster);
        taskId = market.createTask{ value: value }(terms, noCapabilities(), DOCUMENT_URI);
    }

    /// @dev Creates `terms` and lets `human` claim the task.
    function claimedProofTask(TaskTerms memory terms) internal returns (uint256 taskId) {
        taskId = createProofTask(terms);
        claimTask(taskId, terms, human);
    }

    function submitWithProofAs(
        address caller,
        uint256 taskId,
        TaskTerms memory terms,
        ProofConfig memory config,
        bytes32 resultHash,
        bytes memory proof
    ) internal {
        vm.prank(caller);
        module.submitWithProof(taskId, terms, config, resultHash, PROOF_RESULT_URI, proof);
    }

    /// @dev `human` submits `ARTIFACT` as the proof of its hash.
    function proveArtifact(uint256 taskId, TaskTerms memory terms, ProofConfig memory config) internal {
        submitWithProofAs(human, taskId, terms, config, artifactHash(), ARTIFACT);
    }

    function rejectUnprovenAs(
        address caller,
        uint256 taskId,
        TaskTerms memory terms,
        ProofConfig memory config
    ) internal {
        vm.prank(caller);
        module.rejectUnproven(taskId, terms, config);
    }

    /*//////////////////////////////////////////////////////////////
                             MERKLE PROOFS
    //////////////////////////////////////////////////////////////*/

    /// @dev A leaf of the OpenZeppelin `StandardMerkleTree` for a single `string` value: double-hashed.
    function stringLeaf(string memory value) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(value))));
    }

    /// @dev The commitment to required leaves: the hash of their ascending list (`leaves` is sorted in place).
    function sortedCommitment(bytes32[] memory leaves) internal pure returns (bytes32) {
        for (uint256 i = 1; i < leaves.length; ++i) {
            bytes32 leaf = leaves[i];
            uint256 j = i;
            while (j > 0 && leaves[j - 1] > leaf) {
                leaves[j] = leaves[j - 1];
                --j;
            }
            leaves[j] = leaf;
        }
        return keccak256(abi.encode(leaves));
    }

    /// @dev The root of the two-leaf tree `{required, extra}` and the proof of `required` in it: a single-leaf
    /// multiproof, `abi.encode(leaves, proof, proofFlags)`.
    function pairProof(bytes32 required, bytes32 extra) internal pure returns (bytes32 root, bytes memory proof) {
        root = Hashes.commutativeKeccak256(required, extra);
        bytes32[] memory leaves = new bytes32[](1);
        leaves[0] = required;
        bytes32[] memory siblings = new bytes32[](1);
        siblings[0] = extra;
        bool[] memory flags = new bool[](1);
        proof = abi.encode(leaves, siblings, flags);
    }

    /// @dev A Merkle configuration requiring the single leaf `required`.
    function merkleConfig(bytes32 required) internal view returns (ProofConfig memory) {
        bytes32[] memory leaves = new bytes32[](1);
        leaves[0] = required;
        return proofConfig(merkleVerifier, sortedCommitment(leaves));
    }
}
