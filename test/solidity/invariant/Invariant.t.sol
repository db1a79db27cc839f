// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ExecutorRegistry } from "../../../contracts/ExecutorRegistry.sol";
import { TaskMarket } from "../../../contracts/TaskMarket.sol";
import { TaskStatus } from "../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../Base.t.sol";
import { MockERC20 } from "../mocks/MockERC20.sol";
import { BlockableToken } from "../mocks/WeirdTokens.sol";
import { TaskMarketHandler } from "./handlers/TaskMarketHandler.sol";
import { TaskStore } from "./stores/TaskStore.sol";

/// @notice The protocol's invariants, checked after every call of random sequences driven by `TaskMarketHandler`.
/// README.md beside this file states each one in words. Runs and depth come from `hardhat.config.ts`.
contract TaskMarket_Invariant_Test is Base_Test {
    TaskStore internal store;
    TaskMarketHandler internal handler;
    BlockableToken internal blockable;

    function setUp() public override {
        super.setUp();
        blockable = new BlockableToken(6);
        store = new TaskStore(block.timestamp);
        handler = new TaskMarketHandlerTarget(market, registry, token, blockable, store, owner);
        vm.label(address(handler), "TaskMarketHandler");
        vm.label(address(store), "TaskStore");
        vm.label(address(blockable), "BLUSD");
        targetContract(address(handler));
    }

    /*//////////////////////////////////////////////////////////////
                                 I1, I2
    //////////////////////////////////////////////////////////////*/

    /// I1: for every token, the market holds at least what it owes: what is left of the escrow of open tasks (the
    /// reward not yet paid through milestones and the verifier fee not yet earned), the bonds it holds, every
    /// credited balance and the unwithdrawn fees.
    function invariant_I1_SolvencyPerToken() external view {
        address[] memory tokens = handler.tokens();
        for (uint256 t = 0; t < tokens.length; ++t) {
            uint256 owed = _escrowOwed(tokens[t]) + _creditsOf(tokens[t]) + market.accruedFeesOf(tokens[t]);
            assertGe(
                _balanceOfMarket(tokens[t]),
                owed,
                string.concat("Invariant violation: I1 market balance below what it owes in token ", _name(tokens[t]))
            );
        }
    }

    /// I2: for every token, what the market holds equals what was deposited minus what was paid out, refunded and
    /// withdrawn as fees (all measured at the counterparties); credits and accrued fees match their ghost totals.
    function invariant_I2_AccountingPerToken() external view {
        address[] memory tokens = handler.tokens();
        for (uint256 t = 0; t < tokens.length; ++t) {
            TaskStore.TokenLedger memory ledger = store.ledgerOf(tokens[t]);
            int256 expectedHeld =
                int256(ledger.deposited) -
                    int256(ledger.paidOut) -
                    int256(ledger.refunded) -
                    int256(ledger.feesWithdrawn);
            assertEq(
                int256(_balanceOfMarket(tokens[t])),
                expectedHeld,
                string.concat(
                    "Invariant violation: I2 held != deposited - paid out - refunded - fees withdrawn in token ",
                    _name(tokens[t])
                )
            );
            assertEq(
                int256(_creditsOf(tokens[t])),
                int256(ledger.credited) - int256(ledger.creditsWithdrawn),
                string.concat("Invariant violation: I2 credits != credited - withdrawn in token ", _name(tokens[t]))
            );
            assertEq(
                int256(market.accruedFeesOf(tokens[t])),
                int256(ledger.feesAccrued) - int256(ledger.feesWithdrawn),
                string.concat("Invariant violation: I2 accrued fees != accrued - withdrawn in token ", _name(tokens[t]))
            );
        }
    }

    /*//////////////////////////////////////////////////////////////
                                   I3
    //////////////////////////////////////////////////////////////*/

    /// I3: for every terminal task, what reached the executor + the refunds to the poster + the fees equal the
    /// reward funded, the verifier fee paid to the verifier or refunded to the poster equals the verifier fee funded,
    /// and bonds returned + bonds forfeited equal the bonds locked; before the end, what left of the reward is
    /// exactly the milestones settled, and at most the funded amounts otherwise. Each settlement, refund, decision
    /// and claim also paid each party exactly what the terms say (checked by the handler).
    function invariant_I3_ConservationPerTask() external view {
        _assertNoViolation(TaskStore.Check.Conservation, "I3");
        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = store.taskIdAt(i);
            TaskStore.TaskRecord memory record = store.recordOf(taskId);
            uint256 rewardOut = record.rewardToExecutor + record.rewardToPoster + record.feeTaken;
            uint256 verifierFeeOut = record.verifierFeeToVerifier + record.verifierFeeToPoster;
            uint256 bondsOut = record.bondsToExecutors + record.bondsToPoster;
            string memory task = vm.toString(taskId);
            assertEq(record.rewardIn, record.terms.reward, string.concat("Invariant violation: I3 funded task ", task));
            assertEq(
                record.verifierFeeIn,
                record.terms.verifierFee,
                string.concat("Invariant violation: I3 verifier fee funded for task ", task)
            );
            if (record.closed) {
                assertEq(rewardOut, record.rewardIn, string.concat("Invariant violation: I3 reward of task ", task));
                assertEq(
                    verifierFeeOut,
                    record.verifierFeeIn,
                    string.concat("Invariant violation: I3 verifier fee of task ", task)
                );
                assertEq(bondsOut, record.bondsIn, string.concat("Invariant violation: I3 bonds of task ", task));
            } else {
                assertEq(
                    rewardOut,
                    record.rewardSettled,
                    string.concat("Invariant violation: I3 reward of open task ", task, " != milestones settled")
                );
                assertLe(
                    verifierFeeOut,
                    record.verifierFeeIn,
                    string.concat("Invariant violation: I3 verifier fee of task ", task)
                );
                assertLe(bondsOut, record.bondsIn, string.concat("Invariant violation: I3 bonds of task ", task));
            }
        }
    }

    /*//////////////////////////////////////////////////////////////
                                   I4
    //////////////////////////////////////////////////////////////*/

    /// I4: every change of a task's stored or derived status observed after a call is a documented edge, made by
    /// the call allowed to make it; terminal states absorb; `Verified` is never stored (`Disputed` is, by a hold); a
    /// task is in a terminal stored state exactly when a settling, refunding or cancelling call succeeded on it.
    function invariant_I4_OnlyDocumentedTransitions() external view {
        _assertNoViolation(TaskStore.Check.Transitions, "I4");
        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = store.taskIdAt(i);
            TaskStatus stored = market.stateOf(taskId).status;
            TaskStore.TaskRecord memory record = store.recordOf(taskId);
            string memory task = vm.toString(taskId);
            assertTrue(
                stored != TaskStatus.None && stored != TaskStatus.Verified,
                string.concat("Invariant violation: I4 impossible stored status for task ", task)
            );
            assertEq(
                stored == TaskStatus.Disputed,
                record.held,
                string.concat(
                    "Invariant violation: I4 Disputed without a hold (or a hold not Disputed) for task ",
                    task
                )
            );
            bool terminal =
                stored == TaskStatus.Settled || stored == TaskStatus.Cancelled || stored == TaskStatus.Expired;
            assertEq(
                terminal,
                record.closed,
                string.concat("Invariant violation: I4 terminal status without a closing call for task ", task)
            );
            assertEq(
                uint256(stored),
                uint256(store.lastStatusOf(taskId).stored),
                string.concat("Invariant violation: I4 stored status changed unobserved for task ", task)
            );
        }
    }

    /*//////////////////////////////////////////////////////////////
                                 I5, I6
    //////////////////////////////////////////////////////////////*/

    /// I5: a call that the honest party is entitled to make in the task's current state never fails (release of a
    /// verified task, refund of an expired one, cancel of a posted one, withdrawals of credits, and so on).
    function invariant_I5_EntitledCallsSucceed() external view {
        _assertNoViolation(TaskStore.Check.Liveness, "I5");
    }

    /// I6: a call made by an account without the role never succeeds (poster, executor, verifier, party), a side
    /// never rates twice, and nothing is created while the market is paused.
    function invariant_I6_OnlyEntitledCallersSucceed() external view {
        _assertNoViolation(TaskStore.Check.Authority, "I6");
    }

    /*//////////////////////////////////////////////////////////////
                                 I7, I8
    //////////////////////////////////////////////////////////////*/

    /// I7: ids are handed out in sequence and never reused (each id still matches the terms it was created with),
    /// `nextTaskId` never decreases; I8: the fee never exceeds the cap, each task's fee is the fee in force at its
    /// creation, each settlement takes exactly that fee of the executor's share (the reward, a milestone, a split),
    /// and a task's fees never exceed the fee on its whole reward.
    function invariant_I7_IdentityAndFees() external view {
        _assertNoViolation(TaskStore.Check.Identity, "I7");
        uint256 count = store.taskCount();
        assertEq(market.nextTaskId(), count + 1, "Invariant violation: I7 nextTaskId != tasks created + 1");
        assertEq(market.nextTaskId(), store.highestNextTaskId(), "Invariant violation: I7 nextTaskId went back");
        uint16 cap = market.MAX_FEE_BPS();
        assertLe(market.protocolFeeBps(), cap, "Invariant violation: I8 protocol fee above the cap");
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = store.taskIdAt(i);
            TaskStore.TaskRecord memory record = store.recordOf(taskId);
            string memory task = vm.toString(taskId);
            assertTrue(
                market.matchesTerms(taskId, record.terms),
                string.concat("Invariant violation: I7 id no longer bound to its terms: task ", task)
            );
            assertEq(
                record.terms.feeBps,
                record.feeAtCreation,
                string.concat("Invariant violation: I8 fee not the snapshot for task ", task)
            );
            assertLe(record.terms.feeBps, cap, string.concat("Invariant violation: I8 fee above the cap, task ", task));
            assertEq(
                record.feeTaken,
                record.expectedFee,
                string.concat("Invariant violation: I8 fee taken by task ", task)
            );
            assertLe(
                record.feeTaken,
                (uint256(record.terms.reward) * record.terms.feeBps) / BPS,
                string.concat("Invariant violation: I8 fees above the fee on the reward of task ", task)
            );
        }
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev What is left of the escrow of tasks not yet closed (the reward not paid through milestones, the verifier
    /// fee not earned) and the bonds held, in `rewardToken`, from the store's model.
    function _escrowOwed(address rewardToken) private view returns (uint256 owed) {
        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) {
            TaskStore.TaskRecord memory record = store.recordOf(store.taskIdAt(i));
            if (record.terms.token != rewardToken) continue;
            if (!record.closed) {
                owed += record.terms.reward - record.rewardSettled;
                if (!record.verifierPaid) owed += record.terms.verifierFee;
            }
            if (record.bondHeld) owed += record.terms.claimBond;
        }
    }

    function _creditsOf(address rewardToken) private view returns (uint256 total) {
        address[] memory accounts = handler.accounts();
        for (uint256 i = 0; i < accounts.length; ++i) {
            total += market.creditOf(accounts[i], rewardToken);
        }
    }

    function _balanceOfMarket(address rewardToken) private view returns (uint256) {
        return rewardToken == address(0) ? address(market).balance : MockERC20(rewardToken).balanceOf(address(market));
    }

    function _name(address rewardToken) private view returns (string memory) {
        return rewardToken == address(0) ? "ETH" : MockERC20(rewardToken).symbol();
    }

    function _assertNoViolation(TaskStore.Check check, string memory invariantId) private view {
        assertEq(
            store.violationCount(check),
            0,
            string.concat("Invariant violation: ", invariantId, " ", store.firstViolation(check))
        );
    }
}

/// @notice The handler as deployed by this test. Hardhat writes artifacts only for the root files of a build, and
/// the fuzzer needs the artifact of a target to call it: declaring the deployed contract here makes
/// `npx hardhat test solidity test/solidity/invariant/Invariant.t.sol` work on its own.
contract TaskMarketHandlerTarget is TaskMarketHandler {
    constructor(
        TaskMarket market_,
        ExecutorRegistry registry_,
        MockERC20 standardToken_,
        BlockableToken blockableToken_,
        TaskStore store_,
        address owner_
    ) TaskMarketHandler(market_, registry_, standardToken_, blockableToken_, store_, owner_) {}
}
