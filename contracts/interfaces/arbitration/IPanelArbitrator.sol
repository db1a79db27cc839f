// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { IArbitrable } from "./IArbitrable.sol";
import { IArbitrator } from "./IArbitrator.sol";

/// @title IPanelArbitrator
/// @notice An ERC-792 arbitrator in which a panel of arbiters votes on each dispute and the first ruling to gather a
/// majority of the eligible arbiters is final.
/// @dev Rules:
/// - The creator of a dispute names its parties in `extraData` (ABI-encoded `address[]`, at most `MAX_PARTIES`);
///   an arbiter who is a party may never vote on it. The majority is computed over the arbiters eligible when the
///   dispute is created: `eligible / 2 + 1`.
/// - Voting is open for `votingPeriod` seconds. A ruling that reaches the majority is final and delivered to the
///   arbitrable at once (or by {executeRuling} if delivery failed); the fee is shared by the arbiters who voted for it.
/// - With no majority by the deadline, anyone may {closeUnresolved} the dispute: the fee is credited back to the
///   arbitrable and no ruling is ever given, so the arbitrable's own timeout decides. There are no appeals.
interface IPanelArbitrator is IArbitrator {
    /// @notice A dispute's record.
    struct PanelDispute {
        IArbitrable arbitrable;
        uint40 votingDeadline;
        uint8 majority;
        uint8 voteCount;
        bool solved;
        bool delivered;
        bool closed;
        uint256 choices;
        uint256 ruling;
        uint256 fee;
    }

    /// @notice Emitted for each vote.
    event VoteCast(uint256 indexed disputeId, address indexed arbiter, uint256 ruling);

    /// @notice Emitted when a ruling reaches the majority.
    event DisputeSolved(uint256 indexed disputeId, uint256 ruling, uint256 votesForRuling);

    /// @notice Emitted when the ruling could not be delivered to the arbitrable; {executeRuling} retries.
    event RulingDeliveryFailed(uint256 indexed disputeId);

    /// @notice Emitted when the voting period ends without a majority.
    event DisputeClosedUnresolved(uint256 indexed disputeId, uint256 refund);

    event ArbiterAdded(address indexed arbiter);
    event ArbiterRemoved(address indexed arbiter);
    event ArbitrationFeeUpdated(uint256 previousFee, uint256 newFee);
    event VotingPeriodUpdated(uint32 previousPeriod, uint32 newPeriod);
    event Withdrawn(address indexed account, uint256 amount);

    /// @notice The most arbiters the panel can have.
    function MAX_ARBITERS() external view returns (uint256);

    /// @notice The most parties a dispute can name.
    function MAX_PARTIES() external view returns (uint256);

    /// @notice The panel's members.
    function arbiters() external view returns (address[] memory);

    /// @notice Whether `account` is on the panel.
    function isArbiter(address account) external view returns (bool);

    /// @notice The seconds a dispute stays open for votes.
    function votingPeriod() external view returns (uint32);

    /// @notice The dispute's record.
    function disputeOf(uint256 disputeId) external view returns (PanelDispute memory);

    /// @notice The parties named when the dispute was created.
    function partiesOf(uint256 disputeId) external view returns (address[] memory);

    /// @notice How many votes `ruling` has in the dispute.
    function votesFor(uint256 disputeId, uint256 ruling) external view returns (uint256);

    /// @notice The ETH `account` may withdraw (arbiters' fee shares, refunds to arbitrables).
    function creditOf(address account) external view returns (uint256);

    /// @notice Votes `ruling` (0 refuses to arbitrate) on an open dispute.
    /// Requirements: caller on the panel since before the dispute was created and not a party, one vote each, before
    /// the voting deadline.
    function vote(uint256 disputeId, uint256 ruling) external;

    /// @notice Delivers a final ruling whose delivery failed. Anyone may call it.
    function executeRuling(uint256 disputeId) external;

    /// @notice Closes a dispute whose voting period ended without a majority, crediting the fee to the arbitrable.
    function closeUnresolved(uint256 disputeId) external;

    /// @notice Withdraws the caller's credit.
    function withdraw() external;

    function addArbiter(address arbiter) external;

    function removeArbiter(address arbiter) external;

    function setArbitrationFee(uint256 newFee) external;

    function setVotingPeriod(uint32 newPeriod) external;
}
