// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { NonReentrant } from "../abstracts/NonReentrant.sol";
import { IGatedClaim } from "../interfaces/assignment/IGatedClaim.sol";
import { ITaskMarket } from "../interfaces/ITaskMarket.sol";
import { TaskTerms } from "../types/TaskTypes.sol";
import { AssignmentModule } from "./AssignmentModule.sol";

/// @title GatedClaim
/// @notice See the documentation in {IGatedClaim}.
contract GatedClaim is AssignmentModule, NonReentrant, IGatedClaim {
    /// @param market_ The market whose tasks this module gives out.
    constructor(ITaskMarket market_) AssignmentModule(market_) {}

    /// @inheritdoc IGatedClaim
    function configHash(GateConfig calldata config) public pure override returns (bytes32) {
        return keccak256(abi.encode(config));
    }

    /// @inheritdoc IGatedClaim
    function publishConfig(uint256 taskId, TaskTerms calldata terms, GateConfig calldata config) external override {
        bytes32 hash = configHash(config);
        _checkTask(taskId, terms, hash);
        _checkRequirements(taskId, config.requirements);
        emit GateConfigPublished(taskId, hash, config);
    }

    /// @inheritdoc IGatedClaim
    function claim(
        uint256 taskId,
        TaskTerms calldata terms,
        GateConfig calldata config,
        bytes32[] calldata capabilities
    ) external payable override nonReentrant {
        _checkTask(taskId, terms, configHash(config));
        _checkRequirements(taskId, config.requirements);
        _checkCandidate(taskId, terms, config.requirements, msg.sender, capabilities);
        // The bond passes straight through to the market: nothing stays in the module after the call.
        _takeDeposit(terms, terms.claimBond);
        _assign(taskId, terms, config.requirements, msg.sender, _currentPrice(taskId, terms), capabilities);
    }

    /// @inheritdoc IGatedClaim
    function cancelForFailedDependency(
        uint256 taskId,
        TaskTerms calldata terms,
        GateConfig calldata config,
        uint256 index
    ) external override nonReentrant {
        _checkTask(taskId, terms, configHash(config));
        uint256 count = config.requirements.dependencies.length;
        // Checked here so that a wrong index reverts with a reason rather than an out-of-bounds panic.
        if (index >= count) revert GatedClaim_DependencyIndexOutOfRange(taskId, index, count);
        _cancelForFailedDependency(taskId, terms, config.requirements, index);
    }
}
