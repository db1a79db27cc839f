// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Eligibility, ExecutorProfile, IExecutorRegistry } from "./interfaces/IExecutorRegistry.sol";
import { Errors } from "./libraries/Errors.sol";
import { ExecutorKind } from "./types/TaskTypes.sol";

/// @title ExecutorRegistry
/// @notice See the documentation in {IExecutorRegistry}.
contract ExecutorRegistry is IExecutorRegistry {
    /// @inheritdoc IExecutorRegistry
    uint256 public constant override MAX_EXECUTOR_CAPABILITIES = 32;

    mapping(address executor => ExecutorProfile profile) private _profiles;
    mapping(address executor => bytes32[] capabilities) private _capabilityLists;
    mapping(address executor => mapping(bytes32 capability => bool declared)) private _declared;

    /*//////////////////////////////////////////////////////////////
                             READ FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IExecutorRegistry
    function profileOf(address executor) external view override returns (ExecutorProfile memory) {
        return _profiles[executor];
    }

    /// @inheritdoc IExecutorRegistry
    function operatorOf(address executor) external view override returns (address) {
        return _profiles[executor].operator;
    }

    /// @inheritdoc IExecutorRegistry
    function capabilitiesOf(address executor) external view override returns (bytes32[] memory) {
        return _capabilityLists[executor];
    }

    /// @inheritdoc IExecutorRegistry
    function hasCapability(address executor, bytes32 capability) external view override returns (bool) {
        return _declared[executor][capability];
    }

    /// @inheritdoc IExecutorRegistry
    function eligibilityOf(
        address executor,
        ExecutorKind requiredKind,
        bytes32[] calldata requiredCapabilities
    ) external view override returns (Eligibility) {
        ExecutorProfile memory profile = _profiles[executor];
        if (profile.registeredAt == 0) return Eligibility.NotRegistered;
        if (!profile.active) return Eligibility.Inactive;
        if (requiredKind != ExecutorKind.Any && profile.kind != requiredKind) return Eligibility.KindMismatch;
        mapping(bytes32 => bool) storage declared = _declared[executor];
        // Bounded: callers pass at most TaskMarket.MAX_TASK_CAPABILITIES ids.
        for (uint256 i = 0; i < requiredCapabilities.length; ++i) {
            if (!declared[requiredCapabilities[i]]) return Eligibility.MissingCapability;
        }
        return Eligibility.Eligible;
    }

    /*//////////////////////////////////////////////////////////////
                            WRITE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IExecutorRegistry
    function register(
        ExecutorKind kind,
        address operator,
        bytes32[] calldata capabilities,
        string calldata metadataURI
    ) external override {
        if (_profiles[msg.sender].registeredAt != 0) revert Errors.ExecutorRegistry_AlreadyRegistered(msg.sender);
        if (kind == ExecutorKind.Any) revert Errors.ExecutorRegistry_InvalidKind();
        _checkOperator(kind, operator);

        _profiles[msg.sender] = ExecutorProfile({
            kind: kind,
            active: true,
            registeredAt: uint40(block.timestamp),
            operator: operator
        });
        _replaceCapabilities(msg.sender, capabilities);

        emit ExecutorRegistered(msg.sender, kind, operator, capabilities, metadataURI);
    }

    /// @inheritdoc IExecutorRegistry
    function updateProfile(
        address operator,
        bytes32[] calldata capabilities,
        string calldata metadataURI
    ) external override {
        ExecutorProfile storage profile = _registeredProfile(msg.sender);
        _checkOperator(profile.kind, operator);

        profile.operator = operator;
        _replaceCapabilities(msg.sender, capabilities);

        emit ExecutorUpdated(msg.sender, operator, capabilities, metadataURI);
    }

    /// @inheritdoc IExecutorRegistry
    function setActive(bool active) external override {
        ExecutorProfile storage profile = _registeredProfile(msg.sender);
        if (profile.active == active) revert Errors.ExecutorRegistry_ActivationUnchanged(msg.sender, active);

        profile.active = active;

        emit ExecutorActivationChanged(msg.sender, active);
    }

    /*//////////////////////////////////////////////////////////////
                           PRIVATE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    function _registeredProfile(address executor) private view returns (ExecutorProfile storage profile) {
        profile = _profiles[executor];
        if (profile.registeredAt == 0) revert Errors.ExecutorRegistry_NotRegistered(executor);
    }

    function _checkOperator(ExecutorKind kind, address operator) private pure {
        // An agent acts for someone: that someone must be on record. A person may name an agency, or no one.
        if (kind == ExecutorKind.Agent && operator == address(0)) revert Errors.ExecutorRegistry_OperatorRequired();
    }

    function _replaceCapabilities(address executor, bytes32[] calldata capabilities) private {
        if (capabilities.length > MAX_EXECUTOR_CAPABILITIES) {
            revert Errors.ExecutorRegistry_TooManyCapabilities(capabilities.length, MAX_EXECUTOR_CAPABILITIES);
        }
        mapping(bytes32 => bool) storage declared = _declared[executor];
        bytes32[] storage list = _capabilityLists[executor];

        // Both loops are bounded by MAX_EXECUTOR_CAPABILITIES.
        for (uint256 i = 0; i < list.length; ++i) {
            delete declared[list[i]];
        }
        delete _capabilityLists[executor];
        for (uint256 i = 0; i < capabilities.length; ++i) {
            bytes32 capability = capabilities[i];
            if (capability == bytes32(0) || declared[capability]) {
                revert Errors.ExecutorRegistry_InvalidCapability(capability);
            }
            declared[capability] = true;
            list.push(capability);
        }
    }
}
