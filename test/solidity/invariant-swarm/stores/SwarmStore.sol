// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { TaskTerms } from "../../../../contracts/types/TaskTypes.sol";

/// @notice The accounts of a swarm run: two posters, four registered executors (who are also the posters of the
/// subtasks they create), a delegated verifier, the fee recipient and an account that holds no role.
struct SwarmActors {
    address[2] posters;
    address[4] executors;
    address verifier;
    address feeRecipient;
    address stranger;
}

/// @notice The ghost state of a swarm invariant run: every task with the model of its escrow, its claim and its
/// subtasks; a per-token ledger of what the accounts paid in and received; the modelled protocol fees; the simulated
/// clock; and every violation the handler observed.
/// @dev Written by the handler (and by the drainer, on a snapshot). The model is computed from the terms and the
/// documented rules, never read back from the market; the ledger is measured at the accounts.
contract SwarmStore {
    /// @notice What the handler checks as it goes; the invariant test reports each.
    enum Check {
        Conservation, // S1: a call moved other amounts than the model says, to or from some account.
        Funding, // S2, S3: the model's funding and the market's disagree, or the model would underflow.
        Blocking, // S4: a parent was submitted while a subtask was open.
        Liveness, // a call the entitled party makes in a state that allows it failed.
        Authority // a call that must fail (wrong caller, price or budget) succeeded.
    }

    /// @dev The model of one task. `held` is the part of its escrow (reward and verifier fee) the market still holds
    /// for it: what it was funded with, less what was released at assignment, drawn by its subtasks (plus what they
    /// returned), paid out or refunded. Its subtasks' funds are theirs, not its own.
    struct TaskModel {
        TaskTerms terms;
        address assigner;
        uint96 budget;
        uint256 parentId;
        address parentPoster;
        uint256 depth;
        /// @dev A settling, cancelling or refunding call succeeded.
        bool ended;
        /// @dev A claim bond is in the market for the task (from a claim or assignment until it is paid out).
        bool bondHeld;
        address executor;
        uint256 executionDeadline;
        /// @dev A submission of the current claim was rejected at or after its execution deadline.
        bool rejectedLate;
        bool verifierPaid;
        /// @dev Refunded to the poster at the first assignment, below the reward.
        uint256 released;
        /// @dev What its subtasks were funded with, less what they returned to its escrow.
        uint256 drawn;
        uint256 openSubtasks;
        uint256 held;
        /// @dev As a subtask: what it was funded with, and what it returned to its parent's escrow or poster.
        uint256 funded;
        uint256 returnedToEscrow;
        uint256 returnedToPoster;
    }

    /// @dev Measured at the accounts, per token.
    struct Ledger {
        uint256 deposited;
        uint256 paidOut;
    }

    uint256 public currentTime;
    uint256 public callCount;
    uint256[] private _taskIds;
    mapping(uint256 taskId => TaskModel model) private _models;
    mapping(uint256 taskId => uint256[] subtaskIds) private _children;
    mapping(address token => Ledger ledger) private _ledgers;
    /// @notice The protocol fees the model says the market has accrued and not paid out, per token.
    mapping(address token => uint256 amount) public modelFees;

    mapping(Check check => uint256 count) public violationCount;
    mapping(Check check => string message) public firstViolation;
    mapping(string action => uint256 count) public successfulCalls;
    string[] private _actions;

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

    function modelOf(uint256 taskId) external view returns (TaskModel memory) {
        return _models[taskId];
    }

    function childrenOf(uint256 taskId) external view returns (uint256[] memory) {
        return _children[taskId];
    }

    function ledgerOf(address token) external view returns (Ledger memory) {
        return _ledgers[token];
    }

    function actions() external view returns (string[] memory) {
        return _actions;
    }

    /*//////////////////////////////////////////////////////////////
                                WRITES
    //////////////////////////////////////////////////////////////*/

    function addTask(uint256 taskId, TaskModel calldata model) external {
        _taskIds.push(taskId);
        _models[taskId] = model;
        if (model.parentId != 0) _children[model.parentId].push(taskId);
    }

    function setModel(uint256 taskId, TaskModel calldata model) external {
        _models[taskId] = model;
    }

    function book(address token, uint256 deposited, uint256 paidOut) external {
        Ledger storage ledger = _ledgers[token];
        ledger.deposited += deposited;
        ledger.paidOut += paidOut;
    }

    function setModelFees(address token, uint256 amount) external {
        modelFees[token] = amount;
    }

    function advanceTime(uint256 seconds_) external {
        currentTime += seconds_;
    }

    function countHandlerCall() external {
        callCount += 1;
    }

    function countCall(string calldata action) external {
        if (successfulCalls[action] == 0) _actions.push(action);
        successfulCalls[action] += 1;
    }

    function recordViolation(Check check, string calldata message) external {
        if (violationCount[check] == 0) firstViolation[check] = message;
        violationCount[check] += 1;
    }
}
