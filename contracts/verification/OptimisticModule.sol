// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../interfaces/ITaskMarket.sol";
import { IOptimisticModule } from "../interfaces/verification/IOptimisticModule.sol";
import { Errors } from "../libraries/Errors.sol";
import { TaskState, TaskStatus, TaskTerms } from "../types/TaskTypes.sol";
import { DisputableModule } from "./DisputableModule.sol";

/// @title OptimisticModule
/// @notice See the documentation in {IOptimisticModule}.
contract OptimisticModule is DisputableModule, IOptimisticModule {
    constructor(
        ITaskMarket market_,
        string memory metaEvidenceURI
    ) DisputableModule(market_, "TaskMarket OptimisticModule", metaEvidenceURI) {}

    /// @inheritdoc IOptimisticModule
    function configHash(OptimisticConfig calldata config) public pure override returns (bytes32) {
        return keccak256(abi.encode(config));
    }

    /// @inheritdoc IOptimisticModule
    function publishConfig(OptimisticConfig calldata config) external override {
        _checkConfig(config);
        emit OptimisticConfigPublished(configHash(config), config);
    }

    /// @inheritdoc IOptimisticModule
    function challenge(
        uint256 taskId,
        TaskTerms calldata terms,
        OptimisticConfig calldata config
    ) external payable override nonReentrant {
        _checkTerms(taskId, terms, configHash(config));
        _checkConfig(config);
        TaskState memory state = market.stateOf(taskId);
        address executor = state.executor;
        if (msg.sender == executor) revert Errors.OptimisticModule_ExecutorCannotChallenge(taskId);
        // One challenge per submission: a held submission is already challenged. A contest left from an earlier
        // submission (one the market settled when its hold ran out) is closed first.
        if (state.status != TaskStatus.Submitted) revert Errors.OptimisticModule_NotChallengeable(taskId);
        _closeStaleContest(taskId);
        uint256 balanceBefore = terms.verifierFee == 0 ? 0 : _tokenBalance(terms);

        emit SubmissionChallenged(taskId, msg.sender, config.challengeBond);
        // The market only holds a submission within its review window: a late challenge reverts there. If the
        // arbitrator never rules, the submission stands (share 100 %), as it would have unchallenged.
        _raiseDispute(taskId, terms, config.arbitrator, executor, false, config.challengeBond, BPS);

        // No one reviews an optimistic task: a verifier fee the poster set goes back to the poster.
        if (terms.verifierFee != 0) _forwardVerifierFee(terms, terms.poster, balanceBefore);
    }

    function _checkConfig(OptimisticConfig calldata config) private pure {
        if (address(config.arbitrator) == address(0)) revert Errors.VerificationModule_ZeroAddress();
        if (config.challengeBond == 0) revert Errors.OptimisticModule_ZeroChallengeBond();
    }
}
