// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskState, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

contract Reject_Unit_Test is Base_Test {
    function rejectAs(address caller, uint256 taskId, TaskTerms memory terms) private {
        vm.prank(caller);
        market.reject(taskId, terms, REASON_HASH);
    }

    function test_RevertGiven_TaskNotFound() external {
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 3));
        rejectAs(poster, 3, terms);
    }

    function test_RevertWhen_TermsMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        terms.verifier = stranger;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        rejectAs(stranger, taskId, terms);
    }

    function test_RevertGiven_TaskNotSubmitted() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Claimed));
        rejectAs(poster, taskId, terms);
    }

    function test_RevertGiven_AlreadyRejected() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        rejectAs(poster, taskId, terms);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.InProgress)
        );
        rejectAs(poster, taskId, terms);
    }

    function test_RevertGiven_ReviewWindowElapsed() external {
        // Silence past the review window accepts the submission: a late rejection is refused.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        rejectAs(poster, taskId, terms);
    }

    function test_RevertWhen_CallerIsStranger() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, taskId, stranger));
        rejectAs(stranger, taskId, terms);
    }

    function test_RevertWhen_VerifierSetAndCallerIsPoster() external {
        TaskTerms memory terms = ethTerms();
        terms.verifier = reviewer;
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, taskId, poster));
        rejectAs(poster, taskId, terms);
    }

    function test_WhenPosterRejects_ItShouldReturnTheTaskToTheExecutor() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        TaskState memory expected = market.stateOf(taskId);
        uint256 marketBefore = address(market).balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionRejected(taskId, poster, REASON_HASH);
        rejectAs(poster, taskId, terms);

        assertStatus(taskId, TaskStatus.InProgress);
        expected.status = TaskStatus.InProgress;
        expected.reviewDeadline = 0;
        expected.flags = FLAG_REJECTED;
        assertEq(market.stateOf(taskId), expected);
        assertEq(address(market).balance, marketBefore, "no value moves");
    }

    function test_WhenDelegatedVerifierRejects_ItShouldReturnTheTaskToTheExecutor() external {
        TaskTerms memory terms = tokenTerms();
        terms.verifier = reviewer;
        uint256 taskId = submittedTask(terms);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionRejected(taskId, reviewer, REASON_HASH);
        rejectAs(reviewer, taskId, terms);
        assertStatus(taskId, TaskStatus.InProgress);
    }

    function test_WhenReviewDeadlineNow_ItShouldReject() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.warp(market.stateOf(taskId).reviewDeadline);
        rejectAs(poster, taskId, terms);
        assertStoredStatus(taskId, TaskStatus.InProgress);
    }

    function test_WhenRejectedAfterExecutionDeadline_TheClaimLapsesAndTheBondReturnsToTheExecutor() external {
        // The execution clock keeps running while a submission is under review, so a verifier that rejects after the
        // execution deadline leaves no time to resubmit. The executor delivered on time, so the lapse returns its bond
        // instead of forfeiting it: a late rejection gains the poster nothing beyond its refund.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.warp(block.timestamp + 2 days);
        submitWork(taskId, terms, human); // on time: a day before the execution deadline
        warpPastExecutionDeadline(taskId); // still inside the review window

        rejectAs(poster, taskId, terms);

        assertStatus(taskId, TaskStatus.Posted);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        submitWork(taskId, terms, human);

        uint256 posterBefore = poster.balance;
        uint256 humanBefore = human.balance;
        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, true, 0);
        claimTask(taskId, terms, agent);
        assertEq(poster.balance, posterBefore, "the poster gains no bond");
        assertEq(human.balance, humanBefore + BOND, "the executor gets its bond back");
        assertEq(market.executorRecordOf(human).rejected, 1, "the lapse counts as a rejection");
        assertEq(market.executorRecordOf(human).expired, 0);
    }

    function test_WhenRejectedTwice_TheExecutorMayResubmitEachTime() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        rejectAs(poster, taskId, terms);
        submitWork(taskId, terms, human);
        rejectAs(poster, taskId, terms);
        assertStatus(taskId, TaskStatus.InProgress);
        assertEq(market.stateOf(taskId).flags, FLAG_REJECTED, "flags");
        submitWork(taskId, terms, human);
        assertStatus(taskId, TaskStatus.Submitted);
    }
}
