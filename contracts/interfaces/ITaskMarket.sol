// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { IExecutorRegistry } from "./IExecutorRegistry.sol";
import {
    ExecutorRecord,
    PermitSignature,
    PosterRecord,
    SubtaskLink,
    TaskFunding,
    TaskOptions,
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
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    // The market's errors are in the `Errors` library, except those only `TaskMarketExtension` reverts with: declared
    // here, they are part of the market's ABI although the market's own code never reverts with them.

    /// @notice Only the poster or the executor holding the claim may make this call.
    error TaskMarket_CallerNotParty(uint256 taskId, address caller);

    /// @notice A rating is an integer from 1 to 5.
    error TaskMarket_InvalidRating(uint8 rating);

    /// @notice Each side rates the other at most once per task.
    error TaskMarket_AlreadyRated(uint256 taskId, address rater);

    /// @notice A permit funds ERC-20 tasks only; ETH tasks are funded with `msg.value`.
    error TaskMarket_PermitNeedsToken();

    /// @notice An assignment's price must be non-zero and at most the reward; below the reward only at the task's
    /// first assignment.
    error TaskMarket_InvalidPrice(uint256 taskId, uint256 price, uint256 maximum);

    /// @notice A subtask is paid in its parent's token.
    error TaskMarket_SubtaskTokenMismatch(address parentToken, address subtaskToken);

    /// @notice A subtask is funded from what is left of its parent's subtask budget.
    error TaskMarket_SubtaskBudgetExceeded(uint256 parentId, uint256 funding, uint256 available);

    /// @notice A subtask budget may not exceed the reward, and a task paid in milestones has none.
    error TaskMarket_InvalidSubtaskBudget(uint96 subtaskBudget);

    /// @notice Subtasks nest at most `MAX_SUBTASK_DEPTH` deep.
    error TaskMarket_SubtaskTooDeep(uint256 parentId, uint256 maximumDepth);

    /// @notice An assigner configuration hash needs an assigner.
    error TaskMarket_ConfigWithoutAssigner();

    /// @notice The extension runs only through the market's delegatecall.
    error TaskMarketExtension_NotDelegated();

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

    /// @notice Task `taskId` was created with `options` (see `TaskOptions`).
    event TaskOptionsSet(uint256 indexed taskId, address indexed assigner, TaskOptions options);

    /// @notice A task was first assigned at a price below its reward, and the difference refunded to the poster.
    event RewardLowered(uint256 indexed taskId, address indexed poster, uint256 price, uint256 released);

    /// @notice The executor of `parentId` created subtask `subtaskId`, funded with `funding` (its reward and verifier
    /// fee) from the parent's escrow.
    event SubtaskCreated(
        uint256 indexed parentId,
        uint256 indexed subtaskId,
        address indexed coordinator,
        uint256 funding
    );

    /// @notice What a subtask did not spend returned: to the parent's escrow (`to` is the market), or, when the parent
    /// had already ended, on up the chain to the poster of the first task that is not a subtask. The refund events of
    /// a subtask (`TaskCancelled`, `TaskExpired`, `SettlementRefunded`, `RewardLowered`) name the subtask's poster;
    /// this event says where the refund actually went, and an indexer credits it there.
    event SubtaskFundsReturned(uint256 indexed parentId, uint256 indexed subtaskId, address to, uint256 amount);

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

    /// @notice Emitted when a submission passes through the derived `Verified` status: its review window (or hold)
    /// ran out without a decision and {release} settles it. A verifier's own decision settles at once and emits only
    /// the settlement ({TaskSettled} or {MilestoneSettled}, after {SubmissionResolved} for a split).
    event TaskVerified(uint256 indexed taskId);

    /// @notice Emitted when a task's last (or only) submission is settled and the task ends. `payout + fee` is the
    /// executor's share of that submission's amount (the reward, or the last milestone's part of it); any rest, with an
    /// unspent verifier fee, goes back to the poster in {SettlementRefunded}.
    event TaskSettled(
        uint256 indexed taskId,
        address indexed executor,
        address indexed token,
        uint256 payout,
        uint256 fee,
        uint256 bondReturned
    );

    /// @notice Emitted with {TaskSettled} when part of the escrow returns to the poster: the share of the last
    /// submission the executor did not get, and a verifier fee the verifier did not earn.
    event SettlementRefunded(uint256 indexed taskId, address indexed poster, uint256 refund);

    /// @notice Emitted when a milestone other than the last is settled: the executor gets `payout` (its share net of
    /// `fee`), the poster `refund` (the share it did not get), and works on the next milestone.
    event MilestoneSettled(
        uint256 indexed taskId,
        address indexed executor,
        uint256 milestone,
        uint256 payout,
        uint256 fee,
        uint256 refund
    );

    /// @notice Emitted when the verifier puts the submission on hold until `until`; if it has not decided by then,
    /// the submission is settled with `defaultShareBps` for the executor.
    event SubmissionHeld(uint256 indexed taskId, address indexed verifier, uint40 until, uint16 defaultShareBps);

    /// @notice Emitted when the verifier settles the submission with a share for the executor (a score, a ruling or
    /// an agreement); {TaskSettled} or {MilestoneSettled} follows.
    event SubmissionResolved(uint256 indexed taskId, address indexed verifier, uint16 executorShareBps);

    /// @notice Emitted when the verifier is paid its fee, for its first decision on the task.
    event VerifierPaid(uint256 indexed taskId, address indexed verifier, uint256 amount);

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

    /// @notice The most milestones a task may have.
    function MAX_MILESTONES() external view returns (uint256);

    /// @notice The longest a submission may stay on hold, counted from when the hold was first placed.
    function MAX_HOLD_DURATION() external view returns (uint256);

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

    /// @notice The hash of the latest result submitted, for tasks with a delegated verifier (zero otherwise).
    function submissionOf(uint256 taskId) external view returns (bytes32);

    /// @notice How many milestones have been settled, and when the current hold was placed and its default share.
    function progressOf(
        uint256 taskId
    ) external view returns (uint8 milestonesVerified, uint40 heldAt, uint16 holdShareBps);

    /// @notice The part of the reward not yet paid out through settled milestones (the whole reward without them).
    function unpaidRewardOf(uint256 taskId, TaskTerms calldata terms) external view returns (uint256);

    /// @notice The options a task was created with; all zero for a task without.
    function optionsOf(uint256 taskId) external view returns (TaskOptions memory);

    /// @notice What has left the task's escrow before settlement: released to the poster at assignment, and drawn
    /// by subtasks (see `TaskFunding`). Zero for a task that uses neither.
    function fundingOf(uint256 taskId) external view returns (TaskFunding memory);

    /// @notice How deep subtasks may nest: a subtask of a subtask of a task is at depth 2.
    function MAX_SUBTASK_DEPTH() external view returns (uint256);

    /// @notice The parent of a subtask; a zero `parentId` for a task that is not one.
    function parentOf(uint256 taskId) external view returns (SubtaskLink memory);

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
    /// - The escrow is `terms.reward + terms.verifierFee`. For ETH (`terms.token == address(0)`) send exactly that;
    ///   for an ERC-20 approve it first (or use {createTaskWithPermit}) and send no ETH.
    ///
    /// Requirements:
    /// - The market must not be paused.
    /// - `terms.poster` must be `msg.sender`, `terms.reward` non-zero, `terms.claimDeadline` in the future, both
    ///   windows non-zero, and `terms.feeBps` equal to {protocolFeeBps}.
    /// - `capabilities` must be strictly ascending, at most `MAX_TASK_CAPABILITIES` long, and hash to
    ///   `terms.capabilitiesHash`.
    /// - `terms.verifierFee` must be zero without a delegated verifier; `terms.milestoneShares` zero or valid (see
    ///   `TaskTerms`).
    /// - The token must deliver exactly the escrow (no fee-on-transfer).
    ///
    /// @return taskId The id of the new task.
    function createTask(
        TaskTerms calldata terms,
        bytes32[] calldata capabilities,
        string calldata documentURI
    ) external payable returns (uint256 taskId);

    /// @notice Same as {createTask}, with options stored beside the terms: an assignment module (applications, a
    /// reverse auction, reputation gates, dependencies) and a budget for subtasks. See `TaskOptions`.
    /// @dev Emits {TaskCreated}, then {TaskOptionsSet}.
    ///
    /// Requirements: as {createTask}; `options.subtaskBudget` at most the reward and zero with milestones;
    /// `options.assignerConfigHash` zero without an assigner.
    function createTaskWithOptions(
        TaskTerms calldata terms,
        TaskOptions calldata options,
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
    /// - The task must have no assigner: such a task is given out only through {assign}.
    function claim(uint256 taskId, TaskTerms calldata terms, bytes32[] calldata capabilities) external payable;

    /// @notice Gives a `Posted` task to `executor` at `price`, for the task's assignment module (its options'
    /// `assigner`), which pays the claim bond (ETH in `msg.value`, or the task's token by allowance). At the task's
    /// first assignment the price may be below the reward: the difference is refunded to the poster at once (a reverse
    /// auction's unused budget) and the task pays `price` from then on.
    /// @dev Emits as {claim}, and {RewardLowered} first when the price is below the reward.
    ///
    /// Requirements: as {claim} for `executor`; caller the task's assigner; `0 < price <= ` the current price (the
    /// reward, or the price of the first assignment), and equal to it once the task has been assigned before.
    function assign(
        uint256 taskId,
        TaskTerms calldata terms,
        address executor,
        uint256 price,
        bytes32[] calldata capabilities
    ) external payable;

    /// @notice Creates a subtask of a task the caller is executing, funded from that task's escrow instead of by a
    /// payment: the subtask's reward and verifier fee come out of the parent's `subtaskBudget`. The caller is the
    /// subtask's poster (it reviews the subtask or names its verifier); what the subtask does not spend returns to
    /// the parent's escrow, and the parent can be submitted only once every subtask has ended.
    /// A subtask may have options of its own: an assignment module, and a budget for subtasks of its own.
    /// @dev Emits {TaskCreated} for the subtask, {TaskOptionsSet} if it has options, then {SubtaskCreated}.
    ///
    /// Requirements: the market not paused; the parent `Claimed` or `InProgress` within its execution deadline and
    /// the caller its executor; the subtask's terms and options valid as for {createTaskWithOptions}, in the parent's
    /// token, funded within what is left of the parent's subtask budget.
    function createSubtask(
        uint256 parentId,
        TaskTerms calldata parentTerms,
        TaskTerms calldata terms,
        TaskOptions calldata options,
        bytes32[] calldata capabilities,
        string calldata documentURI
    ) external returns (uint256 subtaskId);

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

    /// @notice Submits a result, starting the review window. Also used to resubmit after a rejection, and for each
    /// milestone in turn.
    /// @dev Emits {WorkSubmitted}. Requirements: status `Claimed` or `InProgress`, caller the executor.
    function submit(uint256 taskId, TaskTerms calldata terms, bytes32 resultHash, string calldata resultURI) external;

    /// @notice Submits a result on the executor's behalf and accepts it in the same call: for a verification module
    /// that has checked the result itself (a proof module verifies the executor's proof first).
    /// @dev Emits {WorkSubmitted}, then as {approve}. Requirements: status `Claimed` or
    /// `InProgress`, a delegated verifier, caller the verifier.
    function submitVerified(
        uint256 taskId,
        TaskTerms calldata terms,
        bytes32 resultHash,
        string calldata resultURI
    ) external;

    /// @notice Accepts the current submission: the executor receives its amount (the reward, or the current
    /// milestone's part of it) minus the protocol fee. After the last milestone the task is settled and the bond
    /// returned; after an earlier one the executor goes on to the next with a fresh execution window.
    /// @dev Emits {TaskSettled} or {MilestoneSettled}. Requirements: status `Submitted` (or
    /// `Disputed` within its hold), caller the verifier.
    function approve(uint256 taskId, TaskTerms calldata terms) external;

    /// @notice Rejects the current submission with the hash of a reason; the executor may resubmit until its
    /// execution deadline, which is extended by any time the submission spent on hold. A rejection at or after that
    /// deadline lets the claim lapse at once, with the bond returned.
    /// @dev Emits {SubmissionRejected}. Requirements: status `Submitted` (or `Disputed` within its hold), caller the
    /// verifier.
    function reject(uint256 taskId, TaskTerms calldata terms, bytes32 reasonHash) external;

    /// @notice Puts the submission on hold (status `Disputed`) until `until`, stopping its review clock while a
    /// verification module runs a contest window or an arbitration. The verifier may still approve, reject or resolve
    /// it; if it has not by `until`, anyone may {release} it with `defaultShareBps` for the executor. A hold may be
    /// extended, never beyond `MAX_HOLD_DURATION` from when it was first placed, so no escrow is held forever.
    /// @dev Emits {SubmissionHeld}. Requirements: status `Submitted` (or `Disputed` within its hold), a delegated
    /// verifier, caller the verifier, `defaultShareBps` ≤ 10,000.
    function hold(uint256 taskId, TaskTerms calldata terms, uint40 until, uint16 defaultShareBps) external;

    /// @notice Settles the submission with `executorShareBps` of its amount for the executor and the rest for the
    /// poster: a quorum's score, an arbitrator's ruling, an agreement of the parties. Resolving a held submission
    /// records a dispute won (share ≥ 50 %) or lost for the executor.
    /// @dev Emits {SubmissionResolved}, then as {approve}. Requirements: as {hold}.
    function resolve(uint256 taskId, TaskTerms calldata terms, uint16 executorShareBps) external;

    /// @notice Settles a submission whose review window (or hold) elapsed without a decision: in full after a review
    /// window, with the hold's default share after a hold. Anyone may call it.
    /// @dev Emits {TaskVerified}, then as {approve}. Requirements: status `Verified`.
    function release(uint256 taskId, TaskTerms calldata terms) external;

    /// @notice Refunds the poster of an expired task (and pays it any lapsed executor's bond). Anyone may call it.
    /// @dev Emits {TaskExpired}, and {ClaimLapsed} first if a claim lapsed. Requirements: status `Expired`.
    function refundExpired(uint256 taskId, TaskTerms calldata terms) external;

    /// @notice Cancels an unclaimed task (or one whose claim lapsed) and refunds the poster what is left of the escrow.
    /// The task's assignment module may cancel it too (an auction without a valid bid, a failed dependency).
    /// @dev Emits {TaskCancelled}. Requirements: status `Posted`, caller the poster or the task's assigner.
    function cancel(uint256 taskId, TaskTerms calldata terms) external;

    /// @notice Records the caller's agreement to cancel a claimed task. When both the poster and the executor have
    /// agreed, the task is cancelled: milestones already settled stay paid, the rest of the escrow returns to the
    /// poster and the bond to the executor.
    /// @dev Emits {CancellationConsented}, then {TaskCancelled} on the second consent.
    /// Requirements: status `Claimed`, `InProgress`, `Submitted` or `Disputed`; caller the poster or the executor.
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
