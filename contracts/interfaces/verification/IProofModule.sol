// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { IProofVerifier } from "../IProofVerifier.sol";
import { TaskTerms } from "../../types/TaskTypes.sol";

/// @notice A task's proof configuration; `TaskTerms.verifierConfigHash` commits to `keccak256(abi.encode(config))`.
struct ProofConfig {
    /// @dev The contract that checks proofs (a hash commitment, a Merkle inclusion, a zk-SNARK verifier, …).
    IProofVerifier proofVerifier;
    /// @dev What the poster committed to, passed to the verifier with every proof.
    bytes32 commitment;
}

/// @title IProofModule
/// @notice Verification by cryptographic proof: the executor submits its result through the module together with a
/// proof, the module checks it with the task's proof verifier against the poster's commitment, and a valid proof
/// settles the submission (or the current milestone) at once through the market's `submitVerified`. No one reviews,
/// no one can reject a proven result, and there is nothing to dispute.
/// @dev Rules:
/// - A poster picks this method by naming the module as the task's `verifier` and committing to a `ProofConfig` in
///   `verifierConfigHash`. The module stores no configuration: every call passes the terms (checked by the market)
///   and the configuration (checked here against the terms). {publishConfig} makes a configuration readable by
///   executors and indexers before they claim.
/// - The market still lets the executor {ITaskMarket-submit} a result without a proof, and a submission left
///   undecided past its review window is released in full. A proven result never waits for review, so any submission
///   under review is unproven: anyone may reject it with {rejectUnproven}, and the executor may then resubmit with a
///   proof until its execution deadline. The poster (or a watcher) must do so within the review window.
/// - The market pays the task's verifier fee to the module for its first decision. The module passes it on to the
///   account whose call made that decision, which did the verifier's work and paid its gas: the executor whose proof
///   was accepted, or whoever rejected an unproven submission. A failed payment is credited for {withdraw}.
/// - A proof verifier that reverts, runs out of gas or has no code counts as rejecting the proof.
interface IProofModule {
    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Emitted by {publishConfig}.
    event ProofConfigPublished(bytes32 indexed configHash, ProofConfig config);

    /// @notice Emitted when a proof is accepted and the result submitted and settled in the market.
    event ProofAccepted(uint256 indexed taskId, address indexed executor, bytes32 resultHash);

    /// @notice Emitted when the submission under review, `resultHash`, is rejected for want of a proof.
    event UnprovenSubmissionRejected(
        uint256 indexed taskId,
        address indexed executor,
        address indexed caller,
        bytes32 resultHash
    );

    /// @notice Emitted when the verifier fee the market paid the module is passed on to `to`.
    event VerifierFeeForwarded(uint256 indexed taskId, address indexed to, address indexed token, uint256 amount);

    /// @notice Emitted when a payment failed and the amount was credited for {withdraw} instead.
    event PaymentCredited(address indexed account, address indexed token, uint256 amount);

    /// @notice Emitted when an account withdraws its credited balance.
    event CreditWithdrawn(address indexed account, address indexed token, address to, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                             READ FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice The reason hash {rejectUnproven} gives the market: `keccak256("taskmarket.proof.unproven")`.
    function UNPROVEN_REASON() external view returns (bytes32);

    /// @notice The gas forwarded with a payment of ETH; a receiver needing more is credited instead.
    function ETH_PUSH_GAS() external view returns (uint256);

    /// @notice The hash a task's terms commit to for `config`: `keccak256(abi.encode(config))`.
    function configHash(ProofConfig calldata config) external pure returns (bytes32);

    /// @notice The balance `account` can withdraw in `token` (`address(0)` for ETH) after a failed payment.
    function creditOf(address account, address token) external view returns (uint256);

    /*//////////////////////////////////////////////////////////////
                            WRITE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Emits `config` so that executors and indexers can read what a task's hash commits to. Anyone may call
    /// it, at any time; it changes nothing.
    /// @dev Emits {ProofConfigPublished}.
    function publishConfig(ProofConfig calldata config) external;

    /// @notice Submits `resultHash` with a proof that it meets the poster's commitment: if the task's proof verifier
    /// accepts the proof, the market records the submission and settles it (the reward, or the current milestone's
    /// part of it) in the same transaction.
    /// @dev Emits {ProofAccepted}, then the market's {ITaskMarket-submitVerified} events, and {VerifierFeeForwarded}
    /// if the verifier fee is paid now.
    ///
    /// Requirements:
    /// - `msg.sender` must be the task's executor.
    /// - `terms` must name this module as the verifier and commit to `config`; the market checks them against the
    ///   task.
    /// - `config.proofVerifier.verifyProof(config.commitment, resultHash, proof)` must return true.
    /// - The task must be `Claimed` or `InProgress` within its execution deadline (checked by the market).
    function submitWithProof(
        uint256 taskId,
        TaskTerms calldata terms,
        ProofConfig calldata config,
        bytes32 resultHash,
        string calldata resultURI,
        bytes calldata proof
    ) external;

    /// @notice Rejects the submission under review, which was necessarily made without a proof, with
    /// {UNPROVEN_REASON}. The executor may resubmit with a proof until its execution deadline. Anyone may call it.
    /// @dev Emits {UnprovenSubmissionRejected}, then the market's {ITaskMarket-reject} events, and
    /// {VerifierFeeForwarded} if the verifier fee is paid now.
    ///
    /// Requirements:
    /// - `terms` must name this module as the verifier and commit to `config`; the market checks them against the
    ///   task.
    /// - The task must be `Submitted` within its review window (checked by the market).
    function rejectUnproven(uint256 taskId, TaskTerms calldata terms, ProofConfig calldata config) external;

    /// @notice Withdraws the caller's credited balance in `token` to `to`.
    /// @dev Emits {CreditWithdrawn}. Requirements: a non-zero credit, `to` non-zero.
    function withdraw(address token, address to) external;
}
