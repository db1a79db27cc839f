// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../interfaces/ITaskMarket.sol";
import { IReviewModule } from "../interfaces/verification/IReviewModule.sol";
import { Errors } from "../libraries/Errors.sol";
import { TaskState, TaskStatus, TaskTerms } from "../types/TaskTypes.sol";
import { DisputableModule } from "./DisputableModule.sol";

/// @title ReviewModule
/// @notice See the documentation in {IReviewModule}.
contract ReviewModule is DisputableModule, IReviewModule {
    constructor(
        ITaskMarket market_,
        string memory metaEvidenceURI
    ) DisputableModule(market_, "TaskMarket ReviewModule", metaEvidenceURI) {}

    /// @inheritdoc IReviewModule
    function configHash(ReviewConfig calldata config) public pure override returns (bytes32) {
        return keccak256(abi.encode(config));
    }

    /// @inheritdoc IReviewModule
    function publishConfig(ReviewConfig calldata config) external override {
        _checkConfig(config);
        emit ReviewConfigPublished(configHash(config), config);
    }

    /// @inheritdoc IReviewModule
    function approve(
        uint256 taskId,
        TaskTerms calldata terms,
        ReviewConfig calldata config
    ) external override nonReentrant {
        _checkReviewer(taskId, terms, config);
        uint256 balanceBefore = _tokenBalance(terms);

        market.approve(taskId, terms);

        _forwardVerifierFee(terms, config.reviewer, balanceBefore);
    }

    /// @inheritdoc IReviewModule
    function reject(
        uint256 taskId,
        TaskTerms calldata terms,
        ReviewConfig calldata config,
        bytes32 reasonHash
    ) external override nonReentrant {
        _checkReviewer(taskId, terms, config);
        _closeStaleContest(taskId);
        uint256 balanceBefore = _tokenBalance(terms);

        emit ReviewRejected(taskId, msg.sender, reasonHash);
        if (config.contestWindow == 0) market.reject(taskId, terms, reasonHash);
        else _openContest(taskId, terms, 0, true, config.contestWindow);

        _forwardVerifierFee(terms, config.reviewer, balanceBefore);
    }

    /// @inheritdoc IReviewModule
    function acceptPartially(
        uint256 taskId,
        TaskTerms calldata terms,
        ReviewConfig calldata config,
        uint16 executorShareBps
    ) external override nonReentrant {
        _checkReviewer(taskId, terms, config);
        if (executorShareBps > BPS) revert Errors.DisputableModule_InvalidShare(executorShareBps);
        _closeStaleContest(taskId);
        uint256 balanceBefore = _tokenBalance(terms);

        emit ReviewPartiallyAccepted(taskId, msg.sender, executorShareBps);
        if (config.contestWindow == 0) market.resolve(taskId, terms, executorShareBps);
        else _openContest(taskId, terms, executorShareBps, false, config.contestWindow);

        _forwardVerifierFee(terms, config.reviewer, balanceBefore);
    }

    /// @inheritdoc IReviewModule
    function dispute(
        uint256 taskId,
        TaskTerms calldata terms,
        ReviewConfig calldata config
    ) external payable override nonReentrant {
        _checkTerms(taskId, terms, configHash(config));
        _disputeDecision(taskId, terms, config.arbitrator);
    }

    /// @inheritdoc IReviewModule
    function acceptRejection(uint256 taskId, TaskTerms calldata terms) external override nonReentrant {
        _checkVerifier(taskId, terms);
        _acceptRejection(taskId, terms);
    }

    /// @dev Checks the configuration, that the caller is its reviewer, and that the reviewer is not judging its own
    /// work.
    function _checkReviewer(uint256 taskId, TaskTerms calldata terms, ReviewConfig calldata config) private view {
        _checkTerms(taskId, terms, configHash(config));
        _checkConfig(config);
        if (msg.sender != config.reviewer) revert Errors.ReviewModule_CallerNotReviewer(taskId, msg.sender);
        TaskState memory state = market.stateOf(taskId);
        if (state.executor == config.reviewer) revert Errors.ReviewModule_ReviewerIsExecutor(taskId, config.reviewer);
        // A held submission is being contested: only the contest may end it, not a new decision.
        if (state.status != TaskStatus.Submitted) revert Errors.ReviewModule_NotUnderReview(taskId);
    }

    function _checkConfig(ReviewConfig calldata config) private pure {
        if (config.reviewer == address(0)) revert Errors.VerificationModule_ZeroAddress();
        if (config.contestWindow > MAX_CONTEST_WINDOW) {
            revert Errors.DisputableModule_ContestWindowTooLong(config.contestWindow, MAX_CONTEST_WINDOW);
        }
        // A contest window with no one to hear the dispute would only delay the decision.
        if (config.contestWindow != 0 && address(config.arbitrator) == address(0)) {
            revert Errors.VerificationModule_ZeroAddress();
        }
    }
}
