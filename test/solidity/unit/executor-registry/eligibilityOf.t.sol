// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Eligibility } from "../../../../contracts/interfaces/IExecutorRegistry.sol";
import { ExecutorKind } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

contract EligibilityOf_Unit_Test is Base_Test {
    function eligibility(
        address executor,
        ExecutorKind kind,
        bytes32[] memory capabilities
    ) private view returns (Eligibility) {
        return registry.eligibilityOf(executor, kind, capabilities);
    }

    function assertEligibility(Eligibility actual, Eligibility expected, string memory message) private pure {
        assertEq(uint256(actual), uint256(expected), message);
    }

    function test_GivenNotRegistered_ItShouldReturnNotRegistered() external view {
        assertEligibility(eligibility(stranger, ExecutorKind.Any, noCapabilities()), Eligibility.NotRegistered, "any");
        assertEligibility(
            eligibility(stranger, ExecutorKind.Human, sortedCapabilities()),
            Eligibility.NotRegistered,
            "human"
        );
    }

    function test_GivenInactive_ItShouldReturnInactiveBeforeAnyOtherReason() external {
        vm.prank(human);
        registry.setActive(false);
        bytes32[] memory unknown = new bytes32[](1);
        unknown[0] = keccak256("unknown");
        assertEligibility(eligibility(human, ExecutorKind.Agent, unknown), Eligibility.Inactive, "inactive first");
    }

    function test_GivenKindMismatch_ItShouldReturnKindMismatchBeforeCapabilities() external view {
        bytes32[] memory unknown = new bytes32[](1);
        unknown[0] = keccak256("unknown");
        assertEligibility(eligibility(human, ExecutorKind.Agent, unknown), Eligibility.KindMismatch, "human");
        assertEligibility(eligibility(agent, ExecutorKind.Human, noCapabilities()), Eligibility.KindMismatch, "agent");
    }

    function test_GivenCapabilityMissing_ItShouldReturnMissingCapability() external view {
        bytes32[] memory required = new bytes32[](3);
        (required[0], required[1], required[2]) = (CAP_SOLIDITY, CAP_TRANSLATION, keccak256("unknown"));
        assertEligibility(eligibility(agent, ExecutorKind.Agent, required), Eligibility.MissingCapability, "missing");
    }

    function test_GivenEverythingMatches_ItShouldReturnEligible() external view {
        assertEligibility(eligibility(human, ExecutorKind.Any, noCapabilities()), Eligibility.Eligible, "any, none");
        assertEligibility(eligibility(human, ExecutorKind.Human, sortedCapabilities()), Eligibility.Eligible, "human");
        assertEligibility(eligibility(agent, ExecutorKind.Agent, sortedCapabilities()), Eligibility.Eligible, "agent");
        assertEligibility(eligibility(agent, ExecutorKind.Any, sortedCapabilities()), Eligibility.Eligible, "any");
        bytes32[] memory subset = new bytes32[](1);
        subset[0] = CAP_TRANSLATION;
        assertEligibility(eligibility(human, ExecutorKind.Any, subset), Eligibility.Eligible, "subset");
    }
}
