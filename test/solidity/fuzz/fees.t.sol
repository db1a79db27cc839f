// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../contracts/libraries/Errors.sol";
import { TaskTerms } from "../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../Base.t.sol";

/// @notice The protocol fee: capped at 5 %, snapshotted into each task, rounded down, and exact to the wei.
contract Fees_Fuzz_Test is Base_Test {
    function testFuzz_SetProtocolFee(uint16 feeBps) external {
        if (feeBps > 500) {
            vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_FeeAboveCap.selector, feeBps, 500));
            vm.prank(owner);
            market.setProtocolFee(feeBps);
            assertEq(market.protocolFeeBps(), FEE_BPS, "unchanged");
        } else {
            vm.expectEmit(address(market));
            emit ITaskMarket.ProtocolFeeUpdated(FEE_BPS, feeBps);
            vm.prank(owner);
            market.setProtocolFee(feeBps);
            assertEq(market.protocolFeeBps(), feeBps, "protocolFeeBps");
        }
    }

    function testFuzz_FeeSplit_IsExact(uint256 reward, uint256 feeSeed) external {
        reward = bound(reward, 1, type(uint128).max);
        uint16 feeBps = uint16(bound(feeSeed, 0, 500));
        vm.prank(owner);
        market.setProtocolFee(feeBps);
        TaskTerms memory terms = tokenTerms();
        terms.reward = uint128(reward);
        terms.claimBond = 0;
        token.mint(poster, reward);
        uint256 taskId = submittedTask(terms);
        uint256 expectedFee = (reward * feeBps) / 10_000;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(token), reward - expectedFee, expectedFee, 0);
        approveTask(taskId, terms);

        uint256 fee = market.accruedFeesOf(address(token));
        uint256 payout = market.earnedOf(human, address(token));
        assertEq(fee, expectedFee, "fee == reward * bps / 10000");
        assertEq(payout + fee, reward, "payout + fee == reward");
        // Rounded down: the fee never exceeds its exact share, and misses it by less than one unit.
        assertLe(fee * 10_000, reward * feeBps, "fee <= exact share");
        assertGt((fee + 1) * 10_000, reward * feeBps, "fee > exact share - 1");
    }

    function testFuzz_FeeSnapshot_SurvivesFeeChanges(uint256 reward, uint256 oldSeed, uint256 newSeed) external {
        reward = bound(reward, 1, type(uint128).max);
        uint16 oldBps = uint16(bound(oldSeed, 0, 500));
        uint16 newBps = uint16(bound(newSeed, 0, 500));
        vm.prank(owner);
        market.setProtocolFee(oldBps);
        TaskTerms memory terms = tokenTerms();
        terms.reward = uint128(reward);
        token.mint(poster, reward);
        uint256 taskId = submittedTask(terms);

        vm.prank(owner);
        market.setProtocolFee(newBps);
        approveTask(taskId, terms);

        assertEq(market.accruedFeesOf(address(token)), (reward * oldBps) / 10_000, "the fee at creation applies");
    }

    function testFuzz_CreateTask_RevertWhen_FeeStale(uint256 currentSeed, uint256 termsSeed) external {
        uint16 current = uint16(bound(currentSeed, 0, 500));
        uint16 termsBps = uint16(bound(termsSeed, 0, type(uint16).max));
        vm.assume(termsBps != current);
        vm.prank(owner);
        market.setProtocolFee(current);
        TaskTerms memory terms = ethTerms();
        terms.feeBps = termsBps;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_FeeMismatch.selector, current, termsBps));
        createTask(terms);
    }
}
