// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorRecord, PosterRecord, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { OptimisticModule_Test } from "./OptimisticModuleBase.sol";

/// @notice An optimistic submission nobody challenges is accepted when its window passes: anyone settles it with the
/// market's `release`, and the module never acts.
contract OptimisticRelease_Unit_Test is OptimisticModule_Test {
    function test_WhenUnchallenged_ReleaseAfterTheWindowShouldPayInFull() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        assertStatus(taskId, TaskStatus.Verified);
        (uint256 payout, uint256 fee, ) = splitOf(REWARD, BPS);
        assertEq(payout, payoutOf(REWARD, FEE_BPS), "payout");
        Balances memory before = ethBalances();

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskVerified(taskId);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), payout, fee, BOND);
        vm.recordLogs();
        vm.prank(stranger);
        market.release(taskId, terms);

        assertEq(countMarketEvents(ITaskMarket.SettlementRefunded.selector), 0, "nothing refunded");
        assertStatus(taskId, TaskStatus.Settled);
        assertEthDeltas(
            before,
            Deltas({
                poster: 0,
                executor: signed(payout + BOND),
                challenger: 0,
                treasury: 0,
                market: -signed(payout + BOND),
                module: 0,
                panel: 0
            })
        );
        assertEq(address(market).balance, fee, "the market keeps only the fee");
        assertEq(market.accruedFeesOf(address(0)), fee, "fee accrued");
        assertEq(address(module).balance, 0, "the module never held anything");
        assertEq(market.earnedOf(human, address(0)), payout, "earned");
        assertNoContest(taskId);

        ExecutorRecord memory record;
        record.completed = 1;
        assertEq(market.executorRecordOf(human), record);
        PosterRecord memory posterRecord;
        posterRecord.posted = 1;
        posterRecord.settled = 1;
        assertEq(market.posterRecordOf(poster), posterRecord);
    }

    function test_WhenUnchallenged_AVerifierFeeShouldGoBackToThePoster() external {
        TaskTerms memory terms = optimisticTermsWithFee(address(0));
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        (uint256 payout, uint256 fee, ) = splitOf(REWARD, BPS);
        Balances memory before = ethBalances();

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), payout, fee, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SettlementRefunded(taskId, poster, VERIFIER_FEE);
        vm.recordLogs();
        market.release(taskId, terms);

        assertEq(countMarketEvents(ITaskMarket.VerifierPaid.selector), 0, "nobody verified: no verifier paid");
        assertEthDeltas(
            before,
            Deltas({
                poster: signed(VERIFIER_FEE),
                executor: signed(payout + BOND),
                challenger: 0,
                treasury: 0,
                market: -signed(payout + BOND + VERIFIER_FEE),
                module: 0,
                panel: 0
            })
        );
        assertEq(address(market).balance, fee, "the market keeps only the fee");
    }

    function test_WhenUnchallengedTokenTask_ReleaseShouldPayInTheToken() external {
        TaskTerms memory terms = optimisticTermsWithFee(address(token));
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        (uint256 payout, uint256 fee, ) = splitOf(REWARD, BPS);
        uint256 humanTokens = token.balanceOf(human);
        uint256 posterTokens = token.balanceOf(poster);
        Balances memory before = ethBalances();

        market.release(taskId, terms);

        assertEq(token.balanceOf(human), humanTokens + payout + BOND, "executor: payout and bond");
        assertEq(token.balanceOf(poster), posterTokens + VERIFIER_FEE, "poster: the unspent verifier fee");
        assertEq(token.balanceOf(address(market)), fee, "market: the fee");
        assertEq(token.balanceOf(address(module)), 0, "module: nothing");
        assertEthDeltas(
            before,
            Deltas({ poster: 0, executor: 0, challenger: 0, treasury: 0, market: 0, module: 0, panel: 0 })
        );
    }

    function test_RevertWhen_ReleasedWithinTheChallengeWindow() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);
        vm.warp(market.stateOf(taskId).reviewDeadline);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Submitted));
        market.release(taskId, terms);
    }

    function test_RevertWhen_ReleasedWhileChallenged() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);
        warpPastReviewDeadline(taskId);
        vm.warp(block.timestamp - 1); // back to the end of the hold
        assertStatus(taskId, TaskStatus.Disputed);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Disputed));
        market.release(taskId, terms);
    }

    /// @dev The module is the task's verifier, not the poster: the poster cannot approve or reject directly.
    function test_RevertWhen_PosterDecidesDirectlyInTheMarket() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);

        vm.startPrank(poster);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, taskId, poster));
        market.reject(taskId, terms, REASON_HASH);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, taskId, poster));
        market.approve(taskId, terms);
        vm.stopPrank();
    }
}
