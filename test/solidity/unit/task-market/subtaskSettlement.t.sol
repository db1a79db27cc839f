// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskOptions, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Options_Test } from "./OptionsBase.t.sol";

/// @notice How subtasks end and what returns where: to the parent's escrow while the parent is open, to the parent's
/// poster once it has ended; forfeited bonds to the coordinator; the parent blocked from submission while a subtask
/// is open, and paid (or refunded) net of what its subtasks drew. Nested subtasks, lowered prices, splits, unspent
/// verifier fees, expiries and cancellations by consent included.
contract SubtaskSettlement_Unit_Test is Options_Test {
    /// @dev A parent of `poster` claimed by `human`, and one subtask of `human`.
    struct Family {
        uint256 parentId;
        TaskTerms parentTerms;
        uint256 subtaskId;
        TaskTerms terms;
    }

    function family(TaskTerms memory parentTerms, TaskTerms memory terms) private returns (Family memory f) {
        f.parentTerms = parentTerms;
        f.parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        f.terms = terms;
        f.subtaskId = createSubtask(f.parentId, parentTerms, terms);
    }

    /// @dev A family whose subtask is reviewed by `human`, claimed by `agent`.
    function claimedFamily(address rewardToken) private returns (Family memory f) {
        TaskTerms memory parentTerms = defaultTerms(rewardToken);
        f = family(parentTerms, subtaskTerms(parentTerms));
        claimTask(f.subtaskId, f.terms, agent);
    }

    /// @dev A family whose subtask is reviewed by `reviewer` for `SUBTASK_VERIFIER_FEE`, claimed and submitted by
    /// `agent`.
    function submittedDelegatedFamily(address rewardToken) private returns (Family memory f) {
        TaskTerms memory parentTerms = defaultTerms(rewardToken);
        f = family(parentTerms, delegatedSubtaskTerms(parentTerms));
        claimTask(f.subtaskId, f.terms, agent);
        submitWork(f.subtaskId, f.terms, agent);
    }

    function settleParentInFull(Family memory f, uint256 drawn) private {
        uint256 amount = REWARD - drawn;
        uint256 fee = feeOf(amount, FEE_BPS);
        submitWork(f.parentId, f.parentTerms, human);
        uint256 humanBefore = balanceOf(f.parentTerms.token, human);
        uint256 posterBefore = balanceOf(f.parentTerms.token, poster);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(f.parentId, human, f.parentTerms.token, amount - fee, fee, BOND);
        approveTask(f.parentId, f.parentTerms);
        assertEq(balanceOf(f.parentTerms.token, human), humanBefore + amount - fee + BOND, "parent executor paid");
        assertEq(balanceOf(f.parentTerms.token, poster), posterBefore, "the poster gets nothing back");
    }

    function consentToCancel(uint256 taskId, TaskTerms memory terms, address executor) private {
        posterConsents(taskId, terms);
        vm.prank(executor);
        market.consentToCancel(taskId, terms);
    }

    function posterConsents(uint256 taskId, TaskTerms memory terms) private {
        vm.prank(terms.poster);
        market.consentToCancel(taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                      THE PARENT WAITS FOR ITS SUBTASKS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_ParentSubmittedWithAnOpenSubtask() external {
        Family memory f = claimedFamily(address(0));
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_SubtasksOpen.selector, f.parentId, 1));
        submitWork(f.parentId, f.parentTerms, human);
    }

    function test_RevertWhen_ParentSubmittedWithAnUnclaimedSubtask() external {
        TaskTerms memory parentTerms = tokenTerms();
        Family memory f = family(parentTerms, subtaskTerms(parentTerms));
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_SubtasksOpen.selector, f.parentId, 1));
        submitWork(f.parentId, f.parentTerms, human);
    }

    function test_RevertWhen_ParentSubmittedVerifiedWithAnOpenSubtask() external {
        TaskTerms memory parentTerms = delegatedTerms(address(0));
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        createSubtask(parentId, parentTerms, subtaskTerms(parentTerms));
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_SubtasksOpen.selector, parentId, 1));
        submitVerifiedTask(parentId, parentTerms);
    }

    function test_RevertWhen_ParentSubmittedWhileOneOfTwoSubtasksIsOpen() external {
        TaskTerms memory parentTerms = ethTerms();
        Family memory f = family(parentTerms, subtaskTerms(parentTerms));
        uint256 second = createSubtask(f.parentId, parentTerms, f.terms);
        vm.prank(human);
        market.cancel(second, f.terms);
        assertFunding(f.parentId, 0, SUBTASK_REWARD, 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_SubtasksOpen.selector, f.parentId, 1));
        submitWork(f.parentId, f.parentTerms, human);
    }

    function test_RevertWhen_ParentSubmittedWhileTheSubtaskIsUnderReview() external {
        Family memory f = claimedFamily(address(0));
        submitWork(f.subtaskId, f.terms, agent);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_SubtasksOpen.selector, f.parentId, 1));
        submitWork(f.parentId, f.parentTerms, human);
    }

    function test_WhenTheParentIsRejected_ItMayDelegateAgainAndResubmitOnceDone() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        submitWork(parentId, parentTerms, human);
        rejectTask(parentId, parentTerms);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_SubtasksOpen.selector, parentId, 1));
        submitWork(parentId, parentTerms, human);
        vm.prank(human);
        market.cancel(subtaskId, terms);
        submitWork(parentId, parentTerms, human);
        assertStatus(parentId, TaskStatus.Submitted);
    }

    /*//////////////////////////////////////////////////////////////
                         SUBTASK SETTLED IN FULL
    //////////////////////////////////////////////////////////////*/

    function settleSubtaskInFull(address rewardToken) private {
        Family memory f = claimedFamily(rewardToken);
        submitWork(f.subtaskId, f.terms, agent);
        uint256 agentBefore = balanceOf(rewardToken, agent);
        uint256 fee = feeOf(SUBTASK_REWARD, FEE_BPS);

        vm.recordLogs();
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(f.subtaskId, agent, rewardToken, SUBTASK_REWARD - fee, fee, SUBTASK_BOND);
        approveTask(f.subtaskId, f.terms);

        assertEq(countMarketEvents(ITaskMarket.SubtaskFundsReturned.selector), 0, "nothing to return");
        assertEq(balanceOf(rewardToken, agent), agentBefore + SUBTASK_REWARD - fee + SUBTASK_BOND, "subtask paid");
        assertFunding(f.parentId, 0, SUBTASK_REWARD, 0);
        assertEq(market.posterRecordOf(human).settled, 1, "the coordinator's record");

        settleParentInFull(f, SUBTASK_REWARD);
        uint256 fees = fee + feeOf(REWARD - SUBTASK_REWARD, FEE_BPS);
        assertEq(market.accruedFeesOf(rewardToken), fees, "fees of both settlements");
        assertEq(balanceOfMarket(rewardToken), fees, "only the fees are left");
    }

    function test_WhenSubtaskSettledInFull_TheParentPaysTheRestInEth() external {
        settleSubtaskInFull(address(0));
    }

    function test_WhenSubtaskSettledInFull_TheParentPaysTheRestInToken() external {
        settleSubtaskInFull(address(token));
    }

    function test_WhenSubtasksSpendTheWholeReward_TheParentPaysOnlyTheBond() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, uint96(REWARD));
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.reward = REWARD;
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms);
        claimTask(subtaskId, terms, agent);
        submitWork(subtaskId, terms, agent);
        approveTask(subtaskId, terms);

        submitWork(parentId, parentTerms, human);
        uint256 humanBefore = human.balance;
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(parentId, human, address(0), 0, 0, BOND);
        approveTask(parentId, parentTerms);
        assertEq(human.balance, humanBefore + BOND, "only the bond");
        // Nothing was paid for the parent itself, so it does not count as completed.
        assertEq(market.executorRecordOf(human).completed, 0, "no completion without a payout");
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "only the subtask's fee");
    }

    /*//////////////////////////////////////////////////////////////
                   SUBTASK CANCELLED OR EXPIRED: BACK TO PARENT
    //////////////////////////////////////////////////////////////*/

    function test_WhenSubtaskCancelled_ItsFundsReturnToTheParentAndCanBeReused_InEth() external {
        cancelSubtaskBackToParent(address(0));
    }

    function test_WhenSubtaskCancelled_ItsFundsReturnToTheParentAndCanBeReused_InToken() external {
        cancelSubtaskBackToParent(address(token));
    }

    function cancelSubtaskBackToParent(address rewardToken) private {
        TaskTerms memory parentTerms = defaultTerms(rewardToken);
        Family memory f = family(parentTerms, delegatedSubtaskTerms(parentTerms));
        uint256 funding = uint256(SUBTASK_REWARD) + SUBTASK_VERIFIER_FEE;
        uint256 humanBefore = balanceOf(rewardToken, human);
        uint256 posterBefore = balanceOf(rewardToken, poster);
        uint256 marketBefore = balanceOfMarket(rewardToken);

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(f.subtaskId, human, funding, 0);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(f.parentId, f.subtaskId, address(market), funding);
        vm.prank(human);
        market.cancel(f.subtaskId, f.terms);

        assertStatus(f.subtaskId, TaskStatus.Cancelled);
        assertFunding(f.parentId, 0, 0, 0);
        assertEq(balanceOf(rewardToken, human), humanBefore, "the coordinator gets nothing");
        assertEq(balanceOf(rewardToken, poster), posterBefore, "the parent's poster gets nothing yet");
        assertEq(balanceOfMarket(rewardToken), marketBefore, "the funds stay in escrow");
        assertEq(market.unpaidRewardOf(f.parentId, parentTerms), REWARD, "the parent owns its reward again");

        // The whole budget is available again.
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.reward = SUBTASK_BUDGET;
        createSubtask(f.parentId, parentTerms, terms);
        assertFunding(f.parentId, 0, SUBTASK_BUDGET, 1);
    }

    function test_WhenSubtaskCancelledByItsAssigner_ItsFundsReturnToTheParent() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms, assignerOptions());
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(parentId, subtaskId, address(market), SUBTASK_REWARD);
        assigner.cancel(subtaskId, terms);
        assertFunding(parentId, 0, 0, 0);
    }

    function test_WhenSubtaskExpiresUnclaimed_ItsFundsReturnToTheParent_InEth() external {
        expireUnclaimedSubtask(address(0));
    }

    function test_WhenSubtaskExpiresUnclaimed_ItsFundsReturnToTheParent_InToken() external {
        expireUnclaimedSubtask(address(token));
    }

    function expireUnclaimedSubtask(address rewardToken) private {
        TaskTerms memory parentTerms = defaultTerms(rewardToken);
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.claimDeadline = uint40(block.timestamp + 1 days);
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms);
        warpPastClaimDeadline(terms);
        uint256 humanBefore = balanceOf(rewardToken, human);

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskExpired(subtaskId, human, SUBTASK_REWARD, 0);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(parentId, subtaskId, address(market), SUBTASK_REWARD);
        vm.prank(stranger);
        market.refundExpired(subtaskId, terms);

        assertEq(balanceOf(rewardToken, human), humanBefore, "the coordinator gets nothing");
        assertFunding(parentId, 0, 0, 0);
        assertStatus(parentId, TaskStatus.Claimed);
    }

    function test_WhenSubtaskClaimLapsesAndExpires_TheBondGoesToTheCoordinator_InEth() external {
        expireLapsedSubtask(address(0));
    }

    function test_WhenSubtaskClaimLapsesAndExpires_TheBondGoesToTheCoordinator_InToken() external {
        expireLapsedSubtask(address(token));
    }

    function expireLapsedSubtask(address rewardToken) private {
        TaskTerms memory parentTerms = defaultTerms(rewardToken);
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.claimDeadline = uint40(block.timestamp + 1 days);
        terms.executionWindow = 1 hours;
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms);
        claimTask(subtaskId, terms, agent);
        warpPastClaimDeadline(terms);
        uint256 humanBefore = balanceOf(rewardToken, human);
        uint256 posterBefore = balanceOf(rewardToken, poster);

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(subtaskId, agent, false, SUBTASK_BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskExpired(subtaskId, human, SUBTASK_REWARD, SUBTASK_BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(parentId, subtaskId, address(market), SUBTASK_REWARD);
        vm.prank(stranger);
        market.refundExpired(subtaskId, terms);

        assertEq(
            balanceOf(rewardToken, human),
            humanBefore + SUBTASK_BOND,
            "the forfeited bond goes to the coordinator"
        );
        assertEq(balanceOf(rewardToken, poster), posterBefore, "not to the parent's poster");
        assertFunding(parentId, 0, 0, 0);
        assertEq(balanceOfMarket(rewardToken), uint256(REWARD) + BOND, "the market holds the parent's escrow and bond");
    }

    function test_WhenSubtaskReclaimedAfterALapse_TheBondGoesToTheCoordinator() external {
        Family memory f = claimedFamily(address(0));
        warpPastExecutionDeadline(f.subtaskId);
        uint256 humanBefore = human.balance;
        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(f.subtaskId, agent, false, SUBTASK_BOND);
        claimTask(f.subtaskId, f.terms, worker);
        assertEq(human.balance, humanBefore + SUBTASK_BOND, "forfeited to the coordinator");
        assertFunding(f.parentId, 0, SUBTASK_REWARD, 1);
    }

    function test_WhenSubtaskExpiresAfterTheParentLapsedUnrefunded_ItShouldReturnToTheParentsEscrow() external {
        // The parent's claim has lapsed, but nobody refunded it: it has not ended, so the funds go to its escrow and
        // its refund includes them.
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.claimDeadline = parentTerms.claimDeadline + 1 days;
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms);
        warpPastClaimDeadline(terms);
        assertStatus(parentId, TaskStatus.Expired);

        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(parentId, subtaskId, address(market), SUBTASK_REWARD);
        vm.prank(stranger);
        market.refundExpired(subtaskId, terms);

        uint256 posterBefore = poster.balance;
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskExpired(parentId, poster, REWARD, BOND);
        vm.prank(stranger);
        market.refundExpired(parentId, parentTerms);
        assertEq(poster.balance, posterBefore + REWARD + BOND, "the whole reward and the forfeited bond");
        assertEq(address(market).balance, 0, "market empty");
    }

    /*//////////////////////////////////////////////////////////////
                      SUBTASK SPLIT AND VERIFIER FEE
    //////////////////////////////////////////////////////////////*/

    function test_WhenSubtaskResolvedWithAShare_TheRestReturnsToTheParent_InEth() external {
        resolveSubtaskWithAShare(address(0));
    }

    function test_WhenSubtaskResolvedWithAShare_TheRestReturnsToTheParent_InToken() external {
        resolveSubtaskWithAShare(address(token));
    }

    function resolveSubtaskWithAShare(address rewardToken) private {
        Family memory f = submittedDelegatedFamily(rewardToken);
        uint256 gross = (uint256(SUBTASK_REWARD) * 6_000) / BPS;
        uint256 fee = feeOf(gross, FEE_BPS);
        uint256 refund = SUBTASK_REWARD - gross;
        uint256 agentBefore = balanceOf(rewardToken, agent);
        uint256 reviewerBefore = balanceOf(rewardToken, reviewer);
        uint256 humanBefore = balanceOf(rewardToken, human);

        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionResolved(f.subtaskId, reviewer, 6_000);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(f.subtaskId, agent, rewardToken, gross - fee, fee, SUBTASK_BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SettlementRefunded(f.subtaskId, human, refund);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(f.parentId, f.subtaskId, address(market), refund);
        vm.expectEmit(address(market));
        emit ITaskMarket.VerifierPaid(f.subtaskId, reviewer, SUBTASK_VERIFIER_FEE);
        resolveTask(f.subtaskId, f.terms, 6_000);

        assertEq(
            balanceOf(rewardToken, agent),
            agentBefore + gross - fee + SUBTASK_BOND,
            "the subtask's executor's share"
        );
        assertEq(balanceOf(rewardToken, reviewer), reviewerBefore + SUBTASK_VERIFIER_FEE, "the verifier's fee");
        assertEq(balanceOf(rewardToken, human), humanBefore, "the refund does not go to the coordinator");
        uint256 drawn = uint256(SUBTASK_REWARD) + SUBTASK_VERIFIER_FEE - refund;
        assertFunding(f.parentId, 0, drawn, 0);

        settleParentInFull(f, drawn);
        uint256 fees = fee + feeOf(REWARD - drawn, FEE_BPS);
        assertEq(balanceOfMarket(rewardToken), fees, "only the fees are left");
    }

    function test_WhenSubtaskReleasedWithoutADecision_TheUnspentVerifierFeeReturnsToTheParent_InEth() external {
        releaseSubtaskWithoutADecision(address(0));
    }

    function test_WhenSubtaskReleasedWithoutADecision_TheUnspentVerifierFeeReturnsToTheParent_InToken() external {
        releaseSubtaskWithoutADecision(address(token));
    }

    function releaseSubtaskWithoutADecision(address rewardToken) private {
        Family memory f = submittedDelegatedFamily(rewardToken);
        warpPastReviewDeadline(f.subtaskId);
        uint256 fee = feeOf(SUBTASK_REWARD, FEE_BPS);
        uint256 reviewerBefore = balanceOf(rewardToken, reviewer);

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskVerified(f.subtaskId);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(f.subtaskId, agent, rewardToken, SUBTASK_REWARD - fee, fee, SUBTASK_BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SettlementRefunded(f.subtaskId, human, SUBTASK_VERIFIER_FEE);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(f.parentId, f.subtaskId, address(market), SUBTASK_VERIFIER_FEE);
        vm.prank(stranger);
        market.release(f.subtaskId, f.terms);

        assertEq(balanceOf(rewardToken, reviewer), reviewerBefore, "the verifier earned nothing");
        assertFunding(f.parentId, 0, SUBTASK_REWARD, 0);
    }

    function test_WhenSubtaskRejectedThenCancelled_TheVerifierKeepsItsFeeAndTheRewardReturns() external {
        Family memory f = submittedDelegatedFamily(address(0));
        rejectTask(f.subtaskId, f.terms);
        vm.prank(human);
        market.consentToCancel(f.subtaskId, f.terms);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(f.subtaskId, human, SUBTASK_REWARD, SUBTASK_BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(f.parentId, f.subtaskId, address(market), SUBTASK_REWARD);
        vm.prank(agent);
        market.consentToCancel(f.subtaskId, f.terms);
        // The verifier fee was earned by the rejection; it stays drawn.
        assertFunding(f.parentId, 0, SUBTASK_VERIFIER_FEE, 0);
    }

    function test_WhenMilestoneSubtaskResolvedInPart_EachRefundReturnsAsItComes() external {
        TaskTerms memory parentTerms = ethTerms();
        TaskTerms memory terms = delegatedSubtaskTerms(parentTerms);
        terms.milestoneShares = packMilestones(5_000, 5_000);
        Family memory f = family(parentTerms, terms);
        claimTask(f.subtaskId, terms, agent);
        submitWork(f.subtaskId, terms, agent);
        uint256 milestone = uint256(SUBTASK_REWARD) / 2;
        uint256 refund = milestone - (milestone * 5_000) / BPS;

        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(f.parentId, f.subtaskId, address(market), refund);
        resolveTask(f.subtaskId, terms, 5_000);
        uint256 drawn = uint256(SUBTASK_REWARD) + SUBTASK_VERIFIER_FEE - refund;
        // The subtask is still open: its second milestone is to come.
        assertFunding(f.parentId, 0, drawn, 1);

        posterConsents(f.subtaskId, terms);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(f.parentId, f.subtaskId, address(market), milestone);
        vm.prank(agent);
        market.consentToCancel(f.subtaskId, terms);
        assertFunding(f.parentId, 0, drawn - milestone, 0);
    }

    /*//////////////////////////////////////////////////////////////
                     SUBTASK WITH AN ASSIGNER AND A PRICE
    //////////////////////////////////////////////////////////////*/

    function test_WhenSubtaskAssignedAtALoweredPrice_TheDifferenceReturnsToTheParentAtOnce_InEth() external {
        assignSubtaskAtALoweredPrice(address(0));
    }

    function test_WhenSubtaskAssignedAtALoweredPrice_TheDifferenceReturnsToTheParentAtOnce_InToken() external {
        assignSubtaskAtALoweredPrice(address(token));
    }

    function assignSubtaskAtALoweredPrice(address rewardToken) private {
        TaskTerms memory parentTerms = defaultTerms(rewardToken);
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms, assignerOptions());
        uint256 price = 0.15 ether;
        uint256 released = SUBTASK_REWARD - price;
        uint256 humanBefore = balanceOf(rewardToken, human);

        vm.expectEmit(address(market));
        emit ITaskMarket.RewardLowered(subtaskId, human, price, released);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskClaimed(subtaskId, agent, uint40(block.timestamp) + EXECUTION_WINDOW, SUBTASK_BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(parentId, subtaskId, address(market), released);
        assignTask(subtaskId, terms, agent, price);

        assertEq(balanceOf(rewardToken, human), humanBefore, "the difference does not go to the coordinator");
        assertFunding(subtaskId, released, 0, 0);
        // Still open: only the price left the parent.
        assertFunding(parentId, 0, price, 1);

        submitWork(subtaskId, terms, agent);
        approveTask(subtaskId, terms);
        assertFunding(parentId, 0, price, 0);
        settleParentInFull(Family(parentId, parentTerms, subtaskId, terms), price);
    }

    function test_WhenSubtaskAssignedAtALoweredPriceAfterTheParentEnded_TheDifferenceGoesToTheParentsPoster() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms, assignerOptions());
        consentToCancel(parentId, parentTerms, human);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(parentId, subtaskId, poster, 0.05 ether);
        assignTask(subtaskId, terms, agent, 0.15 ether);

        assertEq(poster.balance, posterBefore + 0.05 ether, "to the parent's poster");
        assertFunding(parentId, 0, SUBTASK_REWARD, 1);
    }

    /*//////////////////////////////////////////////////////////////
                         THE PARENT ENDS FIRST
    //////////////////////////////////////////////////////////////*/

    function test_WhenTheParentExpiredFirst_TheSubtasksRefundGoesToTheParentsPoster_InEth() external {
        expireParentBeforeItsSubtask(address(0));
    }

    function test_WhenTheParentExpiredFirst_TheSubtasksRefundGoesToTheParentsPoster_InToken() external {
        expireParentBeforeItsSubtask(address(token));
    }

    function expireParentBeforeItsSubtask(address rewardToken) private {
        TaskTerms memory parentTerms = defaultTerms(rewardToken);
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.claimDeadline = parentTerms.claimDeadline + 3 days;
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms);

        // The parent's claim lapses, and its claim deadline passes: the parent is refunded what it still holds.
        warpPastClaimDeadline(parentTerms);
        uint256 posterBefore = balanceOf(rewardToken, poster);
        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(parentId, human, false, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskExpired(parentId, poster, REWARD - SUBTASK_REWARD, BOND);
        vm.prank(stranger);
        market.refundExpired(parentId, parentTerms);
        assertEq(
            balanceOf(rewardToken, poster),
            posterBefore + REWARD - SUBTASK_REWARD + BOND,
            "net of what the subtask holds"
        );
        assertFunding(parentId, 0, SUBTASK_REWARD, 1);

        // The subtask, still open, is cancelled later: its funds go to the parent's poster, not to the ended escrow.
        uint256 humanBefore = balanceOf(rewardToken, human);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(subtaskId, human, SUBTASK_REWARD, 0);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(parentId, subtaskId, poster, SUBTASK_REWARD);
        vm.prank(human);
        market.cancel(subtaskId, terms);

        assertEq(balanceOf(rewardToken, poster), posterBefore + REWARD + BOND, "the poster has the whole reward back");
        assertEq(balanceOf(rewardToken, human), humanBefore, "the coordinator gets nothing");
        assertFunding(parentId, 0, SUBTASK_REWARD, 0);
        assertEq(balanceOfMarket(rewardToken), 0, "market empty");
    }

    function test_WhenALoweredParentExpiresWithAnOpenSubtask_ItShouldRefundThePriceNetOfDrawn() external {
        TaskTerms memory parentTerms = tokenTerms();
        TaskOptions memory options = assignerOptions();
        options.subtaskBudget = SUBTASK_BUDGET;
        uint256 parentId = createTaskWithOptions(parentTerms, options);
        uint256 price = 0.8 ether;
        uint256 posterBefore = token.balanceOf(poster);
        assignTask(parentId, parentTerms, human, price);
        assertEq(token.balanceOf(poster), posterBefore + REWARD - price, "released at the assignment");
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.claimDeadline = parentTerms.claimDeadline + 1 days;
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms);
        assertFunding(parentId, REWARD - price, SUBTASK_REWARD, 1);

        warpPastClaimDeadline(parentTerms);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskExpired(parentId, poster, price - SUBTASK_REWARD, BOND);
        vm.prank(stranger);
        market.refundExpired(parentId, parentTerms);
        // The bond was the assigner's, and it is forfeited to the poster like any lapsed bond.
        assertEq(
            token.balanceOf(poster),
            posterBefore + REWARD - SUBTASK_REWARD + BOND,
            "everything but the open subtask's funds"
        );

        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(parentId, subtaskId, poster, SUBTASK_REWARD);
        vm.prank(human);
        market.cancel(subtaskId, terms);
        assertEq(token.balanceOf(poster), posterBefore + REWARD + BOND, "the whole reward back");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
    }

    function test_WhenTheParentWasCancelledAfterALapse_ASubtaskSplitRefundsTheParentsPoster() external {
        TaskTerms memory parentTerms = tokenTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = delegatedSubtaskTerms(parentTerms);
        terms.executionWindow = 10 days;
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms);
        claimTask(subtaskId, terms, agent);
        uint256 funding = uint256(SUBTASK_REWARD) + SUBTASK_VERIFIER_FEE;

        warpPastExecutionDeadline(parentId);
        uint256 posterBefore = token.balanceOf(poster);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(parentId, poster, REWARD - funding, 0);
        vm.prank(poster);
        market.cancel(parentId, parentTerms);
        assertEq(token.balanceOf(poster), posterBefore + REWARD - funding + BOND, "rest and forfeited bond");

        submitWork(subtaskId, terms, agent);
        uint256 refund = SUBTASK_REWARD - (uint256(SUBTASK_REWARD) * 2_500) / BPS;
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(parentId, subtaskId, poster, refund);
        resolveTask(subtaskId, terms, 2_500);
        assertEq(token.balanceOf(poster), posterBefore + REWARD - funding + BOND + refund, "the split's rest");
        assertFunding(parentId, 0, funding, 0);
        assertEq(
            token.balanceOf(address(market)),
            feeOf((uint256(SUBTASK_REWARD) * 2_500) / BPS, FEE_BPS),
            "only the fee is left"
        );
    }

    function test_WhenTheParentIsCancelledByConsent_ItsOpenSubtasksGoOn_InEth() external {
        cancelParentByConsentWithAnOpenSubtask(address(0));
    }

    function test_WhenTheParentIsCancelledByConsent_ItsOpenSubtasksGoOn_InToken() external {
        cancelParentByConsentWithAnOpenSubtask(address(token));
    }

    function cancelParentByConsentWithAnOpenSubtask(address rewardToken) private {
        Family memory f = claimedFamily(rewardToken);
        uint256 posterBefore = balanceOf(rewardToken, poster);
        uint256 humanBefore = balanceOf(rewardToken, human);

        vm.prank(poster);
        market.consentToCancel(f.parentId, f.parentTerms);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(f.parentId, poster, REWARD - SUBTASK_REWARD, BOND);
        vm.prank(human);
        market.consentToCancel(f.parentId, f.parentTerms);

        assertEq(balanceOf(rewardToken, poster), posterBefore + REWARD - SUBTASK_REWARD, "net of the open subtask");
        assertEq(balanceOf(rewardToken, human), humanBefore + BOND, "the parent's bond back");
        assertFunding(f.parentId, 0, SUBTASK_REWARD, 1);

        // The coordinator still reviews the subtask, and its executor is paid.
        submitWork(f.subtaskId, f.terms, agent);
        uint256 agentBefore = balanceOf(rewardToken, agent);
        approveTask(f.subtaskId, f.terms);
        uint256 fee = feeOf(SUBTASK_REWARD, FEE_BPS);
        assertEq(balanceOf(rewardToken, agent), agentBefore + SUBTASK_REWARD - fee + SUBTASK_BOND, "subtask paid");
        assertFunding(f.parentId, 0, SUBTASK_REWARD, 0);
        assertEq(balanceOfMarket(rewardToken), fee, "only the fee is left");
    }

    function test_WhenTheParentIsCancelledByConsent_ALaterSubtaskRefundGoesToThePoster() external {
        Family memory f = claimedFamily(address(token));
        consentToCancel(f.parentId, f.parentTerms, human);
        uint256 posterBefore = token.balanceOf(poster);
        posterConsents(f.subtaskId, f.terms);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(f.parentId, f.subtaskId, poster, SUBTASK_REWARD);
        vm.prank(agent);
        market.consentToCancel(f.subtaskId, f.terms);
        assertEq(token.balanceOf(poster), posterBefore + SUBTASK_REWARD, "the poster");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
    }

    /*//////////////////////////////////////////////////////////////
                    THE PARENT CHANGES HANDS MID-WAY
    //////////////////////////////////////////////////////////////*/

    function test_WhenTheParentIsReclaimed_TheOldSubtaskBlocksUntilItEnds() external {
        TaskTerms memory parentTerms = ethTerms();
        Family memory f = family(parentTerms, subtaskTerms(parentTerms));
        warpPastExecutionDeadline(f.parentId);
        claimTask(f.parentId, parentTerms, agent);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_SubtasksOpen.selector, f.parentId, 1));
        submitWork(f.parentId, parentTerms, agent);

        // The old coordinator is still the subtask's poster; cancelling returns the funds to the parent's escrow.
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(f.parentId, f.subtaskId, address(market), SUBTASK_REWARD);
        vm.prank(human);
        market.cancel(f.subtaskId, f.terms);

        submitWork(f.parentId, parentTerms, agent);
        uint256 agentBefore = agent.balance;
        approveTask(f.parentId, parentTerms);
        assertEq(agent.balance, agentBefore + payoutOf(REWARD, FEE_BPS) + BOND, "the new executor gets it all");
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "only the fee is left");
    }

    /*//////////////////////////////////////////////////////////////
                          PARENT SETTLEMENT SPLITS
    //////////////////////////////////////////////////////////////*/

    function test_WhenTheParentIsResolvedWithAShare_ThePosterGetsTheRestNetOfDrawn() external {
        TaskTerms memory parentTerms = delegatedTerms(address(0));
        Family memory f = family(parentTerms, subtaskTerms(parentTerms));
        claimTask(f.subtaskId, f.terms, agent);
        submitWork(f.subtaskId, f.terms, agent);
        approveTask(f.subtaskId, f.terms);
        submitWork(f.parentId, parentTerms, human);
        uint256 amount = REWARD - SUBTASK_REWARD;
        uint256 gross = amount / 2;
        uint256 fee = feeOf(gross, FEE_BPS);
        uint256 posterBefore = poster.balance;
        uint256 humanBefore = human.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(f.parentId, human, address(0), gross - fee, fee, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SettlementRefunded(f.parentId, poster, amount - gross);
        vm.expectEmit(address(market));
        emit ITaskMarket.VerifierPaid(f.parentId, reviewer, VERIFIER_FEE);
        resolveTask(f.parentId, parentTerms, 5_000);

        assertEq(poster.balance, posterBefore + amount - gross, "the poster's share of what is left");
        assertEq(human.balance, humanBefore + gross - fee + BOND, "the executor's share");
        assertEq(address(market).balance, fee + feeOf(SUBTASK_REWARD, FEE_BPS), "only fees are left");
    }

    function test_WhenTheParentIsReleasedAfterReview_TheUnspentVerifierFeeReturnsToThePoster() external {
        TaskTerms memory parentTerms = delegatedTerms(address(token));
        Family memory f = family(parentTerms, subtaskTerms(parentTerms));
        vm.prank(human);
        market.cancel(f.subtaskId, f.terms);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.reward = SUBTASK_BUDGET;
        uint256 subtaskId = createSubtask(f.parentId, parentTerms, terms);
        claimTask(subtaskId, terms, agent);
        submitWork(subtaskId, terms, agent);
        approveTask(subtaskId, terms);

        submitWork(f.parentId, parentTerms, human);
        warpPastReviewDeadline(f.parentId);
        uint256 posterBefore = token.balanceOf(poster);
        uint256 amount = REWARD - SUBTASK_BUDGET;
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(
            f.parentId,
            human,
            address(token),
            amount - feeOf(amount, FEE_BPS),
            feeOf(amount, FEE_BPS),
            BOND
        );
        vm.expectEmit(address(market));
        emit ITaskMarket.SettlementRefunded(f.parentId, poster, VERIFIER_FEE);
        vm.prank(stranger);
        market.release(f.parentId, parentTerms);
        assertEq(token.balanceOf(poster), posterBefore + VERIFIER_FEE, "the verifier fee back");
    }

    function test_WhenTheParentIsSubmittedVerifiedAfterItsSubtasks_ItShouldSettle() external {
        TaskTerms memory parentTerms = delegatedTerms(address(0));
        Family memory f = family(parentTerms, subtaskTerms(parentTerms));
        vm.prank(human);
        market.cancel(f.subtaskId, f.terms);
        submitVerifiedTask(f.parentId, parentTerms);
        assertStatus(f.parentId, TaskStatus.Settled);
    }

    /*//////////////////////////////////////////////////////////////
                            NESTED SUBTASKS
    //////////////////////////////////////////////////////////////*/

    uint128 internal constant MIDDLE_REWARD = 0.4 ether;
    uint96 internal constant MIDDLE_BUDGET = 0.3 ether;
    uint128 internal constant LEAF_REWARD = 0.25 ether;

    /// @dev A parent (`poster` → `human`), a middle subtask with a budget (`human` → `agent`) and a leaf subtask of
    /// it (`agent` → `worker`), all claimed.
    struct Nest {
        uint256 parentId;
        TaskTerms parentTerms;
        uint256 middleId;
        TaskTerms middleTerms;
        uint256 leafId;
        TaskTerms leafTerms;
    }

    function nest(address rewardToken) private returns (Nest memory n) {
        n.parentTerms = defaultTerms(rewardToken);
        n.parentId = parentTask(n.parentTerms, SUBTASK_BUDGET);
        n.middleTerms = subtaskTerms(n.parentTerms);
        n.middleTerms.reward = MIDDLE_REWARD;
        n.middleId = createSubtask(n.parentId, n.parentTerms, n.middleTerms, budgetOptions(MIDDLE_BUDGET));
        claimTask(n.middleId, n.middleTerms, agent);
        n.leafTerms = subtaskTerms(n.parentTerms);
        n.leafTerms.poster = agent;
        n.leafTerms.reward = LEAF_REWARD;
        n.leafTerms.documentHash = keccak256("leaf document");
        n.leafId = createSubtask(n.middleId, n.middleTerms, n.leafTerms);
        claimTask(n.leafId, n.leafTerms, worker);
    }

    function test_WhenNested_EachLevelPaysWhatIsLeftAfterItsSubtasks_InEth() external {
        settleNestedSubtasks(address(0));
    }

    function test_WhenNested_EachLevelPaysWhatIsLeftAfterItsSubtasks_InToken() external {
        settleNestedSubtasks(address(token));
    }

    function settleNestedSubtasks(address rewardToken) private {
        Nest memory n = nest(rewardToken);
        assertFunding(n.parentId, 0, MIDDLE_REWARD, 1);
        assertFunding(n.middleId, 0, LEAF_REWARD, 1);
        assertLink(n.middleId, n.parentId, poster);
        assertLink(n.leafId, n.middleId, human);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_SubtasksOpen.selector, n.middleId, 1));
        submitWork(n.middleId, n.middleTerms, agent);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_SubtasksOpen.selector, n.parentId, 1));
        submitWork(n.parentId, n.parentTerms, human);

        uint256 workerBefore = balanceOf(rewardToken, worker);
        submitWork(n.leafId, n.leafTerms, worker);
        approveTask(n.leafId, n.leafTerms);
        uint256 leafFee = feeOf(LEAF_REWARD, FEE_BPS);
        assertEq(
            balanceOf(rewardToken, worker),
            workerBefore + LEAF_REWARD - leafFee + SUBTASK_BOND,
            "leaf paid, bond back"
        );
        assertFunding(n.middleId, 0, LEAF_REWARD, 0);

        uint256 agentBefore = balanceOf(rewardToken, agent);
        submitWork(n.middleId, n.middleTerms, agent);
        uint256 middleAmount = MIDDLE_REWARD - LEAF_REWARD;
        uint256 middleFee = feeOf(middleAmount, FEE_BPS);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(n.middleId, agent, rewardToken, middleAmount - middleFee, middleFee, SUBTASK_BOND);
        approveTask(n.middleId, n.middleTerms);
        assertEq(
            balanceOf(rewardToken, agent),
            agentBefore + middleAmount - middleFee + SUBTASK_BOND,
            "middle paid the rest, bond back"
        );
        assertFunding(n.parentId, 0, MIDDLE_REWARD, 0);

        Family memory f = Family(n.parentId, n.parentTerms, n.middleId, n.middleTerms);
        settleParentInFull(f, MIDDLE_REWARD);
        uint256 fees = leafFee + middleFee + feeOf(REWARD - MIDDLE_REWARD, FEE_BPS);
        assertEq(balanceOfMarket(rewardToken), fees, "only the three fees are left");
    }

    function test_WhenNestedLeafCancelled_ItsFundsReturnToTheMiddleOnly() external {
        Nest memory n = nest(address(0));
        consentToCancel(n.leafId, n.leafTerms, worker);
        assertFunding(n.middleId, 0, 0, 0);
        assertFunding(n.parentId, 0, MIDDLE_REWARD, 1);
        assertEq(market.unpaidRewardOf(n.middleId, n.middleTerms), MIDDLE_REWARD, "the middle owns its reward again");
    }

    function test_WhenNestedMiddleEndsFirst_TheLeafsRefundGoesOnToTheParentsEscrow() external {
        // The leaf's parent is the middle subtask. Once the middle has ended, what the leaf returns follows the way the
        // middle's own refund went — to the parent's escrow — and never stops with the middle's poster, who is the
        // parent's executor.
        Nest memory n = nest(address(0));
        posterConsents(n.middleId, n.middleTerms);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(n.parentId, n.middleId, address(market), MIDDLE_REWARD - LEAF_REWARD);
        vm.prank(agent);
        market.consentToCancel(n.middleId, n.middleTerms);
        assertFunding(n.parentId, 0, LEAF_REWARD, 0);
        assertFunding(n.middleId, 0, LEAF_REWARD, 1);

        uint256 humanBefore = human.balance;
        uint256 posterBefore = poster.balance;
        posterConsents(n.leafId, n.leafTerms);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(n.parentId, n.middleId, address(market), LEAF_REWARD);
        vm.prank(worker);
        market.consentToCancel(n.leafId, n.leafTerms);
        assertEq(human.balance, humanBefore, "not the middle's poster");
        assertEq(poster.balance, posterBefore, "not the top poster while the parent is open");
        assertFunding(n.middleId, 0, LEAF_REWARD, 0);
        assertFunding(n.parentId, 0, 0, 0);
        // The parent's escrow has its whole reward back.
        assertEq(market.unpaidRewardOf(n.parentId, n.parentTerms), REWARD, "parent escrow");
    }

    function test_WhenNestedMiddleAndParentEnded_TheLeafsRefundGoesToTheTopPoster() external {
        Nest memory n = nest(address(0));
        posterConsents(n.middleId, n.middleTerms);
        vm.prank(agent);
        market.consentToCancel(n.middleId, n.middleTerms);
        posterConsents(n.parentId, n.parentTerms);
        vm.prank(human);
        market.consentToCancel(n.parentId, n.parentTerms);

        uint256 humanBefore = human.balance;
        uint256 posterBefore = poster.balance;
        posterConsents(n.leafId, n.leafTerms);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(n.parentId, n.middleId, poster, LEAF_REWARD);
        vm.prank(worker);
        market.consentToCancel(n.leafId, n.leafTerms);
        assertEq(human.balance, humanBefore, "not the middle's poster");
        assertEq(poster.balance, posterBefore + LEAF_REWARD, "the top poster");
    }

    /// The parent waits only for its direct subtasks: with the middle cancelled it can settle while the leaf is still
    /// open. What the leaf returns later then goes to the top poster, since no escrow is left to take it.
    function test_WhenNestedParentSettledFirst_TheLeafsRefundGoesToTheTopPoster() external {
        Nest memory n = nest(address(0));
        posterConsents(n.middleId, n.middleTerms);
        vm.prank(agent);
        market.consentToCancel(n.middleId, n.middleTerms);
        submitWork(n.parentId, n.parentTerms, human);
        vm.prank(poster);
        market.approve(n.parentId, n.parentTerms);
        assertEq(uint8(market.statusOf(n.parentId)), uint8(TaskStatus.Settled));

        uint256 posterBefore = poster.balance;
        uint256 marketBefore = address(market).balance;
        posterConsents(n.leafId, n.leafTerms);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskFundsReturned(n.parentId, n.middleId, poster, LEAF_REWARD);
        vm.prank(worker);
        market.consentToCancel(n.leafId, n.leafTerms);
        assertEq(poster.balance, posterBefore + LEAF_REWARD, "the top poster");
        assertEq(address(market).balance, marketBefore - LEAF_REWARD - n.leafTerms.claimBond, "nothing left behind");
    }

    function test_WhenNested_LinksRecordTheirDepth() external {
        Nest memory n = nest(address(0));
        assertEq(market.MAX_SUBTASK_DEPTH(), 4);
        assertEq(market.parentOf(n.leafId).depth, 2);
        assertEq(market.parentOf(n.middleId).depth, 1);
    }

    function test_WhenNestedBudgetExceeded_ItShouldRevertAtTheMiddle() external {
        Nest memory n = nest(address(0));
        TaskTerms memory terms = n.leafTerms;
        terms.reward = uint128(MIDDLE_BUDGET - LEAF_REWARD) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMarket.TaskMarket_SubtaskBudgetExceeded.selector,
                n.middleId,
                uint256(terms.reward),
                MIDDLE_BUDGET - LEAF_REWARD
            )
        );
        createSubtask(n.middleId, n.middleTerms, terms);
    }

    /*//////////////////////////////////////////////////////////////
                                 FUZZ
    //////////////////////////////////////////////////////////////*/

    /// @dev Whatever share the subtask's verifier gives, every wei of the parent's escrow ends with someone: the
    /// parties' gains add up to what the poster paid, less the fees the market keeps.
    function testFuzz_SubtaskShareThenParentSettled(uint16 share, uint128 subtaskReward) external {
        share = uint16(bound(share, 0, BPS));
        subtaskReward = uint128(bound(subtaskReward, 1, SUBTASK_BUDGET - SUBTASK_VERIFIER_FEE));
        TaskTerms memory parentTerms = ethTerms();
        TaskTerms memory terms = delegatedSubtaskTerms(parentTerms);
        terms.reward = subtaskReward;
        Family memory f = family(parentTerms, terms);
        claimTask(f.subtaskId, terms, agent);
        submitWork(f.subtaskId, terms, agent);
        uint256 totalBefore = poster.balance + human.balance + agent.balance + reviewer.balance;
        resolveTask(f.subtaskId, terms, share);
        uint256 gross = (uint256(subtaskReward) * share) / BPS;
        assertFunding(f.parentId, 0, uint256(subtaskReward) + SUBTASK_VERIFIER_FEE - (subtaskReward - gross), 0);
        submitWork(f.parentId, parentTerms, human);
        approveTask(f.parentId, parentTerms);
        uint256 totalAfter = poster.balance + human.balance + agent.balance + reviewer.balance;
        uint256 fees = market.accruedFeesOf(address(0));
        assertEq(totalAfter - totalBefore + fees, REWARD + BOND + SUBTASK_BOND, "every wei accounted for");
        assertEq(address(market).balance, fees, "only the fees are left");
    }
}
