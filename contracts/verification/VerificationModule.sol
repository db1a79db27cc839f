// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../interfaces/ITaskMarket.sol";
import { Errors } from "../libraries/Errors.sol";
import { TaskTerms } from "../types/TaskTypes.sol";

/// @title VerificationModule
/// @notice What every verification module shares. A poster chooses a method by naming the module as the task's
/// `verifier` and committing to the module's configuration for the task in `verifierConfigHash`; the module then
/// decides on submissions through the market's verifier hooks, and the market still holds every wei of the escrow.
/// @dev Modules store no per-task configuration: each call passes the terms (checked by the market) and the
/// configuration (checked here against the terms), like the market's own calls do.
abstract contract VerificationModule {
    /// @notice The market whose tasks this module verifies.
    ITaskMarket public immutable market;

    constructor(ITaskMarket market_) {
        if (address(market_) == address(0)) revert Errors.VerificationModule_ZeroAddress();
        market = market_;
    }

    /// @dev Checks that the terms name this module; the market checks them against the task.
    function _checkVerifier(uint256 taskId, TaskTerms calldata terms) internal view {
        if (terms.verifier != address(this)) revert Errors.VerificationModule_NotVerifier(taskId, terms.verifier);
    }

    /// @dev Checks that the task names this module as its verifier and commits to `configHash`. The market checks the
    /// terms against the task when the module calls it, so a module never acts on terms the poster did not agree to.
    function _checkTerms(uint256 taskId, TaskTerms calldata terms, bytes32 configHash) internal view {
        _checkVerifier(taskId, terms);
        if (terms.verifierConfigHash != configHash) {
            revert Errors.VerificationModule_ConfigMismatch(taskId, terms.verifierConfigHash, configHash);
        }
    }
}
