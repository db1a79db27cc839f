// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorRecord, PosterRecord, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";
import { ContractAccount } from "../../utils/TestAccounts.sol";
import { BlocklistERC20 } from "../../utils/TestTokens.sol";

contract RefundExpired_Unit_Test is Base_Test {
    function refundAs(address caller, uint256 taskId, TaskTerms memory terms) private {
        vm.prank(caller);
        market.refundExpired(taskId, terms);
    }

    function test_RevertGiven_TaskNotFound() external {
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 1));
        refundAs(stranger, 1, terms);
    }

    function test_RevertWhen_TermsMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        warpPastClaimDeadline(terms);
        terms.poster = stranger;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        refundAs(stranger, taskId, terms);
    }

    function test_RevertGiven_ClaimDeadlineNow() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.warp(terms.claimDeadline);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        refundAs(stranger, taskId, terms);
    }

    function test_RevertGiven_ClaimHeldPastClaimDeadline() external {
        // A claim made before the claim deadline keeps its full execution window.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.warp(terms.claimDeadline - 1);
        claimTask(taskId, terms, human);
        warpPastClaimDeadline(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Claimed));
        refundAs(stranger, taskId, terms);
    }

    function test_RevertGiven_Submitted() external {
        // Silence never refunds a submitted task: past every deadline it reads as `Verified`.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.warp(uint256(terms.claimDeadline) + 365 days);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        refundAs(poster, taskId, terms);
    }

    function test_RevertGiven_AlreadyRefunded() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        warpPastClaimDeadline(terms);
        refundAs(stranger, taskId, terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Expired));
        refundAs(stranger, taskId, terms);
    }

    function test_RevertGiven_Cancelled() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.prank(poster);
        market.cancel(taskId, terms);
        warpPastClaimDeadline(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Cancelled));
        refundAs(stranger, taskId, terms);
    }

    function test_GivenUnclaimedPastClaimDeadline_ItShouldRefundThePoster() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        warpPastClaimDeadline(terms);
        assertStatus(taskId, TaskStatus.Expired);
        assertStoredStatus(taskId, TaskStatus.Posted);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskExpired(taskId, poster, REWARD, 0);
        refundAs(stranger, taskId, terms);

        assertStatus(taskId, TaskStatus.Expired);
        assertStoredStatus(taskId, TaskStatus.Expired);
        assertEq(poster.balance, posterBefore + REWARD, "poster refunded");
        assertEq(address(market).balance, 0, "market empty");
        PosterRecord memory expected;
        expected.posted = 1;
        expected.expired = 1;
        assertEq(market.posterRecordOf(poster), expected);
    }

    function test_GivenUnclaimedTokenTask_ItShouldRefundThePoster() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = createTask(terms);
        warpPastClaimDeadline(terms);
        uint256 posterBefore = token.balanceOf(poster);
        refundAs(poster, taskId, terms);
        assertEq(token.balanceOf(poster), posterBefore + REWARD, "poster refunded");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
    }

    function test_GivenClaimLapsedPastClaimDeadline_ItShouldRefundRewardAndBond() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.warp(terms.claimDeadline - 1 hours);
        claimTask(taskId, terms, human);
        warpPastExecutionDeadline(taskId);
        assertStatus(taskId, TaskStatus.Expired);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, false, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskExpired(taskId, poster, REWARD, BOND);
        refundAs(stranger, taskId, terms);

        assertEq(poster.balance, posterBefore + REWARD + BOND, "poster receives reward and bond");
        assertEq(address(market).balance, 0, "market empty");
        ExecutorRecord memory expected;
        expected.expired = 1;
        assertEq(market.executorRecordOf(human), expected);
        assertEq(market.posterRecordOf(poster).expired, 1, "poster expired");
    }

    function test_GivenClaimLapsedAfterRejection_ItShouldReturnTheBondAndCountARejection() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = createTask(terms);
        vm.warp(terms.claimDeadline - 1 hours);
        claimTask(taskId, terms, human);
        vm.warp(market.stateOf(taskId).executionDeadline); // submit at the last moment
        submitWork(taskId, terms, human);
        warpPastExecutionDeadline(taskId); // reject after the execution deadline
        rejectTask(taskId, terms);
        uint256 posterBefore = token.balanceOf(poster);
        uint256 humanBefore = token.balanceOf(human);

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, true, 0);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskExpired(taskId, poster, REWARD, 0);
        refundAs(stranger, taskId, terms);

        assertEq(token.balanceOf(poster), posterBefore + REWARD, "poster receives the reward only");
        assertEq(token.balanceOf(human), humanBefore + BOND, "the rejected executor gets its bond back");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
        ExecutorRecord memory expected;
        expected.rejected = 1;
        assertEq(market.executorRecordOf(human), expected);
    }

    function test_GivenClaimLapsedAfterRejection_AndExecutorRejectsEth_ItShouldCreditTheBond() external {
        ContractAccount account = newContractExecutor("rejectingExecutor");
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.warp(terms.claimDeadline - 1 hours);
        claimTaskAs(account, taskId, terms);
        vm.warp(market.stateOf(taskId).executionDeadline); // submit at the last moment
        submitWorkAs(account, taskId, terms);
        warpPastExecutionDeadline(taskId); // reject after the execution deadline
        rejectTask(taskId, terms);
        account.setAcceptsEth(false);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.PaymentCredited(address(account), address(0), BOND);
        refundAs(stranger, taskId, terms);

        assertStoredStatus(taskId, TaskStatus.Expired);
        assertEq(poster.balance, posterBefore + REWARD, "the poster is refunded regardless");
        assertEq(market.creditOf(address(account), address(0)), BOND, "the bond is credited");
    }

    function test_WhenPaused_ItShouldRefund() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.prank(owner);
        market.pause();
        warpPastClaimDeadline(terms);
        refundAs(stranger, taskId, terms);
        assertStoredStatus(taskId, TaskStatus.Expired);
    }

    function test_WhenPosterBlocklisted_ItShouldCreditTheRefund() external {
        BlocklistERC20 usdc = new BlocklistERC20();
        usdc.mint(poster, 10 ether);
        vm.prank(poster);
        usdc.approve(address(market), type(uint256).max);
        TaskTerms memory terms = defaultTerms(address(usdc));
        uint256 taskId = createTask(terms);
        usdc.setBlocked(poster, true);
        warpPastClaimDeadline(terms);

        vm.expectEmit(address(market));
        emit ITaskMarket.PaymentCredited(poster, address(usdc), REWARD);
        refundAs(stranger, taskId, terms);

        assertStoredStatus(taskId, TaskStatus.Expired);
        assertEq(market.creditOf(poster, address(usdc)), REWARD, "credited");
    }
}
