// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    Eligibility,
    ExecutorProfile,
    IExecutorRegistry
} from "../../../../contracts/interfaces/IExecutorRegistry.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorKind, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

contract UpdateProfile_Unit_Test is Base_Test {
    string internal constant NEW_URI = "ipfs://updated";
    address internal newOperator = makeAddr("newOperator");

    function updateAs(address account, address operator_, bytes32[] memory capabilities) private {
        vm.prank(account);
        registry.updateProfile(operator_, capabilities, NEW_URI);
    }

    function one(bytes32 capability) private pure returns (bytes32[] memory capabilities) {
        capabilities = new bytes32[](1);
        capabilities[0] = capability;
    }

    function test_RevertGiven_NotRegistered() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.ExecutorRegistry_NotRegistered.selector, stranger));
        updateAs(stranger, address(0), noCapabilities());
    }

    function test_RevertWhen_AgentClearsOperator() external {
        vm.expectRevert(Errors.ExecutorRegistry_OperatorRequired.selector);
        updateAs(agent, address(0), noCapabilities());
    }

    function test_RevertWhen_TooManyCapabilities() external {
        bytes32[] memory capabilities = new bytes32[](33);
        for (uint256 i = 0; i < 33; ++i) {
            capabilities[i] = bytes32(i + 1);
        }
        vm.expectRevert(abi.encodeWithSelector(Errors.ExecutorRegistry_TooManyCapabilities.selector, 33, 32));
        updateAs(human, address(0), capabilities);
    }

    function test_RevertWhen_CapabilityZero() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.ExecutorRegistry_InvalidCapability.selector, bytes32(0)));
        updateAs(human, address(0), one(bytes32(0)));
    }

    function test_RevertWhen_CapabilityDuplicated() external {
        bytes32[] memory capabilities = new bytes32[](2);
        (capabilities[0], capabilities[1]) = (CAP_TRANSLATION, CAP_TRANSLATION);
        vm.expectRevert(abi.encodeWithSelector(Errors.ExecutorRegistry_InvalidCapability.selector, CAP_TRANSLATION));
        updateAs(human, address(0), capabilities);
    }

    function test_WhenValid_ItShouldReplaceOperatorCapabilitiesAndMetadata() external {
        ExecutorProfile memory before = registry.profileOf(agent);
        bytes32 newCapability = keccak256("skill:review");
        bytes32[] memory capabilities = new bytes32[](2);
        (capabilities[0], capabilities[1]) = (newCapability, CAP_SOLIDITY);
        vm.warp(block.timestamp + 1 days);

        vm.expectEmit(address(registry));
        emit IExecutorRegistry.ExecutorUpdated(agent, newOperator, capabilities, NEW_URI);
        updateAs(agent, newOperator, capabilities);

        ExecutorProfile memory profile = registry.profileOf(agent);
        assertEq(profile.operator, newOperator, "operator");
        assertEq(registry.operatorOf(agent), newOperator, "operatorOf");
        assertEq(uint256(profile.kind), uint256(before.kind), "kind is fixed");
        assertEq(profile.registeredAt, before.registeredAt, "registeredAt is kept");
        assertEq(profile.active, before.active, "activation is kept");
        assertEq(registry.capabilitiesOf(agent), capabilities, "capabilities replaced");
        assertTrue(registry.hasCapability(agent, newCapability), "new capability");
        assertTrue(registry.hasCapability(agent, CAP_SOLIDITY), "kept capability");
        assertFalse(registry.hasCapability(agent, CAP_TRANSLATION), "dropped capability");
    }

    function test_WhenCapabilitiesCleared_ItShouldDropThemAll() external {
        updateAs(human, address(0), noCapabilities());
        assertEq(registry.capabilitiesOf(human).length, 0, "capabilities");
        assertFalse(registry.hasCapability(human, CAP_SOLIDITY), "solidity");
        assertFalse(registry.hasCapability(human, CAP_TRANSLATION), "translation");
    }

    function test_WhenHumanClearsOperator_ItShouldUpdate() external {
        updateAs(human, operator, noCapabilities());
        assertEq(registry.profileOf(human).operator, operator, "operator set");
        updateAs(human, address(0), noCapabilities());
        assertEq(registry.profileOf(human).operator, address(0), "operator cleared");
    }

    function test_WhenInactive_ItShouldStillUpdate() external {
        vm.prank(human);
        registry.setActive(false);
        updateAs(human, address(0), one(CAP_SOLIDITY));
        assertEq(registry.capabilitiesOf(human).length, 1, "capabilities");
        assertFalse(registry.profileOf(human).active, "still inactive");
    }

    function test_WhenCapabilityDropped_NewClaimsShouldNeedIt() external {
        TaskTerms memory terms = ethTerms();
        terms.capabilitiesHash = hashCapabilities(sortedCapabilities());
        uint256 held = createTask(terms, sortedCapabilities());
        claimTask(held, terms, human, sortedCapabilities());
        uint256 open = createTask(terms, sortedCapabilities());

        updateAs(human, address(0), one(CAP_SOLIDITY));

        assertEq(
            uint256(registry.eligibilityOf(human, ExecutorKind.Any, sortedCapabilities())),
            uint256(Eligibility.MissingCapability),
            "eligibility"
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_ExecutorNotEligible.selector,
                open,
                human,
                Eligibility.MissingCapability
            )
        );
        claimTask(open, terms, human, sortedCapabilities());
        // The claim already held is unaffected.
        submitWork(held, terms, human);
        assertStatus(held, TaskStatus.Submitted);
    }
}
