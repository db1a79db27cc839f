// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../contracts/interfaces/ITaskMarket.sol";
import { TaskStatus, TaskTerms } from "../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../Base.t.sol";

/// @notice Every payout path over the whole range of amounts: ERC-20 rewards and bonds from 1 wei to
/// `type(uint128).max`, ETH rewards over realistic amounts. Each path must move exactly what the terms say and leave
/// the market holding nothing but accrued fees.
contract Amounts_Fuzz_Test is Base_Test {
    uint256 internal constant MAX_ETH_REWARD = 1_000_000 ether;
    uint256 internal constant MAX_ETH_BOND = 100_000 ether;

    /// @dev Terms in the test token for `reward` and `bond`, with the poster and `human` holding exactly enough.
    function fundedTokenTerms(uint256 reward, uint256 bond) private returns (TaskTerms memory terms) {
        terms = tokenTerms();
        terms.reward = uint128(reward);
        terms.claimBond = uint128(bond);
        token.mint(poster, reward);
        token.mint(human, bond);
    }

    function fundedEthTerms(uint256 reward, uint256 bond) private returns (TaskTerms memory terms) {
        terms = ethTerms();
        terms.reward = uint128(reward);
        terms.claimBond = uint128(bond);
        vm.deal(poster, poster.balance + reward);
        vm.deal(human, human.balance + bond);
    }

    function setFee(uint256 feeSeed) private returns (uint16 feeBps) {
        feeBps = uint16(bound(feeSeed, 0, market.MAX_FEE_BPS()));
        vm.prank(owner);
        market.setProtocolFee(feeBps);
    }

    /// @dev Settles a submitted task by the verifier's approval or, when `silent`, by release after the window.
    function settle(uint256 taskId, TaskTerms memory terms, bool silent) private {
        if (silent) {
            warpPastReviewDeadline(taskId);
            vm.prank(stranger);
            market.release(taskId, terms);
        } else {
            approveTask(taskId, terms);
        }
    }

    function checkSettlement(
        uint256 taskId,
        TaskTerms memory terms,
        uint256 executorBefore,
        uint256 posterBefore
    ) private view {
        uint256 fee = (uint256(terms.reward) * terms.feeBps) / 10_000;
        uint256 payout = terms.reward - fee;
        assertStatus(taskId, TaskStatus.Settled);
        assertEq(payout + fee, terms.reward, "payout + fee == reward");
        assertLe(fee * 10_000, uint256(terms.reward) * market.MAX_FEE_BPS(), "fee within the cap");
        assertEq(balanceOf(terms.token, human), executorBefore + payout, "executor gains the payout, bond returned");
        assertEq(balanceOf(terms.token, poster), posterBefore, "poster pays the reward and nothing else");
        assertEq(balanceOf(terms.token, address(market)), fee, "the market keeps only the fee");
        assertEq(market.accruedFeesOf(terms.token), fee, "accrued fees");
        assertEq(market.earnedOf(human, terms.token), payout, "earned");
        assertEq(market.creditOf(human, terms.token), 0, "nothing credited");
    }

    /*//////////////////////////////////////////////////////////////
                              SETTLEMENT
    //////////////////////////////////////////////////////////////*/

    function testFuzz_Settle_TokenReward(uint256 reward, uint256 bond, uint256 feeSeed, bool silent) external {
        reward = bound(reward, 1, type(uint128).max);
        bond = bound(bond, 0, type(uint128).max);
        setFee(feeSeed);
        TaskTerms memory terms = fundedTokenTerms(reward, bond);
        uint256 posterBefore = token.balanceOf(poster) - reward;
        uint256 executorBefore = token.balanceOf(human);

        uint256 taskId = createTask(terms);
        claimTask(taskId, terms, human);
        submitWork(taskId, terms, human);
        settle(taskId, terms, silent);

        checkSettlement(taskId, terms, executorBefore, posterBefore);
    }

    function testFuzz_Settle_EthReward(uint256 reward, uint256 bond, uint256 feeSeed, bool silent) external {
        reward = bound(reward, 1, MAX_ETH_REWARD);
        bond = bound(bond, 0, MAX_ETH_BOND);
        setFee(feeSeed);
        TaskTerms memory terms = fundedEthTerms(reward, bond);
        uint256 posterBefore = poster.balance - reward;
        uint256 executorBefore = human.balance;

        uint256 taskId = createTask(terms);
        claimTask(taskId, terms, human);
        submitWork(taskId, terms, human);
        settle(taskId, terms, silent);

        checkSettlement(taskId, terms, executorBefore, posterBefore);
    }

    function testFuzz_Settle_ThenWithdrawFees(uint256 reward, uint256 feeSeed) external {
        reward = bound(reward, 1, type(uint128).max);
        setFee(feeSeed);
        TaskTerms memory terms = fundedTokenTerms(reward, 0);
        uint256 taskId = submittedTask(terms);
        approveTask(taskId, terms);
        uint256 fee = market.accruedFeesOf(address(token));
        if (fee == 0) return; // nothing to withdraw: covered by the unit tests
        market.withdrawProtocolFees(address(token));
        assertEq(token.balanceOf(feeRecipient), fee, "fee recipient");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
    }

    /*//////////////////////////////////////////////////////////////
                           REFUNDS AND BONDS
    //////////////////////////////////////////////////////////////*/

    function testFuzz_RefundExpired_AfterLapsedClaim(uint256 reward, uint256 bond) external {
        reward = bound(reward, 1, type(uint128).max);
        bond = bound(bond, 0, type(uint128).max);
        TaskTerms memory terms = fundedTokenTerms(reward, bond);
        uint256 posterBefore = token.balanceOf(poster) - reward;
        uint256 executorBefore = token.balanceOf(human) - bond;
        uint256 taskId = createTask(terms);
        vm.warp(terms.claimDeadline);
        claimTask(taskId, terms, human);
        warpPastExecutionDeadline(taskId);

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskExpired(taskId, poster, reward, bond);
        market.refundExpired(taskId, terms);

        assertEq(token.balanceOf(poster), posterBefore + reward + bond, "poster receives reward and forfeited bond");
        assertEq(token.balanceOf(human), executorBefore, "executor lost its bond");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
    }

    function testFuzz_RefundExpired_Unclaimed_Eth(uint256 reward, uint256 waited) external {
        reward = bound(reward, 1, MAX_ETH_REWARD);
        TaskTerms memory terms = fundedEthTerms(reward, 0);
        uint256 posterBefore = poster.balance;
        uint256 taskId = createTask(terms);
        vm.warp(uint256(terms.claimDeadline) + bound(waited, 1, 3650 days));
        market.refundExpired(taskId, terms);
        assertEq(poster.balance, posterBefore, "poster refunded in full");
        assertEq(address(market).balance, 0, "market empty");
    }

    function testFuzz_Cancel(uint256 reward) external {
        reward = bound(reward, 1, type(uint128).max);
        TaskTerms memory terms = fundedTokenTerms(reward, 0);
        uint256 posterBefore = token.balanceOf(poster);
        uint256 taskId = createTask(terms);
        vm.prank(poster);
        market.cancel(taskId, terms);
        assertEq(token.balanceOf(poster), posterBefore, "poster refunded in full");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
    }

    function testFuzz_MutualCancel(uint256 reward, uint256 bond, bool executorFirst) external {
        reward = bound(reward, 1, MAX_ETH_REWARD);
        bond = bound(bond, 0, MAX_ETH_BOND);
        TaskTerms memory terms = fundedEthTerms(reward, bond);
        uint256 posterBefore = poster.balance;
        uint256 executorBefore = human.balance;
        uint256 taskId = claimedTask(terms);

        (address first, address second) = executorFirst ? (human, poster) : (poster, human);
        vm.prank(first);
        market.consentToCancel(taskId, terms);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, reward, bond);
        vm.prank(second);
        market.consentToCancel(taskId, terms);

        assertEq(poster.balance, posterBefore, "poster refunded in full");
        assertEq(human.balance, executorBefore, "bond returned in full");
        assertEq(address(market).balance, 0, "market empty");
    }

    function testFuzz_ClaimLapse_BondGoesToPoster(uint256 bond, uint256 lateBy) external {
        bond = bound(bond, 0, type(uint128).max);
        TaskTerms memory terms = fundedTokenTerms(REWARD, bond);
        token.mint(agent, bond);
        uint256 posterBefore = token.balanceOf(poster);
        uint256 taskId = claimedTask(terms);
        uint256 executionDeadline = market.stateOf(taskId).executionDeadline;
        // Any time after the execution deadline and up to the claim deadline, the task is open again.
        vm.warp(bound(lateBy, executionDeadline + 1, terms.claimDeadline));

        claimTask(taskId, terms, agent);

        assertEq(token.balanceOf(poster), posterBefore - REWARD + bond, "poster receives the forfeited bond");
        assertEq(token.balanceOf(address(market)), uint256(REWARD) + bond, "market holds reward and the new bond");
        assertEq(market.stateOf(taskId).executor, agent, "executor");
    }
}
