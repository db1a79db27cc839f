// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { TaskMarket } from "../../../../contracts/TaskMarket.sol";
import { TaskFunding, TaskStatus } from "../../../../contracts/types/TaskTypes.sol";
import { MockAssigner } from "../../mocks/MockAssigner.sol";
import { MockERC20 } from "../../mocks/MockERC20.sol";
import { SwarmActors, SwarmStore } from "../stores/SwarmStore.sol";
import { SwarmBase } from "./SwarmBase.sol";

/// @notice S5: from wherever a run stands, lets time run past every deadline and ends every task with permissionless
/// calls only — `release` of a verified submission, `refundExpired` of an expired task — each measured against the
/// model like any handler call. Then every task must have ended, the model must hold nothing in escrow or bonds, and
/// each token's balance in the market must be exactly the credits and the accrued fees: every wei that entered went
/// to one of the accounts.
/// @dev It moves the clock and changes state: the test runs it on a snapshot and reverts to it afterwards.
contract SwarmDrainer is SwarmBase {
    uint256 internal constant FAR_AHEAD = 400 days;

    uint256 private _failures;
    string private _firstFailure;

    constructor(
        TaskMarket market_,
        MockERC20 token_,
        MockAssigner assigner_,
        SwarmStore store_,
        SwarmActors memory actors
    ) SwarmBase(market_, token_, assigner_, store_, actors) {}

    /// @notice Ends every task; returns the number of failures (violations recorded while draining included) and the
    /// first one.
    function drain() external returns (uint256 failures, string memory firstFailure) {
        _failures = 0;
        delete _firstFailure;
        uint256[5] memory violationsBefore = _violations();
        vm.warp(store.currentTime() + FAR_AHEAD);
        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = store.taskIdAt(i);
            if (_model(taskId).ended) continue;
            TaskStatus status = market.statusOf(taskId);
            if (status == TaskStatus.Verified) _release(taskId);
            else if (status == TaskStatus.Expired) _refundExpired(taskId);
            else _fail(string.concat("S5 task neither verified nor expired far past its deadlines: ", _id(taskId)));
        }
        uint256[5] memory violationsAfter = _violations();
        for (uint256 c = 0; c < 5; ++c) {
            if (violationsAfter[c] != violationsBefore[c]) {
                _fail(
                    string.concat(
                        "S5 a drain call moved other amounts than the model (first finding of the run: ",
                        store.firstViolation(SwarmStore.Check(c)),
                        ")"
                    )
                );
            }
        }
        _checkEnd();
        return (_failures, _firstFailure);
    }

    function _checkEnd() private {
        uint256 count = store.taskCount();
        uint256[2] memory held;
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = store.taskIdAt(i);
            SwarmStore.TaskModel memory t = _model(taskId);
            TaskStatus stored = market.stateOf(taskId).status;
            if (!t.ended) _fail(string.concat("S5 task not ended: ", _id(taskId)));
            if (stored != TaskStatus.Settled && stored != TaskStatus.Cancelled && stored != TaskStatus.Expired) {
                _fail(string.concat("S5 task not terminal in the market: ", _id(taskId)));
            }
            if (t.bondHeld) _fail(string.concat("S5 bond still held: ", _id(taskId)));
            held[t.terms.token == address(0) ? 0 : 1] += t.held;
            TaskFunding memory funding = market.fundingOf(taskId);
            if (funding.openSubtasks != 0) _fail(string.concat("S5 subtasks still open under ", _id(taskId)));
        }
        address[2] memory tokens = [address(0), address(token)];
        for (uint256 k = 0; k < 2; ++k) {
            if (held[k] != 0) _fail(string.concat("S5 model still holds escrow in token ", vm.toString(k)));
            uint256 credits;
            for (uint256 i = 0; i < ACCOUNT_COUNT; ++i) credits += market.creditOf(_accounts[i], tokens[k]);
            uint256 balance = _balanceOf(tokens[k], address(market));
            uint256 fees = market.accruedFeesOf(tokens[k]);
            if (balance != credits + fees) {
                _fail(
                    string.concat(
                        "S5 market holds ",
                        vm.toString(balance),
                        " != credits + fees ",
                        vm.toString(credits + fees),
                        " in token ",
                        vm.toString(k)
                    )
                );
            }
            SwarmStore.Ledger memory ledger = store.ledgerOf(tokens[k]);
            // Credits count as paid out (they are the accounts'); what is left is exactly the fees.
            if (ledger.deposited != ledger.paidOut + fees) {
                _fail(string.concat("S5 deposited != paid out + fees in token ", vm.toString(k)));
            }
        }
    }

    function _violations() private view returns (uint256[5] memory counts) {
        for (uint256 c = 0; c < 5; ++c) counts[c] = store.violationCount(SwarmStore.Check(c));
    }

    function _id(uint256 taskId) private pure returns (string memory) {
        return vm.toString(taskId);
    }

    function _fail(string memory message) private {
        if (_failures == 0) _firstFailure = message;
        _failures += 1;
    }
}
