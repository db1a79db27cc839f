// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Vm } from "forge-std/Vm.sol";

import { PanelArbitrator } from "../../../../contracts/arbitration/PanelArbitrator.sol";
import { IArbitrable } from "../../../../contracts/interfaces/arbitration/IArbitrable.sol";
import { IArbitrator } from "../../../../contracts/interfaces/arbitration/IArbitrator.sol";
import { IPanelArbitrator } from "../../../../contracts/interfaces/arbitration/IPanelArbitrator.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { IReviewModule } from "../../../../contracts/interfaces/verification/IReviewModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { RecordingArbitrable } from "../../mocks/RecordingArbitrable.sol";
import { LyingArbitrator } from "./LyingArbitrator.sol";
import { ReviewModule_Test } from "./ReviewModuleBase.sol";

/// @notice `reclaimArbitrationFee`: the fee of a `PanelArbitrator` dispute closed without a majority reaches the party
/// that paid it at `respond` — whichever side that is, whenever the contest ended — exactly once; disputes that were
/// ruled, never created, or not the module's have nothing to reclaim; and an arbitrator that lies about its refund
/// is paid on from only what it actually returned.
contract ReviewModule_ReclaimArbitrationFee_Unit_Test is ReviewModule_Test {
    IReviewModule.ReviewConfig internal config;
    TaskTerms internal terms;

    LyingArbitrator internal liar;
    IReviewModule.ReviewConfig internal liarConfig;
    TaskTerms internal liarTerms;

    function setUp() public override {
        super.setUp();
        config = contestConfig();
        terms = reviewTerms(address(0), config);

        liar = new LyingArbitrator(ARBITRATION_FEE);
        vm.deal(address(liar), 10 ether);
        vm.label(address(liar), "LyingArbitrator");
        liarConfig = contestConfig();
        liarConfig.arbitrator = IArbitrator(address(liar));
        liarTerms = reviewTerms(address(0), liarConfig);
    }

    function nothingToReclaim(address arbitrator_, uint256 disputeId) private pure returns (bytes memory) {
        return abi.encodeWithSelector(Errors.DisputableModule_NothingToReclaim.selector, arbitrator_, disputeId);
    }

    /// @dev The panel closes `disputeId` without a majority, once its voting period is over.
    function closeUnresolved(uint256 disputeId) private {
        vm.warp(arbitrator.disputeOf(disputeId).votingDeadline + 1);
        arbitrator.closeUnresolved(disputeId);
    }

    function expectReclaimed(IArbitrator arbitrator_, uint256 disputeId, address payer, uint256 amount) private {
        vm.expectEmit(address(module));
        emit IDisputableModule.ArbitrationFeeReclaimed(arbitrator_, disputeId, payer, amount);
    }

    function countEvents(Vm.Log[] memory logs, address emitter, bytes32 topic0) private pure returns (uint256 count) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == emitter && logs[i].topics.length != 0 && logs[i].topics[0] == topic0) ++count;
        }
    }

    /*//////////////////////////////////////////////////////////////
                             WHO IS PAID, WHEN
    //////////////////////////////////////////////////////////////*/

    /// The poster disputes a partial acceptance and the executor matches: the executor paid the fee and gets it back.
    /// The reclaim comes before the arbitration is timed out and leaves the contest as it was; the timeout then
    /// returns the poster's deposit, and every deposit has come back.
    function test_ReclaimArbitrationFee_TheExecutorPaid_BeforeTheTimeout() external {
        uint16 decision = 6_000;
        uint256 taskId = partiallyAcceptedTask(terms, config, decision);
        Balances memory before = balancesOf(human);
        disputeAs(poster, taskId, terms, config);
        respondAs(human, taskId, terms);
        uint256 disputeId = disputeIdOf(taskId);
        closeUnresolved(disputeId);
        IDisputableModule.Contest memory contest = module.contestOf(taskId);

        uint256 humanBefore = human.balance;
        expectReclaimed(IArbitrator(address(arbitrator)), disputeId, human, ARBITRATION_FEE);
        vm.prank(stranger);
        module.reclaimArbitrationFee(arbitrator, disputeId);

        assertEq(human.balance - humanBefore, ARBITRATION_FEE, "the executor's fee");
        assertEq(abi.encode(module.contestOf(taskId)), abi.encode(contest), "the contest is untouched");
        assertEq(address(module).balance, ARBITRATION_FEE, "the poster's deposit is still held");

        vm.warp(contest.deadline + 1);
        module.timeoutArbitration(taskId, terms);
        uint256 payout = executorPayoutOf(REWARD, decision);
        uint256 refund = posterRefundOf(REWARD, decision);
        assertDeltas(
            before,
            balancesOf(human),
            [toInt(refund), toInt(payout + BOND), 0, 0, 0, -toInt(payout + refund + BOND)]
        );
        vm.expectRevert(nothingToReclaim(address(arbitrator), disputeId));
        module.reclaimArbitrationFee(arbitrator, disputeId);
    }

    /// No one times out the silent panel: the hold runs out, the rejection is released and the contest closed as
    /// lapsed. The poster's fee is reclaimed afterwards all the same.
    function test_ReclaimArbitrationFee_AfterTheContestLapsed() external {
        uint256 taskId = rejectedTask(terms, config);
        Balances memory before = balancesOf(human);
        disputeAs(human, taskId, terms, config);
        respondAs(poster, taskId, terms);
        uint256 disputeId = disputeIdOf(taskId);
        closeUnresolved(disputeId);
        vm.warp(market.stateOf(taskId).reviewDeadline + 1);
        market.release(taskId, terms);
        module.closeLapsedContest(taskId);
        assertPhase(taskId, IDisputableModule.ContestPhase.None);

        expectReclaimed(IArbitrator(address(arbitrator)), disputeId, poster, ARBITRATION_FEE);
        module.reclaimArbitrationFee(arbitrator, disputeId);

        assertStatus(taskId, TaskStatus.Settled);
        assertDeltas(before, balancesOf(human), [toInt(REWARD), toInt(BOND), 0, 0, 0, -toInt(REWARD + BOND)]);
    }

    /// Two unresolved disputes with different fees, paid by different sides: the first reclaim pulls the module's
    /// whole credit from the panel and pays only its own fee; the second is paid from what was pulled, without
    /// another withdrawal. Each payer gets exactly its fee, once, and nothing stays behind.
    function test_ReclaimArbitrationFee_TwoDisputes_EachPayerItsOwnFee() external {
        uint256 feeA = ARBITRATION_FEE;
        uint256 feeB = 0.5 ether;
        uint256 taskA = arbitratedRejection(terms, config);
        vm.prank(panelOwner);
        arbitrator.setArbitrationFee(feeB);
        uint256 taskB = partiallyAcceptedTask(terms, config, 6_000);
        vm.prank(poster);
        module.dispute{ value: feeB }(taskB, terms, config);
        vm.prank(human);
        module.respond{ value: feeB }(taskB, terms);
        uint256 disputeA = disputeIdOf(taskA);
        uint256 disputeB = disputeIdOf(taskB);
        closeUnresolved(disputeA);
        closeUnresolved(disputeB);
        assertEq(arbitrator.creditOf(address(module)), feeA + feeB, "both fees credited to the module");
        vm.warp(module.contestOf(taskB).deadline + 1);
        module.timeoutArbitration(taskA, terms);
        module.timeoutArbitration(taskB, terms);
        assertEq(address(module).balance, 0, "the claimants' deposits are back");

        uint256 humanBefore = human.balance;
        vm.expectEmit(address(arbitrator));
        emit IPanelArbitrator.Withdrawn(address(module), feeA + feeB);
        expectReclaimed(IArbitrator(address(arbitrator)), disputeB, human, feeB);
        module.reclaimArbitrationFee(arbitrator, disputeB);
        assertEq(human.balance - humanBefore, feeB, "the executor's fee");
        assertEq(arbitrator.creditOf(address(module)), 0, "the whole credit pulled");
        assertEq(address(module).balance, feeA, "the poster's fee, held for it");

        uint256 posterBefore = poster.balance;
        vm.recordLogs();
        module.reclaimArbitrationFee(arbitrator, disputeA);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(countEvents(logs, address(arbitrator), IPanelArbitrator.Withdrawn.selector), 0, "no new withdrawal");
        assertEq(
            countEvents(logs, address(module), IDisputableModule.ArbitrationFeeReclaimed.selector),
            1,
            "reclaimed"
        );
        assertEq(poster.balance - posterBefore, feeA, "the poster's fee");
        assertEq(address(module).balance, 0, "module empty");
        assertEq(address(arbitrator).balance, 0, "panel empty");

        vm.expectRevert(nothingToReclaim(address(arbitrator), disputeA));
        module.reclaimArbitrationFee(arbitrator, disputeA);
        vm.expectRevert(nothingToReclaim(address(arbitrator), disputeB));
        module.reclaimArbitrationFee(arbitrator, disputeB);
    }

    /*//////////////////////////////////////////////////////////////
                            NOTHING TO RECLAIM
    //////////////////////////////////////////////////////////////*/

    /// A ruled dispute paid its arbiters: nothing comes back, before or after the ruling is carried out.
    function test_RevertWhen_ReclaimArbitrationFee_RuledDispute() external {
        uint256 taskId = arbitratedRejection(terms, config);
        uint256 disputeId = disputeIdOf(taskId);
        panelRules(disputeId, 6);
        vm.warp(arbitrator.disputeOf(disputeId).votingDeadline + 1);

        vm.expectRevert(nothingToReclaim(address(arbitrator), disputeId));
        module.reclaimArbitrationFee(arbitrator, disputeId);
        module.executeRuling(taskId, terms);
        vm.expectRevert(nothingToReclaim(address(arbitrator), disputeId));
        module.reclaimArbitrationFee(arbitrator, disputeId);
        assertArbitersPaid(ARBITRATION_FEE);
    }

    /// No fee was ever paid for these: no dispute yet, a dispute the respondent has not matched (the panel is not
    /// seized), and ids the panel never gave the module.
    function test_RevertWhen_ReclaimArbitrationFee_NoFeePaid() external {
        vm.expectRevert(nothingToReclaim(address(arbitrator), 0));
        module.reclaimArbitrationFee(arbitrator, 0);
        vm.expectRevert(nothingToReclaim(address(arbitrator), 1));
        module.reclaimArbitrationFee(arbitrator, 1);

        uint256 taskId = disputedRejection(terms, config);
        vm.warp(module.contestOf(taskId).deadline + 1);
        vm.expectRevert(nothingToReclaim(address(arbitrator), 1));
        module.reclaimArbitrationFee(arbitrator, 1);

        uint256 other = arbitratedRejection(terms, config);
        uint256 disputeId = disputeIdOf(other);
        assertEq(disputeId, 1, "the panel's first dispute");
        closeUnresolved(disputeId);
        vm.expectRevert(nothingToReclaim(address(arbitrator), disputeId + 1));
        module.reclaimArbitrationFee(arbitrator, disputeId + 1);
        module.reclaimArbitrationFee(arbitrator, disputeId);
    }

    /// Another arbitrable's dispute on the same panel, closed unresolved: its refund is its own, the module has no
    /// claim to it, and reclaiming the module's own dispute pulls only the module's credit.
    function test_RevertWhen_ReclaimArbitrationFee_AnotherArbitrablesDispute() external {
        RecordingArbitrable stranded = new RecordingArbitrable(IArbitrator(address(arbitrator)));
        uint256 foreignId = stranded.openDispute{ value: ARBITRATION_FEE }(RULING_OPTIONS, new address[](0));
        uint256 taskId = arbitratedRejection(terms, config);
        uint256 disputeId = disputeIdOf(taskId);
        closeUnresolved(foreignId);
        closeUnresolved(disputeId);

        vm.expectRevert(nothingToReclaim(address(arbitrator), foreignId));
        module.reclaimArbitrationFee(arbitrator, foreignId);

        uint256 posterBefore = poster.balance;
        module.reclaimArbitrationFee(arbitrator, disputeId);
        assertEq(poster.balance - posterBefore, ARBITRATION_FEE, "the module's own dispute");
        assertEq(arbitrator.creditOf(address(stranded)), ARBITRATION_FEE, "the other arbitrable's refund stays");
        assertEq(address(arbitrator).balance, ARBITRATION_FEE, "at the panel");
        assertEq(address(module).balance, ARBITRATION_FEE, "the module holds only the claimant's deposit");
    }

    /// The same dispute id at another panel, closed unresolved there: the module paid no fee to that panel.
    function test_RevertWhen_ReclaimArbitrationFee_AnotherPanel() external {
        PanelArbitrator otherPanel = new PanelArbitrator(panelOwner, ARBITRATION_FEE, VOTING_PERIOD);
        vm.prank(panelOwner);
        otherPanel.addArbiter(arbiters[0]);
        RecordingArbitrable stranded = new RecordingArbitrable(IArbitrator(address(otherPanel)));
        uint256 foreignId = stranded.openDispute{ value: ARBITRATION_FEE }(RULING_OPTIONS, new address[](0));
        uint256 taskId = arbitratedRejection(terms, config);
        uint256 disputeId = disputeIdOf(taskId);
        assertEq(foreignId, disputeId, "the same id");
        closeUnresolved(disputeId);
        otherPanel.closeUnresolved(foreignId);

        vm.expectRevert(nothingToReclaim(address(otherPanel), disputeId));
        module.reclaimArbitrationFee(otherPanel, disputeId);
        assertEq(otherPanel.creditOf(address(stranded)), ARBITRATION_FEE, "its refund stays");

        uint256 posterBefore = poster.balance;
        module.reclaimArbitrationFee(arbitrator, disputeId);
        assertEq(poster.balance - posterBefore, ARBITRATION_FEE, "reclaimed from the right panel");
    }

    /// A free panel refunds nothing: the fee on record is zero, and so is what the panel returns.
    function test_RevertWhen_ReclaimArbitrationFee_FreeArbitration() external {
        vm.prank(panelOwner);
        arbitrator.setArbitrationFee(0);
        uint256 taskId = rejectedTask(terms, config);
        vm.prank(human);
        module.dispute(taskId, terms, config);
        vm.prank(poster);
        module.respond(taskId, terms);
        uint256 disputeId = disputeIdOf(taskId);
        closeUnresolved(disputeId);
        assertEq(arbitrator.creditOf(address(module)), 0, "nothing credited");

        vm.expectRevert(nothingToReclaim(address(arbitrator), disputeId));
        module.reclaimArbitrationFee(arbitrator, disputeId);
    }

    /*//////////////////////////////////////////////////////////////
                          A LYING ARBITRATOR
    //////////////////////////////////////////////////////////////*/

    /// @dev A rejection the executor disputes before the lying arbitrator and the poster matches: the poster paid the
    /// liar `ARBITRATION_FEE`, and the module holds the executor's deposit while the contest runs.
    function liarDispute() private returns (uint256 taskId, uint256 disputeId) {
        taskId = rejectedTask(liarTerms, liarConfig);
        disputeAs(human, taskId, liarTerms, liarConfig);
        respondAs(poster, taskId, liarTerms);
        disputeId = disputeIdOf(taskId);
        assertEq(address(module.contestOf(taskId).arbitrator), address(liar), "before the liar");
    }

    function reclaimFromLiar(uint256 disputeId) private {
        module.reclaimArbitrationFee(IPanelArbitrator(address(liar)), disputeId);
    }

    /// The liar reports the dispute closed and the fee credited, but its withdrawal sends nothing: nothing is paid —
    /// not out of the executor's deposit the module holds — and the record survives, so that once the liar does
    /// return the fee, the poster gets it.
    function test_LyingArbitrator_ReturnsNothing_NothingIsPaid() external {
        (, uint256 disputeId) = liarDispute();
        liar.setClosed(disputeId, true);
        liar.setReportedCredit(ARBITRATION_FEE);
        uint256 posterBefore = poster.balance;

        vm.expectRevert(nothingToReclaim(address(liar), disputeId));
        reclaimFromLiar(disputeId);
        assertEq(poster.balance, posterBefore, "nothing paid");
        assertEq(address(module).balance, ARBITRATION_FEE, "the executor's deposit is untouched");

        liar.setWithdrawal(ARBITRATION_FEE);
        expectReclaimed(IArbitrator(address(liar)), disputeId, poster, ARBITRATION_FEE);
        reclaimFromLiar(disputeId);
        assertEq(poster.balance - posterBefore, ARBITRATION_FEE, "paid once the fee came back");
        assertEq(address(module).balance, ARBITRATION_FEE, "still only the executor's deposit");
    }

    /// The liar reports the whole fee but returns a third of it: the poster gets that third, no more, and the record
    /// is spent — a later reclaim reverts even if the liar would now return the rest. The executor's deposit is not
    /// touched: the timeout returns it in full.
    function test_LyingArbitrator_ReturnsLess_PaysOnlyWhatItReturned() external {
        (uint256 taskId, uint256 disputeId) = liarDispute();
        uint256 returned = ARBITRATION_FEE / 3;
        liar.setClosed(disputeId, true);
        liar.setReportedCredit(ARBITRATION_FEE);
        liar.setWithdrawal(returned);
        uint256 posterBefore = poster.balance;

        expectReclaimed(IArbitrator(address(liar)), disputeId, poster, returned);
        vm.prank(stranger);
        reclaimFromLiar(disputeId);
        assertEq(poster.balance - posterBefore, returned, "only what came back");
        assertEq(address(module).balance, ARBITRATION_FEE, "the executor's deposit is untouched");

        liar.setWithdrawal(ARBITRATION_FEE - returned);
        vm.expectRevert(nothingToReclaim(address(liar), disputeId));
        reclaimFromLiar(disputeId);

        uint256 humanBefore = human.balance;
        vm.warp(module.contestOf(taskId).deadline + 1);
        module.timeoutArbitration(taskId, liarTerms);
        assertEq(human.balance - humanBefore, ARBITRATION_FEE + BOND, "the executor's deposit and bond");
        assertEq(address(module).balance, 0, "module empty");
        assertEq(liar.withdrawCalls(), 1, "one withdrawal");
    }

    /// The liar returns twice the fee: the poster gets the fee it paid, no more. The surplus came from that arbitrator
    /// and stays for its next refund: a second dispute before it is paid from it, with no withdrawal.
    function test_LyingArbitrator_ReturnsMore_PaysOnlyTheFee() external {
        (, uint256 disputeId) = liarDispute();
        (, uint256 secondId) = liarDispute();
        uint256 deposits = 2 * ARBITRATION_FEE;
        assertEq(address(module).balance, deposits, "both executors' deposits");
        liar.setClosed(disputeId, true);
        liar.setReportedCredit(ARBITRATION_FEE);
        liar.setWithdrawal(2 * ARBITRATION_FEE);
        uint256 posterBefore = poster.balance;

        expectReclaimed(IArbitrator(address(liar)), disputeId, poster, ARBITRATION_FEE);
        reclaimFromLiar(disputeId);
        assertEq(poster.balance - posterBefore, ARBITRATION_FEE, "the fee, not the surplus");
        assertEq(address(module).balance, deposits + ARBITRATION_FEE, "the surplus stays in the module");

        liar.setClosed(secondId, true);
        liar.setReportedCredit(0);
        expectReclaimed(IArbitrator(address(liar)), secondId, poster, ARBITRATION_FEE);
        reclaimFromLiar(secondId);
        assertEq(poster.balance - posterBefore, 2 * ARBITRATION_FEE, "both fees, and no more than came back");
        assertEq(address(module).balance, deposits, "the deposits only");
        assertEq(liar.withdrawCalls(), 1, "one withdrawal");
    }

    /// The liar reports the module's dispute closed but someone else's: nothing is reclaimed, nothing withdrawn.
    function test_LyingArbitrator_AnotherArbitrablesDispute_Reverts() external {
        (, uint256 disputeId) = liarDispute();
        liar.setClosed(disputeId, true);
        liar.setArbitrable(disputeId, IArbitrable(stranger));
        liar.setReportedCredit(ARBITRATION_FEE);
        liar.setWithdrawal(ARBITRATION_FEE);

        vm.expectRevert(nothingToReclaim(address(liar), disputeId));
        reclaimFromLiar(disputeId);
        assertEq(liar.withdrawCalls(), 0, "no withdrawal");
    }

    /// An open dispute has nothing to refund, whatever credit the arbitrator reports.
    function test_LyingArbitrator_DisputeStillOpen_Reverts() external {
        (, uint256 disputeId) = liarDispute();
        liar.setReportedCredit(ARBITRATION_FEE);
        liar.setWithdrawal(ARBITRATION_FEE);

        vm.expectRevert(nothingToReclaim(address(liar), disputeId));
        reclaimFromLiar(disputeId);
        assertEq(liar.withdrawCalls(), 0, "no withdrawal");
    }

    /// ETH the liar pushes to the module outside a withdrawal is not a refund: with no credit reported, nothing is
    /// withdrawn and nothing paid; that ETH is credited to nobody.
    function test_LyingArbitrator_PushedEthIsNotARefund() external {
        (, uint256 disputeId) = liarDispute();
        liar.setClosed(disputeId, true);
        liar.push(address(module), ARBITRATION_FEE);
        assertEq(address(module).balance, 2 * ARBITRATION_FEE, "the deposit and the pushed ETH");

        vm.expectRevert(nothingToReclaim(address(liar), disputeId));
        reclaimFromLiar(disputeId);
        assertEq(liar.withdrawCalls(), 0, "no withdrawal");
    }

    /// Refunds are kept apart per arbitrator: the honest panel's refund, pulled and held for its payer, cannot pay a
    /// dispute whose liar returned nothing.
    function test_LyingArbitrator_CannotDrawOnAnotherArbitratorsRefund() external {
        uint256 honestA = disputeIdOf(arbitratedRejection(terms, config));
        uint256 honestB = disputeIdOf(arbitratedRejection(terms, config));
        (, uint256 lyingId) = liarDispute();
        closeUnresolved(honestA);
        closeUnresolved(honestB);
        module.reclaimArbitrationFee(arbitrator, honestA);
        uint256 held = address(module).balance;
        assertEq(held, 4 * ARBITRATION_FEE, "three deposits and the honest panel's refund for dispute B");

        liar.setClosed(lyingId, true);
        liar.setReportedCredit(ARBITRATION_FEE);
        uint256 posterBefore = poster.balance;
        vm.expectRevert(nothingToReclaim(address(liar), lyingId));
        reclaimFromLiar(lyingId);
        assertEq(address(module).balance, held, "nothing left the module");

        module.reclaimArbitrationFee(arbitrator, honestB);
        assertEq(poster.balance - posterBefore, ARBITRATION_FEE, "the honest refund reached its payer");
    }
}
