// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorRecord, PosterRecord, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

/// @notice A delegated verifier settling a submission with a share for the executor and the rest for the poster, from
/// review or from a hold (which records a dispute won or lost), on a single deliverable or a milestone.
contract Resolve_Unit_Test is Base_Test {
    function resolveAs(address caller, uint256 taskId, TaskTerms memory terms, uint16 share) private {
        vm.prank(caller);
        market.resolve(taskId, terms, share);
    }

    function inOneDay() private view returns (uint40) {
        return uint40(block.timestamp + 1 days);
    }

    /*//////////////////////////////////////////////////////////////
                                REVERTS
    //////////////////////////////////////////////////////////////*/

    function test_RevertGiven_TaskNotFound() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 1));
        resolveAs(reviewer, 1, terms, 5_000);
    }

    function test_RevertWhen_TermsMismatch() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        terms.verifierConfigHash = bytes32(0);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        resolveAs(reviewer, taskId, terms, 5_000);
    }

    function test_RevertGiven_TaskNotSubmitted() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = inProgressTask(terms);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.InProgress)
        );
        resolveAs(reviewer, taskId, terms, 5_000);
    }

    function test_RevertGiven_ReviewWindowElapsed() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        resolveAs(reviewer, taskId, terms, 5_000);
    }

    function test_RevertGiven_HoldRanOut() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint40 until = inOneDay();
        uint256 taskId = heldTask(terms, until, 5_000);
        vm.warp(uint256(until) + 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        resolveAs(reviewer, taskId, terms, 5_000);
    }

    function test_RevertGiven_TaskSettled() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        resolveAs(reviewer, taskId, terms, 5_000);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Settled));
        resolveAs(reviewer, taskId, terms, 5_000);
    }

    function test_RevertGiven_PosterReviewedTask() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_NoDelegatedVerifier.selector, taskId));
        resolveAs(poster, taskId, terms, 5_000);
    }

    function test_RevertWhen_CallerIsPoster() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, taskId, poster));
        resolveAs(poster, taskId, terms, 5_000);
    }

    function test_RevertWhen_CallerIsExecutor() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, taskId, human));
        resolveAs(human, taskId, terms, uint16(BPS));
    }

    function test_RevertWhen_CallerIsStranger() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, taskId, stranger));
        resolveAs(stranger, taskId, terms, 5_000);
    }

    function test_RevertWhen_ShareAboveFull() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidShare.selector, BPS + 1));
        resolveAs(reviewer, taskId, terms, uint16(BPS + 1));
    }

    function testFuzz_RevertWhen_ShareAboveFull(uint16 share) external {
        share = uint16(bound(share, BPS + 1, type(uint16).max));
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = heldTask(terms, inOneDay(), 5_000);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidShare.selector, share));
        resolveAs(reviewer, taskId, terms, share);
    }

    /*//////////////////////////////////////////////////////////////
                                SUCCESS
    //////////////////////////////////////////////////////////////*/

    function test_WhenResolvedFromReview_ItShouldSplit() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint16 share = 7_000;
        uint256 gross = 0.7 ether;
        uint256 fee = feeOf(gross, FEE_BPS);
        uint256 humanBefore = human.balance;
        uint256 posterBefore = poster.balance;
        uint256 reviewerBefore = reviewer.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionResolved(taskId, reviewer, share);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), gross - fee, fee, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SettlementRefunded(taskId, poster, REWARD - gross);
        vm.expectEmit(address(market));
        emit ITaskMarket.VerifierPaid(taskId, reviewer, VERIFIER_FEE);
        resolveAs(reviewer, taskId, terms, share);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(human.balance, humanBefore + gross - fee + BOND, "executor share and bond");
        assertEq(poster.balance, posterBefore + REWARD - gross, "poster share");
        assertEq(reviewer.balance, reviewerBefore + VERIFIER_FEE, "verifier fee");
        assertEq(address(market).balance, fee, "only the fee is left");
        assertEq(market.accruedFeesOf(address(0)), fee, "the fee is taken on the executor's share only");
        assertEq(market.earnedOf(human, address(0)), gross - fee, "earned");
        // Resolving a submission that was never held is not a dispute.
        ExecutorRecord memory record;
        record.completed = 1;
        assertEq(market.executorRecordOf(human), record);
        PosterRecord memory posterRecord;
        posterRecord.posted = 1;
        posterRecord.settled = 1;
        assertEq(market.posterRecordOf(poster), posterRecord);
    }

    function test_WhenResolvedInFull_NothingIsRefunded() external {
        TaskTerms memory terms = delegatedTerms(address(token));
        uint256 taskId = submittedTask(terms);
        uint256 posterBefore = token.balanceOf(poster);

        vm.recordLogs();
        resolveAs(reviewer, taskId, terms, uint16(BPS));

        assertEq(countMarketEvents(ITaskMarket.SettlementRefunded.selector), 0, "no SettlementRefunded");
        assertEq(token.balanceOf(poster), posterBefore, "poster gets nothing back");
        assertEq(token.balanceOf(address(market)), feeOf(REWARD, FEE_BPS), "only the fee is left");
    }

    function test_WhenResolvedToZero_ThePosterGetsEverythingAndNothingIsCompleted() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint256 humanBefore = human.balance;
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), 0, 0, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SettlementRefunded(taskId, poster, REWARD);
        resolveAs(reviewer, taskId, terms, 0);

        assertEq(human.balance, humanBefore + BOND, "only the bond");
        assertEq(poster.balance, posterBefore + REWARD, "the whole reward");
        assertEq(market.executorRecordOf(human).completed, 0, "no payout, no completion");
        assertEq(market.posterRecordOf(poster).settled, 1, "but the task is settled");
        assertEq(address(market).balance, 0, "market empty");
    }

    function test_WhenResolvedFromAHold_WithHalfOrMore_TheExecutorWinsTheDispute() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = heldTask(terms, inOneDay(), 0);

        resolveAs(reviewer, taskId, terms, 5_000);

        ExecutorRecord memory record;
        record.completed = 1;
        record.disputesWon = 1;
        assertEq(market.executorRecordOf(human), record);
    }

    function test_WhenResolvedFromAHold_WithLessThanHalf_TheExecutorLosesTheDispute() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = heldTask(terms, inOneDay(), uint16(BPS));

        resolveAs(reviewer, taskId, terms, 4_999);

        ExecutorRecord memory record;
        record.completed = 1;
        record.disputesLost = 1;
        assertEq(market.executorRecordOf(human), record);
    }

    function test_WhenResolvedFromAHold_WithZero_TheDisputeIsLostAndNothingCompleted() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = heldTask(terms, inOneDay(), uint16(BPS));

        resolveAs(reviewer, taskId, terms, 0);

        ExecutorRecord memory record;
        record.disputesLost = 1;
        assertEq(market.executorRecordOf(human), record);
    }

    function test_WhenResolvedAtTheEndOfTheHold_ItShouldSettle() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint40 until = inOneDay();
        uint256 taskId = heldTask(terms, until, 0);
        vm.warp(until);

        resolveAs(reviewer, taskId, terms, uint16(BPS));

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(market.executorRecordOf(human).disputesWon, 1, "disputesWon");
    }

    function test_WhenResolvedOnAnEarlierMilestone_TheRefundIsInMilestoneSettled() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        terms.milestoneShares = packMilestones(2_000, 3_000, 5_000);
        uint256 taskId = heldTask(terms, inOneDay(), 0);
        uint256 amount = 0.2 ether;
        uint256 gross = (amount * 2_500) / BPS;
        uint256 fee = feeOf(gross, FEE_BPS);
        uint256 posterBefore = poster.balance;

        vm.recordLogs();
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionResolved(taskId, reviewer, 2_500);
        vm.expectEmit(address(market));
        emit ITaskMarket.MilestoneSettled(taskId, human, 0, gross - fee, fee, amount - gross);
        resolveAs(reviewer, taskId, terms, 2_500);

        assertEq(countMarketEvents(ITaskMarket.SettlementRefunded.selector), 0, "no SettlementRefunded mid-task");
        assertEq(poster.balance, posterBefore + amount - gross, "the poster gets the rest of the milestone");
        assertStatus(taskId, TaskStatus.InProgress);
        assertEq(market.stateOf(taskId).executionDeadline, block.timestamp + EXECUTION_WINDOW, "fresh window");
        assertEq(market.unpaidRewardOf(taskId, terms), REWARD - amount, "the resolved milestone is done");
        assertEq(market.executorRecordOf(human).disputesLost, 1, "a dispute lost");
        assertEq(market.executorRecordOf(human).completed, 0, "not completed yet");
    }

    function test_WhenLastMilestoneResolvedToZero_TheTaskIsNotCompleted() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        terms.milestoneShares = packMilestones(5_000, 5_000);
        uint256 taskId = submittedTask(terms);
        approveTask(taskId, terms);
        submitWork(taskId, terms, human);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), 0, 0, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SettlementRefunded(taskId, poster, 0.5 ether);
        resolveAs(reviewer, taskId, terms, 0);

        assertEq(poster.balance, posterBefore + 0.5 ether, "the last milestone returns to the poster");
        assertEq(market.executorRecordOf(human).completed, 0, "the final settlement paid nothing");
        assertEq(address(market).balance, feeOf(0.5 ether, FEE_BPS), "only the fee of the first milestone");
    }

    function testFuzz_ResolveSplitsExactly(uint128 reward, uint16 share, bool held) external {
        share = uint16(bound(share, 0, BPS));
        TaskTerms memory terms = delegatedTerms(address(token));
        terms.reward = uint128(bound(reward, 1, type(uint128).max / 2));
        token.mint(poster, terms.reward);
        uint256 taskId = submittedTask(terms);
        if (held) holdTask(taskId, terms, inOneDay(), 0);
        uint256 humanBefore = token.balanceOf(human);
        uint256 posterBefore = token.balanceOf(poster);

        resolveAs(reviewer, taskId, terms, share);

        uint256 gross = (uint256(terms.reward) * share) / BPS;
        uint256 fee = feeOf(gross, FEE_BPS);
        uint256 toExecutor = token.balanceOf(human) - humanBefore - BOND;
        uint256 toPoster = token.balanceOf(poster) - posterBefore;
        assertEq(toExecutor, gross - fee, "executor share net of the fee");
        assertEq(toExecutor + market.accruedFeesOf(address(token)) + toPoster, terms.reward, "conservation");
        assertEq(token.balanceOf(address(market)), fee, "only the fee is left");
        ExecutorRecord memory record = market.executorRecordOf(human);
        assertEq(record.completed, toExecutor == 0 ? 0 : 1, "completed only with a payout");
        assertEq(record.disputesWon, held && share >= 5_000 ? 1 : 0, "disputesWon");
        assertEq(record.disputesLost, held && share < 5_000 ? 1 : 0, "disputesLost");
    }
}
