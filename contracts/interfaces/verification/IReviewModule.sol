// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { IArbitrator } from "../arbitration/IArbitrator.sol";
import { TaskTerms } from "../../types/TaskTypes.sol";
import { IDisputableModule } from "./IDisputableModule.sol";

/// @title IReviewModule
/// @notice Human review with recourse: a named reviewer — the poster itself or someone it delegates to — decides on
/// each submission, earns the task's verifier fee for its first decision, and a rejection or partial acceptance can
/// be disputed before an arbitrator within the configured contest window.
/// @dev With `contestWindow` zero, decisions take effect at once and cannot be disputed (review as in the core
/// market, plus the reviewer's fee). An approval always takes effect at once: the poster chose the reviewer.
interface IReviewModule is IDisputableModule {
    /// @notice A task's review configuration; `TaskTerms.verifierConfigHash` commits to it.
    struct ReviewConfig {
        address reviewer;
        IArbitrator arbitrator;
        uint32 contestWindow;
    }

    /// @notice Emitted by {publishConfig}.
    event ReviewConfigPublished(bytes32 indexed configHash, ReviewConfig config);

    /// @notice Emitted when the reviewer rejects a submission (it takes effect now, or after the contest window).
    event ReviewRejected(uint256 indexed taskId, address indexed reviewer, bytes32 reasonHash);

    /// @notice Emitted when the reviewer accepts a submission in part.
    event ReviewPartiallyAccepted(uint256 indexed taskId, address indexed reviewer, uint16 executorShareBps);

    /// @notice The hash a task's terms commit to for `config`.
    function configHash(ReviewConfig calldata config) external pure returns (bytes32);

    /// @notice Emits `config` so that executors and indexers can read what a task's hash commits to.
    function publishConfig(ReviewConfig calldata config) external;

    /// @notice Accepts the submission under review. Requirements: caller the reviewer, who is not the executor.
    function approve(uint256 taskId, TaskTerms calldata terms, ReviewConfig calldata config) external;

    /// @notice Rejects the submission under review, at once or after the contest window.
    function reject(
        uint256 taskId,
        TaskTerms calldata terms,
        ReviewConfig calldata config,
        bytes32 reasonHash
    ) external;

    /// @notice Accepts the submission in part: the executor gets `executorShareBps` of its amount, the poster the rest,
    /// at once or after the contest window.
    function acceptPartially(
        uint256 taskId,
        TaskTerms calldata terms,
        ReviewConfig calldata config,
        uint16 executorShareBps
    ) external;

    /// @notice Disputes the contested decision: the executor disputes a rejection or partial acceptance, the poster a
    /// partial acceptance. `msg.value` is the arbitrator's cost; the other party must match it.
    function dispute(uint256 taskId, TaskTerms calldata terms, ReviewConfig calldata config) external payable;

    /// @notice Lets a contested rejection take effect at once, so that the executor can resubmit. Executor only.
    function acceptRejection(uint256 taskId, TaskTerms calldata terms) external;
}
