// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Ownable } from "@openzeppelin/contracts/access/Ownable.sol";
import { Ownable2Step } from "@openzeppelin/contracts/access/Ownable2Step.sol";
import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { SafeERC20 } from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import { Pausable } from "@openzeppelin/contracts/utils/Pausable.sol";

import { NonReentrant } from "./abstracts/NonReentrant.sol";
import { TaskMarketCore } from "./abstracts/TaskMarketCore.sol";
import { TaskMarketExtension } from "./TaskMarketExtension.sol";
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

/// @title TaskMarket
/// @notice See the documentation in {ITaskMarket}.
/// @dev The entry points of every task run here; the less frequent ones that only tasks with options use (creation
/// with options, assignment, subtasks) run in {TaskMarketExtension}, delegatecalled on this storage, which keeps this
/// contract within the code size limit. {TaskMarketCore} comes first in the inheritance list so that both lay out
/// storage alike.
contract TaskMarket is TaskMarketCore, ITaskMarket, Ownable2Step, Pausable, NonReentrant {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ITaskMarket
    uint16 public constant override MAX_FEE_BPS = 500;

    /// @inheritdoc ITaskMarket
    uint256 public constant override MAX_TASK_CAPABILITIES = CAPABILITIES_CAP;

    /// @inheritdoc ITaskMarket
    uint256 public constant override ETH_PUSH_GAS = PUSH_GAS;

    /// @inheritdoc ITaskMarket
    uint256 public constant override MAX_MILESTONES = MILESTONES_CAP;

    /// @inheritdoc ITaskMarket
    uint256 public constant override MAX_HOLD_DURATION = 180 days;

    /// @inheritdoc ITaskMarket
    uint256 public constant override MAX_SUBTASK_DEPTH = SUBTASK_DEPTH_CAP;

    /// @notice The contract that runs the entry points of tasks with options, on this contract's storage.
    address public immutable extension;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    constructor(
        address initialOwner,
        IExecutorRegistry registry,
        uint16 initialFeeBps,
        address initialFeeRecipient
    ) TaskMarketCore(registry) Ownable(initialOwner) {
        if (initialFeeRecipient == address(0)) revert Errors.TaskMarket_ZeroAddress();
        if (initialFeeBps > MAX_FEE_BPS) revert Errors.TaskMarket_FeeAboveCap(initialFeeBps, MAX_FEE_BPS);
        extension = address(new TaskMarketExtension(registry));
        _config = MarketConfig({ nextTaskId: 1, protocolFeeBps: initialFeeBps, feeRecipient: initialFeeRecipient });
    }

    /*//////////////////////////////////////////////////////////////
                             READ FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ITaskMarket
    function executorRegistry() external view override returns (IExecutorRegistry) {
        return _executorRegistry;
    }

    /// @inheritdoc ITaskMarket
    function protocolFeeBps() external view override returns (uint16) {
        return _config.protocolFeeBps;
    }

    /// @inheritdoc ITaskMarket
    function feeRecipient() external view override returns (address) {
        return _config.feeRecipient;
    }

    /// @inheritdoc ITaskMarket
    function nextTaskId() external view override returns (uint256) {
        return _config.nextTaskId;
    }

    /// @inheritdoc ITaskMarket
    function statusOf(uint256 taskId) external view override returns (TaskStatus) {
        Task storage task = _tasks[taskId];
        return _statusOf(task.state, _claimDeadlineOf(task.commitment));
    }

    /// @inheritdoc ITaskMarket
    function stateOf(uint256 taskId) external view override returns (TaskState memory) {
        return _tasks[taskId].state;
    }

    /// @inheritdoc ITaskMarket
    function commitmentOf(uint256 taskId) external view override returns (uint40 claimDeadline, bytes27 termsDigest) {
        uint256 commitment = _tasks[taskId].commitment;
        claimDeadline = _claimDeadlineOf(commitment);
        termsDigest = bytes27(bytes32(commitment << 40));
    }

    /// @inheritdoc ITaskMarket
    function matchesTerms(uint256 taskId, TaskTerms calldata terms) external view override returns (bool) {
        uint256 commitment = _tasks[taskId].commitment;
        return commitment != 0 && _matchesCommitment(commitment, terms);
    }

    /// @inheritdoc ITaskMarket
    function submissionOf(uint256 taskId) external view override returns (bytes32) {
        return _submissions[taskId];
    }

    /// @inheritdoc ITaskMarket
    function progressOf(
        uint256 taskId
    ) external view override returns (uint8 milestonesVerified, uint40 heldAt, uint16 holdShareBps) {
        TaskProgress memory progress = _progress[taskId];
        return (progress.milestonesVerified, progress.heldAt, progress.holdShareBps);
    }

    /// @inheritdoc ITaskMarket
    function unpaidRewardOf(uint256 taskId, TaskTerms calldata terms) external view override returns (uint256) {
        return _unpaidReward(taskId, terms, _taskWithTerms(taskId, terms).state.flags);
    }

    /// @inheritdoc ITaskMarket
    function optionsOf(uint256 taskId) external view override returns (TaskOptions memory) {
        return _options[taskId];
    }

    /// @inheritdoc ITaskMarket
    function fundingOf(uint256 taskId) external view override returns (TaskFunding memory) {
        return _fundings[taskId];
    }

    /// @inheritdoc ITaskMarket
    function parentOf(uint256 taskId) external view override returns (SubtaskLink memory) {
        return _parents[taskId];
    }

    /// @inheritdoc ITaskMarket
    function executorRecordOf(address account) external view override returns (ExecutorRecord memory) {
        return _executorRecords[account];
    }

    /// @inheritdoc ITaskMarket
    function posterRecordOf(address account) external view override returns (PosterRecord memory) {
        return _posterRecords[account];
    }

    /// @inheritdoc ITaskMarket
    function earnedOf(address executor, address token) external view override returns (uint256) {
        return _earned[executor][token];
    }

    /// @inheritdoc ITaskMarket
    function creditOf(address account, address token) external view override returns (uint256) {
        return _credits[account][token];
    }

    /// @inheritdoc ITaskMarket
    function accruedFeesOf(address token) external view override returns (uint256) {
        return _accruedFees[token];
    }

    /*//////////////////////////////////////////////////////////////
                        WRITE FUNCTIONS: POSTING
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ITaskMarket
    function createTask(
        TaskTerms calldata terms,
        bytes32[] calldata capabilities,
        string calldata documentURI
    ) external payable override whenNotPaused nonReentrant returns (uint256 taskId) {
        uint256 funding = uint256(terms.reward) + terms.verifierFee;
        if (terms.token == address(0)) {
            if (msg.value != funding) revert Errors.TaskMarket_IncorrectPayment(funding, msg.value);
            taskId = _recordNewTask(terms, capabilities, documentURI);
        } else {
            if (msg.value != 0) revert Errors.TaskMarket_IncorrectPayment(0, msg.value);
            taskId = _recordNewTask(terms, capabilities, documentURI);
            _pullExactly(IERC20(terms.token), msg.sender, funding);
        }
    }

    /// @inheritdoc ITaskMarket
    function createTaskWithPermit(
        TaskTerms calldata,
        bytes32[] calldata,
        string calldata,
        PermitSignature calldata
    ) external override whenNotPaused nonReentrant returns (uint256) {
        return abi.decode(_delegateToExtension(), (uint256));
    }

    /// @inheritdoc ITaskMarket
    function createTaskWithOptions(
        TaskTerms calldata,
        TaskOptions calldata,
        bytes32[] calldata,
        string calldata
    ) external payable override whenNotPaused nonReentrant returns (uint256) {
        return abi.decode(_delegateToExtension(), (uint256));
    }

    /// @inheritdoc ITaskMarket
    function cancel(uint256 taskId, TaskTerms calldata terms) external override nonReentrant {
        Task storage task = _taskWithTerms(taskId, terms);
        TaskState memory state = task.state;
        TaskStatus status = _statusOf(state, terms.claimDeadline);
        if (status != TaskStatus.Posted) revert Errors.TaskMarket_InvalidStatus(taskId, status);
        if (msg.sender != terms.poster && !_isAssigner(taskId, state.flags, msg.sender)) {
            revert Errors.TaskMarket_CallerNotPoster(taskId, msg.sender);
        }

        task.state.status = TaskStatus.Cancelled;
        (uint256 forfeitedBond, uint256 returnedBond) = _clearLapsedClaim(taskId, terms, state);
        _posterRecords[terms.poster].cancelled += 1;
        uint256 refund = _unpaidReward(taskId, terms, state.flags) + _unspentVerifierFee(terms, state.flags);

        emit TaskCancelled(taskId, terms.poster, refund, returnedBond);

        _returnEscrow(taskId, terms, state.flags, refund, forfeitedBond, true);
        _push(terms.token, state.executor, returnedBond);
    }

    /// @inheritdoc ITaskMarket
    function refundExpired(uint256 taskId, TaskTerms calldata terms) external override nonReentrant {
        Task storage task = _taskWithTerms(taskId, terms);
        TaskState memory state = task.state;
        TaskStatus status = _statusOf(state, terms.claimDeadline);
        // A stored `Expired` also derives as `Expired`: it has been refunded already.
        if (status != TaskStatus.Expired || state.status == TaskStatus.Expired) {
            revert Errors.TaskMarket_InvalidStatus(taskId, status);
        }

        task.state.status = TaskStatus.Expired;
        (uint256 forfeitedBond, uint256 returnedBond) = _clearLapsedClaim(taskId, terms, state);
        _posterRecords[terms.poster].expired += 1;
        uint256 refund = _unpaidReward(taskId, terms, state.flags) + _unspentVerifierFee(terms, state.flags);

        emit TaskExpired(taskId, terms.poster, refund, forfeitedBond);

        _returnEscrow(taskId, terms, state.flags, refund, forfeitedBond, true);
        _push(terms.token, state.executor, returnedBond);
    }

    /*//////////////////////////////////////////////////////////////
                       WRITE FUNCTIONS: EXECUTION
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ITaskMarket
    function claim(
        uint256 taskId,
        TaskTerms calldata terms,
        bytes32[] calldata capabilities
    ) external payable override nonReentrant {
        Task storage task = _taskWithTerms(taskId, terms);
        TaskState memory previous = task.state;
        if (previous.flags & FLAG_EXTENDED != 0 && _options[taskId].assigner != address(0)) {
            revert Errors.TaskMarket_CallerNotAssigner(taskId, msg.sender);
        }
        _claimFor(task, taskId, terms, previous, msg.sender, capabilities);
    }

    /// @inheritdoc ITaskMarket
    function assign(
        uint256,
        TaskTerms calldata,
        address,
        uint256,
        bytes32[] calldata
    ) external payable override nonReentrant {
        _delegateToExtension();
    }

    /// @inheritdoc ITaskMarket
    function createSubtask(
        uint256,
        TaskTerms calldata,
        TaskTerms calldata,
        TaskOptions calldata,
        bytes32[] calldata,
        string calldata
    ) external override whenNotPaused nonReentrant returns (uint256) {
        return abi.decode(_delegateToExtension(), (uint256));
    }

    /// @inheritdoc ITaskMarket
    function start(uint256 taskId) external override {
        TaskState storage state = _tasks[taskId].state;
        if (state.status != TaskStatus.Claimed || block.timestamp > state.executionDeadline) {
            _revertInvalidStatus(taskId);
        }
        if (msg.sender != state.executor) revert Errors.TaskMarket_CallerNotExecutor(taskId, msg.sender);

        state.status = TaskStatus.InProgress;

        emit TaskStarted(taskId, msg.sender);
    }

    /// @inheritdoc ITaskMarket
    function checkpoint(
        uint256 taskId,
        uint8 percentComplete,
        bytes32 progressHash,
        string calldata progressURI
    ) external override {
        TaskState storage state = _tasks[taskId].state;
        if (state.status != TaskStatus.InProgress || block.timestamp > state.executionDeadline) {
            _revertInvalidStatus(taskId);
        }
        if (msg.sender != state.executor) revert Errors.TaskMarket_CallerNotExecutor(taskId, msg.sender);
        if (percentComplete > 100) revert Errors.TaskMarket_InvalidProgress(percentComplete);

        emit CheckpointPosted(taskId, msg.sender, percentComplete, progressHash, progressURI);
    }

    /// @inheritdoc ITaskMarket
    function submit(
        uint256 taskId,
        TaskTerms calldata terms,
        bytes32 resultHash,
        string calldata resultURI
    ) external override {
        Task storage task = _taskWithTerms(taskId, terms);
        TaskState memory state = task.state;
        _checkWorking(taskId, terms, state);
        if (msg.sender != state.executor) revert Errors.TaskMarket_CallerNotExecutor(taskId, msg.sender);
        _checkNoOpenSubtasks(taskId, state.flags);

        uint40 reviewDeadline = uint40(block.timestamp) + terms.reviewWindow;
        task.state.status = TaskStatus.Submitted;
        task.state.reviewDeadline = reviewDeadline;
        if (terms.verifier != address(0)) _submissions[taskId] = resultHash;

        emit WorkSubmitted(taskId, msg.sender, resultHash, resultURI, reviewDeadline);
    }

    /// @inheritdoc ITaskMarket
    function submitVerified(
        uint256 taskId,
        TaskTerms calldata terms,
        bytes32 resultHash,
        string calldata resultURI
    ) external override nonReentrant {
        Task storage task = _taskWithTerms(taskId, terms);
        TaskState memory state = task.state;
        _checkWorking(taskId, terms, state);
        if (terms.verifier == address(0)) revert Errors.TaskMarket_NoDelegatedVerifier(taskId);
        if (msg.sender != terms.verifier) revert Errors.TaskMarket_CallerNotVerifier(taskId, msg.sender);
        _checkNoOpenSubtasks(taskId, state.flags);

        _submissions[taskId] = resultHash;

        emit WorkSubmitted(taskId, state.executor, resultHash, resultURI, uint40(block.timestamp));

        _settleSubmission(task, taskId, terms, state, BPS_DENOMINATOR, true);
    }

    /*//////////////////////////////////////////////////////////////
                      WRITE FUNCTIONS: VERIFICATION
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ITaskMarket
    function approve(uint256 taskId, TaskTerms calldata terms) external override nonReentrant {
        (Task storage task, TaskState memory state) = _submissionUnderReview(taskId, terms);

        _settleSubmission(task, taskId, terms, state, BPS_DENOMINATOR, true);
    }

    /// @inheritdoc ITaskMarket
    function reject(uint256 taskId, TaskTerms calldata terms, bytes32 reasonHash) external override nonReentrant {
        (Task storage task, TaskState memory state) = _submissionUnderReview(taskId, terms);

        // Time spent on hold is not the executor's: it is given back before the deadline is compared.
        if (state.status == TaskStatus.Disputed) {
            state.executionDeadline += uint40(block.timestamp) - _progress[taskId].heldAt;
        }
        // A rejection at or after the execution deadline leaves no time to resubmit: the claim lapses at once.
        state.flags |= block.timestamp >= state.executionDeadline ? FLAGS_REJECTION : FLAG_REJECTED;
        state.status = TaskStatus.InProgress;
        state.reviewDeadline = 0;
        uint256 verifierPayment = _takeVerifierFee(terms, state);
        task.state = state;

        emit SubmissionRejected(taskId, msg.sender, reasonHash);

        _payVerifier(taskId, terms, verifierPayment);
    }

    /// @inheritdoc ITaskMarket
    function hold(
        uint256 taskId,
        TaskTerms calldata terms,
        uint40 until,
        uint16 defaultShareBps
    ) external override nonReentrant {
        (Task storage task, TaskState memory state) = _submissionUnderReview(taskId, terms);
        if (terms.verifier == address(0)) revert Errors.TaskMarket_NoDelegatedVerifier(taskId);
        if (defaultShareBps > BPS_DENOMINATOR) revert Errors.TaskMarket_InvalidShare(defaultShareBps);

        TaskProgress storage progress = _progress[taskId];
        // A hold can be extended, but never past `MAX_HOLD_DURATION` from when it was first placed.
        uint40 heldAt = state.status == TaskStatus.Disputed ? progress.heldAt : uint40(block.timestamp);
        uint256 latest = uint256(heldAt) + MAX_HOLD_DURATION;
        if (until <= block.timestamp || until > latest) revert Errors.TaskMarket_InvalidHoldEnd(until, latest);

        progress.heldAt = heldAt;
        progress.holdShareBps = defaultShareBps;
        state.status = TaskStatus.Disputed;
        state.reviewDeadline = until;
        uint256 verifierPayment = _takeVerifierFee(terms, state);
        task.state = state;

        emit SubmissionHeld(taskId, msg.sender, until, defaultShareBps);

        _payVerifier(taskId, terms, verifierPayment);
    }

    /// @inheritdoc ITaskMarket
    function resolve(uint256 taskId, TaskTerms calldata terms, uint16 executorShareBps) external override nonReentrant {
        (Task storage task, TaskState memory state) = _submissionUnderReview(taskId, terms);
        if (terms.verifier == address(0)) revert Errors.TaskMarket_NoDelegatedVerifier(taskId);
        if (executorShareBps > BPS_DENOMINATOR) revert Errors.TaskMarket_InvalidShare(executorShareBps);

        // Resolving a held submission ends a dispute: the side that gets the larger share won it.
        if (state.status == TaskStatus.Disputed) {
            ExecutorRecord storage record = _executorRecords[state.executor];
            if (2 * uint256(executorShareBps) >= BPS_DENOMINATOR) record.disputesWon += 1;
            else record.disputesLost += 1;
        }

        emit SubmissionResolved(taskId, msg.sender, executorShareBps);

        _settleSubmission(task, taskId, terms, state, executorShareBps, true);
    }

    /// @inheritdoc ITaskMarket
    function release(uint256 taskId, TaskTerms calldata terms) external override nonReentrant {
        Task storage task = _taskWithTerms(taskId, terms);
        TaskState memory state = task.state;
        bool held = state.status == TaskStatus.Disputed;
        // Only a submission whose review window (or hold) elapsed derives as `Verified`.
        if ((state.status != TaskStatus.Submitted && !held) || block.timestamp <= state.reviewDeadline) {
            revert Errors.TaskMarket_InvalidStatus(taskId, _statusOf(state, terms.claimDeadline));
        }

        emit TaskVerified(taskId);

        uint256 shareBps = held ? _progress[taskId].holdShareBps : BPS_DENOMINATOR;
        _settleSubmission(task, taskId, terms, state, shareBps, false);
    }

    /// @inheritdoc ITaskMarket
    function consentToCancel(uint256, TaskTerms calldata) external override nonReentrant {
        _delegateToExtension();
    }

    /// @inheritdoc ITaskMarket
    function rate(uint256, TaskTerms calldata, uint8) external override {
        _delegateToExtension();
    }

    /*//////////////////////////////////////////////////////////////
                        WRITE FUNCTIONS: FUNDS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ITaskMarket
    function withdraw(address token, address to) external override nonReentrant {
        if (to == address(0)) revert Errors.TaskMarket_ZeroAddress();
        uint256 amount = _credits[msg.sender][token];
        if (amount == 0) revert Errors.TaskMarket_NothingToWithdraw(msg.sender, token);

        delete _credits[msg.sender][token];

        emit CreditWithdrawn(msg.sender, token, to, amount);

        _transferOut(token, to, amount);
    }

    /// @inheritdoc ITaskMarket
    function withdrawProtocolFees(address token) external override nonReentrant {
        uint256 amount = _accruedFees[token];
        if (amount == 0) revert Errors.TaskMarket_NoFeesAccrued(token);
        address recipient = _config.feeRecipient;

        delete _accruedFees[token];

        emit ProtocolFeesWithdrawn(token, recipient, amount);

        _transferOut(token, recipient, amount);
    }

    /*//////////////////////////////////////////////////////////////
                        WRITE FUNCTIONS: ADMIN
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ITaskMarket
    function setProtocolFee(uint16 newFeeBps) external override onlyOwner {
        if (newFeeBps > MAX_FEE_BPS) revert Errors.TaskMarket_FeeAboveCap(newFeeBps, MAX_FEE_BPS);
        uint16 previousFeeBps = _config.protocolFeeBps;
        _config.protocolFeeBps = newFeeBps;
        emit ProtocolFeeUpdated(previousFeeBps, newFeeBps);
    }

    /// @inheritdoc ITaskMarket
    function setFeeRecipient(address newRecipient) external override onlyOwner {
        if (newRecipient == address(0)) revert Errors.TaskMarket_ZeroAddress();
        address previousRecipient = _config.feeRecipient;
        _config.feeRecipient = newRecipient;
        emit FeeRecipientUpdated(previousRecipient, newRecipient);
    }

    /// @inheritdoc ITaskMarket
    function pause() external override onlyOwner {
        _pause();
    }

    /// @inheritdoc ITaskMarket
    function unpause() external override onlyOwner {
        _unpause();
    }

    /*//////////////////////////////////////////////////////////////
                           PRIVATE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev Runs the current call in {TaskMarketExtension} on this contract's storage and returns what it returned,
    /// or bubbles up its revert. Called inside the entry point's modifiers, so the reentrancy lock and the pause
    /// apply to the extension too.
    function _delegateToExtension() private returns (bytes memory result) {
        bool success;
        // solhint-disable-next-line avoid-low-level-calls
        (success, result) = extension.delegatecall(msg.data);
        if (!success) {
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }

    /// @dev Whether `account` is the task's assignment module.
    function _isAssigner(uint256 taskId, uint8 flags, address account) private view returns (bool) {
        return flags & FLAG_EXTENDED != 0 && _options[taskId].assigner == account;
    }
}
