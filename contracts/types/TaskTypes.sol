// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Who may execute a task, and what an executor registers as.
/// @dev `Any` is only meaningful on a task; an executor registers as `Human` or `Agent`.
enum ExecutorKind {
    Any,
    Human,
    Agent
}

/// @notice The lifecycle of a task. `None` means the id was never created.
/// @dev Time-based outcomes are derived in `statusOf`, never stored ahead of time:
/// - a `Posted` task past its claim deadline reads as `Expired` until someone refunds it;
/// - a `Claimed`/`InProgress` task past its execution deadline reads as `Posted` (the claim has lapsed and
///   the task is open again) or as `Expired` if the claim deadline has passed too;
/// - a `Submitted` task past its review window reads as `Verified` (silence releases the payment);
/// - a `Disputed` task (a submission its verifier put on hold) past the end of the hold reads as `Verified`: it is
///   settled with the default share the verifier named when it placed the hold.
enum TaskStatus {
    None,
    Posted,
    Claimed,
    InProgress,
    Submitted,
    Verified,
    Settled,
    Cancelled,
    Expired,
    Disputed
}

/// @notice The immutable parameters of a task, agreed by the poster when it is created.
/// @dev Only a digest of these terms is stored (see `TaskMarket`); the full terms are emitted in
/// `TaskCreated` and passed back in by every call that needs them. The layout is ABI-encoded and hashed,
/// so changing it changes every digest.
struct TaskTerms {
    /// @dev The account that funded the task, reviews it (unless `verifier` is set) and receives refunds.
    address poster;
    /// @dev The ERC-20 token of the reward and of the claim bond; `address(0)` for native ETH.
    address token;
    /// @dev The amount held in escrow for the executor, before the protocol fee.
    uint128 reward;
    /// @dev What an executor locks when claiming; forfeited to the poster if the execution deadline passes.
    uint128 claimBond;
    /// @dev Unix time after which the task can no longer be claimed.
    uint40 claimDeadline;
    /// @dev Seconds an executor has, from its claim, to submit (and resubmit after a rejection).
    uint32 executionWindow;
    /// @dev Seconds the verifier has, from a submission, to approve or reject before the payment is released.
    uint32 reviewWindow;
    /// @dev The protocol fee in basis points, snapshotted from the market when the task is created.
    uint16 feeBps;
    /// @dev Which kind of executor may claim the task.
    ExecutorKind executorKind;
    /// @dev Who decides on submissions: the poster when zero, otherwise a delegated reviewer or a verification
    /// module contract.
    address verifier;
    /// @dev Escrowed on top of the reward and paid to `verifier` for its first decision made in time; refunded to
    /// the poster if the verifier never decides. Must be zero when `verifier` is zero.
    uint128 verifierFee;
    /// @dev For a verification module, the hash of its configuration for this task (its quorum, windows, arbitrator),
    /// which the module checks on every call; zero when the verifier is an account.
    bytes32 verifierConfigHash;
    /// @dev keccak256 of the ABI-packed, strictly ascending list of required capability ids.
    bytes32 capabilitiesHash;
    /// @dev The commitment to the off-chain task document (its URI is emitted in `TaskCreated`).
    bytes32 documentHash;
    /// @dev Zero for a single deliverable. Otherwise the reward is paid in milestones: 16 lanes of 16 bits, read
    /// from the most significant, each the share in basis points of one milestone; 2 to 16 non-zero lanes followed
    /// only by zero lanes, summing to 10,000.
    bytes32 milestoneShares;
}

/// @dev `TaskTerms` has only static fields, so its ABI encoding is 32 bytes per field: 15 fields. Clean calldata terms
/// are byte for byte this encoding, which lets the market hash them and a module forward them without re-encoding.
uint256 constant TASK_TERMS_ENCODED_SIZE = 15 * 32;

/// @notice The mutable part of a task, packed into a single storage slot.
struct TaskState {
    /// @dev The executor holding the claim, or the last one to hold it; zero before the first claim.
    address executor;
    TaskStatus status;
    /// @dev Deadline to submit (and resubmit) in `Claimed`/`InProgress`; unset before the first claim.
    uint40 executionDeadline;
    /// @dev Deadline for the verifier to decide on the current submission; set while `Submitted`.
    uint40 reviewDeadline;
    /// @dev Bit flags, see `TaskFlags`.
    uint8 flags;
}

/// @notice The reputation record of an account as an executor. Written only by settlement paths.
struct ExecutorRecord {
    /// @dev Tasks settled with a payment to this executor.
    uint32 completed;
    /// @dev Claims that lapsed without an accepted submission and without a rejection.
    uint32 expired;
    /// @dev Claims that lapsed after the verifier had rejected a submission.
    uint32 rejected;
    uint32 disputesWon;
    uint32 disputesLost;
    /// @dev Sum and count of the 1–5 ratings received from posters.
    uint32 ratingSum;
    uint32 ratingCount;
}

/// @notice The reputation record of an account as a poster. Written only by settlement paths.
struct PosterRecord {
    uint32 posted;
    uint32 settled;
    uint32 cancelled;
    uint32 expired;
    /// @dev Sum and count of the 1–5 ratings received from executors.
    uint32 ratingSum;
    uint32 ratingCount;
}

/// @notice What a task may add to its terms at creation (see `createTaskWithOptions`); stored only for the tasks that
/// set any of it, so that the others pay nothing for it.
struct TaskOptions {
    /// @dev Zero for a first-come `claim`. Otherwise the assignment module that alone gives the task to an executor
    /// (applications, a reverse auction, reputation gates, dependencies) through `assign`, and that may cancel the task
    /// while it is open.
    address assigner;
    /// @dev How much of the reward the executor may spend on subtasks (`createSubtask`); zero forbids subtasks. Must
    /// be zero on a task paid in milestones, and at most the reward.
    uint96 subtaskBudget;
    /// @dev For an assignment module, the hash of its configuration for this task, which the module checks on every
    /// call; zero without one.
    bytes32 assignerConfigHash;
}

/// @notice How much of a task's escrow has left it before its settlement, written only for tasks that use it.
/// @dev The executor's amount at settlement, and the poster's refund, are the reward minus both.
struct TaskFunding {
    /// @dev Refunded to the poster when the task was first assigned at a price below its reward.
    uint128 released;
    /// @dev Held by open subtasks or paid out through settled ones: what the subtasks were funded with, less what
    /// they returned.
    uint96 drawn;
    /// @dev Subtasks created from this task and not yet settled, cancelled or expired.
    uint32 openSubtasks;
}

/// @notice The parent of a subtask, where the subtask's unspent escrow returns.
struct SubtaskLink {
    uint64 parentId;
    /// @dev The parent's poster, paid what returns once the parent itself has ended (when the parent is not itself a
    /// subtask; otherwise the funds go on up the chain).
    address parentPoster;
    /// @dev 1 for a subtask of a task that is not a subtask, 2 for a subtask of that, and so on.
    uint8 depth;
}

/// @notice The parameters of an ERC-2612 permit used to fund a task without a prior approval.
struct PermitSignature {
    uint256 deadline;
    uint8 v;
    bytes32 r;
    bytes32 s;
}
