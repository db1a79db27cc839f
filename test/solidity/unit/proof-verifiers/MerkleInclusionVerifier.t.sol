// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { stdError, Test } from "forge-std/Test.sol";
import { Hashes } from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import { MerkleProof } from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import { MerkleInclusionVerifier } from "../../../../contracts/verification/proofs/MerkleInclusionVerifier.sol";

/// @notice A four-item deliverable, `L0..L3`, hashed as OpenZeppelin's `StandardMerkleTree` hashes leaves, in the
/// tree `root = H(H(L0, L1), H(L2, L3))` with sorted pairs; multiproofs over it are built by hand.
contract MerkleInclusionVerifier_Unit_Test is Test {
    MerkleInclusionVerifier internal verifier;

    bytes32 internal l0;
    bytes32 internal l1;
    bytes32 internal l2;
    bytes32 internal l3;
    bytes32 internal n01;
    bytes32 internal n23;
    bytes32 internal root;

    function setUp() public {
        verifier = new MerkleInclusionVerifier();
        (l0, l1, l2, l3) = (leafOf("README.md"), leafOf("src/main.ts"), leafOf("LICENSE"), leafOf("report.pdf"));
        n01 = Hashes.commutativeKeccak256(l0, l1);
        n23 = Hashes.commutativeKeccak256(l2, l3);
        root = Hashes.commutativeKeccak256(n01, n23);
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev A `StandardMerkleTree` leaf for a single `string` value.
    function leafOf(string memory value) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(value))));
    }

    /// @dev The leaf of item `i` of a generated deliverable (distinct for distinct `i`).
    function itemLeaf(uint256 i) internal pure returns (bytes32) {
        return leafOf(string.concat("item-", vm.toString(i)));
    }

    function list(bytes32 a) internal pure returns (bytes32[] memory values) {
        values = new bytes32[](1);
        values[0] = a;
    }

    function list(bytes32 a, bytes32 b) internal pure returns (bytes32[] memory values) {
        values = new bytes32[](2);
        (values[0], values[1]) = (a, b);
    }

    function list(bytes32 a, bytes32 b, bytes32 c) internal pure returns (bytes32[] memory values) {
        values = new bytes32[](3);
        (values[0], values[1], values[2]) = (a, b, c);
    }

    function flags(bool a) internal pure returns (bool[] memory values) {
        values = new bool[](1);
        values[0] = a;
    }

    function flags(bool a, bool b) internal pure returns (bool[] memory values) {
        values = new bool[](2);
        (values[0], values[1]) = (a, b);
    }

    function flags(bool a, bool b, bool c) internal pure returns (bool[] memory values) {
        values = new bool[](3);
        (values[0], values[1], values[2]) = (a, b, c);
    }

    /// @dev The poster's commitment: the hash of the required leaves in ascending order (sorts a copy).
    function commitmentOf(bytes32[] memory leaves) internal pure returns (bytes32) {
        bytes32[] memory sorted = new bytes32[](leaves.length);
        for (uint256 i = 0; i < leaves.length; ++i) {
            bytes32 leaf = leaves[i];
            uint256 j = i;
            while (j > 0 && sorted[j - 1] > leaf) {
                sorted[j] = sorted[j - 1];
                --j;
            }
            sorted[j] = leaf;
        }
        return keccak256(abi.encode(sorted));
    }

    function encode(
        bytes32[] memory leaves,
        bytes32[] memory proof,
        bool[] memory proofFlags
    ) internal pure returns (bytes memory) {
        return abi.encode(leaves, proof, proofFlags);
    }

    /// @dev A multiproof that proves every leaf of the list, pairing them in the order given, and the root it proves.
    function wholeListProof(bytes32[] memory leaves) internal pure returns (bytes32 listRoot, bytes memory proof) {
        bytes32[] memory none = new bytes32[](0);
        bool[] memory merges = new bool[](leaves.length == 0 ? 0 : leaves.length - 1);
        for (uint256 i = 0; i < merges.length; ++i) {
            merges[i] = true;
        }
        listRoot = MerkleProof.processMultiProof(none, merges, leaves);
        proof = encode(leaves, none, merges);
    }

    function itemLeaves(uint256 count) internal pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) {
            leaves[i] = itemLeaf(i);
        }
    }

    /*//////////////////////////////////////////////////////////////
                              VALID PROOFS
    //////////////////////////////////////////////////////////////*/

    function test_WhenTwoSiblingsAreRequired_ItShouldAccept() external view {
        bytes memory proof = encode(list(l0, l1), list(n23), flags(true, false));
        assertTrue(verifier.verifyProof(commitmentOf(list(l0, l1)), root, proof));
    }

    function test_WhenTwoCousinsAreRequired_ItShouldAccept() external view {
        bytes memory proof = encode(list(l0, l2), list(l1, l3), flags(false, false, true));
        assertTrue(verifier.verifyProof(commitmentOf(list(l0, l2)), root, proof));
    }

    function test_WhenLeavesComeInAnyOrder_TheCommitmentStillMatches() external view {
        // The proof lists leaves in the order the tree consumes them; the commitment sorts them.
        bytes memory proof = encode(list(l2, l0), list(l3, l1), flags(false, false, true));
        assertTrue(verifier.verifyProof(commitmentOf(list(l0, l2)), root, proof));
    }

    function test_WhenOneItemIsRequired_ItShouldAcceptItsPath() external view {
        bytes memory proof = encode(list(l1), list(l0, n23), flags(false, false));
        assertTrue(verifier.verifyProof(commitmentOf(list(l1)), root, proof));
    }

    function test_WhenTheMostItemsAreRequired_ItShouldAccept() external view {
        bytes32[] memory leaves = itemLeaves(verifier.MAX_REQUIRED_ITEMS());
        (bytes32 listRoot, bytes memory proof) = wholeListProof(leaves);
        assertTrue(verifier.verifyProof(commitmentOf(leaves), listRoot, proof));
    }

    /*//////////////////////////////////////////////////////////////
                             WRONG CONTENT
    //////////////////////////////////////////////////////////////*/

    function test_WhenCommitmentIsToOtherItems_ItShouldReject() external view {
        bytes memory proof = encode(list(l0, l1), list(n23), flags(true, false));
        assertFalse(verifier.verifyProof(commitmentOf(list(l0, l3)), root, proof));
    }

    function test_WhenOnlySomeRequiredItemsAreProven_ItShouldReject() external view {
        // A valid proof of two of the three required items.
        bytes memory proof = encode(list(l0, l1), list(n23), flags(true, false));
        assertFalse(verifier.verifyProof(commitmentOf(list(l0, l1, l2)), root, proof));
    }

    function test_WhenCommitmentIsToUnsortedLeaves_ItShouldReject() external view {
        bytes32[] memory unsorted = l0 < l1 ? list(l1, l0) : list(l0, l1);
        bytes memory proof = encode(list(l0, l1), list(n23), flags(true, false));
        assertFalse(verifier.verifyProof(keccak256(abi.encode(unsorted)), root, proof));
    }

    function test_WhenResultHashIsAnotherRoot_ItShouldReject() external view {
        bytes memory proof = encode(list(l0, l1), list(n23), flags(true, false));
        assertFalse(verifier.verifyProof(commitmentOf(list(l0, l1)), n01, proof));
    }

    function test_WhenARequiredItemIsMissingFromTheDeliverable_ItShouldReject() external view {
        // The deliverable has `l2` where the poster required `missing`: no sibling path leads from it to the root.
        bytes32 missing = leafOf("tests/report.xml");
        bytes memory proof = encode(list(l0, missing), list(l1, l3), flags(false, false, true));
        assertFalse(verifier.verifyProof(commitmentOf(list(l0, missing)), root, proof));
    }

    /*//////////////////////////////////////////////////////////////
                             LEAF COUNTS
    //////////////////////////////////////////////////////////////*/

    function test_WhenNoLeaves_ItShouldReject() external view {
        // With no leaves the library would accept `proof[0] == root`: the empty set must be refused explicitly.
        bytes32[] memory none = new bytes32[](0);
        bytes memory proof = encode(none, list(root), new bool[](0));
        assertTrue(MerkleProof.multiProofVerify(list(root), new bool[](0), root, none), "the library's no-op");
        assertFalse(verifier.verifyProof(commitmentOf(none), root, proof));
    }

    function test_WhenMoreThanTheMostItems_ItShouldReject() external view {
        // A valid multiproof of 65 distinct items, committed: refused for its size alone.
        bytes32[] memory leaves = itemLeaves(verifier.MAX_REQUIRED_ITEMS() + 1);
        (bytes32 listRoot, bytes memory proof) = wholeListProof(leaves);
        bytes32[] memory none = new bytes32[](0);
        (, , bool[] memory merges) = abi.decode(proof, (bytes32[], bytes32[], bool[]));
        assertTrue(MerkleProof.multiProofVerify(none, merges, listRoot, leaves), "the proof itself is valid");
        assertFalse(verifier.verifyProof(commitmentOf(leaves), listRoot, proof));
    }

    function test_WhenALeafRepeats_ItShouldReject() external view {
        // A tree of `l0` paired with itself proves `[l0, l0]`; committed as such, it is still refused, so that a
        // repeated item can never stand in for a distinct one.
        bytes32 doubled = Hashes.commutativeKeccak256(l0, l0);
        bytes memory proof = encode(list(l0, l0), new bytes32[](0), flags(true));
        assertFalse(verifier.verifyProof(commitmentOf(list(l0, l0)), doubled, proof));
    }

    function test_WhenALeafRepeatsAmongOthers_ItShouldReject() external view {
        bytes32[] memory leaves = list(l0, l1, l0);
        (bytes32 listRoot, bytes memory proof) = wholeListProof(leaves);
        assertFalse(verifier.verifyProof(commitmentOf(leaves), listRoot, proof));
    }

    /*//////////////////////////////////////////////////////////////
                           MALFORMED PROOFS
    //////////////////////////////////////////////////////////////*/

    function test_WhenFlagsAreOneTooMany_ItShouldReject() external view {
        bytes memory proof = encode(list(l0, l1), list(n23), flags(true, false, false));
        assertFalse(verifier.verifyProof(commitmentOf(list(l0, l1)), root, proof));
    }

    function test_WhenFlagsAreOneTooFew_ItShouldReject() external view {
        bytes memory proof = encode(list(l0, l1), list(n23), flags(true));
        assertFalse(verifier.verifyProof(commitmentOf(list(l0, l1)), root, proof));
    }

    function test_WhenProofHasAnExtraHash_ItShouldReject() external view {
        bytes memory proof = encode(list(l0, l1), list(n23, n01), flags(true, false));
        assertFalse(verifier.verifyProof(commitmentOf(list(l0, l1)), root, proof));
    }

    function test_WhenFlagsLeaveProofHashesUnused_ItReverts() external {
        // Lengths add up but the flags never consume the proof: the library reverts, which is not a `false`. The
        // proof module treats a reverting verifier as rejecting the proof.
        bytes memory proof = encode(list(l0, l1), list(n23), flags(true, true));
        vm.expectRevert(MerkleProof.MerkleProofInvalidMultiproof.selector);
        verifier.verifyProof(commitmentOf(list(l0, l1)), root, proof);
    }

    function test_WhenFlagsConsumeMoreProofHashesThanGiven_ItReverts() external {
        bytes memory proof = encode(list(l0, l1, l2), list(l3), flags(false, false, false));
        vm.expectRevert(stdError.indexOOBError);
        verifier.verifyProof(commitmentOf(list(l0, l1, l2)), root, proof);
    }

    function test_WhenProofDoesNotDecode_ItReverts() external {
        vm.expectRevert();
        verifier.verifyProof(commitmentOf(list(l0, l1)), root, hex"deadbeef");
    }

    /*//////////////////////////////////////////////////////////////
                                 FUZZ
    //////////////////////////////////////////////////////////////*/

    function testFuzz_AcceptsEveryDistinctItemSet(uint256 count, uint256 offset) external view {
        count = bound(count, 1, verifier.MAX_REQUIRED_ITEMS());
        offset = bound(offset, 0, type(uint128).max);
        bytes32[] memory leaves = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) {
            leaves[i] = itemLeaf(offset + i);
        }
        (bytes32 listRoot, bytes memory proof) = wholeListProof(leaves);
        assertTrue(verifier.verifyProof(commitmentOf(leaves), listRoot, proof), "the committed items");
        assertFalse(verifier.verifyProof(commitmentOf(leaves), listRoot ^ bytes32(uint256(1)), proof), "another root");
    }

    function testFuzz_RejectsAProofOfOneOtherItem(uint256 count, uint256 replaced) external view {
        count = bound(count, 1, verifier.MAX_REQUIRED_ITEMS());
        replaced = bound(replaced, 0, count - 1);
        bytes32[] memory required = itemLeaves(count);
        bytes32[] memory delivered = itemLeaves(count);
        delivered[replaced] = itemLeaf(count + replaced);
        (bytes32 listRoot, bytes memory proof) = wholeListProof(delivered);
        assertFalse(verifier.verifyProof(commitmentOf(required), listRoot, proof));
    }
}
