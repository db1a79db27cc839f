// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IEvidence } from "../../../../contracts/interfaces/arbitration/IEvidence.sol";
import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { IOptimisticModule } from "../../../../contracts/interfaces/verification/IOptimisticModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { OptimisticModule_Test } from "./OptimisticModuleBase.sol";

contract Challenge_Unit_Test is OptimisticModule_Test {
    /*//////////////////////////////////////////////////////////////
                              HAPPY PATHS
    //////////////////////////////////////////////////////////////*/

    function test_WhenThirdPartyChallengesWithinTheWindow_ItShouldHoldTheSubmissionAgainstTheExecutor() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint40 feeDeadline = uint40(block.timestamp + FEE_PAYMENT_PERIOD);
        uint40 holdEnd = uint40(feeDeadline + EXECUTION_PERIOD);
        Balances memory before = ethBalances();

        vm.expectEmit(address(module));
        emit IOptimisticModule.SubmissionChallenged(taskId, challenger, CHALLENGE_BOND);
        vm.expectEmit(address(module));
        emit IDisputableModule.DisputeRaised(taskId, challenger, human, panel, challengeDeposit(), feeDeadline);
        vm.expectEmit(address(market));
        // Until the executor matches the deposit, the hold's default is the challenger's win: nothing for it.
        emit ITaskMarket.SubmissionHeld(taskId, address(module), holdEnd, 0);
        challengeAs(challenger, taskId, terms);

        IDisputableModule.Contest memory contest = module.contestOf(taskId);
        assertEq(uint256(contest.phase), uint256(IDisputableModule.ContestPhase.AwaitingRespondent), "phase");
        assertFalse(contest.rejection, "not a rejection");
        assertFalse(contest.claimantForExecutor, "the challenger argues against the executor");
        assertEq(contest.decisionShareBps, BPS, "the submission stands in full unless overturned");
        assertEq(contest.rulingShareBps, 0, "no ruling yet");
        assertEq(contest.deadline, feeDeadline, "fee deadline");
        assertEq(contest.claimant, challenger, "claimant");
        assertEq(contest.respondent, human, "respondent: the executor");
        assertEq(address(contest.arbitrator), address(panel), "arbitrator");
        assertEq(contest.arbitratorDisputeId, 0, "no dispute at the arbitrator yet");
        assertEq(contest.claimantFee, ARBITRATION_FEE, "claimant fee");
        assertEq(contest.bond, CHALLENGE_BOND, "bond");

        assertStatus(taskId, TaskStatus.Disputed);
        assertEq(market.stateOf(taskId).reviewDeadline, holdEnd, "held until the fee deadline plus execution period");
        (, uint40 heldAt, uint16 holdShare) = market.progressOf(taskId);
        assertEq(heldAt, block.timestamp, "heldAt");
        assertEq(holdShare, 0, "hold default share");

        assertEthDeltas(
            before,
            Deltas({
                poster: 0,
                executor: 0,
                challenger: -signed(challengeDeposit()),
                treasury: 0,
                market: 0,
                module: signed(challengeDeposit()),
                panel: 0
            })
        );
        assertEq(address(module).balance, challengeDeposit(), "the module holds the deposit");
        assertEq(address(market).balance, REWARD + BOND, "the escrow stays in the market");
    }

    function test_WhenPosterChallenges_ItShouldHoldTheSubmission() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(module));
        emit IOptimisticModule.SubmissionChallenged(taskId, poster, CHALLENGE_BOND);
        challengeAs(poster, taskId, terms);

        IDisputableModule.Contest memory contest = module.contestOf(taskId);
        assertEq(contest.claimant, poster, "claimant: the poster");
        assertEq(contest.respondent, human, "respondent: the executor");
        assertEq(poster.balance, posterBefore - challengeDeposit(), "poster paid the deposit");
        assertStatus(taskId, TaskStatus.Disputed);
    }

    function test_WhenChallengedAtTheLastSecondOfTheWindow_ItShouldHold() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);
        vm.warp(market.stateOf(taskId).reviewDeadline);

        challengeAs(challenger, taskId, terms);

        assertStatus(taskId, TaskStatus.Disputed);
    }

    /// @dev The challenge window is the task's review window, whatever its length.
    function test_ChallengeWindow_ShouldBeTheTaskReviewWindow() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        terms.reviewWindow = 5 days;
        uint256 taskId = submittedTask(terms);
        assertEq(market.stateOf(taskId).reviewDeadline, block.timestamp + 5 days, "review deadline");
        vm.warp(block.timestamp + 5 days);

        challengeAs(challenger, taskId, terms);

        assertStatus(taskId, TaskStatus.Disputed);
    }

    function test_RevertWhen_ChallengedOneSecondAfterTheTaskReviewWindow() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        terms.reviewWindow = 5 days;
        uint256 taskId = submittedTask(terms);
        vm.warp(block.timestamp + 5 days + 1);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        challengeAs(challenger, taskId, terms);
    }

    function test_WhenExecutorIsAnAgent_ItsOperatorMayChallenge() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = createTask(terms);
        claimTask(taskId, terms, agent);
        submitWork(taskId, terms, agent);
        vm.deal(operator, 10 ether);

        challengeAs(operator, taskId, terms);

        assertEq(module.contestOf(taskId).respondent, agent, "the agent answers");
    }

    /*//////////////////////////////////////////////////////////////
                              VERIFIER FEE
    //////////////////////////////////////////////////////////////*/

    function test_WhenTaskHasAVerifierFee_ItShouldForwardItToThePoster() external {
        TaskTerms memory terms = optimisticTermsWithFee(address(0));
        uint256 taskId = submittedTask(terms);
        assertEq(address(market).balance, REWARD + VERIFIER_FEE + BOND, "escrow with the fee");
        Balances memory before = ethBalances();

        vm.expectEmit(address(market));
        emit ITaskMarket.VerifierPaid(taskId, address(module), VERIFIER_FEE);
        vm.expectEmit(address(module));
        emit IDisputableModule.VerifierFeeForwarded(address(0), poster, VERIFIER_FEE);
        challengeAs(challenger, taskId, terms);

        assertEthDeltas(
            before,
            Deltas({
                poster: signed(VERIFIER_FEE),
                executor: 0,
                challenger: -signed(challengeDeposit()),
                treasury: 0,
                market: -signed(VERIFIER_FEE),
                module: signed(challengeDeposit()),
                panel: 0
            })
        );
        assertEq(market.stateOf(taskId).flags & FLAG_VERIFIER_PAID, FLAG_VERIFIER_PAID, "fee marked paid");
        assertEq(address(module).balance, challengeDeposit(), "the module keeps only the deposit");
    }

    function test_WhenTokenTaskHasAVerifierFee_ItShouldForwardTheTokenToThePoster() external {
        TaskTerms memory terms = optimisticTermsWithFee(address(token));
        uint256 taskId = submittedTask(terms);
        uint256 posterTokens = token.balanceOf(poster);
        uint256 marketTokens = token.balanceOf(address(market));
        Balances memory before = ethBalances();

        vm.expectEmit(address(module));
        emit IDisputableModule.VerifierFeeForwarded(address(token), poster, VERIFIER_FEE);
        challengeAs(challenger, taskId, terms);

        assertEq(token.balanceOf(poster), posterTokens + VERIFIER_FEE, "poster: fee back in the token");
        assertEq(token.balanceOf(address(market)), marketTokens - VERIFIER_FEE, "market: fee out");
        assertEq(token.balanceOf(address(module)), 0, "module: no token left");
        // The deposit is in ETH whatever the reward's token.
        assertEthDeltas(
            before,
            Deltas({
                poster: 0,
                executor: 0,
                challenger: -signed(challengeDeposit()),
                treasury: 0,
                market: 0,
                module: signed(challengeDeposit()),
                panel: 0
            })
        );
    }

    function test_WhenTaskHasNoVerifierFee_ItShouldForwardNothing() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);

        vm.recordLogs();
        challengeAs(challenger, taskId, terms);

        assertEq(countMarketEvents(ITaskMarket.VerifierPaid.selector), 0, "no VerifierPaid");
        assertEq(market.stateOf(taskId).flags & FLAG_VERIFIER_PAID, 0, "nothing marked paid");
    }

    /*//////////////////////////////////////////////////////////////
                                REVERTS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_ExecutorChallenges() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.OptimisticModule_ExecutorCannotChallenge.selector, taskId));
        challengeAs(human, taskId, terms);
    }

    function test_RevertWhen_ChallengedAfterTheWindow() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);

        // The module leaves the window to the market, which only holds a submission under review.
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Verified));
        challengeAs(challenger, taskId, terms);
    }

    function test_RevertWhen_ChallengedBeforeASubmission() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = claimedTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.OptimisticModule_NotChallengeable.selector, taskId));
        challengeAs(challenger, taskId, terms);
    }

    function test_RevertWhen_ChallengedAfterSettlement() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        market.release(taskId, terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.OptimisticModule_NotChallengeable.selector, taskId));
        challengeAs(challenger, taskId, terms);
    }

    function test_RevertWhen_DepositIsShort() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);
        IOptimisticModule.OptimisticConfig memory config = optimisticConfig();

        vm.startPrank(challenger);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.DisputableModule_IncorrectDeposit.selector,
                challengeDeposit(),
                challengeDeposit() - 1
            )
        );
        module.challenge{ value: challengeDeposit() - 1 }(taskId, terms, config);

        // The bond alone, or the fee alone, is not enough.
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.DisputableModule_IncorrectDeposit.selector,
                challengeDeposit(),
                CHALLENGE_BOND
            )
        );
        module.challenge{ value: CHALLENGE_BOND }(taskId, terms, config);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.DisputableModule_IncorrectDeposit.selector,
                challengeDeposit(),
                ARBITRATION_FEE
            )
        );
        module.challenge{ value: ARBITRATION_FEE }(taskId, terms, config);
        vm.stopPrank();
    }

    function test_RevertWhen_DepositIsTooLarge() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);
        IOptimisticModule.OptimisticConfig memory config = optimisticConfig();

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.DisputableModule_IncorrectDeposit.selector,
                challengeDeposit(),
                challengeDeposit() + 1
            )
        );
        vm.prank(challenger);
        module.challenge{ value: challengeDeposit() + 1 }(taskId, terms, config);
    }

    function test_RevertWhen_ArbitrationFeeRoseSinceTheTaskWasPosted() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);
        vm.prank(owner);
        panel.setArbitrationFee(ARBITRATION_FEE + 1);

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.DisputableModule_IncorrectDeposit.selector,
                challengeDeposit() + 1,
                challengeDeposit()
            )
        );
        challengeAs(challenger, taskId, terms);
    }

    function test_RevertWhen_ChallengedAgainWhileTheExecutorMayRespond() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.OptimisticModule_NotChallengeable.selector, taskId));
        challengeAs(stranger, taskId, terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.OptimisticModule_NotChallengeable.selector, taskId));
        challengeAs(poster, taskId, terms);
    }

    function test_RevertWhen_ChallengedAgainDuringArbitration() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.OptimisticModule_NotChallengeable.selector, taskId));
        challengeAs(stranger, taskId, terms);
    }

    function test_RevertWhen_ChallengedAgainAfterTheRuling() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);
        panelRules(taskId, RULING_CHALLENGER_WINS);

        vm.expectRevert(abi.encodeWithSelector(Errors.OptimisticModule_NotChallengeable.selector, taskId));
        challengeAs(stranger, taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                               EVIDENCE
    //////////////////////////////////////////////////////////////*/

    function test_SubmitEvidence_ShouldBeOpenToBothSidesOfAChallenge() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);
        bytes32 evidenceHash = keccak256("evidence");

        vm.expectEmit(address(module));
        emit IDisputableModule.EvidenceSubmitted(taskId, challenger, evidenceHash, "ipfs://challenger-evidence");
        vm.expectEmit(address(module));
        emit IEvidence.Evidence(panel, taskId, challenger, "ipfs://challenger-evidence");
        vm.prank(challenger);
        module.submitEvidence(taskId, evidenceHash, "ipfs://challenger-evidence");

        vm.expectEmit(address(module));
        emit IDisputableModule.EvidenceSubmitted(taskId, human, evidenceHash, "ipfs://executor-evidence");
        vm.prank(human);
        module.submitEvidence(taskId, evidenceHash, "ipfs://executor-evidence");

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_CallerNotParty.selector, taskId, stranger));
        vm.prank(stranger);
        module.submitEvidence(taskId, evidenceHash, "ipfs://stranger-evidence");
    }

    function test_RevertWhen_EvidenceSubmittedWithoutAChallenge() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        vm.prank(human);
        module.submitEvidence(taskId, keccak256("evidence"), "ipfs://evidence");
    }
}
