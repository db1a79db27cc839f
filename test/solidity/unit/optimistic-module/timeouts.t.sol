// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorRecord, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { OptimisticModule_Test } from "./OptimisticModuleBase.sol";

contract Timeouts_Unit_Test is OptimisticModule_Test {
    /*//////////////////////////////////////////////////////////////
                          TIMEOUT RESPONDENT
    //////////////////////////////////////////////////////////////*/

    /// @dev An executor that does not match the deposit loses: nothing for it, the reward back to the poster, the
    /// challenger's deposit back to the challenger, the claim bond back to the executor.
    function test_WhenExecutorNeverResponds_TheChallengerShouldWin() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);
        uint40 feeDeadline = module.contestOf(taskId).deadline;
        vm.warp(uint256(feeDeadline) + 1);
        Balances memory before = ethBalances();

        vm.expectEmit(address(module));
        emit IDisputableModule.ContestEnded(taskId, IDisputableModule.ContestOutcome.RespondentDefaulted, 0);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionResolved(taskId, address(module), 0);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), 0, 0, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SettlementRefunded(taskId, poster, REWARD);
        vm.prank(stranger);
        module.timeoutRespondent(taskId, terms);

        assertEthDeltas(
            before,
            Deltas({
                poster: signed(REWARD),
                executor: signed(BOND),
                challenger: signed(challengeDeposit()),
                treasury: 0,
                market: -signed(REWARD + BOND),
                module: -signed(challengeDeposit()),
                panel: 0
            })
        );
        assertEq(address(market).balance, 0, "no fee on a share of zero");
        assertEq(address(module).balance, 0, "module empty");
        assertStatus(taskId, TaskStatus.Settled);
        assertNoContest(taskId);
        ExecutorRecord memory record;
        record.disputesLost = 1;
        assertEq(market.executorRecordOf(human), record);
    }

    function test_WhenExecutorNeverRespondsOnAFeeTask_ThePosterShouldEndWithEverything() external {
        TaskTerms memory terms = optimisticTermsWithFee(address(0));
        uint256 posterStart = poster.balance;
        uint256 taskId = challengedTask(terms);
        vm.warp(uint256(module.contestOf(taskId).deadline) + 1);

        module.timeoutRespondent(taskId, terms);

        assertEq(poster.balance, posterStart, "reward and verifier fee both back");
        assertEq(address(market).balance, 0, "market empty");
        assertEq(address(module).balance, 0, "module empty");
    }

    function test_RevertWhen_TimeoutRespondentAtTheFeeDeadline() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);
        uint40 feeDeadline = module.contestOf(taskId).deadline;
        vm.warp(feeDeadline);

        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_DeadlineNotPassed.selector, taskId, feeDeadline)
        );
        module.timeoutRespondent(taskId, terms);
    }

    function test_RevertWhen_TimeoutRespondentAfterTheExecutorResponded() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);
        vm.warp(block.timestamp + FEE_PAYMENT_PERIOD + 1);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        module.timeoutRespondent(taskId, terms);
    }

    function test_RevertWhen_TimeoutRespondentWithoutAChallenge() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        module.timeoutRespondent(taskId, terms);
    }

    /// @dev Once the hold has run out, only the market settles (with the hold's default); the module cannot.
    function test_RevertWhen_TimeoutRespondentAfterTheHoldRanOut() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);
        warpPastReviewDeadline(taskId);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_ContestLapsed.selector, taskId));
        module.timeoutRespondent(taskId, terms);
    }

    function test_RevertWhen_TimeoutArbitrationAfterTheHoldRanOut() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);
        warpPastReviewDeadline(taskId);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_ContestLapsed.selector, taskId));
        module.timeoutArbitration(taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                          TIMEOUT ARBITRATION
    //////////////////////////////////////////////////////////////*/

    /// @dev A silent arbitrator leaves the submission standing; no one won on the merits, so each side gets back what
    /// the module still holds of its deposit: the claimant its fee and bond, the respondent its bond (its fee paid the
    /// arbitrator).
    function test_WhenArbitratorIsSilent_TheSubmissionShouldStandAndDepositsReturn() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);
        // One arbiter votes: no majority, no ruling.
        uint256 disputeId = disputeIdOf(taskId);
        vm.prank(arbiter0);
        panel.vote(disputeId, RULING_CHALLENGER_WINS);
        uint40 rulingDeadline = module.contestOf(taskId).deadline;
        vm.warp(uint256(rulingDeadline) + 1);
        (uint256 payout, uint256 fee, ) = splitOf(REWARD, BPS);
        Balances memory before = ethBalances();

        vm.expectEmit(address(module));
        emit IDisputableModule.ContestEnded(taskId, IDisputableModule.ContestOutcome.ArbitratorSilent, uint16(BPS));
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionResolved(taskId, address(module), uint16(BPS));
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), payout, fee, BOND);
        vm.prank(stranger);
        module.timeoutArbitration(taskId, terms);

        assertEthDeltas(
            before,
            Deltas({
                poster: 0,
                executor: signed(payout + BOND + CHALLENGE_BOND),
                challenger: signed(ARBITRATION_FEE + CHALLENGE_BOND),
                treasury: 0,
                market: -signed(payout + BOND),
                module: -signed(ARBITRATION_FEE + 2 * uint256(CHALLENGE_BOND)),
                panel: 0
            })
        );
        assertEq(address(module).balance, 0, "module empty");
        assertEq(address(market).balance, fee, "market keeps the protocol fee");
        assertStatus(taskId, TaskStatus.Settled);
        assertNoContest(taskId);
        ExecutorRecord memory record;
        record.completed = 1;
        record.disputesWon = 1;
        assertEq(market.executorRecordOf(human), record);
    }

    function test_RevertWhen_TimeoutArbitrationAtTheRulingDeadline() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);
        uint40 rulingDeadline = module.contestOf(taskId).deadline;
        vm.warp(rulingDeadline);

        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_DeadlineNotPassed.selector, taskId, rulingDeadline)
        );
        module.timeoutArbitration(taskId, terms);
    }

    function test_RevertWhen_TimeoutArbitrationBeforeTheExecutorResponded() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);
        vm.warp(block.timestamp + FEE_PAYMENT_PERIOD + 1);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        module.timeoutArbitration(taskId, terms);
    }

    /// @dev A ruling delivered after the ruling deadline still counts until someone times the arbitration out.
    function test_RevertWhen_TimeoutArbitrationAfterTheRuling() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);
        panelRules(taskId, RULING_CHALLENGER_WINS);
        vm.warp(uint256(module.contestOf(taskId).deadline) + 1);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        module.timeoutArbitration(taskId, terms);

        executeRulingAs(stranger, taskId, terms);
        assertStatus(taskId, TaskStatus.Settled);
    }

    /*//////////////////////////////////////////////////////////////
                        PANEL REFUND OF THE FEE
    //////////////////////////////////////////////////////////////*/

    /// @dev A panel that reaches no majority refunds the fee to the module, which passes it on to the executor, whose
    /// deposit paid it: every wei of both deposits ends with the side that paid it.
    function test_WhenPanelRefundsAnUnresolvedDispute_TheFeeShouldReachTheExecutor() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);
        uint256 disputeId = disputeIdOf(taskId);
        vm.warp(uint256(panel.disputeOf(disputeId).votingDeadline) + 1);
        panel.closeUnresolved(disputeId);
        assertEq(panel.creditOf(address(module)), ARBITRATION_FEE, "refund credited to the module");
        vm.warp(uint256(module.contestOf(taskId).deadline) + 1);
        (uint256 payout, , ) = splitOf(REWARD, BPS);
        Balances memory before = ethBalances();

        module.timeoutArbitration(taskId, terms);
        vm.expectEmit(address(module));
        emit IDisputableModule.ArbitrationFeeReclaimed(panel, disputeId, human, ARBITRATION_FEE);
        vm.prank(stranger);
        module.reclaimArbitrationFee(panel, disputeId);

        assertEthDeltas(
            before,
            Deltas({
                poster: 0,
                executor: signed(payout + BOND + CHALLENGE_BOND + ARBITRATION_FEE),
                challenger: signed(ARBITRATION_FEE + CHALLENGE_BOND),
                treasury: 0,
                market: -signed(payout + BOND),
                module: -signed(ARBITRATION_FEE + 2 * uint256(CHALLENGE_BOND)),
                panel: -signed(ARBITRATION_FEE)
            })
        );
        assertEq(panel.creditOf(address(module)), 0, "no refund left at the panel");
        assertEq(address(module).balance, 0, "module empty");
        assertEq(address(panel).balance, 0, "panel empty");

        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_NothingToReclaim.selector, address(panel), disputeId)
        );
        module.reclaimArbitrationFee(panel, disputeId);
    }

    function test_RevertWhen_ReclaimingTheFeeOfADisputeStillOpen() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);
        uint256 disputeId = disputeIdOf(taskId);

        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_NothingToReclaim.selector, address(panel), disputeId)
        );
        module.reclaimArbitrationFee(panel, disputeId);
    }

    function test_RevertWhen_ReclaimingTheFeeOfARuledDispute() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);
        uint256 disputeId = disputeIdOf(taskId);
        panelRules(taskId, RULING_EXECUTOR_WINS);

        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_NothingToReclaim.selector, address(panel), disputeId)
        );
        module.reclaimArbitrationFee(panel, disputeId);
    }
}
