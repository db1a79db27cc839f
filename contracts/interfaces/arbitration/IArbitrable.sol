// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { IArbitrator } from "./IArbitrator.sol";

/// @title IArbitrable
/// @notice The side of ERC-792 that submits disputes and receives rulings.
interface IArbitrable {
    /// @notice Emitted when the arbitrator gives a final ruling on a dispute.
    event Ruling(IArbitrator indexed arbitrator, uint256 indexed disputeId, uint256 ruling);

    /// @notice Called by the arbitrator to enforce its final ruling. `ruling` 0 means it refused to arbitrate.
    function rule(uint256 disputeId, uint256 ruling) external;
}
