// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IProofVerifier } from "../../interfaces/IProofVerifier.sol";

/// @title HashCommitmentVerifier
/// @notice For deterministic work whose correct output the poster knows in advance (a build artifact, a computed
/// value): the proof is the result itself, and it is valid when it hashes to the poster's commitment and to the
/// submitted result hash.
contract HashCommitmentVerifier is IProofVerifier {
    /// @inheritdoc IProofVerifier
    function verifyProof(
        bytes32 commitment,
        bytes32 resultHash,
        bytes calldata proof
    ) external pure override returns (bool) {
        bytes32 digest = keccak256(proof);
        return digest == commitment && digest == resultHash;
    }
}
