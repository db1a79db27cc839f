// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";

/// @notice The ghost state of an invariant run: every task the handler created with its terms, the value that moved
/// in and out of it as measured at its recipients, a per-token ledger, the last status seen for each task, the
/// simulated clock, and every violation the handler observed while it ran.
/// @dev Written only by the handler; read by the invariant test. Amounts are measured from balances and credits of
/// the parties, never read back from the market's own accounting.
contract TaskStore {
    /// @notice The invariants that the handler checks as it goes (the others are checked by the test itself).
    enum Check {
        Conservation, // I3, per action: each party received exactly what the terms say.
        Transitions, // I4
        Liveness, // I5: a call that must succeed failed.
        Authority, // I6: a call by the wrong account succeeded.
        Identity // I7 and I8: ids, fees.
    }

    struct TaskRecord {
        TaskTerms terms;
        bool requiresCapability;
        uint16 feeAtCreation;
        /// @dev Model: a claim bond is held for the task (locked at a claim, released when it is returned or
        /// forfeited).
        bool bondHeld;
        /// @dev Model: the task reached a terminal state through a successful call.
        bool closed;
        /// @dev Model: the executor of the last claim, its execution deadline, and whether a submission of that claim
        /// was rejected at or after that deadline (its bond is then returned when the claim lapses, not forfeited).
        address executor;
        uint256 executionDeadline;
        bool rejectedLate;
        /// @dev Model: the milestones settled so far and the part of the reward they covered (their amounts: the
        /// executor's share, the fee on it and the rest refunded), whether the verifier fee has been earned (by a
        /// first decision of the verifier), and the hold on the current submission: whether there is one, when it
        /// was first placed and the share it settles with when it runs out.
        uint256 milestonesSettled;
        uint256 rewardSettled;
        bool verifierPaid;
        bool held;
        uint256 heldAt;
        uint16 holdShareBps;
        /// @dev Model: the protocol fees the task's settlements must have taken.
        uint256 expectedFee;
        /// @dev Measured at the parties: what went in and where it went. A task's escrow is its reward and its
        /// verifier fee; the reward goes to the executor (net of fees), to the fees or back to the poster, and the
        /// verifier fee to the verifier or back to the poster.
        uint256 rewardIn;
        uint256 verifierFeeIn;
        uint256 bondsIn;
        uint256 rewardToExecutor;
        uint256 rewardToPoster;
        uint256 feeTaken;
        uint256 verifierFeeToVerifier;
        uint256 verifierFeeToPoster;
        uint256 bondsToExecutors;
        uint256 bondsToPoster;
    }

    /// @notice The status last observed for a task: as stored by the market, and as derived by `statusOf`.
    struct LastStatus {
        TaskStatus stored;
        TaskStatus derived;
    }

    struct TokenLedger {
        uint256 deposited;
        uint256 paidOut;
        uint256 refunded;
        uint256 feesWithdrawn;
        uint256 credited;
        uint256 creditsWithdrawn;
        uint256 feesAccrued;
    }

    uint256 public currentTime;
    uint256 public highestNextTaskId;
    uint256[] private _taskIds;
    mapping(uint256 taskId => TaskRecord record) private _records;
    mapping(uint256 taskId => bool created) public exists;
    mapping(uint256 taskId => LastStatus status) private _lastStatuses;
    mapping(address token => TokenLedger ledger) private _ledgers;

    mapping(Check check => uint256 count) public violationCount;
    mapping(Check check => string message) public firstViolation;
    mapping(string action => uint256 count) public successfulCalls;

    constructor(uint256 startTime) {
        currentTime = startTime;
        highestNextTaskId = 1;
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

    function recordOf(uint256 taskId) external view returns (TaskRecord memory) {
        return _records[taskId];
    }

    function termsOf(uint256 taskId) external view returns (TaskTerms memory) {
        return _records[taskId].terms;
    }

    function lastStatusOf(uint256 taskId) external view returns (LastStatus memory) {
        return _lastStatuses[taskId];
    }

    function ledgerOf(address token) external view returns (TokenLedger memory) {
        return _ledgers[token];
    }

    /*//////////////////////////////////////////////////////////////
                                WRITES
    //////////////////////////////////////////////////////////////*/

    function addTask(uint256 taskId, TaskTerms calldata terms, bool requiresCapability, uint16 fee) external {
        _taskIds.push(taskId);
        exists[taskId] = true;
        TaskRecord storage record = _records[taskId];
        record.terms = terms;
        record.requiresCapability = requiresCapability;
        record.feeAtCreation = fee;
    }

    function setRecord(uint256 taskId, TaskRecord calldata record) external {
        _records[taskId] = record;
    }

    function setLastStatus(uint256 taskId, TaskStatus stored, TaskStatus derived) external {
        _lastStatuses[taskId] = LastStatus({ stored: stored, derived: derived });
    }

    function setLedger(address token, TokenLedger calldata ledger) external {
        _ledgers[token] = ledger;
    }

    function advanceTime(uint256 seconds_) external {
        currentTime += seconds_;
    }

    function setHighestNextTaskId(uint256 nextTaskId) external {
        highestNextTaskId = nextTaskId;
    }

    function countCall(string calldata action) external {
        successfulCalls[action] += 1;
    }

    function recordViolation(Check check, string calldata message) external {
        if (violationCount[check] == 0) firstViolation[check] = message;
        violationCount[check] += 1;
    }
}
