// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import {
    ExecutorKind,
    ExecutorRecord,
    PosterRecord,
    TaskStatus,
    TaskTerms
} from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";
import { ContractAccount, GasHungryReceiver } from "../../utils/TestAccounts.sol";
import { BlocklistERC20 } from "../../utils/TestTokens.sol";

contract Approve_Unit_Test is Base_Test {
    function approveAs(address caller, uint256 taskId, TaskTerms memory terms) private {
        vm.prank(caller);
        market.approve(taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                                REVERTS
    //////////////////////////////////////////////////////////////*/

    function test_RevertGiven_TaskNotFound() external {
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 1));
        approveAs(poster, 1, terms);
    }

    function test_RevertWhen_TermsMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        // Lowering the fee in the terms passed in must not lower the fee charged.
        terms.feeBps = 0;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        approveAs(poster, taskId, terms);
    }

    function test_RevertGiven_TaskNotSubmitted() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = inProgressTask(terms);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.InProgress)
        );
        approveAs(poster, taskId, terms);
    }

    function test_RevertGiven_ReviewWindowElapsed() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        approveAs(poster, taskId, terms);
    }

    function test_RevertGiven_TaskSettled() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = settledTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Settled));
        approveAs(poster, taskId, terms);
    }

    function test_RevertWhen_CallerIsStranger() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, taskId, stranger));
        approveAs(stranger, taskId, terms);
    }

    function test_RevertWhen_CallerIsExecutor() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, taskId, human));
        approveAs(human, taskId, terms);
    }

    function test_RevertWhen_VerifierSetAndCallerIsPoster() external {
        TaskTerms memory terms = ethTerms();
        terms.verifier = reviewer;
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, taskId, poster));
        approveAs(poster, taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                                SUCCESS
    //////////////////////////////////////////////////////////////*/

    function test_WhenPosterApprovesEthTask_ItShouldSettle() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        uint256 fee = feeOf(REWARD, FEE_BPS);
        uint256 payout = REWARD - fee;
        uint256 humanBefore = human.balance;
        uint256 marketBefore = address(market).balance;

        // A decision settles at once: `TaskVerified` is only for a release after silence.
        vm.recordLogs();
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), payout, fee, BOND);
        approveAs(poster, taskId, terms);

        assertEq(countMarketEvents(ITaskMarket.TaskVerified.selector), 0, "no TaskVerified");
        assertStatus(taskId, TaskStatus.Settled);
        assertStoredStatus(taskId, TaskStatus.Settled);
        assertEq(fee, 0.025 ether, "2.5 % of 1 ether");
        assertEq(human.balance, humanBefore + payout + BOND, "executor receives payout and bond");
        assertEq(address(market).balance, marketBefore - payout - BOND, "market keeps only the fee");
        assertEq(address(market).balance, fee, "nothing else is left in the market");
        assertEq(market.accruedFeesOf(address(0)), fee, "accrued fees");
        assertEq(market.earnedOf(human, address(0)), payout, "earned");
        assertEq(market.creditOf(human, address(0)), 0, "no credit");

        ExecutorRecord memory executorRecord;
        executorRecord.completed = 1;
        assertEq(market.executorRecordOf(human), executorRecord);
        PosterRecord memory posterRecord;
        posterRecord.posted = 1;
        posterRecord.settled = 1;
        assertEq(market.posterRecordOf(poster), posterRecord);
    }

    function test_WhenPosterApprovesTokenTask_ItShouldSettle() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = submittedTask(terms);
        uint256 fee = feeOf(REWARD, FEE_BPS);
        uint256 payout = REWARD - fee;
        uint256 humanBefore = token.balanceOf(human);

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(token), payout, fee, BOND);
        approveAs(poster, taskId, terms);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(token.balanceOf(human), humanBefore + payout + BOND, "executor balance");
        assertEq(token.balanceOf(address(market)), fee, "market keeps only the fee");
        assertEq(market.accruedFeesOf(address(token)), fee, "accrued fees");
        assertEq(market.accruedFeesOf(address(0)), 0, "no ETH fees");
        assertEq(market.earnedOf(human, address(token)), payout, "earned in token");
        assertEq(market.earnedOf(human, address(0)), 0, "earned in ETH");
    }

    function test_WhenDelegatedVerifierApproves_ItShouldSettle() external {
        TaskTerms memory terms = ethTerms();
        terms.verifier = reviewer;
        uint256 taskId = submittedTask(terms);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(
            taskId,
            human,
            address(0),
            payoutOf(REWARD, FEE_BPS),
            feeOf(REWARD, FEE_BPS),
            BOND
        );
        approveAs(reviewer, taskId, terms);
        assertStatus(taskId, TaskStatus.Settled);
    }

    function test_WhenReviewDeadlineNow_ItShouldSettle() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.warp(market.stateOf(taskId).reviewDeadline);
        approveAs(poster, taskId, terms);
        assertStatus(taskId, TaskStatus.Settled);
    }

    function test_WhenFeeZero_ItShouldPayTheWholeReward() external {
        vm.prank(owner);
        market.setProtocolFee(0);
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        uint256 humanBefore = human.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), REWARD, 0, BOND);
        approveAs(poster, taskId, terms);

        assertEq(human.balance, humanBefore + REWARD + BOND, "executor balance");
        assertEq(market.accruedFeesOf(address(0)), 0, "accrued fees");
    }

    function test_WhenBondZero_ItShouldPayOnlyThePayout() external {
        TaskTerms memory terms = ethTerms();
        terms.claimBond = 0;
        uint256 taskId = submittedTask(terms);
        uint256 humanBefore = human.balance;
        approveAs(poster, taskId, terms);
        assertEq(human.balance, humanBefore + payoutOf(REWARD, FEE_BPS), "executor balance");
    }

    function test_WhenPaused_ItShouldSettle() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.prank(owner);
        market.pause();
        approveAs(poster, taskId, terms);
        assertStatus(taskId, TaskStatus.Settled);
    }

    function test_WhenResubmittedAfterRejection_ItShouldSettle() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        rejectTask(taskId, terms);
        submitWork(taskId, terms, human);
        approveAs(poster, taskId, terms);
        assertStatus(taskId, TaskStatus.Settled);
        assertEq(market.executorRecordOf(human).completed, 1, "completed");
        assertEq(market.executorRecordOf(human).rejected, 0, "a rejection followed by success is not counted");
    }

    /*//////////////////////////////////////////////////////////////
                         FAILED PUSH PAYMENTS
    //////////////////////////////////////////////////////////////*/

    function test_WhenExecutorRejectsEth_ItShouldCreditIt() external {
        ContractAccount account = newContractExecutor("rejectingExecutor");
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTaskBy(account, terms);
        account.setAcceptsEth(false);
        uint256 owed = payoutOf(REWARD, FEE_BPS) + BOND;
        uint256 accountBefore = address(account).balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.PaymentCredited(address(account), address(0), owed);
        approveAs(poster, taskId, terms);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(address(account).balance, accountBefore, "nothing pushed");
        assertEq(market.creditOf(address(account), address(0)), owed, "credited");
        assertEq(address(market).balance, owed + feeOf(REWARD, FEE_BPS), "market holds the credit and the fee");
    }

    function test_WhenExecutorNeedsMoreThanThePushGas_ItShouldCreditIt() external {
        GasHungryReceiver receiver = new GasHungryReceiver();
        vm.prank(address(receiver));
        registry.register(ExecutorKind.Human, address(0), noCapabilities(), "ipfs://hungry");
        TaskTerms memory terms = ethTerms();
        terms.claimBond = 0;
        uint256 taskId = createTask(terms);
        vm.startPrank(address(receiver));
        market.claim(taskId, terms, noCapabilities());
        market.submit(taskId, terms, RESULT_HASH, RESULT_URI);
        vm.stopPrank();

        approveAs(poster, taskId, terms);

        assertEq(receiver.receipts(), 0, "the push ran out of its gas stipend");
        assertEq(market.creditOf(address(receiver), address(0)), payoutOf(REWARD, FEE_BPS), "credited");
    }

    function test_WhenExecutorBlocklistedByToken_ItShouldCreditIt() external {
        BlocklistERC20 usdc = new BlocklistERC20();
        address[2] memory holders = [poster, human];
        for (uint256 i = 0; i < holders.length; ++i) {
            usdc.mint(holders[i], 1000 ether);
            vm.prank(holders[i]);
            usdc.approve(address(market), type(uint256).max);
        }
        TaskTerms memory terms = defaultTerms(address(usdc));
        uint256 taskId = submittedTask(terms);
        usdc.setBlocked(human, true);
        uint256 owed = payoutOf(REWARD, FEE_BPS) + BOND;

        vm.expectEmit(address(market));
        emit ITaskMarket.PaymentCredited(human, address(usdc), owed);
        approveAs(poster, taskId, terms);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(market.creditOf(human, address(usdc)), owed, "credited");
        assertEq(market.earnedOf(human, address(usdc)), payoutOf(REWARD, FEE_BPS), "still counted as earned");
    }
}
