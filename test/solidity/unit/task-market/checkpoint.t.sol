// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskState, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

contract Checkpoint_Unit_Test is Base_Test {
    bytes32 internal constant PROGRESS_HASH = keccak256("progress");
    string internal constant PROGRESS_URI = "ipfs://progress";

    function test_RevertGiven_TaskNotFound() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 1));
        vm.prank(human);
        market.checkpoint(1, 10, PROGRESS_HASH, PROGRESS_URI);
    }

    function test_RevertGiven_TaskNotStarted() external {
        uint256 taskId = claimedTask(ethTerms());
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Claimed));
        vm.prank(human);
        market.checkpoint(taskId, 10, PROGRESS_HASH, PROGRESS_URI);
    }

    function test_RevertGiven_TaskSubmitted() external {
        uint256 taskId = submittedTask(ethTerms());
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Submitted));
        vm.prank(human);
        market.checkpoint(taskId, 10, PROGRESS_HASH, PROGRESS_URI);
    }

    function test_RevertGiven_ClaimLapsed() external {
        uint256 taskId = inProgressTask(ethTerms());
        warpPastExecutionDeadline(taskId);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        vm.prank(human);
        market.checkpoint(taskId, 10, PROGRESS_HASH, PROGRESS_URI);
    }

    function test_RevertWhen_CallerNotExecutor() external {
        uint256 taskId = inProgressTask(ethTerms());
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotExecutor.selector, taskId, agent));
        vm.prank(agent);
        market.checkpoint(taskId, 10, PROGRESS_HASH, PROGRESS_URI);
    }

    function test_RevertWhen_ProgressAboveHundred() external {
        uint256 taskId = inProgressTask(ethTerms());
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidProgress.selector, 101));
        vm.prank(human);
        market.checkpoint(taskId, 101, PROGRESS_HASH, PROGRESS_URI);
    }

    function test_RevertWhen_ProgressMaxUint8() external {
        uint256 taskId = inProgressTask(ethTerms());
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidProgress.selector, 255));
        vm.prank(human);
        market.checkpoint(taskId, 255, PROGRESS_HASH, PROGRESS_URI);
    }

    function test_WhenProgressValid_ItShouldEmitWithoutChangingState() external {
        uint256 taskId = inProgressTask(ethTerms());
        TaskState memory before = market.stateOf(taskId);
        uint8[3] memory percents = [0, 55, 100];
        for (uint256 i = 0; i < percents.length; ++i) {
            vm.expectEmit(address(market));
            emit ITaskMarket.CheckpointPosted(taskId, human, percents[i], PROGRESS_HASH, PROGRESS_URI);
            vm.prank(human);
            market.checkpoint(taskId, percents[i], PROGRESS_HASH, PROGRESS_URI);
        }
        assertEq(market.stateOf(taskId), before);
        assertStatus(taskId, TaskStatus.InProgress);
    }

    function test_GivenResubmissionPending_ItShouldAcceptCheckpoints() external {
        // After a rejection the task is back in progress: checkpoints are allowed again.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        rejectTask(taskId, terms);
        vm.expectEmit(address(market));
        emit ITaskMarket.CheckpointPosted(taskId, human, 90, PROGRESS_HASH, PROGRESS_URI);
        vm.prank(human);
        market.checkpoint(taskId, 90, PROGRESS_HASH, PROGRESS_URI);
    }

    function test_WhenExecutionDeadlineNow_ItShouldAccept() external {
        uint256 taskId = inProgressTask(ethTerms());
        vm.warp(market.stateOf(taskId).executionDeadline);
        vm.prank(human);
        market.checkpoint(taskId, 100, PROGRESS_HASH, PROGRESS_URI);
    }
}
