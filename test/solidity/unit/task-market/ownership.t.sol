// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Ownable } from "@openzeppelin/contracts/access/Ownable.sol";
import { Ownable2Step } from "@openzeppelin/contracts/access/Ownable2Step.sol";

import { TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

contract Ownership_Unit_Test is Base_Test {
    address internal newOwner = makeAddr("newOwner");

    function test_RevertWhen_TransferCallerNotOwner() external {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        market.transferOwnership(stranger);
    }

    function test_WhenOwnerTransfers_ItShouldOnlyNominate() external {
        vm.expectEmit(address(market));
        emit Ownable2Step.OwnershipTransferStarted(owner, newOwner);
        vm.prank(owner);
        market.transferOwnership(newOwner);

        assertEq(market.owner(), owner, "owner unchanged until accepted");
        assertEq(market.pendingOwner(), newOwner, "pendingOwner");
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, newOwner));
        vm.prank(newOwner);
        market.setProtocolFee(0);
    }

    function test_RevertWhen_AcceptCallerNotPending() external {
        vm.prank(owner);
        market.transferOwnership(newOwner);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        market.acceptOwnership();
    }

    function test_RevertWhen_AcceptWithoutNomination() external {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, newOwner));
        vm.prank(newOwner);
        market.acceptOwnership();
    }

    function test_WhenPendingOwnerAccepts_ItShouldTakeOver() external {
        vm.prank(owner);
        market.transferOwnership(newOwner);

        vm.expectEmit(address(market));
        emit Ownable.OwnershipTransferred(owner, newOwner);
        vm.prank(newOwner);
        market.acceptOwnership();

        assertEq(market.owner(), newOwner, "owner");
        assertEq(market.pendingOwner(), address(0), "pendingOwner cleared");

        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, owner));
        vm.prank(owner);
        market.setProtocolFee(0);

        vm.prank(newOwner);
        market.setProtocolFee(0);
        assertEq(market.protocolFeeBps(), 0, "the new owner administers");
    }

    function test_WhenNominationReplaced_OnlyTheLatestMayAccept() external {
        vm.startPrank(owner);
        market.transferOwnership(newOwner);
        market.transferOwnership(stranger);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, newOwner));
        vm.prank(newOwner);
        market.acceptOwnership();
        vm.prank(stranger);
        market.acceptOwnership();
        assertEq(market.owner(), stranger, "owner");
    }

    function test_RevertWhen_RenounceCallerNotOwner() external {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        market.renounceOwnership();
    }

    function test_WhenOwnerRenounces_TasksShouldStillSettle() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.prank(owner);
        market.renounceOwnership();
        assertEq(market.owner(), address(0), "owner");
        approveTask(taskId, terms);
        market.withdrawProtocolFees(address(0));
        assertEq(feeRecipient.balance, feeOf(REWARD, FEE_BPS), "fees still reach the recipient");
    }
}
