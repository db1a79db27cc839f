// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { IArbitrable } from "./IArbitrable.sol";

/// @title IArbitrator
/// @notice The ERC-792 arbitrator interface, so that any compliant court (for example Kleros) can resolve disputes.
/// @dev Rulings are integers from 0 to the number of choices; 0 is reserved for "refused to arbitrate".
interface IArbitrator {
    enum DisputeStatus {
        Waiting,
        Appealable,
        Solved
    }

    /// @notice Emitted when a dispute is created.
    event DisputeCreation(uint256 indexed disputeId, IArbitrable indexed arbitrable);

    /// @notice Emitted when a dispute can be appealed.
    event AppealPossible(uint256 indexed disputeId, IArbitrable indexed arbitrable);

    /// @notice Emitted when a dispute is appealed.
    event AppealDecision(uint256 indexed disputeId, IArbitrable indexed arbitrable);

    /// @notice Creates a dispute with `choices` possible rulings; `msg.value` must cover {arbitrationCost}.
    function createDispute(uint256 choices, bytes calldata extraData) external payable returns (uint256 disputeId);

    /// @notice The fee, in wei, to create a dispute.
    function arbitrationCost(bytes calldata extraData) external view returns (uint256 cost);

    /// @notice Appeals the ruling of a dispute; `msg.value` must cover {appealCost}.
    function appeal(uint256 disputeId, bytes calldata extraData) external payable;

    /// @notice The fee, in wei, to appeal a dispute.
    function appealCost(uint256 disputeId, bytes calldata extraData) external view returns (uint256 cost);

    /// @notice The window during which the current ruling can be appealed, if any.
    function appealPeriod(uint256 disputeId) external view returns (uint256 start, uint256 end);

    /// @notice The status of a dispute.
    function disputeStatus(uint256 disputeId) external view returns (DisputeStatus status);

    /// @notice The current ruling of a dispute (0 while none).
    function currentRuling(uint256 disputeId) external view returns (uint256 ruling);
}
