// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { IArbitrator } from "./IArbitrator.sol";

/// @title IEvidence
/// @notice ERC-1497 events that link disputes to their context (meta-evidence) and to the evidence parties submit.
/// Evidence lives off-chain; each URI points to a JSON document whose hash the submitter commits to.
interface IEvidence {
    /// @notice Emitted to describe what a family of disputes is about.
    event MetaEvidence(uint256 indexed metaEvidenceId, string evidence);

    /// @notice Emitted when a party submits evidence for an evidence group.
    event Evidence(
        IArbitrator indexed arbitrator,
        uint256 indexed evidenceGroupId,
        address indexed party,
        string evidence
    );

    /// @notice Emitted when a dispute is created, linking it to its meta-evidence and evidence group.
    event Dispute(
        IArbitrator indexed arbitrator,
        uint256 indexed disputeId,
        uint256 metaEvidenceId,
        uint256 evidenceGroupId
    );
}
