// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Ownable } from "@openzeppelin/contracts/access/Ownable.sol";
import { Ownable2Step } from "@openzeppelin/contracts/access/Ownable2Step.sol";
import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { IERC20Permit } from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import { SafeERC20 } from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import { Pausable } from "@openzeppelin/contracts/utils/Pausable.sol";

import { NonReentrant } from "./abstracts/NonReentrant.sol";
import { Eligibility, IExecutorRegistry } from "./interfaces/IExecutorRegistry.sol";
import { ITaskMarket } from "./interfaces/ITaskMarket.sol";
import { Errors } from "./libraries/Errors.sol";
import { ExecutorRecord, PermitSignature, PosterRecord, TaskState, TaskStatus, TaskTerms } from "./types/TaskTypes.sol";

/// @title TaskMarket
/// @notice See the documentation in {ITaskMarket}.
contract TaskMarket is ITaskMarket, Ownable2Step, Pausable, NonReentrant {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc ITaskMarket
    uint16 public constant override MAX_FEE_BPS = 500;

    /// @inheritdoc ITaskMarket
    uint256 public constant override MAX_TASK_CAPABILITIES = 16;

    /// @inheritdoc ITaskMarket
    uint256 public constant override ETH_PUSH_GAS = 100_000;

    /// @inheritdoc ITaskMarket
    uint256 public constant override MAX_MILESTONES = 16;

    /// @inheritdoc ITaskMarket
    uint256 public constant override MAX_HOLD_DURATION = 180 days;

    uint256 private constant BPS_DENOMINATOR = 10_000;

    /// @dev The commitment slot holds the claim deadline in its top 40 bits and a 216-bit digest of the terms below.
    /// 216 bits leave 108 bits of collision resistance, more than the 80 bits Ethereum addresses give.
    uint256 private constant CLAIM_DEADLINE_SHIFT = 216;

    /// @dev `TaskTerms` has only static fields, so its ABI encoding is 32 bytes per field: 15 fields.
    uint256 private constant TERMS_ENCODED_SIZE = 15 * 32;

    /// @dev Milestone shares are 16-bit lanes of `TaskTerms.milestoneShares`, the first in the top bits.
    uint256 private constant MILESTONE_LANE_BITS = 16;

    uint8 private constant FLAG_REJECTED = 1 << 0;
    uint8 private constant FLAG_POSTER_CONSENTED_TO_CANCEL = 1 << 1;
    uint8 private constant FLAG_EXECUTOR_CONSENTED_TO_CANCEL = 1 << 2;
    uint8 private constant FLAG_POSTER_RATED = 1 << 3;
    uint8 private constant FLAG_EXECUTOR_RATED = 1 << 4;
    uint8 private constant FLAG_REJECTED_AFTER_DEADLINE = 1 << 5;
    /// @dev Survives a lapsed claim: the verifier fee is paid once per task.
    uint8 private constant FLAG_VERIFIER_PAID = 1 << 6;
    uint8 private constant FLAGS_REJECTION = FLAG_REJECTED | FLAG_REJECTED_AFTER_DEADLINE;
    uint8 private constant FLAGS_BOTH_CONSENTED = FLAG_POSTER_CONSENTED_TO_CANCEL | FLAG_EXECUTOR_CONSENTED_TO_CANCEL;

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

    /// @inheritdoc ITaskMarket
    IExecutorRegistry public immutable override executorRegistry;

    MarketConfig private _config;
    mapping(uint256 taskId => Task task) private _tasks;
    mapping(address account => ExecutorRecord record) private _executorRecords;
    mapping(address account => PosterRecord record) private _posterRecords;
    mapping(address executor => mapping(address token => uint256 amount)) private _earned;
    mapping(address account => mapping(address token => uint256 amount)) private _credits;
    mapping(address token => uint256 amount) private _accruedFees;
    mapping(uint256 taskId => TaskProgress progress) private _progress;
    /// @dev The hash of the latest submission, recorded for tasks with a delegated verifier so that its decisions
    /// (attestations, proofs) can be bound to the result they judge.
    mapping(uint256 taskId => bytes32 resultHash) private _submissions;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    constructor(
        address initialOwner,
        IExecutorRegistry registry,
        uint16 initialFeeBps,
        address initialFeeRecipient
    ) Ownable(initialOwner) {
        if (address(registry) == address(0) || initialFeeRecipient == address(0)) {
            revert Errors.TaskMarket_ZeroAddress();
        }
        if (initialFeeBps > MAX_FEE_BPS) revert Errors.TaskMarket_FeeAboveCap(initialFeeBps, MAX_FEE_BPS);
        executorRegistry = registry;
        _config = MarketConfig({ nextTaskId: 1, protocolFeeBps: initialFeeBps, feeRecipient: initialFeeRecipient });
    }

    /*//////////////////////////////////////////////////////////////
                             READ FUNCTIONS
    //////////////////////////////////////////////////////////////*/

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
        _taskWithTerms(taskId, terms);
        return _unpaidReward(taskId, terms);
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
        TaskTerms calldata terms,
        bytes32[] calldata capabilities,
        string calldata documentURI,
        PermitSignature calldata permit
    ) external override whenNotPaused nonReentrant returns (uint256 taskId) {
        if (terms.token == address(0)) revert Errors.TaskMarket_PermitNeedsToken();
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

    /// @inheritdoc ITaskMarket
    function cancel(uint256 taskId, TaskTerms calldata terms) external override nonReentrant {
        Task storage task = _taskWithTerms(taskId, terms);
        TaskState memory state = task.state;
        TaskStatus status = _statusOf(state, terms.claimDeadline);
        if (status != TaskStatus.Posted) revert Errors.TaskMarket_InvalidStatus(taskId, status);
        if (msg.sender != terms.poster) revert Errors.TaskMarket_CallerNotPoster(taskId, msg.sender);

        task.state.status = TaskStatus.Cancelled;
        (uint256 forfeitedBond, uint256 returnedBond) = _clearLapsedClaim(taskId, terms, state);
        _posterRecords[terms.poster].cancelled += 1;
        uint256 refund = _unpaidReward(taskId, terms) + _unspentVerifierFee(terms, state.flags);

        emit TaskCancelled(taskId, terms.poster, refund, returnedBond);

        _push(terms.token, terms.poster, refund + forfeitedBond);
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
        uint256 refund = _unpaidReward(taskId, terms) + _unspentVerifierFee(terms, state.flags);

        emit TaskExpired(taskId, terms.poster, refund, forfeitedBond);

        _push(terms.token, terms.poster, refund + forfeitedBond);
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
        TaskStatus status = _statusOf(previous, terms.claimDeadline);
        if (status != TaskStatus.Posted) revert Errors.TaskMarket_InvalidStatus(taskId, status);
        _checkClaimant(taskId, terms, capabilities);
        uint256 bondInValue = terms.token == address(0) ? terms.claimBond : 0;
        if (msg.value != bondInValue) revert Errors.TaskMarket_IncorrectPayment(bondInValue, msg.value);

        uint40 executionDeadline = uint40(block.timestamp) + terms.executionWindow;
        task.state = TaskState({
            executor: msg.sender,
            status: TaskStatus.Claimed,
            executionDeadline: executionDeadline,
            reviewDeadline: 0,
            flags: previous.flags & FLAG_VERIFIER_PAID
        });
        (uint256 forfeitedBond, uint256 returnedBond) = _clearLapsedClaim(taskId, terms, previous);

        emit TaskClaimed(taskId, msg.sender, executionDeadline, terms.claimBond);

        if (bondInValue != terms.claimBond) _pullExactly(IERC20(terms.token), msg.sender, terms.claimBond);
        _push(terms.token, terms.poster, forfeitedBond);
        _push(terms.token, previous.executor, returnedBond);
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
        bool working = state.status == TaskStatus.Claimed || state.status == TaskStatus.InProgress;
        if (!working || block.timestamp > state.executionDeadline) {
            revert Errors.TaskMarket_InvalidStatus(taskId, _statusOf(state, terms.claimDeadline));
        }
        if (msg.sender != state.executor) revert Errors.TaskMarket_CallerNotExecutor(taskId, msg.sender);

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
        bool working = state.status == TaskStatus.Claimed || state.status == TaskStatus.InProgress;
        if (!working || block.timestamp > state.executionDeadline) {
            revert Errors.TaskMarket_InvalidStatus(taskId, _statusOf(state, terms.claimDeadline));
        }
        if (terms.verifier == address(0)) revert Errors.TaskMarket_NoDelegatedVerifier(taskId);
        if (msg.sender != terms.verifier) revert Errors.TaskMarket_CallerNotVerifier(taskId, msg.sender);

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
    function consentToCancel(uint256 taskId, TaskTerms calldata terms) external override nonReentrant {
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
        else revert Errors.TaskMarket_CallerNotParty(taskId, msg.sender);

        uint8 flags = state.flags | consent;
        task.state.flags = flags;
        emit CancellationConsented(taskId, msg.sender);
        if (flags & FLAGS_BOTH_CONSENTED != FLAGS_BOTH_CONSENTED) return;

        task.state.status = TaskStatus.Cancelled;
        _posterRecords[terms.poster].cancelled += 1;
        // Milestones already verified were paid when they were; what is left of the escrow goes back.
        uint256 refund = _unpaidReward(taskId, terms) + _unspentVerifierFee(terms, flags);

        emit TaskCancelled(taskId, terms.poster, refund, terms.claimBond);

        _push(terms.token, terms.poster, refund);
        _push(terms.token, state.executor, terms.claimBond);
    }

    /// @inheritdoc ITaskMarket
    function rate(uint256 taskId, TaskTerms calldata terms, uint8 rating) external override {
        Task storage task = _taskWithTerms(taskId, terms);
        TaskState memory state = task.state;
        if (state.status != TaskStatus.Settled) {
            revert Errors.TaskMarket_InvalidStatus(taskId, _statusOf(state, terms.claimDeadline));
        }
        if (rating == 0 || rating > 5) revert Errors.TaskMarket_InvalidRating(rating);

        address ratee;
        uint8 ratedFlag;
        if (msg.sender == terms.poster) {
            (ratee, ratedFlag) = (state.executor, FLAG_POSTER_RATED);
        } else if (msg.sender == state.executor) {
            (ratee, ratedFlag) = (terms.poster, FLAG_EXECUTOR_RATED);
        } else {
            revert Errors.TaskMarket_CallerNotParty(taskId, msg.sender);
        }
        if (state.flags & ratedFlag != 0) revert Errors.TaskMarket_AlreadyRated(taskId, msg.sender);

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

        emit PartyRated(taskId, msg.sender, ratee, rating);
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

    /// @dev Validates the terms of a new task, stores it and emits {TaskCreated}. Funding is the caller's job.
    function _recordNewTask(
        TaskTerms calldata terms,
        bytes32[] calldata capabilities,
        string calldata documentURI
    ) private returns (uint256 taskId) {
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

        emit TaskCreated(taskId, msg.sender, terms.token, terms, capabilities, documentURI);
    }

    function _checkCapabilityList(bytes32 expectedHash, bytes32[] calldata capabilities) private pure {
        uint256 count = capabilities.length;
        if (count > MAX_TASK_CAPABILITIES) {
            revert Errors.TaskMarket_TooManyCapabilities(count, MAX_TASK_CAPABILITIES);
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

    /// @dev Checks the milestone lanes: 2 to `MAX_MILESTONES` non-zero shares, then only zero lanes, summing to
    /// 10,000 basis points, so that every milestone pays something and the milestones pay the whole reward.
    function _checkMilestoneShares(bytes32 milestoneShares) private pure {
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

    /// @dev Checks that `msg.sender` may execute the task: not a party to it (directly or as the operator of an
    /// agent), offering the task's required capabilities and of the required kind.
    function _checkClaimant(uint256 taskId, TaskTerms calldata terms, bytes32[] calldata capabilities) private view {
        if (msg.sender == terms.poster || msg.sender == terms.verifier) {
            revert Errors.TaskMarket_ConflictOfInterest(taskId, msg.sender);
        }
        bytes32 capabilitiesHash = keccak256(abi.encodePacked(capabilities));
        if (capabilitiesHash != terms.capabilitiesHash) {
            revert Errors.TaskMarket_CapabilitiesMismatch(terms.capabilitiesHash, capabilitiesHash);
        }
        Eligibility eligibility = executorRegistry.eligibilityOf(msg.sender, terms.executorKind, capabilities);
        if (eligibility != Eligibility.Eligible) {
            revert Errors.TaskMarket_ExecutorNotEligible(taskId, msg.sender, eligibility);
        }
        // An agent answers to its operator: the poster or the verifier must not execute the task through one.
        address operator = executorRegistry.operatorOf(msg.sender);
        if (operator != address(0) && (operator == terms.poster || operator == terms.verifier)) {
            revert Errors.TaskMarket_ConflictOfInterest(taskId, msg.sender);
        }
    }

    /// @dev Returns the task after checking that it exists and that `terms` are its terms.
    function _taskWithTerms(uint256 taskId, TaskTerms calldata terms) private view returns (Task storage task) {
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
    ) private view returns (Task storage task, TaskState memory state) {
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
    ) private {
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

            emit TaskSettled(taskId, executor, terms.token, settlement.payout, settlement.fee, terms.claimBond);
            if (settlement.refund != 0) emit SettlementRefunded(taskId, terms.poster, settlement.refund);

            _push(terms.token, executor, settlement.payout + terms.claimBond);
        } else {
            _progress[taskId].milestonesVerified = uint8(settlement.milestone + 1);
            state.status = TaskStatus.InProgress;
            state.executionDeadline = uint40(block.timestamp) + terms.executionWindow;
            state.reviewDeadline = 0;
            state.flags &= ~FLAGS_REJECTION;
            task.state = state;

            emit MilestoneSettled(
                taskId,
                executor,
                settlement.milestone,
                settlement.payout,
                settlement.fee,
                settlement.refund
            );

            _push(terms.token, executor, settlement.payout);
        }
        _push(terms.token, terms.poster, settlement.refund);
        _payVerifier(taskId, terms, settlement.verifierPayment);
    }

    /// @dev How a settlement divides the submission's amount; marks the verifier fee paid in `state` if it is.
    function _settlementOf(
        uint256 taskId,
        TaskTerms calldata terms,
        TaskState memory state,
        uint256 shareBps,
        bool decidedByVerifier
    ) private view returns (Settlement memory settlement) {
        uint256 amount = terms.reward;
        settlement.isLast = true;
        if (terms.milestoneShares != 0) {
            settlement.milestone = _progress[taskId].milestonesVerified;
            (amount, settlement.isLast) = _milestoneAmount(terms, settlement.milestone);
        }
        uint256 gross = shareBps == BPS_DENOMINATOR ? amount : (amount * shareBps) / BPS_DENOMINATOR;
        settlement.fee = (gross * terms.feeBps) / BPS_DENOMINATOR;
        settlement.payout = gross - settlement.fee;
        settlement.refund = amount - gross;
        if (decidedByVerifier) settlement.verifierPayment = _takeVerifierFee(terms, state);
        else if (settlement.isLast) settlement.refund += _unspentVerifierFee(terms, state.flags);
    }

    /// @dev The verifier fee owed for a decision made now — the verifier's first — marking it paid in `state`.
    function _takeVerifierFee(TaskTerms calldata terms, TaskState memory state) private pure returns (uint256) {
        if (terms.verifierFee == 0 || state.flags & FLAG_VERIFIER_PAID != 0) return 0;
        state.flags |= FLAG_VERIFIER_PAID;
        return terms.verifierFee;
    }

    function _payVerifier(uint256 taskId, TaskTerms calldata terms, uint256 amount) private {
        if (amount == 0) return;
        emit VerifierPaid(taskId, terms.verifier, amount);
        _push(terms.token, terms.verifier, amount);
    }

    /// @dev The verifier fee still in escrow, which returns to the poster when the task ends without it being earned.
    function _unspentVerifierFee(TaskTerms calldata terms, uint8 flags) private pure returns (uint256) {
        return flags & FLAG_VERIFIER_PAID == 0 ? terms.verifierFee : 0;
    }

    /// @dev The part of the reward not yet paid out through verified milestones.
    function _unpaidReward(uint256 taskId, TaskTerms calldata terms) private view returns (uint256) {
        if (terms.milestoneShares == 0) return terms.reward;
        uint256 lanes = uint256(terms.milestoneShares);
        uint256 verified = _progress[taskId].milestonesVerified;
        // The last milestone takes what the rounded-down shares left, so once it is settled nothing is unpaid.
        if (verified == _milestoneCount(lanes)) return 0;
        return terms.reward - _paidBefore(terms.reward, lanes, verified);
    }

    /// @dev The amount of milestone `index`, and whether it is the last. Every milestone but the last is its share of
    /// the reward rounded down; the last takes what remains, so the milestones add up to the reward exactly.
    function _milestoneAmount(
        TaskTerms calldata terms,
        uint256 index
    ) private pure returns (uint256 amount, bool isLast) {
        uint256 lanes = uint256(terms.milestoneShares);
        isLast = index + 1 == _milestoneCount(lanes);
        amount =
            isLast
                ? terms.reward - _paidBefore(terms.reward, lanes, index)
                : (_milestoneShare(lanes, index) * terms.reward) / BPS_DENOMINATOR;
    }

    function _paidBefore(uint256 reward, uint256 lanes, uint256 index) private pure returns (uint256 paid) {
        for (uint256 i = 0; i < index; ++i) {
            paid += (_milestoneShare(lanes, i) * reward) / BPS_DENOMINATOR;
        }
    }

    /// @dev The number of leading non-zero lanes.
    function _milestoneCount(uint256 lanes) private pure returns (uint256 count) {
        while (count < MAX_MILESTONES && _milestoneShare(lanes, count) != 0) ++count;
    }

    function _milestoneShare(uint256 lanes, uint256 index) private pure returns (uint256) {
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
    ) private returns (uint256 forfeitedBond, uint256 returnedBond) {
        if (previous.status != TaskStatus.Claimed && previous.status != TaskStatus.InProgress) return (0, 0);

        bool afterRejection = previous.flags & FLAG_REJECTED != 0;
        ExecutorRecord storage record = _executorRecords[previous.executor];
        if (afterRejection) record.rejected += 1;
        else record.expired += 1;
        if (previous.flags & FLAG_REJECTED_AFTER_DEADLINE != 0) returnedBond = terms.claimBond;
        else forfeitedBond = terms.claimBond;

        emit ClaimLapsed(taskId, previous.executor, afterRejection, uint128(forfeitedBond));
    }

    /// @dev Pulls `amount` of `token` from `from` and checks that exactly that much arrived.
    function _pullExactly(IERC20 token, address from, uint256 amount) private {
        uint256 balanceBefore = token.balanceOf(address(this));
        token.safeTransferFrom(from, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - balanceBefore;
        if (received != amount) revert Errors.TaskMarket_TokenTransferShortfall(address(token), amount, received);
    }

    /// @dev Pays `amount` to `to`, or credits it for a later {withdraw} if the transfer fails, so that no recipient
    /// can block the transition that pays it.
    function _push(address token, address to, uint256 amount) private {
        if (amount == 0) return;
        bool success;
        if (token == address(0)) {
            // Bounded gas and no return data copied: a receiver can neither exhaust the caller's gas nor return-bomb.
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                success := call(ETH_PUSH_GAS, to, amount, 0, 0, 0, 0)
            }
        } else {
            success = IERC20(token).trySafeTransfer(to, amount);
        }
        if (!success) {
            _credits[to][token] += amount;
            emit PaymentCredited(to, token, amount);
        }
    }

    /// @dev Transfers out a withdrawal; unlike {_push}, a failure reverts so the balance stays withdrawable.
    function _transferOut(address token, address to, uint256 amount) private {
        if (token == address(0)) {
            (bool success, ) = to.call{ value: amount }("");
            if (!success) revert Errors.TaskMarket_EthTransferFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }

    function _revertInvalidStatus(uint256 taskId) private view {
        Task storage task = _tasks[taskId];
        TaskState memory state = task.state;
        if (state.status == TaskStatus.None) revert Errors.TaskMarket_TaskNotFound(taskId);
        revert Errors.TaskMarket_InvalidStatus(taskId, _statusOf(state, _claimDeadlineOf(task.commitment)));
    }

    /// @dev The single place where time-based outcomes are derived; see `TaskStatus`.
    function _statusOf(TaskState memory state, uint40 claimDeadline) private view returns (TaskStatus) {
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
    function _commit(TaskTerms calldata terms) private pure returns (uint256) {
        return _packCommitment(terms.claimDeadline, keccak256(abi.encode(terms)));
    }

    /// @dev Whether `terms` hash to `commitment`. Hashes the calldata as it is, which costs a fraction of
    /// re-encoding it: clean calldata is byte-for-byte the canonical encoding, and calldata with dirty bits simply
    /// does not match.
    function _matchesCommitment(uint256 commitment, TaskTerms calldata terms) private pure returns (bool) {
        bytes32 digest;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let scratch := mload(0x40)
            calldatacopy(scratch, terms, TERMS_ENCODED_SIZE)
            digest := keccak256(scratch, TERMS_ENCODED_SIZE)
        }
        return commitment == _packCommitment(_claimDeadlineOf(commitment), digest);
    }

    function _packCommitment(uint40 claimDeadline, bytes32 digest) private pure returns (uint256) {
        return (uint256(claimDeadline) << CLAIM_DEADLINE_SHIFT) | (uint256(digest) >> (256 - CLAIM_DEADLINE_SHIFT));
    }

    function _claimDeadlineOf(uint256 commitment) private pure returns (uint40) {
        return uint40(commitment >> CLAIM_DEADLINE_SHIFT);
    }
}
