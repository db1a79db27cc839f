// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../contracts/libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../../../contracts/types/TaskTypes.sol";
import {
    EthRefusingAccount,
    GasGuzzlingAccount,
    GasHungryAccount,
    ReturnBombAccount
} from "../mocks/AttackReceivers.sol";
import { Attack_Base } from "./AttackBase.sol";

/// @notice Recipients that try to block the transition that pays them, and withdrawals that are made to fail.
contract PaymentGriefing_Attack_Test is Attack_Base {
    /// @dev About 190 kB: as much revert data as the receiver can produce with the gas a push forwards.
    uint256 internal constant BOMB_SIZE = 190_000;

    address internal payee = makeAddr("payee");

    /// @dev An ETH task, claimed and submitted by the contract `executor`, past its review window.
    function releasableTaskOf(address executor, bytes32 documentHash) internal returns (uint256, TaskTerms memory) {
        registerAsHuman(executor);
        TaskTerms memory terms = ethTerms();
        terms.documentHash = documentHash;
        uint256 taskId = createTask(terms);
        fundAndClaim(taskId, terms, executor);
        submitWork(taskId, terms, executor);
        warpPastReview(taskId);
        return (taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                         RECEIVERS THAT BLOCK
    //////////////////////////////////////////////////////////////*/

    /// A receiver that burns all the gas it gets cannot make `release` run out of gas: it is credited instead.
    /// Defence: ETH pushes forward at most `ETH_PUSH_GAS`. Forwarding all gas would let the receiver burn 63/64 of
    /// the 400k given here, and the remaining 1/64 could not record the credit.
    function test_GasGuzzlingExecutor_CannotBlockRelease() external {
        GasGuzzlingAccount guzzler = new GasGuzzlingAccount();
        (uint256 taskId, TaskTerms memory terms) = releasableTaskOf(address(guzzler), DOCUMENT_HASH);

        vm.prank(stranger);
        market.release{ gas: 400_000 }(taskId, terms);

        uint256 owed = expectedPayout(terms) + BOND;
        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.Settled), "settled");
        assertEq(market.creditOf(address(guzzler), address(0)), owed, "credited instead");

        guzzler.execute(address(market), 0, abi.encodeCall(ITaskMarket.withdraw, (address(0), payee)));
        assertEq(payee.balance, owed, "withdrawn to another address");
    }

    /// A receiver that reverts with ~190 kB of data costs the payer no more than the gas it was forwarded.
    /// Defence: the push copies no return data (output size 0). Copying it would add a memory expansion of about
    /// the same size to the payer's bill, far beyond the bound asserted here.
    function test_ReturnBombExecutor_CannotBlockReleaseNorInflateItsCost() external {
        EthRefusingAccount refuser = new EthRefusingAccount();
        ReturnBombAccount bomber = new ReturnBombAccount(BOMB_SIZE);
        (uint256 referenceId, TaskTerms memory referenceTerms) = releasableTaskOf(address(refuser), "reference");
        (uint256 taskId, TaskTerms memory terms) = releasableTaskOf(address(bomber), "bomb");

        uint256 gasBefore = gasleft();
        market.release(referenceId, referenceTerms);
        uint256 referenceGas = gasBefore - gasleft();
        gasBefore = gasleft();
        market.release{ gas: 1_000_000 }(taskId, terms);
        uint256 bombGas = gasBefore - gasleft();

        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.Settled), "settled");
        assertEq(market.creditOf(address(bomber), address(0)), expectedPayout(terms) + BOND, "credited instead");
        assertLe(bombGas, referenceGas + market.ETH_PUSH_GAS() + 10_000, "the bomb cost at most the forwarded gas");
    }

    /// A poster that refuses ETH cannot block its own refund from being recorded; it withdraws elsewhere.
    /// Defence: push-or-credit on refunds.
    function test_RefusingPoster_CancelRefundIsCreditedAndWithdrawable() external {
        EthRefusingAccount refusingPoster = new EthRefusingAccount();
        TaskTerms memory terms = termsOf(address(refusingPoster), address(0));
        vm.deal(address(refusingPoster), REWARD);
        bytes memory createCall = abi.encodeCall(ITaskMarket.createTask, (terms, noCapabilities(), DOCUMENT_URI));
        uint256 taskId = abi.decode(refusingPoster.execute(address(market), REWARD, createCall), (uint256));

        refusingPoster.execute(address(market), 0, abi.encodeCall(ITaskMarket.cancel, (taskId, terms)));

        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.Cancelled), "cancelled");
        assertEq(market.creditOf(address(refusingPoster), address(0)), REWARD, "refund credited");
        refusingPoster.execute(address(market), 0, abi.encodeCall(ITaskMarket.withdraw, (address(0), payee)));
        assertEq(payee.balance, REWARD, "withdrawn to another address");
    }

    /// A refusing executor cannot block a lapsed claim from being cleared: the next claimant takes the task and the
    /// forfeited bond reaches the poster. Defence: the lapse is derived from the clock; nothing is paid to the lapsed
    /// executor, so it has no hook to refuse.
    function test_RefusingLapsedExecutor_CannotBlockTheNextClaim() external {
        EthRefusingAccount refuser = new EthRefusingAccount();
        registerAsHuman(address(refuser));
        TaskTerms memory terms = ethTerms();
        terms.executionWindow = 1 days;
        uint256 taskId = createTask(terms);
        fundAndClaim(taskId, terms, address(refuser));
        warpPastExecution(taskId);
        uint256 posterBalance = poster.balance;

        claimTask(taskId, terms, human);

        assertEq(market.stateOf(taskId).executor, human, "re-claimed");
        assertEq(poster.balance - posterBalance, BOND, "the forfeited bond went to the poster");
    }

    /*//////////////////////////////////////////////////////////////
                         GRIEFED WITHDRAWALS
    //////////////////////////////////////////////////////////////*/

    /// A withdrawal made with too little gas for its recipient fails as a whole and leaves the credit intact.
    /// Defence: `withdraw` reverts when its transfer fails, which rolls back the deletion of the credit; if it
    /// ignored the failure, the credit would be gone and the ETH stuck in the market.
    function test_WithdrawWithTooLittleGasForTheRecipient_RevertsAndKeepsTheCredit() external {
        EthRefusingAccount refuser = new EthRefusingAccount();
        (uint256 taskId, TaskTerms memory terms) = releasableTaskOf(address(refuser), DOCUMENT_HASH);
        market.release(taskId, terms);
        uint256 credit = market.creditOf(address(refuser), address(0));
        assertEq(credit, expectedPayout(terms) + BOND, "credited");

        GasHungryAccount hungry = new GasHungryAccount();
        bytes memory withdrawCall = abi.encodeCall(ITaskMarket.withdraw, (address(0), address(hungry)));
        vm.prank(address(refuser));
        (bool success, ) = address(market).call{ gas: 80_000 }(withdrawCall);

        assertFalse(success, "the starved withdrawal failed");
        assertEq(market.creditOf(address(refuser), address(0)), credit, "credit intact");
        assertEq(address(hungry).balance, 0, "nothing sent");

        refuser.execute(address(market), 0, withdrawCall);
        assertEq(address(hungry).balance, credit, "a withdrawal with enough gas succeeds");
        assertEq(market.creditOf(address(refuser), address(0)), 0, "credit cleared");
    }

    /// A withdrawal to an address that refuses ETH reverts with a clear error and keeps the credit.
    /// Defence: the same revert-on-failure in `withdraw`.
    function test_WithdrawToRefusingAddress_RevertsAndKeepsTheCredit() external {
        EthRefusingAccount refuser = new EthRefusingAccount();
        (uint256 taskId, TaskTerms memory terms) = releasableTaskOf(address(refuser), DOCUMENT_HASH);
        market.release(taskId, terms);
        uint256 credit = market.creditOf(address(refuser), address(0));

        vm.prank(address(refuser));
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_EthTransferFailed.selector, address(refuser), credit));
        market.withdraw(address(0), address(refuser));

        assertEq(market.creditOf(address(refuser), address(0)), credit, "credit intact");
    }

    /// Nobody can withdraw someone else's credit. Defence: credits are keyed by `msg.sender`.
    function test_StrangerCannotWithdrawAnotherAccountsCredit() external {
        EthRefusingAccount refuser = new EthRefusingAccount();
        (uint256 taskId, TaskTerms memory terms) = releasableTaskOf(address(refuser), DOCUMENT_HASH);
        market.release(taskId, terms);
        uint256 credit = market.creditOf(address(refuser), address(0));

        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_NothingToWithdraw.selector, stranger, address(0)));
        market.withdraw(address(0), stranger);
        assertEq(market.creditOf(address(refuser), address(0)), credit, "credit intact");
    }
}
