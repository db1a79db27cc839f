// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { IExecutorRegistry } from "./IExecutorRegistry.sol";
import {
    ExecutorRecord,
    PermitSignature,
    PosterRecord,
    TaskState,
    TaskStatus,
    TaskTerms
} from "../types/TaskTypes.sol";

/// @title ITaskMarket
/// @notice The task registry and escrow: it holds each task's reward, records every state transition and pays out
/// according to the task's terms.
/// @dev Storage holds one packed `TaskState` slot and one commitment slot per task. The commitment binds the
/// task's `TaskTerms` (and carries its claim deadline), so calls that need the terms take them as an argument and
/// revert with `TaskMarket_TermsMismatch` if they differ from what the poster agreed. The full terms are emitted
/// in {TaskCreated}.
///
/// Payments are pushed; a transfer that fails (a reverting receiver, a blocklisted holder, a paused token) is
/// credited to the recipient instead, to be pulled with {withdraw}, so that no recipient can block a transition.
interface ITaskMarket {
    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Emitted when a task is created and its reward escrowed.
    event TaskCreated(
        uint256 indexed taskId,
        address indexed poster,
        address indexed token,
        TaskTerms terms,
        bytes32[] capabilities,
        string documentURI
    );

    /// @notice Emitted when an executor claims a task, locking `bond`.
    event TaskClaimed(uint256 indexed taskId, address indexed executor, uint40 executionDeadline, uint128 bond);

    /// @notice Emitted when a claim whose execution deadline passed is cleared. The bond is forfeited to the poster,
    /// unless the executor's submission was rejected at or after the execution deadline, leaving it no chance to
    /// resubmit: then the bond returns to the executor and `bondForfeited` is zero.
    event ClaimLapsed(uint256 indexed taskId, address indexed executor, bool afterRejection, uint128 bondForfeited);

    /// @notice Emitted when the executor marks the task as in progress.
    event TaskStarted(uint256 indexed taskId, address indexed executor);

    /// @notice Emitted for each progress checkpoint the executor posts.
    event CheckpointPosted(
        uint256 indexed taskId,
        address indexed executor,
        uint8 percentComplete,
        bytes32 progressHash,
        string progressURI
    );

    /// @notice Emitted when the executor submits (or resubmits) a result; the review window starts.
    event WorkSubmitted(
        uint256 indexed taskId,
        address indexed executor,
        bytes32 resultHash,
        string resultURI,
        uint40 reviewDeadline
    );

    /// @notice Emitted when the verifier rejects a submission; the executor may resubmit until its deadline.
    event SubmissionRejected(uint256 indexed taskId, address indexed verifier, bytes32 reasonHash);

    /// @notice Emitted when a submission is accepted: by the verifier, or with `verifier` zero when the review
    /// window elapsed in silence.
    event TaskVerified(uint256 indexed taskId, address indexed verifier);

    /// @notice Emitted when a verified task pays its executor. `payout + fee` equals the reward.
    event TaskSettled(
        uint256 indexed taskId,
        address indexed executor,
        address indexed token,
        uint256 payout,
        uint256 fee,
        uint256 bondReturned
    );

    /// @notice Emitted when a poster or the executor agrees to cancel a claimed task.
    event CancellationConsented(uint256 indexed taskId, address indexed party);

    /// @notice Emitted when a task is cancelled; the reward returns to the poster and `bondReturned` to the
    /// executor (a mutual cancellation, or a claim that lapsed after a rejection past the execution deadline).
    event TaskCancelled(uint256 indexed taskId, address indexed poster, uint256 refund, uint256 bondReturned);

    /// @notice Emitted when an expired task refunds its poster, together with any forfeited bond (a bond returned to
    /// the executor is reported by {ClaimLapsed}).
    event TaskExpired(uint256 indexed taskId, address indexed poster, uint256 refund, uint256 bondForfeited);

    /// @notice Emitted when one side of a settled task rates the other (1–5).
    event PartyRated(uint256 indexed taskId, address indexed rater, address indexed ratee, uint8 rating);

    /// @notice Emitted when a push payment failed and the amount was credited for withdrawal instead.
    event PaymentCredited(address indexed account, address indexed token, uint256 amount);

    /// @notice Emitted when an account withdraws its credited balance.
    event CreditWithdrawn(address indexed account, address indexed token, address to, uint256 amount);

    /// @notice Emitted when the owner changes the protocol fee for tasks created from now on.
    event ProtocolFeeUpdated(uint16 previousFeeBps, uint16 newFeeBps);

