// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorRecord, PosterRecord, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

contract Rate_Unit_Test is Base_Test {
    function rateAs(address caller, uint256 taskId, TaskTerms memory terms, uint8 rating) private {
        vm.prank(caller);
        market.rate(taskId, terms, rating);
    }

    /*//////////////////////////////////////////////////////////////
                                REVERTS
    //////////////////////////////////////////////////////////////*/

    function test_RevertGiven_TaskNotFound() external {
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 1));
        rateAs(poster, 1, terms, 5);
    }

    function test_RevertWhen_TermsMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = settledTask(terms);
        terms.executionWindow += 1;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        rateAs(poster, taskId, terms, 5);
    }

    function test_RevertGiven_TaskSubmitted() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Submitted));
        rateAs(poster, taskId, terms, 5);
    }

    function test_RevertGiven_TaskCancelled() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.prank(poster);
        market.consentToCancel(taskId, terms);
        vm.prank(human);
        market.consentToCancel(taskId, terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Cancelled));
        rateAs(human, taskId, terms, 1);
    }

    /// @dev Like every other call, `rate` names the status `statusOf` derives, not the stored one.
    function test_RevertGiven_ReviewWindowElapsed_ItShouldReportTheDerivedStatus() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        rateAs(poster, taskId, terms, 5);
    }

    function test_RevertGiven_ClaimLapsed_ItShouldReportTheDerivedStatus() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        warpPastExecutionDeadline(taskId);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        rateAs(human, taskId, terms, 5);
    }

    function test_RevertWhen_RatingZero() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = settledTask(terms);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarket_InvalidRating.selector, 0));
        rateAs(poster, taskId, terms, 0);
    }

    function test_RevertWhen_RatingAboveFive() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = settledTask(terms);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarket_InvalidRating.selector, 6));
        rateAs(human, taskId, terms, 6);
    }

    function test_RevertWhen_CallerIsStranger() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = settledTask(terms);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarket_CallerNotParty.selector, taskId, stranger));
        rateAs(stranger, taskId, terms, 3);
    }

    function test_RevertWhen_CallerIsDelegatedVerifier() external {
        TaskTerms memory terms = ethTerms();
        terms.verifier = reviewer;
        uint256 taskId = settledTask(terms);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarket_CallerNotParty.selector, taskId, reviewer));
        rateAs(reviewer, taskId, terms, 3);
    }

    function test_RevertWhen_PosterRatesTwice() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = settledTask(terms);
        rateAs(poster, taskId, terms, 4);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarket_AlreadyRated.selector, taskId, poster));
        rateAs(poster, taskId, terms, 5);
    }

    function test_RevertWhen_ExecutorRatesTwice() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = settledTask(terms);
        rateAs(human, taskId, terms, 2);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarket_AlreadyRated.selector, taskId, human));
        rateAs(human, taskId, terms, 2);
    }

    /*//////////////////////////////////////////////////////////////
                                SUCCESS
    //////////////////////////////////////////////////////////////*/

    function test_WhenPosterRates_ItShouldRecordItOnTheExecutor() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = settledTask(terms);
        uint8 flagsBefore = market.stateOf(taskId).flags;

        vm.expectEmit(address(market));
        emit ITaskMarket.PartyRated(taskId, poster, human, 4);
        rateAs(poster, taskId, terms, 4);

        ExecutorRecord memory expected;
        expected.completed = 1;
        expected.ratingSum = 4;
        expected.ratingCount = 1;
        assertEq(market.executorRecordOf(human), expected);
        assertEq(market.posterRecordOf(poster).ratingCount, 0, "the poster is not rated by its own rating");
        assertEq(market.stateOf(taskId).flags, flagsBefore | FLAG_POSTER_RATED, "flags");
        assertStatus(taskId, TaskStatus.Settled);
    }

    function test_WhenExecutorRates_ItShouldRecordItOnThePoster() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = settledTask(terms);

        vm.expectEmit(address(market));
        emit ITaskMarket.PartyRated(taskId, human, poster, 1);
        rateAs(human, taskId, terms, 1);

        PosterRecord memory expected;
        expected.posted = 1;
        expected.settled = 1;
        expected.ratingSum = 1;
        expected.ratingCount = 1;
        assertEq(market.posterRecordOf(poster), expected);
        assertEq(market.executorRecordOf(human).ratingCount, 0, "executor not rated");
        assertEq(market.stateOf(taskId).flags & FLAG_EXECUTOR_RATED, FLAG_EXECUTOR_RATED, "flags");
    }

    function test_WhenBothSidesRate_EachShouldCountOnce() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = settledTask(terms);
        rateAs(human, taskId, terms, 3);
        rateAs(poster, taskId, terms, 5);
        assertEq(market.executorRecordOf(human).ratingSum, 5, "executor rating");
        assertEq(market.posterRecordOf(poster).ratingSum, 3, "poster rating");
    }

    function test_WhenRatedOverSeveralTasks_ItShouldAccumulate() external {
        TaskTerms memory terms = ethTerms();
        uint256 first = settledTask(terms);
        uint256 second = settledTask(terms);
        rateAs(poster, first, terms, 2);
        rateAs(poster, second, terms, 5);
        ExecutorRecord memory record = market.executorRecordOf(human);
        assertEq(record.ratingSum, 7, "ratingSum");
        assertEq(record.ratingCount, 2, "ratingCount");
        assertEq(record.completed, 2, "completed");
    }

    function test_WhenSettledByRelease_ItShouldAllowRatings() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        market.release(taskId, terms);
        rateAs(human, taskId, terms, 5);
        rateAs(poster, taskId, terms, 1);
        assertEq(market.executorRecordOf(human).ratingSum, 1, "executor rating");
    }

    function test_WhenPaused_ItShouldRate() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = settledTask(terms);
        vm.prank(owner);
        market.pause();
        rateAs(poster, taskId, terms, 5);
        assertEq(market.executorRecordOf(human).ratingCount, 1, "ratingCount");
    }
}
