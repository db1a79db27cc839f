// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IExecutorRegistry } from "../../../contracts/interfaces/IExecutorRegistry.sol";
import { ITaskMarket } from "../../../contracts/interfaces/ITaskMarket.sol";
import { ExecutorKind, TaskTerms } from "../../../contracts/types/TaskTypes.sol";

/// @notice An executor that is a contract refusing every plain ETH transfer, so that the market's push payments to it
/// fail and must be credited. Its controller drives it through the registry and the market and can withdraw its
/// credits to another address.
contract RejectingExecutor {
    error RejectingExecutor_EthRejected();
    error RejectingExecutor_CallerNotController(address caller);

    IExecutorRegistry public immutable registry;
    ITaskMarket public immutable market;
    address public immutable controller;

    constructor(IExecutorRegistry registry_, ITaskMarket market_) {
        registry = registry_;
        market = market_;
        controller = msg.sender;
    }

    modifier onlyController() {
        if (msg.sender != controller) revert RejectingExecutor_CallerNotController(msg.sender);
        _;
    }

    receive() external payable {
        revert RejectingExecutor_EthRejected();
    }

    function register(
        ExecutorKind kind,
        address operator,
        bytes32[] calldata capabilities,
        string calldata metadataURI
    ) external onlyController {
        registry.register(kind, operator, capabilities, metadataURI);
    }

    /// @dev Forwards `msg.value` as the claim bond of an ETH task.
    function claim(
        uint256 taskId,
        TaskTerms calldata terms,
        bytes32[] calldata capabilities
    ) external payable onlyController {
        market.claim{ value: msg.value }(taskId, terms, capabilities);
    }

    function start(uint256 taskId) external onlyController {
        market.start(taskId);
    }

    function submit(
        uint256 taskId,
        TaskTerms calldata terms,
        bytes32 resultHash,
        string calldata resultURI
    ) external onlyController {
        market.submit(taskId, terms, resultHash, resultURI);
    }

    function consentToCancel(uint256 taskId, TaskTerms calldata terms) external onlyController {
        market.consentToCancel(taskId, terms);
    }

    function withdraw(address token, address to) external onlyController {
        market.withdraw(token, to);
    }
}
