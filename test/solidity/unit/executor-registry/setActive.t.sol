// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Eligibility, IExecutorRegistry } from "../../../../contracts/interfaces/IExecutorRegistry.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorKind, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

contract SetActive_Unit_Test is Base_Test {
    function setActiveAs(address account, bool active) private {
        vm.prank(account);
        registry.setActive(active);
    }

    function test_RevertGiven_NotRegistered() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.ExecutorRegistry_NotRegistered.selector, stranger));
        setActiveAs(stranger, false);
    }

    function test_RevertGiven_AlreadyActive() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.ExecutorRegistry_ActivationUnchanged.selector, human, true));
        setActiveAs(human, true);
    }

    function test_RevertGiven_AlreadyInactive() external {
        setActiveAs(human, false);
        vm.expectRevert(abi.encodeWithSelector(Errors.ExecutorRegistry_ActivationUnchanged.selector, human, false));
        setActiveAs(human, false);
    }

    function test_WhenDeactivating_ItShouldMakeTheExecutorIneligible() external {
        vm.expectEmit(address(registry));
        emit IExecutorRegistry.ExecutorActivationChanged(human, false);
        setActiveAs(human, false);

        assertFalse(registry.profileOf(human).active, "active");
        assertEq(
            uint256(registry.eligibilityOf(human, ExecutorKind.Any, noCapabilities())),
            uint256(Eligibility.Inactive),
            "eligibility"
        );
        assertEq(registry.capabilitiesOf(human).length, 2, "capabilities are kept");
    }

    function test_WhenReactivating_ItShouldMakeTheExecutorEligibleAgain() external {
        setActiveAs(human, false);
        vm.expectEmit(address(registry));
        emit IExecutorRegistry.ExecutorActivationChanged(human, true);
        setActiveAs(human, true);

        assertTrue(registry.profileOf(human).active, "active");
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        claimTask(taskId, terms, human);
        assertStatus(taskId, TaskStatus.Claimed);
    }

    function test_WhenDeactivatedHoldingAClaim_ItShouldKeepTheClaim() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        setActiveAs(human, false);
        submitWork(taskId, terms, human);
        approveTask(taskId, terms);
        assertStatus(taskId, TaskStatus.Settled);
    }
}
