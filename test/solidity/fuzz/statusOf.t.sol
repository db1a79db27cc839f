// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../contracts/libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../Base.t.sol";

/// @notice Walks a task along a random path at random times, then jumps to a random later time and checks that
/// `statusOf` matches a reference model written from the rules in `TaskStatus`, and that the one action the status
/// allows actually succeeds (and a neighbouring one fails).
contract StatusOf_Fuzz_Test is Base_Test {
    /// @dev How far along the lifecycle the fuzzed task goes before the clock jumps.
    enum Path {
        Posted,
        Claimed,
        Started,
        Submitted,
        Rejected
    }

    /// @dev The facts the model reasons from: what happened and when.
    struct History {
        Path path;
        uint256 claimDeadline;
        uint256 claimedAt;
        uint256 executionWindow;
        uint256 submittedAt;
        uint256 reviewWindow;
        uint256 rejectedAt;
    }

    /// @dev The reference model. A claim is held while the execution window runs; a submission under review waits
    /// for its review window; an unheld task is open until the claim deadline and expired after it.
    function expectedStatus(History memory history, uint256 time) private pure returns (TaskStatus) {
        bool claimed = history.path != Path.Posted;
        bool underReview = history.path == Path.Submitted;
        if (underReview) {
            bool reviewWindowOver = time > history.submittedAt + history.reviewWindow;
            return reviewWindowOver ? TaskStatus.Verified : TaskStatus.Submitted;
        }
        bool claimHeld = claimed && time <= history.claimedAt + history.executionWindow;
        if (claimHeld) {
            bool working = history.path == Path.Started || history.path == Path.Rejected;
            return working ? TaskStatus.InProgress : TaskStatus.Claimed;
        }
        return time > history.claimDeadline ? TaskStatus.Expired : TaskStatus.Posted;
    }

    struct Seeds {
        uint256 claimPeriod;
        uint256 executionWindow;
        uint256 reviewWindow;
        uint256 claimDelay;
        uint256 submitDelay;
        uint256 rejectDelay;
        uint256 queryDelay;
        uint8 path;
    }

    /// @dev Builds the task along the fuzzed path and returns its history, leaving the clock at the last action.
    function walk(Seeds memory seeds) private returns (uint256 taskId, TaskTerms memory terms, History memory history) {
        history.path = Path(bound(seeds.path, 0, uint256(type(Path).max)));
        terms = ethTerms();
        terms.claimDeadline = uint40(block.timestamp + bound(seeds.claimPeriod, 1, 365 days));
        terms.executionWindow = uint32(bound(seeds.executionWindow, 1, 90 days));
        terms.reviewWindow = uint32(bound(seeds.reviewWindow, 1, 90 days));
        history.claimDeadline = terms.claimDeadline;
        history.executionWindow = terms.executionWindow;
        history.reviewWindow = terms.reviewWindow;
        taskId = createTask(terms);
        if (history.path == Path.Posted) return (taskId, terms, history);

        vm.warp(bound(seeds.claimDelay, block.timestamp, terms.claimDeadline));
        history.claimedAt = block.timestamp;
        claimTask(taskId, terms, human);
        if (history.path == Path.Started) startTask(taskId, human);
        if (history.path == Path.Claimed || history.path == Path.Started) return (taskId, terms, history);

        vm.warp(bound(seeds.submitDelay, block.timestamp, history.claimedAt + terms.executionWindow));
        history.submittedAt = block.timestamp;
        submitWork(taskId, terms, human);
        if (history.path == Path.Submitted) return (taskId, terms, history);

        vm.warp(bound(seeds.rejectDelay, block.timestamp, history.submittedAt + terms.reviewWindow));
        history.rejectedAt = block.timestamp;
        rejectTask(taskId, terms);
    }

    function testFuzz_StatusOf_MatchesTheModel(Seeds memory seeds) external {
        (uint256 taskId, TaskTerms memory terms, History memory history) = walk(seeds);
        // Right after the last action, and again at a later time.
        assertEq(market.statusOf(taskId), expectedStatus(history, block.timestamp), "statusOf after the walk");
        vm.warp(block.timestamp + bound(seeds.queryDelay, 0, 2 * 365 days));
        TaskStatus expected = expectedStatus(history, block.timestamp);
        assertEq(market.statusOf(taskId), expected, "statusOf later");

        checkAllowedAction(taskId, terms, history, expected);
    }

    /// @dev Where the bond of the fuzzed claim goes if it lapses. The model: it is forfeited to the poster, unless the
    /// executor's submission was rejected at or after the execution deadline, leaving it no time to resubmit.
    function bondOnLapse(
        TaskTerms memory terms,
        History memory history
    ) private pure returns (uint256 forfeitedBond, uint256 returnedBond) {
        bool claimLapsed = history.path != Path.Posted && history.path != Path.Submitted;
        if (!claimLapsed) return (0, 0);
        bool rejectedLate =
            history.path == Path.Rejected && history.rejectedAt >= history.claimedAt + history.executionWindow;
        return rejectedLate ? (uint256(0), uint256(terms.claimBond)) : (uint256(terms.claimBond), uint256(0));
    }

    /// @dev The status must be actionable: the action it allows succeeds and moves the task as documented.
    function checkAllowedAction(
        uint256 taskId,
        TaskTerms memory terms,
        History memory history,
        TaskStatus status
    ) private {
        bool claimLapsed = history.path != Path.Posted && history.path != Path.Submitted;
        bool rejected = history.path == Path.Rejected;
        (uint256 forfeitedBond, uint256 returnedBond) = bondOnLapse(terms, history);
        if (status == TaskStatus.Posted) {
            uint256 posterBefore = poster.balance;
            uint256 executorBefore = human.balance;
            if (claimLapsed) {
                vm.expectEmit(address(market));
                emit ITaskMarket.ClaimLapsed(taskId, human, rejected, uint128(forfeitedBond));
            }
            claimTask(taskId, terms, agent);
            assertStatus(taskId, TaskStatus.Claimed);
            assertEq(poster.balance, posterBefore + forfeitedBond, "forfeited bond");
            assertEq(human.balance, executorBefore + returnedBond, "returned bond");
        } else if (status == TaskStatus.Expired) {
            uint256 posterBefore = poster.balance;
            uint256 executorBefore = human.balance;
            vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, status));
            claimTask(taskId, terms, agent);
            market.refundExpired(taskId, terms);
            assertEq(poster.balance, posterBefore + terms.reward + forfeitedBond, "refund");
            assertEq(human.balance, executorBefore + returnedBond, "bond returned after a late rejection");
            assertEq(address(market).balance, 0, "market empty");
        } else if (status == TaskStatus.Claimed) {
            startTask(taskId, human);
            assertStatus(taskId, TaskStatus.InProgress);
        } else if (status == TaskStatus.InProgress) {
            submitWork(taskId, terms, human);
            assertStatus(taskId, TaskStatus.Submitted);
        } else if (status == TaskStatus.Submitted) {
            vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, status));
            market.release(taskId, terms);
            approveTask(taskId, terms);
            assertStatus(taskId, TaskStatus.Settled);
        } else {
            assertEq(status, TaskStatus.Verified, "the model yields nothing else");
            vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, status));
            approveTask(taskId, terms);
            market.release(taskId, terms);
            assertStatus(taskId, TaskStatus.Settled);
            assertEq(address(market).balance, feeOf(terms.reward, terms.feeBps), "only the fee is left");
        }
    }

    function testFuzz_StatusOf_PostedUntilClaimDeadline(uint256 claimPeriod, uint256 elapsed) external {
        TaskTerms memory terms = ethTerms();
        terms.claimDeadline = uint40(block.timestamp + bound(claimPeriod, 1, 3650 days));
        uint256 taskId = createTask(terms);
        vm.warp(block.timestamp + bound(elapsed, 0, 7300 days));
        TaskStatus expected = block.timestamp <= terms.claimDeadline ? TaskStatus.Posted : TaskStatus.Expired;
        assertEq(market.statusOf(taskId), expected, "statusOf");
        assertStoredStatus(taskId, TaskStatus.Posted);
    }

    function testFuzz_StatusOf_TerminalStatesNeverChange(uint256 which, uint256 elapsed) external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId;
        TaskStatus terminal;
        which = bound(which, 0, 2);
        if (which == 0) {
            taskId = settledTask(terms);
            terminal = TaskStatus.Settled;
        } else if (which == 1) {
            taskId = createTask(terms);
            vm.prank(poster);
            market.cancel(taskId, terms);
            terminal = TaskStatus.Cancelled;
        } else {
            taskId = createTask(terms);
            warpPastClaimDeadline(terms);
            market.refundExpired(taskId, terms);
            terminal = TaskStatus.Expired;
        }
        vm.warp(block.timestamp + bound(elapsed, 0, 36500 days));
        assertEq(market.statusOf(taskId), terminal, "statusOf");
        assertStoredStatus(taskId, terminal);
    }
}
