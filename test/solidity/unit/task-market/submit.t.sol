// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskState, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

contract Submit_Unit_Test is Base_Test {
    function submitAs(address caller, uint256 taskId, TaskTerms memory terms) private {
        vm.prank(caller);
        market.submit(taskId, terms, RESULT_HASH, RESULT_URI);
    }

    function test_RevertGiven_TaskNotFound() external {
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 1));
        submitAs(human, 1, terms);
    }

    function test_RevertWhen_TermsMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        terms.reviewWindow = 1;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        submitAs(human, taskId, terms);
    }

    function test_RevertGiven_TaskNotClaimed() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        submitAs(human, taskId, terms);
    }

    function test_RevertGiven_AlreadySubmitted() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Submitted));
        submitAs(human, taskId, terms);
    }

    function test_RevertGiven_ClaimLapsed() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = inProgressTask(terms);
        warpPastExecutionDeadline(taskId);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        submitAs(human, taskId, terms);
    }

    function test_RevertWhen_CallerNotExecutor() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotExecutor.selector, taskId, stranger));
        submitAs(stranger, taskId, terms);
    }

    function test_RevertWhen_CallerIsPoster() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotExecutor.selector, taskId, poster));
        submitAs(poster, taskId, terms);
    }

    function test_GivenClaimed_ItShouldSubmitAndStartTheReviewWindow() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.warp(block.timestamp + 1 hours);
        TaskState memory expected = market.stateOf(taskId);
        uint40 reviewDeadline = uint40(block.timestamp) + REVIEW_WINDOW;

        vm.expectEmit(address(market));
        emit ITaskMarket.WorkSubmitted(taskId, human, RESULT_HASH, RESULT_URI, reviewDeadline);
        submitAs(human, taskId, terms);

        assertStatus(taskId, TaskStatus.Submitted);
        expected.status = TaskStatus.Submitted;
        expected.reviewDeadline = reviewDeadline;
        assertEq(market.stateOf(taskId), expected);
    }

    function test_GivenInProgress_ItShouldSubmit() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = inProgressTask(terms);
        submitAs(human, taskId, terms);
        assertStatus(taskId, TaskStatus.Submitted);
    }

    function test_GivenExecutionDeadlineNow_ItShouldSubmit() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = inProgressTask(terms);
        vm.warp(market.stateOf(taskId).executionDeadline);
        submitAs(human, taskId, terms);
        // The review window runs from the submission even though the execution deadline is now behind it.
        assertEq(market.stateOf(taskId).reviewDeadline, block.timestamp + REVIEW_WINDOW, "reviewDeadline");
        assertStatus(taskId, TaskStatus.Submitted);
    }

    function test_GivenRejected_ItShouldAcceptAResubmission() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        rejectTask(taskId, terms);
        vm.warp(block.timestamp + 1 hours);
        uint40 reviewDeadline = uint40(block.timestamp) + REVIEW_WINDOW;

        vm.expectEmit(address(market));
        emit ITaskMarket.WorkSubmitted(taskId, human, keccak256("second"), "ipfs://second", reviewDeadline);
        vm.prank(human);
        market.submit(taskId, terms, keccak256("second"), "ipfs://second");

        assertStatus(taskId, TaskStatus.Submitted);
        TaskState memory state = market.stateOf(taskId);
        assertEq(state.reviewDeadline, reviewDeadline, "a fresh review window");
        assertEq(state.flags & FLAG_REJECTED, FLAG_REJECTED, "the rejection stays on record");
    }

    function test_RevertGiven_RejectedAndExecutionDeadlinePassed() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        rejectTask(taskId, terms);
        warpPastExecutionDeadline(taskId);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        submitAs(human, taskId, terms);
    }

    function test_RevertGiven_TaskSettled() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = settledTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Settled));
        submitAs(human, taskId, terms);
    }
}
