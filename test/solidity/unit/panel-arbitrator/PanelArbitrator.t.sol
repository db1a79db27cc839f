// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Test } from "forge-std/Test.sol";

import { PanelArbitrator } from "../../../../contracts/arbitration/PanelArbitrator.sol";
import { IArbitrator } from "../../../../contracts/interfaces/arbitration/IArbitrator.sol";
import { IPanelArbitrator } from "../../../../contracts/interfaces/arbitration/IPanelArbitrator.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { RecordingArbitrable } from "../../mocks/RecordingArbitrable.sol";

contract PanelArbitrator_Unit_Test is Test {
    uint256 internal constant FEE = 0.3 ether;
    uint32 internal constant VOTING_PERIOD = 3 days;
    uint256 internal constant CHOICES = 101; // ruling r gives the executor (r - 1) %

    PanelArbitrator internal arbitrator;
    RecordingArbitrable internal arbitrable;
    address internal owner = makeAddr("owner");
    address internal poster = makeAddr("poster");
    address internal executor = makeAddr("executor");
    address[] internal panel;

    function setUp() public {
        arbitrator = new PanelArbitrator(owner, FEE, VOTING_PERIOD);
        arbitrable = new RecordingArbitrable(arbitrator);
        vm.deal(address(this), 100 ether);
        for (uint256 i = 0; i < 3; ++i) {
            address arbiter = makeAddr(string.concat("arbiter", vm.toString(i)));
            panel.push(arbiter);
            vm.prank(owner);
            arbitrator.addArbiter(arbiter);
        }
    }

    function parties() internal view returns (address[] memory list) {
        list = new address[](2);
        (list[0], list[1]) = (poster, executor);
    }

    function openDispute() internal returns (uint256) {
        return arbitrable.openDispute{ value: FEE }(CHOICES, parties());
    }

    /*//////////////////////////////////////////////////////////////
                             CREATE DISPUTE
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_FeeIncorrect() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_IncorrectFee.selector, FEE, FEE - 1));
        arbitrable.openDispute{ value: FEE - 1 }(CHOICES, parties());
    }

    function test_RevertWhen_NoChoices() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_InvalidChoices.selector, 0));
        arbitrable.openDispute{ value: FEE }(0, parties());
    }

    function test_RevertWhen_TooManyParties() external {
        address[] memory many = new address[](5);
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_TooManyParties.selector, 5, 4));
        arbitrable.openDispute{ value: FEE }(CHOICES, many);
    }

    function test_RevertWhen_EveryArbiterIsAParty() external {
        vm.expectRevert(Errors.PanelArbitrator_NoEligibleArbiters.selector);
        arbitrable.openDispute{ value: FEE }(CHOICES, panel);
    }

    function test_CreateDispute_MajorityOverEligibleArbiters() external {
        address[] memory withArbiter = new address[](2);
        (withArbiter[0], withArbiter[1]) = (poster, panel[0]);
        vm.expectEmit(address(arbitrator));
        emit IArbitrator.DisputeCreation(1, arbitrable);
        uint256 disputeId = arbitrable.openDispute{ value: FEE }(CHOICES, withArbiter);

        IPanelArbitrator.PanelDispute memory dispute = arbitrator.disputeOf(disputeId);
        assertEq(dispute.majority, 2, "two eligible arbiters need two votes");
        assertEq(dispute.votingDeadline, block.timestamp + VOTING_PERIOD);
        assertEq(dispute.fee, FEE);
        assertEq(uint8(arbitrator.disputeStatus(disputeId)), uint8(IArbitrator.DisputeStatus.Waiting));
    }

    function test_RevertWhen_DisputeNotFound() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_DisputeNotFound.selector, 7));
        arbitrator.disputeStatus(7);
    }

    /*//////////////////////////////////////////////////////////////
                                  VOTE
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_CallerNotArbiter() external {
        uint256 disputeId = openDispute();
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_CallerNotArbiter.selector, poster));
        vm.prank(poster);
        arbitrator.vote(disputeId, 1);
    }

    function test_RevertWhen_ArbiterSeatedAfterDispute() external {
        uint256 disputeId = openDispute();
        // The owner seats a majority of its own on the open dispute: none of them may vote on it.
        address[] memory packed = new address[](3);
        for (uint256 i = 0; i < packed.length; ++i) {
            packed[i] = makeAddr(string.concat("seated late", vm.toString(i)));
            vm.prank(owner);
            arbitrator.addArbiter(packed[i]);
            vm.expectRevert(
                abi.encodeWithSelector(Errors.PanelArbitrator_ArbiterSeatedAfterDispute.selector, disputeId, packed[i])
            );
            vm.prank(packed[i]);
            arbitrator.vote(disputeId, 1);
        }
        assertEq(arbitrator.disputeOf(disputeId).majority, 2, "the majority stays that of the panel at creation");

        // They rule on the disputes created after they were seated.
        uint256 laterDisputeId = openDispute();
        vm.prank(packed[0]);
        arbitrator.vote(laterDisputeId, 1);
        assertEq(arbitrator.votesFor(laterDisputeId, 1), 1);
    }

    function test_RevertWhen_ArbiterReseatedAfterDispute() external {
        uint256 disputeId = openDispute();
        vm.startPrank(owner);
        arbitrator.removeArbiter(panel[0]);
        arbitrator.addArbiter(panel[0]);
        vm.stopPrank();
        vm.expectRevert(
            abi.encodeWithSelector(Errors.PanelArbitrator_ArbiterSeatedAfterDispute.selector, disputeId, panel[0])
        );
        vm.prank(panel[0]);
        arbitrator.vote(disputeId, 1);

        // The arbiters who stayed on the panel still decide it.
        vm.prank(panel[1]);
        arbitrator.vote(disputeId, 1);
        vm.prank(panel[2]);
        arbitrator.vote(disputeId, 1);
        assertEq(arbitrator.currentRuling(disputeId), 1);
    }

    function test_RevertWhen_ArbiterIsParty() external {
        address[] memory withArbiter = new address[](2);
        (withArbiter[0], withArbiter[1]) = (poster, panel[0]);
        uint256 disputeId = arbitrable.openDispute{ value: FEE }(CHOICES, withArbiter);
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_ArbiterIsParty.selector, disputeId, panel[0]));
        vm.prank(panel[0]);
        arbitrator.vote(disputeId, 1);
    }

    function test_RevertWhen_AlreadyVoted() external {
        uint256 disputeId = openDispute();
        vm.prank(panel[0]);
        arbitrator.vote(disputeId, 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_AlreadyVoted.selector, disputeId, panel[0]));
        vm.prank(panel[0]);
        arbitrator.vote(disputeId, 2);
    }

    function test_RevertWhen_RulingOutOfRange() external {
        uint256 disputeId = openDispute();
        vm.expectRevert(
            abi.encodeWithSelector(Errors.PanelArbitrator_InvalidRuling.selector, disputeId, CHOICES + 1, CHOICES)
        );
        vm.prank(panel[0]);
        arbitrator.vote(disputeId, CHOICES + 1);
    }

    function test_RevertWhen_VotingClosed() external {
        uint256 disputeId = openDispute();
        uint40 deadline = arbitrator.disputeOf(disputeId).votingDeadline;
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_VotingClosed.selector, disputeId, deadline));
        vm.prank(panel[0]);
        arbitrator.vote(disputeId, 1);
    }

    function test_Vote_MajorityRulesAndSharesFee() external {
        uint256 disputeId = openDispute();
        vm.prank(panel[0]);
        arbitrator.vote(disputeId, 51);
        vm.prank(panel[1]);
        arbitrator.vote(disputeId, 31);
        assertEq(arbitrable.rulingsReceived(), 0, "no majority yet");

        vm.expectEmit(address(arbitrator));
        emit IPanelArbitrator.DisputeSolved(disputeId, 51, 2);
        vm.prank(panel[2]);
        arbitrator.vote(disputeId, 51);

        assertEq(arbitrable.lastRuling(), 51);
        assertEq(uint8(arbitrator.disputeStatus(disputeId)), uint8(IArbitrator.DisputeStatus.Solved));
        assertEq(arbitrator.currentRuling(disputeId), 51);
        assertEq(arbitrator.creditOf(panel[0]) + arbitrator.creditOf(panel[2]), FEE, "fee shared by the majority");
        assertEq(arbitrator.creditOf(panel[1]), 0, "minority is not paid");

        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_DisputeSolved.selector, disputeId));
        vm.prank(panel[1]);
        arbitrator.vote(disputeId, 51);
    }

    function test_Vote_FailedDeliveryCanBeRetried() external {
        uint256 disputeId = openDispute();
        arbitrable.setRejectRulings(true);
        vm.prank(panel[0]);
        arbitrator.vote(disputeId, 3);
        vm.expectEmit(address(arbitrator));
        emit IPanelArbitrator.RulingDeliveryFailed(disputeId);
        vm.prank(panel[1]);
        arbitrator.vote(disputeId, 3);
        assertTrue(arbitrator.disputeOf(disputeId).solved, "the decision stands");
        assertEq(arbitrable.rulingsReceived(), 0);

        arbitrable.setRejectRulings(false);
        arbitrator.executeRuling(disputeId);
        assertEq(arbitrable.lastRuling(), 3);
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_NothingToDeliver.selector, disputeId));
        arbitrator.executeRuling(disputeId);
    }

    /*//////////////////////////////////////////////////////////////
                         TIMEOUT AND WITHDRAWALS
    //////////////////////////////////////////////////////////////*/

    function test_CloseUnresolved_RefundsTheArbitrable() external {
        uint256 disputeId = openDispute();
        vm.prank(panel[0]);
        arbitrator.vote(disputeId, 1);
        uint40 deadline = arbitrator.disputeOf(disputeId).votingDeadline;
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_VotingOpen.selector, disputeId, deadline));
        arbitrator.closeUnresolved(disputeId);

        vm.warp(deadline + 1);
        arbitrator.closeUnresolved(disputeId);
        assertEq(arbitrator.creditOf(address(arbitrable)), FEE);
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_DisputeClosed.selector, disputeId));
        arbitrator.closeUnresolved(disputeId);

        uint256 before = address(arbitrable).balance;
        arbitrable.withdrawFromArbitrator();
        assertEq(address(arbitrable).balance - before, FEE);
        assertEq(uint8(arbitrator.disputeStatus(disputeId)), uint8(IArbitrator.DisputeStatus.Waiting));
    }

    function test_Withdraw_PaysArbiter() external {
        uint256 disputeId = openDispute();
        vm.prank(panel[0]);
        arbitrator.vote(disputeId, 2);
        vm.prank(panel[1]);
        arbitrator.vote(disputeId, 2);
        vm.prank(panel[0]);
        arbitrator.withdraw();
        assertEq(panel[0].balance, FEE / 2);
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_NothingToWithdraw.selector, panel[0]));
        vm.prank(panel[0]);
        arbitrator.withdraw();
    }

    function test_RevertWhen_Appealed() external {
        uint256 disputeId = openDispute();
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_NotAppealable.selector, disputeId));
        arbitrator.appeal(disputeId, "");
        assertEq(arbitrator.appealCost(disputeId, ""), type(uint256).max);
    }

    /*//////////////////////////////////////////////////////////////
                                 ADMIN
    //////////////////////////////////////////////////////////////*/

    function test_Admin_OnlyOwnerManagesThePanel() external {
        vm.expectRevert();
        arbitrator.addArbiter(poster);

        vm.startPrank(owner);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.PanelArbitrator_ArbiterMembershipUnchanged.selector, panel[0], true)
        );
        arbitrator.addArbiter(panel[0]);
        arbitrator.removeArbiter(panel[1]);
        assertFalse(arbitrator.isArbiter(panel[1]));
        assertEq(arbitrator.arbiters().length, 2);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.PanelArbitrator_ArbiterMembershipUnchanged.selector, panel[1], false)
        );
        arbitrator.removeArbiter(panel[1]);
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_InvalidVotingPeriod.selector, 60));
        arbitrator.setVotingPeriod(60);
        arbitrator.setArbitrationFee(1 ether);
        vm.stopPrank();
        assertEq(arbitrator.arbitrationCost(""), 1 ether);
    }

    function test_Admin_PanelIsCapped() external {
        vm.startPrank(owner);
        for (uint256 i = 3; i < 15; ++i) {
            arbitrator.addArbiter(makeAddr(string.concat("extra", vm.toString(i))));
        }
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_TooManyArbiters.selector, 15));
        arbitrator.addArbiter(makeAddr("one too many"));
        vm.stopPrank();
    }
}
