// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { ExecutorKind } from "../types/TaskTypes.sol";

/// @notice Why an account may or may not execute a task.
enum Eligibility {
    Eligible,
    NotRegistered,
    Inactive,
    KindMismatch,
    MissingCapability
}

/// @notice An executor's registered profile, packed into one storage slot.
struct ExecutorProfile {
    ExecutorKind kind;
    bool active;
    uint40 registeredAt;
    /// @dev For an agent, the person or organisation accountable for it; zero for a human.
    address operator;
}

/// @title IExecutorRegistry
/// @notice The registry of executors — people and autonomous agents alike — with the capabilities they offer.
/// @dev Capability ids are `keccak256` of a namespaced, lower-case name, e.g. `keccak256("lang:solidity")` or
/// `keccak256("skill:translation/de-en")`. The registry stores ids only; names travel in events.
/// Executors may be EOAs or smart accounts: every call acts for `msg.sender`.
interface IExecutorRegistry {
    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Emitted when an account registers as an executor.
    event ExecutorRegistered(
        address indexed executor,
        ExecutorKind kind,
        address indexed operator,
        bytes32[] capabilities,
        string metadataURI
    );

    /// @notice Emitted when an executor replaces its operator, capabilities or metadata.
    event ExecutorUpdated(
        address indexed executor,
        address indexed operator,
        bytes32[] capabilities,
        string metadataURI
    );

    /// @notice Emitted when an executor deactivates or reactivates itself.
    event ExecutorActivationChanged(address indexed executor, bool active);

    /*//////////////////////////////////////////////////////////////
                             READ FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice The most capabilities an executor may declare.
    function MAX_EXECUTOR_CAPABILITIES() external view returns (uint256);

    /// @notice Returns the profile of `executor` (kind `Any`, inactive and zero timestamp if unregistered).
    function profileOf(address executor) external view returns (ExecutorProfile memory);

    /// @notice Returns the operator `executor` named (zero for an unregistered account or a human without one).
    function operatorOf(address executor) external view returns (address);

    /// @notice Returns the capability ids `executor` has declared, in the order given.
    function capabilitiesOf(address executor) external view returns (bytes32[] memory);

    /// @notice Returns whether `executor` has declared `capability`.
    function hasCapability(address executor, bytes32 capability) external view returns (bool);

    /// @notice Returns whether `executor` may take a task for `requiredKind` that needs `requiredCapabilities`, and
    /// if not, the first reason it may not.
    function eligibilityOf(
        address executor,
        ExecutorKind requiredKind,
        bytes32[] calldata requiredCapabilities
    ) external view returns (Eligibility);

    /*//////////////////////////////////////////////////////////////
                            WRITE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Registers `msg.sender` as an executor.
    /// @dev Emits {ExecutorRegistered}.
    ///
    /// Requirements:
    /// - `msg.sender` must not be registered.
    /// - `kind` must be `Human` or `Agent`; an agent must name a non-zero `operator`.
    /// - `capabilities` holds at most `MAX_EXECUTOR_CAPABILITIES` distinct, non-zero ids.
    function register(
        ExecutorKind kind,
        address operator,
        bytes32[] calldata capabilities,
        string calldata metadataURI
    ) external;

    /// @notice Replaces the caller's operator, capabilities and metadata URI. The kind is fixed at registration.
    /// @dev Emits {ExecutorUpdated}. Same requirements as {register}, and the caller must be registered.
    function updateProfile(address operator, bytes32[] calldata capabilities, string calldata metadataURI) external;

    /// @notice Deactivates (`active = false`) or reactivates the caller. An inactive executor cannot claim tasks;
    /// claims it already holds are unaffected.
    /// @dev Emits {ExecutorActivationChanged}.
    function setActive(bool active) external;
}
