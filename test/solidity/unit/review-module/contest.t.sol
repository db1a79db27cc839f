// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IArbitrator } from "../../../../contracts/interfaces/arbitration/IArbitrator.sol";
import { IEvidence } from "../../../../contracts/interfaces/arbitration/IEvidence.sol";
import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { IPanelArbitrator } from "../../../../contracts/interfaces/arbitration/IPanelArbitrator.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { IReviewModule } from "../../../../contracts/interfaces/verification/IReviewModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskState, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { ReviewModule_Test } from "./ReviewModuleBase.sol";

/// @notice The contest of a held decision: the executor accepting a rejection, the window lapsing, a party disputing,
/// the respondent matching or defaulting, evidence, and the clean-up of a contest whose hold ran out in the market.
contract ReviewModule_Contest_Unit_Test is ReviewModule_Test {
    IReviewModule.ReviewConfig internal config;
    TaskTerms internal terms;

    function setUp() public override {
        super.setUp();
        config = contestConfig();
        terms = reviewTerms(address(0), config);
    }

    /*//////////////////////////////////////////////////////////////
                            ACCEPT REJECTION
    //////////////////////////////////////////////////////////////*/

    function test_AcceptRejection_ExecutorResubmitsWithTheTimeOnHoldGivenBack() external {
        uint256 taskId = rejectedTask(terms, config);
        uint40 deadlineBefore = market.stateOf(taskId).executionDeadline;
        vm.warp(block.timestamp + 1 days);

        vm.expectEmit(address(module));
        emit IDisputableModule.ContestEnded(taskId, IDisputableModule.ContestOutcome.Accepted, 0);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionRejected(taskId, address(module), ACCEPTED_REJECTION_REASON);
        vm.prank(human);
        module.acceptRejection(taskId, terms);

        TaskState memory state = market.stateOf(taskId);
        assertEq(state.status, TaskStatus.InProgress, "back to work");
        assertEq(state.executionDeadline, deadlineBefore + 1 days, "the day on hold is given back");
        assertEq(state.flags & FLAG_REJECTED, FLAG_REJECTED, "rejected");
        assertEq(state.flags & FLAG_REJECTED_AFTER_DEADLINE, 0, "in time");
        assertPhase(taskId, IDisputableModule.ContestPhase.None);

        // It resubmits near its extended deadline and the reviewer approves: the fee is not paid again.
        vm.warp(deadlineBefore + 1 days);
        submitWork(taskId, terms, human);
        uint256 humanBefore = human.balance;
        uint256 reviewerBefore = reviewer.balance;
        approveAs(reviewer, taskId, terms, config);
        assertEq(human.balance - humanBefore, payoutOf(REWARD, FEE_BPS) + BOND, "paid in full");
        assertEq(reviewer.balance, reviewerBefore, "fee paid once, at the rejection");
        assertEq(address(module).balance, 0, "module");
    }

    function test_RevertWhen_AcceptRejection_CallerNotExecutor() external {
        uint256 taskId = rejectedTask(terms, config);
        address[3] memory callers = [poster, reviewer, stranger];
        for (uint256 i = 0; i < callers.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(Errors.DisputableModule_CallerNotParty.selector, taskId, callers[i])
            );
            vm.prank(callers[i]);
            module.acceptRejection(taskId, terms);
        }
    }

    function test_RevertWhen_AcceptRejection_NotARejection() external {
        uint256 taskId = partiallyAcceptedTask(terms, config, 3_000);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        vm.prank(human);
        module.acceptRejection(taskId, terms);
    }

    function test_RevertWhen_AcceptRejection_NoContest() external {
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        vm.prank(human);
        module.acceptRejection(taskId, terms);
    }

    function test_RevertWhen_AcceptRejection_AlreadyDisputed() external {
        uint256 taskId = disputedRejection(terms, config);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        vm.prank(human);
        module.acceptRejection(taskId, terms);
    }

    /// Once the window is over the market no longer holds the submission: the contest has lapsed.
    function test_RevertWhen_AcceptRejection_AfterTheWindow() external {
        uint256 taskId = rejectedTask(terms, config);
        vm.warp(block.timestamp + CONTEST_WINDOW + 1);
        assertStatus(taskId, TaskStatus.Verified);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_ContestLapsed.selector, taskId));
        vm.prank(human);
        module.acceptRejection(taskId, terms);
        assertPhase(taskId, IDisputableModule.ContestPhase.Open);
    }

    /*//////////////////////////////////////////////////////////////
                              WINDOW LAPSE
    //////////////////////////////////////////////////////////////*/

    /// No one disputes a rejection: when the window ends the market settles it as decided, 0 % for the executor.
    function test_WindowLapse_Rejection_ReleasesWithNothingForTheExecutor() external {
        uint256 taskId = rejectedTask(terms, config);
        uint256 windowEnd = block.timestamp + CONTEST_WINDOW;
        Balances memory before = balancesOf(human);

        vm.warp(windowEnd);
        assertStatus(taskId, TaskStatus.Disputed);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_ContestStillHeld.selector, taskId));
        module.closeLapsedContest(taskId);

        vm.warp(windowEnd + 1);
        assertStatus(taskId, TaskStatus.Verified);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskVerified(taskId);
        vm.prank(stranger);
        market.release(taskId, terms);

        assertStatus(taskId, TaskStatus.Settled);
        assertDeltas(before, balancesOf(human), [toInt(REWARD), toInt(BOND), 0, 0, 0, -toInt(REWARD + BOND)]);
        assertEq(address(market).balance, 0, "no fee on nothing");

        vm.expectEmit(address(module));
        emit IDisputableModule.ContestEnded(taskId, IDisputableModule.ContestOutcome.Lapsed, 0);
        module.closeLapsedContest(taskId);
        assertPhase(taskId, IDisputableModule.ContestPhase.None);
        assertEq(address(module).balance, 0, "module");
    }

    function test_WindowLapse_Partial_ReleasesWithTheDecidedShare() external {
        uint16 share = 7_000;
        uint256 taskId = partiallyAcceptedTask(terms, config, share);
        Balances memory before = balancesOf(human);

        vm.warp(block.timestamp + CONTEST_WINDOW + 1);
        market.release(taskId, terms);

        uint256 payout = executorPayoutOf(REWARD, share);
        uint256 refund = posterRefundOf(REWARD, share);
        assertDeltas(
            before,
            balancesOf(human),
            [toInt(refund), toInt(payout + BOND), 0, 0, 0, -toInt(refund + payout + BOND)]
        );
        assertEq(address(market).balance, protocolFeeOf(REWARD, share), "market keeps the fee on the share");
    }

    function test_WindowLapse_TokenTask() external {
        TaskTerms memory tokenTask = reviewTerms(address(token), config);
        uint16 share = 2_500;
        uint256 taskId = partiallyAcceptedTask(tokenTask, config, share);
        uint256 humanBefore = token.balanceOf(human);
        uint256 posterBefore = token.balanceOf(poster);

        vm.warp(block.timestamp + CONTEST_WINDOW + 1);
        market.release(taskId, tokenTask);

        assertEq(token.balanceOf(human) - humanBefore, executorPayoutOf(REWARD, share) + BOND, "executor");
        assertEq(token.balanceOf(poster) - posterBefore, posterRefundOf(REWARD, share), "poster");
        assertEq(token.balanceOf(address(market)), protocolFeeOf(REWARD, share), "market");
        assertEq(token.balanceOf(address(module)), 0, "module");
    }

    /*//////////////////////////////////////////////////////////////
                                DISPUTE
    //////////////////////////////////////////////////////////////*/

    function test_Dispute_ExecutorDisputesARejection() external {
        uint256 taskId = rejectedTask(terms, config);
        vm.warp(block.timestamp + 1 hours);
        uint40 feeDeadline = uint40(block.timestamp + FEE_PAYMENT_PERIOD);
        uint256 humanBefore = human.balance;

        vm.expectEmit(address(module));
        emit IDisputableModule.DisputeRaised(
            taskId,
            human,
            poster,
            IArbitrator(address(arbitrator)),
            ARBITRATION_FEE,
            feeDeadline
        );
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionHeld(taskId, address(module), uint40(feeDeadline + EXECUTION_PERIOD), uint16(BPS));
        disputeAs(human, taskId, terms, config);

        IDisputableModule.Contest memory contest = module.contestOf(taskId);
        assertEq(uint8(contest.phase), uint8(IDisputableModule.ContestPhase.AwaitingRespondent), "phase");
        assertTrue(contest.rejection, "rejection");
        assertTrue(contest.claimantForExecutor, "for the executor");
        assertEq(contest.decisionShareBps, 0, "decision");
        assertEq(contest.deadline, feeDeadline, "fee deadline");
        assertEq(contest.claimant, human, "claimant");
        assertEq(contest.respondent, poster, "respondent");
        assertEq(address(contest.arbitrator), address(arbitrator), "arbitrator");
        assertEq(contest.claimantFee, ARBITRATION_FEE, "claimant fee");
        assertEq(contest.bond, 0, "no bond in review");

        // Until the poster matches, the hold defaults to the executor's win.
        assertStatus(taskId, TaskStatus.Disputed);
        (, , uint16 holdShare) = market.progressOf(taskId);
        assertEq(holdShare, BPS, "a respondent that does not pay loses");
        assertEq(market.stateOf(taskId).reviewDeadline, feeDeadline + EXECUTION_PERIOD, "hold end");
        assertEq(humanBefore - human.balance, ARBITRATION_FEE, "deposit paid");
        assertEq(address(module).balance, ARBITRATION_FEE, "module holds the deposit");
    }

    function test_Dispute_ExecutorDisputesAPartialAcceptance() external {
        uint256 taskId = partiallyAcceptedTask(terms, config, 4_000);
        disputeAs(human, taskId, terms, config);

        IDisputableModule.Contest memory contest = module.contestOf(taskId);
        assertEq(contest.claimant, human, "claimant");
        assertEq(contest.respondent, poster, "respondent");
        assertTrue(contest.claimantForExecutor, "for the executor");
        assertFalse(contest.rejection, "partial");
        assertEq(contest.decisionShareBps, 4_000, "decision");
        (, , uint16 holdShare) = market.progressOf(taskId);
        assertEq(holdShare, BPS, "executor's win by default");
    }

    function test_Dispute_PosterDisputesAPartialAcceptance() external {
        uint256 taskId = partiallyAcceptedTask(terms, config, 4_000);
        uint40 feeDeadline = uint40(block.timestamp + FEE_PAYMENT_PERIOD);

        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionHeld(taskId, address(module), uint40(feeDeadline + EXECUTION_PERIOD), 0);
        disputeAs(poster, taskId, terms, config);

        IDisputableModule.Contest memory contest = module.contestOf(taskId);
        assertEq(contest.claimant, poster, "claimant");
        assertEq(contest.respondent, human, "respondent");
        assertFalse(contest.claimantForExecutor, "against the executor");
        (, , uint16 holdShare) = market.progressOf(taskId);
        assertEq(holdShare, 0, "the poster's win by default");
    }

    /// A partial acceptance of 0 % is not a rejection: the executor can dispute it but not accept it to resubmit.
    function test_Dispute_ExecutorDisputesAZeroShare() external {
        uint256 taskId = partiallyAcceptedTask(terms, config, 0);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_CallerNotParty.selector, taskId, poster));
        disputeAs(poster, taskId, terms, config);
        disputeAs(human, taskId, terms, config);
        assertPhase(taskId, IDisputableModule.ContestPhase.AwaitingRespondent);
    }

    function test_RevertWhen_Dispute_PosterDisputesARejection() external {
        uint256 taskId = rejectedTask(terms, config);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_CallerNotParty.selector, taskId, poster));
        disputeAs(poster, taskId, terms, config);
    }

    function test_RevertWhen_Dispute_ExecutorDisputesAFullShare() external {
        uint256 taskId = partiallyAcceptedTask(terms, config, uint16(BPS));
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_CallerNotParty.selector, taskId, human));
        disputeAs(human, taskId, terms, config);
        // The poster may dispute a full share.
        disputeAs(poster, taskId, terms, config);
    }

    function test_RevertWhen_Dispute_NotAParty() external {
        uint256 taskId = partiallyAcceptedTask(terms, config, 5_000);
        address[2] memory callers = [reviewer, stranger];
        for (uint256 i = 0; i < callers.length; ++i) {
            vm.deal(callers[i], ARBITRATION_FEE);
            vm.expectRevert(
                abi.encodeWithSelector(Errors.DisputableModule_CallerNotParty.selector, taskId, callers[i])
            );
            disputeAs(callers[i], taskId, terms, config);
        }
    }

    function test_Dispute_AtTheLastSecondOfTheWindow() external {
        uint256 taskId = rejectedTask(terms, config);
        vm.warp(block.timestamp + CONTEST_WINDOW);
        disputeAs(human, taskId, terms, config);
        assertPhase(taskId, IDisputableModule.ContestPhase.AwaitingRespondent);
    }

    function test_RevertWhen_Dispute_AfterTheWindow() external {
        uint256 taskId = rejectedTask(terms, config);
        uint256 windowEnd = block.timestamp + CONTEST_WINDOW;
        vm.warp(windowEnd + 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_DeadlinePassed.selector, taskId, windowEnd));
        disputeAs(human, taskId, terms, config);
    }

    function test_RevertWhen_Dispute_IncorrectDeposit() external {
        uint256 taskId = rejectedTask(terms, config);
        uint256[3] memory deposits = [uint256(0), ARBITRATION_FEE - 1, ARBITRATION_FEE + 1];
        for (uint256 i = 0; i < deposits.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(Errors.DisputableModule_IncorrectDeposit.selector, ARBITRATION_FEE, deposits[i])
            );
            vm.prank(human);
            module.dispute{ value: deposits[i] }(taskId, terms, config);
        }
    }

    /// The deposit is the arbitrator's cost when the dispute is raised.
    function test_Dispute_DepositFollowsTheArbitrationCost() external {
        uint256 taskId = rejectedTask(terms, config);
        vm.prank(panelOwner);
        arbitrator.setArbitrationFee(0.5 ether);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_IncorrectDeposit.selector, 0.5 ether, ARBITRATION_FEE)
        );
        disputeAs(human, taskId, terms, config);
        vm.prank(human);
        module.dispute{ value: 0.5 ether }(taskId, terms, config);
        assertEq(module.contestOf(taskId).claimantFee, 0.5 ether, "claimant fee");
    }

    function test_RevertWhen_Dispute_Twice() external {
        uint256 taskId = partiallyAcceptedTask(terms, config, 5_000);
        disputeAs(human, taskId, terms, config);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        disputeAs(poster, taskId, terms, config);
    }

    function test_RevertWhen_Dispute_NoContest() external {
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        disputeAs(human, taskId, terms, config);
    }

    /// Without a window, decisions take effect at once and there is nothing to dispute.
    function test_RevertWhen_Dispute_ImmediateDecision() external {
        IReviewModule.ReviewConfig memory immediate = immediateConfig();
        TaskTerms memory immediateTerms = reviewTerms(address(0), immediate);
        uint256 taskId = rejectedTask(immediateTerms, immediate);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        disputeAs(human, taskId, immediateTerms, immediate);
    }

    /*//////////////////////////////////////////////////////////////
                                RESPOND
    //////////////////////////////////////////////////////////////*/

    function test_Respond_SeizesTheArbitrator() external {
        uint256 taskId = disputedRejection(terms, config);
        vm.warp(block.timestamp + 1 days);
        uint40 rulingDeadline = uint40(block.timestamp + RULING_PERIOD);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(arbitrator));
        emit IArbitrator.DisputeCreation(1, module);
        vm.expectEmit(address(module));
        emit IDisputableModule.ArbitrationStarted(taskId, IArbitrator(address(arbitrator)), 1, rulingDeadline);
        vm.expectEmit(address(module));
        emit IEvidence.Dispute(IArbitrator(address(arbitrator)), 1, 0, taskId);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionHeld(taskId, address(module), uint40(rulingDeadline + EXECUTION_PERIOD), 0);
        respondAs(poster, taskId, terms);

        IDisputableModule.Contest memory contest = module.contestOf(taskId);
        assertEq(uint8(contest.phase), uint8(IDisputableModule.ContestPhase.Arbitrating), "phase");
        assertEq(contest.arbitratorDisputeId, 1, "dispute id");
        assertEq(contest.deadline, rulingDeadline, "ruling deadline");
        (, , uint16 holdShare) = market.progressOf(taskId);
        assertEq(holdShare, 0, "if no one carries out the ruling, the decision stands");
        assertEq(market.stateOf(taskId).reviewDeadline, rulingDeadline + EXECUTION_PERIOD, "hold end");

        IPanelArbitrator.PanelDispute memory panelDispute = arbitrator.disputeOf(1);
        assertEq(address(panelDispute.arbitrable), address(module), "arbitrable");
        assertEq(panelDispute.choices, RULING_OPTIONS, "choices");
        assertEq(panelDispute.fee, ARBITRATION_FEE, "fee");
        address[] memory parties = arbitrator.partiesOf(1);
        assertEq(parties.length, 4, "parties");
        assertEq(parties[0], poster, "poster");
        assertEq(parties[1], human, "claimant");
        assertEq(parties[2], poster, "respondent");
        assertEq(parties[3], address(0), "a human executor has no operator");

        assertEq(posterBefore - poster.balance, ARBITRATION_FEE, "respondent paid");
        assertEq(address(arbitrator).balance, ARBITRATION_FEE, "the respondent's fee pays the arbitrator");
        assertEq(address(module).balance, ARBITRATION_FEE, "the claimant's fee stays in the module");
    }

    function test_Respond_ByTheExecutor() external {
        uint256 taskId = partiallyAcceptedTask(terms, config, 8_000);
        disputeAs(poster, taskId, terms, config);
        respondAs(human, taskId, terms);
        assertPhase(taskId, IDisputableModule.ContestPhase.Arbitrating);
        (, , uint16 holdShare) = market.progressOf(taskId);
        assertEq(holdShare, 8_000, "the decision stands by default");
    }

    function test_Respond_AtTheFeeDeadline() external {
        uint256 taskId = disputedRejection(terms, config);
        vm.warp(module.contestOf(taskId).deadline);
        respondAs(poster, taskId, terms);
        assertPhase(taskId, IDisputableModule.ContestPhase.Arbitrating);
    }

    function test_RevertWhen_Respond_CallerNotRespondent() external {
        uint256 taskId = disputedRejection(terms, config);
        address[3] memory callers = [human, reviewer, stranger];
        for (uint256 i = 0; i < callers.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(Errors.DisputableModule_CallerNotRespondent.selector, taskId, callers[i])
            );
            respondAs(callers[i], taskId, terms);
        }
    }

    function test_RevertWhen_Respond_IncorrectDeposit() external {
        uint256 taskId = disputedRejection(terms, config);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.DisputableModule_IncorrectDeposit.selector,
                ARBITRATION_FEE,
                ARBITRATION_FEE - 1
            )
        );
        vm.prank(poster);
        module.respond{ value: ARBITRATION_FEE - 1 }(taskId, terms);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.DisputableModule_IncorrectDeposit.selector,
                ARBITRATION_FEE,
                ARBITRATION_FEE + 1
            )
        );
        vm.prank(poster);
        module.respond{ value: ARBITRATION_FEE + 1 }(taskId, terms);
    }

    function test_RevertWhen_Respond_Late() external {
        uint256 taskId = disputedRejection(terms, config);
        uint256 feeDeadline = module.contestOf(taskId).deadline;
        vm.warp(feeDeadline + 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_DeadlinePassed.selector, taskId, feeDeadline));
        respondAs(poster, taskId, terms);
    }

    function test_RevertWhen_Respond_WrongPhase() external {
        uint256 taskId = rejectedTask(terms, config);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        respondAs(poster, taskId, terms);

        disputeAs(human, taskId, terms, config);
        respondAs(poster, taskId, terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        respondAs(poster, taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                           TIMEOUT RESPONDENT
    //////////////////////////////////////////////////////////////*/

    function test_TimeoutRespondent_ExecutorClaimantWins() external {
        uint256 taskId = rejectedTask(terms, config);
        Balances memory before = balancesOf(human);
        disputeAs(human, taskId, terms, config);
        uint256 feeDeadline = module.contestOf(taskId).deadline;

        vm.warp(feeDeadline);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_DeadlineNotPassed.selector, taskId, feeDeadline)
        );
        module.timeoutRespondent(taskId, terms);

        vm.warp(feeDeadline + 1);
        vm.expectEmit(address(module));
        emit IDisputableModule.ContestEnded(taskId, IDisputableModule.ContestOutcome.RespondentDefaulted, uint16(BPS));
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionResolved(taskId, address(module), uint16(BPS));
        vm.prank(stranger);
        module.timeoutRespondent(taskId, terms);

        uint256 payout = payoutOf(REWARD, FEE_BPS);
        assertStatus(taskId, TaskStatus.Settled);
        assertPhase(taskId, IDisputableModule.ContestPhase.None);
        assertDeltas(before, balancesOf(human), [int256(0), toInt(payout + BOND), 0, 0, 0, -toInt(payout + BOND)]);
        assertEq(address(module).balance, 0, "module empty");
        assertEq(market.executorRecordOf(human).disputesWon, 1, "dispute won");
    }

    function test_TimeoutRespondent_PosterClaimantWins() external {
        uint256 taskId = partiallyAcceptedTask(terms, config, 6_000);
        Balances memory before = balancesOf(human);
        disputeAs(poster, taskId, terms, config);
        vm.warp(block.timestamp + FEE_PAYMENT_PERIOD + 1);

        module.timeoutRespondent(taskId, terms);

        assertDeltas(before, balancesOf(human), [toInt(REWARD), toInt(BOND), 0, 0, 0, -toInt(REWARD + BOND)]);
        assertEq(market.executorRecordOf(human).disputesLost, 1, "dispute lost");
    }

    function test_RevertWhen_TimeoutRespondent_WrongPhase() external {
        uint256 taskId = rejectedTask(terms, config);
        vm.warp(block.timestamp + CONTEST_WINDOW);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        module.timeoutRespondent(taskId, terms);

        disputeAs(human, taskId, terms, config);
        respondAs(poster, taskId, terms);
        vm.warp(block.timestamp + FEE_PAYMENT_PERIOD + 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        module.timeoutRespondent(taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                                EVIDENCE
    //////////////////////////////////////////////////////////////*/

    function test_SubmitEvidence_ByEitherParty() external {
        uint256 taskId = disputedRejection(terms, config);

        vm.expectEmit(address(module));
        emit IDisputableModule.EvidenceSubmitted(taskId, human, EVIDENCE_HASH, EVIDENCE_URI);
        vm.expectEmit(address(module));
        emit IEvidence.Evidence(IArbitrator(address(arbitrator)), taskId, human, EVIDENCE_URI);
        vm.prank(human);
        module.submitEvidence(taskId, EVIDENCE_HASH, EVIDENCE_URI);

        respondAs(poster, taskId, terms);
        vm.expectEmit(address(module));
        emit IDisputableModule.EvidenceSubmitted(taskId, poster, keccak256("rebuttal"), "ipfs://rebuttal");
        vm.expectEmit(address(module));
        emit IEvidence.Evidence(IArbitrator(address(arbitrator)), taskId, poster, "ipfs://rebuttal");
        vm.prank(poster);
        module.submitEvidence(taskId, keccak256("rebuttal"), "ipfs://rebuttal");

        // Still allowed once the panel has ruled, until the ruling is carried out.
        panelRules(disputeIdOf(taskId), 6);
        vm.prank(human);
        module.submitEvidence(taskId, EVIDENCE_HASH, EVIDENCE_URI);
        module.executeRuling(taskId, terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        vm.prank(human);
        module.submitEvidence(taskId, EVIDENCE_HASH, EVIDENCE_URI);
    }

    function test_RevertWhen_SubmitEvidence_NotAParty() external {
        uint256 taskId = disputedRejection(terms, config);
        address[2] memory callers = [reviewer, stranger];
        for (uint256 i = 0; i < callers.length; ++i) {
            vm.expectRevert(
                abi.encodeWithSelector(Errors.DisputableModule_CallerNotParty.selector, taskId, callers[i])
            );
            vm.prank(callers[i]);
            module.submitEvidence(taskId, EVIDENCE_HASH, EVIDENCE_URI);
        }
    }

    function test_RevertWhen_SubmitEvidence_NoDispute() external {
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        vm.prank(human);
        module.submitEvidence(taskId, EVIDENCE_HASH, EVIDENCE_URI);

        rejectAs(reviewer, taskId, terms, config);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        vm.prank(human);
        module.submitEvidence(taskId, EVIDENCE_HASH, EVIDENCE_URI);
    }

    /*//////////////////////////////////////////////////////////////
                          CLOSE LAPSED CONTEST
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_CloseLapsedContest_NoContest() external {
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        module.closeLapsedContest(taskId);
    }

    function test_RevertWhen_CloseLapsedContest_StillHeld() external {
        uint256 taskId = disputedRejection(terms, config);
        bytes memory stillHeld = abi.encodeWithSelector(Errors.DisputableModule_ContestStillHeld.selector, taskId);
        vm.expectRevert(stillHeld);
        module.closeLapsedContest(taskId);

        respondAs(poster, taskId, terms);
        vm.warp(market.stateOf(taskId).reviewDeadline);
        vm.expectRevert(stillHeld);
        module.closeLapsedContest(taskId);
    }

    /// No one times out the defaulting respondent: the hold runs out and settles with the claimant's win; the
    /// claimant's deposit comes back through `closeLapsedContest`, before or after the release.
    function test_CloseLapsedContest_AwaitingRespondent_RefundsTheClaimant() external {
        uint256 taskId = rejectedTask(terms, config);
        Balances memory before = balancesOf(human);
        disputeAs(human, taskId, terms, config);
        vm.warp(market.stateOf(taskId).reviewDeadline + 1);
        assertStatus(taskId, TaskStatus.Verified);

        // It reports the share the market settles with: the claimant's win.
        vm.expectEmit(address(module));
        emit IDisputableModule.ContestEnded(taskId, IDisputableModule.ContestOutcome.Lapsed, uint16(BPS));
        vm.prank(stranger);
        module.closeLapsedContest(taskId);
        market.release(taskId, terms);

        uint256 payout = payoutOf(REWARD, FEE_BPS);
        assertDeltas(before, balancesOf(human), [int256(0), toInt(payout + BOND), 0, 0, 0, -toInt(payout + BOND)]);
        assertPhase(taskId, IDisputableModule.ContestPhase.None);
    }

    /// No one carries out the arbitration: the hold runs out and the decision stands; the claimant's deposit comes
    /// back, the respondent's paid the arbitrator.
    function test_CloseLapsedContest_Arbitrating_RefundsTheClaimant() external {
        uint256 taskId = rejectedTask(terms, config);
        Balances memory before = balancesOf(human);
        disputeAs(human, taskId, terms, config);
        respondAs(poster, taskId, terms);
        vm.warp(market.stateOf(taskId).reviewDeadline + 1);

        market.release(taskId, terms);
        module.closeLapsedContest(taskId);

        int256 fee = toInt(ARBITRATION_FEE);
        assertDeltas(before, balancesOf(human), [toInt(REWARD) - fee, toInt(BOND), 0, fee, 0, -toInt(REWARD + BOND)]);
    }

    /// A ruling no one carries out within the execution period is lost: the decision stands, every deposit back.
    function test_CloseLapsedContest_RuledButNotExecuted() external {
        uint256 taskId = arbitratedRejection(terms, config);
        Balances memory before = balancesOf(human);
        panelRules(disputeIdOf(taskId), 11);
        vm.warp(market.stateOf(taskId).reviewDeadline + 1);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_ContestLapsed.selector, taskId));
        module.executeRuling(taskId, terms);
        market.release(taskId, terms);
        module.closeLapsedContest(taskId);

        assertDeltas(
            before,
            balancesOf(human),
            [toInt(REWARD), toInt(BOND + ARBITRATION_FEE), 0, 0, -toInt(ARBITRATION_FEE), -toInt(REWARD + BOND)]
        );
        assertEq(address(module).balance, 0, "module empty");
    }

    /// Both parties cancel the task in the middle of a dispute: the contest is over in the market, every deposit
    /// comes back through `closeLapsedContest`.
    function test_CloseLapsedContest_AfterMutualCancellation() external {
        uint256 taskId = rejectedTask(terms, config);
        Balances memory before = balancesOf(human);
        disputeAs(human, taskId, terms, config);
        respondAs(poster, taskId, terms);

        vm.prank(poster);
        market.consentToCancel(taskId, terms);
        vm.prank(human);
        market.consentToCancel(taskId, terms);
        assertStatus(taskId, TaskStatus.Cancelled);
        module.closeLapsedContest(taskId);

        int256 fee = toInt(ARBITRATION_FEE);
        assertDeltas(before, balancesOf(human), [toInt(REWARD) - fee, toInt(BOND), 0, fee, 0, -toInt(REWARD + BOND)]);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        module.closeLapsedContest(taskId);
    }
}
