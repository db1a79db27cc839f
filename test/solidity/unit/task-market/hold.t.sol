// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Vm } from "forge-std/Vm.sol";

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorRecord, TaskState, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

/// @notice A delegated verifier putting a submission on hold: the bounds of the hold, the `Disputed` status and how it
/// derives as `Verified` once the hold runs out, release with the default share, and every decision taken during a
/// hold — approve, reject (which gives the time on hold back to the executor), resolve, mutual cancellation.
contract Hold_Unit_Test is Base_Test {
    uint16 internal constant DEFAULT_SHARE = 6_000;

    function holdAs(address caller, uint256 taskId, TaskTerms memory terms, uint40 until, uint16 share) private {
        vm.prank(caller);
        market.hold(taskId, terms, until, share);
    }

    function inOneDay() private view returns (uint40) {
        return uint40(block.timestamp + 1 days);
    }

    function releaseAs(address caller, uint256 taskId, TaskTerms memory terms) private {
        vm.prank(caller);
        market.release(taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                                REVERTS
    //////////////////////////////////////////////////////////////*/

    function test_RevertGiven_TaskNotFound() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 1));
        holdAs(reviewer, 1, terms, inOneDay(), DEFAULT_SHARE);
    }

    function test_RevertWhen_TermsMismatch() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        terms.verifierFee = 0;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        holdAs(reviewer, taskId, terms, inOneDay(), DEFAULT_SHARE);
    }

    function test_RevertGiven_TaskNotSubmitted() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = claimedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Claimed));
        holdAs(reviewer, taskId, terms, inOneDay(), DEFAULT_SHARE);
    }

    function test_RevertGiven_ReviewWindowElapsed() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        holdAs(reviewer, taskId, terms, inOneDay(), DEFAULT_SHARE);
    }

    function test_RevertGiven_HoldRanOut() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint40 until = inOneDay();
        uint256 taskId = heldTask(terms, until, DEFAULT_SHARE);
        vm.warp(uint256(until) + 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        holdAs(reviewer, taskId, terms, inOneDay(), DEFAULT_SHARE);
    }

    function test_RevertGiven_TaskSettled() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = settledTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Settled));
        holdAs(reviewer, taskId, terms, inOneDay(), DEFAULT_SHARE);
    }

    function test_RevertGiven_PosterReviewedTask() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_NoDelegatedVerifier.selector, taskId));
        holdAs(poster, taskId, terms, inOneDay(), DEFAULT_SHARE);
    }

    function test_RevertGiven_PosterReviewedTask_AndCallerIsStranger() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, taskId, stranger));
        holdAs(stranger, taskId, terms, inOneDay(), DEFAULT_SHARE);
    }

    function test_RevertWhen_CallerIsPoster() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, taskId, poster));
        holdAs(poster, taskId, terms, inOneDay(), DEFAULT_SHARE);
    }

    function test_RevertWhen_CallerIsExecutor() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, taskId, human));
        holdAs(human, taskId, terms, inOneDay(), DEFAULT_SHARE);
    }

    function test_RevertWhen_DefaultShareAboveFull() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidShare.selector, BPS + 1));
        holdAs(reviewer, taskId, terms, inOneDay(), uint16(BPS + 1));
    }

    function test_RevertWhen_UntilIsNow() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint40 until = uint40(block.timestamp);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_InvalidHoldEnd.selector,
                until,
                block.timestamp + MAX_HOLD_DURATION
            )
        );
        holdAs(reviewer, taskId, terms, until, DEFAULT_SHARE);
    }

    function test_RevertWhen_UntilInThePast() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint40 until = uint40(block.timestamp - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_InvalidHoldEnd.selector,
                until,
                block.timestamp + MAX_HOLD_DURATION
            )
        );
        holdAs(reviewer, taskId, terms, until, DEFAULT_SHARE);
    }

    function test_RevertWhen_UntilBeyondMaxDuration() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint256 latest = block.timestamp + MAX_HOLD_DURATION;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidHoldEnd.selector, uint40(latest + 1), latest));
        holdAs(reviewer, taskId, terms, uint40(latest + 1), DEFAULT_SHARE);
    }

    function test_RevertWhen_ExtensionBeyondMaxDurationFromTheFirstHold() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 heldAt = block.timestamp;
        uint256 taskId = heldTask(terms, uint40(heldAt + 10 days), DEFAULT_SHARE);
        vm.warp(heldAt + 5 days);
        // Within 180 days of now, but not of when the hold was first placed.
        uint40 until = uint40(block.timestamp + MAX_HOLD_DURATION);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_InvalidHoldEnd.selector, until, heldAt + MAX_HOLD_DURATION)
        );
        holdAs(reviewer, taskId, terms, until, DEFAULT_SHARE);
    }

    function test_RevertWhen_ExtensionEndsNow() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 heldAt = block.timestamp;
        uint256 taskId = heldTask(terms, uint40(heldAt + 10 days), DEFAULT_SHARE);
        vm.warp(heldAt + 5 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_InvalidHoldEnd.selector,
                uint40(block.timestamp),
                heldAt + MAX_HOLD_DURATION
            )
        );
        holdAs(reviewer, taskId, terms, uint40(block.timestamp), DEFAULT_SHARE);
    }

    /*//////////////////////////////////////////////////////////////
                                SUCCESS
    //////////////////////////////////////////////////////////////*/

    function test_WhenVerifierHolds_ItShouldDispute() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        TaskState memory before = market.stateOf(taskId);
        uint40 until = uint40(block.timestamp + 30 days);
        uint256 reviewerBefore = reviewer.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionHeld(taskId, reviewer, until, DEFAULT_SHARE);
        vm.expectEmit(address(market));
        emit ITaskMarket.VerifierPaid(taskId, reviewer, VERIFIER_FEE);
        holdAs(reviewer, taskId, terms, until, DEFAULT_SHARE);

        assertStatus(taskId, TaskStatus.Disputed);
        assertEq(
            market.stateOf(taskId),
            TaskState({
                executor: human,
                status: TaskStatus.Disputed,
                executionDeadline: before.executionDeadline,
                reviewDeadline: until,
                flags: FLAG_VERIFIER_PAID
            })
        );
        (uint8 verified, uint40 heldAt, uint16 holdShare) = market.progressOf(taskId);
        assertEq(verified, 0, "no milestones");
        assertEq(heldAt, block.timestamp, "heldAt");
        assertEq(holdShare, DEFAULT_SHARE, "default share");
        assertEq(reviewer.balance, reviewerBefore + VERIFIER_FEE, "fee paid for the hold");
    }

    function test_WhenUntilIsTheLatest_ItShouldHold() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint40 until = uint40(block.timestamp + MAX_HOLD_DURATION);
        holdAs(reviewer, taskId, terms, until, DEFAULT_SHARE);
        assertEq(market.stateOf(taskId).reviewDeadline, until, "held for the longest allowed");
    }

    function test_WhenUntilIsBeforeTheReviewDeadline_ItShouldHold() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint40 until = uint40(block.timestamp + 1);
        assertLt(until, market.stateOf(taskId).reviewDeadline, "shorter than the review window");
        holdAs(reviewer, taskId, terms, until, DEFAULT_SHARE);
        vm.warp(uint256(until) + 1);
        assertStatus(taskId, TaskStatus.Verified);
    }

    function test_WhenHoldExtended_ItShouldKeepHeldAt() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 firstHeldAt = block.timestamp;
        uint256 taskId = heldTask(terms, inOneDay(), 5_000);
        vm.warp(firstHeldAt + 12 hours);
        uint40 until = uint40(firstHeldAt + MAX_HOLD_DURATION);

        vm.recordLogs();
        holdAs(reviewer, taskId, terms, until, 7_000);

        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(countMarketEvents(logs, ITaskMarket.VerifierPaid.selector), 0, "the fee is paid once");
        assertEq(countMarketEvents(logs, ITaskMarket.SubmissionHeld.selector), 1, "SubmissionHeld");
        (, uint40 heldAt, uint16 holdShare) = market.progressOf(taskId);
        assertEq(heldAt, firstHeldAt, "heldAt kept from the first hold");
        assertEq(holdShare, 7_000, "default share replaced");
        assertEq(market.stateOf(taskId).reviewDeadline, until, "new end");
        assertStatus(taskId, TaskStatus.Disputed);
    }

    function test_WhenHeldAgainAfterAResubmission_HeldAtStartsOver() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = heldTask(terms, inOneDay(), DEFAULT_SHARE);
        vm.warp(block.timestamp + 1 hours);
        rejectTask(taskId, terms);
        submitWork(taskId, terms, human);
        vm.warp(block.timestamp + 1 hours);

        holdAs(reviewer, taskId, terms, uint40(block.timestamp + MAX_HOLD_DURATION), DEFAULT_SHARE);

        (, uint40 heldAt, ) = market.progressOf(taskId);
        assertEq(heldAt, block.timestamp, "a new hold of a new submission");
    }

    function testFuzz_StatusOfAHold(uint256 holdFor, uint256 elapsed) external {
        TaskTerms memory terms = delegatedTerms(address(0));
        holdFor = bound(holdFor, 1, MAX_HOLD_DURATION);
        elapsed = bound(elapsed, 0, MAX_HOLD_DURATION * 2);
        uint256 start = block.timestamp;
        uint256 taskId = heldTask(terms, uint40(start + holdFor), DEFAULT_SHARE);

        vm.warp(start + elapsed);

        assertStoredStatus(taskId, TaskStatus.Disputed);
        assertStatus(taskId, elapsed > holdFor ? TaskStatus.Verified : TaskStatus.Disputed);
    }

    function test_StatusOfAHold_AtItsEndAndJustAfter() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint40 until = uint40(block.timestamp + 40 days);
        uint256 taskId = heldTask(terms, until, DEFAULT_SHARE);

        vm.warp(until);
        assertStatus(taskId, TaskStatus.Disputed);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Disputed));
        releaseAs(stranger, taskId, terms);

        vm.warp(uint256(until) + 1);
        assertStatus(taskId, TaskStatus.Verified);
        assertStoredStatus(taskId, TaskStatus.Disputed);
    }

    /*//////////////////////////////////////////////////////////////
                          WHEN THE HOLD RUNS OUT
    //////////////////////////////////////////////////////////////*/

    function test_WhenHoldRunsOut_ReleaseSettlesWithTheDefaultShare() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint40 until = inOneDay();
        uint256 taskId = heldTask(terms, until, DEFAULT_SHARE);
        vm.warp(uint256(until) + 1);
        uint256 gross = (REWARD * DEFAULT_SHARE) / BPS;
        uint256 fee = feeOf(gross, FEE_BPS);
        uint256 humanBefore = human.balance;
        uint256 posterBefore = poster.balance;
        uint256 reviewerBefore = reviewer.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskVerified(taskId);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), gross - fee, fee, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SettlementRefunded(taskId, poster, REWARD - gross);
        releaseAs(stranger, taskId, terms);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(human.balance, humanBefore + gross - fee + BOND, "executor gets the default share and the bond");
        assertEq(poster.balance, posterBefore + REWARD - gross, "poster gets the rest");
        assertEq(reviewer.balance, reviewerBefore, "the fee was paid at the hold");
        assertEq(address(market).balance, fee, "only the fee is left");
        ExecutorRecord memory record;
        record.completed = 1;
        assertEq(market.executorRecordOf(human), record);
    }

    function test_WhenHoldRunsOut_WithTheFullShare_ReleasePaysInFull() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint40 until = inOneDay();
        uint256 taskId = heldTask(terms, until, uint16(BPS));
        vm.warp(uint256(until) + 1);

        vm.recordLogs();
        releaseAs(stranger, taskId, terms);

        assertEq(countMarketEvents(ITaskMarket.SettlementRefunded.selector), 0, "nothing to refund");
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "only the fee is left");
    }

    function test_WhenHoldRunsOut_WithAZeroShare_ReleaseRefundsThePoster() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint40 until = inOneDay();
        uint256 taskId = heldTask(terms, until, 0);
        vm.warp(uint256(until) + 1);
        uint256 humanBefore = human.balance;
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), 0, 0, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SettlementRefunded(taskId, poster, REWARD);
        releaseAs(stranger, taskId, terms);

        assertEq(human.balance, humanBefore + BOND, "only the bond");
        assertEq(poster.balance, posterBefore + REWARD, "the whole reward");
        assertEq(market.executorRecordOf(human).completed, 0, "nothing paid, nothing completed");
        assertEq(market.posterRecordOf(poster).settled, 1, "the task is settled");
        assertEq(address(market).balance, 0, "market empty");
    }

    function test_WhenHoldOnAMilestoneRunsOut_ReleaseSettlesTheMilestoneWithTheDefaultShare() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        terms.milestoneShares = packMilestones(4_000, 6_000);
        uint40 until = inOneDay();
        uint256 taskId = heldTask(terms, until, DEFAULT_SHARE);
        vm.warp(uint256(until) + 1);
        uint256 amount = 0.4 ether;
        uint256 gross = (amount * DEFAULT_SHARE) / BPS;
        uint256 fee = feeOf(gross, FEE_BPS);

        vm.expectEmit(address(market));
        emit ITaskMarket.MilestoneSettled(taskId, human, 0, gross - fee, fee, amount - gross);
        releaseAs(stranger, taskId, terms);

        assertStatus(taskId, TaskStatus.InProgress);
        assertEq(market.stateOf(taskId).executionDeadline, block.timestamp + EXECUTION_WINDOW, "fresh window");
        assertEq(market.unpaidRewardOf(taskId, terms), REWARD - amount, "the next milestone is unpaid");
    }

    /*//////////////////////////////////////////////////////////////
                          DECISIONS DURING A HOLD
    //////////////////////////////////////////////////////////////*/

    function test_WhenApprovedDuringTheHold_ItShouldSettleInFull() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint40 until = uint40(block.timestamp + 30 days);
        uint256 taskId = heldTask(terms, until, 0);
        vm.warp(until);
        uint256 fee = feeOf(REWARD, FEE_BPS);
        uint256 humanBefore = human.balance;

        vm.recordLogs();
        approveTask(taskId, terms);

        assertEq(countMarketEvents(ITaskMarket.VerifierPaid.selector), 0, "paid at the hold already");
        assertStatus(taskId, TaskStatus.Settled);
        assertEq(human.balance, humanBefore + REWARD - fee + BOND, "in full, not the default share");
        ExecutorRecord memory record;
        record.completed = 1;
        assertEq(market.executorRecordOf(human), record);
    }

    function test_WhenRejectedDuringTheHold_TheTimeOnHoldIsGivenBack() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint40 executionDeadline = market.stateOf(taskId).executionDeadline;
        vm.warp(block.timestamp + 1 days);
        uint256 heldAt = block.timestamp;
        holdAs(reviewer, taskId, terms, uint40(heldAt + 60 days), DEFAULT_SHARE);
        vm.warp(heldAt + 30 days);

        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionRejected(taskId, reviewer, REASON_HASH);
        rejectTask(taskId, terms);

        uint256 extended = executionDeadline + 30 days;
        assertEq(
            market.stateOf(taskId),
            TaskState({
                executor: human,
                status: TaskStatus.InProgress,
                executionDeadline: uint40(extended),
                reviewDeadline: 0,
                flags: FLAG_REJECTED | FLAG_VERIFIER_PAID
            })
        );
        // The executor has what it had left when the hold was placed: two days.
        assertEq(extended - block.timestamp, 2 days, "time left to resubmit");
        vm.warp(extended);
        assertStatus(taskId, TaskStatus.InProgress);
        submitWork(taskId, terms, human);
        assertStatus(taskId, TaskStatus.Submitted);
    }

    function test_WhenRejectedDuringAnExtendedHold_TheTimeCountsFromTheFirstHold() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint40 executionDeadline = market.stateOf(taskId).executionDeadline;
        uint256 heldAt = block.timestamp;
        holdAs(reviewer, taskId, terms, uint40(heldAt + 1 days), DEFAULT_SHARE);
        vm.warp(heldAt + 12 hours);
        holdAs(reviewer, taskId, terms, uint40(heldAt + 20 days), DEFAULT_SHARE);
        vm.warp(heldAt + 10 days);

        rejectTask(taskId, terms);

        assertEq(market.stateOf(taskId).executionDeadline, executionDeadline + 10 days, "extended by the whole hold");
    }

    function test_WhenRejectedDuringAHoldPlacedAfterTheExecutionDeadline_TheClaimLapses() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = lateSubmittedTask(terms);
        uint40 executionDeadline = market.stateOf(taskId).executionDeadline;
        vm.warp(uint256(executionDeadline) + 1 hours);
        uint256 heldAt = block.timestamp;
        holdAs(reviewer, taskId, terms, uint40(heldAt + 10 days), DEFAULT_SHARE);
        vm.warp(heldAt + 2 days);

        rejectTask(taskId, terms);

        TaskState memory state = market.stateOf(taskId);
        assertEq(state.executionDeadline, executionDeadline + 2 days, "extended by the time on hold");
        assertLt(state.executionDeadline, block.timestamp, "but already past");
        assertEq(state.flags, FLAG_REJECTED | FLAG_REJECTED_AFTER_DEADLINE | FLAG_VERIFIER_PAID, "a late rejection");
        assertStatus(taskId, TaskStatus.Posted);

        // The executor delivered in time: its bond returns when the claim is cleared.
        uint256 humanBefore = human.balance;
        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, true, 0);
        claimTask(taskId, terms, agent);
        assertEq(human.balance, humanBefore + BOND, "bond returned");
    }

    /// @dev Whatever the timing of the submission, the hold and the rejection, the executor gets back exactly the
    /// time spent on hold: the claim is held until the extended deadline and lapses after it, and the rejection is
    /// late exactly when it comes at or after the extended deadline.
    function testFuzz_RejectionDuringAHold_ExtendsTheDeadlineByTheTimeOnHold(
        bool submittedLast,
        uint256 holdDelay,
        uint256 holdFor,
        uint256 rejectDelay,
        uint256 queryDelay
    ) external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedLast ? lateSubmittedTask(terms) : submittedTask(terms);
        TaskState memory submitted = market.stateOf(taskId);
        uint256 heldAt = block.timestamp + bound(holdDelay, 0, REVIEW_WINDOW);
        holdFor = bound(holdFor, 1, MAX_HOLD_DURATION);
        uint256 rejectedAt = heldAt + bound(rejectDelay, 0, holdFor);
        vm.warp(heldAt);
        holdAs(reviewer, taskId, terms, uint40(heldAt + holdFor), DEFAULT_SHARE);
        vm.warp(rejectedAt);

        rejectTask(taskId, terms);

        uint256 extended = submitted.executionDeadline + (rejectedAt - heldAt);
        TaskState memory state = market.stateOf(taskId);
        assertEq(state.executionDeadline, extended, "extended by the time on hold");
        bool late = rejectedAt >= extended;
        assertEq(state.flags & FLAG_REJECTED_AFTER_DEADLINE != 0, late, "late exactly at or after the deadline");
        vm.warp(rejectedAt + bound(queryDelay, 0, 200 days));
        TaskStatus expected =
            block.timestamp <= extended
                ? TaskStatus.InProgress
                : (block.timestamp > terms.claimDeadline ? TaskStatus.Expired : TaskStatus.Posted);
        assertStatus(taskId, expected);
    }

    function test_WhenBothConsentDuringTheHold_ItShouldCancel() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = heldTask(terms, inOneDay(), DEFAULT_SHARE);

        vm.prank(poster);
        market.consentToCancel(taskId, terms);
        assertStatus(taskId, TaskStatus.Disputed);
        assertEq(market.stateOf(taskId).flags, FLAG_VERIFIER_PAID | FLAG_POSTER_CONSENTED_TO_CANCEL, "consented");

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, REWARD, BOND);
        vm.prank(human);
        market.consentToCancel(taskId, terms);

        assertStatus(taskId, TaskStatus.Cancelled);
        assertEq(address(market).balance, 0, "market empty");
    }

    function test_RevertWhen_ConsentAfterTheHoldRanOut() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint40 until = inOneDay();
        uint256 taskId = heldTask(terms, until, DEFAULT_SHARE);
        vm.warp(uint256(until) + 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        vm.prank(poster);
        market.consentToCancel(taskId, terms);
    }

    function test_RevertWhen_ExecutorSubmitsDuringTheHold() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = heldTask(terms, inOneDay(), DEFAULT_SHARE);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Disputed));
        submitWork(taskId, terms, human);
    }

    function test_RevertWhen_ClaimedDuringTheHold() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = heldTask(terms, inOneDay(), DEFAULT_SHARE);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Disputed));
        claimTask(taskId, terms, agent);
    }

    function test_RevertWhen_PosterCancelsDuringTheHold() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = heldTask(terms, inOneDay(), DEFAULT_SHARE);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Disputed));
        vm.prank(poster);
        market.cancel(taskId, terms);
    }

    function test_RevertWhen_RefundExpiredDuringAHoldPastTheClaimDeadline() external {
        // Silence never refunds a submitted task, held or not.
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = heldTask(terms, uint40(terms.claimDeadline + 10 days), DEFAULT_SHARE);
        warpPastClaimDeadline(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Disputed));
        vm.prank(stranger);
        market.refundExpired(taskId, terms);
    }
}
