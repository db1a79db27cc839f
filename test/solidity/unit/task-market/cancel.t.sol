// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorRecord, PosterRecord, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";
import { ContractAccount } from "../../utils/TestAccounts.sol";

contract Cancel_Unit_Test is Base_Test {
    function cancelAs(address caller, uint256 taskId, TaskTerms memory terms) private {
        vm.prank(caller);
        market.cancel(taskId, terms);
    }

    function test_RevertGiven_TaskNotFound() external {
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 1));
        cancelAs(poster, 1, terms);
    }

    function test_RevertWhen_TermsMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        terms.documentHash = bytes32(0);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        cancelAs(poster, taskId, terms);
    }

    function test_RevertGiven_TaskClaimed() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Claimed));
        cancelAs(poster, taskId, terms);
    }

    function test_RevertGiven_ClaimDeadlinePassed() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        warpPastClaimDeadline(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Expired));
        cancelAs(poster, taskId, terms);
    }

    function test_RevertGiven_AlreadyCancelled() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        cancelAs(poster, taskId, terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Cancelled));
        cancelAs(poster, taskId, terms);
    }

    function test_RevertWhen_CallerNotPoster() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotPoster.selector, taskId, stranger));
        cancelAs(stranger, taskId, terms);
    }

    function test_RevertWhen_CallerIsDelegatedVerifier() external {
        TaskTerms memory terms = ethTerms();
        terms.verifier = reviewer;
        uint256 taskId = createTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotPoster.selector, taskId, reviewer));
        cancelAs(reviewer, taskId, terms);
    }

    function test_GivenPosted_ItShouldCancelAndRefundInFull() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, REWARD, 0);
        cancelAs(poster, taskId, terms);

        assertStatus(taskId, TaskStatus.Cancelled);
        assertEq(poster.balance, posterBefore + REWARD, "poster refunded in full, no fee");
        assertEq(address(market).balance, 0, "market empty");
        assertEq(market.accruedFeesOf(address(0)), 0, "no fee");
        PosterRecord memory expected;
        expected.posted = 1;
        expected.cancelled = 1;
        assertEq(market.posterRecordOf(poster), expected);
    }

    function test_GivenTokenTask_ItShouldRefundInFull() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = createTask(terms);
        uint256 posterBefore = token.balanceOf(poster);
        cancelAs(poster, taskId, terms);
        assertEq(token.balanceOf(poster), posterBefore + REWARD, "poster refunded");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
    }

    function test_GivenClaimDeadlineNow_ItShouldCancel() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.warp(terms.claimDeadline);
        cancelAs(poster, taskId, terms);
        assertStatus(taskId, TaskStatus.Cancelled);
    }

    function test_GivenClaimLapsed_ItShouldCancelAndPayTheBondToThePoster() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = inProgressTask(terms);
        warpPastExecutionDeadline(taskId);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, false, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, REWARD, 0);
        cancelAs(poster, taskId, terms);

        assertStatus(taskId, TaskStatus.Cancelled);
        assertEq(poster.balance, posterBefore + REWARD + BOND, "poster receives reward and forfeited bond");
        assertEq(address(market).balance, 0, "market empty");
        ExecutorRecord memory expected;
        expected.expired = 1;
        assertEq(market.executorRecordOf(human), expected);
    }

    function test_GivenClaimLapsedAfterRejection_ItShouldReturnTheBondToTheExecutor() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = lateSubmittedTask(terms);
        warpPastExecutionDeadline(taskId); // reject after the execution deadline
        rejectTask(taskId, terms);
        uint256 posterBefore = token.balanceOf(poster);
        uint256 humanBefore = token.balanceOf(human);

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, true, 0);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, REWARD, BOND);
        cancelAs(poster, taskId, terms);

        assertStatus(taskId, TaskStatus.Cancelled);
        assertEq(token.balanceOf(poster), posterBefore + REWARD, "poster refunded, no bond");
        assertEq(token.balanceOf(human), humanBefore + BOND, "the rejected executor gets its bond back");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
        ExecutorRecord memory expected;
        expected.rejected = 1;
        assertEq(market.executorRecordOf(human), expected);
    }

    function test_WhenPaused_ItShouldCancel() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.prank(owner);
        market.pause();
        cancelAs(poster, taskId, terms);
        assertStatus(taskId, TaskStatus.Cancelled);
    }

    function test_WhenPosterRejectsEth_ItShouldCreditTheRefund() external {
        ContractAccount posterAccount = new ContractAccount();
        vm.deal(address(posterAccount), 10 ether);
        TaskTerms memory terms = ethTerms();
        terms.poster = address(posterAccount);
        bytes memory result = posterAccount.execute(
            address(market),
            REWARD,
            abi.encodeCall(market.createTask, (terms, noCapabilities(), DOCUMENT_URI))
        );
        uint256 taskId = abi.decode(result, (uint256));
        posterAccount.setAcceptsEth(false);

        vm.expectEmit(address(market));
        emit ITaskMarket.PaymentCredited(address(posterAccount), address(0), REWARD);
        posterAccount.execute(address(market), 0, abi.encodeCall(market.cancel, (taskId, terms)));

        assertStatus(taskId, TaskStatus.Cancelled);
        assertEq(market.creditOf(address(posterAccount), address(0)), REWARD, "credited");
        assertEq(address(market).balance, REWARD, "the market holds the credit");
    }
}
