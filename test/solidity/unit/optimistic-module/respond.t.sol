// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IArbitrable } from "../../../../contracts/interfaces/arbitration/IArbitrable.sol";
import { IArbitrator } from "../../../../contracts/interfaces/arbitration/IArbitrator.sol";
import { IEvidence } from "../../../../contracts/interfaces/arbitration/IEvidence.sol";
import { IPanelArbitrator } from "../../../../contracts/interfaces/arbitration/IPanelArbitrator.sol";
import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { OptimisticModule_Test } from "./OptimisticModuleBase.sol";

contract Respond_Unit_Test is OptimisticModule_Test {
    function test_WhenExecutorMatchesTheDeposit_ItShouldSeizeThePanel() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);
        uint256 challengedAt = block.timestamp;
        vm.warp(block.timestamp + 1 days);
        uint40 rulingDeadline = uint40(block.timestamp + RULING_PERIOD);
        uint40 holdEnd = uint40(rulingDeadline + EXECUTION_PERIOD);
        Balances memory before = ethBalances();

        vm.expectEmit(address(panel));
        emit IArbitrator.DisputeCreation(1, IArbitrable(address(module)));
        vm.expectEmit(address(module));
        emit IDisputableModule.ArbitrationStarted(taskId, panel, 1, rulingDeadline);
        vm.expectEmit(address(module));
        emit IEvidence.Dispute(panel, 1, 0, taskId);
        vm.expectEmit(address(market));
        // Should no one carry out the ruling, the submission stands.
        emit ITaskMarket.SubmissionHeld(taskId, address(module), holdEnd, uint16(BPS));
        respondAs(human, taskId, terms);

        IDisputableModule.Contest memory contest = module.contestOf(taskId);
        assertEq(uint256(contest.phase), uint256(IDisputableModule.ContestPhase.Arbitrating), "phase");
        assertEq(contest.arbitratorDisputeId, 1, "dispute id");
        assertEq(contest.deadline, rulingDeadline, "ruling deadline");
        assertEq(contest.claimant, challenger, "claimant");
        assertEq(contest.respondent, human, "respondent");
        assertEq(contest.claimantFee, ARBITRATION_FEE, "claimant fee");
        assertEq(contest.bond, CHALLENGE_BOND, "bond");
        assertEq(contest.decisionShareBps, BPS, "decision share");

        assertStatus(taskId, TaskStatus.Disputed);
        assertEq(market.stateOf(taskId).reviewDeadline, holdEnd, "hold extended");
        (, uint40 heldAt, uint16 holdShare) = market.progressOf(taskId);
        assertEq(heldAt, challengedAt, "the hold still counts from the challenge");
        assertEq(holdShare, BPS, "hold default: the submission stands");
        assertEthDeltas(
            before,
            Deltas({
                poster: 0,
                executor: -signed(challengeDeposit()),
                challenger: 0,
                treasury: 0,
                market: 0,
                module: signed(CHALLENGE_BOND),
                panel: signed(ARBITRATION_FEE)
            })
        );
        assertEq(address(module).balance, ARBITRATION_FEE + 2 * uint256(CHALLENGE_BOND), "both bonds, one fee");
    }

    function test_WhenExecutorMatchesTheDeposit_ThePanelShouldExcludeTheParties() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        arbitratedTask(terms);

        IPanelArbitrator.PanelDispute memory dispute = panel.disputeOf(1);
        assertEq(address(dispute.arbitrable), address(module), "arbitrable");
        assertEq(dispute.choices, module.RULING_OPTIONS(), "choices");
        assertEq(dispute.majority, 2, "two of three arbiters");
        assertEq(dispute.fee, ARBITRATION_FEE, "the executor's fee pays the panel");
        assertEq(dispute.votingDeadline, block.timestamp + VOTING_PERIOD, "voting deadline");
        address[] memory parties = panel.partiesOf(1);
        assertEq(parties.length, 4, "parties");
        assertEq(parties[0], poster, "party 0: the poster");
        assertEq(parties[1], challenger, "party 1: the claimant");
        assertEq(parties[2], human, "party 2: the respondent");
        assertEq(parties[3], address(0), "party 3: the executor's operator (none for a human)");
    }

    function test_WhenRespondingAtTheFeeDeadline_ItShouldSeizeThePanel() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);
        vm.warp(module.contestOf(taskId).deadline);

        respondAs(human, taskId, terms);

        assertPhase(taskId, IDisputableModule.ContestPhase.Arbitrating);
    }

    /// @dev An arbiter who is a party to the dispute is excluded: the majority is over the others.
    function test_WhenAnArbiterChallenges_ItShouldNotJudge() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);
        vm.deal(arbiter2, 10 ether);
        challengeAs(arbiter2, taskId, terms);
        respondAs(human, taskId, terms);
        uint256 disputeId = disputeIdOf(taskId);

        assertEq(panel.disputeOf(disputeId).majority, 2, "two eligible arbiters: both needed");
        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_ArbiterIsParty.selector, disputeId, arbiter2));
        vm.prank(arbiter2);
        panel.vote(disputeId, RULING_CHALLENGER_WINS);
    }

    /// @dev Regression (conflict of interest): `_arbitratorExtraData` once named only the poster, the claimant and the
    /// respondent as the dispute's parties, but not the operator of an agent executor. The market treats an agent and
    /// its operator as one (`_checkClaimant` refuses an agent operated by the poster or the verifier), yet an arbiter
    /// who operates the executor agent may vote on the challenge of its own agent's work — and with a three-member
    /// panel, two such votes decide. Fix: add `executorRegistry.operatorOf(executor)` (when non-zero) to the parties,
    /// which `MAX_PARTIES = 4` allows.
    function test_WhenExecutorIsAnAgent_ItsOperatorShouldNotJudge() external {
        vm.prank(owner);
        panel.addArbiter(operator);
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = createTask(terms);
        claimTask(taskId, terms, agent);
        submitWork(taskId, terms, agent);
        challengeAs(challenger, taskId, terms);
        respondAs(agent, taskId, terms);
        uint256 disputeId = disputeIdOf(taskId);

        vm.expectRevert(abi.encodeWithSelector(Errors.PanelArbitrator_ArbiterIsParty.selector, disputeId, operator));
        vm.prank(operator);
        panel.vote(disputeId, RULING_EXECUTOR_WINS);
    }

    /*//////////////////////////////////////////////////////////////
                                REVERTS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_CallerIsNotTheExecutor() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_CallerNotRespondent.selector, taskId, poster));
        respondAs(poster, taskId, terms);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_CallerNotRespondent.selector, taskId, challenger)
        );
        respondAs(challenger, taskId, terms);
    }

    function test_RevertWhen_DepositIsWrong() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);

        vm.startPrank(human);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.DisputableModule_IncorrectDeposit.selector,
                challengeDeposit(),
                ARBITRATION_FEE
            )
        );
        module.respond{ value: ARBITRATION_FEE }(taskId, terms);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.DisputableModule_IncorrectDeposit.selector,
                challengeDeposit(),
                challengeDeposit() + 1
            )
        );
        module.respond{ value: challengeDeposit() + 1 }(taskId, terms);
        vm.stopPrank();
    }

    function test_RevertWhen_RespondingAfterTheFeeDeadline() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);
        uint40 feeDeadline = module.contestOf(taskId).deadline;
        vm.warp(uint256(feeDeadline) + 1);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_DeadlinePassed.selector, taskId, feeDeadline));
        respondAs(human, taskId, terms);
    }

    function test_RevertWhen_NothingToRespondTo() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        respondAs(human, taskId, terms);
    }

    function test_RevertWhen_RespondingTwice() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        respondAs(human, taskId, terms);
    }

    function test_RevertWhen_TermsNameAnotherVerifier() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);
        terms.verifier = reviewer;

        vm.expectRevert(abi.encodeWithSelector(Errors.VerificationModule_NotVerifier.selector, taskId, reviewer));
        respondAs(human, taskId, terms);
    }

    function test_RevertWhen_TermsAreNotTheTasks() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);
        terms.reward += 1;

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        respondAs(human, taskId, terms);
    }

    function test_RevertWhen_SomeoneButTheArbitratorRules() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);
        uint256 disputeId = disputeIdOf(taskId);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_UnknownDispute.selector, stranger, disputeId));
        vm.prank(stranger);
        module.rule(disputeId, RULING_CHALLENGER_WINS);
    }
}
