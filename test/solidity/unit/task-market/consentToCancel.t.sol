// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import {
    ExecutorRecord,
    PosterRecord,
    TaskState,
    TaskStatus,
    TaskTerms
} from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";
import { ContractAccount } from "../../utils/TestAccounts.sol";

contract ConsentToCancel_Unit_Test is Base_Test {
    function consentAs(address caller, uint256 taskId, TaskTerms memory terms) private {
        vm.prank(caller);
        market.consentToCancel(taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                                REVERTS
    //////////////////////////////////////////////////////////////*/

    function test_RevertGiven_TaskNotFound() external {
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 1));
        consentAs(poster, 1, terms);
    }

    function test_RevertWhen_TermsMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        terms.claimBond = BOND * 10;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        consentAs(human, taskId, terms);
    }

    function test_RevertGiven_TaskPosted() external {
        // An unclaimed task is cancelled with `cancel`, alone.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        consentAs(poster, taskId, terms);
    }

    function test_RevertGiven_ClaimLapsed() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        warpPastExecutionDeadline(taskId);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        consentAs(human, taskId, terms);
    }

    function test_RevertGiven_ReviewWindowElapsed() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        consentAs(poster, taskId, terms);
    }

    function test_RevertGiven_TaskSettled() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = settledTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Settled));
        consentAs(poster, taskId, terms);
    }

    function test_RevertWhen_CallerIsStranger() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarket_CallerNotParty.selector, taskId, stranger));
        consentAs(stranger, taskId, terms);
    }

    function test_RevertWhen_CallerIsDelegatedVerifier() external {
        TaskTerms memory terms = ethTerms();
        terms.verifier = reviewer;
        uint256 taskId = claimedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarket_CallerNotParty.selector, taskId, reviewer));
        consentAs(reviewer, taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                              ONE CONSENT
    //////////////////////////////////////////////////////////////*/

    function test_WhenPosterConsentsFirst_ItShouldOnlyRecordIt() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        TaskState memory expected = market.stateOf(taskId);
        uint256 marketBefore = address(market).balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.CancellationConsented(taskId, poster);
        consentAs(poster, taskId, terms);

        assertStatus(taskId, TaskStatus.Claimed);
        expected.flags = FLAG_POSTER_CONSENTED_TO_CANCEL;
        assertEq(market.stateOf(taskId), expected);
        assertEq(address(market).balance, marketBefore, "no value moves");
    }

    function test_WhenExecutorConsentsFirst_ItShouldOnlyRecordIt() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = inProgressTask(terms);

        vm.expectEmit(address(market));
        emit ITaskMarket.CancellationConsented(taskId, human);
        consentAs(human, taskId, terms);

        assertStatus(taskId, TaskStatus.InProgress);
        assertEq(market.stateOf(taskId).flags, FLAG_EXECUTOR_CONSENTED_TO_CANCEL, "flags");
    }

    function test_WhenSamePartyConsentsTwice_ItShouldNotCancel() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        consentAs(poster, taskId, terms);
        consentAs(poster, taskId, terms);
        assertStatus(taskId, TaskStatus.Claimed);
        assertEq(market.stateOf(taskId).flags, FLAG_POSTER_CONSENTED_TO_CANCEL, "flags");
    }

    function test_GivenConsentFromALapsedClaim_ItShouldNotCarryOverToTheNextClaim() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        consentAs(poster, taskId, terms);
        warpPastExecutionDeadline(taskId);
        claimTask(taskId, terms, agent);

        // The poster agreed to cancel with `human`, not with `agent`.
        consentAs(agent, taskId, terms);

        assertStatus(taskId, TaskStatus.Claimed);
        assertEq(market.stateOf(taskId).flags, FLAG_EXECUTOR_CONSENTED_TO_CANCEL, "flags");
    }

    /*//////////////////////////////////////////////////////////////
                             BOTH CONSENTS
    //////////////////////////////////////////////////////////////*/

    function test_WhenBothConsentOnClaimedEthTask_ItShouldCancel() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        consentAs(poster, taskId, terms);
        uint256 posterBefore = poster.balance;
        uint256 humanBefore = human.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.CancellationConsented(taskId, human);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, REWARD, BOND);
        consentAs(human, taskId, terms);

        assertStatus(taskId, TaskStatus.Cancelled);
        assertEq(poster.balance, posterBefore + REWARD, "poster refunded");
        assertEq(human.balance, humanBefore + BOND, "bond returned");
        assertEq(address(market).balance, 0, "market empty");
        assertEq(
            market.stateOf(taskId).flags,
            FLAG_POSTER_CONSENTED_TO_CANCEL | FLAG_EXECUTOR_CONSENTED_TO_CANCEL,
            "flags"
        );
        PosterRecord memory posterRecord;
        posterRecord.posted = 1;
        posterRecord.cancelled = 1;
        assertEq(market.posterRecordOf(poster), posterRecord);
        ExecutorRecord memory executorRecord;
        assertEq(market.executorRecordOf(human), executorRecord);
    }

    function test_WhenBothConsentOnInProgressTokenTask_ItShouldCancel() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = inProgressTask(terms);
        uint256 posterBefore = token.balanceOf(poster);
        uint256 humanBefore = token.balanceOf(human);
        consentAs(human, taskId, terms);
        consentAs(poster, taskId, terms);
        assertStatus(taskId, TaskStatus.Cancelled);
        assertEq(token.balanceOf(poster), posterBefore + REWARD, "poster refunded");
        assertEq(token.balanceOf(human), humanBefore + BOND, "bond returned");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
    }

    function test_WhenBothConsentOnSubmittedTask_ItShouldCancel() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        consentAs(poster, taskId, terms);
        consentAs(human, taskId, terms);
        assertStatus(taskId, TaskStatus.Cancelled);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Cancelled));
        approveTask(taskId, terms);
    }

    function test_WhenConsentsSpanARejection_ItShouldCancel() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        consentAs(human, taskId, terms);
        rejectTask(taskId, terms);
        consentAs(poster, taskId, terms);
        assertStatus(taskId, TaskStatus.Cancelled);
    }

    function test_WhenBothConsentAndBondZero_ItShouldRefundOnlyTheReward() external {
        TaskTerms memory terms = ethTerms();
        terms.claimBond = 0;
        uint256 taskId = claimedTask(terms);
        uint256 humanBefore = human.balance;
        consentAs(poster, taskId, terms);
        consentAs(human, taskId, terms);
        assertEq(human.balance, humanBefore, "no bond");
        assertEq(address(market).balance, 0, "market empty");
    }

    function test_WhenPaused_ItShouldCancel() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.prank(owner);
        market.pause();
        consentAs(poster, taskId, terms);
        consentAs(human, taskId, terms);
        assertStatus(taskId, TaskStatus.Cancelled);
    }

    function test_WhenExecutorRejectsEth_ItShouldCreditTheBond() external {
        ContractAccount account = newContractExecutor("rejectingExecutor");
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        claimTaskAs(account, taskId, terms);
        account.setAcceptsEth(false);
        consentAs(poster, taskId, terms);

        vm.expectEmit(address(market));
        emit ITaskMarket.PaymentCredited(address(account), address(0), BOND);
        account.execute(address(market), 0, abi.encodeCall(market.consentToCancel, (taskId, terms)));

        assertStatus(taskId, TaskStatus.Cancelled);
        assertEq(market.creditOf(address(account), address(0)), BOND, "credited");
    }
}