    /// @notice Emitted when the owner changes where protocol fees are paid.
    event FeeRecipientUpdated(address indexed previousRecipient, address indexed newRecipient);

    /// @notice Emitted when accrued protocol fees are paid to the fee recipient.
    event ProtocolFeesWithdrawn(address indexed token, address indexed recipient, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                             READ FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice The hard cap on the protocol fee: 5 %.
    function MAX_FEE_BPS() external view returns (uint16);

    /// @notice The most capabilities a task may require.
    function MAX_TASK_CAPABILITIES() external view returns (uint256);

    /// @notice The gas forwarded with a push payment of ETH; a receiver needing more is credited instead.
    function ETH_PUSH_GAS() external view returns (uint256);

    /// @notice The registry whose executors may claim tasks.
    function executorRegistry() external view returns (IExecutorRegistry);

    /// @notice The fee, in basis points, snapshotted into tasks created now.
    function protocolFeeBps() external view returns (uint16);

    /// @notice Where protocol fees are paid.
    function feeRecipient() external view returns (address);

    /// @notice The id the next task will get. Ids start at 1 and are never reused.
    function nextTaskId() external view returns (uint256);

    /// @notice The task's status, with time-based outcomes derived from its deadlines and the current time.
    /// @dev Returns `None` for an id that was never created. See `TaskStatus` for the derivations.
    function statusOf(uint256 taskId) external view returns (TaskStatus);

    /// @notice The task's stored mutable state (status as last written, without time-based derivation).
    function stateOf(uint256 taskId) external view returns (TaskState memory);

    /// @notice The task's claim deadline and the digest of its terms, as stored.
    function commitmentOf(uint256 taskId) external view returns (uint40 claimDeadline, bytes27 termsDigest);

    /// @notice Whether `terms` are the terms of `taskId`.
    function matchesTerms(uint256 taskId, TaskTerms calldata terms) external view returns (bool);

    /// @notice The reputation record of `account` as an executor.
    function executorRecordOf(address account) external view returns (ExecutorRecord memory);

    /// @notice The reputation record of `account` as a poster.
    function posterRecordOf(address account) external view returns (PosterRecord memory);

    /// @notice The total `executor` has been paid, net of fees, in `token` (`address(0)` for ETH).
    function earnedOf(address executor, address token) external view returns (uint256);

    /// @notice The balance `account` can withdraw in `token` after a failed push payment.
    function creditOf(address account, address token) external view returns (uint256);

    /// @notice The protocol fees accrued in `token` and not yet withdrawn.
    function accruedFeesOf(address token) external view returns (uint256);

    /*//////////////////////////////////////////////////////////////
                            WRITE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Creates a task and escrows its reward in one transaction.
    /// @dev Emits {TaskCreated}.
    ///
    /// Notes:
    /// - For ETH (`terms.token == address(0)`) send exactly `terms.reward`; for an ERC-20 approve it first (or use
    ///   {createTaskWithPermit}) and send no ETH.
    ///
    /// Requirements:
    /// - The market must not be paused.
    /// - `terms.poster` must be `msg.sender`, `terms.reward` non-zero, `terms.claimDeadline` in the future, both
    ///   windows non-zero, and `terms.feeBps` equal to {protocolFeeBps}.
    /// - `capabilities` must be strictly ascending, at most `MAX_TASK_CAPABILITIES` long, and hash to
    ///   `terms.capabilitiesHash`.
    /// - The token must deliver exactly `terms.reward` (no fee-on-transfer).
    ///
    /// @return taskId The id of the new task.
    function createTask(
        TaskTerms calldata terms,
        bytes32[] calldata capabilities,
        string calldata documentURI
    ) external payable returns (uint256 taskId);

    /// @notice Same as {createTask} for an ERC-2612 token, approving the market with `permit` in the same
    /// transaction. A permit that fails (for example because someone front-ran it) is ignored as long as the
    /// allowance is already in place.
    function createTaskWithPermit(
        TaskTerms calldata terms,
        bytes32[] calldata capabilities,
        string calldata documentURI,
        PermitSignature calldata permit
    ) external returns (uint256 taskId);

    /// @notice Claims a `Posted` task, locking the claim bond (ETH in `msg.value`, or the task's token by
    /// allowance). If a previous claim lapsed, it is cleared first and its bond paid out (see {ClaimLapsed}).
    /// @dev Emits {TaskClaimed}, and {ClaimLapsed} first when clearing a lapsed claim.
    ///
    /// Requirements:
    /// - `statusOf(taskId)` must be `Posted`.
    /// - `msg.sender` must be eligible in the executor registry for the task's kind and `capabilities`, and be
    ///   neither the poster nor the verifier, nor an agent operated by either.
    function claim(uint256 taskId, TaskTerms calldata terms, bytes32[] calldata capabilities) external payable;

    /// @notice Marks a claimed task as in progress.
    /// @dev Emits {TaskStarted}. Requirements: status `Claimed`, caller the executor.
    function start(uint256 taskId) external;

    /// @notice Posts a progress checkpoint.
    /// @dev Emits {CheckpointPosted}. Requirements: status `InProgress`, caller the executor, percent ≤ 100.
    function checkpoint(
        uint256 taskId,
        uint8 percentComplete,
        bytes32 progressHash,
        string calldata progressURI
    ) external;

    /// @notice Submits a result, starting the review window. Also used to resubmit after a rejection.
    /// @dev Emits {WorkSubmitted}. Requirements: status `Claimed` or `InProgress`, caller the executor.
    function submit(uint256 taskId, TaskTerms calldata terms, bytes32 resultHash, string calldata resultURI) external;

    /// @notice Accepts the current submission and settles: the executor receives the reward minus the protocol fee,
    /// plus its bond.
    /// @dev Emits {TaskVerified} and {TaskSettled}. Requirements: status `Submitted`, caller the verifier.
    function approve(uint256 taskId, TaskTerms calldata terms) external;

    /// @notice Rejects the current submission with the hash of a reason; the executor may resubmit until its
    /// execution deadline. A rejection after that deadline lets the claim lapse at once, with the bond returned.
    /// @dev Emits {SubmissionRejected}. Requirements: status `Submitted`, caller the verifier.
    function reject(uint256 taskId, TaskTerms calldata terms, bytes32 reasonHash) external;

    /// @notice Settles a task whose review window elapsed without a decision. Anyone may call it.
    /// @dev Emits {TaskVerified} (with a zero verifier) and {TaskSettled}. Requirements: status `Verified`.
    function release(uint256 taskId, TaskTerms calldata terms) external;

    /// @notice Refunds the poster of an expired task (and pays it any lapsed executor's bond). Anyone may call it.
    /// @dev Emits {TaskExpired}, and {ClaimLapsed} first if a claim lapsed. Requirements: status `Expired`.
    function refundExpired(uint256 taskId, TaskTerms calldata terms) external;

    /// @notice Cancels an unclaimed task (or one whose claim lapsed) and refunds the poster in full.
    /// @dev Emits {TaskCancelled}. Requirements: status `Posted`, caller the poster.
    function cancel(uint256 taskId, TaskTerms calldata terms) external;

    /// @notice Records the caller's agreement to cancel a claimed task. When both the poster and the executor have
    /// agreed, the task is cancelled: the reward returns to the poster and the bond to the executor.
    /// @dev Emits {CancellationConsented}, then {TaskCancelled} on the second consent.
    /// Requirements: status `Claimed`, `InProgress` or `Submitted`; caller the poster or the executor.
    function consentToCancel(uint256 taskId, TaskTerms calldata terms) external;

    /// @notice Rates the other side of a settled task, once per side: the poster rates the executor and the
    /// executor rates the poster.
    /// @dev Emits {PartyRated}. Requirements: status `Settled`, `rating` from 1 to 5.
    function rate(uint256 taskId, TaskTerms calldata terms, uint8 rating) external;

    /// @notice Withdraws the caller's credited balance in `token` to `to`.
    /// @dev Emits {CreditWithdrawn}.
    function withdraw(address token, address to) external;

    /// @notice Pays the protocol fees accrued in `token` to the fee recipient. Anyone may call it.
    /// @dev Emits {ProtocolFeesWithdrawn}.
    function withdrawProtocolFees(address token) external;

    /// @notice Sets the protocol fee for tasks created from now on. Owner only; at most `MAX_FEE_BPS`.
    function setProtocolFee(uint16 newFeeBps) external;

    /// @notice Sets where protocol fees are paid. Owner only; non-zero.
    function setFeeRecipient(address newRecipient) external;

    /// @notice Stops the creation of new tasks. Every other operation, refunds and withdrawals included, goes on.
    function pause() external;

    /// @notice Resumes the creation of new tasks.
    function unpause() external;
}
