// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import { ITaskMarket } from "../../../contracts/interfaces/ITaskMarket.sol";
import { TaskTerms } from "../../../contracts/types/TaskTypes.sol";

/// @notice A stand-in for an assignment module: it forwards `assign` and `cancel` to the market as the task's
/// assigner, and pays claim bonds out of what it holds (ETH, or tokens the market may pull). Anyone may drive it, so
/// that tests decide who gets a task and at what price; a real module decides that itself.
contract MockAssigner {
    ITaskMarket public immutable market;

    constructor(ITaskMarket market_) {
        market = market_;
    }

    /// @notice Lets the market pull `token` (claim bonds of tasks paid in it) from this contract.
    function approveToken(IERC20 token) external {
        token.approve(address(market), type(uint256).max);
    }

    /// @notice Gives the task to `executor` at `price`, paying an ETH bond from this contract's balance (which
    /// `msg.value` tops up) and a token bond by the allowance of {approveToken}.
    function assign(
        uint256 taskId,
        TaskTerms calldata terms,
        address executor,
        uint256 price,
        bytes32[] calldata capabilities
    ) external payable {
        uint256 bond = terms.token == address(0) ? terms.claimBond : 0;
        market.assign{ value: bond }(taskId, terms, executor, price, capabilities);
    }

    /// @notice Same as {assign}, sending exactly `value` with the call (to test a wrong payment).
    function assignWithValue(
        uint256 taskId,
        TaskTerms calldata terms,
        address executor,
        uint256 price,
        bytes32[] calldata capabilities,
        uint256 value
    ) external payable {
        market.assign{ value: value }(taskId, terms, executor, price, capabilities);
    }

    function cancel(uint256 taskId, TaskTerms calldata terms) external {
        market.cancel(taskId, terms);
    }

    /// @dev Holds ETH for bonds.
    receive() external payable {}
}
