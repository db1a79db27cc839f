// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Ownable } from "@openzeppelin/contracts/access/Ownable.sol";

import { IExecutorRegistry } from "../../../../contracts/interfaces/IExecutorRegistry.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskMarket } from "../../../../contracts/TaskMarket.sol";
import { Base_Test } from "../../Base.t.sol";

contract Constructor_Unit_Test is Base_Test {
    function test_RevertWhen_RegistryZero() external {
        vm.expectRevert(Errors.TaskMarket_ZeroAddress.selector);
        new TaskMarket(owner, IExecutorRegistry(address(0)), FEE_BPS, feeRecipient);
    }

    function test_RevertWhen_FeeRecipientZero() external {
        vm.expectRevert(Errors.TaskMarket_ZeroAddress.selector);
        new TaskMarket(owner, registry, FEE_BPS, address(0));
    }

    function test_RevertWhen_OwnerZero() external {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        new TaskMarket(address(0), registry, FEE_BPS, feeRecipient);
    }

    function test_RevertWhen_FeeAboveCap() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_FeeAboveCap.selector, 501, 500));
        new TaskMarket(owner, registry, 501, feeRecipient);
    }

    function test_WhenFeeAtCap_ItShouldDeploy() external {
        TaskMarket capped = new TaskMarket(owner, registry, 500, feeRecipient);
        assertEq(capped.protocolFeeBps(), 500, "protocolFeeBps");
    }

    function test_WhenParametersValid_ItShouldInitialize() external view {
        assertEq(market.owner(), owner, "owner");
        assertEq(market.pendingOwner(), address(0), "pendingOwner");
        assertEq(address(market.executorRegistry()), address(registry), "executorRegistry");
        assertEq(market.protocolFeeBps(), FEE_BPS, "protocolFeeBps");
        assertEq(market.feeRecipient(), feeRecipient, "feeRecipient");
        assertEq(market.nextTaskId(), 1, "ids start at 1");
        assertFalse(market.paused(), "not paused");
        assertEq(market.MAX_FEE_BPS(), 500, "MAX_FEE_BPS is 5 %");
        assertEq(market.MAX_TASK_CAPABILITIES(), 16, "MAX_TASK_CAPABILITIES");
        assertEq(market.ETH_PUSH_GAS(), 100_000, "ETH_PUSH_GAS");
    }
}
