// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { ITaskMarket } from "../ITaskMarket.sol";
import { Requirements } from "../../types/AssignmentTypes.sol";

/// @title IAssignmentModule
/// @notice What every assignment module shares. A poster chooses how its task is given out by naming a module as the
/// task's `assigner` in `TaskOptions` and committing to the module's configuration for the task in
/// `assignerConfigHash`; the market then gives the task only through the module's `assign` call, and the module may
/// cancel it while it is open.
/// @dev Modules store no per-task configuration: each call passes the terms and the configuration, and the module
/// checks them against the task.
interface IAssignmentModule {
    /// @notice The market whose tasks this module assigns.
    function market() external view returns (ITaskMarket);

    /// @notice The most dependencies a task may list.
    function MAX_DEPENDENCIES() external view returns (uint256);

    /// @notice Emitted when a task's dependencies were found `Verified` or `Settled` as it was given out: the
    /// dependencies' accepted results (their `WorkSubmitted` events) are the task's inputs.
    event DependenciesMet(uint256 indexed taskId, uint256[] dependencies);

    /// @notice Emitted when a task was cancelled because one of its dependencies was cancelled or expired.
    event DependencyFailed(uint256 indexed taskId, uint256 indexed dependency);

    /// @notice Whether `executor` meets `requirements`' reputation gate now (dependencies aside).
    function meetsGate(address executor, Requirements calldata requirements) external view returns (bool);

    /// @notice Whether every dependency in `requirements` is `Verified` or `Settled` now.
    function dependenciesMet(Requirements calldata requirements) external view returns (bool);
}
