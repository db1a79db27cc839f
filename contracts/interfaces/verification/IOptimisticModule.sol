// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { IArbitrator } from "../arbitration/IArbitrator.sol";
import { TaskTerms } from "../../types/TaskTypes.sol";
import { IDisputableModule } from "./IDisputableModule.sol";

/// @title IOptimisticModule
/// @notice Optimistic verification: a submission is accepted when its challenge window — the task's review window —
/// passes without a challenge, and anyone then settles it with the market's `release`. Anyone but the executor may
/// challenge within the window by posting the challenge bond with the arbitration fee; the executor must match both
/// within `FEE_PAYMENT_PERIOD` or lose. The arbitrator's ruling splits the escrow; the losing side's bond pays the
/// winner, less `TREASURY_SHARE_BPS` for the treasury, so that challenging one's own task always costs something.
/// @dev If the arbitrator refuses or fails to rule, the submission stands, as it would have without a challenge.
interface IOptimisticModule is IDisputableModule {
    /// @notice A task's optimistic configuration; `TaskTerms.verifierConfigHash` commits to it.
    struct OptimisticConfig {
        IArbitrator arbitrator;
        uint128 challengeBond;
    }

    /// @notice Emitted by {publishConfig}.
    event OptimisticConfigPublished(bytes32 indexed configHash, OptimisticConfig config);

    /// @notice Emitted when a submission is challenged.
    event SubmissionChallenged(uint256 indexed taskId, address indexed challenger, uint256 bond);

    /// @notice The hash a task's terms commit to for `config`.
    function configHash(OptimisticConfig calldata config) external pure returns (bytes32);

    /// @notice Emits `config` so that executors and indexers can read what a task's hash commits to.
    function publishConfig(OptimisticConfig calldata config) external;

    /// @notice Challenges the submission under review. `msg.value` is the arbitration cost plus the challenge bond.
    /// Requirements: the task's challenge window open, caller not the executor.
    function challenge(uint256 taskId, TaskTerms calldata terms, OptimisticConfig calldata config) external payable;
}
