// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ExecutorProfile, IExecutorRegistry } from "../../../../contracts/interfaces/IExecutorRegistry.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorKind } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";
import { ContractAccount } from "../../utils/TestAccounts.sol";

contract Register_Unit_Test is Base_Test {
    address internal newcomer = makeAddr("newcomer");
    string internal constant METADATA_URI = "ipfs://newcomer";

    function capabilityList(uint256 count) internal pure returns (bytes32[] memory capabilities) {
        capabilities = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) {
            capabilities[i] = keccak256(abi.encode("capability", i));
        }
    }

    function registerAs(address account, ExecutorKind kind, address operator_, bytes32[] memory capabilities) private {
        vm.prank(account);
        registry.register(kind, operator_, capabilities, METADATA_URI);
    }

    function test_RevertGiven_AlreadyRegistered() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.ExecutorRegistry_AlreadyRegistered.selector, human));
        registerAs(human, ExecutorKind.Human, address(0), noCapabilities());
    }

    function test_RevertGiven_AlreadyRegisteredAndInactive() external {
        vm.prank(agent);
        registry.setActive(false);
        vm.expectRevert(abi.encodeWithSelector(Errors.ExecutorRegistry_AlreadyRegistered.selector, agent));
        registerAs(agent, ExecutorKind.Human, address(0), noCapabilities());
    }

    function test_RevertWhen_KindAny() external {
        vm.expectRevert(Errors.ExecutorRegistry_InvalidKind.selector);
        registerAs(newcomer, ExecutorKind.Any, operator, noCapabilities());
    }

    function test_RevertWhen_AgentWithoutOperator() external {
        vm.expectRevert(Errors.ExecutorRegistry_OperatorRequired.selector);
        registerAs(newcomer, ExecutorKind.Agent, address(0), noCapabilities());
    }

    function test_RevertWhen_TooManyCapabilities() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.ExecutorRegistry_TooManyCapabilities.selector, 33, 32));
        registerAs(newcomer, ExecutorKind.Human, address(0), capabilityList(33));
    }

    function test_RevertWhen_CapabilityZero() external {
        bytes32[] memory capabilities = capabilityList(3);
        capabilities[2] = bytes32(0);
        vm.expectRevert(abi.encodeWithSelector(Errors.ExecutorRegistry_InvalidCapability.selector, bytes32(0)));
        registerAs(newcomer, ExecutorKind.Human, address(0), capabilities);
    }

    function test_RevertWhen_CapabilityDuplicated() external {
        bytes32[] memory capabilities = capabilityList(3);
        capabilities[2] = capabilities[0];
        vm.expectRevert(abi.encodeWithSelector(Errors.ExecutorRegistry_InvalidCapability.selector, capabilities[0]));
        registerAs(newcomer, ExecutorKind.Human, address(0), capabilities);
    }

    function test_WhenHumanWithoutOperator_ItShouldRegister() external {
        bytes32[] memory capabilities = capabilityList(3);
        vm.expectEmit(address(registry));
        emit IExecutorRegistry.ExecutorRegistered(newcomer, ExecutorKind.Human, address(0), capabilities, METADATA_URI);
        registerAs(newcomer, ExecutorKind.Human, address(0), capabilities);

        ExecutorProfile memory profile = registry.profileOf(newcomer);
        assertEq(uint256(profile.kind), uint256(ExecutorKind.Human), "kind");
        assertTrue(profile.active, "active");
        assertEq(profile.registeredAt, block.timestamp, "registeredAt");
        assertEq(profile.operator, address(0), "operator");
        assertEq(registry.capabilitiesOf(newcomer), capabilities, "capabilities in the order given");
        for (uint256 i = 0; i < capabilities.length; ++i) {
            assertTrue(registry.hasCapability(newcomer, capabilities[i]), "hasCapability");
        }
        assertFalse(registry.hasCapability(newcomer, keccak256("undeclared")), "undeclared");
    }

    function test_WhenHumanNamesAnAgency_ItShouldRegister() external {
        registerAs(newcomer, ExecutorKind.Human, operator, noCapabilities());
        assertEq(registry.profileOf(newcomer).operator, operator, "operator");
    }

    function test_WhenAgentNamesOperator_ItShouldRegister() external {
        vm.expectEmit(address(registry));
        emit IExecutorRegistry.ExecutorRegistered(
            newcomer,
            ExecutorKind.Agent,
            operator,
            noCapabilities(),
            METADATA_URI
        );
        registerAs(newcomer, ExecutorKind.Agent, operator, noCapabilities());
        ExecutorProfile memory profile = registry.profileOf(newcomer);
        assertEq(uint256(profile.kind), uint256(ExecutorKind.Agent), "kind");
        assertEq(profile.operator, operator, "operator");
        assertEq(registry.capabilitiesOf(newcomer).length, 0, "no capabilities");
    }

    function test_WhenMaximumCapabilities_ItShouldRegister() external {
        bytes32[] memory capabilities = capabilityList(32);
        registerAs(newcomer, ExecutorKind.Human, address(0), capabilities);
        assertEq(registry.capabilitiesOf(newcomer), capabilities, "capabilities");
        assertEq(registry.MAX_EXECUTOR_CAPABILITIES(), 32, "MAX_EXECUTOR_CAPABILITIES");
    }

    function test_WhenCallerIsContract_ItShouldRegisterTheContract() external {
        // A smart account registers itself; the registry never looks past `msg.sender`.
        ContractAccount account = new ContractAccount();
        account.execute(
            address(registry),
            0,
            abi.encodeCall(registry.register, (ExecutorKind.Agent, operator, noCapabilities(), METADATA_URI))
        );
        assertTrue(registry.profileOf(address(account)).active, "active");
    }

    function test_GivenNotRegistered_ProfileOfShouldBeEmpty() external view {
        ExecutorProfile memory profile = registry.profileOf(newcomer);
        assertEq(uint256(profile.kind), uint256(ExecutorKind.Any), "kind");
        assertFalse(profile.active, "active");
        assertEq(profile.registeredAt, 0, "registeredAt");
        assertEq(profile.operator, address(0), "operator");
        assertEq(registry.capabilitiesOf(newcomer).length, 0, "capabilities");
        assertFalse(registry.hasCapability(newcomer, CAP_SOLIDITY), "hasCapability");
        assertEq(registry.operatorOf(newcomer), address(0), "operatorOf");
    }

    function test_OperatorOfShouldReturnTheDeclaredOperator() external {
        assertEq(registry.operatorOf(agent), operator, "agent");
        assertEq(registry.operatorOf(human), address(0), "human without one");
        registerAs(newcomer, ExecutorKind.Human, stranger, noCapabilities());
        assertEq(registry.operatorOf(newcomer), stranger, "human naming an agency");
        assertEq(registry.operatorOf(newcomer), registry.profileOf(newcomer).operator, "matches profileOf");
    }
}
