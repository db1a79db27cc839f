// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { TaskTerms } from "../../../../contracts/types/TaskTypes.sol";

/// @notice The ghost state of a disputes invariant run: the model of every task the handler created (what the market
/// must still hold for it, its submission, hold and contest), the model of every panel dispute, an ETH ledger measured
/// at the accounts, the simulated clock, and every violation the handler observed while it ran.
/// @dev Written only by the handler; read by the invariant test and the liveness sweeper. Amounts in the ledger are
/// measured at the accounts (balance + credits), never read back from the contracts' own accounting.
contract DisputeStore {
    /// @notice The invariants that the handler checks as it goes (the others are checked by the test itself).
    enum Check {
        Conservation, // D1: a call moved other amounts, or to other accounts, than the model says.
        Transitions, // D5: a task or contest left the documented states, or a lapsed contest acted.
        Liveness, // D6: a call its entitled caller made, in a state that allows it, failed.
        Authority // D6: a call by an account without the role succeeded.
    }

    /// @notice The model of a task's contest, mirroring `IDisputableModule.Contest`.
    struct ContestModel {
        IDisputableModule.ContestPhase phase;
        bool rejection;
        bool claimantForExecutor;
        uint16 decisionShareBps;
        uint16 rulingShareBps;
        uint256 deadline;
        address claimant;
        address respondent;
        uint256 disputeId;
        uint256 claimantFee;
        uint256 bond;
        /// @dev The submission (see `TaskModel.submission`) whose decision the contest is about.
        uint256 submission;
    }

    /// @notice The model of a task: what the market must hold for it, and where its submission and contest stand.
    struct TaskModel {
        /// @dev Verified by the review module (otherwise by the optimistic module).
        bool review;
        uint32 contestWindow;
        uint128 challengeBond;
        /// @dev Zero for a single deliverable.
        uint8 milestoneCount;
        /// @dev Milestones settled so far.
        uint8 milestone;
        /// @dev Escrow: the reward not yet settled, whether the verifier fee and a claim bond are still held.
        uint256 rewardUnpaid;
        bool feeHeld;
        bool bondHeld;
        /// @dev The task reached a terminal state (settled, cancelled or refunded).
        bool closed;
        address executor;
        uint256 executionDeadline;
        /// @dev The last submission of this claim was rejected at or after the execution deadline.
        bool rejectedLate;
        bool posterConsented;
        bool executorConsented;
        /// @dev The number of submissions made so far: the current submission's sequence number.
        uint256 submission;
        uint256 reviewDeadline;
        /// @dev The current submission is on hold (stored `Disputed`), since `heldAt`, until `holdUntil`, with
        /// `holdShareBps` for the executor if it runs out.
        bool held;
        uint256 heldAt;
        uint256 holdUntil;
        uint16 holdShareBps;
        ContestModel contest;
    }

    /// @notice The model of a panel dispute.
    struct DisputeModel {
        uint256 taskId;
        address module;
        /// @dev Who paid the fee to the panel (the respondent), and whether a refund of it has been passed on.
        address payer;
        bool reclaimed;
        uint256 fee;
        uint256 votingDeadline;
        uint256 majority;
        bool solved;
        bool delivered;
        bool closed;
        uint256 ruling;
    }

    /// @notice ETH measured at the accounts (balance plus credits in the market, the modules and the panel).
    struct Ledger {
        /// @dev Paid in by accounts: rewards, verifier fees, claim bonds, dispute fees, challenge bonds.
        uint256 deposited;
        /// @dev Received by accounts, pushed or credited.
        uint256 paidOut;
        /// @dev The protocol fees the market must hold (model).
        uint256 accruedFees;
        /// @dev Panel credits of the modules: arbitration fees the panel refunded to a module (model).
        uint256 reviewCreditAtPanel;
        uint256 optimisticCreditAtPanel;
        /// @dev Refunds a module pulled from the panel and has not passed on yet (model).
        uint256 reviewUnassigned;
        uint256 optimisticUnassigned;
    }

    uint256 public currentTime;
    uint256 public initialTotal;
    uint256 public callCount;
    uint256[] private _taskIds;
    mapping(uint256 taskId => TaskTerms terms) private _terms;
    mapping(uint256 taskId => TaskModel model) private _tasks;
    uint256 public disputeCount;
    mapping(uint256 disputeId => DisputeModel model) private _disputes;
    mapping(uint256 disputeId => address[] voters) private _voters;
    mapping(uint256 disputeId => uint256[] rulings) private _rulings;
    Ledger private _ledger;

    mapping(Check check => uint256 count) public violationCount;
    mapping(Check check => string message) public firstViolation;
    mapping(string action => uint256 count) public successfulCalls;
    string[] private _actions;
    /// @dev The first violations of every check, in the order they were seen, for diagnosis.
    string[] private _violations;

    constructor(uint256 startTime) {
        currentTime = startTime;
    }

    /*//////////////////////////////////////////////////////////////
                                 READS
    //////////////////////////////////////////////////////////////*/

    function taskCount() external view returns (uint256) {
        return _taskIds.length;
    }

    function taskIdAt(uint256 index) external view returns (uint256) {
        return _taskIds[index];
    }

    function termsOf(uint256 taskId) external view returns (TaskTerms memory) {
        return _terms[taskId];
    }

    function taskOf(uint256 taskId) external view returns (TaskModel memory) {
        return _tasks[taskId];
    }

    function disputeOf(uint256 disputeId) external view returns (DisputeModel memory) {
        return _disputes[disputeId];
    }

    function votesOf(uint256 disputeId) external view returns (address[] memory voters, uint256[] memory rulings) {
        return (_voters[disputeId], _rulings[disputeId]);
    }

    function ledger() external view returns (Ledger memory) {
        return _ledger;
    }

    function actions() external view returns (string[] memory) {
        return _actions;
    }

    function violations() external view returns (string[] memory) {
        return _violations;
    }

    /// @notice What the model says the market holds for open tasks: unsettled rewards, unspent verifier fees and
    /// claim bonds.
    function escrowHeld() public view returns (uint256 held) {
        for (uint256 i = 0; i < _taskIds.length; ++i) {
            TaskModel storage task = _tasks[_taskIds[i]];
            TaskTerms storage terms = _terms[_taskIds[i]];
            if (task.closed) continue;
            held += task.rewardUnpaid;
            if (task.feeHeld) held += terms.verifierFee;
            if (task.bondHeld) held += terms.claimBond;
        }
    }

    /// @notice What the model says `module` holds for open contests: the claimant's deposit once a dispute is raised,
    /// and the respondent's bond once it has answered (its fee went to the arbitrator).
    function contestDepositsHeld(address module) public view returns (uint256 held) {
        for (uint256 i = 0; i < _taskIds.length; ++i) {
            if (_terms[_taskIds[i]].verifier != module) continue;
            held += depositsOf(_tasks[_taskIds[i]].contest);
        }
    }

    /// @notice The arbitration fees the panel holds for disputes neither solved nor closed (model).
    function pendingArbitrationFees() public view returns (uint256 pending) {
        for (uint256 id = 1; id <= disputeCount; ++id) {
            DisputeModel storage dispute = _disputes[id];
            if (!dispute.solved && !dispute.closed) pending += dispute.fee;
        }
    }

    /// @notice Everything the model says is held by the contracts on no account's behalf: open escrow, accrued
    /// protocol fees, open contest deposits, pending arbitration fees, and refunded arbitration fees not yet passed on
    /// (still credited to a module by the panel, or pulled by the module).
    function heldByModel(address reviewModule, address optimisticModule) external view returns (uint256) {
        return
            escrowHeld() +
            _ledger.accruedFees +
            contestDepositsHeld(reviewModule) +
            contestDepositsHeld(optimisticModule) +
            pendingArbitrationFees() +
            _ledger.reviewCreditAtPanel +
            _ledger.optimisticCreditAtPanel +
            _ledger.reviewUnassigned +
            _ledger.optimisticUnassigned;
    }

    function depositsOf(ContestModel memory contest) public pure returns (uint256 held) {
        if (contest.phase >= IDisputableModule.ContestPhase.AwaitingRespondent) {
            held += contest.claimantFee + contest.bond;
        }
        if (contest.phase >= IDisputableModule.ContestPhase.Arbitrating) held += contest.bond;
    }

    /*//////////////////////////////////////////////////////////////
                                WRITES
    //////////////////////////////////////////////////////////////*/

    function setInitialTotal(uint256 total) external {
        initialTotal = total;
    }

    function addTask(uint256 taskId, TaskTerms calldata terms, TaskModel calldata model) external {
        _taskIds.push(taskId);
        _terms[taskId] = terms;
        _tasks[taskId] = model;
    }

    function setTask(uint256 taskId, TaskModel calldata model) external {
        _tasks[taskId] = model;
    }

    function addDispute(uint256 disputeId, DisputeModel calldata model) external {
        if (disputeId > disputeCount) disputeCount = disputeId;
        _disputes[disputeId] = model;
    }

    function setDispute(uint256 disputeId, DisputeModel calldata model) external {
        _disputes[disputeId] = model;
    }

    function addVote(uint256 disputeId, address voter, uint256 ruling) external {
        _voters[disputeId].push(voter);
        _rulings[disputeId].push(ruling);
    }

    function setLedger(Ledger calldata ledger_) external {
        _ledger = ledger_;
    }

    function advanceTime(uint256 seconds_) external {
        currentTime += seconds_;
    }

    function countCall() external {
        callCount += 1;
    }

    function countSuccess(string calldata action) external {
        if (successfulCalls[action] == 0) _actions.push(action);
        successfulCalls[action] += 1;
    }

    function recordViolation(Check check, string calldata message) external {
        if (violationCount[check] == 0) firstViolation[check] = message;
        violationCount[check] += 1;
        if (_violations.length < 32) _violations.push(message);
    }
}
