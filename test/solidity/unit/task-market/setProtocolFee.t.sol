// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Ownable } from "@openzeppelin/contracts/access/Ownable.sol";

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

contract SetProtocolFee_Unit_Test is Base_Test {
    function test_RevertWhen_CallerNotOwner() external {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, stranger));
        vm.prank(stranger);
        market.setProtocolFee(100);
    }

    function test_RevertWhen_FeeAboveCap() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_FeeAboveCap.selector, 501, 500));
        vm.prank(owner);
        market.setProtocolFee(501);
    }

    function test_RevertWhen_FeeMaxUint16() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_FeeAboveCap.selector, type(uint16).max, 500));
        vm.prank(owner);
        market.setProtocolFee(type(uint16).max);
    }

    function test_WhenFeeAtCap_ItShouldSetIt() external {
        vm.expectEmit(address(market));
        emit ITaskMarket.ProtocolFeeUpdated(FEE_BPS, 500);
        vm.prank(owner);
        market.setProtocolFee(500);
        assertEq(market.protocolFeeBps(), 500, "protocolFeeBps");
    }

    function test_WhenFeeZero_ItShouldSetIt() external {
        vm.expectEmit(address(market));
        emit ITaskMarket.ProtocolFeeUpdated(FEE_BPS, 0);
        vm.prank(owner);
        market.setProtocolFee(0);
        assertEq(market.protocolFeeBps(), 0, "protocolFeeBps");
    }

    function test_WhenFeeChanged_ExistingTasksKeepTheirFee() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.prank(owner);
        market.setProtocolFee(500);
        uint256 humanBefore = human.balance;

        approveTask(taskId, terms);

        assertEq(market.accruedFeesOf(address(0)), feeOf(REWARD, FEE_BPS), "the fee snapshotted at creation");
        assertEq(human.balance, humanBefore + payoutOf(REWARD, FEE_BPS) + BOND, "executor balance");
    }

    function test_WhenFeeChanged_NewTasksMustCarryTheNewFee() external {
        TaskTerms memory stale = ethTerms();
        vm.prank(owner);
        market.setProtocolFee(10);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_FeeMismatch.selector, 10, FEE_BPS));
        createTask(stale);

        TaskTerms memory fresh = ethTerms();
        assertEq(fresh.feeBps, 10, "fresh terms carry the new fee");
        uint256 taskId = createTask(fresh);
        claimTask(taskId, fresh, human);
        submitWork(taskId, fresh, human);
        approveTask(taskId, fresh);
        assertEq(market.accruedFeesOf(address(0)), feeOf(REWARD, 10), "the new fee applies");
    }
}
