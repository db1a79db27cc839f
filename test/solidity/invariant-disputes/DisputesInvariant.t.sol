// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ExecutorRegistry } from "../../../contracts/ExecutorRegistry.sol";
import { TaskMarket } from "../../../contracts/TaskMarket.sol";
import { PanelArbitrator } from "../../../contracts/arbitration/PanelArbitrator.sol";
import { IDisputableModule } from "../../../contracts/interfaces/verification/IDisputableModule.sol";
import { TaskStatus } from "../../../contracts/types/TaskTypes.sol";
import { DisputableModule } from "../../../contracts/verification/DisputableModule.sol";
import { OptimisticModule } from "../../../contracts/verification/OptimisticModule.sol";
import { ReviewModule } from "../../../contracts/verification/ReviewModule.sol";
import { Base_Test } from "../Base.t.sol";
import { DisputesHandler } from "./handlers/DisputesHandler.sol";
import { LivenessSweeper } from "./handlers/LivenessSweeper.sol";
import { DisputeStore } from "./stores/DisputeStore.sol";

/// @notice The invariants of contests and disputes, checked after every call of random sequences driven by
/// `DisputesHandler` over ETH tasks verified by a `ReviewModule` and an `OptimisticModule` that share one
/// three-arbiter `PanelArbitrator`. README.md beside this file states each one in words. Runs and depth come from
/// `hardhat.config.ts`.
contract Disputes_Invariant_Test is Base_Test {
    /// @dev Not a round figure, so that a fee mixed up with a bond (or a half of it) shows in a balance.
    uint256 internal constant ARBITRATION_FEE = 30_000_000_000_000_001;
    uint32 internal constant VOTING_PERIOD = 14 days;
    /// @dev D4 sweeps on a snapshot after every this many handler calls, and at the end of every run.
    uint256 internal constant SWEEP_EVERY = 16;

    ReviewModule internal reviewModule;
    OptimisticModule internal optimisticModule;
    PanelArbitrator internal panel;
    DisputeStore internal store;
    DisputesHandler internal handler;
    LivenessSweeper internal sweeper;

    function setUp() public override {
        super.setUp();
        reviewModule = new ReviewModule(market, "ipfs://disputes-invariant-review");
        optimisticModule = new OptimisticModule(market, "ipfs://disputes-invariant-optimistic");
        panel = new PanelArbitrator(owner, ARBITRATION_FEE, VOTING_PERIOD);
        store = new DisputeStore(block.timestamp);
        handler = new DisputesHandlerTarget(market, registry, reviewModule, optimisticModule, panel, store, owner);
        sweeper = new LivenessSweeper(market, reviewModule, optimisticModule, panel, store);
        store.setInitialTotal(_totalEth());
        vm.label(address(reviewModule), "ReviewModule");
        vm.label(address(optimisticModule), "OptimisticModule");
        vm.label(address(panel), "PanelArbitrator");
        vm.label(address(handler), "DisputesHandler");
        vm.label(address(store), "DisputeStore");
        vm.label(address(sweeper), "LivenessSweeper");
        targetContract(address(handler));
    }

    /*//////////////////////////////////////////////////////////////
                                   D1
    //////////////////////////////////////////////////////////////*/

    /// D1: no wei is created or destroyed across the market, the modules, the panel and every account; everything
    /// deposited (rewards, verifier fees, bonds, dispute fees, challenge bonds) is either held for an open task or
    /// contest (or a pending dispute) or was paid to an account, pushed or credited; and every call paid exactly the
    /// documented amounts to exactly the documented accounts.
    function invariant_D1_Conservation() external view {
        assertEq(_totalEth(), store.initialTotal(), "Invariant violation: D1 ETH created or destroyed");
        DisputeStore.Ledger memory ledger = store.ledger();
        int256 modelHeld = int256(store.heldByModel(address(reviewModule), address(optimisticModule)));
        assertEq(
            int256(ledger.deposited) - int256(ledger.paidOut),
            modelHeld,
            "Invariant violation: D1 deposited - paid out != held for open tasks, contests and disputes"
        );
        assertEq(
            int256(_contractBalances()) - int256(_accountCredits()),
            modelHeld,
            "Invariant violation: D1 contracts hold other than open tasks, contests, disputes and credits"
        );
        _assertNoViolation(DisputeStore.Check.Conservation, "D1");
    }

    /*//////////////////////////////////////////////////////////////
                                 D2, D3
    //////////////////////////////////////////////////////////////*/

    /// D2: each module holds at least the deposits of its open contests plus its credits — in fact exactly that, plus
    /// the arbitration fees it pulled back from the panel and has not passed on yet: nothing for a task whose contest
    /// ended; the deposits match the model.
    function invariant_D2_ModuleSolvency() external view {
        DisputeStore.Ledger memory ledger = store.ledger();
        DisputableModule[2] memory modules = [DisputableModule(reviewModule), DisputableModule(optimisticModule)];
        uint256[2] memory unassigned = [ledger.reviewUnassigned, ledger.optimisticUnassigned];
        for (uint256 m = 0; m < 2; ++m) {
            DisputableModule module = modules[m];
            uint256 deposits = _openContestDeposits(module);
            uint256 owed = deposits + _moduleCredits(module);
            string memory name = m == 0 ? "review module" : "optimistic module";
            assertGe(address(module).balance, owed, string.concat("Invariant violation: D2 insolvent ", name));
            assertEq(
                address(module).balance,
                owed + unassigned[m],
                string.concat("Invariant violation: D2 ETH held for no open contest by the ", name)
            );
            assertEq(
                deposits,
                store.contestDepositsHeld(address(module)),
                string.concat("Invariant violation: D2 contest deposits differ from the model in the ", name)
            );
        }
    }

    /// D3: the market holds at least — in fact exactly — the unsettled rewards, unspent verifier fees and bonds of
    /// open tasks, plus every credit and the accrued protocol fees.
    function invariant_D3_MarketSolvency() external view {
        uint256 owed = store.escrowHeld() + market.accruedFeesOf(address(0));
        address[] memory accounts = handler.accounts();
        for (uint256 i = 0; i < accounts.length; ++i) owed += market.creditOf(accounts[i], address(0));
        assertGe(address(market).balance, owed, "Invariant violation: D3 market insolvent in ETH");
        assertEq(address(market).balance, owed, "Invariant violation: D3 market holds ETH it does not owe");
        assertEq(
            market.accruedFeesOf(address(0)),
            store.ledger().accruedFees,
            "Invariant violation: D3 accrued fees differ from the model"
        );
    }

    /*//////////////////////////////////////////////////////////////
                                   D4
    //////////////////////////////////////////////////////////////*/

    /// D4: from the current state, permissionless calls alone end every task, contest and panel dispute, pass every
    /// refunded arbitration fee on, and leave each module with exactly its credits (no fee stranded at the panel).
    /// Swept on a snapshot every `SWEEP_EVERY` calls, and after every run.
    function invariant_D4_Liveness() external {
        uint256 calls = store.callCount();
        if (calls == 0 || calls % SWEEP_EVERY != 0) return;
        _assertLiveness();
    }

    function afterInvariant() external {
        _assertLiveness();
        _logStats();
    }

    /*//////////////////////////////////////////////////////////////
                                 D5, D6
    //////////////////////////////////////////////////////////////*/

    /// D5: a task reads as `Disputed` only while its module's contest about its current submission holds it; a
    /// contest exists only while it holds its task, or after the hold lapsed until it is closed (a lapsed contest
    /// never acts on the market again); tasks, holds, contests and panel disputes follow the model.
    function invariant_D5_Transitions() external view {
        _assertNoViolation(DisputeStore.Check.Transitions, "D5");
        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = store.taskIdAt(i);
            DisputableModule module = DisputableModule(payable(store.termsOf(taskId).verifier));
            IDisputableModule.Contest memory c = module.contestOf(taskId);
            if (market.statusOf(taskId) != TaskStatus.Disputed) continue;
            DisputeStore.TaskModel memory t = store.taskOf(taskId);
            assertTrue(
                c.phase != IDisputableModule.ContestPhase.None && t.contest.submission == t.submission,
                string.concat(
                    "Invariant violation: D5 task Disputed without its module's contest: ",
                    vm.toString(taskId)
                )
            );
        }
    }

    /// D6: every call its entitled caller makes in a state that allows it succeeds, and no call by an account without
    /// the role (or in a state that forbids it) does.
    function invariant_D6_Roles() external view {
        _assertNoViolation(DisputeStore.Check.Liveness, "D6 (entitled call failed)");
        _assertNoViolation(DisputeStore.Check.Authority, "D6 (unentitled call succeeded)");
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    function _assertLiveness() private {
        uint256 snapshot = vm.snapshotState();
        (uint256 failures, string memory firstFailure) = sweeper.sweep(handler.accounts());
        vm.revertToStateAndDelete(snapshot);
        assertEq(failures, 0, string.concat("Invariant violation: ", firstFailure));
    }

    function _totalEth() private view returns (uint256 total) {
        total = _contractBalances();
        address[] memory accounts = handler.accounts();
        for (uint256 i = 0; i < accounts.length; ++i) total += accounts[i].balance;
    }

    function _contractBalances() private view returns (uint256) {
        return
            address(market).balance +
            address(reviewModule).balance +
            address(optimisticModule).balance +
            address(panel).balance;
    }

    /// @dev Every account's credits in the market, both modules and the panel.
    function _accountCredits() private view returns (uint256 total) {
        address[] memory accounts = handler.accounts();
        for (uint256 i = 0; i < accounts.length; ++i) {
            total +=
                market.creditOf(accounts[i], address(0)) +
                reviewModule.creditOf(accounts[i]) +
                optimisticModule.creditOf(accounts[i]) +
                panel.creditOf(accounts[i]);
        }
    }

    function _moduleCredits(DisputableModule module) private view returns (uint256 total) {
        address[] memory accounts = handler.accounts();
        for (uint256 i = 0; i < accounts.length; ++i) total += module.creditOf(accounts[i]);
    }

    /// @dev The deposits `module` holds for its open contests, read from the contests themselves.
    function _openContestDeposits(DisputableModule module) private view returns (uint256 total) {
        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = store.taskIdAt(i);
            if (store.termsOf(taskId).verifier != address(module)) continue;
            IDisputableModule.Contest memory c = module.contestOf(taskId);
            if (c.phase >= IDisputableModule.ContestPhase.AwaitingRespondent) total += uint256(c.claimantFee) + c.bond;
            if (c.phase >= IDisputableModule.ContestPhase.Arbitrating) total += c.bond;
        }
    }

    function _assertNoViolation(DisputeStore.Check check, string memory invariantId) private view {
        assertEq(
            store.violationCount(check),
            0,
            string.concat("Invariant violation: ", invariantId, " ", store.firstViolation(check))
        );
    }

    /// @dev With `DISPUTES_INVARIANT_STATS` set to a file path (writable under the config's `fsPermissions`), appends
    /// what each run did: successful calls by action, and any violation. Diagnosis only.
    function _logStats() private {
        string memory path = vm.envOr("DISPUTES_INVARIANT_STATS", string(""));
        if (bytes(path).length == 0) return;
        vm.writeLine(
            path,
            string.concat(
                "run calls=",
                vm.toString(store.callCount()),
                " tasks=",
                vm.toString(store.taskCount()),
                " disputes=",
                vm.toString(store.disputeCount())
            )
        );
        string[] memory actions = store.actions();
        for (uint256 i = 0; i < actions.length; ++i) {
            vm.writeLine(
                path,
                string.concat("action\t", actions[i], "\t", vm.toString(store.successfulCalls(actions[i])))
            );
        }
        string[] memory violations = store.violations();
        for (uint256 i = 0; i < violations.length; ++i) vm.writeLine(path, string.concat("violation\t", violations[i]));
    }
}

/// @notice The handler as deployed by this test. Hardhat writes artifacts only for the root files of a build, and
/// the fuzzer needs the artifact of a target to call it: declaring the deployed contract here makes
/// `npx hardhat test solidity test/solidity/invariant-disputes/DisputesInvariant.t.sol` work on its own.
contract DisputesHandlerTarget is DisputesHandler {
    constructor(
        TaskMarket market_,
        ExecutorRegistry registry_,
        ReviewModule reviewModule_,
        OptimisticModule optimisticModule_,
        PanelArbitrator panel_,
        DisputeStore store_,
        address owner_
    ) DisputesHandler(market_, registry_, reviewModule_, optimisticModule_, panel_, store_, owner_) {}
}
