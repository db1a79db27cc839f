// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Errors } from "../../../contracts/libraries/Errors.sol";
import { ExecutorKind, TaskStatus, TaskTerms } from "../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../Base.t.sol";

/// @notice The commitment to a task's terms, and the canonical capability lists that feed it.
contract Terms_Fuzz_Test is Base_Test {
    /// @dev Returns `terms` with one field changed to a different value derived from `value`.
    function alter(
        TaskTerms memory terms,
        uint256 field,
        uint256 value
    ) private pure returns (TaskTerms memory altered) {
        altered = terms;
        // Adding a non-zero delta modulo the field's range always yields a different value.
        uint256 delta = bound(value, 1, type(uint16).max);
        field = bound(field, 0, 14);
        if (field == 0) altered.poster = address(uint160(terms.poster) + uint160(delta));
        else if (field == 1) altered.token = address(uint160(terms.token) + uint160(delta));
        else if (field == 2) altered.reward = terms.reward + uint128(delta);
        else if (field == 3) altered.claimBond = terms.claimBond + uint128(delta);
        else if (field == 4) altered.claimDeadline = terms.claimDeadline + uint40(delta);
        else if (field == 5) altered.executionWindow = terms.executionWindow + uint32(delta);
        else if (field == 6) altered.reviewWindow = terms.reviewWindow + uint32(delta);
        else if (field == 7) altered.feeBps = uint16((uint256(terms.feeBps) + delta) % 65_536);
        else if (field == 8) altered.executorKind = ExecutorKind((uint256(terms.executorKind) + (delta % 2) + 1) % 3);
        else if (field == 9) altered.verifier = address(uint160(terms.verifier) + uint160(delta));
        else if (field == 10) altered.verifierFee = terms.verifierFee + uint128(delta);
        else if (field == 11) altered.verifierConfigHash = bytes32(uint256(terms.verifierConfigHash) ^ delta);
        else if (field == 12) altered.capabilitiesHash = bytes32(uint256(terms.capabilitiesHash) ^ delta);
        else if (field == 13) altered.documentHash = bytes32(uint256(terms.documentHash) ^ delta);
        else altered.milestoneShares = bytes32(uint256(terms.milestoneShares) ^ delta);
    }

    function copy(TaskTerms memory terms) private pure returns (TaskTerms memory) {
        return abi.decode(abi.encode(terms), (TaskTerms));
    }

    function testFuzz_AnyAlteredField_IsRefused(uint256 field, uint256 value) external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        TaskTerms memory altered = alter(copy(terms), field, value);

        assertFalse(market.matchesTerms(taskId, altered), "matchesTerms");
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        vm.prank(poster);
        market.approve(taskId, altered);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        vm.prank(human);
        market.consentToCancel(taskId, altered);

        assertTrue(market.matchesTerms(taskId, terms), "the real terms still match");
        assertStatus(taskId, TaskStatus.Submitted);
    }

    function testFuzz_AnyAlteredField_OfDelegatedMilestoneTerms_IsRefused(uint256 field, uint256 value) external {
        TaskTerms memory terms = delegatedTerms(address(token));
        terms.milestoneShares = packMilestones(4000, 6000);
        uint256 taskId = submittedTask(terms);
        TaskTerms memory altered = alter(copy(terms), field, value);

        assertFalse(market.matchesTerms(taskId, altered), "matchesTerms");
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        vm.prank(reviewer);
        market.hold(taskId, altered, uint40(block.timestamp + 1 days), 5_000);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        vm.prank(reviewer);
        market.resolve(taskId, altered, 0);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        market.unpaidRewardOf(taskId, altered);

        assertTrue(market.matchesTerms(taskId, terms), "the real terms still match");
        assertEq(market.unpaidRewardOf(taskId, terms), REWARD, "nothing paid");
        assertStatus(taskId, TaskStatus.Submitted);
    }

    /// @dev Where the market must refuse `capabilities`, the error it must give; empty if it must accept them.
    function expectedCapabilityError(bytes32[] memory capabilities) private pure returns (bytes memory) {
        if (capabilities.length > 16) {
            return abi.encodeWithSelector(Errors.TaskMarket_TooManyCapabilities.selector, capabilities.length, 16);
        }
        bytes32 previous;
        for (uint256 i = 0; i < capabilities.length; ++i) {
            if (capabilities[i] <= previous) {
                return abi.encodeWithSelector(Errors.TaskMarket_CapabilitiesNotAscending.selector, i);
            }
            previous = capabilities[i];
        }
        return "";
    }

    function testFuzz_CreateTask_CapabilityLists(bytes32[] memory capabilities, bool sortFirst) external {
        if (capabilities.length > 20) {
            assembly ("memory-safe") {
                mstore(capabilities, 20)
            }
        }
        // Half the runs sort the list, so accepted lists are exercised as often as refused ones.
        if (sortFirst) {
            for (uint256 i = 1; i < capabilities.length; ++i) {
                for (uint256 j = i; j > 0 && capabilities[j - 1] > capabilities[j]; --j) {
                    (capabilities[j - 1], capabilities[j]) = (capabilities[j], capabilities[j - 1]);
                }
            }
        }
        TaskTerms memory terms = ethTerms();
        terms.capabilitiesHash = hashCapabilities(capabilities);
        bytes memory expectedError = expectedCapabilityError(capabilities);

        if (expectedError.length != 0) vm.expectRevert(expectedError);
        uint256 taskId = createTask(terms, capabilities);

        if (expectedError.length == 0) assertTrue(market.matchesTerms(taskId, terms), "created");
    }

    function testFuzz_Register_CapabilityLists(bytes32[] memory capabilities) external {
        if (capabilities.length > 40) {
            assembly ("memory-safe") {
                mstore(capabilities, 40)
            }
        }
        address newcomer = makeAddr("newcomer");
        bytes memory expectedError;
        if (capabilities.length > 32) {
            expectedError = abi.encodeWithSelector(
                Errors.ExecutorRegistry_TooManyCapabilities.selector,
                capabilities.length,
                32
            );
        } else {
            for (uint256 i = 0; i < capabilities.length && expectedError.length == 0; ++i) {
                bool duplicate = false;
                for (uint256 j = 0; j < i; ++j) {
                    if (capabilities[j] == capabilities[i]) duplicate = true;
                }
                if (capabilities[i] == bytes32(0) || duplicate) {
                    expectedError = abi.encodeWithSelector(
                        Errors.ExecutorRegistry_InvalidCapability.selector,
                        capabilities[i]
                    );
                }
            }
        }

        if (expectedError.length != 0) vm.expectRevert(expectedError);
        vm.prank(newcomer);
        registry.register(ExecutorKind.Human, address(0), capabilities, "ipfs://newcomer");

        if (expectedError.length == 0) {
            assertEq(registry.capabilitiesOf(newcomer), capabilities, "capabilitiesOf");
            for (uint256 i = 0; i < capabilities.length; ++i) {
                assertTrue(registry.hasCapability(newcomer, capabilities[i]), "hasCapability");
            }
        }
    }
}
