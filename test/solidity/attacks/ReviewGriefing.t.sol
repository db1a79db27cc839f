// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Errors } from "../../../contracts/libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../../../contracts/types/TaskTypes.sol";
import { Attack_Base } from "./AttackBase.sol";

/// @notice What a poster (or its verifier) can and cannot do to an executor through review and the clock, and what
/// the clock does to calls made in the wrong state.
contract ReviewGriefing_Attack_Test is Attack_Base {
    /// A poster that stays silent cannot get its money back: silence releases the payment to the executor.
    /// Defence: `_statusOf` derives `Verified`, never `Expired`, for a submission past its review window.
    function test_SilentPoster_CannotRefundASubmittedTask() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.warp(uint256(terms.claimDeadline) + 30 days);

        vm.prank(poster);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        market.refundExpired(taskId, terms);
        vm.prank(poster);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        market.cancel(taskId, terms);

        uint256 humanBefore = human.balance;
        vm.prank(stranger);
        market.release(taskId, terms);
        assertEq(human.balance - humanBefore, expectedPayout(terms) + BOND, "the executor is paid");
    }

    /// The verifier cannot approve or reject once the review window is over.
    /// Defence: `_submissionUnderReview` checks the review deadline.
    function test_VerifierCannotRejectAfterTheReviewWindow() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        warpPastReview(taskId);

        vm.prank(poster);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        market.reject(taskId, terms, keccak256("too late"));
    }

    /// A lapsed executor cannot sneak in a submission or a start after its execution deadline.
    /// Defence: `submit` and `start` check the execution deadline, not just the stored status.
    function test_LapsedExecutor_CannotSubmitOrStart() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        claimTask(taskId, terms, human);
        warpPastExecution(taskId);

        vm.prank(human);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        market.submit(taskId, terms, ATTACK_RESULT_HASH, "ipfs://late");
        vm.prank(human);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        market.start(taskId);
    }

    /// Known limitation, pinned (SECURITY.md): the verifier may reject as often as it likes while the execution
    /// time lasts; each rejection sends the executor back to work and each resubmission restarts the review.
    function test_KnownLimitation_RepeatedRejectionsUntilTheExecutionDeadline() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        for (uint256 i = 0; i < 3; ++i) {
            vm.prank(poster);
            market.reject(taskId, terms, keccak256(abi.encode("reason", i)));
            assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.InProgress), "back to work");
            vm.warp(block.timestamp + 1 hours);
            submitWork(taskId, terms, human);
        }
        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.Submitted), "under review again");
    }

    /// A rejection that arrives after the execution deadline (the review window may run past it) leaves no time to
    /// resubmit: the claim lapses at once, but the bond of an executor who submitted on time goes back to it, so a
    /// verifier gains nothing by rejecting late. Defence: the late-rejection flag set by `reject` and read when the
    /// lapsed claim is cleared (without it, the poster would take the reward back and the bond).
    function test_RejectionAfterTheExecutionDeadline_ReturnsTheBond() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        claimTask(taskId, terms, human);
        // Submit on the last second of the execution window; the review window runs two days beyond it.
        warpPastExecution(taskId);
        vm.warp(block.timestamp - 1);
        submitWork(taskId, terms, human);
        vm.warp(block.timestamp + 1 days);

        vm.prank(poster);
        market.reject(taskId, terms, keccak256("rejected late"));
        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.Posted), "the claim lapsed at once");

        uint256 posterBefore = poster.balance;
        uint256 humanBefore = human.balance;
        vm.prank(poster);
        market.cancel(taskId, terms);
        assertEq(poster.balance - posterBefore, REWARD, "the poster gets the reward back, not the bond");
        assertEq(human.balance - humanBefore, BOND, "the executor gets its bond back");
        assertEq(address(market).balance, 0, "nothing left");
    }

    /// A rejection in time that the executor does not answer before its deadline forfeits the bond, like a missed
    /// deadline. Defence: the same flag is not set by a rejection made within the execution window.
    function test_RejectionInTimeWithoutResubmission_ForfeitsTheBond() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.prank(poster);
        market.reject(taskId, terms, keccak256("rejected in time"));
        warpPastExecution(taskId);

        uint256 posterBefore = poster.balance;
        vm.prank(poster);
        market.cancel(taskId, terms);
        assertEq(poster.balance - posterBefore, REWARD + BOND, "the poster gets the reward and the bond");
        assertEq(market.executorRecordOf(human).rejected, 1, "recorded as a rejected lapse");
    }

    /// `rate` on a task that is not settled names the status `statusOf` reports, as every other call does.
    /// Defence: `rate` derives the status before reporting it.
    function test_RateBeforeSettlement_NamesTheDerivedStatus() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        warpPastReview(taskId);

        vm.prank(poster);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        market.rate(taskId, terms, 5);
    }

    /// A delegated verifier cannot keep a submission on hold, and the escrow locked, for ever by extending the hold.
    /// Defence: `hold` caps every extension at `MAX_HOLD_DURATION` from when the hold was first placed; once it runs
    /// out anyone releases the submission with the default share, and the verifier can no longer decide.
    function test_VerifierExtendingAHold_CannotLockTheEscrowPastTheMaximum() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint256 heldAt = block.timestamp;
        uint256 latest = heldAt + MAX_HOLD_DURATION;
        for (uint256 i = 1; i <= 6; ++i) {
            vm.prank(reviewer);
            market.hold(taskId, terms, uint40(heldAt + i * 30 days), 7_000);
            vm.warp(heldAt + i * 30 days - 1 days);
        }
        vm.prank(reviewer);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidHoldEnd.selector, uint40(latest + 1), latest));
        market.hold(taskId, terms, uint40(latest + 1), 7_000);

        vm.warp(latest + 1);
        vm.prank(reviewer);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        market.hold(taskId, terms, uint40(latest + 1 days), 7_000);

        uint256 humanBefore = human.balance;
        vm.prank(stranger);
        market.release(taskId, terms);
        uint256 gross = (uint256(REWARD) * 7_000) / BPS;
        assertEq(human.balance - humanBefore, gross - feeOf(gross, FEE_BPS) + BOND, "the default share and the bond");
    }
}
