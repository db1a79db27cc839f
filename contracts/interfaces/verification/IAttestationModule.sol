// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { IArbitrator } from "../arbitration/IArbitrator.sol";
import { TaskTerms } from "../../types/TaskTypes.sol";
import { IDisputableModule } from "./IDisputableModule.sol";

/// @title IAttestationModule
/// @notice Multi-party verification: M of the verifiers of an on-chain verifier set sign EIP-712 attestations of a
/// submission, and anyone submits the signatures to settle it.
/// @dev Verifier sets: an admin adds, rotates and revokes verifiers; each verifier posts its own bond, and signs only
/// while it is in the set with at least the bond the task's configuration requires. Leaving the set (revoked, rotated
/// out, or unbonding) starts `UNBONDING_PERIOD`, after which the bond can be withdrawn: long enough for any contest of
/// its attestations to end, so an overturned attestation can always be slashed.
///
/// Attestations bind the chain and this contract (EIP-712 domain), the task, the milestone, the submission's result
/// hash and its review deadline, so a signature is good for one submission round only: once the verdict is applied
/// the round is over and the signature cannot be used again, on this or any other task, chain or contract.
/// Signatures must be low-s ECDSA from distinct signers in ascending order, or ERC-1271 for smart-account verifiers.
///
/// Verdicts: with `scored`, the executor's share is the median (the lower middle) of the signers' scores. With
/// `contestWindow` zero the verdict takes effect at once; otherwise it is held for the window and the side it goes
/// against may dispute it, and if the arbitrator overturns it, each signer loses `slashBps` of its bond to the side
/// that disputed.
interface IAttestationModule is IDisputableModule {
    /// @notice A task's attestation configuration; `TaskTerms.verifierConfigHash` commits to it.
    struct AttestationConfig {
        uint64 verifierSetId;
        uint8 quorum;
        bool scored;
        /// @dev The verification method every attestation must name (e.g. keccak256 of "test-suite/v1"); zero for any.
        bytes32 methodId;
        /// @dev The least bond a signer must have posted in the set: the stake the poster wants behind a verdict.
        uint128 minBond;
        IArbitrator arbitrator;
        uint32 contestWindow;
        uint16 slashBps;
    }

    /// @notice What every attestation of a verdict shares.
    struct Verdict {
        bool approved;
        bytes32 methodId;
    }

    /// @notice One verifier's signed attestation; the task, milestone, submission and verdict come from the call.
    struct SignedAttestation {
        address signer;
        uint16 scoreBps;
        bytes32 evidenceHash;
        uint64 deadline;
        uint256 nonce;
        bytes signature;
    }

    /// @notice A verifier set.
    struct VerifierSet {
        address admin;
        uint32 memberCount;
    }

    /// @notice A verifier's standing in a set.
    struct Member {
        uint128 bond;
        bool active;
        /// @dev When the verifier left the set; its bond can be withdrawn `UNBONDING_PERIOD` later.
        uint40 leftAt;
    }

    event VerifierSetCreated(uint64 indexed setId, address indexed admin);
    event VerifierSetAdminTransferred(uint64 indexed setId, address indexed previousAdmin, address indexed newAdmin);
    event VerifierAdded(uint64 indexed setId, address indexed verifier);
    event VerifierRemoved(uint64 indexed setId, address indexed verifier, bool byAdmin);
    event VerifierBonded(uint64 indexed setId, address indexed verifier, uint256 amount, uint256 totalBond);
    event VerifierBondWithdrawn(uint64 indexed setId, address indexed verifier, uint256 amount);
    event VerifierSlashed(uint64 indexed setId, address indexed verifier, uint256 indexed taskId, uint256 amount);
    event AttestationConfigPublished(bytes32 indexed configHash, AttestationConfig config);

    /// @notice Emitted for each attestation of a verdict, which the market then applies (settling, rejecting, or
    /// holding the submission for contest, each with its own event).
    event AttestationAccepted(
        uint256 indexed taskId,
        address indexed signer,
        bool approved,
        uint16 scoreBps,
        bytes32 evidenceHash
    );

    /// @notice The EIP-712 type of an attestation.
    function ATTESTATION_TYPEHASH() external view returns (bytes32);

    /// @notice The most signatures a quorum may need.
    function MAX_QUORUM() external view returns (uint256);

    /// @notice How long a verifier's bond stays slashable after it leaves a set.
    function UNBONDING_PERIOD() external view returns (uint256);

    function verifierSetOf(uint64 setId) external view returns (VerifierSet memory);

    function memberOf(uint64 setId, address verifier) external view returns (Member memory);

    /// @notice Whether `verifier` may sign for the set now, for a task requiring `minBond`.
    function isActiveVerifier(uint64 setId, address verifier, uint128 minBond) external view returns (bool);

    /// @notice The hash a task's terms commit to for `config`.
    function configHash(AttestationConfig calldata config) external pure returns (bytes32);

    /// @notice The EIP-712 digest a verifier signs.
    function attestationDigest(
        uint256 taskId,
        uint8 milestone,
        bytes32 submissionHash,
        uint40 reviewDeadline,
        bool approved,
        uint16 scoreBps,
        bytes32 methodId,
        bytes32 evidenceHash,
        uint64 deadline,
        uint256 nonce
    ) external view returns (bytes32);

    function createVerifierSet(address admin) external returns (uint64 setId);

    function transferVerifierSetAdmin(uint64 setId, address newAdmin) external;

    function addVerifier(uint64 setId, address verifier) external;

    /// @notice Removes a verifier (revocation); its bond unbonds.
    function revokeVerifier(uint64 setId, address verifier) external;

    /// @notice Replaces `oldVerifier` with `newVerifier` in one step (a key rotation).
    function rotateVerifier(uint64 setId, address oldVerifier, address newVerifier) external;

    /// @notice Adds `msg.value` to the caller's bond in the set.
    function bond(uint64 setId) external payable;

    /// @notice Leaves the set: the caller stops being able to sign and its bond starts unbonding.
    function leave(uint64 setId) external;

    /// @notice Withdraws the caller's bond, `UNBONDING_PERIOD` after it left the set.
    function withdrawBond(uint64 setId) external;

    function publishConfig(AttestationConfig calldata config) external;

    /// @notice Applies a quorum's verdict on the submission under review. Anyone may call it.
    function submitVerdict(
        uint256 taskId,
        TaskTerms calldata terms,
        AttestationConfig calldata config,
        Verdict calldata verdict,
        SignedAttestation[] calldata attestations
    ) external;

    /// @notice Disputes a held verdict: the executor disputes a rejection or partial score, the poster an approval
    /// or partial score. `msg.value` is the arbitrator's cost; the other party must match it.
    function dispute(uint256 taskId, TaskTerms calldata terms, AttestationConfig calldata config) external payable;

    /// @notice Lets a held rejection take effect at once, so that the executor can resubmit. Executor only.
    function acceptRejection(uint256 taskId, TaskTerms calldata terms) external;
}
