// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Ownable } from "@openzeppelin/contracts/access/Ownable.sol";

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { Base_Test } from "../../Base.t.sol";

contract SetFeeRecipient_Unit_Test is Base_Test {
    function test_RevertWhen_CallerNotOwner() external {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, feeRecipient));
        vm.prank(feeRecipient);
        market.setFeeRecipient(stranger);
    }

    function test_RevertWhen_RecipientZero() external {
        vm.expectRevert(Errors.TaskMarket_ZeroAddress.selector);
        vm.prank(owner);
        market.setFeeRecipient(address(0));
    }

    function test_WhenRecipientValid_ItShouldSetIt() external {
        address newRecipient = makeAddr("newRecipient");
        vm.expectEmit(address(market));
        emit ITaskMarket.FeeRecipientUpdated(feeRecipient, newRecipient);
        vm.prank(owner);
        market.setFeeRecipient(newRecipient);
        assertEq(market.feeRecipient(), newRecipient, "feeRecipient");
        assertEq(market.protocolFeeBps(), FEE_BPS, "the fee, packed in the same slot, is unchanged");
        assertEq(market.nextTaskId(), 1, "the id counter, packed in the same slot, is unchanged");
    }
}
