// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IProofVerifier
/// @notice Checks a cryptographic proof that a submitted result meets what the poster committed to.
/// @dev The interface is deliberately small and untyped so that any verifier fits it unchanged: a hash check, a
/// Merkle inclusion check, or a zk-SNARK verifier whose public inputs are bound by `commitment` and `resultHash`
/// and whose proof bytes are the encoded proof.
interface IProofVerifier {
    /// @notice Returns whether `proof` shows that the result committed as `resultHash` satisfies `commitment`.
    /// @param commitment What the poster committed to when creating the task (expected hash, root of required
    /// items, public-input hash, …).
    /// @param resultHash The executor's result commitment, as submitted.
    /// @param proof The verifier-specific proof.
    function verifyProof(bytes32 commitment, bytes32 resultHash, bytes calldata proof) external view returns (bool);
}
