// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IArbitrable } from "../../../../contracts/interfaces/arbitration/IArbitrable.sol";
import { IPanelArbitrator } from "../../../../contracts/interfaces/arbitration/IPanelArbitrator.sol";
import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorRecord, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { OptimisticModule_Test } from "./OptimisticModuleBase.sol";

/// @notice Challenge → respond → the panel rules → anyone carries out the ruling. The ruling splits the escrow; the
/// side that gets the larger share (the executor on a tie) wins the deposits: the claimant's fee, its own bond back
/// and the loser's bond less `TREASURY_SHARE_BPS` for the market's fee recipient.
contract ExecuteRuling_Unit_Test is OptimisticModule_Test {
    /*//////////////////////////////////////////////////////////////
                                RULINGS
    //////////////////////////////////////////////////////////////*/

    function test_WhenExecutorWins_ItShouldPayInFullAndGiveTheExecutorTheChallengersBond() external {
        _ruleAndCheck(challenger, RULING_EXECUTOR_WINS, BPS);
    }

    function test_WhenChallengerWins_ItShouldRefundThePosterAndGiveTheChallengerTheExecutorsBond() external {
        _ruleAndCheck(challenger, RULING_CHALLENGER_WINS, 0);
    }

    function test_WhenPanelRefuses_TheSubmissionShouldStand() external {
        _ruleAndCheck(challenger, RULING_REFUSED, BPS);
    }

    function test_WhenRulingSplitsEvenly_TheExecutorShouldWinTheDeposits() external {
        _ruleAndCheck(challenger, 6, 5_000);
    }

    function test_WhenRulingFavoursTheChallenger_TheChallengerShouldWinTheDeposits() external {
        _ruleAndCheck(challenger, 4, 3_000);
    }

    function test_WhenRulingFavoursTheExecutor_TheExecutorShouldWinTheDeposits() external {
        _ruleAndCheck(challenger, 8, 7_000);
    }

    function test_WhenPosterChallengesAndWins_ItShouldGetTheRefundAndTheDeposits() external {
        _ruleAndCheck(poster, RULING_CHALLENGER_WINS, 0);
    }

    /// @dev Challenging one's own task and losing costs the poster its whole deposit, part of it to the treasury.
    function test_WhenPosterChallengesAndLoses_ItShouldLoseItsDeposit() external {
        _ruleAndCheck(poster, RULING_EXECUTOR_WINS, BPS);
    }

    function test_WhenPosterChallengesAndRulingIsSplit_ItShouldGetItsPartOfTheEscrow() external {
        _ruleAndCheck(poster, 3, 2_000);
    }

    /// @dev Challenges `optimisticTerms(ETH)` as `claimant`, lets `human` respond, has the panel vote `ruling` and a
    /// stranger carry it out; checks every balance, event and record against a `shareBps` split.
    function _ruleAndCheck(address claimant, uint256 ruling, uint256 shareBps) private {
        (uint256 taskId, TaskTerms memory terms) = _challengeAndRule(claimant, ruling, shareBps);
        (uint256 payout, uint256 fee, uint256 refund) = splitOf(REWARD, shareBps);
        Balances memory before = ethBalances();

        vm.expectEmit(address(module));
        emit IDisputableModule.ContestEnded(taskId, IDisputableModule.ContestOutcome.Ruled, uint16(shareBps));
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionResolved(taskId, address(module), uint16(shareBps));
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), payout, fee, BOND);
        if (refund != 0) {
            vm.expectEmit(address(market));
            emit ITaskMarket.SettlementRefunded(taskId, poster, refund);
        }
        vm.recordLogs();
        executeRulingAs(stranger, taskId, terms);
        assertEq(countMarketEvents(ITaskMarket.VerifierPaid.selector), 0, "no verifier fee");

        assertEthDeltas(before, _expectedDeltas(claimant, shareBps));
        assertEq(address(module).balance, 0, "the module holds nothing after the contest");
        assertEq(address(market).balance, fee, "the market keeps only the protocol fee");
        assertEq(market.accruedFeesOf(address(0)), fee, "protocol fee accrued");
        assertEq(address(panel).balance, ARBITRATION_FEE, "the panel holds the arbiters' fee");

        assertStatus(taskId, TaskStatus.Settled);
        assertNoContest(taskId);
        bool executorWins = 2 * shareBps >= BPS;
        ExecutorRecord memory record;
        record.completed = payout != 0 ? 1 : 0;
        record.disputesWon = executorWins ? 1 : 0;
        record.disputesLost = executorWins ? 0 : 1;
        assertEq(market.executorRecordOf(human), record);
        assertEq(market.earnedOf(human, address(0)), payout, "earned");
        _arbitersWithdraw();
    }

    /// @dev Up to the ruling, delivered but not carried out.
    function _challengeAndRule(
        address claimant,
        uint256 ruling,
        uint256 shareBps
    ) private returns (uint256 taskId, TaskTerms memory terms) {
        terms = optimisticTerms(address(0));
        taskId = submittedTask(terms);
        challengeAs(claimant, taskId, terms);
        respondAs(human, taskId, terms);
        uint256 disputeId = disputeIdOf(taskId);

        vm.prank(arbiter0);
        panel.vote(disputeId, ruling);
        vm.expectEmit(address(panel));
        emit IPanelArbitrator.DisputeSolved(disputeId, ruling, 2);
        vm.expectEmit(address(module));
        emit IArbitrable.Ruling(panel, disputeId, ruling);
        vm.prank(arbiter1);
        panel.vote(disputeId, ruling);

        IDisputableModule.Contest memory contest = module.contestOf(taskId);
        assertEq(uint256(contest.phase), uint256(IDisputableModule.ContestPhase.Ruled), "phase: ruled");
        assertEq(contest.rulingShareBps, shareBps, "ruling share");
        assertStatus(taskId, TaskStatus.Disputed);
        assertTrue(panel.disputeOf(disputeId).delivered, "delivered");
        // The fee is shared by the two arbiters of the majority; the last gets the odd wei.
        assertArbiterCredits(ARBITRATION_FEE / 2, ARBITRATION_FEE - ARBITRATION_FEE / 2);
    }

    /// @dev The arbiters of the majority withdraw their shares; the third earned nothing.
    function _arbitersWithdraw() private {
        uint256 arbiterBefore = arbiter0.balance;
        vm.prank(arbiter0);
        panel.withdraw();
        assertEq(arbiter0.balance, arbiterBefore + ARBITRATION_FEE / 2, "arbiter0 paid");
        arbiterBefore = arbiter1.balance;
        vm.prank(arbiter1);
        panel.withdraw();
        assertEq(arbiter1.balance, arbiterBefore + ARBITRATION_FEE - ARBITRATION_FEE / 2, "arbiter1 paid");
        assertEq(address(panel).balance, 0, "the panel paid out the whole fee");
    }

    /// @dev How carrying out a `shareBps` ruling on a challenge by `claimant` moves each ETH balance.
    function _expectedDeltas(address claimant, uint256 shareBps) private view returns (Deltas memory expected) {
        (uint256 payout, , uint256 refund) = splitOf(REWARD, shareBps);
        expected.poster = signed(refund);
        expected.executor = signed(payout + BOND);
        if (2 * shareBps >= BPS) expected.executor += signed(winnerTakes());
        else if (claimant == poster) expected.poster += signed(winnerTakes());
        else expected.challenger = signed(winnerTakes());
        expected.treasury = signed(treasuryCut());
        expected.market = -signed(payout + BOND + refund);
        expected.module = -signed(ARBITRATION_FEE + 2 * uint256(CHALLENGE_BOND));
    }

    /*//////////////////////////////////////////////////////////////
                              ERC-20 TASK
    //////////////////////////////////////////////////////////////*/

    /// @dev The escrow is in the token; the fee, the bonds and the treasury cut stay in ETH.
    function test_WhenTokenTaskIsRuled_ItShouldSplitTheTokenAndPayDepositsInEth() external {
        TaskTerms memory terms = optimisticTermsWithFee(address(token));
        uint256 taskId = submittedTask(terms);
        uint256 posterTokens = token.balanceOf(poster);
        uint256 humanTokens = token.balanceOf(human);

        challengeAs(challenger, taskId, terms);
        assertEq(token.balanceOf(poster), posterTokens + VERIFIER_FEE, "verifier fee back to the poster");
        respondAs(human, taskId, terms);
        panelRules(taskId, 4);
        (uint256 payout, uint256 fee, uint256 refund) = splitOf(REWARD, 3_000);
        Balances memory before = ethBalances();

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(token), payout, fee, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SettlementRefunded(taskId, poster, refund);
        executeRulingAs(stranger, taskId, terms);

        assertEq(token.balanceOf(human), humanTokens + payout + BOND, "executor: its share and the token bond");
        assertEq(token.balanceOf(poster), posterTokens + VERIFIER_FEE + refund, "poster: the rest and the fee");
        assertEq(token.balanceOf(address(market)), fee, "market: the protocol fee");
        assertEq(market.accruedFeesOf(address(token)), fee, "fee accrued in the token");
        assertEq(token.balanceOf(address(module)), 0, "module: no token");
        assertEthDeltas(
            before,
            Deltas({
                poster: 0,
                executor: 0,
                challenger: signed(winnerTakes()),
                treasury: signed(treasuryCut()),
                market: 0,
                module: -signed(ARBITRATION_FEE + 2 * uint256(CHALLENGE_BOND)),
                panel: 0
            })
        );
        assertEq(market.accruedFeesOf(address(0)), 0, "no ETH fee: the treasury cut is paid directly");
    }

    /// @dev A fee recipient that refuses ETH does not block the ruling: its cut is credited at the module.
    function test_WhenTreasuryRefusesEth_ItsCutShouldBeCredited() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);
        panelRules(taskId, RULING_EXECUTOR_WINS);
        RefusingTreasury treasury = new RefusingTreasury();
        vm.prank(owner);
        market.setFeeRecipient(address(treasury));

        vm.expectEmit(address(module));
        emit IDisputableModule.PaymentCredited(address(treasury), treasuryCut());
        executeRulingAs(stranger, taskId, terms);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(module.creditOf(address(treasury)), treasuryCut(), "credited");
        assertEq(address(module).balance, treasuryCut(), "the module keeps only the credit");
    }

    /*//////////////////////////////////////////////////////////////
                                REVERTS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_NoRulingYet() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        executeRulingAs(stranger, taskId, terms);
    }

    function test_RevertWhen_ExecutedTwice() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);
        panelRules(taskId, RULING_CHALLENGER_WINS);
        executeRulingAs(stranger, taskId, terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        executeRulingAs(stranger, taskId, terms);
    }

    function test_RevertWhen_TermsAreNotTheTasks() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);
        panelRules(taskId, RULING_CHALLENGER_WINS);
        terms.reward -= 1;

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        executeRulingAs(stranger, taskId, terms);
    }

    /// @dev A ruling on a dispute the module has ended (here, by a timeout) cannot be delivered: the panel keeps its
    /// decision and records the failed delivery; nothing moves at the module or the market.
    function test_WhenPanelRulesAfterTheTimeout_TheRulingShouldNotBeDelivered() external {
        vm.prank(owner);
        panel.setVotingPeriod(90 days);
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);
        uint256 disputeId = disputeIdOf(taskId);
        vm.warp(uint256(module.contestOf(taskId).deadline) + 1);
        module.timeoutArbitration(taskId, terms);
        Balances memory before = ethBalances();

        vm.prank(arbiter0);
        panel.vote(disputeId, RULING_CHALLENGER_WINS);
        vm.expectEmit(address(panel));
        emit IPanelArbitrator.RulingDeliveryFailed(disputeId);
        vm.prank(arbiter1);
        panel.vote(disputeId, RULING_CHALLENGER_WINS);

        assertFalse(panel.disputeOf(disputeId).delivered, "not delivered");
        assertStatus(taskId, TaskStatus.Settled);
        assertNoContest(taskId);
        assertEthDeltas(
            before,
            Deltas({ poster: 0, executor: 0, challenger: 0, treasury: 0, market: 0, module: 0, panel: 0 })
        );
        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_UnknownDispute.selector, address(panel), disputeId)
        );
        panel.executeRuling(disputeId);
    }
}

/// @dev A fee recipient that refuses ETH.
contract RefusingTreasury {
    receive() external payable {
        revert("no ETH");
    }
}
