// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { CommonBase } from "forge-std/Base.sol";

import { TaskMarket } from "../../../../contracts/TaskMarket.sol";
import { PanelArbitrator } from "../../../../contracts/arbitration/PanelArbitrator.sol";
import { IPanelArbitrator } from "../../../../contracts/interfaces/arbitration/IPanelArbitrator.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { DisputableModule } from "../../../../contracts/verification/DisputableModule.sol";
import { DisputeStore } from "../stores/DisputeStore.sol";

/// @notice D4: from wherever a run stands, lets time run far ahead in steps and calls only permissionless functions —
/// `PanelArbitrator.closeUnresolved` and `executeRuling`, the modules' `executeRuling`, `timeoutRespondent`,
/// `timeoutArbitration`, `closeLapsedContest` and `reclaimArbitrationFee`, the market's `release` and
/// `refundExpired` — each whenever the state allows it (and then it must succeed). At the end every task must be
/// terminal, every contest closed, every panel dispute solved or closed with its refunded fee passed on, and each
/// contract must hold exactly what it owes as credits (plus, for the market, the accrued protocol fees).
/// @dev It moves the clock and changes state: the test runs it on a snapshot and reverts to it afterwards.
contract LivenessSweeper is CommonBase {
    uint256 internal constant LONG_STEP = 200 days;

    TaskMarket public immutable market;
    DisputableModule public immutable reviewModule;
    DisputableModule public immutable optimisticModule;
    PanelArbitrator public immutable panel;
    DisputeStore public immutable store;

    uint256 private _failures;
    string private _firstFailure;
    /// @dev Disputes whose refunded fee this sweep passed on (the sweep runs on a snapshot: this starts out empty).
    mapping(uint256 disputeId => bool reclaimed) private _reclaimed;

    constructor(
        TaskMarket market_,
        DisputableModule reviewModule_,
        DisputableModule optimisticModule_,
        PanelArbitrator panel_,
        DisputeStore store_
    ) {
        market = market_;
        reviewModule = reviewModule_;
        optimisticModule = optimisticModule_;
        panel = panel_;
        store = store_;
    }

    /// @notice Sweeps until everything is settled; returns the number of failures and the first one.
    /// @param accounts Every account that may hold a credit.
    function sweep(address[] calldata accounts) external returns (uint256 failures, string memory firstFailure) {
        _failures = 0;
        delete _firstFailure;
        vm.warp(store.currentTime());
        // First the modules' own deadlines (fee payment, ruling, execution), then far past every hold.
        uint256[7] memory steps = [
            uint256(0),
            reviewModule.FEE_PAYMENT_PERIOD() + 1,
            reviewModule.RULING_PERIOD() + 1,
            reviewModule.EXECUTION_PERIOD() + 1,
            LONG_STEP,
            LONG_STEP,
            LONG_STEP
        ];
        for (uint256 round = 0; round < steps.length; ++round) {
            vm.warp(block.timestamp + steps[round]);
            _sweepPanel();
            uint256 count = store.taskCount();
            for (uint256 i = 0; i < count; ++i) _sweepTask(store.taskIdAt(i));
        }
        _checkEnd(accounts);
        return (_failures, _firstFailure);
    }

    function _sweepPanel() private {
        uint256 count = store.disputeCount();
        for (uint256 id = 1; id <= count; ++id) {
            IPanelArbitrator.PanelDispute memory d = panel.disputeOf(id);
            DisputeStore.DisputeModel memory m = store.disputeOf(id);
            if (!d.solved && !d.closed && block.timestamp > d.votingDeadline) {
                bytes memory data = abi.encodeCall(panel.closeUnresolved, (id));
                _attempt(address(panel), data, true, "closeUnresolved", m.taskId);
                d.closed = true;
            }
            if (d.closed && !m.reclaimed && !_reclaimed[id]) {
                // The panel refunded the fee to the module: the module passes it on to the party that paid it.
                bytes memory data = abi.encodeCall(IDisputableModule.reclaimArbitrationFee, (panel, id));
                _attempt(m.module, data, true, "reclaimArbitrationFee", m.taskId);
                _reclaimed[id] = true;
            } else if (d.solved && !d.delivered) {
                IDisputableModule.Contest memory c = DisputableModule(payable(m.module)).contestOf(m.taskId);
                bool waiting = c.phase == IDisputableModule.ContestPhase.Arbitrating && c.arbitratorDisputeId == id;
                bytes memory data = abi.encodeCall(panel.executeRuling, (id));
                _attempt(address(panel), data, waiting, "PanelArbitrator.executeRuling", m.taskId);
            }
        }
    }

    function _sweepTask(uint256 taskId) private {
        TaskTerms memory terms = store.termsOf(taskId);
        DisputableModule module = DisputableModule(payable(terms.verifier));
        IDisputableModule.Contest memory c = module.contestOf(taskId);
        if (market.statusOf(taskId) == TaskStatus.Disputed) {
            if (c.phase == IDisputableModule.ContestPhase.Ruled) {
                _attempt(
                    address(module),
                    abi.encodeCall(module.executeRuling, (taskId, terms)),
                    true,
                    "executeRuling",
                    taskId
                );
            } else if (c.phase == IDisputableModule.ContestPhase.AwaitingRespondent && block.timestamp > c.deadline) {
                bytes memory data = abi.encodeCall(module.timeoutRespondent, (taskId, terms));
                _attempt(address(module), data, true, "timeoutRespondent", taskId);
            } else if (c.phase == IDisputableModule.ContestPhase.Arbitrating && block.timestamp > c.deadline) {
                bytes memory data = abi.encodeCall(module.timeoutArbitration, (taskId, terms));
                _attempt(address(module), data, true, "timeoutArbitration", taskId);
            } else if (c.phase == IDisputableModule.ContestPhase.None) {
                _fail("task Disputed without a contest", taskId, "");
            }
        }
        TaskStatus status = market.statusOf(taskId);
        if (status == TaskStatus.Verified) {
            _attempt(address(market), abi.encodeCall(market.release, (taskId, terms)), true, "release", taskId);
        } else if (status == TaskStatus.Expired && market.stateOf(taskId).status != TaskStatus.Expired) {
            _attempt(
                address(market),
                abi.encodeCall(market.refundExpired, (taskId, terms)),
                true,
                "refundExpired",
                taskId
            );
        }
        c = module.contestOf(taskId);
        if (c.phase != IDisputableModule.ContestPhase.None && market.statusOf(taskId) != TaskStatus.Disputed) {
            bytes memory data = abi.encodeCall(module.closeLapsedContest, (taskId));
            _attempt(address(module), data, true, "closeLapsedContest", taskId);
        }
    }

    function _checkEnd(address[] calldata accounts) private {
        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = store.taskIdAt(i);
            TaskStatus stored = market.stateOf(taskId).status;
            bool terminal =
                stored == TaskStatus.Settled || stored == TaskStatus.Cancelled || stored == TaskStatus.Expired;
            if (!terminal) _fail(string.concat("task not terminal: status ", vm.toString(uint256(stored))), taskId, "");
            DisputableModule module = DisputableModule(payable(store.termsOf(taskId).verifier));
            if (module.contestOf(taskId).phase != IDisputableModule.ContestPhase.None) {
                _fail("contest still open", taskId, "");
            }
        }
        uint256 disputes = store.disputeCount();
        for (uint256 id = 1; id <= disputes; ++id) {
            IPanelArbitrator.PanelDispute memory d = panel.disputeOf(id);
            if (!d.solved && !d.closed) _fail(string.concat("panel dispute open: ", vm.toString(id)), 0, "");
        }
        _checkHolds("review module", address(reviewModule).balance, _moduleCredits(reviewModule, accounts));
        _checkHolds("optimistic module", address(optimisticModule).balance, _moduleCredits(optimisticModule, accounts));
        if (panel.creditOf(address(reviewModule)) != 0 || panel.creditOf(address(optimisticModule)) != 0) {
            _fail("an arbitration fee refunded by the panel is stranded in a module's credit", 0, "");
        }
        uint256 marketOwes = market.accruedFeesOf(address(0));
        uint256 panelOwes;
        for (uint256 i = 0; i < accounts.length; ++i) {
            marketOwes += market.creditOf(accounts[i], address(0));
            panelOwes += panel.creditOf(accounts[i]);
        }
        _checkHolds("market", address(market).balance, marketOwes);
        _checkHolds("panel", address(panel).balance, panelOwes);
    }

    function _moduleCredits(DisputableModule module, address[] calldata accounts) private view returns (uint256 total) {
        for (uint256 i = 0; i < accounts.length; ++i) total += module.creditOf(accounts[i]);
    }

    function _checkHolds(string memory name, uint256 balance, uint256 owed) private {
        if (balance == owed) return;
        _fail(
            string.concat(name, " holds ", vm.toString(balance), " wei but owes ", vm.toString(owed), " in credits"),
            0,
            ""
        );
    }

    function _attempt(address target, bytes memory data, bool mustSucceed, string memory name, uint256 taskId) private {
        (bool success, bytes memory result) = target.call(data);
        if (!success && mustSucceed) _fail(string.concat(name, " failed"), taskId, result);
    }

    function _fail(string memory message, uint256 taskId, bytes memory revertData) private {
        if (_failures++ >= 3) return;
        string memory detail = string.concat(
            message,
            " (task ",
            vm.toString(taskId),
            ", t=",
            vm.toString(block.timestamp),
            ")"
        );
        if (revertData.length != 0) detail = string.concat(detail, " revert data ", vm.toString(revertData));
        _firstFailure =
            bytes(_firstFailure).length == 0
                ? string.concat("D4 liveness: ", detail)
                : string.concat(_firstFailure, "; ", detail);
    }
}
