// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";
import { ContractAccount } from "../../utils/TestAccounts.sol";

contract WithdrawProtocolFees_Unit_Test is Base_Test {
    function test_RevertWhen_NoFeesAccrued() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_NoFeesAccrued.selector, address(0)));
        market.withdrawProtocolFees(address(0));
    }

    function test_RevertWhen_FeesAccruedInAnotherToken() external {
        settledTask(ethTerms());
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_NoFeesAccrued.selector, address(token)));
        market.withdrawProtocolFees(address(token));
    }

    function test_RevertWhen_TaskSettledWithZeroFee() external {
        vm.prank(owner);
        market.setProtocolFee(0);
        settledTask(ethTerms());
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_NoFeesAccrued.selector, address(0)));
        market.withdrawProtocolFees(address(0));
    }

    function test_WhenEthFeesAccrued_AnyoneShouldPayThemToTheRecipient() external {
        settledTask(ethTerms());
        settledTask(ethTerms());
        uint256 fees = 2 * feeOf(REWARD, FEE_BPS);
        assertEq(market.accruedFeesOf(address(0)), fees, "accrued");

        vm.expectEmit(address(market));
        emit ITaskMarket.ProtocolFeesWithdrawn(address(0), feeRecipient, fees);
        vm.prank(stranger);
        market.withdrawProtocolFees(address(0));

        assertEq(feeRecipient.balance, fees, "recipient paid");
        assertEq(market.accruedFeesOf(address(0)), 0, "accrued cleared");
        assertEq(address(market).balance, 0, "market empty");
    }

    function test_WhenTokenFeesAccrued_ItShouldPayThem() external {
        settledTask(tokenTerms());
        uint256 fee = feeOf(REWARD, FEE_BPS);
        market.withdrawProtocolFees(address(token));
        assertEq(token.balanceOf(feeRecipient), fee, "recipient paid");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
        assertEq(market.accruedFeesOf(address(token)), 0, "accrued cleared");
    }

    function test_WhenRecipientChanged_ItShouldPayTheNewRecipient() external {
        settledTask(ethTerms());
        address newRecipient = makeAddr("newRecipient");
        vm.prank(owner);
        market.setFeeRecipient(newRecipient);
        market.withdrawProtocolFees(address(0));
        assertEq(newRecipient.balance, feeOf(REWARD, FEE_BPS), "new recipient paid");
        assertEq(feeRecipient.balance, 0, "old recipient not paid");
    }

    function test_RevertWhen_EthRecipientRejects() external {
        ContractAccount rejecting = new ContractAccount();
        rejecting.setAcceptsEth(false);
        vm.prank(owner);
        market.setFeeRecipient(address(rejecting));
        settledTask(ethTerms());
        uint256 fee = feeOf(REWARD, FEE_BPS);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_EthTransferFailed.selector, address(rejecting), fee));
        market.withdrawProtocolFees(address(0));
        assertEq(market.accruedFeesOf(address(0)), fee, "fees stay accrued");
    }

    function test_WhenPaused_ItShouldPay() external {
        settledTask(ethTerms());
        vm.prank(owner);
        market.pause();
        market.withdrawProtocolFees(address(0));
        assertEq(feeRecipient.balance, feeOf(REWARD, FEE_BPS), "recipient paid");
    }

    function test_FeesNeverIncludeEscrow() external {
        // Open escrow and bonds are not fees: only settled tasks accrue.
        TaskTerms memory terms = ethTerms();
        createTask(terms);
        claimedTask(terms);
        submittedTask(terms);
        assertEq(market.accruedFeesOf(address(0)), 0, "no fees before settlement");
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_NoFeesAccrued.selector, address(0)));
        market.withdrawProtocolFees(address(0));
    }
}
