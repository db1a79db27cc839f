// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { PanelArbitrator } from "../../../../contracts/arbitration/PanelArbitrator.sol";
import { IArbitrable } from "../../../../contracts/interfaces/arbitration/IArbitrable.sol";
import { IArbitrator } from "../../../../contracts/interfaces/arbitration/IArbitrator.sol";
import { IPanelArbitrator } from "../../../../contracts/interfaces/arbitration/IPanelArbitrator.sol";
import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { IReviewModule } from "../../../../contracts/interfaces/verification/IReviewModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorRecord, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { ReviewModule_Test } from "./ReviewModuleBase.sol";

/// @notice Disputes before the `PanelArbitrator`: votes, rulings carried out by `executeRuling`, the arbitrator's
/// silence, late and invalid rulings, and the panel's exclusion of the parties. Every outcome checks the ETH of the
/// claimant, the respondent, the arbitrator (with the arbiters' credits), the module and the market.
contract ReviewModule_Arbitration_Unit_Test is ReviewModule_Test {
    IReviewModule.ReviewConfig internal config;
    TaskTerms internal terms;

    function setUp() public override {
        super.setUp();
        config = contestConfig();
        terms = reviewTerms(address(0), config);
    }

    /// @dev Runs a contest of `decision` to a panel ruling of `ruling`, carries it out and checks every balance.
    function checkRuling(uint16 decision, bool posterClaims, uint256 ruling) private {
        uint256 taskId =
            decision == 0 && !posterClaims
                ? rejectedTask(terms, config)
                : partiallyAcceptedTask(terms, config, decision);
        Balances memory before = balancesOf(human);
        disputeAs(posterClaims ? poster : human, taskId, terms, config);
        respondAs(posterClaims ? human : poster, taskId, terms);
        uint256 disputeId = disputeIdOf(taskId);
        uint16 share = shareOfRuling(ruling, decision);

        vm.prank(arbiters[0]);
        arbitrator.vote(disputeId, ruling);
        vm.expectEmit(address(module));
        emit IArbitrable.Ruling(IArbitrator(address(arbitrator)), disputeId, ruling);
        vm.prank(arbiters[1]);
        arbitrator.vote(disputeId, ruling);
        assertPhase(taskId, IDisputableModule.ContestPhase.Ruled);
        assertEq(module.contestOf(taskId).rulingShareBps, share, "ruling share");
        assertStatus(taskId, TaskStatus.Disputed);

        vm.expectEmit(address(module));
        emit IDisputableModule.ContestEnded(taskId, IDisputableModule.ContestOutcome.Ruled, share);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionResolved(taskId, address(module), share);
        vm.prank(stranger);
        module.executeRuling(taskId, terms);

        assertStatus(taskId, TaskStatus.Settled);
        assertPhase(taskId, IDisputableModule.ContestPhase.None);
        assertDeltas(before, balancesOf(human), ruledDeltas(share));
        assertEq(address(module).balance, 0, "module empty");
        assertEq(address(market).balance, protocolFeeOf(REWARD, share), "market keeps the protocol fee");
        assertArbitersPaid(ARBITRATION_FEE);
        assertEq(arbitrator.creditOf(arbiters[0]), ARBITRATION_FEE / 2, "first voter");
        assertEq(arbitrator.creditOf(arbiters[1]), ARBITRATION_FEE - ARBITRATION_FEE / 2, "second voter");
        ExecutorRecord memory record = market.executorRecordOf(human);
        bool executorWins = 2 * uint256(share) >= BPS;
        assertEq(record.disputesWon, executorWins ? 1 : 0, "disputes won");
        assertEq(record.disputesLost, executorWins ? 0 : 1, "disputes lost");
    }

    /*//////////////////////////////////////////////////////////////
                             EXECUTE RULING
    //////////////////////////////////////////////////////////////*/

    function test_ExecuteRuling_Ruling1_NothingForTheExecutor() external {
        checkRuling(0, false, 1);
    }

    function test_ExecuteRuling_Ruling6_HalfForTheExecutor() external {
        checkRuling(0, false, 6);
    }

    function test_ExecuteRuling_Ruling11_AllForTheExecutor() external {
        checkRuling(0, false, 11);
    }

    /// Ruling 0 is a refusal to arbitrate: the contested rejection stands, and the poster, with the larger share,
    /// takes the executor's deposit.
    function test_ExecuteRuling_Refusal_RejectionStands() external {
        checkRuling(0, false, 0);
    }

    function test_ExecuteRuling_Refusal_PartialStands() external {
        checkRuling(7_000, true, 0);
    }

    function test_ExecuteRuling_PosterClaims_AndWins() external {
        checkRuling(6_000, true, 4);
    }

    function test_ExecuteRuling_PosterClaims_AndLoses() external {
        checkRuling(6_000, true, 9);
    }

    function test_ExecuteRuling_ExecutorClaimsMoreThanAPartialShare() external {
        checkRuling(4_000, false, 8);
    }

    /// Pinned, as docs/disputes.md states: the deposit goes to the side with the larger share, not to the side the
    /// ruling moved towards. The executor disputed 60 % asking for more and was given 50 %: it still takes the
    /// poster's deposit, being the executor on a tie.
    function test_ExecuteRuling_TieGoesToTheExecutorEvenBelowTheDecision() external {
        checkRuling(6_000, false, 6);
    }

    /// The escrow moves in the task's token; deposits stay in ETH.
    function test_ExecuteRuling_TokenTask() external {
        TaskTerms memory tokenTerms = reviewTerms(address(token), config);
        uint256 taskId = rejectedTask(tokenTerms, config);
        uint256 humanTokens = token.balanceOf(human);
        uint256 posterTokens = token.balanceOf(poster);
        Balances memory before = balancesOf(human);
        disputeAs(human, taskId, tokenTerms, config);
        respondAs(poster, taskId, tokenTerms);
        panelRules(disputeIdOf(taskId), 8);

        module.executeRuling(taskId, tokenTerms);

        uint16 share = 7_000;
        assertEq(token.balanceOf(human) - humanTokens, executorPayoutOf(REWARD, share) + BOND, "executor tokens");
        assertEq(token.balanceOf(poster) - posterTokens, posterRefundOf(REWARD, share), "poster tokens");
        assertEq(token.balanceOf(address(market)), protocolFeeOf(REWARD, share), "market tokens");
        assertEq(token.balanceOf(address(module)), 0, "module tokens");
        int256 fee = toInt(ARBITRATION_FEE);
        assertDeltas(before, balancesOf(human), [-fee, int256(0), 0, fee, 0, 0]);
    }

    function test_RevertWhen_ExecuteRuling_NotRuled() external {
        uint256 taskId = submittedTask(terms);
        bytes memory invalidPhase = abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId);
        vm.expectRevert(invalidPhase);
        module.executeRuling(taskId, terms);

        rejectAs(reviewer, taskId, terms, config);
        vm.expectRevert(invalidPhase);
        module.executeRuling(taskId, terms);
        disputeAs(human, taskId, terms, config);
        vm.expectRevert(invalidPhase);
        module.executeRuling(taskId, terms);
        respondAs(poster, taskId, terms);
        vm.expectRevert(invalidPhase);
        module.executeRuling(taskId, terms);
    }

    function test_RevertWhen_ExecuteRuling_Twice() external {
        uint256 taskId = arbitratedRejection(terms, config);
        panelRules(disputeIdOf(taskId), 3);
        module.executeRuling(taskId, terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        module.executeRuling(taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                                  RULE
    //////////////////////////////////////////////////////////////*/

    function test_Rule_DirectlyByTheArbitrator() external {
        uint256 taskId = arbitratedRejection(terms, config);
        uint256 disputeId = disputeIdOf(taskId);
        vm.expectEmit(address(module));
        emit IArbitrable.Ruling(IArbitrator(address(arbitrator)), disputeId, 4);
        vm.prank(address(arbitrator));
        module.rule(disputeId, 4);
        assertPhase(taskId, IDisputableModule.ContestPhase.Ruled);
        assertEq(module.contestOf(taskId).rulingShareBps, 3_000, "ruling 4 is 30 %");
    }

    function test_RevertWhen_Rule_CallerNotTheArbitrator() external {
        uint256 taskId = arbitratedRejection(terms, config);
        uint256 disputeId = disputeIdOf(taskId);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_UnknownDispute.selector, stranger, disputeId));
        vm.prank(stranger);
        module.rule(disputeId, 6);

        // Another arbitrator numbering its disputes the same way.
        PanelArbitrator other = new PanelArbitrator(panelOwner, ARBITRATION_FEE, VOTING_PERIOD);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_UnknownDispute.selector, address(other), disputeId)
        );
        vm.prank(address(other));
        module.rule(disputeId, 6);
        assertPhase(taskId, IDisputableModule.ContestPhase.Arbitrating);
    }

    function test_RevertWhen_Rule_WrongDisputeId() external {
        uint256 taskId = arbitratedRejection(terms, config);
        uint256 wrongId = disputeIdOf(taskId) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_UnknownDispute.selector, address(arbitrator), wrongId)
        );
        vm.prank(address(arbitrator));
        module.rule(wrongId, 6);
    }

    function test_RevertWhen_Rule_AboveTheRulingOptions() external {
        uint256 taskId = arbitratedRejection(terms, config);
        uint256 disputeId = disputeIdOf(taskId);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidRuling.selector, RULING_OPTIONS + 1));
        vm.prank(address(arbitrator));
        module.rule(disputeId, RULING_OPTIONS + 1);

        // The panel itself refuses a ruling beyond the choices the module offered.
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.PanelArbitrator_InvalidRuling.selector,
                disputeId,
                RULING_OPTIONS + 1,
                RULING_OPTIONS
            )
        );
        vm.prank(arbiters[0]);
        arbitrator.vote(disputeId, RULING_OPTIONS + 1);
    }

    function test_RevertWhen_Rule_Twice() external {
        uint256 taskId = arbitratedRejection(terms, config);
        uint256 disputeId = disputeIdOf(taskId);
        vm.startPrank(address(arbitrator));
        module.rule(disputeId, 3);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_UnknownDispute.selector, address(arbitrator), disputeId)
        );
        module.rule(disputeId, 9);
        vm.stopPrank();
        assertEq(module.contestOf(taskId).rulingShareBps, 2_000, "the first ruling holds");
    }

    function test_RevertWhen_Rule_BeforeTheArbitratorIsSeized() external {
        disputedRejection(terms, config);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_UnknownDispute.selector, address(arbitrator), 1)
        );
        vm.prank(address(arbitrator));
        module.rule(1, 6);
    }

    /*//////////////////////////////////////////////////////////////
                          TIMEOUT ARBITRATION
    //////////////////////////////////////////////////////////////*/

    /// The arbitrator stays silent past the ruling period: the decision stands and, no one having won on the merits,
    /// each side takes back what it still has in the module — the claimant its deposit; the respondent's paid the
    /// arbitrator.
    function test_TimeoutArbitration_DecisionStandsAndEachSideKeepsItsDeposit() external {
        uint16 decision = 4_000;
        uint256 taskId = partiallyAcceptedTask(terms, config, decision);
        Balances memory before = balancesOf(human);
        disputeAs(human, taskId, terms, config);
        respondAs(poster, taskId, terms);
        uint256 rulingDeadline = module.contestOf(taskId).deadline;
        assertEq(rulingDeadline, block.timestamp + RULING_PERIOD, "ruling deadline");

        vm.warp(rulingDeadline);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_DeadlineNotPassed.selector, taskId, rulingDeadline)
        );
        module.timeoutArbitration(taskId, terms);

        vm.warp(rulingDeadline + 1);
        vm.expectEmit(address(module));
        emit IDisputableModule.ContestEnded(taskId, IDisputableModule.ContestOutcome.ArbitratorSilent, decision);
        vm.prank(stranger);
        module.timeoutArbitration(taskId, terms);

        int256 fee = toInt(ARBITRATION_FEE);
        uint256 payout = executorPayoutOf(REWARD, decision);
        uint256 refund = posterRefundOf(REWARD, decision);
        assertDeltas(
            before,
            balancesOf(human),
            [toInt(refund) - fee, toInt(payout + BOND), 0, fee, 0, -toInt(payout + refund + BOND)]
        );
        assertEq(address(module).balance, 0, "module empty");
        assertEq(market.executorRecordOf(human).disputesLost, 1, "40 % is a dispute lost");
    }

    /// An odd fee: the claimant gets its whole deposit back, the respondent's stays with the arbitrator; no wei stays
    /// behind in the module.
    function test_TimeoutArbitration_OddFeeLeavesNoDust() external {
        uint256 oddFee = ARBITRATION_FEE + 1;
        vm.prank(panelOwner);
        arbitrator.setArbitrationFee(oddFee);
        uint256 taskId = rejectedTask(terms, config);
        vm.prank(human);
        module.dispute{ value: oddFee }(taskId, terms, config);
        vm.prank(poster);
        module.respond{ value: oddFee }(taskId, terms);
        uint256 humanBefore = human.balance;
        uint256 posterBefore = poster.balance;
        vm.warp(module.contestOf(taskId).deadline + 1);

        module.timeoutArbitration(taskId, terms);

        assertEq(human.balance - humanBefore, oddFee + BOND, "claimant: its deposit, and its claim bond");
        assertEq(poster.balance - posterBefore, REWARD, "respondent: the refund; its fee paid the arbitrator");
        assertEq(address(arbitrator).balance, oddFee, "the respondent's fee");
        assertEq(address(module).balance, 0, "no dust");
    }

    function test_RevertWhen_TimeoutArbitration_WrongPhase() external {
        uint256 taskId = disputedRejection(terms, config);
        vm.warp(block.timestamp + FEE_PAYMENT_PERIOD + 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        module.timeoutArbitration(taskId, terms);

        uint256 other = arbitratedRejection(terms, config);
        panelRules(disputeIdOf(other), 2);
        vm.warp(module.contestOf(other).deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, other));
        module.timeoutArbitration(other, terms);
    }

    /*//////////////////////////////////////////////////////////////
                             LATE RULINGS
    //////////////////////////////////////////////////////////////*/

    /// A panel that rules after the arbitration was timed out cannot change the outcome: the delivery fails, the
    /// panel's decision stands on its side only (its arbiters are paid), and retrying the delivery fails too.
    function test_LateRuling_AfterTheTimeout_IsNotDelivered() external {
        vm.prank(panelOwner);
        arbitrator.setVotingPeriod(60 days);
        uint256 taskId = rejectedTask(terms, config);
        Balances memory before = balancesOf(human);
        disputeAs(human, taskId, terms, config);
        respondAs(poster, taskId, terms);
        uint256 disputeId = disputeIdOf(taskId);
        vm.warp(module.contestOf(taskId).deadline + 1);
        module.timeoutArbitration(taskId, terms);

        vm.prank(arbiters[0]);
        arbitrator.vote(disputeId, 11);
        vm.expectEmit(address(arbitrator));
        emit IPanelArbitrator.RulingDeliveryFailed(disputeId);
        vm.prank(arbiters[1]);
        arbitrator.vote(disputeId, 11);

        IPanelArbitrator.PanelDispute memory panelDispute = arbitrator.disputeOf(disputeId);
        assertTrue(panelDispute.solved, "solved at the panel");
        assertFalse(panelDispute.delivered, "not delivered");
        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_UnknownDispute.selector, address(arbitrator), disputeId)
        );
        arbitrator.executeRuling(disputeId);

        // The timeout's outcome: the rejection stands, the claimant's deposit comes back.
        int256 fee = toInt(ARBITRATION_FEE);
        assertDeltas(before, balancesOf(human), [toInt(REWARD) - fee, toInt(BOND), 0, fee, 0, -toInt(REWARD + BOND)]);
        assertStatus(taskId, TaskStatus.Settled);
        assertArbitersPaid(ARBITRATION_FEE);
    }

    /// Pinned, as docs/disputes.md states: the ruling period is not enforced on the ruling itself; a ruling
    /// delivered after it, before anyone timed the arbitration out, is carried out.
    function test_LateRuling_BeforeTheTimeout_IsCarriedOut() external {
        vm.prank(panelOwner);
        arbitrator.setVotingPeriod(60 days);
        uint256 taskId = arbitratedRejection(terms, config);
        vm.warp(module.contestOf(taskId).deadline + 1);

        panelRules(disputeIdOf(taskId), 11);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        module.timeoutArbitration(taskId, terms);
        uint256 humanBefore = human.balance;
        module.executeRuling(taskId, terms);
        assertEq(human.balance - humanBefore, payoutOf(REWARD, FEE_BPS) + BOND + ARBITRATION_FEE, "executor wins");
    }

    /// The hold outlasts the ruling period by the execution period only: once it has run out the contest has lapsed,
    /// a ruling carried out later is refused, and the decision stands.
    function test_RevertWhen_ExecuteRuling_AfterTheHold() external {
        uint256 taskId = arbitratedRejection(terms, config);
        panelRules(disputeIdOf(taskId), 11);
        uint256 holdEnd = uint256(module.contestOf(taskId).deadline) + EXECUTION_PERIOD;
        assertEq(market.stateOf(taskId).reviewDeadline, holdEnd, "hold end");
        vm.warp(holdEnd + 1);
        assertStatus(taskId, TaskStatus.Verified);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_ContestLapsed.selector, taskId));
        module.executeRuling(taskId, terms);
        assertPhase(taskId, IDisputableModule.ContestPhase.Ruled);

        uint256 posterBefore = poster.balance;
        market.release(taskId, terms);
        assertEq(poster.balance - posterBefore, REWARD, "the rejection stands");
    }

    /*//////////////////////////////////////////////////////////////
                            UNRESOLVED PANEL
    //////////////////////////////////////////////////////////////*/

    /// The panel reaches no majority: `closeUnresolved` credits the respondent's fee back to the module, the module's
    /// timeout leaves the rejection standing and refunds the claimant, and `reclaimArbitrationFee` — which anyone may
    /// call, and only once the panel closed the dispute — pulls the credit and passes it to the poster, who paid it.
    /// Every deposit has come back; a second reclaim finds nothing.
    function test_UnresolvedPanel_RefundedFeeReachesTheRespondentOnce() external {
        uint256 taskId = rejectedTask(terms, config);
        Balances memory before = balancesOf(human);
        disputeAs(human, taskId, terms, config);
        respondAs(poster, taskId, terms);
        uint256 disputeId = disputeIdOf(taskId);
        bytes memory nothingToReclaim = abi.encodeWithSelector(
            Errors.DisputableModule_NothingToReclaim.selector,
            address(arbitrator),
            disputeId
        );

        // Not before the panel closed the dispute, even once its voting period is over.
        vm.expectRevert(nothingToReclaim);
        module.reclaimArbitrationFee(arbitrator, disputeId);
        vm.warp(arbitrator.disputeOf(disputeId).votingDeadline + 1);
        vm.expectRevert(nothingToReclaim);
        module.reclaimArbitrationFee(arbitrator, disputeId);

        arbitrator.closeUnresolved(disputeId);
        assertEq(arbitrator.creditOf(address(module)), ARBITRATION_FEE, "credited to the module");
        vm.warp(module.contestOf(taskId).deadline + 1);
        module.timeoutArbitration(taskId, terms);
        assertEq(address(module).balance, 0, "the claimant's deposit is back");

        vm.expectEmit(address(arbitrator));
        emit IPanelArbitrator.Withdrawn(address(module), ARBITRATION_FEE);
        vm.expectEmit(address(module));
        emit IDisputableModule.ArbitrationFeeReclaimed(
            IArbitrator(address(arbitrator)),
            disputeId,
            poster,
            ARBITRATION_FEE
        );
        vm.prank(stranger);
        module.reclaimArbitrationFee(arbitrator, disputeId);

        assertEq(arbitrator.creditOf(address(module)), 0, "nothing stranded at the panel");
        assertArbitersPaid(0);
        assertDeltas(before, balancesOf(human), [toInt(REWARD), toInt(BOND), 0, 0, 0, -toInt(REWARD + BOND)]);

        vm.expectRevert(nothingToReclaim);
        vm.prank(poster);
        module.reclaimArbitrationFee(arbitrator, disputeId);
        assertEq(address(module).balance, 0, "module empty");
    }

    /*//////////////////////////////////////////////////////////////
                             PANEL MEMBERS
    //////////////////////////////////////////////////////////////*/

    /// The module names the poster, the claimant and the respondent as parties: an arbiter who is one may not vote,
    /// and the majority is counted over the others.
    function test_ArbiterWhoIsAPartyCannotVote() external {
        vm.startPrank(panelOwner);
        arbitrator.addArbiter(poster);
        arbitrator.addArbiter(human);
        vm.stopPrank();
        uint256 taskId = arbitratedRejection(terms, config);
        uint256 disputeId = disputeIdOf(taskId);
        assertEq(arbitrator.disputeOf(disputeId).majority, 2, "three eligible arbiters of five");

        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_ArbiterIsParty.selector, disputeId, poster));
        vm.prank(poster);
        arbitrator.vote(disputeId, 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_ArbiterIsParty.selector, disputeId, human));
        vm.prank(human);
        arbitrator.vote(disputeId, 11);

        panelRules(disputeId, 11);
        module.executeRuling(taskId, terms);
        assertStatus(taskId, TaskStatus.Settled);
        assertEq(arbitrator.creditOf(poster) + arbitrator.creditOf(human), 0, "the parties earn nothing");
    }

    /// A panel on which every arbiter is a party cannot hear the dispute: the respondent cannot match, and loses.
    function test_PanelOfPartiesOnly_TheRespondentCannotMatch() external {
        vm.startPrank(panelOwner);
        for (uint256 i = 0; i < arbiters.length; ++i) {
            arbitrator.removeArbiter(arbiters[i]);
        }
        arbitrator.addArbiter(poster);
        vm.stopPrank();
        uint256 taskId = disputedRejection(terms, config);

        vm.expectRevert(Errors.PanelArbitrator_NoEligibleArbiters.selector);
        respondAs(poster, taskId, terms);
        vm.warp(module.contestOf(taskId).deadline + 1);
        module.timeoutRespondent(taskId, terms);
        assertEq(market.executorRecordOf(human).disputesWon, 1, "the executor wins by default");
    }

    /// Pinned, as docs/disputes.md states: the reviewer whose decision is contested is not named as a party, so a
    /// reviewer who sits on the panel may vote on its own decision.
    function test_ReviewerOnThePanel_MayVoteOnItsOwnDecision() external {
        vm.prank(panelOwner);
        arbitrator.addArbiter(reviewer);
        uint256 taskId = arbitratedRejection(terms, config);
        uint256 disputeId = disputeIdOf(taskId);

        vm.prank(reviewer);
        arbitrator.vote(disputeId, 1);
        assertEq(arbitrator.votesFor(disputeId, 1), 1, "the reviewer's vote counts");
    }
}
