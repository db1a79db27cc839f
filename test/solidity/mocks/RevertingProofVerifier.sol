// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IProofVerifier } from "../../../contracts/interfaces/IProofVerifier.sol";

/// @notice A proof verifier that reverts on every proof, as a buggy or malicious verifier, or one that refuses
/// malformed input by reverting, would.
contract RevertingProofVerifier is IProofVerifier {
    error RevertingProofVerifier_Refused(bytes32 commitment, bytes32 resultHash);

    function verifyProof(bytes32 commitment, bytes32 resultHash, bytes calldata) external pure returns (bool) {
        revert RevertingProofVerifier_Refused(commitment, resultHash);
    }
}

/// @notice A proof verifier that answers with a word that is not an ABI-encoded bool.
contract MalformedProofVerifier {
    function verifyProof(bytes32, bytes32, bytes calldata) external pure returns (uint256) {
        return 2;
    }
}
