// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice What an executor must satisfy, beyond the task's kind and capabilities, to be given a task by an
/// assignment module: a minimum on-chain record, and the tasks this one depends on.
/// @dev Part of every assignment module's configuration, which `TaskOptions.assignerConfigHash` commits to.
struct Requirements {
    /// @dev The least number of tasks the executor must have completed (`ExecutorRecord.completed`).
    uint32 minCompleted;
    /// @dev The largest share, in basis points, of the executor's disputes that it may have lost
    /// (`disputesLost / (disputesWon + disputesLost)`); 10,000 disables the gate. An executor without disputes passes.
    uint16 maxDisputesLostBps;
    /// @dev Ids of earlier tasks (strictly ascending, each below the task's own id, at most `MAX_DEPENDENCIES`) that
    /// must all be `Verified` or `Settled` before the task is given to anyone.
    uint256[] dependencies;
}
