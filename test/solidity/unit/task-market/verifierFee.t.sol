// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IERC20Errors } from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { PermitSignature, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";
import { ContractAccount } from "../../utils/TestAccounts.sol";

/// @notice The verifier fee: escrowed on top of the reward, paid to the delegated verifier for its first decision
/// (and only its first, across rejections and lapsed claims), refunded to the poster when it is never earned.
contract VerifierFee_Unit_Test is Base_Test {
    function createAs(address caller, TaskTerms memory terms, uint256 value) private returns (uint256) {
        vm.prank(caller);
        return market.createTask{ value: value }(terms, noCapabilities(), DOCUMENT_URI);
    }

    function releaseAfterReviewWindow(uint256 taskId, TaskTerms memory terms) private {
        warpPastReviewDeadline(taskId);
        vm.prank(stranger);
        market.release(taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                                FUNDING
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_FeeWithoutVerifier() external {
        TaskTerms memory terms = ethTerms();
        terms.verifierFee = 1;
        vm.expectRevert(Errors.TaskMarket_VerifierFeeWithoutVerifier.selector);
        createAs(poster, terms, REWARD + 1);
    }

    function test_RevertWhen_FeeWithoutVerifier_TokenTask() external {
        TaskTerms memory terms = tokenTerms();
        terms.verifierFee = VERIFIER_FEE;
        vm.expectRevert(Errors.TaskMarket_VerifierFeeWithoutVerifier.selector);
        createAs(poster, terms, 0);
    }

    function test_RevertWhen_EthCoversOnlyTheReward() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, REWARD + VERIFIER_FEE, REWARD)
        );
        createAs(poster, terms, REWARD);
    }

    function test_RevertWhen_EthExceedsRewardAndFee() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 sent = REWARD + VERIFIER_FEE + 1;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, sent - 1, sent));
        createAs(poster, terms, sent);
    }

    function test_RevertWhen_AllowanceCoversOnlyTheReward() external {
        TaskTerms memory terms = delegatedTerms(address(token));
        vm.prank(poster);
        token.approve(address(market), REWARD);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector,
                address(market),
                REWARD,
                REWARD + VERIFIER_FEE
            )
        );
        createAs(poster, terms, 0);
    }

    function test_WhenEthTask_ItShouldEscrowRewardAndFee() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCreated(1, poster, address(0), terms, noCapabilities(), DOCUMENT_URI);
        uint256 taskId = createAs(poster, terms, REWARD + VERIFIER_FEE);

        assertStatus(taskId, TaskStatus.Posted);
        assertTrue(market.matchesTerms(taskId, terms), "matchesTerms");
        assertEq(address(market).balance, REWARD + VERIFIER_FEE, "market holds reward and fee");
        assertEq(poster.balance, posterBefore - REWARD - VERIFIER_FEE, "poster paid reward and fee");
    }

    function test_WhenTokenTask_ItShouldPullRewardAndFee() external {
        TaskTerms memory terms = delegatedTerms(address(token));
        uint256 posterBefore = token.balanceOf(poster);

        uint256 taskId = createAs(poster, terms, 0);

        assertStatus(taskId, TaskStatus.Posted);
        assertEq(token.balanceOf(address(market)), REWARD + VERIFIER_FEE, "market holds reward and fee");
        assertEq(token.balanceOf(poster), posterBefore - REWARD - VERIFIER_FEE, "poster paid reward and fee");
    }

    function test_WhenPermitTask_ItShouldPullRewardAndFee() external {
        (address signer, uint256 signerKey) = makeAddrAndKey("permitSigner");
        token.mint(signer, 10 ether);
        TaskTerms memory terms = delegatedTerms(address(token));
        terms.poster = signer;
        PermitSignature memory permit = signPermit(
            signerKey,
            token,
            address(market),
            REWARD + VERIFIER_FEE,
            block.timestamp + 1 hours
        );

        vm.prank(signer);
        uint256 taskId = market.createTaskWithPermit(terms, noCapabilities(), DOCUMENT_URI, permit);

        assertStatus(taskId, TaskStatus.Posted);
        assertEq(token.balanceOf(address(market)), REWARD + VERIFIER_FEE, "market holds reward and fee");
        assertEq(token.balanceOf(signer), 10 ether - REWARD - VERIFIER_FEE, "signer paid reward and fee");
        assertEq(token.allowance(signer, address(market)), 0, "the permit covered exactly the escrow");
    }

    function test_WhenPermitCoversOnlyTheReward_ItShouldRevert() external {
        (address signer, uint256 signerKey) = makeAddrAndKey("permitSigner");
        token.mint(signer, 10 ether);
        TaskTerms memory terms = delegatedTerms(address(token));
        terms.poster = signer;
        // Signed for the reward alone: the market asks for a permit of the whole escrow, so this one does not verify.
        PermitSignature memory permit = signPermit(signerKey, token, address(market), REWARD, block.timestamp + 1);

        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector,
                address(market),
                0,
                REWARD + VERIFIER_FEE
            )
        );
        vm.prank(signer);
        market.createTaskWithPermit(terms, noCapabilities(), DOCUMENT_URI, permit);
    }

    function test_WhenVerifierWithoutFee_ItShouldCreateAndNeverPayAFee() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        terms.verifierFee = 0;
        uint256 taskId = submittedTask(terms);
        uint256 reviewerBefore = reviewer.balance;

        vm.recordLogs();
        approveTask(taskId, terms);

        assertEq(countMarketEvents(ITaskMarket.VerifierPaid.selector), 0, "no VerifierPaid");
        assertEq(reviewer.balance, reviewerBefore, "reviewer unpaid");
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "only the protocol fee is left");
    }

    function test_WhenConfigHashWithoutVerifier_ItShouldCreate() external {
        // The configuration hash is for verification modules; the core only binds it into the commitment.
        TaskTerms memory terms = ethTerms();
        terms.verifierConfigHash = VERIFIER_CONFIG_HASH;
        uint256 taskId = createTask(terms);
        assertTrue(market.matchesTerms(taskId, terms), "matchesTerms");
        terms.verifierConfigHash = bytes32(0);
        assertFalse(market.matchesTerms(taskId, terms), "the hash is part of the terms");
    }

    /*//////////////////////////////////////////////////////////////
                       PAID FOR THE FIRST DECISION
    //////////////////////////////////////////////////////////////*/

    function test_WhenVerifierApproves_ItShouldBePaid() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint256 reviewerBefore = reviewer.balance;
        uint256 fee = feeOf(REWARD, FEE_BPS);

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), REWARD - fee, fee, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.VerifierPaid(taskId, reviewer, VERIFIER_FEE);
        approveTask(taskId, terms);

        assertEq(reviewer.balance, reviewerBefore + VERIFIER_FEE, "reviewer paid");
        assertEq(address(market).balance, fee, "only the protocol fee is left");
    }

    function test_WhenVerifierApprovesTokenTask_ItShouldBePaidInToken() external {
        TaskTerms memory terms = delegatedTerms(address(token));
        uint256 taskId = submittedTask(terms);
        uint256 reviewerBefore = token.balanceOf(reviewer);

        approveTask(taskId, terms);

        assertEq(token.balanceOf(reviewer), reviewerBefore + VERIFIER_FEE, "reviewer paid in token");
        assertEq(token.balanceOf(address(market)), feeOf(REWARD, FEE_BPS), "only the protocol fee is left");
    }

    function test_WhenVerifierRejects_ItShouldBePaidOnce_AcrossResubmissionAndApproval() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint256 reviewerBefore = reviewer.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionRejected(taskId, reviewer, REASON_HASH);
        vm.expectEmit(address(market));
        emit ITaskMarket.VerifierPaid(taskId, reviewer, VERIFIER_FEE);
        rejectTask(taskId, terms);
        assertEq(reviewer.balance, reviewerBefore + VERIFIER_FEE, "paid for the rejection");
        assertEq(market.stateOf(taskId).flags, FLAG_REJECTED | FLAG_VERIFIER_PAID, "flags after the rejection");

        submitWork(taskId, terms, human);
        rejectTask(taskId, terms);
        submitWork(taskId, terms, human);
        vm.recordLogs();
        approveTask(taskId, terms);

        assertEq(countMarketEvents(ITaskMarket.VerifierPaid.selector), 0, "no second VerifierPaid");
        assertEq(reviewer.balance, reviewerBefore + VERIFIER_FEE, "paid once");
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "only the protocol fee is left");
    }

    function test_WhenVerifierRejectsAfterExecutionDeadline_ItShouldStillBePaid() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = lateSubmittedTask(terms);
        vm.warp(block.timestamp + 1);
        uint256 reviewerBefore = reviewer.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.VerifierPaid(taskId, reviewer, VERIFIER_FEE);
        rejectTask(taskId, terms);

        assertEq(reviewer.balance, reviewerBefore + VERIFIER_FEE, "paid for a decision in its review window");
        assertEq(
            market.stateOf(taskId).flags,
            FLAG_REJECTED | FLAG_REJECTED_AFTER_DEADLINE | FLAG_VERIFIER_PAID,
            "flags"
        );
        assertStatus(taskId, TaskStatus.Posted);
    }

    function test_WhenClaimLapsesAfterAPaidRejection_TheNextClaimantsApprovalDoesNotPayAgain() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        rejectTask(taskId, terms);
        uint256 reviewerAfterFirstDecision = reviewer.balance;
        warpPastExecutionDeadline(taskId);

        claimTask(taskId, terms, agent);
        assertEq(market.stateOf(taskId).flags, FLAG_VERIFIER_PAID, "only the paid flag survives the claim");
        submitWork(taskId, terms, agent);
        vm.recordLogs();
        approveTask(taskId, terms);

        assertEq(countMarketEvents(ITaskMarket.VerifierPaid.selector), 0, "no second VerifierPaid");
        assertEq(reviewer.balance, reviewerAfterFirstDecision, "paid once per task");
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "only the protocol fee is left");
    }

    function test_WhenClaimLapsesWithoutDecision_TheNextClaimantsApprovalPaysTheFee() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = claimedTask(terms);
        warpPastExecutionDeadline(taskId);
        claimTask(taskId, terms, agent);
        submitWork(taskId, terms, agent);
        uint256 reviewerBefore = reviewer.balance;

        approveTask(taskId, terms);

        assertEq(reviewer.balance, reviewerBefore + VERIFIER_FEE, "reviewer paid");
    }

    function test_WhenVerifierHolds_ItShouldBePaid_AndNotAgainOnResolve() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint256 reviewerBefore = reviewer.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.VerifierPaid(taskId, reviewer, VERIFIER_FEE);
        holdTask(taskId, terms, uint40(block.timestamp + 1 days), 5_000);
        vm.recordLogs();
        resolveTask(taskId, terms, 8_000);

        assertEq(countMarketEvents(ITaskMarket.VerifierPaid.selector), 0, "no second VerifierPaid");
        assertEq(reviewer.balance, reviewerBefore + VERIFIER_FEE, "paid once");
    }

    function test_WhenVerifierResolves_ItShouldBePaid() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint256 reviewerBefore = reviewer.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.VerifierPaid(taskId, reviewer, VERIFIER_FEE);
        resolveTask(taskId, terms, 0);

        assertEq(reviewer.balance, reviewerBefore + VERIFIER_FEE, "paid even for a zero share");
    }

    function test_WhenVerifierSubmitsVerified_ItShouldBePaid() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = claimedTask(terms);
        uint256 reviewerBefore = reviewer.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.VerifierPaid(taskId, reviewer, VERIFIER_FEE);
        submitVerifiedTask(taskId, terms);

        assertEq(reviewer.balance, reviewerBefore + VERIFIER_FEE, "reviewer paid");
    }

    function test_WhenVerifierRefusesEth_TheFeeIsCredited() external {
        ContractAccount module = new ContractAccount();
        module.setAcceptsEth(false);
        TaskTerms memory terms = delegatedTerms(address(0));
        terms.verifier = address(module);
        uint256 taskId = submittedTask(terms);

        vm.expectEmit(address(market));
        emit ITaskMarket.PaymentCredited(address(module), address(0), VERIFIER_FEE);
        module.execute(address(market), 0, abi.encodeCall(market.reject, (taskId, terms, REASON_HASH)));

        assertEq(market.creditOf(address(module), address(0)), VERIFIER_FEE, "fee credited");
        module.execute(address(market), 0, abi.encodeCall(market.withdraw, (address(0), stranger)));
        assertEq(market.creditOf(address(module), address(0)), 0, "credit withdrawn");
    }

    /*//////////////////////////////////////////////////////////////
                          REFUNDED IF NOT EARNED
    //////////////////////////////////////////////////////////////*/

    function test_WhenReleasedInSilence_TheFeeReturnsToThePoster() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint256 posterBefore = poster.balance;
        uint256 reviewerBefore = reviewer.balance;
        uint256 fee = feeOf(REWARD, FEE_BPS);

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), REWARD - fee, fee, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SettlementRefunded(taskId, poster, VERIFIER_FEE);
        releaseAfterReviewWindow(taskId, terms);

        assertEq(poster.balance, posterBefore + VERIFIER_FEE, "fee refunded");
        assertEq(reviewer.balance, reviewerBefore, "reviewer unpaid");
        assertEq(address(market).balance, fee, "only the protocol fee is left");
    }

    function test_WhenReleasedAfterAPaidRejection_NothingIsRefunded() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        rejectTask(taskId, terms);
        submitWork(taskId, terms, human);
        uint256 posterBefore = poster.balance;

        vm.recordLogs();
        releaseAfterReviewWindow(taskId, terms);

        assertEq(countMarketEvents(ITaskMarket.SettlementRefunded.selector), 0, "no SettlementRefunded");
        assertEq(poster.balance, posterBefore, "poster gets nothing back");
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "only the protocol fee is left");
    }

    function test_WhenCancelled_TheFeeReturnsWithTheReward() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 posterBefore = poster.balance;
        uint256 taskId = createTask(terms);

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, REWARD + VERIFIER_FEE, 0);
        vm.prank(poster);
        market.cancel(taskId, terms);

        assertEq(poster.balance, posterBefore, "poster made whole");
        assertEq(address(market).balance, 0, "market empty");
    }

    function test_WhenCancelledTokenTask_TheFeeReturnsWithTheReward() external {
        TaskTerms memory terms = delegatedTerms(address(token));
        uint256 posterBefore = token.balanceOf(poster);
        uint256 taskId = createTask(terms);

        vm.prank(poster);
        market.cancel(taskId, terms);

        assertEq(token.balanceOf(poster), posterBefore, "poster made whole");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
    }

    function test_WhenCancelledAfterAPaidRejectionAndALapse_OnlyTheRewardReturns() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        rejectTask(taskId, terms);
        warpPastExecutionDeadline(taskId);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, true, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, REWARD, 0);
        vm.prank(poster);
        market.cancel(taskId, terms);

        assertEq(poster.balance, posterBefore + REWARD + BOND, "reward and forfeited bond, not the spent fee");
        assertEq(address(market).balance, 0, "market empty");
    }

    function test_WhenExpired_TheFeeReturnsWithTheReward() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 posterBefore = poster.balance;
        uint256 taskId = createTask(terms);
        warpPastClaimDeadline(terms);

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskExpired(taskId, poster, REWARD + VERIFIER_FEE, 0);
        vm.prank(stranger);
        market.refundExpired(taskId, terms);

        assertEq(poster.balance, posterBefore, "poster made whole");
        assertEq(address(market).balance, 0, "market empty");
    }

    function test_WhenExpiredAfterALapsedClaim_TheFeeReturnsWithRewardAndBond() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = claimedTask(terms);
        warpPastClaimDeadline(terms);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskExpired(taskId, poster, REWARD + VERIFIER_FEE, BOND);
        vm.prank(stranger);
        market.refundExpired(taskId, terms);

        assertEq(poster.balance, posterBefore + REWARD + VERIFIER_FEE + BOND, "reward, fee and bond");
        assertEq(address(market).balance, 0, "market empty");
    }

    function test_WhenExpiredAfterAPaidRejection_OnlyTheRewardAndBondReturn() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        rejectTask(taskId, terms);
        warpPastClaimDeadline(terms);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskExpired(taskId, poster, REWARD, BOND);
        vm.prank(stranger);
        market.refundExpired(taskId, terms);

        assertEq(poster.balance, posterBefore + REWARD + BOND, "reward and forfeited bond");
        assertEq(address(market).balance, 0, "market empty");
    }

    function test_WhenConsentCancelled_TheFeeReturnsWithTheReward() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = claimedTask(terms);
        uint256 posterBefore = poster.balance;
        uint256 humanBefore = human.balance;

        vm.prank(poster);
        market.consentToCancel(taskId, terms);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, REWARD + VERIFIER_FEE, BOND);
        vm.prank(human);
        market.consentToCancel(taskId, terms);

        assertEq(poster.balance, posterBefore + REWARD + VERIFIER_FEE, "reward and fee");
        assertEq(human.balance, humanBefore + BOND, "bond");
        assertEq(address(market).balance, 0, "market empty");
    }

    function test_WhenConsentCancelledAfterAHold_OnlyTheRewardReturns() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = heldTask(terms, uint40(block.timestamp + 1 days), 5_000);
        uint256 posterBefore = poster.balance;

        vm.prank(human);
        market.consentToCancel(taskId, terms);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, REWARD, BOND);
        vm.prank(poster);
        market.consentToCancel(taskId, terms);

        assertEq(poster.balance, posterBefore + REWARD, "the reward; the fee was earned by the hold");
        assertEq(address(market).balance, 0, "market empty");
    }
}
