// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorRecord, PosterRecord, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

contract Release_Unit_Test is Base_Test {
    function releaseAs(address caller, uint256 taskId, TaskTerms memory terms) private {
        vm.prank(caller);
        market.release(taskId, terms);
    }

    function test_RevertGiven_TaskNotFound() external {
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 1));
        releaseAs(stranger, 1, terms);
    }

    function test_RevertWhen_TermsMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        terms.reward = REWARD * 2;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        releaseAs(stranger, taskId, terms);
    }

    function test_RevertGiven_ReviewWindowOpen() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Submitted));
        releaseAs(stranger, taskId, terms);
    }

    function test_RevertGiven_ReviewDeadlineNow() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.warp(market.stateOf(taskId).reviewDeadline);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Submitted));
        releaseAs(stranger, taskId, terms);
    }

    function test_RevertGiven_TaskNeverSubmitted() external {
        // Silence on an unsubmitted task never releases payment, however long the wait.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.warp(uint256(terms.claimDeadline) + 365 days);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Expired));
        releaseAs(human, taskId, terms);
    }

    function test_RevertGiven_AlreadyReleased() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        releaseAs(stranger, taskId, terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Settled));
        releaseAs(stranger, taskId, terms);
    }

    function test_WhenReviewWindowElapsed_ItShouldReleaseToTheExecutor() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        assertStatus(taskId, TaskStatus.Verified);
        assertStoredStatus(taskId, TaskStatus.Submitted);
        uint256 fee = feeOf(REWARD, FEE_BPS);
        uint256 humanBefore = human.balance;
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskVerified(taskId);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), REWARD - fee, fee, BOND);
        releaseAs(stranger, taskId, terms);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(human.balance, humanBefore + REWARD - fee + BOND, "executor balance");
        assertEq(poster.balance, posterBefore, "silence never refunds the poster");
        assertEq(market.accruedFeesOf(address(0)), fee, "accrued fees");
        assertEq(market.earnedOf(human, address(0)), REWARD - fee, "earned");
        ExecutorRecord memory executorRecord;
        executorRecord.completed = 1;
        assertEq(market.executorRecordOf(human), executorRecord);
        PosterRecord memory posterRecord;
        posterRecord.posted = 1;
        posterRecord.settled = 1;
        assertEq(market.posterRecordOf(poster), posterRecord);
    }

    function test_WhenReviewWindowElapsedOnTokenTask_ItShouldRelease() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        uint256 humanBefore = token.balanceOf(human);
        releaseAs(human, taskId, terms);
        assertEq(token.balanceOf(human), humanBefore + payoutOf(REWARD, FEE_BPS) + BOND, "executor balance");
        assertEq(token.balanceOf(address(market)), feeOf(REWARD, FEE_BPS), "market keeps the fee");
    }

    function test_WhenDelegatedVerifierSilent_ItShouldRelease() external {
        TaskTerms memory terms = ethTerms();
        terms.verifier = reviewer;
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        releaseAs(poster, taskId, terms);
        assertStatus(taskId, TaskStatus.Settled);
    }

    function test_WhenLongAfterEveryDeadline_ItShouldStillRelease() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.warp(uint256(terms.claimDeadline) + 365 days);
        assertStatus(taskId, TaskStatus.Verified);
        releaseAs(stranger, taskId, terms);
        assertStatus(taskId, TaskStatus.Settled);
    }

    function test_WhenPaused_ItShouldRelease() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.prank(owner);
        market.pause();
        warpPastReviewDeadline(taskId);
        releaseAs(stranger, taskId, terms);
        assertStatus(taskId, TaskStatus.Settled);
    }
}
