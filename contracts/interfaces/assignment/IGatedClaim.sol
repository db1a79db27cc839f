// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { IAssignmentModule } from "./IAssignmentModule.sol";
import { Requirements } from "../../types/AssignmentTypes.sol";
import { TaskTerms } from "../../types/TaskTypes.sol";

/// @title IGatedClaim
/// @notice First-come claiming behind a reputation gate and dependencies: the first executor that is eligible, passes
/// the gate and finds every dependency `Verified` or `Settled` gets the task, at its reward, by calling {claim}.
/// @dev Rules:
/// - A poster picks this method by naming the module as the task's `assigner` in `TaskOptions` and committing to a
///   `GateConfig` in `assignerConfigHash` (see {configHash}). The module stores nothing: every call passes the terms
///   and the configuration, checked against the task. {publishConfig} emits the configuration so that executors and
///   indexers learn the gate and the dependencies before anyone claims.
/// - The claimant pays the task's claim bond through the module: ETH in `msg.value`, or an ERC-20 allowance to this
///   module (not to the market), which the module pulls and passes on to the market in the same call. The module
///   never holds funds between calls.
/// - A task whose dependency was cancelled or expired can never be claimed: anyone may cancel it with
///   {cancelForFailedDependency}, which refunds the poster.
interface IGatedClaim is IAssignmentModule {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice A task's gate; `TaskOptions.assignerConfigHash` commits to `keccak256(abi.encode(config))`.
    struct GateConfig {
        Requirements requirements;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice `index` does not point into the configuration's `count` dependencies.
    error GatedClaim_DependencyIndexOutOfRange(uint256 taskId, uint256 index, uint256 count);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Emitted by {publishConfig}: task `taskId` commits to `config`, whose hash is `configHash`.
    event GateConfigPublished(uint256 indexed taskId, bytes32 indexed configHash, GateConfig config);

    /*//////////////////////////////////////////////////////////////
                             READ FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice The hash a task's options commit to for `config`: `keccak256(abi.encode(config))`.
    function configHash(GateConfig calldata config) external pure returns (bytes32);

    /*//////////////////////////////////////////////////////////////
                            WRITE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Emits the configuration of task `taskId` after checking it against the task, so that indexers learn its
    /// gate and dependencies before anyone claims. Anyone may call it; it changes nothing.
    /// @dev Emits {GateConfigPublished}.
    ///
    /// Requirements:
    /// - `terms` are the task's terms, the task names this module as its assigner and commits to `config`.
    /// - `config.requirements` is well formed: at most `MAX_DEPENDENCIES` strictly ascending dependencies, each below
    ///   `taskId`, and `maxDisputesLostBps` at most 10,000.
    function publishConfig(uint256 taskId, TaskTerms calldata terms, GateConfig calldata config) external;

    /// @notice Claims task `taskId` for the caller at its current price, paying its claim bond.
    /// @dev Emits {DependenciesMet} when the task has dependencies; the market emits {ITaskMarket-TaskClaimed}.
    ///
    /// Requirements:
    /// - As {publishConfig} for the terms and the configuration.
    /// - The caller is neither the poster nor the verifier, is registered and eligible for the task's kind with
    ///   `capabilities` (which must be the task's list, checked by the market), and passes the gate.
    /// - Every dependency is `Verified` or `Settled`.
    /// - The task is `Posted` (never claimed, or its last claim lapsed).
    /// - For ETH, `msg.value` is the claim bond; for an ERC-20, `msg.value` is zero and the caller allowed this module
    ///   to pull the claim bond.
    /// @param capabilities The task's required capabilities, strictly ascending, as hashed in its terms.
    function claim(
        uint256 taskId,
        TaskTerms calldata terms,
        GateConfig calldata config,
        bytes32[] calldata capabilities
    ) external payable;

    /// @notice Cancels task `taskId` because its dependency at `index` was cancelled or expired, refunding the
    /// poster. Anyone may call it.
    /// @dev Emits {DependencyFailed}; the market emits {ITaskMarket-TaskCancelled}.
    ///
    /// Requirements:
    /// - As {publishConfig} for the terms and the configuration (the shape of the requirements aside).
    /// - `index` points into `config.requirements.dependencies`, and that dependency is `Cancelled` or `Expired`.
    /// - The task is `Posted`.
    function cancelForFailedDependency(
        uint256 taskId,
        TaskTerms calldata terms,
        GateConfig calldata config,
        uint256 index
    ) external;
}
