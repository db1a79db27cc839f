// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Test } from "forge-std/Test.sol";

import { HashCommitmentVerifier } from "../../../../contracts/verification/proofs/HashCommitmentVerifier.sol";

contract HashCommitmentVerifier_Unit_Test is Test {
    bytes internal constant ARTIFACT = "the deterministic build artifact, byte for byte";

    HashCommitmentVerifier internal verifier;

    function setUp() public {
        verifier = new HashCommitmentVerifier();
    }

    function test_WhenProofIsTheCommittedResult_ItShouldAccept() external view {
        bytes32 digest = keccak256(ARTIFACT);
        assertTrue(verifier.verifyProof(digest, digest, ARTIFACT));
    }

    function test_WhenProofIsAnotherResult_ItShouldReject() external view {
        bytes32 digest = keccak256(ARTIFACT);
        assertFalse(verifier.verifyProof(digest, digest, "the deterministic build artifact, byte for bytE"));
    }

    function test_WhenResultHashIsNotTheProof_ItShouldReject() external view {
        // The committed artifact as the proof, but another result submitted: the proof must bind the result.
        bytes32 digest = keccak256(ARTIFACT);
        assertFalse(verifier.verifyProof(digest, keccak256("another result"), ARTIFACT));
    }

    function test_WhenCommitmentIsNotTheProof_ItShouldReject() external view {
        // The executor's own result, proven against itself, does not meet the poster's commitment.
        bytes32 own = keccak256("what I have");
        assertFalse(verifier.verifyProof(keccak256(ARTIFACT), own, "what I have"));
    }

    function test_WhenProofIsEmpty_ItShouldAcceptOnlyTheHashOfNothing() external view {
        bytes32 empty = keccak256("");
        assertTrue(verifier.verifyProof(empty, empty, ""), "the empty result, committed");
        assertFalse(verifier.verifyProof(bytes32(0), bytes32(0), ""), "zero is not the hash of nothing");
    }

    function testFuzz_AcceptsExactlyThePreimage(bytes calldata result, bytes calldata other) external view {
        bytes32 digest = keccak256(result);
        assertTrue(verifier.verifyProof(digest, digest, result), "the preimage");
        vm.assume(keccak256(other) != digest);
        assertFalse(verifier.verifyProof(digest, digest, other), "anything else");
    }

    function testFuzz_RejectsUnlessBothHashesMatch(
        bytes calldata result,
        bytes32 commitment,
        bytes32 resultHash
    ) external view {
        bytes32 digest = keccak256(result);
        vm.assume(commitment != digest || resultHash != digest);
        assertFalse(verifier.verifyProof(commitment, resultHash, result));
    }
}
