// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { IProofModule, ProofConfig } from "../../../../contracts/interfaces/verification/IProofModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { ProofModule_Test } from "./ProofModuleBase.sol";

/// @notice A task paid in three milestones (20 %, 30 %, 50 %), each delivered as its own Merkle tree that must include
/// the required item: the same configuration verifies every milestone, and each proof settles its milestone.
contract ProofMilestones_Unit_Test is ProofModule_Test {
    uint256 internal constant MILESTONES = 3;

    bytes32 internal required;
    ProofConfig internal config;
    TaskTerms internal terms;
    uint256 internal taskId;

    function setUp() public override {
        super.setUp();
        required = stringLeaf("LICENSE");
        config = merkleConfig(required);
        TaskTerms memory localTerms = proofTerms(address(0), config);
        localTerms.milestoneShares = bytes32((uint256(2000) << 240) | (uint256(3000) << 224) | (uint256(5000) << 208));
        terms = localTerms;
        taskId = claimedProofTask(localTerms);
    }

    /// @dev The amount of milestone `index` of the 1 ether reward: its share exactly, as no share rounds.
    function amountOf(uint256 index) internal pure returns (uint256) {
        uint256[3] memory shares = [uint256(2000), 3000, 5000];
        return (REWARD * shares[index]) / 10_000;
    }

    /// @dev Milestone `index`'s deliverable: the required item and one of its own.
    function deliverableOf(uint256 index) internal view returns (bytes32 root, bytes memory proof) {
        return pairProof(required, stringLeaf(string.concat("milestone-", vm.toString(index), ".tar")));
    }

    function proveMilestone(uint256 index) internal {
        (bytes32 root, bytes memory proof) = deliverableOf(index);
        submitWithProofAs(human, taskId, terms, config, root, proof);
    }

    function test_WhenEachMilestoneIsProven_ItShouldPayEachExactly() external {
        uint256 humanBefore = human.balance;
        uint256 posterBefore = poster.balance;
        uint256 paid;
        uint256 fees;

        for (uint256 i = 0; i < MILESTONES; ++i) {
            uint256 fee = feeOf(amountOf(i), FEE_BPS);
            uint256 payout = amountOf(i) - fee;
            (bytes32 root, bytes memory proof) = deliverableOf(i);

            vm.expectEmit(address(module));
            emit IProofModule.ProofAccepted(taskId, human, root);
            vm.expectEmit(address(market));
            if (i + 1 < MILESTONES) emit ITaskMarket.MilestoneSettled(taskId, human, i, payout, fee, 0);
            else emit ITaskMarket.TaskSettled(taskId, human, address(0), payout, fee, BOND);
            submitWithProofAs(human, taskId, terms, config, root, proof);

            paid += payout;
            fees += fee;
            assertEq(human.balance, humanBefore + paid + (i + 1 == MILESTONES ? BOND : 0), "executor paid so far");
            assertEq(market.submissionOf(taskId), root, "the milestone's result");
            (uint8 verified, , ) = market.progressOf(taskId);
            assertEq(verified, i + 1, "milestones verified");
            if (i + 1 < MILESTONES) {
                assertStatus(taskId, TaskStatus.InProgress);
                assertEq(
                    market.stateOf(taskId).executionDeadline,
                    block.timestamp + EXECUTION_WINDOW,
                    "a fresh execution window for the next milestone"
                );
                vm.warp(block.timestamp + 1 days);
            }
        }

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(paid + fees, REWARD, "the milestones add up to the reward");
        assertEq(poster.balance, posterBefore, "poster: nothing back");
        assertEq(address(market).balance, fees, "market keeps only the fees");
        assertEq(market.unpaidRewardOf(taskId, terms), 0, "nothing left unpaid");
    }

    function test_WhenAMilestoneIsSubmittedWithoutProof_ItCanBeRejectedAndThenProven() external {
        proveMilestone(0);
        submitWork(taskId, terms, human);

        rejectUnprovenAs(stranger, taskId, terms, config);
        assertStatus(taskId, TaskStatus.InProgress);
        (uint8 verified, , ) = market.progressOf(taskId);
        assertEq(verified, 1, "the rejection does not undo the first milestone");

        proveMilestone(1);
        proveMilestone(2);
        assertStatus(taskId, TaskStatus.Settled);
    }

    function test_RevertWhen_AMilestoneDeliverableMissesTheRequiredItem() external {
        proveMilestone(0);
        (bytes32 root, bytes memory proof) = pairProof(stringLeaf("NOTICE"), stringLeaf("milestone-1.tar"));

        vm.expectRevert(
            abi.encodeWithSelector(Errors.ProofModule_InvalidProof.selector, taskId, address(merkleVerifier))
        );
        submitWithProofAs(human, taskId, terms, config, root, proof);
    }

    function test_RevertGiven_NextMilestoneWindowElapsed() external {
        proveMilestone(0);
        warpPastExecutionDeadline(taskId);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        proveMilestone(1);
    }
}
