// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { MerkleProof } from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import { IProofVerifier } from "../../interfaces/IProofVerifier.sol";

/// @title MerkleInclusionVerifier
/// @notice Proves that a deliverable contains every item the poster required.
/// @dev The executor's result hash is the root of a Merkle tree over the deliverable's items, built as
/// the `StandardMerkleTree` of the OpenZeppelin merkle-tree library builds it (leaves double-hashed, pairs sorted).
/// The poster's commitment is `keccak256(abi.encode(sortedLeaves))`, where `sortedLeaves` are the leaf hashes of the
/// required items in ascending order, so the poster needs nothing from the executor's tree to commit.
/// The proof is `abi.encode(bytes32[] leaves, bytes32[] proof, bool[] proofFlags)` exactly as
/// `StandardMerkleTree.getMultiProof` returns it (leaves in tree order, hashed with `leafHash`).
contract MerkleInclusionVerifier is IProofVerifier {
    /// @notice The most required items one proof may cover; sorting them on-chain is quadratic.
    uint256 public constant MAX_REQUIRED_ITEMS = 64;

    /// @inheritdoc IProofVerifier
    function verifyProof(
        bytes32 commitment,
        bytes32 resultHash,
        bytes calldata proof
    ) external pure override returns (bool) {
        (bytes32[] memory leaves, bytes32[] memory multiProof, bool[] memory proofFlags) = abi.decode(
            proof,
            (bytes32[], bytes32[], bool[])
        );
        uint256 count = leaves.length;
        if (count == 0 || count > MAX_REQUIRED_ITEMS) return false;
        // The library reverts on a malformed multiproof; to the caller that is simply an invalid proof.
        if (multiProof.length + count != proofFlags.length + 1) return false;
        if (!MerkleProof.multiProofVerify(multiProof, proofFlags, resultHash, leaves)) return false;
        return _sortedHash(leaves) == commitment;
    }

    /// @dev Hashes a sorted copy of `leaves`, or returns zero if a leaf repeats (a repeated item would let a
    /// deliverable cover fewer required items than committed).
    function _sortedHash(bytes32[] memory leaves) private pure returns (bytes32) {
        bytes32[] memory sorted = new bytes32[](leaves.length);
        for (uint256 i = 0; i < leaves.length; ++i) {
            bytes32 leaf = leaves[i];
            uint256 j = i;
            while (j > 0 && sorted[j - 1] > leaf) {
                sorted[j] = sorted[j - 1];
                --j;
            }
            if (j > 0 && sorted[j - 1] == leaf) return bytes32(0);
            sorted[j] = leaf;
        }
        return keccak256(abi.encode(sorted));
    }
}
