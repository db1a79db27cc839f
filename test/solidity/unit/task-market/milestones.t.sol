// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import {
    ExecutorRecord,
    PosterRecord,
    TaskState,
    TaskStatus,
    TaskTerms
} from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

/// @notice Rewards paid in milestones: the validation of the packed shares, the payout of each milestone with its
/// rounding, the fresh execution window after each one, and what a lapse, a cancellation or an expiry does to the
/// milestones not yet paid.
contract Milestones_Unit_Test is Base_Test {
    uint256 internal constant SHARE_0 = 3_000;
    uint256 internal constant SHARE_1 = 7_000;

    function milestoneTerms(address rewardToken, bytes32 shares) private view returns (TaskTerms memory terms) {
        terms = defaultTerms(rewardToken);
        terms.milestoneShares = shares;
    }

    function twoMilestoneTerms() private view returns (TaskTerms memory) {
        return milestoneTerms(address(0), packMilestones(SHARE_0, SHARE_1));
    }

    function expectInvalidShares(bytes32 packed) private {
        TaskTerms memory terms = milestoneTerms(address(0), packed);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidMilestoneShares.selector, packed));
        createTask(terms);
    }

    function releaseAfterReviewWindow(uint256 taskId, TaskTerms memory terms) private {
        warpPastReviewDeadline(taskId);
        vm.prank(stranger);
        market.release(taskId, terms);
    }

    /// @dev The model of a valid packing, written independently of the market: 2 to 16 leading non-zero lanes, only
    /// zero lanes after them, summing to 10,000.
    function isValidPacking(bytes32 packed) private pure returns (bool) {
        uint256 count;
        uint256 total;
        bool ended;
        for (uint256 i = 0; i < 16; ++i) {
            uint256 share = (uint256(packed) >> (240 - 16 * i)) & 0xffff;
            if (share == 0) {
                ended = true;
            } else {
                if (ended) return false;
                ++count;
                total += share;
            }
        }
        return count >= 2 && total == BPS;
    }

    /// @dev A valid packing of 2 to 16 shares drawn from `seed`, each at least one basis point.
    function validPacking(uint256 countSeed, uint256 seed) private pure returns (bytes32, uint256 count) {
        count = bound(countSeed, 2, 16);
        uint256[] memory shares = new uint256[](count);
        uint256 remaining = BPS - count;
        for (uint256 i = 0; i + 1 < count; ++i) {
            uint256 extra = uint256(keccak256(abi.encode(seed, i))) % (remaining + 1);
            // Most draws take a small part, so that later milestones are not all of one basis point.
            if (i % 2 == 0) extra /= count;
            shares[i] = 1 + extra;
            remaining -= extra;
        }
        shares[count - 1] = 1 + remaining;
        return (packMilestones(shares), count);
    }

    /*//////////////////////////////////////////////////////////////
                               VALIDATION
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_SingleMilestone() external {
        expectInvalidShares(packMilestones(BPS, 0));
    }

    function test_RevertWhen_FirstLaneZero() external {
        expectInvalidShares(packMilestones(0, 5_000, 5_000));
    }

    function test_RevertWhen_SumBelowFull() external {
        expectInvalidShares(packMilestones(5_000, 4_999));
    }

    function test_RevertWhen_SumAboveFull() external {
        expectInvalidShares(packMilestones(5_000, 5_001));
    }

    function test_RevertWhen_ZeroLaneBetweenShares() external {
        expectInvalidShares(packMilestones(5_000, 0, 5_000));
    }

    function test_RevertWhen_ShareInTheLastLaneAfterZeros() external {
        expectInvalidShares(bytes32(uint256(packMilestones(5_000, 4_999)) | 1));
    }

    function test_RevertWhen_LaneAboveFull() external {
        expectInvalidShares(packMilestones(0xffff, 0xffff));
    }

    function test_WhenTwoMilestones_ItShouldCreate() external {
        TaskTerms memory terms = milestoneTerms(address(0), packMilestones(1, BPS - 1));
        uint256 taskId = createTask(terms);
        assertTrue(market.matchesTerms(taskId, terms), "matchesTerms");
        assertEq(market.unpaidRewardOf(taskId, terms), REWARD, "nothing paid yet");
    }

    function test_WhenSixteenMilestones_ItShouldCreate() external {
        uint256[] memory shares = new uint256[](16);
        for (uint256 i = 0; i < 16; ++i) shares[i] = 625;
        TaskTerms memory terms = milestoneTerms(address(0), packMilestones(shares));
        uint256 taskId = createTask(terms);
        assertTrue(market.matchesTerms(taskId, terms), "matchesTerms");
    }

    function testFuzz_ValidPackings_AreAccepted(uint256 countSeed, uint256 seed) external {
        (bytes32 packed, ) = validPacking(countSeed, seed);
        assertTrue(isValidPacking(packed), "the generator makes valid packings");
        TaskTerms memory terms = milestoneTerms(address(token), packed);
        uint256 taskId = createTask(terms);
        assertTrue(market.matchesTerms(taskId, terms), "matchesTerms");
        assertEq(market.unpaidRewardOf(taskId, terms), REWARD, "nothing paid yet");
    }

    /// @dev One mutation of a valid packing, each of which must make it invalid.
    function testFuzz_MutatedPackings_AreRefused(uint256 countSeed, uint256 seed, uint256 mutation) external {
        (bytes32 packed, uint256 count) = validPacking(countSeed, seed);
        uint256 lanes = uint256(packed);
        uint256 index = seed % count;
        uint256 shift = 240 - 16 * index;
        mutation = mutation % 5;
        if (mutation == 0) {
            // Change one share: the sum is no longer 10,000.
            uint256 share = (lanes >> shift) & 0xffff;
            uint256 changed = share == 1 ? 2 : share - 1;
            lanes = (lanes & ~(uint256(0xffff) << shift)) | (changed << shift);
        } else if (mutation == 1) {
            // Clear a share: a gap, fewer milestones, or a wrong sum.
            lanes &= ~(uint256(0xffff) << shift);
        } else if (mutation == 2) {
            // A share after the last lane in use.
            lanes |= count == 16 ? 0 : 1;
            if (count == 16) lanes = lanes >> 16;
        } else if (mutation == 3) {
            // A single milestone.
            lanes = BPS << 240;
        } else {
            // A leading zero lane.
            lanes = lanes >> 16;
        }
        assertFalse(isValidPacking(bytes32(lanes)), "the mutation makes the packing invalid");
        expectInvalidShares(bytes32(lanes));
    }

    function testFuzz_ArbitraryPackings_FollowTheModel(bytes32 packed) external {
        TaskTerms memory terms = milestoneTerms(address(token), packed);
        if (packed == bytes32(0)) return;
        if (!isValidPacking(packed)) {
            expectInvalidShares(packed);
        } else {
            uint256 taskId = createTask(terms);
            assertTrue(market.matchesTerms(taskId, terms), "matchesTerms");
        }
    }

    /*//////////////////////////////////////////////////////////////
                                PAYOUTS
    //////////////////////////////////////////////////////////////*/

    function test_WhenFirstMilestoneApproved_ItShouldPayItsShareAndReopenTheWork() external {
        TaskTerms memory terms = twoMilestoneTerms();
        uint256 taskId = submittedTask(terms);
        uint256 amount = (REWARD * SHARE_0) / BPS;
        uint256 fee = feeOf(amount, FEE_BPS);
        uint256 humanBefore = human.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.MilestoneSettled(taskId, human, 0, amount - fee, fee, 0);
        approveTask(taskId, terms);

        assertEq(amount, 0.3 ether, "30 % of the reward");
        assertEq(human.balance, humanBefore + amount - fee, "executor paid the milestone, bond still locked");
        assertEq(address(market).balance, REWARD - amount + fee + BOND, "market keeps the rest, the fee and the bond");
        assertEq(market.accruedFeesOf(address(0)), fee, "fee accrued");
        assertEq(market.earnedOf(human, address(0)), amount - fee, "earned");
        assertEq(
            market.stateOf(taskId),
            TaskState({
                executor: human,
                status: TaskStatus.InProgress,
                executionDeadline: uint40(block.timestamp) + EXECUTION_WINDOW,
                reviewDeadline: 0,
                flags: 0
            })
        );
        assertStatus(taskId, TaskStatus.InProgress);
        (uint8 verified, uint40 heldAt, uint16 holdShare) = market.progressOf(taskId);
        assertEq(verified, 1, "one milestone verified");
        assertEq(heldAt, 0, "never held");
        assertEq(holdShare, 0, "no hold share");
        assertEq(market.unpaidRewardOf(taskId, terms), REWARD - amount, "unpaid reward");
        assertEq(market.executorRecordOf(human).completed, 0, "the task is not completed yet");
        assertEq(market.posterRecordOf(poster).settled, 0, "nor settled");
    }

    function test_WhenLastMilestoneApproved_ItShouldSettleAndReturnTheBond() external {
        TaskTerms memory terms = twoMilestoneTerms();
        uint256 taskId = submittedTask(terms);
        approveTask(taskId, terms);
        submitWork(taskId, terms, human);
        uint256 amount = REWARD - (REWARD * SHARE_0) / BPS;
        uint256 fee = feeOf(amount, FEE_BPS);
        uint256 humanBefore = human.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), amount - fee, fee, BOND);
        approveTask(taskId, terms);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(human.balance, humanBefore + amount - fee + BOND, "last milestone and bond");
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "only the fees are left");
        assertEq(market.accruedFeesOf(address(0)), feeOf(0.3 ether, FEE_BPS) + fee, "both fees accrued");
        ExecutorRecord memory executorRecord;
        executorRecord.completed = 1;
        assertEq(market.executorRecordOf(human), executorRecord);
        PosterRecord memory posterRecord;
        posterRecord.posted = 1;
        posterRecord.settled = 1;
        assertEq(market.posterRecordOf(poster), posterRecord);
    }

    function test_WhenMilestonesRoundDown_TheLastTakesTheRest() external {
        TaskTerms memory terms = milestoneTerms(address(token), packMilestones(3_333, 3_333, 3_334));
        terms.reward = 1_001;
        uint256 taskId = submittedTask(terms);
        uint256 humanBefore = token.balanceOf(human);
        uint256[3] memory expected = [uint256(333), 333, 335];

        uint256 paid;
        for (uint256 i = 0; i < 3; ++i) {
            if (i != 0) submitWork(taskId, terms, human);
            assertEq(milestoneAmountOf(terms.reward, terms.milestoneShares, i), expected[i], "model amount");
            assertEq(market.unpaidRewardOf(taskId, terms), terms.reward - paid, "unpaid before the milestone");
            approveTask(taskId, terms);
            paid += expected[i];
        }

        uint256 fees = feeOf(333, FEE_BPS) * 2 + feeOf(335, FEE_BPS);
        assertEq(fees, 24, "8 + 8 + 8");
        assertEq(token.balanceOf(human) - humanBefore, 1_001 - fees + BOND, "payouts add up to the reward less fees");
        assertEq(token.balanceOf(address(market)), fees, "nothing but fees is left");
        assertStatus(taskId, TaskStatus.Settled);
    }

    function test_WhenSixteenMilestones_EachPaysItsShare() external {
        uint256[] memory shares = new uint256[](16);
        for (uint256 i = 0; i < 16; ++i) shares[i] = 625;
        TaskTerms memory terms = milestoneTerms(address(0), packMilestones(shares));
        uint256 taskId = submittedTask(terms);
        uint256 humanBefore = human.balance;

        for (uint256 i = 0; i < 16; ++i) {
            if (i != 0) submitWork(taskId, terms, human);
            assertStatus(taskId, TaskStatus.Submitted);
            approveTask(taskId, terms);
            (uint8 verified, , ) = market.progressOf(taskId);
            if (i < 15) assertEq(verified, i + 1, "milestones verified");
        }

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(human.balance - humanBefore, REWARD - feeOf(REWARD, FEE_BPS) + BOND, "the whole reward, less fees");
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "only fees are left");
    }

    function test_FreshExecutionWindowAfterEachMilestone() external {
        TaskTerms memory terms = twoMilestoneTerms();
        uint256 taskId = claimedTask(terms);
        uint40 firstDeadline = market.stateOf(taskId).executionDeadline;
        vm.warp(firstDeadline);
        submitWork(taskId, terms, human);
        // Review takes a day: the first execution deadline has long passed when the milestone is approved.
        vm.warp(block.timestamp + 1 days);
        approveTask(taskId, terms);

        assertEq(market.stateOf(taskId).executionDeadline, block.timestamp + EXECUTION_WINDOW, "fresh window");
        assertStatus(taskId, TaskStatus.InProgress);
        vm.warp(block.timestamp + EXECUTION_WINDOW);
        submitWork(taskId, terms, human);
        assertStatus(taskId, TaskStatus.Submitted);
    }

    function test_WhenMilestoneRejectedThenApproved_TheRejectionIsCleared() external {
        TaskTerms memory terms = twoMilestoneTerms();
        uint256 taskId = submittedTask(terms);
        rejectTask(taskId, terms);
        assertEq(market.stateOf(taskId).flags, FLAG_REJECTED, "rejected");
        submitWork(taskId, terms, human);
        approveTask(taskId, terms);

        assertEq(market.stateOf(taskId).flags, 0, "the next milestone starts clean");
        // A lapse now is an ordinary expiry, not one after a rejection.
        warpPastExecutionDeadline(taskId);
        claimTask(taskId, terms, agent);
        ExecutorRecord memory record;
        record.expired = 1;
        assertEq(market.executorRecordOf(human), record);
    }

    function test_WhenMilestoneReleasedInSilence_ItPaysInFull() external {
        TaskTerms memory terms = twoMilestoneTerms();
        uint256 taskId = submittedTask(terms);
        uint256 amount = (REWARD * SHARE_0) / BPS;
        uint256 fee = feeOf(amount, FEE_BPS);
        warpPastReviewDeadline(taskId);

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskVerified(taskId);
        vm.expectEmit(address(market));
        emit ITaskMarket.MilestoneSettled(taskId, human, 0, amount - fee, fee, 0);
        vm.prank(stranger);
        market.release(taskId, terms);

        assertStatus(taskId, TaskStatus.InProgress);
        assertEq(market.stateOf(taskId).executionDeadline, block.timestamp + EXECUTION_WINDOW, "fresh window");
    }

    function test_WhenMilestonesReleasedInSilence_TheVerifierFeeReturnsOnlyAtTheEnd() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        terms.milestoneShares = packMilestones(SHARE_0, SHARE_1);
        uint256 taskId = submittedTask(terms);
        uint256 posterBefore = poster.balance;
        uint256 reviewerBefore = reviewer.balance;

        vm.recordLogs();
        releaseAfterReviewWindow(taskId, terms);
        assertEq(countMarketEvents(ITaskMarket.SettlementRefunded.selector), 0, "no refund after the first");
        assertEq(poster.balance, posterBefore, "the fee stays in escrow");

        submitWork(taskId, terms, human);
        vm.expectEmit(address(market));
        emit ITaskMarket.SettlementRefunded(taskId, poster, VERIFIER_FEE);
        releaseAfterReviewWindow(taskId, terms);

        assertEq(poster.balance, posterBefore + VERIFIER_FEE, "the unearned fee returns at the end");
        assertEq(reviewer.balance, reviewerBefore, "the verifier never decided");
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "only fees are left");
    }

    /// @dev Every milestone settled by a random path; whatever the path, payouts + fees + refunds of the reward add
    /// up to the reward exactly, the verifier fee is paid once or refunded, and only protocol fees stay behind.
    function testFuzz_MilestoneSettlements_ConserveTheReward(
        uint128 reward,
        uint256 countSeed,
        uint256 sharesSeed,
        uint256 pathSeed
    ) external {
        (bytes32 packed, uint256 count) = validPacking(countSeed, sharesSeed);
        TaskTerms memory terms = delegatedTerms(address(token));
        terms.reward = uint128(bound(reward, 1, type(uint128).max / 2));
        terms.milestoneShares = packed;
        token.mint(poster, terms.reward);
        uint256 taskId = submittedTask(terms);
        uint256[3] memory before = [token.balanceOf(human), token.balanceOf(poster), token.balanceOf(reviewer)];

        uint256 expectedPayouts;
        for (uint256 i = 0; i < count; ++i) {
            if (i != 0) submitWork(taskId, terms, human);
            uint256 amount = milestoneAmountOf(terms.reward, packed, i);
            uint256 humanBefore = token.balanceOf(human);
            uint256 share = settleMilestone(taskId, terms, uint256(keccak256(abi.encode(pathSeed, i))));
            uint256 gross = (amount * share) / BPS;
            uint256 payout = gross - feeOf(gross, FEE_BPS);
            uint256 bond = i + 1 == count ? BOND : 0;
            assertEq(token.balanceOf(human) - humanBefore, payout + bond, "milestone payout");
            expectedPayouts += payout;
        }

        assertStatus(taskId, TaskStatus.Settled);
        uint256 toExecutor = token.balanceOf(human) - before[0] - BOND;
        uint256 toPoster = token.balanceOf(poster) - before[1];
        uint256 toVerifier = token.balanceOf(reviewer) - before[2];
        uint256 fees = market.accruedFeesOf(address(token));
        assertEq(toExecutor, expectedPayouts, "executor paid as modelled");
        assertTrue(toVerifier == 0 || toVerifier == VERIFIER_FEE, "the verifier fee is paid at most once");
        assertEq(toExecutor + toPoster + fees, uint256(terms.reward) + VERIFIER_FEE - toVerifier, "conservation");
        assertLe(fees, feeOf(terms.reward, FEE_BPS), "fees never exceed the fee on the whole reward");
        assertEq(token.balanceOf(address(market)), fees, "only fees are left");
    }

    /// @dev Settles the current milestone by approval, resolution, release, a hold that runs out, or a verified
    /// submission (after a rejection, so that the executor has something to resubmit); returns the executor's share.
    function settleMilestone(uint256 taskId, TaskTerms memory terms, uint256 seed) private returns (uint256 share) {
        uint256 path = seed % 5;
        share = BPS;
        if (path == 0) {
            approveTask(taskId, terms);
        } else if (path == 1) {
            share = bound(seed >> 8, 0, BPS);
            resolveTask(taskId, terms, uint16(share));
        } else if (path == 2) {
            releaseAfterReviewWindow(taskId, terms);
        } else if (path == 3) {
            share = bound(seed >> 8, 0, BPS);
            holdTask(taskId, terms, uint40(block.timestamp + 1 days), uint16(share));
            releaseAfterReviewWindow(taskId, terms);
        } else {
            rejectTask(taskId, terms);
            submitVerifiedTask(taskId, terms);
        }
    }

    /*//////////////////////////////////////////////////////////////
                     LAPSES, CANCELLATIONS, EXPIRIES
    //////////////////////////////////////////////////////////////*/

    function test_WhenClaimLapsesAfterAMilestone_TheNextClaimantContinues() external {
        TaskTerms memory terms = milestoneTerms(address(0), packMilestones(2_500, 2_500, 5_000));
        uint256 taskId = submittedTask(terms);
        approveTask(taskId, terms);
        warpPastExecutionDeadline(taskId);
        assertStatus(taskId, TaskStatus.Posted);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, false, BOND);
        claimTask(taskId, terms, agent);

        assertEq(poster.balance, posterBefore + BOND, "the lapsed bond is forfeited");
        (uint8 verified, , ) = market.progressOf(taskId);
        assertEq(verified, 1, "progress kept");
        assertEq(market.unpaidRewardOf(taskId, terms), 0.75 ether, "unpaid reward kept");

        submitWork(taskId, terms, agent);
        uint256 amount = 0.25 ether;
        vm.expectEmit(address(market));
        emit ITaskMarket.MilestoneSettled(taskId, agent, 1, amount - feeOf(amount, FEE_BPS), feeOf(amount, FEE_BPS), 0);
        approveTask(taskId, terms);
        submitWork(taskId, terms, agent);
        amount = 0.5 ether;
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(
            taskId,
            agent,
            address(0),
            amount - feeOf(amount, FEE_BPS),
            feeOf(amount, FEE_BPS),
            BOND
        );
        approveTask(taskId, terms);

        assertEq(market.executorRecordOf(human).expired, 1, "the first executor lapsed");
        assertEq(market.executorRecordOf(human).completed, 0, "and did not complete the task");
        assertEq(market.executorRecordOf(agent).completed, 1, "the second did");
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "only fees are left");
    }

    function test_WhenCancelledAfterAMilestone_ItShouldRefundTheRest() external {
        TaskTerms memory terms = twoMilestoneTerms();
        uint256 taskId = submittedTask(terms);
        approveTask(taskId, terms);
        warpPastExecutionDeadline(taskId);
        uint256 posterBefore = poster.balance;
        uint256 rest = REWARD - (REWARD * SHARE_0) / BPS;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, rest, 0);
        vm.prank(poster);
        market.cancel(taskId, terms);

        assertEq(poster.balance, posterBefore + rest + BOND, "the unpaid reward and the forfeited bond");
        assertEq(address(market).balance, feeOf(0.3 ether, FEE_BPS), "only the fee of the paid milestone is left");
    }

    function test_WhenExpiredAfterAMilestone_ItShouldRefundTheRest() external {
        TaskTerms memory terms = twoMilestoneTerms();
        uint256 taskId = submittedTask(terms);
        approveTask(taskId, terms);
        // The fresh execution window ends before the claim deadline: past both, the task has expired.
        assertLt(market.stateOf(taskId).executionDeadline, terms.claimDeadline, "window ends first");
        warpPastClaimDeadline(terms);
        assertStatus(taskId, TaskStatus.Expired);
        uint256 rest = REWARD - (REWARD * SHARE_0) / BPS;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskExpired(taskId, poster, rest, BOND);
        vm.prank(stranger);
        market.refundExpired(taskId, terms);

        assertEq(address(market).balance, feeOf(0.3 ether, FEE_BPS), "only the fee of the paid milestone is left");
    }

    function test_WhenConsentCancelledAfterAMilestone_ItShouldRefundTheRest() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        terms.milestoneShares = packMilestones(SHARE_0, SHARE_1);
        uint256 taskId = submittedTask(terms);
        approveTask(taskId, terms);
        uint256 posterBefore = poster.balance;
        uint256 humanBefore = human.balance;
        uint256 rest = REWARD - (REWARD * SHARE_0) / BPS;

        vm.prank(human);
        market.consentToCancel(taskId, terms);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, rest, BOND);
        vm.prank(poster);
        market.consentToCancel(taskId, terms);

        assertEq(poster.balance, posterBefore + rest, "the unpaid reward; the verifier fee was earned");
        assertEq(human.balance, humanBefore + BOND, "the bond returns");
        assertEq(address(market).balance, feeOf(0.3 ether, FEE_BPS), "only the fee of the paid milestone is left");
    }

    function test_WhenConsentCancelledAfterASilentMilestone_TheVerifierFeeReturnsToo() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        terms.milestoneShares = packMilestones(SHARE_0, SHARE_1);
        uint256 taskId = submittedTask(terms);
        releaseAfterReviewWindow(taskId, terms);
        uint256 rest = REWARD - (REWARD * SHARE_0) / BPS;

        vm.prank(human);
        market.consentToCancel(taskId, terms);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, rest + VERIFIER_FEE, BOND);
        vm.prank(poster);
        market.consentToCancel(taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    function test_UnpaidRewardOf_RevertGiven_TaskNotFound() external {
        TaskTerms memory terms = twoMilestoneTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 1));
        market.unpaidRewardOf(1, terms);
    }

    function test_UnpaidRewardOf_RevertWhen_TermsMismatch() external {
        TaskTerms memory terms = twoMilestoneTerms();
        uint256 taskId = createTask(terms);
        terms.milestoneShares = packMilestones(SHARE_1, SHARE_0);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        market.unpaidRewardOf(taskId, terms);
    }

    function test_UnpaidRewardOf_SingleDeliverable_IsTheReward() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        assertEq(market.unpaidRewardOf(taskId, terms), REWARD, "the whole reward");
        (uint8 verified, uint40 heldAt, uint16 holdShare) = market.progressOf(taskId);
        assertEq(verified + heldAt + holdShare, 0, "no progress recorded");
    }

    /// @dev BUG (views, no funds at risk): the last milestone is settled without being counted, so once a milestone
    /// task is settled `progressOf` reports one milestone fewer than were paid and `unpaidRewardOf` still reports
    /// the last milestone's amount as unpaid. `_settleSubmission` increments `milestonesVerified` only in the
    /// branch of an earlier milestone. Skipped until the market counts the last milestone too.
    function test_WhenMilestoneTaskSettled_ViewsShouldReportEverythingPaid() external {
        TaskTerms memory terms = twoMilestoneTerms();
        uint256 taskId = submittedTask(terms);
        approveTask(taskId, terms);
        submitWork(taskId, terms, human);
        approveTask(taskId, terms);
        assertStatus(taskId, TaskStatus.Settled);

        (uint8 verified, , ) = market.progressOf(taskId);
        assertEq(verified, 2, "both milestones were settled");
        assertEq(market.unpaidRewardOf(taskId, terms), 0, "nothing of the reward is unpaid");
    }
}
