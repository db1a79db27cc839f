// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Vm } from "forge-std/Vm.sol";

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { IReviewModule } from "../../../../contracts/interfaces/verification/IReviewModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { ReviewModule_Test } from "./ReviewModuleBase.sol";

/// @notice A milestone task contested on its first milestone, then continuing to the next: each contest ends with its
/// own submission, and the verifier fee is paid once for the whole task.
contract ReviewModule_Milestones_Unit_Test is ReviewModule_Test {
    uint256 private constant SHARE_0 = 4_000;
    uint256 private constant SHARE_1 = 6_000;

    IReviewModule.ReviewConfig internal config;
    TaskTerms internal terms;
    uint256 internal amount0;
    uint256 internal amount1;

    function setUp() public override {
        super.setUp();
        config = contestConfig();
        terms = reviewTerms(address(0), config);
        terms.milestoneShares = packMilestones(SHARE_0, SHARE_1);
        amount0 = milestoneAmountOf(REWARD, terms.milestoneShares, 0);
        amount1 = milestoneAmountOf(REWARD, terms.milestoneShares, 1);
    }

    /// Milestone 1 is partly accepted, disputed by the executor and ruled at 80 %; milestone 2 is approved.
    function test_ContestedFirstMilestone_ThenTheSecond() external {
        uint256 taskId = submittedTask(terms);
        uint256 reviewerBefore = reviewer.balance;
        acceptPartiallyAs(reviewer, taskId, terms, config, 5_000);
        assertEq(reviewer.balance - reviewerBefore, VERIFIER_FEE, "fee for the first decision");
        Balances memory before = balancesOf(human);
        disputeAs(human, taskId, terms, config);
        respondAs(poster, taskId, terms);
        panelRules(disputeIdOf(taskId), 9);

        uint16 share = 8_000;
        uint256 payout = executorPayoutOf(amount0, share);
        uint256 refund = posterRefundOf(amount0, share);
        vm.expectEmit(address(market));
        emit ITaskMarket.MilestoneSettled(taskId, human, 0, payout, protocolFeeOf(amount0, share), refund);
        module.executeRuling(taskId, terms);

        // The task goes on: milestone 2, with a fresh execution window; the contest is over.
        assertStatus(taskId, TaskStatus.InProgress);
        (uint8 verified, , ) = market.progressOf(taskId);
        assertEq(verified, 1, "one milestone settled");
        assertEq(market.stateOf(taskId).executionDeadline, block.timestamp + EXECUTION_WINDOW, "fresh window");
        assertPhase(taskId, IDisputableModule.ContestPhase.None);
        int256 fee = toInt(ARBITRATION_FEE);
        assertDeltas(
            before,
            balancesOf(human),
            [toInt(refund) - fee, toInt(payout), 0, fee, 0, -toInt(payout + refund)]
        );
        assertEq(market.executorRecordOf(human).disputesWon, 1, "won");

        // Milestone 2: submitted and approved; the fee is not paid again, the bond comes back.
        vm.warp(block.timestamp + 1 days);
        submitWork(taskId, terms, human);
        before = balancesOf(human);
        approveAs(reviewer, taskId, terms, config);

        uint256 payout1 = executorPayoutOf(amount1, BPS);
        assertStatus(taskId, TaskStatus.Settled);
        assertDeltas(before, balancesOf(human), [int256(0), toInt(payout1 + BOND), 0, 0, 0, -toInt(payout1 + BOND)]);
        assertEq(reviewer.balance - reviewerBefore, VERIFIER_FEE, "fee paid once");
        assertEq(address(module).balance, 0, "module empty");
        assertEq(
            address(market).balance,
            protocolFeeOf(amount0, share) + protocolFeeOf(amount1, BPS),
            "the market keeps only the protocol fees"
        );
    }

    /// Milestone 1 is rejected, the executor accepts and resubmits; milestone 2 is rejected and, undisputed, lapses.
    function test_AcceptedRejectionOnTheFirstMilestone_LapseOnTheSecond() external {
        uint256 taskId = rejectedTask(terms, config);
        vm.prank(human);
        module.acceptRejection(taskId, terms);
        submitWork(taskId, terms, human);
        approveAs(reviewer, taskId, terms, config);
        assertStatus(taskId, TaskStatus.InProgress);

        submitWork(taskId, terms, human);
        rejectAs(reviewer, taskId, terms, config);
        assertStatus(taskId, TaskStatus.Disputed);
        IDisputableModule.Contest memory contest = module.contestOf(taskId);
        assertTrue(contest.rejection, "a new contest for milestone 2");
        vm.warp(contest.deadline + 1);
        uint256 posterBefore = poster.balance;
        uint256 humanBefore = human.balance;
        market.release(taskId, terms);
        module.closeLapsedContest(taskId);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(poster.balance - posterBefore, amount1, "milestone 2 refunded");
        assertEq(human.balance - humanBefore, BOND, "bond back");
        assertEq(address(market).balance, protocolFeeOf(amount0, BPS), "fee on milestone 1 only");
        assertEq(address(module).balance, 0, "module empty");
    }

    /*//////////////////////////////////////////////////////////////
                             STALE CONTESTS
    //////////////////////////////////////////////////////////////*/

    /// @dev Milestone 1 is rejected and the executor disputes; the poster never responds and no one times it out:
    /// the hold runs out and `release` settles milestone 1 with the executor's win. The contest is left behind, in
    /// `AwaitingRespondent` with its fee deadline passed and the executor's deposit in the module. The executor then
    /// submits milestone 2.
    function staleDisputeThenSecondSubmission() private returns (uint256 taskId) {
        taskId = rejectedTask(terms, config);
        disputeAs(human, taskId, terms, config);
        vm.warp(market.stateOf(taskId).reviewDeadline + 1);
        vm.expectEmit(address(market));
        emit ITaskMarket.MilestoneSettled(
            taskId,
            human,
            0,
            executorPayoutOf(amount0, BPS),
            protocolFeeOf(amount0, BPS),
            0
        );
        market.release(taskId, terms);
        assertStatus(taskId, TaskStatus.InProgress);
        assertPhase(taskId, IDisputableModule.ContestPhase.AwaitingRespondent);
        submitWork(taskId, terms, human);
        assertStatus(taskId, TaskStatus.Submitted);
        assertEq(address(module).balance, ARBITRATION_FEE, "the stale contest holds the executor's deposit");
    }

    /// @dev Milestone 1 is rejected, the executor disputes and the poster matches (and, if `ruled`, the panel gives
    /// nothing to the executor); no one carries out the arbitration: the hold runs out and `release` settles milestone
    /// 1 with the rejection. The contest is left behind, `Arbitrating` or `Ruled`. The executor submits milestone 2.
    function staleArbitrationThenSecondSubmission(bool ruled) private returns (uint256 taskId) {
        taskId = arbitratedRejection(terms, config);
        if (ruled) panelRules(disputeIdOf(taskId), 1);
        vm.warp(market.stateOf(taskId).reviewDeadline + 1);
        vm.expectEmit(address(market));
        emit ITaskMarket.MilestoneSettled(taskId, human, 0, 0, 0, amount0);
        market.release(taskId, terms);
        assertPhase(taskId, ruled ? IDisputableModule.ContestPhase.Ruled : IDisputableModule.ContestPhase.Arbitrating);
        submitWork(taskId, terms, human);
        assertStatus(taskId, TaskStatus.Submitted);
    }

    function contestLapsed(uint256 taskId) private pure returns (bytes memory) {
        return abi.encodeWithSelector(Errors.DisputableModule_ContestLapsed.selector, taskId);
    }

    /// @dev The reviewer approves milestone 2, which settles the task as it should: the executor is paid milestone 2
    /// in full and gets its bond back, the reviewer is not paid again, and the stale contest is left as it was.
    function approveTheSecondMilestone(uint256 taskId) private {
        IDisputableModule.ContestPhase stalePhase = phaseOf(taskId);
        Balances memory before = balancesOf(human);
        approveAs(reviewer, taskId, terms, config);

        uint256 payout1 = executorPayoutOf(amount1, BPS);
        assertStatus(taskId, TaskStatus.Settled);
        (uint8 verified, , ) = market.progressOf(taskId);
        assertEq(verified, 2, "both milestones settled");
        assertDeltas(before, balancesOf(human), [int256(0), toInt(payout1 + BOND), 0, 0, 0, -toInt(payout1 + BOND)]);
        assertPhase(taskId, stalePhase);
    }

    /// @dev Anyone closes the stale contest: it reports the share the market settled milestone 1 with, and refunds the
    /// claimant's deposit — the executor's, as the respondent's fee went to the panel and the review module takes no
    /// bonds.
    function closeTheStaleContest(uint256 taskId, uint16 settledShareBps) private {
        Balances memory before = balancesOf(human);
        vm.expectEmit(address(module));
        emit IDisputableModule.ContestEnded(taskId, IDisputableModule.ContestOutcome.Lapsed, settledShareBps);
        vm.prank(stranger);
        module.closeLapsedContest(taskId);

        int256 fee = toInt(ARBITRATION_FEE);
        assertDeltas(before, balancesOf(human), [int256(0), fee, 0, 0, -fee, 0]);
        assertPhase(taskId, IDisputableModule.ContestPhase.None);
        assertEq(address(module).balance, 0, "module empty");
    }

    /// A contest acts only while the market holds its submission: the respondent of milestone 1's dispute cannot
    /// match it once the hold ran out, even against milestone 2 (the lapse is reported before the passed deadline).
    function test_RevertWhen_StaleDispute_Respond() external {
        uint256 taskId = staleDisputeThenSecondSubmission();

        vm.expectRevert(contestLapsed(taskId));
        respondAs(poster, taskId, terms);

        assertPhase(taskId, IDisputableModule.ContestPhase.AwaitingRespondent);
        assertEq(address(arbitrator).balance, 0, "no dispute created");
        approveTheSecondMilestone(taskId);
        closeTheStaleContest(taskId, uint16(BPS));
    }

    /// The executor submits anything as milestone 2 and times out milestone 1's stale dispute: refused, milestone 2
    /// stays under review and is not paid; the reviewer then approves it, and the stale deposit is refunded.
    function test_RevertWhen_StaleDispute_TimeoutRespondent() external {
        uint256 taskId = staleDisputeThenSecondSubmission();
        uint256 earnedBefore = market.earnedOf(human, address(0));
        uint256 moduleBefore = address(module).balance;

        vm.expectRevert(contestLapsed(taskId));
        vm.prank(human);
        module.timeoutRespondent(taskId, terms);

        assertStatus(taskId, TaskStatus.Submitted);
        assertEq(market.earnedOf(human, address(0)), earnedBefore, "milestone 2 not paid without review");
        assertEq(address(module).balance, moduleBefore, "the stale deposit stays until the contest is closed");
        approveTheSecondMilestone(taskId);
        closeTheStaleContest(taskId, uint16(BPS));
    }

    /// A ruling on milestone 1 that no one carried out in time cannot be applied to milestone 2: the poster, who lost
    /// nothing on milestone 1 (the hold settled it with the rejection), cannot get milestone 2 refunded with it.
    function test_RevertWhen_StaleRuling_ExecuteRuling() external {
        uint256 taskId = staleArbitrationThenSecondSubmission(true);
        uint256 posterBefore = poster.balance;

        vm.expectRevert(contestLapsed(taskId));
        vm.prank(poster);
        module.executeRuling(taskId, terms);

        assertStatus(taskId, TaskStatus.Submitted);
        assertEq(poster.balance, posterBefore, "milestone 2 not refunded");
        approveTheSecondMilestone(taskId);
        closeTheStaleContest(taskId, 0);
    }

    /// An arbitration whose hold ran out cannot be timed out against milestone 2. The reviewer's partial acceptance
    /// of milestone 2 closes the stale contest first — refunding the executor's deposit — and opens milestone 2's
    /// own contest, which lapses and settles milestone 2 at the accepted share.
    function test_RevertWhen_StaleArbitration_TimeoutArbitration() external {
        uint256 taskId = staleArbitrationThenSecondSubmission(false);

        vm.expectRevert(contestLapsed(taskId));
        vm.prank(poster);
        module.timeoutArbitration(taskId, terms);
        assertStatus(taskId, TaskStatus.Submitted);
        assertPhase(taskId, IDisputableModule.ContestPhase.Arbitrating);

        uint16 share = 7_000;
        uint40 windowEnd = uint40(block.timestamp) + CONTEST_WINDOW;
        Balances memory before = balancesOf(human);
        vm.expectEmit(address(module));
        emit IDisputableModule.ContestEnded(taskId, IDisputableModule.ContestOutcome.Lapsed, 0);
        vm.expectEmit(address(module));
        emit IDisputableModule.ContestOpened(taskId, share, false, windowEnd);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionHeld(taskId, address(module), windowEnd, share);
        acceptPartiallyAs(reviewer, taskId, terms, config, share);
        int256 fee = toInt(ARBITRATION_FEE);
        assertDeltas(before, balancesOf(human), [int256(0), fee, 0, 0, -fee, 0]);
        assertEq(module.contestOf(taskId).decisionShareBps, share, "milestone 2's contest");

        vm.warp(windowEnd + 1);
        before = balancesOf(human);
        market.release(taskId, terms);
        uint256 payout1 = executorPayoutOf(amount1, share);
        uint256 refund1 = posterRefundOf(amount1, share);
        assertStatus(taskId, TaskStatus.Settled);
        assertDeltas(
            before,
            balancesOf(human),
            [toInt(refund1), toInt(payout1 + BOND), 0, 0, 0, -toInt(payout1 + refund1 + BOND)]
        );
        module.closeLapsedContest(taskId);
        assertEq(address(module).balance, 0, "module empty");
    }

    /// Even an agreement both parties signed for milestone 2 cannot end milestone 1's stale contest: it would settle a
    /// submission no contest holds. The reviewer decides milestone 2.
    function test_RevertWhen_StaleDispute_SettleByAgreement() external {
        uint256 taskId = staleDisputeThenSecondSubmission();
        uint64 deadline = uint64(block.timestamp + 1 days);
        bytes memory posterSignature = signSettlement(posterKey, taskId, uint16(BPS), deadline);
        bytes memory executorSignature = signSettlement(humanKey, taskId, uint16(BPS), deadline);

        vm.expectRevert(contestLapsed(taskId));
        settleAs(stranger, taskId, terms, uint16(BPS), deadline, posterSignature, executorSignature);

        assertStatus(taskId, TaskStatus.Submitted);
        approveTheSecondMilestone(taskId);
        closeTheStaleContest(taskId, uint16(BPS));
    }

    /// Milestone 1's rejection lapsed undisputed (the hold settled it at 0 %): its contest, still `Open`, cannot be
    /// accepted or settled against milestone 2. The reviewer's rejection of milestone 2 closes it (no deposits) and
    /// opens a new one, which the executor accepts; it resubmits milestone 2, which is approved.
    function test_RevertWhen_StaleWindow_AcceptRejection() external {
        uint256 taskId = rejectedTask(terms, config);
        vm.warp(module.contestOf(taskId).deadline + 1);
        vm.expectEmit(address(market));
        emit ITaskMarket.MilestoneSettled(taskId, human, 0, 0, 0, amount0);
        market.release(taskId, terms);
        submitWork(taskId, terms, human);

        vm.expectRevert(contestLapsed(taskId));
        vm.prank(human);
        module.acceptRejection(taskId, terms);
        uint64 deadline = uint64(block.timestamp + 1 days);
        bytes memory posterSignature = signSettlement(posterKey, taskId, 0, deadline);
        bytes memory executorSignature = signSettlement(humanKey, taskId, 0, deadline);
        vm.expectRevert(contestLapsed(taskId));
        settleAs(stranger, taskId, terms, 0, deadline, posterSignature, executorSignature);
        assertStatus(taskId, TaskStatus.Submitted);
        assertPhase(taskId, IDisputableModule.ContestPhase.Open);

        uint40 windowEnd = uint40(block.timestamp) + CONTEST_WINDOW;
        Balances memory before = balancesOf(human);
        vm.expectEmit(address(module));
        emit IDisputableModule.ContestEnded(taskId, IDisputableModule.ContestOutcome.Lapsed, 0);
        vm.expectEmit(address(module));
        emit IDisputableModule.ContestOpened(taskId, 0, true, windowEnd);
        rejectAs(reviewer, taskId, terms, config);
        assertDeltas(before, balancesOf(human), [int256(0), int256(0), 0, 0, 0, 0]);
        assertEq(module.contestOf(taskId).deadline, windowEnd, "milestone 2's window");

        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionRejected(taskId, address(module), ACCEPTED_REJECTION_REASON);
        vm.prank(human);
        module.acceptRejection(taskId, terms);
        assertStatus(taskId, TaskStatus.InProgress);
        assertPhase(taskId, IDisputableModule.ContestPhase.None);

        submitWork(taskId, terms, human);
        approveTheSecondMilestone(taskId);
        assertEq(address(module).balance, 0, "module empty");
    }

    /// The reviewer contests milestone 2 while milestone 1's stale dispute holds the executor's deposit: the rejection
    /// first closes the stale contest, refunding exactly that deposit, then opens milestone 2's contest — the verifier
    /// fee, paid on milestone 1, is not forwarded again. Milestone 2's contest then runs its own course.
    function test_ContestOnTheNextMilestone_WhileAStaleContestHoldsDeposits() external {
        uint256 taskId = staleDisputeThenSecondSubmission();
        uint40 windowEnd = uint40(block.timestamp) + CONTEST_WINDOW;
        Balances memory before = balancesOf(human);

        vm.expectEmit(address(module));
        emit IDisputableModule.ContestEnded(taskId, IDisputableModule.ContestOutcome.Lapsed, uint16(BPS));
        vm.expectEmit(address(module));
        emit IDisputableModule.ContestOpened(taskId, 0, true, windowEnd);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionHeld(taskId, address(module), windowEnd, 0);
        rejectAs(reviewer, taskId, terms, config);

        int256 fee = toInt(ARBITRATION_FEE);
        assertDeltas(before, balancesOf(human), [int256(0), fee, 0, 0, -fee, 0]);
        assertStatus(taskId, TaskStatus.Disputed);
        IDisputableModule.Contest memory contest = module.contestOf(taskId);
        assertEq(uint8(contest.phase), uint8(IDisputableModule.ContestPhase.Open), "milestone 2's contest");
        assertTrue(contest.rejection, "a rejection");
        assertEq(contest.claimant, address(0), "no claimant yet");
        assertEq(contest.claimantFee, 0, "no deposit yet");
        assertEq(address(module).balance, 0, "module empty");

        // Milestone 2's contest: the executor disputes, the panel gives it everything.
        before = balancesOf(human);
        disputeAs(human, taskId, terms, config);
        respondAs(poster, taskId, terms);
        panelRules(disputeIdOf(taskId), 11);
        module.executeRuling(taskId, terms);

        uint256 payout1 = executorPayoutOf(amount1, BPS);
        assertStatus(taskId, TaskStatus.Settled);
        assertDeltas(before, balancesOf(human), [-fee, toInt(payout1 + BOND), 0, fee, 0, -toInt(payout1 + BOND)]);
        assertEq(market.executorRecordOf(human).disputesWon, 1, "milestone 2's dispute won");
    }

    /// The poster disputed milestone 1's partial acceptance and the executor matched; no one carried it out, so the
    /// hold settled milestone 1 at the accepted share. The reviewer's partial acceptance of milestone 2 refunds the
    /// poster's deposit; the panel, which never reached a majority, returns the executor's fee through
    /// `reclaimArbitrationFee`. Every deposit comes back and both milestones settle at their decisions.
    function test_PartialAcceptanceOfTheNextMilestone_WhileAStaleArbitrationHoldsDeposits() external {
        uint16 share0 = 6_000;
        uint16 share1 = 5_000;
        uint256 taskId = partiallyAcceptedTask(terms, config, share0);
        Balances memory before = balancesOf(human);
        disputeAs(poster, taskId, terms, config);
        respondAs(human, taskId, terms);
        uint256 disputeId = disputeIdOf(taskId);
        vm.warp(market.stateOf(taskId).reviewDeadline + 1);
        market.release(taskId, terms);
        submitWork(taskId, terms, human);

        uint256 posterBefore = poster.balance;
        vm.expectEmit(address(module));
        emit IDisputableModule.ContestEnded(taskId, IDisputableModule.ContestOutcome.Lapsed, share0);
        acceptPartiallyAs(reviewer, taskId, terms, config, share1);
        assertEq(poster.balance - posterBefore, ARBITRATION_FEE, "the poster's stale deposit refunded");
        assertEq(address(module).balance, 0, "module empty");

        arbitrator.closeUnresolved(disputeId);
        uint256 humanBefore = human.balance;
        module.reclaimArbitrationFee(arbitrator, disputeId);
        assertEq(human.balance - humanBefore, ARBITRATION_FEE, "the executor's fee, back from the panel");

        vm.warp(module.contestOf(taskId).deadline + 1);
        market.release(taskId, terms);
        module.closeLapsedContest(taskId);

        uint256 payouts = executorPayoutOf(amount0, share0) + executorPayoutOf(amount1, share1);
        uint256 refunds = posterRefundOf(amount0, share0) + posterRefundOf(amount1, share1);
        assertStatus(taskId, TaskStatus.Settled);
        assertDeltas(
            before,
            balancesOf(human),
            [toInt(refunds), toInt(payouts + BOND), 0, 0, 0, -toInt(payouts + refunds + BOND)]
        );
        assertEq(
            address(market).balance,
            protocolFeeOf(amount0, share0) + protocolFeeOf(amount1, share1),
            "the market keeps only the protocol fees"
        );
    }

    /// Closing the stale contest by hand first works as well: it refunds the deposit, and the reviewer's rejection
    /// then finds nothing to close.
    function test_CloseStaleContest_ThenContestTheNextMilestone() external {
        uint256 taskId = staleDisputeThenSecondSubmission();
        closeTheStaleContest(taskId, uint16(BPS));

        vm.recordLogs();
        rejectAs(reviewer, taskId, terms, config);
        assertEq(countModuleEvents(IDisputableModule.ContestEnded.selector), 0, "nothing left to close");
        assertStatus(taskId, TaskStatus.Disputed);
        assertPhase(taskId, IDisputableModule.ContestPhase.Open);
        assertEq(address(module).balance, 0, "module empty");
    }

    function countModuleEvents(bytes32 topic0) private returns (uint256 count) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(module) && logs[i].topics[0] == topic0) ++count;
        }
    }
}
