// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Vm } from "forge-std/Test.sol";

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { IReviewModule } from "../../../../contracts/interfaces/verification/IReviewModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorKind, ExecutorRecord, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { ReviewModule_Test } from "./ReviewModuleBase.sol";

/// @notice The reviewer's decisions: an approval takes effect at once; a rejection or a partial acceptance takes
/// effect at once without a contest window, and is held in the market (status `Disputed`) for the window otherwise.
/// The reviewer earns the task's verifier fee, forwarded by the module, for its first decision.
contract ReviewModule_Decisions_Unit_Test is ReviewModule_Test {
    function noDisputes() private pure returns (ExecutorRecord memory record) {}

    /*//////////////////////////////////////////////////////////////
                                APPROVE
    //////////////////////////////////////////////////////////////*/

    function test_Approve_EthTask_PaysTheExecutorAndForwardsTheFee() external {
        IReviewModule.ReviewConfig memory config = immediateConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        Balances memory before = balancesOf(human);
        uint256 payout = payoutOf(REWARD, FEE_BPS);

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), payout, feeOf(REWARD, FEE_BPS), BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.VerifierPaid(taskId, address(module), VERIFIER_FEE);
        vm.expectEmit(address(module));
        emit IDisputableModule.VerifierFeeForwarded(address(0), reviewer, VERIFIER_FEE);
        approveAs(reviewer, taskId, terms, config);

        assertStatus(taskId, TaskStatus.Settled);
        assertDeltas(
            before,
            balancesOf(human),
            [int256(0), toInt(payout + BOND), toInt(VERIFIER_FEE), 0, 0, -toInt(payout + BOND + VERIFIER_FEE)]
        );
        assertEq(address(module).balance, 0, "the module keeps nothing");
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "the market keeps the protocol fee");
        assertEq(market.accruedFeesOf(address(0)), feeOf(REWARD, FEE_BPS), "fee accrued");
        assertEq(market.executorRecordOf(human).completed, 1, "completed");
    }

    function test_Approve_TokenTask_ForwardsTheFeeInTheToken() external {
        IReviewModule.ReviewConfig memory config = immediateConfig();
        TaskTerms memory terms = reviewTerms(address(token), config);
        uint256 taskId = submittedTask(terms);
        uint256 humanBefore = token.balanceOf(human);
        uint256 reviewerBefore = token.balanceOf(reviewer);
        uint256 reviewerEthBefore = reviewer.balance;

        vm.expectEmit(address(module));
        emit IDisputableModule.VerifierFeeForwarded(address(token), reviewer, VERIFIER_FEE);
        approveAs(reviewer, taskId, terms, config);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(token.balanceOf(human) - humanBefore, payoutOf(REWARD, FEE_BPS) + BOND, "executor paid");
        assertEq(token.balanceOf(reviewer) - reviewerBefore, VERIFIER_FEE, "reviewer paid in the token");
        assertEq(reviewer.balance, reviewerEthBefore, "no ETH moves");
        assertEq(token.balanceOf(address(module)), 0, "the module keeps nothing");
        assertEq(token.balanceOf(address(market)), feeOf(REWARD, FEE_BPS), "the market keeps the protocol fee");
    }

    /// An approval takes effect at once even when decisions against a party are contested: no contest opens.
    function test_Approve_WithContestWindow_TakesEffectAtOnce() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);

        approveAs(reviewer, taskId, terms, config);

        assertStatus(taskId, TaskStatus.Settled);
        assertPhase(taskId, IDisputableModule.ContestPhase.None);
        assertEq(address(module).balance, 0, "module");
    }

    function test_Approve_WithoutVerifierFee_ForwardsNothing() external {
        IReviewModule.ReviewConfig memory config = immediateConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        terms.verifierFee = 0;
        uint256 taskId = submittedTask(terms);
        uint256 reviewerBefore = reviewer.balance;

        vm.recordLogs();
        approveAs(reviewer, taskId, terms, config);

        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            assertTrue(logs[i].emitter != address(module), "the module emits nothing");
        }
        assertEq(reviewer.balance, reviewerBefore, "reviewer");
        assertStatus(taskId, TaskStatus.Settled);
    }

    /// The fee is earned once per task: a rejection earns it, the approval of the resubmission earns nothing more.
    function test_VerifierFee_IsForwardedOnce_EthTask() external {
        IReviewModule.ReviewConfig memory config = immediateConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        uint256 reviewerBefore = reviewer.balance;

        rejectAs(reviewer, taskId, terms, config);
        assertEq(reviewer.balance - reviewerBefore, VERIFIER_FEE, "the first decision earns the fee");
        submitWork(taskId, terms, human);
        approveAs(reviewer, taskId, terms, config);

        assertEq(reviewer.balance - reviewerBefore, VERIFIER_FEE, "the second earns nothing");
        assertEq(address(module).balance, 0, "module");
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "market");
    }

    function test_VerifierFee_IsForwardedOnce_TokenTask() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        TaskTerms memory terms = reviewTerms(address(token), config);
        uint256 taskId = submittedTask(terms);
        uint256 reviewerBefore = token.balanceOf(reviewer);

        // Contested rejection (earns the fee), accepted by the executor, resubmission, approval.
        rejectAs(reviewer, taskId, terms, config);
        assertEq(token.balanceOf(reviewer) - reviewerBefore, VERIFIER_FEE, "the first decision earns the fee");
        vm.prank(human);
        module.acceptRejection(taskId, terms);
        submitWork(taskId, terms, human);
        approveAs(reviewer, taskId, terms, config);

        assertEq(token.balanceOf(reviewer) - reviewerBefore, VERIFIER_FEE, "paid once");
        assertEq(token.balanceOf(address(module)), 0, "module");
        assertEq(token.balanceOf(address(market)), feeOf(REWARD, FEE_BPS), "market");
    }

    /// The poster may review its own task through the module and earns the fee it escrowed.
    function test_Approve_ByThePosterAsReviewer() external {
        IReviewModule.ReviewConfig memory config = immediateConfig();
        config.reviewer = poster;
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        uint256 posterBefore = poster.balance;

        approveAs(poster, taskId, terms, config);

        assertEq(poster.balance - posterBefore, VERIFIER_FEE, "the fee comes back to the poster");
        assertStatus(taskId, TaskStatus.Settled);
    }

    /*//////////////////////////////////////////////////////////////
                        DECISIONS WITHOUT A WINDOW
    //////////////////////////////////////////////////////////////*/

    function test_Reject_WithoutWindow_TakesEffectAtOnce() external {
        IReviewModule.ReviewConfig memory config = immediateConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        uint256 reviewerBefore = reviewer.balance;

        vm.expectEmit(address(module));
        emit IReviewModule.ReviewRejected(taskId, reviewer, REASON_HASH);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionRejected(taskId, address(module), REASON_HASH);
        rejectAs(reviewer, taskId, terms, config);

        assertStatus(taskId, TaskStatus.InProgress);
        assertEq(market.stateOf(taskId).flags & FLAG_REJECTED, FLAG_REJECTED, "rejected");
        assertPhase(taskId, IDisputableModule.ContestPhase.None);
        assertEq(reviewer.balance - reviewerBefore, VERIFIER_FEE, "reviewer paid");
        assertEq(address(market).balance, REWARD + BOND, "the reward stays in escrow");
        assertEq(address(module).balance, 0, "module");

        // The executor may resubmit at once.
        submitWork(taskId, terms, human);
        assertStatus(taskId, TaskStatus.Submitted);
    }

    function test_AcceptPartially_WithoutWindow_SettlesAtOnce() external {
        IReviewModule.ReviewConfig memory config = immediateConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        Balances memory before = balancesOf(human);
        uint16 share = 6_000;

        vm.expectEmit(address(module));
        emit IReviewModule.ReviewPartiallyAccepted(taskId, reviewer, share);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionResolved(taskId, address(module), share);
        acceptPartiallyAs(reviewer, taskId, terms, config, share);

        assertStatus(taskId, TaskStatus.Settled);
        uint256 payout = executorPayoutOf(REWARD, share);
        uint256 refund = posterRefundOf(REWARD, share);
        assertDeltas(
            before,
            balancesOf(human),
            [
                toInt(refund),
                toInt(payout + BOND),
                toInt(VERIFIER_FEE),
                0,
                0,
                -toInt(refund + payout + BOND + VERIFIER_FEE)
            ]
        );
        assertEq(address(market).balance, protocolFeeOf(REWARD, share), "market keeps the fee on the share");
        // Not held: no dispute recorded.
        ExecutorRecord memory expected = noDisputes();
        expected.completed = 1;
        assertEq(market.executorRecordOf(human), expected);
    }

    function test_AcceptPartially_WithoutWindow_ZeroShare() external {
        IReviewModule.ReviewConfig memory config = immediateConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        Balances memory before = balancesOf(human);

        acceptPartiallyAs(reviewer, taskId, terms, config, 0);

        assertStatus(taskId, TaskStatus.Settled);
        assertDeltas(
            before,
            balancesOf(human),
            [toInt(REWARD), toInt(BOND), toInt(VERIFIER_FEE), 0, 0, -toInt(REWARD + BOND + VERIFIER_FEE)]
        );
        assertEq(market.executorRecordOf(human).completed, 0, "nothing paid, nothing completed");
    }

    function test_RevertWhen_ShareAboveWhole() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidShare.selector, BPS + 1));
        acceptPartiallyAs(reviewer, taskId, terms, config, uint16(BPS + 1));
    }

    /*//////////////////////////////////////////////////////////////
                         DECISIONS WITH A WINDOW
    //////////////////////////////////////////////////////////////*/

    function test_Reject_WithWindow_HoldsTheSubmission() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        uint40 windowEnd = uint40(block.timestamp) + CONTEST_WINDOW;
        uint256 reviewerBefore = reviewer.balance;

        vm.expectEmit(address(module));
        emit IReviewModule.ReviewRejected(taskId, reviewer, REASON_HASH);
        vm.expectEmit(address(module));
        emit IDisputableModule.ContestOpened(taskId, 0, true, windowEnd);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionHeld(taskId, address(module), windowEnd, 0);
        vm.expectEmit(address(module));
        emit IDisputableModule.VerifierFeeForwarded(address(0), reviewer, VERIFIER_FEE);
        rejectAs(reviewer, taskId, terms, config);

        assertStatus(taskId, TaskStatus.Disputed);
        assertStoredStatus(taskId, TaskStatus.Disputed);
        assertEq(market.stateOf(taskId).reviewDeadline, windowEnd, "held until the window ends");
        (, uint40 heldAt, uint16 holdShare) = market.progressOf(taskId);
        assertEq(heldAt, block.timestamp, "heldAt");
        assertEq(holdShare, 0, "a rejection stands at 0 %");

        IDisputableModule.Contest memory contest = module.contestOf(taskId);
        assertEq(uint8(contest.phase), uint8(IDisputableModule.ContestPhase.Open), "phase");
        assertTrue(contest.rejection, "rejection");
        assertEq(contest.decisionShareBps, 0, "decision");
        assertEq(contest.deadline, windowEnd, "deadline");
        assertEq(contest.claimant, address(0), "no claimant yet");

        assertEq(reviewer.balance - reviewerBefore, VERIFIER_FEE, "the hold is the first decision: fee earned");
        assertEq(address(market).balance, REWARD + BOND, "escrow untouched");
        assertEq(address(module).balance, 0, "module");

        // The window is a contest window, not review time: the status reads `Verified` once it ends.
        vm.warp(windowEnd);
        assertStatus(taskId, TaskStatus.Disputed);
        vm.warp(windowEnd + 1);
        assertStatus(taskId, TaskStatus.Verified);
    }

    function test_AcceptPartially_WithWindow_HoldsWithTheShare() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        TaskTerms memory terms = reviewTerms(address(token), config);
        uint256 taskId = submittedTask(terms);
        uint40 windowEnd = uint40(block.timestamp) + CONTEST_WINDOW;

        vm.expectEmit(address(module));
        emit IReviewModule.ReviewPartiallyAccepted(taskId, reviewer, 7_000);
        vm.expectEmit(address(module));
        emit IDisputableModule.ContestOpened(taskId, 7_000, false, windowEnd);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionHeld(taskId, address(module), windowEnd, 7_000);
        acceptPartiallyAs(reviewer, taskId, terms, config, 7_000);

        assertStatus(taskId, TaskStatus.Disputed);
        (, , uint16 holdShare) = market.progressOf(taskId);
        assertEq(holdShare, 7_000, "the partial share stands by default");
        IDisputableModule.Contest memory contest = module.contestOf(taskId);
        assertFalse(contest.rejection, "not a rejection");
        assertEq(contest.decisionShareBps, 7_000, "decision");
        assertEq(token.balanceOf(reviewer), 1_000_000 ether + VERIFIER_FEE, "fee forwarded in the token");
        assertEq(token.balanceOf(address(market)), REWARD + BOND, "escrow untouched");
    }

    /// A held submission is being contested: the reviewer may no longer decide on it, in any phase of the contest.
    function test_RevertWhen_ReviewerDecidesOnAHeldSubmission() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = rejectedTask(terms, config);
        bytes memory notUnderReview = abi.encodeWithSelector(Errors.ReviewModule_NotUnderReview.selector, taskId);

        for (uint256 phase = 0; phase < 3; ++phase) {
            if (phase == 1) disputeAs(human, taskId, terms, config);
            if (phase == 2) respondAs(poster, taskId, terms);
            vm.expectRevert(notUnderReview);
            approveAs(reviewer, taskId, terms, config);
            vm.expectRevert(notUnderReview);
            rejectAs(reviewer, taskId, terms, config);
            vm.expectRevert(notUnderReview);
            acceptPartiallyAs(reviewer, taskId, terms, config, 5_000);
        }
        assertPhase(taskId, IDisputableModule.ContestPhase.Arbitrating);
        assertStatus(taskId, TaskStatus.Disputed);
    }

    /*//////////////////////////////////////////////////////////////
                                 CALLERS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_CallerNotReviewer() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        address[3] memory callers = [poster, human, stranger];

        for (uint256 i = 0; i < callers.length; ++i) {
            bytes memory notReviewer = abi.encodeWithSelector(
                Errors.ReviewModule_CallerNotReviewer.selector,
                taskId,
                callers[i]
            );
            vm.expectRevert(notReviewer);
            approveAs(callers[i], taskId, terms, config);
            vm.expectRevert(notReviewer);
            rejectAs(callers[i], taskId, terms, config);
            vm.expectRevert(notReviewer);
            acceptPartiallyAs(callers[i], taskId, terms, config, 5_000);
        }
        assertStatus(taskId, TaskStatus.Submitted);
    }

    /// The market keeps the poster and the module from executing the task, not the reviewer named in the
    /// configuration: the module refuses to let the reviewer judge its own work.
    function test_RevertWhen_ReviewerIsTheExecutor() external {
        registerExecutor(reviewer, ExecutorKind.Human, sortedCapabilities());
        IReviewModule.ReviewConfig memory config = contestConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = createTask(terms);
        claimTask(taskId, terms, reviewer);
        submitWork(taskId, terms, reviewer);
        bytes memory conflict = abi.encodeWithSelector(
            Errors.ReviewModule_ReviewerIsExecutor.selector,
            taskId,
            reviewer
        );

        vm.expectRevert(conflict);
        approveAs(reviewer, taskId, terms, config);
        vm.expectRevert(conflict);
        rejectAs(reviewer, taskId, terms, config);
        vm.expectRevert(conflict);
        acceptPartiallyAs(reviewer, taskId, terms, config, 10_000);

        // Silence still releases the payment: the poster chose this reviewer.
        warpPastReviewDeadline(taskId);
        uint256 reviewerBefore = reviewer.balance;
        uint256 posterBefore = poster.balance;
        market.release(taskId, terms);
        assertEq(reviewer.balance - reviewerBefore, payoutOf(REWARD, FEE_BPS) + BOND, "paid as the executor only");
        assertEq(poster.balance - posterBefore, VERIFIER_FEE, "the unearned fee returns to the poster");
    }

    function test_RevertWhen_DecisionAfterTheReviewWindow() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        bytes memory verified = abi.encodeWithSelector(
            Errors.TaskMarket_InvalidStatus.selector,
            taskId,
            TaskStatus.Verified
        );

        vm.expectRevert(verified);
        approveAs(reviewer, taskId, terms, config);
        vm.expectRevert(verified);
        rejectAs(reviewer, taskId, terms, config);
        vm.expectRevert(verified);
        acceptPartiallyAs(reviewer, taskId, terms, config, 5_000);
    }

    function test_RevertWhen_DecisionBeforeSubmission() external {
        IReviewModule.ReviewConfig memory config = immediateConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = claimedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.ReviewModule_NotUnderReview.selector, taskId));
        approveAs(reviewer, taskId, terms, config);
    }

    function test_RevertWhen_TaskNotFound() external {
        IReviewModule.ReviewConfig memory config = immediateConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        vm.expectRevert(abi.encodeWithSelector(Errors.ReviewModule_NotUnderReview.selector, 42));
        approveAs(reviewer, 42, terms, config);
    }

    /// A decision on a settled task is refused by the module (the market would refuse it too).
    function test_RevertWhen_DecisionAfterSettlement() external {
        IReviewModule.ReviewConfig memory config = immediateConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        approveAs(reviewer, taskId, terms, config);
        vm.expectRevert(abi.encodeWithSelector(Errors.ReviewModule_NotUnderReview.selector, taskId));
        approveAs(reviewer, taskId, terms, config);
    }
}
