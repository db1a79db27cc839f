// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskState, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

contract Start_Unit_Test is Base_Test {
    function test_RevertGiven_TaskNotFound() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 7));
        vm.prank(human);
        market.start(7);
    }

    function test_RevertGiven_TaskNotClaimed() external {
        uint256 taskId = createTask(ethTerms());
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        vm.prank(human);
        market.start(taskId);
    }

    function test_RevertGiven_TaskAlreadyStarted() external {
        uint256 taskId = inProgressTask(ethTerms());
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.InProgress)
        );
        vm.prank(human);
        market.start(taskId);
    }

    function test_RevertGiven_ClaimLapsed() external {
        uint256 taskId = claimedTask(ethTerms());
        warpPastExecutionDeadline(taskId);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        vm.prank(human);
        market.start(taskId);
    }

    function test_RevertGiven_ClaimLapsedPastClaimDeadline() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.warp(terms.claimDeadline + 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Expired));
        vm.prank(human);
        market.start(taskId);
    }

    function test_RevertWhen_CallerNotExecutor() external {
        uint256 taskId = claimedTask(ethTerms());
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotExecutor.selector, taskId, poster));
        vm.prank(poster);
        market.start(taskId);
    }

    function test_WhenExecutorStarts_ItShouldMarkInProgress() external {
        uint256 taskId = claimedTask(ethTerms());
        TaskState memory before = market.stateOf(taskId);

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskStarted(taskId, human);
        vm.prank(human);
        market.start(taskId);

        assertStatus(taskId, TaskStatus.InProgress);
        before.status = TaskStatus.InProgress;
        assertEq(market.stateOf(taskId), before);
    }

    function test_WhenExecutionDeadlineNow_ItShouldStart() external {
        uint256 taskId = claimedTask(ethTerms());
        vm.warp(market.stateOf(taskId).executionDeadline);
        startTask(taskId, human);
        assertStatus(taskId, TaskStatus.InProgress);
    }

    function test_WhenExecutorDeactivatedAfterClaim_ItShouldStart() external {
        uint256 taskId = claimedTask(ethTerms());
        vm.prank(human);
        registry.setActive(false);
        startTask(taskId, human);
        assertStatus(taskId, TaskStatus.InProgress);
    }
}
