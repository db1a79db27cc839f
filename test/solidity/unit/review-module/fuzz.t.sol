// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { IReviewModule } from "../../../../contracts/interfaces/verification/IReviewModule.sol";
import { TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { ReviewModule_Test } from "./ReviewModuleBase.sol";

/// @notice Conservation through the whole dispute process: whatever the decision, the ruling or the way the contest
/// ends, every wei of the escrow and of the deposits is accounted for — the parties, the reviewer, the arbitrator
/// and the market's protocol fee — and the module ends empty.
contract ReviewModule_Fuzz_Test is ReviewModule_Test {
    IReviewModule.ReviewConfig internal config;
    TaskTerms internal terms;

    function setUp() public override {
        super.setUp();
        config = contestConfig();
        terms = reviewTerms(address(0), config);
    }

    /// @dev Who may dispute `decision`: the executor below 100 %, the poster above 0 %.
    function claimantSide(uint16 decision, bool posterClaims) private pure returns (bool) {
        if (decision == 0) return false;
        if (decision == BPS) return true;
        return posterClaims;
    }

    /// @dev A contested decision of `decision` (a rejection if `rejection` and zero).
    function contested(uint16 decision, bool rejection) private returns (uint256 taskId) {
        taskId =
            decision == 0 && rejection ? rejectedTask(terms, config) : partiallyAcceptedTask(terms, config, decision);
    }

    function testFuzz_Ruling_ConservesEscrowAndDeposits(
        uint256 ruling,
        uint256 decisionSeed,
        bool posterClaims,
        bool rejection
    ) external {
        ruling = bound(ruling, 0, RULING_OPTIONS);
        uint16 decision = uint16(bound(decisionSeed, 0, BPS));
        posterClaims = claimantSide(decision, posterClaims);
        uint256 totalBefore = totalOf(balancesOf(human));

        uint256 taskId = contested(decision, rejection);
        Balances memory before = balancesOf(human);
        disputeAs(posterClaims ? poster : human, taskId, terms, config);
        respondAs(posterClaims ? human : poster, taskId, terms);
        panelRules(disputeIdOf(taskId), ruling);
        module.executeRuling(taskId, terms);

        uint16 share = shareOfRuling(ruling, decision);
        assertDeltas(before, balancesOf(human), ruledDeltas(share));
        assertEq(totalOf(balancesOf(human)), totalBefore, "nothing created or lost");
        assertEq(address(module).balance, 0, "module empty");
        assertEq(address(market).balance, protocolFeeOf(REWARD, share), "market: the protocol fee only");
        assertEq(market.accruedFeesOf(address(0)), protocolFeeOf(REWARD, share), "fee accrued");
        assertArbitersPaid(ARBITRATION_FEE);
        assertStatus(taskId, TaskStatus.Settled);
    }

    /// Every other way a contest ends, with an arbitrary decision, agreed share and arbitration fee.
    function testFuzz_Outcome_ConservesEscrowAndDeposits(
        uint256 outcomeSeed,
        uint256 decisionSeed,
        uint256 agreedSeed,
        uint256 feeSeed,
        bool posterClaims,
        bool rejection
    ) external {
        uint256 outcome = bound(outcomeSeed, 0, 8);
        uint16 decision = uint16(bound(decisionSeed, 0, BPS));
        uint16 agreed = uint16(bound(agreedSeed, 0, BPS));
        uint256 fee = bound(feeSeed, 0, 5 ether);
        posterClaims = claimantSide(decision, posterClaims);
        vm.prank(panelOwner);
        arbitrator.setArbitrationFee(fee);
        uint256 totalBefore = totalOf(balancesOf(human));

        uint256 taskId = contested(decision, rejection);
        if (outcome == 0) {
            // No one disputes: the window lapses.
            vm.warp(block.timestamp + CONTEST_WINDOW + 1);
            market.release(taskId, terms);
            module.closeLapsedContest(taskId);
        } else if (outcome == 1) {
            settleByBoth(taskId, terms, agreed);
        } else {
            endDispute(taskId, outcome, posterClaims, fee, agreed);
        }

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(uint8(phaseOf(taskId)), uint8(IDisputableModule.ContestPhase.None), "contest over");
        assertEq(totalOf(balancesOf(human)), totalBefore, "nothing created or lost");
        assertEq(address(module).balance, 0, "module empty");
        assertEq(address(market).balance, market.accruedFeesOf(address(0)), "market: the protocol fee only");
        assertEq(address(arbitrator).balance, outcome >= 5 ? fee : 0, "the arbitrator holds the respondent's fee");
    }

    /// @dev Disputes the open contest and ends it in the way `outcome` (2 to 8) names.
    function endDispute(uint256 taskId, uint256 outcome, bool posterClaims, uint256 fee, uint16 agreed) private {
        vm.prank(posterClaims ? poster : human);
        module.dispute{ value: fee }(taskId, terms, config);
        if (outcome == 2) {
            vm.warp(block.timestamp + FEE_PAYMENT_PERIOD + 1);
            module.timeoutRespondent(taskId, terms);
            return;
        }
        if (outcome == 3) {
            settleByBoth(taskId, terms, agreed);
            return;
        }
        if (outcome == 4) {
            vm.warp(market.stateOf(taskId).reviewDeadline + 1);
            module.closeLapsedContest(taskId);
            market.release(taskId, terms);
            return;
        }
        vm.prank(posterClaims ? human : poster);
        module.respond{ value: fee }(taskId, terms);
        if (outcome == 5) {
            vm.warp(block.timestamp + RULING_PERIOD + 1);
            module.timeoutArbitration(taskId, terms);
        } else if (outcome == 6) {
            settleByBoth(taskId, terms, agreed);
        } else if (outcome == 7) {
            panelRules(disputeIdOf(taskId), agreed % (RULING_OPTIONS + 1));
            settleByBoth(taskId, terms, agreed);
        } else {
            // Ruled, but no one carries the ruling out: the hold lapses with the decision.
            panelRules(disputeIdOf(taskId), agreed % (RULING_OPTIONS + 1));
            vm.warp(market.stateOf(taskId).reviewDeadline + 1);
            market.release(taskId, terms);
            module.closeLapsedContest(taskId);
        }
    }
}
