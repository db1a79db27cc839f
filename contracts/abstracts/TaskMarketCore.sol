// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { SafeERC20 } from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import { Eligibility, IExecutorRegistry } from "../interfaces/IExecutorRegistry.sol";
import { ITaskMarket } from "../interfaces/ITaskMarket.sol";
import { Errors } from "../libraries/Errors.sol";
import {
    TASK_TERMS_ENCODED_SIZE,
    ExecutorRecord,
    PosterRecord,
    SubtaskLink,
    TaskFunding,
    TaskOptions,
    TaskState,
    TaskStatus,
    TaskTerms
} from "../types/TaskTypes.sol";

/// @title TaskMarketCore
/// @notice The market's storage and the internal functions its entry points share.
/// @dev Inherited first by {TaskMarket} and only by {TaskMarketExtension}, which the market delegatecalls for its
/// less frequent entry points (options, assignment, subtasks): the single declaration here is what gives both the
/// same storage layout. It holds no other state variable, and neither may its heirs declare one before it.
abstract contract TaskMarketCore {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @dev Exposed by the market as `MAX_TASK_CAPABILITIES`, `MAX_MILESTONES` and `ETH_PUSH_GAS`.
    uint256 internal constant CAPABILITIES_CAP = 16;
    uint256 internal constant MILESTONES_CAP = 16;
    uint256 internal constant PUSH_GAS = 100_000;
    /// @dev Exposed by the market as `MAX_SUBTASK_DEPTH`: how deep subtasks may nest, which bounds the walk up the
    /// chain when a subtask returns funds to parents that have ended.
    uint256 internal constant SUBTASK_DEPTH_CAP = 4;

    uint256 internal constant BPS_DENOMINATOR = 10_000;

    /// @dev The commitment slot holds the claim deadline in its top 40 bits and a 216-bit digest of the terms below.
    /// 216 bits leave 108 bits of collision resistance, more than the 80 bits Ethereum addresses give.
    uint256 internal constant CLAIM_DEADLINE_SHIFT = 216;

    /// @dev {TASK_TERMS_ENCODED_SIZE}, under the name the inline assembly below uses.
    uint256 internal constant TERMS_ENCODED_SIZE = TASK_TERMS_ENCODED_SIZE;

    /// @dev Milestone shares are 16-bit lanes of `TaskTerms.milestoneShares`, the first in the top bits.
    uint256 internal constant MILESTONE_LANE_BITS = 16;

    uint8 internal constant FLAG_REJECTED = 1 << 0;
    uint8 internal constant FLAG_POSTER_CONSENTED_TO_CANCEL = 1 << 1;
    uint8 internal constant FLAG_EXECUTOR_CONSENTED_TO_CANCEL = 1 << 2;
    uint8 internal constant FLAG_POSTER_RATED = 1 << 3;
    uint8 internal constant FLAG_EXECUTOR_RATED = 1 << 4;
    uint8 internal constant FLAG_REJECTED_AFTER_DEADLINE = 1 << 5;
    /// @dev Survives a lapsed claim: the verifier fee is paid once per task.
    uint8 internal constant FLAG_VERIFIER_PAID = 1 << 6;
    /// @dev Set on a task created with options (`TaskOptions`) or as a subtask: its options, funding record and
    /// parent are read from storage only then, so that other tasks pay nothing for them.
    uint8 internal constant FLAG_EXTENDED = 1 << 7;
    /// @dev What a new claim keeps of the previous claim's flags: facts about the task, not about the claim.
    uint8 internal constant FLAGS_OF_THE_TASK = FLAG_VERIFIER_PAID | FLAG_EXTENDED;
    uint8 internal constant FLAGS_REJECTION = FLAG_REJECTED | FLAG_REJECTED_AFTER_DEADLINE;
    uint8 internal constant FLAGS_BOTH_CONSENTED = FLAG_POSTER_CONSENTED_TO_CANCEL | FLAG_EXECUTOR_CONSENTED_TO_CANCEL;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Two slots per task: the mutable state, and the commitment to the immutable terms.
    struct Task {
        TaskState state;
        uint256 commitment;
    }

    /// @dev Written only by the tasks that use it: the milestones paid so far, and the hold on the current
    /// submission (when it was first placed, and the share the executor gets if the hold runs out).
    struct TaskProgress {
        uint8 milestonesVerified;
        uint40 heldAt;
        uint16 holdShareBps;
    }

    /// @dev How one settlement divides a submission's amount.
    struct Settlement {
        uint256 payout;
        uint256 fee;
        uint256 refund;
        uint256 verifierPayment;
        uint256 milestone;
        bool isLast;
    }

    /// @dev Packed so that creating a task reads the fee and bumps the id in a single slot.
    struct MarketConfig {
        uint64 nextTaskId;
        uint16 protocolFeeBps;
        address feeRecipient;
    }

    /// @dev The registry of executors, checked on every claim and assignment.
    IExecutorRegistry internal immutable _executorRegistry;

    MarketConfig internal _config;
    mapping(uint256 taskId => Task task) internal _tasks;
    mapping(address account => ExecutorRecord record) internal _executorRecords;
    mapping(address account => PosterRecord record) internal _posterRecords;
    mapping(address executor => mapping(address token => uint256 amount)) internal _earned;
    mapping(address account => mapping(address token => uint256 amount)) internal _credits;
    mapping(address token => uint256 amount) internal _accruedFees;
    mapping(uint256 taskId => TaskProgress progress) internal _progress;
    /// @dev The hash of the latest submission, recorded for tasks with a delegated verifier so that its decisions
    /// (attestations, proofs) can be bound to the result they judge.
    mapping(uint256 taskId => bytes32 resultHash) internal _submissions;
    /// @dev Written only for tasks flagged `FLAG_EXTENDED`.
    mapping(uint256 taskId => TaskOptions options) internal _options;
    mapping(uint256 taskId => TaskFunding funding) internal _fundings;
    mapping(uint256 subtaskId => SubtaskLink link) internal _parents;

    constructor(IExecutorRegistry registry) {
        if (address(registry) == address(0)) revert Errors.TaskMarket_ZeroAddress();
        _executorRegistry = registry;
    }

    /*//////////////////////////////////////////////////////////////
                          INTERNAL FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev Validates the terms of a new task, stores it and emits {TaskCreated}. Funding is the caller's job.
    function _recordNewTask(
        TaskTerms calldata terms,
        bytes32[] calldata capabilities,
        string calldata documentURI
    ) internal returns (uint256 taskId) {
        MarketConfig memory config = _config;
        if (terms.poster != msg.sender) revert Errors.TaskMarket_PosterNotSender(terms.poster, msg.sender);
        if (terms.reward == 0) revert Errors.TaskMarket_ZeroReward();
        if (terms.claimDeadline <= block.timestamp) {
            revert Errors.TaskMarket_ClaimDeadlineNotInFuture(terms.claimDeadline, block.timestamp);
        }
        if (terms.executionWindow == 0) revert Errors.TaskMarket_ZeroExecutionWindow();
        if (terms.reviewWindow == 0) revert Errors.TaskMarket_ZeroReviewWindow();
        // The poster agrees to the fee it signs for: a fee change cannot front-run a pending creation.
        if (terms.feeBps != config.protocolFeeBps) {
            revert Errors.TaskMarket_FeeMismatch(config.protocolFeeBps, terms.feeBps);
        }
        if (terms.verifierFee != 0 && terms.verifier == address(0)) {
            revert Errors.TaskMarket_VerifierFeeWithoutVerifier();
        }
        if (terms.milestoneShares != 0) _checkMilestoneShares(terms.milestoneShares);
        _checkCapabilityList(terms.capabilitiesHash, capabilities);

        taskId = config.nextTaskId;
        // Ids are never reused: a uint64 counter cannot be exhausted by paying for one task per id.
        _config.nextTaskId = config.nextTaskId + 1;
        Task storage task = _tasks[taskId];
        task.state.status = TaskStatus.Posted;
        task.commitment = _commit(terms);
        _posterRecords[msg.sender].posted += 1;

        emit ITaskMarket.TaskCreated(taskId, msg.sender, terms.token, terms, capabilities, documentURI);
    }

    function _checkCapabilityList(bytes32 expectedHash, bytes32[] calldata capabilities) internal pure {
        uint256 count = capabilities.length;
        if (count > CAPABILITIES_CAP) {
            revert Errors.TaskMarket_TooManyCapabilities(count, CAPABILITIES_CAP);
        }
        // Strictly ascending ids make the list (and so its hash) canonical and free of duplicates. Zero is
        // never a valid id: the registry refuses it.
        bytes32 previous;
        for (uint256 i = 0; i < count; ++i) {
            bytes32 capability = capabilities[i];
            if (capability <= previous) revert Errors.TaskMarket_CapabilitiesNotAscending(i);
            previous = capability;
        }
        bytes32 actualHash = keccak256(abi.encodePacked(capabilities));
        if (actualHash != expectedHash) revert Errors.TaskMarket_CapabilitiesMismatch(expectedHash, actualHash);
    }

    /// @dev Checks the milestone lanes: 2 to `MILESTONES_CAP` non-zero shares, then only zero lanes, summing to
    /// 10,000 basis points, so that every milestone pays something and the milestones pay the whole reward.
    function _checkMilestoneShares(bytes32 milestoneShares) internal pure {
        uint256 lanes = uint256(milestoneShares);
        uint256 count = _milestoneCount(lanes);
        uint256 total;
        for (uint256 i = 0; i < count; ++i) {
            total += _milestoneShare(lanes, i);
        }
        // Shifting out the counted lanes must leave nothing: no share may follow a zero lane.
        if (count < 2 || total != BPS_DENOMINATOR || lanes << (MILESTONE_LANE_BITS * count) != 0) {
            revert Errors.TaskMarket_InvalidMilestoneShares(milestoneShares);
        }
    }

    /// @dev Gives the `Posted` task to `executor`, which must be eligible, with the claim bond paid by `msg.sender`
    /// (the executor, or the assigner), after clearing a lapsed claim.
    function _claimFor(
        Task storage task,
        uint256 taskId,
        TaskTerms calldata terms,
        TaskState memory previous,
        address executor,
        bytes32[] calldata capabilities
    ) internal {
        TaskStatus status = _statusOf(previous, terms.claimDeadline);
        if (status != TaskStatus.Posted) revert Errors.TaskMarket_InvalidStatus(taskId, status);
        _checkClaimant(taskId, terms, executor, capabilities);
        uint256 bondInValue = terms.token == address(0) ? terms.claimBond : 0;
        if (msg.value != bondInValue) revert Errors.TaskMarket_IncorrectPayment(bondInValue, msg.value);

        uint40 executionDeadline = uint40(block.timestamp) + terms.executionWindow;
        task.state = TaskState({
            executor: executor,
            status: TaskStatus.Claimed,
            executionDeadline: executionDeadline,
            reviewDeadline: 0,
            flags: previous.flags & FLAGS_OF_THE_TASK
        });
        (uint256 forfeitedBond, uint256 returnedBond) = _clearLapsedClaim(taskId, terms, previous);

        emit ITaskMarket.TaskClaimed(taskId, executor, executionDeadline, terms.claimBond);

        if (bondInValue != terms.claimBond) _pullExactly(IERC20(terms.token), msg.sender, terms.claimBond);
        _push(terms.token, terms.poster, forfeitedBond);
        _push(terms.token, previous.executor, returnedBond);
    }

    /// @dev Checks that the task is being worked on, within its execution deadline.
    function _checkWorking(uint256 taskId, TaskTerms calldata terms, TaskState memory state) internal view {
        bool working = state.status == TaskStatus.Claimed || state.status == TaskStatus.InProgress;
        if (!working || block.timestamp > state.executionDeadline) {
            revert Errors.TaskMarket_InvalidStatus(taskId, _statusOf(state, terms.claimDeadline));
        }
    }

    function _checkNoOpenSubtasks(uint256 taskId, uint8 flags) internal view {
        if (flags & FLAG_EXTENDED == 0) return;
        uint256 openSubtasks = _fundings[taskId].openSubtasks;
        if (openSubtasks != 0) revert Errors.TaskMarket_SubtasksOpen(taskId, openSubtasks);
    }

    /// @dev Checks that `executor` may execute the task: not a party to it (directly or as the operator of an
    /// agent), offering the task's required capabilities and of the required kind.
    function _checkClaimant(
        uint256 taskId,
        TaskTerms calldata terms,
        address executor,
        bytes32[] calldata capabilities
    ) internal view {
        if (executor == terms.poster || executor == terms.verifier) {
            revert Errors.TaskMarket_ConflictOfInterest(taskId, executor);
        }
        bytes32 capabilitiesHash = keccak256(abi.encodePacked(capabilities));
        if (capabilitiesHash != terms.capabilitiesHash) {
            revert Errors.TaskMarket_CapabilitiesMismatch(terms.capabilitiesHash, capabilitiesHash);
        }
        Eligibility eligibility = _executorRegistry.eligibilityOf(executor, terms.executorKind, capabilities);
        if (eligibility != Eligibility.Eligible) {
            revert Errors.TaskMarket_ExecutorNotEligible(taskId, executor, eligibility);
        }
        // An agent answers to its operator: the poster or the verifier must not execute the task through one.
        address operator = _executorRegistry.operatorOf(executor);
        if (operator != address(0) && (operator == terms.poster || operator == terms.verifier)) {
            revert Errors.TaskMarket_ConflictOfInterest(taskId, executor);
        }
    }

    /// @dev Returns the task after checking that it exists and that `terms` are its terms.
    function _taskWithTerms(uint256 taskId, TaskTerms calldata terms) internal view returns (Task storage task) {
        task = _tasks[taskId];
        uint256 commitment = task.commitment;
        if (commitment == 0) revert Errors.TaskMarket_TaskNotFound(taskId);
        if (!_matchesCommitment(commitment, terms)) revert Errors.TaskMarket_TermsMismatch(taskId);
    }

    /// @dev Checks that a submission awaits a decision — `Submitted` within its review window, or `Disputed` within
    /// its hold — and that the caller is the task's verifier.
    function _submissionUnderReview(
        uint256 taskId,
        TaskTerms calldata terms
    ) internal view returns (Task storage task, TaskState memory state) {
        task = _taskWithTerms(taskId, terms);
        state = task.state;
        bool awaitingDecision = state.status == TaskStatus.Submitted || state.status == TaskStatus.Disputed;
        if (!awaitingDecision || block.timestamp > state.reviewDeadline) {
            revert Errors.TaskMarket_InvalidStatus(taskId, _statusOf(state, terms.claimDeadline));
        }
        address verifier = terms.verifier == address(0) ? terms.poster : terms.verifier;
        if (msg.sender != verifier) revert Errors.TaskMarket_CallerNotVerifier(taskId, msg.sender);
    }

    /// @dev Settles the submission under review: the executor gets `shareBps` of its amount (the reward, or the current
    /// milestone's part of it) minus the protocol fee, and the poster the rest. After the last (or only) milestone the
    /// task is `Settled` and the bond returned; after an earlier one the executor works on the next, with a fresh
    /// execution window. Each share is computed by subtraction, so `payout + fee + refund == amount` exactly.
    function _settleSubmission(
        Task storage task,
        uint256 taskId,
        TaskTerms calldata terms,
        TaskState memory state,
        uint256 shareBps,
        bool decidedByVerifier
    ) internal {
        Settlement memory settlement = _settlementOf(taskId, terms, state, shareBps, decidedByVerifier);
        address executor = state.executor;

        if (settlement.fee != 0) _accruedFees[terms.token] += settlement.fee;
        if (settlement.payout != 0) _earned[executor][terms.token] += settlement.payout;

        if (settlement.isLast) {
            // Nothing else in the state matters once the task is settled, the verifier fee flag included.
            task.state.status = TaskStatus.Settled;
            if (terms.milestoneShares != 0) _progress[taskId].milestonesVerified = uint8(settlement.milestone + 1);
            if (settlement.payout != 0) _executorRecords[executor].completed += 1;
            _posterRecords[terms.poster].settled += 1;

            emit ITaskMarket.TaskSettled(
                taskId,
                executor,
                terms.token,
                settlement.payout,
                settlement.fee,
                terms.claimBond
            );
            if (settlement.refund != 0) emit ITaskMarket.SettlementRefunded(taskId, terms.poster, settlement.refund);

            _push(terms.token, executor, settlement.payout + terms.claimBond);
        } else {
            _startNextMilestone(task, taskId, terms, state, settlement);
        }
        _returnEscrow(taskId, terms, state.flags, settlement.refund, 0, settlement.isLast);
        _payVerifier(taskId, terms, settlement.verifierPayment);
    }

    /// @dev After a milestone other than the last: records it, pays it and sends the executor back to work on the
    /// next one with a fresh execution window.
    function _startNextMilestone(
        Task storage task,
        uint256 taskId,
        TaskTerms calldata terms,
        TaskState memory state,
        Settlement memory settlement
    ) private {
        _progress[taskId].milestonesVerified = uint8(settlement.milestone + 1);
        state.status = TaskStatus.InProgress;
        state.executionDeadline = uint40(block.timestamp) + terms.executionWindow;
        state.reviewDeadline = 0;
        state.flags &= ~FLAGS_REJECTION;
        task.state = state;

        emit ITaskMarket.MilestoneSettled(
            taskId,
            state.executor,
            settlement.milestone,
            settlement.payout,
            settlement.fee,
            settlement.refund
        );

        _push(terms.token, state.executor, settlement.payout);
    }

    /// @dev How a settlement divides the submission's amount; marks the verifier fee paid in `state` if it is.
    function _settlementOf(
        uint256 taskId,
        TaskTerms calldata terms,
        TaskState memory state,
        uint256 shareBps,
        bool decidedByVerifier
    ) internal view returns (Settlement memory settlement) {
        uint256 amount = _reward(taskId, terms, state.flags);
        settlement.isLast = true;
        if (terms.milestoneShares != 0) {
            settlement.milestone = _progress[taskId].milestonesVerified;
            (amount, settlement.isLast) = _milestoneAmount(terms.milestoneShares, amount, settlement.milestone);
        }
        uint256 gross = shareBps == BPS_DENOMINATOR ? amount : (amount * shareBps) / BPS_DENOMINATOR;
        settlement.fee = (gross * terms.feeBps) / BPS_DENOMINATOR;
        settlement.payout = gross - settlement.fee;
        settlement.refund = amount - gross;
        if (decidedByVerifier) settlement.verifierPayment = _takeVerifierFee(terms, state);
        else if (settlement.isLast) settlement.refund += _unspentVerifierFee(terms, state.flags);
    }

    /// @dev The verifier fee owed for a decision made now — the verifier's first — marking it paid in `state`.
    function _takeVerifierFee(TaskTerms calldata terms, TaskState memory state) internal pure returns (uint256) {
        if (terms.verifierFee == 0 || state.flags & FLAG_VERIFIER_PAID != 0) return 0;
        state.flags |= FLAG_VERIFIER_PAID;
        return terms.verifierFee;
    }

    function _payVerifier(uint256 taskId, TaskTerms calldata terms, uint256 amount) internal {
        if (amount == 0) return;
        emit ITaskMarket.VerifierPaid(taskId, terms.verifier, amount);
        _push(terms.token, terms.verifier, amount);
    }

    /// @dev The verifier fee still in escrow, which returns to the poster when the task ends without it being earned.
    function _unspentVerifierFee(TaskTerms calldata terms, uint8 flags) internal pure returns (uint256) {
        return flags & FLAG_VERIFIER_PAID == 0 ? terms.verifierFee : 0;
    }

    /// @dev The reward the task pays now: the terms' reward, less what was released to the poster at assignment and
    /// what subtasks drew from it.
    function _reward(uint256 taskId, TaskTerms calldata terms, uint8 flags) internal view returns (uint256) {
        if (flags & FLAG_EXTENDED == 0) return terms.reward;
        TaskFunding memory funding = _fundings[taskId];
        return terms.reward - funding.released - funding.drawn;
    }

    /// @dev The part of the reward not yet paid out through verified milestones.
    function _unpaidReward(uint256 taskId, TaskTerms calldata terms, uint8 flags) internal view returns (uint256) {
        uint256 reward = _reward(taskId, terms, flags);
        if (terms.milestoneShares == 0) return reward;
        uint256 lanes = uint256(terms.milestoneShares);
        uint256 verified = _progress[taskId].milestonesVerified;
        // The last milestone takes what the rounded-down shares left, so once it is settled nothing is unpaid.
        if (verified == _milestoneCount(lanes)) return 0;
        return reward - _paidBefore(reward, lanes, verified);
    }

    /// @dev The amount of milestone `index`, and whether it is the last. Every milestone but the last is its share of
    /// the reward rounded down; the last takes what remains, so the milestones add up to the reward exactly.
    function _milestoneAmount(
        bytes32 milestoneShares,
        uint256 reward,
        uint256 index
    ) internal pure returns (uint256 amount, bool isLast) {
        uint256 lanes = uint256(milestoneShares);
        isLast = index + 1 == _milestoneCount(lanes);
        amount =
            isLast
                ? reward - _paidBefore(reward, lanes, index)
                : (_milestoneShare(lanes, index) * reward) / BPS_DENOMINATOR;
    }

    /// @dev Returns `amount` of escrow the task no longer needs — to the poster, or for a subtask to its parent's
    /// escrow — and pays `bondToPoster` to the poster. `ended` closes a subtask on its parent.
    function _returnEscrow(
        uint256 taskId,
        TaskTerms calldata terms,
        uint8 flags,
        uint256 amount,
        uint256 bondToPoster,
        bool ended
    ) internal {
        SubtaskLink memory link;
        if (flags & FLAG_EXTENDED != 0) link = _parents[taskId];
        if (link.parentId == 0) {
            _push(terms.token, terms.poster, amount + bondToPoster);
            return;
        }
        _push(terms.token, terms.poster, bondToPoster);
        if (ended) _fundings[link.parentId].openSubtasks -= 1;
        if (amount != 0) _returnToParent(taskId, link, terms.token, amount);
    }

    /// @dev Returns `amount` from subtask `subtaskId` to its parent's escrow. A parent that has ended (cancelled,
    /// expired, or settled while a subtask below one of its ended subtasks was still open) has paid out or returned
    /// the rest of its escrow already, so the amount follows the way a refund of the parent goes: to the grandparent's
    /// escrow, and so on, or to the poster of the first task up the chain that is not a subtask. The loop is bounded by
    /// `SUBTASK_DEPTH_CAP`.
    function _returnToParent(uint256 subtaskId, SubtaskLink memory link, address token, uint256 amount) internal {
        while (true) {
            TaskState memory parentState = _tasks[link.parentId].state;
            TaskStatus status = parentState.status;
            // A parent can have settled while a subtask of one of its own ended subtasks is still open: it waits only
            // for its direct subtasks. Its escrow is gone either way, so settled counts as ended.
            if (status != TaskStatus.Cancelled && status != TaskStatus.Expired && status != TaskStatus.Settled) {
                // At most what the subtask was funded with comes back, and its funding is part of `drawn`.
                _fundings[link.parentId].drawn -= uint96(amount);
                emit ITaskMarket.SubtaskFundsReturned(link.parentId, subtaskId, address(this), amount);
                return;
            }
            SubtaskLink memory grandparent;
            if (parentState.flags & FLAG_EXTENDED != 0) grandparent = _parents[link.parentId];
            if (grandparent.parentId == 0) {
                emit ITaskMarket.SubtaskFundsReturned(link.parentId, subtaskId, link.parentPoster, amount);
                _push(token, link.parentPoster, amount);
                return;
            }
            subtaskId = link.parentId;
            link = grandparent;
        }
    }

    function _paidBefore(uint256 reward, uint256 lanes, uint256 index) internal pure returns (uint256 paid) {
        for (uint256 i = 0; i < index; ++i) {
            paid += (_milestoneShare(lanes, i) * reward) / BPS_DENOMINATOR;
        }
    }

    /// @dev The number of leading non-zero lanes.
    function _milestoneCount(uint256 lanes) internal pure returns (uint256 count) {
        while (count < MILESTONES_CAP && _milestoneShare(lanes, count) != 0) ++count;
    }

    function _milestoneShare(uint256 lanes, uint256 index) internal pure returns (uint256) {
        return (lanes >> (256 - MILESTONE_LANE_BITS * (index + 1))) & 0xffff;
    }

    /// @dev If `previous` holds a claim whose execution deadline passed, records the lapse against its executor and
    /// returns where its bond goes; the caller pays it. The bond is forfeited to the poster — the executor held the
    /// task and did not deliver in time, whether it never submitted or did not resubmit after a rejection — except
    /// when the last rejection came after the execution deadline: the executor delivered on time and had no chance to
    /// resubmit, so it gets the bond back and a verifier gains nothing by rejecting late.
    function _clearLapsedClaim(
        uint256 taskId,
        TaskTerms calldata terms,
        TaskState memory previous
    ) internal returns (uint256 forfeitedBond, uint256 returnedBond) {
        if (previous.status != TaskStatus.Claimed && previous.status != TaskStatus.InProgress) return (0, 0);

        bool afterRejection = previous.flags & FLAG_REJECTED != 0;
        ExecutorRecord storage record = _executorRecords[previous.executor];
        if (afterRejection) record.rejected += 1;
        else record.expired += 1;
        if (previous.flags & FLAG_REJECTED_AFTER_DEADLINE != 0) returnedBond = terms.claimBond;
        else forfeitedBond = terms.claimBond;

        emit ITaskMarket.ClaimLapsed(taskId, previous.executor, afterRejection, uint128(forfeitedBond));
    }

    /// @dev Pulls `amount` of `token` from `from` and checks that exactly that much arrived.
    function _pullExactly(IERC20 token, address from, uint256 amount) internal {
        uint256 balanceBefore = token.balanceOf(address(this));
        token.safeTransferFrom(from, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - balanceBefore;
        if (received != amount) revert Errors.TaskMarket_TokenTransferShortfall(address(token), amount, received);
    }

    /// @dev Pays `amount` to `to`, or credits it for a later {withdraw} if the transfer fails, so that no recipient
    /// can block the transition that pays it.
    function _push(address token, address to, uint256 amount) internal {
        if (amount == 0) return;
        bool success;
        if (token == address(0)) {
            // Bounded gas and no return data copied: a receiver can neither exhaust the caller's gas nor return-bomb.
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                success := call(PUSH_GAS, to, amount, 0, 0, 0, 0)
            }
        } else {
            success = IERC20(token).trySafeTransfer(to, amount);
        }
        if (!success) {
            _credits[to][token] += amount;
            emit ITaskMarket.PaymentCredited(to, token, amount);
        }
    }

    /// @dev Transfers out a withdrawal; unlike {_push}, a failure reverts so the balance stays withdrawable.
    function _transferOut(address token, address to, uint256 amount) internal {
        if (token == address(0)) {
            (bool success, ) = to.call{ value: amount }("");
            if (!success) revert Errors.TaskMarket_EthTransferFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }

    function _revertInvalidStatus(uint256 taskId) internal view {
        Task storage task = _tasks[taskId];
        TaskState memory state = task.state;
        if (state.status == TaskStatus.None) revert Errors.TaskMarket_TaskNotFound(taskId);
        revert Errors.TaskMarket_InvalidStatus(taskId, _statusOf(state, _claimDeadlineOf(task.commitment)));
    }

    /// @dev The single place where time-based outcomes are derived; see `TaskStatus`.
    function _statusOf(TaskState memory state, uint40 claimDeadline) internal view returns (TaskStatus) {
        TaskStatus status = state.status;
        if (status == TaskStatus.Posted) {
            return block.timestamp > claimDeadline ? TaskStatus.Expired : TaskStatus.Posted;
        }
        if (status == TaskStatus.Claimed || status == TaskStatus.InProgress) {
            if (block.timestamp <= state.executionDeadline) return status;
            // The claim lapsed: the task is open again until its claim deadline.
            return block.timestamp > claimDeadline ? TaskStatus.Expired : TaskStatus.Posted;
        }
        if (status == TaskStatus.Submitted || status == TaskStatus.Disputed) {
            // A review window, or a hold, that ran out: the submission is settled as it stands.
            return block.timestamp > state.reviewDeadline ? TaskStatus.Verified : status;
        }
        return status;
    }

    /// @dev The commitment stored for new terms. `abi.encode` validates every field (no dirty bits), so what is
    /// stored is the digest of the canonical encoding that {_matchesCommitment} later compares against.
    function _commit(TaskTerms calldata terms) internal pure returns (uint256) {
        return _packCommitment(terms.claimDeadline, keccak256(abi.encode(terms)));
    }

    /// @dev Whether `terms` hash to `commitment`. Hashes the calldata as it is, which costs a fraction of
    /// re-encoding it: clean calldata is byte-for-byte the canonical encoding, and calldata with dirty bits simply
    /// does not match.
    function _matchesCommitment(uint256 commitment, TaskTerms calldata terms) internal pure returns (bool) {
        bytes32 digest;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let scratch := mload(0x40)
            calldatacopy(scratch, terms, TERMS_ENCODED_SIZE)
            digest := keccak256(scratch, TERMS_ENCODED_SIZE)
        }
        return commitment == _packCommitment(_claimDeadlineOf(commitment), digest);
    }

    function _packCommitment(uint40 claimDeadline, bytes32 digest) internal pure returns (uint256) {
        return (uint256(claimDeadline) << CLAIM_DEADLINE_SHIFT) | (uint256(digest) >> (256 - CLAIM_DEADLINE_SHIFT));
    }

    function _claimDeadlineOf(uint256 commitment) internal pure returns (uint40) {
        return uint40(commitment >> CLAIM_DEADLINE_SHIFT);
    }
}
