// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Errors } from "../../../contracts/libraries/Errors.sol";
import { TaskTerms } from "../../../contracts/types/TaskTypes.sol";
import { Attack_Base } from "./AttackBase.sol";

/// @notice Value that reaches the market outside the task functions.
contract DirectTransfers_Attack_Test is Attack_Base {
    /// ETH sent straight to the market, with or without calldata, bounces.
    /// Defence: the market has neither `receive` nor `fallback`.
    function test_EthSentDirectly_Reverts() external {
        vm.deal(stranger, 2 ether);

        vm.prank(stranger);
        (bool plainSuccess, ) = address(market).call{ value: 1 ether }("");
        vm.prank(stranger);
        (bool dataSuccess, ) = address(market).call{ value: 1 ether }(hex"deadbeef");

        assertFalse(plainSuccess, "plain transfer refused");
        assertFalse(dataSuccess, "unknown selector refused");
        assertEq(address(market).balance, 0, "nothing received");
        assertEq(stranger.balance, 2 ether, "sender keeps its ETH");
    }

    /// ETH attached to a call that does not expect it is refused, so it cannot end up unaccounted for.
    /// Defence: `createTask` and `claim` require `msg.value` to be exactly the ETH due.
    function test_EthAttachedToTokenTaskCalls_IsRefused() external {
        TaskTerms memory terms = tokenTerms();
        vm.prank(poster);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, 0, 1));
        market.createTask{ value: 1 }(terms, noCapabilities(), DOCUMENT_URI);

        uint256 taskId = createTask(terms);
        vm.prank(human);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, 0, BOND));
        market.claim{ value: BOND }(taskId, terms, noCapabilities());

        TaskTerms memory ethTaskTerms = ethTerms();
        vm.prank(poster);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, REWARD, REWARD + 1));
        market.createTask{ value: REWARD + 1 }(ethTaskTerms, noCapabilities(), DOCUMENT_URI);
        assertEq(address(market).balance, 0, "no ETH held");
    }

    /// Tokens transferred straight to the market belong to nobody: they are not credited to the sender and do not
    /// change what any task pays. This pins the limitation documented in SECURITY.md (they are not recoverable).
    function test_TokensSentDirectly_AreNotCreditedAndDoNotChangeAnyPayout() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = submittedTask(terms);
        vm.prank(stranger);
        token.transfer(address(market), 5 ether);

        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_NothingToWithdraw.selector, stranger, address(token)));
        market.withdraw(address(token), stranger);

        uint256 humanBefore = token.balanceOf(human);
        vm.prank(poster);
        market.approve(taskId, terms);
        market.withdrawProtocolFees(address(token));
        assertEq(token.balanceOf(human) - humanBefore, expectedPayout(terms) + BOND, "payout unchanged");
        assertEq(token.balanceOf(feeRecipient), expectedFee(terms), "fee unchanged");
        assertEq(token.balanceOf(address(market)), 5 ether, "the stray tokens stay behind");
    }
}
