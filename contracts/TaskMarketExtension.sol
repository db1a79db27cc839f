// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { IERC20Permit } from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import { Math } from "@openzeppelin/contracts/utils/math/Math.sol";

import { TaskMarketCore } from "./abstracts/TaskMarketCore.sol";
import { IExecutorRegistry } from "./interfaces/IExecutorRegistry.sol";
import { ITaskMarket } from "./interfaces/ITaskMarket.sol";
import { Errors } from "./libraries/Errors.sol";
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
} from "./types/TaskTypes.sol";

/// @title TaskMarketExtension
/// @notice The less frequent entry points of {TaskMarket}: those only tasks with options use (creation with options,
/// assignment by an assignment module, subtasks funded from a parent's escrow), and funding by permit, cancellation
/// by consent and ratings. See their documentation in {ITaskMarket}.
/// @dev Deployed by the market's constructor and run only through the market's delegatecall, on the market's storage
/// (laid out by {TaskMarketCore}), inside the market's reentrancy lock and pause check. Called directly it would act
/// on storage of its own that holds no funds; it refuses to.
contract TaskMarketExtension is TaskMarketCore {
    /// @dev This contract's own address, to tell a delegatecall from a direct call.
    address private immutable _self = address(this);

    modifier onlyDelegated() {
        if (address(this) == _self) revert ITaskMarket.TaskMarketExtension_NotDelegated();
        _;
    }

    constructor(IExecutorRegistry registry) TaskMarketCore(registry) {}

    /// @dev See {ITaskMarket-createTaskWithOptions}.
    function createTaskWithOptions(
        TaskTerms calldata terms,
        TaskOptions calldata options,
        bytes32[] calldata capabilities,
        string calldata documentURI
    ) external payable onlyDelegated returns (uint256 taskId) {
        uint256 funding = uint256(terms.reward) + terms.verifierFee;
        uint256 value = terms.token == address(0) ? funding : 0;
        if (msg.value != value) revert Errors.TaskMarket_IncorrectPayment(value, msg.value);
        taskId = _recordNewTask(terms, capabilities, documentURI);
        _storeOptions(taskId, terms, options);
        if (value != funding) _pullExactly(IERC20(terms.token), msg.sender, funding);
    }

    /// @dev See {ITaskMarket-assign}.
    function assign(
        uint256 taskId,
        TaskTerms calldata terms,
        address executor,
        uint256 price,
        bytes32[] calldata capabilities
    ) external payable onlyDelegated {
        Task storage task = _taskWithTerms(taskId, terms);
        TaskState memory previous = task.state;
        if (previous.flags & FLAG_EXTENDED == 0 || msg.sender != _options[taskId].assigner) {
            revert Errors.TaskMarket_CallerNotAssigner(taskId, msg.sender);
        }

        uint256 currentPrice = terms.reward - _fundings[taskId].released;
        if (price == currentPrice) {
            _claimFor(task, taskId, terms, previous, executor, capabilities);
            return;
        }
        // Only the first assignment may lower the price: milestones and refunds are computed from it afterwards.
        if (price == 0 || price > currentPrice || previous.executor != address(0)) {
            revert ITaskMarket.TaskMarket_InvalidPrice(taskId, price, currentPrice);
        }
        uint256 released = terms.reward - price;
        _fundings[taskId].released = uint128(released);

        emit ITaskMarket.RewardLowered(taskId, terms.poster, price, released);

        _claimFor(task, taskId, terms, previous, executor, capabilities);
        _returnEscrow(taskId, terms, previous.flags, released, 0, false);
    }

    /// @dev See {ITaskMarket-createSubtask}.
    function createSubtask(
        uint256 parentId,
        TaskTerms calldata parentTerms,
        TaskTerms calldata terms,
        TaskOptions calldata options,
        bytes32[] calldata capabilities,
        string calldata documentURI
    ) external onlyDelegated returns (uint256 subtaskId) {
        TaskState memory parentState = _taskWithTerms(parentId, parentTerms).state;
        _checkWorking(parentId, parentTerms, parentState);
        if (msg.sender != parentState.executor) revert Errors.TaskMarket_CallerNotExecutor(parentId, msg.sender);
        if (terms.token != parentTerms.token) {
            revert ITaskMarket.TaskMarket_SubtaskTokenMismatch(parentTerms.token, terms.token);
        }

        uint256 cost = _drawFromParent(
            parentId,
            parentTerms,
            parentState.flags,
            uint256(terms.reward) + terms.verifierFee
        );

        subtaskId = _recordNewTask(terms, capabilities, documentURI);
        _storeOptions(subtaskId, terms, options);
        _tasks[subtaskId].state.flags = FLAG_EXTENDED;
        _parents[subtaskId] = SubtaskLink({
            parentId: uint64(parentId),
            parentPoster: parentTerms.poster,
            depth: _depthBelow(parentId, parentState.flags)
        });

        emit ITaskMarket.SubtaskCreated(parentId, subtaskId, msg.sender, cost);
    }

    /// @dev See {ITaskMarket-createTaskWithPermit}.
    function createTaskWithPermit(
        TaskTerms calldata terms,
        bytes32[] calldata capabilities,
        string calldata documentURI,
        PermitSignature calldata permit
    ) external onlyDelegated returns (uint256 taskId) {
        if (terms.token == address(0)) revert ITaskMarket.TaskMarket_PermitNeedsToken();
        uint256 funding = uint256(terms.reward) + terms.verifierFee;
        // A permit can be front-run and consumed by anyone who sees it; the allowance it set is what matters, and a
        // missing allowance still reverts in the transfer below.
        try
            IERC20Permit(terms.token).permit(
                msg.sender,
                address(this),
                funding,
                permit.deadline,
                permit.v,
                permit.r,
                permit.s
            )
        {} catch {}
        taskId = _recordNewTask(terms, capabilities, documentURI);
        _pullExactly(IERC20(terms.token), msg.sender, funding);
    }

    /// @dev See {ITaskMarket-consentToCancel}.
    function consentToCancel(uint256 taskId, TaskTerms calldata terms) external onlyDelegated {
        Task storage task = _taskWithTerms(taskId, terms);
        TaskState memory state = task.state;
        TaskStatus status = _statusOf(state, terms.claimDeadline);
        if (
            status != TaskStatus.Claimed &&
            status != TaskStatus.InProgress &&
            status != TaskStatus.Submitted &&
            status != TaskStatus.Disputed
        ) {
            revert Errors.TaskMarket_InvalidStatus(taskId, status);
        }
        uint8 consent;
        if (msg.sender == terms.poster) consent = FLAG_POSTER_CONSENTED_TO_CANCEL;
        else if (msg.sender == state.executor) consent = FLAG_EXECUTOR_CONSENTED_TO_CANCEL;
        else revert ITaskMarket.TaskMarket_CallerNotParty(taskId, msg.sender);

        uint8 flags = state.flags | consent;
        task.state.flags = flags;
        emit ITaskMarket.CancellationConsented(taskId, msg.sender);
        if (flags & FLAGS_BOTH_CONSENTED != FLAGS_BOTH_CONSENTED) return;

        task.state.status = TaskStatus.Cancelled;
        _posterRecords[terms.poster].cancelled += 1;
        // Milestones already verified were paid when they were; what is left of the escrow goes back.
        uint256 refund = _unpaidReward(taskId, terms, flags) + _unspentVerifierFee(terms, flags);

        emit ITaskMarket.TaskCancelled(taskId, terms.poster, refund, terms.claimBond);

        _returnEscrow(taskId, terms, flags, refund, 0, true);
        _push(terms.token, state.executor, terms.claimBond);
    }

    /// @dev See {ITaskMarket-rate}.
    function rate(uint256 taskId, TaskTerms calldata terms, uint8 rating) external onlyDelegated {
        Task storage task = _taskWithTerms(taskId, terms);
        TaskState memory state = task.state;
        if (state.status != TaskStatus.Settled) {
            revert Errors.TaskMarket_InvalidStatus(taskId, _statusOf(state, terms.claimDeadline));
        }
        if (rating == 0 || rating > 5) revert ITaskMarket.TaskMarket_InvalidRating(rating);

        address ratee;
        uint8 ratedFlag;
        if (msg.sender == terms.poster) {
            (ratee, ratedFlag) = (state.executor, FLAG_POSTER_RATED);
        } else if (msg.sender == state.executor) {
            (ratee, ratedFlag) = (terms.poster, FLAG_EXECUTOR_RATED);
        } else {
            revert ITaskMarket.TaskMarket_CallerNotParty(taskId, msg.sender);
        }
        if (state.flags & ratedFlag != 0) revert ITaskMarket.TaskMarket_AlreadyRated(taskId, msg.sender);

        task.state.flags = state.flags | ratedFlag;
        if (ratedFlag == FLAG_POSTER_RATED) {
            ExecutorRecord storage record = _executorRecords[ratee];
            record.ratingSum += rating;
            record.ratingCount += 1;
        } else {
            PosterRecord storage record = _posterRecords[ratee];
            record.ratingSum += rating;
            record.ratingCount += 1;
        }

        emit ITaskMarket.PartyRated(taskId, msg.sender, ratee, rating);
    }

    /// @dev The depth of a new subtask of `parentId`, at most `MAX_SUBTASK_DEPTH`.
    function _depthBelow(uint256 parentId, uint8 parentFlags) private view returns (uint8 depth) {
        depth = 1;
        if (parentFlags & FLAG_EXTENDED != 0) depth += _parents[parentId].depth;
        if (depth > SUBTASK_DEPTH_CAP) revert ITaskMarket.TaskMarket_SubtaskTooDeep(parentId, SUBTASK_DEPTH_CAP);
    }

    /// @dev Takes `cost` from what is left of the parent's subtask budget and counts one more open subtask.
    function _drawFromParent(
        uint256 parentId,
        TaskTerms calldata parentTerms,
        uint8 parentFlags,
        uint256 cost
    ) private returns (uint256) {
        // A task without options has no subtask budget; one with options has its budget and funding record.
        uint256 budget = parentFlags & FLAG_EXTENDED == 0 ? 0 : _options[parentId].subtaskBudget;
        TaskFunding memory funding = _fundings[parentId];
        // The budget never reaches into what the poster got back at assignment.
        uint256 available = Math.min(budget, parentTerms.reward - funding.released) - funding.drawn;
        if (cost > available) revert ITaskMarket.TaskMarket_SubtaskBudgetExceeded(parentId, cost, available);
        // `cost` is at most the budget, which fits 96 bits, and so is `drawn + cost`.
        _fundings[parentId] = TaskFunding({
            released: funding.released,
            drawn: funding.drawn + uint96(cost),
            openSubtasks: funding.openSubtasks + 1
        });
        return cost;
    }

    /// @dev Validates and stores the options of a new task and flags it, when it has any.
    function _storeOptions(uint256 taskId, TaskTerms calldata terms, TaskOptions calldata options) private {
        if (options.subtaskBudget > terms.reward || (options.subtaskBudget != 0 && terms.milestoneShares != 0)) {
            revert ITaskMarket.TaskMarket_InvalidSubtaskBudget(options.subtaskBudget);
        }
        if (options.assigner == address(0)) {
            if (options.assignerConfigHash != 0) revert ITaskMarket.TaskMarket_ConfigWithoutAssigner();
            if (options.subtaskBudget == 0) return;
        }
        _options[taskId] = options;
        _tasks[taskId].state.flags = FLAG_EXTENDED;

        emit ITaskMarket.TaskOptionsSet(taskId, options.assigner, options);
    }
}
