// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorRecord, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

/// @notice A delegated verifier submitting a result on the executor's behalf and accepting it at once, and the result
/// hash the market records for delegated verifiers (`submissionOf`).
contract SubmitVerified_Unit_Test is Base_Test {
    bytes32 internal constant VERIFIED_HASH = keccak256("verified result");
    string internal constant VERIFIED_URI = "ipfs://verified-result";

    function submitVerifiedAs(address caller, uint256 taskId, TaskTerms memory terms) private {
        vm.prank(caller);
        market.submitVerified(taskId, terms, VERIFIED_HASH, VERIFIED_URI);
    }

    /*//////////////////////////////////////////////////////////////
                                REVERTS
    //////////////////////////////////////////////////////////////*/

    function test_RevertGiven_TaskNotFound() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 1));
        submitVerifiedAs(reviewer, 1, terms);
    }

    function test_RevertWhen_TermsMismatch() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = claimedTask(terms);
        terms.verifier = stranger;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        submitVerifiedAs(stranger, taskId, terms);
    }

    function test_RevertGiven_TaskUnclaimed() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = createTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        submitVerifiedAs(reviewer, taskId, terms);
    }

    function test_RevertGiven_TaskSubmitted() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Submitted));
        submitVerifiedAs(reviewer, taskId, terms);
    }

    function test_RevertGiven_TaskHeld() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = heldTask(terms, uint40(block.timestamp + 1 days), 5_000);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Disputed));
        submitVerifiedAs(reviewer, taskId, terms);
    }

    function test_RevertGiven_ClaimLapsed() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = claimedTask(terms);
        warpPastExecutionDeadline(taskId);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        submitVerifiedAs(reviewer, taskId, terms);
    }

    function test_RevertGiven_ClaimLapsedPastClaimDeadline() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = claimedTask(terms);
        warpPastClaimDeadline(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Expired));
        submitVerifiedAs(reviewer, taskId, terms);
    }

    function test_RevertGiven_TaskSettled() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = claimedTask(terms);
        submitVerifiedAs(reviewer, taskId, terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Settled));
        submitVerifiedAs(reviewer, taskId, terms);
    }

    function test_RevertGiven_PosterReviewedTask() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_NoDelegatedVerifier.selector, taskId));
        submitVerifiedAs(poster, taskId, terms);
    }

    function test_RevertGiven_PosterReviewedTask_AndCallerIsExecutor() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_NoDelegatedVerifier.selector, taskId));
        submitVerifiedAs(human, taskId, terms);
    }

    function test_RevertWhen_CallerIsPoster() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = claimedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, taskId, poster));
        submitVerifiedAs(poster, taskId, terms);
    }

    function test_RevertWhen_CallerIsExecutor() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = claimedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, taskId, human));
        submitVerifiedAs(human, taskId, terms);
    }

    function test_RevertWhen_CallerIsStranger() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = inProgressTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, taskId, stranger));
        submitVerifiedAs(stranger, taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                                SUCCESS
    //////////////////////////////////////////////////////////////*/

    function test_WhenClaimed_ItShouldSubmitAndSettle() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = claimedTask(terms);
        uint256 fee = feeOf(REWARD, FEE_BPS);
        uint256 humanBefore = human.balance;
        uint256 reviewerBefore = reviewer.balance;

        vm.recordLogs();
        vm.expectEmit(address(market));
        emit ITaskMarket.WorkSubmitted(taskId, human, VERIFIED_HASH, VERIFIED_URI, uint40(block.timestamp));
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), REWARD - fee, fee, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.VerifierPaid(taskId, reviewer, VERIFIER_FEE);
        submitVerifiedAs(reviewer, taskId, terms);

        assertEq(countMarketEvents(ITaskMarket.TaskVerified.selector), 0, "a decision emits no TaskVerified");
        assertStatus(taskId, TaskStatus.Settled);
        assertEq(market.submissionOf(taskId), VERIFIED_HASH, "submissionOf");
        assertEq(human.balance, humanBefore + REWARD - fee + BOND, "executor paid and bond returned");
        assertEq(reviewer.balance, reviewerBefore + VERIFIER_FEE, "verifier paid");
        assertEq(address(market).balance, fee, "only the fee is left");
        ExecutorRecord memory record;
        record.completed = 1;
        assertEq(market.executorRecordOf(human), record);
        assertEq(market.posterRecordOf(poster).settled, 1, "settled");
    }

    function test_WhenInProgressTokenTask_ItShouldSubmitAndSettle() external {
        TaskTerms memory terms = delegatedTerms(address(token));
        uint256 taskId = inProgressTask(terms);
        uint256 humanBefore = token.balanceOf(human);

        submitVerifiedAs(reviewer, taskId, terms);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(token.balanceOf(human), humanBefore + payoutOf(REWARD, FEE_BPS) + BOND, "executor paid");
        assertEq(token.balanceOf(address(market)), feeOf(REWARD, FEE_BPS), "only the fee is left");
    }

    function test_WhenAtTheExecutionDeadline_ItShouldSettle() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = claimedTask(terms);
        vm.warp(market.stateOf(taskId).executionDeadline);
        submitVerifiedAs(reviewer, taskId, terms);
        assertStatus(taskId, TaskStatus.Settled);
    }

    function test_WhenAfterAPaidRejection_ItShouldSettleWithoutPayingTheFeeAgain() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        rejectTask(taskId, terms);
        uint256 reviewerBefore = reviewer.balance;

        vm.recordLogs();
        submitVerifiedAs(reviewer, taskId, terms);

        assertEq(countMarketEvents(ITaskMarket.VerifierPaid.selector), 0, "paid at the rejection already");
        assertEq(reviewer.balance, reviewerBefore, "not paid twice");
        assertEq(market.submissionOf(taskId), VERIFIED_HASH, "the verified result replaces the rejected one");
        assertStatus(taskId, TaskStatus.Settled);
    }

    function test_WhenMilestones_ItShouldSettleOneMilestoneAtATime() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        terms.milestoneShares = packMilestones(2_500, 7_500);
        uint256 taskId = claimedTask(terms);
        uint256 amount = 0.25 ether;
        uint256 fee = feeOf(amount, FEE_BPS);

        vm.expectEmit(address(market));
        emit ITaskMarket.MilestoneSettled(taskId, human, 0, amount - fee, fee, 0);
        submitVerifiedAs(reviewer, taskId, terms);
        assertStatus(taskId, TaskStatus.InProgress);
        assertEq(market.stateOf(taskId).executionDeadline, block.timestamp + EXECUTION_WINDOW, "fresh window");

        amount = 0.75 ether;
        fee = feeOf(amount, FEE_BPS);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), amount - fee, fee, BOND);
        submitVerifiedAs(reviewer, taskId, terms);
        assertStatus(taskId, TaskStatus.Settled);
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "only fees are left");
    }

    /*//////////////////////////////////////////////////////////////
                              SUBMISSIONS
    //////////////////////////////////////////////////////////////*/

    function test_WhenDelegatedVerifier_SubmitRecordsTheResultHash() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = claimedTask(terms);
        assertEq(market.submissionOf(taskId), bytes32(0), "nothing before the submission");

        submitWork(taskId, terms, human);
        assertEq(market.submissionOf(taskId), RESULT_HASH, "recorded");

        rejectTask(taskId, terms);
        vm.prank(human);
        market.submit(taskId, terms, VERIFIED_HASH, RESULT_URI);
        assertEq(market.submissionOf(taskId), VERIFIED_HASH, "the resubmission replaces it");
    }

    function test_WhenPosterReviews_SubmitRecordsNothing() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        assertEq(market.submissionOf(taskId), bytes32(0), "not recorded without a delegated verifier");
    }
}
