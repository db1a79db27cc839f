// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IReverseAuction } from "../../../../../contracts/interfaces/assignment/IReverseAuction.sol";
import { ITaskMarket } from "../../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../../contracts/libraries/Errors.sol";
import { ExecutorKind, TaskStatus, TaskTerms } from "../../../../../contracts/types/TaskTypes.sol";
import { ReverseAuction_Test } from "./ReverseAuctionBase.sol";

/// @notice Finalization by the automatic rule: who may finalize and when, the rule itself (reputation from real
/// settled tasks, price, weights, ties), bidders skipped because they can no longer be given the task, and the
/// cancellation of an auction left without a valid bid.
contract ReverseAuction_Finalize_Unit_Test is ReverseAuction_Test {
    TaskTerms internal terms;

    function setUp() public override {
        super.setUp();
        terms = ethTerms();
    }

    /// @dev An open auction weighing the price at `priceWeightBps`, created now.
    function weightedConfig(uint16 priceWeightBps) private view returns (IReverseAuction.AuctionConfig memory config) {
        config = openConfig();
        config.priceWeightBps = priceWeightBps;
    }

    /// @dev Finalizes as a stranger after the award window; returns the winner.
    function finalized(uint256 taskId, IReverseAuction.AuctionConfig memory config) private returns (address) {
        warpToAwardWindowEnd(config);
        finalizeAs(stranger, taskId, terms, config);
        return module.winnerOf(taskId);
    }

    /*//////////////////////////////////////////////////////////////
                             WHO AND WHEN
    //////////////////////////////////////////////////////////////*/

    function test_Finalize_ByAnyoneAfterTheAwardWindow() external {
        IReverseAuction.AuctionConfig memory config = weightedConfig(10_000);
        uint256 taskId = createAuction(terms, config);
        bidAs(human, taskId, terms, config, 0.6 ether);
        bidAs(agent, taskId, terms, config, 0.5 ether);
        warpToAwardWindowEnd(config);
        uint256 posterBefore = poster.balance;
        uint256 expectedScore = 10_000 * 5_000;

        vm.expectEmit(address(module));
        emit IReverseAuction.AuctionAwarded(taskId, agent, 0.5 ether, true, expectedScore);
        vm.expectEmit(address(market));
        emit ITaskMarket.RewardLowered(taskId, poster, 0.5 ether, 0.5 ether);
        finalizeAs(stranger, taskId, terms, config);

        assertClaimedBy(taskId, agent);
        assertEq(poster.balance - posterBefore, 0.5 ether, "unused budget refunded");
        assertEq(address(module).balance, BOND, "the loser's deposit");
        assertEq(address(market).balance, 0.5 ether + BOND, "price and bond");
        assertPhase(taskId, config, IReverseAuction.AuctionPhase.Awarded);
        assertSolvent();
    }

    function test_RevertWhen_Finalize_StrangerWithinTheAwardWindow() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        uint256 taskId = createAuction(terms, config);
        bidAs(human, taskId, terms, config, 0.6 ether);
        vm.warp(awardWindowEndOf(config) - 1);

        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_AwardWindowNotOver.selector,
                taskId,
                awardWindowEndOf(config)
            )
        );
        finalizeAs(stranger, taskId, terms, config);
    }

    function test_Finalize_ByThePosterAtClose() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        uint256 taskId = createAuction(terms, config);
        bidAs(human, taskId, terms, config, 0.6 ether);
        warpToClose(config);

        finalizeAs(poster, taskId, terms, config);
        assertClaimedBy(taskId, human);
    }

    function test_RevertWhen_Finalize_PosterBeforeClose() external {
        IReverseAuction.AuctionConfig memory config = sealedConfig();
        uint256 taskId = createAuction(terms, config);
        vm.warp(config.revealEnd - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_AuctionNotClosed.selector, taskId, config.revealEnd)
        );
        finalizeAs(poster, taskId, terms, config);
    }

    function test_RevertWhen_Finalize_AfterAnAward() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        uint256 taskId = createAuction(terms, config);
        bidAs(human, taskId, terms, config, 0.6 ether);
        finalized(taskId, config);

        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_TaskNotOpen.selector, taskId, TaskStatus.Claimed)
        );
        finalizeAs(stranger, taskId, terms, config);
    }

    function test_RevertWhen_Finalize_Expired() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        uint256 taskId = createAuction(terms, config);
        bidAs(human, taskId, terms, config, 0.6 ether);
        warpPastClaimDeadline(terms);

        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_TaskNotOpen.selector, taskId, TaskStatus.Expired)
        );
        finalizeAs(stranger, taskId, terms, config);
    }

    function test_RevertWhen_Finalize_CapabilitiesNotTheTasks() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        uint256 taskId = createAuction(terms, config);
        warpToAwardWindowEnd(config);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_CapabilitiesMismatch.selector,
                taskId,
                terms.capabilitiesHash,
                hashCapabilities(sortedCapabilities())
            )
        );
        vm.prank(stranger);
        module.finalize(taskId, terms, config, sortedCapabilities());
    }

    /*//////////////////////////////////////////////////////////////
                           NO VALID BID
    //////////////////////////////////////////////////////////////*/

    /// An auction without bids returns the task to the poster with a full refund.
    function test_Finalize_NoBids_CancelsTheTask() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        TaskTerms memory tokenTaskTerms = tokenTerms();
        uint256 taskId = createAuction(tokenTaskTerms, config);
        uint256 posterBefore = token.balanceOf(poster);
        warpToAwardWindowEnd(config);

        vm.expectEmit(address(module));
        emit IReverseAuction.AuctionCancelled(taskId);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, REWARD, 0);
        finalizeAs(stranger, taskId, tokenTaskTerms, config);

        assertStatus(taskId, TaskStatus.Cancelled);
        assertEq(token.balanceOf(poster) - posterBefore, REWARD, "full refund");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
        assertEq(module.winnerOf(taskId), address(0), "no winner");
        assertPhase(taskId, config, IReverseAuction.AuctionPhase.Cancelled);

        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_TaskNotOpen.selector, taskId, TaskStatus.Cancelled)
        );
        finalizeAs(stranger, taskId, tokenTaskTerms, config);
    }

    /// Sealed commitments that no one revealed are not valid bids: the task is cancelled and their bonds credited.
    function test_Finalize_OnlyUnrevealedCommitments_CancelsTheTask() external {
        IReverseAuction.AuctionConfig memory config = sealedConfig();
        uint256 taskId = createAuction(terms, config);
        commitAs(human, taskId, terms, config, 0.6 ether);
        commitAs(agent, taskId, terms, config, 0.5 ether);
        uint256 posterBefore = poster.balance;

        IReverseAuction.Auction memory auctionBefore = module.auctionOf(taskId);
        assertEq(auctionBefore.bidCount, 2, "two commitments");
        (bool found, , , ) = module.previewWinner(taskId, terms, config, noCapabilities());
        assertFalse(found, "preview: no winner");

        finalized(taskId, config);

        assertStatus(taskId, TaskStatus.Cancelled);
        assertEq(poster.balance - posterBefore, REWARD, "full refund");
        assertEq(module.creditOf(poster, address(0)), 2 * BID_BOND, "bonds credited");
        withdrawDepositAs(human, taskId);
        withdrawDepositAs(agent, taskId);
        assertSolvent();
        assertEq(address(module).balance, 2 * BID_BOND, "only the poster's credit left");
    }

    /// Every bidder having become unable to take the task, the auction ends as if it had none.
    function test_Finalize_AllBiddersSkipped_CancelsTheTask() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        uint256 taskId = createAuction(terms, config);
        bidAs(human, taskId, terms, config, 0.6 ether);
        bidAs(agent, taskId, terms, config, 0.5 ether);
        vm.prank(human);
        registry.setActive(false);
        vm.prank(agent);
        registry.setActive(false);

        finalized(taskId, config);
        assertStatus(taskId, TaskStatus.Cancelled);
        withdrawDepositAs(human, taskId);
        withdrawDepositAs(agent, taskId);
        assertEq(address(module).balance, 0, "module empty");
    }

    /*//////////////////////////////////////////////////////////////
                               SKIPPING
    //////////////////////////////////////////////////////////////*/

    /// The best bidder deactivated itself after bidding: the next best wins.
    function test_Finalize_SkipsAnInactiveBidder() external {
        IReverseAuction.AuctionConfig memory config = weightedConfig(10_000);
        uint256 taskId = createAuction(terms, config);
        bidAs(human, taskId, terms, config, 0.5 ether);
        bidAs(agent, taskId, terms, config, 0.6 ether);
        vm.prank(human);
        registry.setActive(false);

        (bool found, address winner, uint256 price, ) = module.previewWinner(taskId, terms, config, noCapabilities());
        assertTrue(found, "found");
        assertEq(winner, agent, "preview skips the inactive bidder");
        assertEq(price, 0.6 ether, "preview price");
        assertEq(finalized(taskId, config), agent, "next best wins");
    }

    /// The best bidder dropped a required capability.
    function test_Finalize_SkipsABidderMissingACapability() external {
        IReverseAuction.AuctionConfig memory config = weightedConfig(10_000);
        bytes32[] memory capabilities = sortedCapabilities();
        TaskTerms memory capableTerms = ethTerms();
        capableTerms.capabilitiesHash = hashCapabilities(capabilities);
        uint256 taskId = createAuction(capableTerms, config, capabilities);
        vm.prank(carol);
        module.bid{ value: BOND }(taskId, capableTerms, config, 0.5 ether, ETA, capabilities);
        vm.prank(dave);
        module.bid{ value: BOND }(taskId, capableTerms, config, 0.6 ether, ETA, capabilities);
        vm.prank(carol);
        registry.updateProfile(address(0), noCapabilities(), "ipfs://carol");

        warpToAwardWindowEnd(config);
        vm.prank(stranger);
        module.finalize(taskId, capableTerms, config, capabilities);
        assertEq(module.winnerOf(taskId), dave, "next best wins");
    }

    /// The best bidder lost a dispute after bidding and no longer passes the disputes gate.
    function test_Finalize_SkipsABidderBelowTheGate() external {
        IReverseAuction.AuctionConfig memory config = weightedConfig(10_000);
        config.requirements.maxDisputesLostBps = 5_000;
        uint256 taskId = createAuction(terms, config);
        bidAs(human, taskId, terms, config, 0.5 ether);
        bidAs(agent, taskId, terms, config, 0.6 ether);
        giveDisputesLost(human, 1);
        assertFalse(module.meetsGate(human, config.requirements), "human fails the gate now");

        assertEq(finalized(taskId, config), agent, "next best wins");
    }

    /// An agent whose operator became the poster would be refused by the market: it is skipped.
    function test_Finalize_SkipsAnAgentNowOperatedByThePoster() external {
        IReverseAuction.AuctionConfig memory config = weightedConfig(10_000);
        uint256 taskId = createAuction(terms, config);
        bidAs(agent, taskId, terms, config, 0.5 ether);
        bidAs(human, taskId, terms, config, 0.6 ether);
        vm.prank(agent);
        registry.updateProfile(poster, sortedCapabilities(), "ipfs://agent");

        assertEq(finalized(taskId, config), human, "next best wins");
    }

    /// The poster's own award of a bidder that became unable to take the task reverts, but finalizing skips it.
    function test_Finalize_PosterCanFinalizeInsteadOfAwardingASkippedBidder() external {
        IReverseAuction.AuctionConfig memory config = weightedConfig(10_000);
        uint256 taskId = createAuction(terms, config);
        bidAs(agent, taskId, terms, config, 0.5 ether);
        bidAs(human, taskId, terms, config, 0.6 ether);
        vm.prank(agent);
        registry.updateProfile(poster, sortedCapabilities(), "ipfs://agent");
        warpToClose(config);

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_CandidateIsParty.selector, taskId, agent));
        awardAs(poster, taskId, terms, config, agent);
        finalizeAs(poster, taskId, terms, config);
        assertClaimedBy(taskId, human);
    }

    /*//////////////////////////////////////////////////////////////
                          THE AUTOMATIC RULE
    //////////////////////////////////////////////////////////////*/

    /// The published reputation, from real settled and lapsed tasks.
    function test_ReputationOf_FromRealTasks() external {
        assertEq(module.reputationOf(carol), 0, "no history");
        giveRecord(carol, 3, 1, 1, 1);
        // 3 completed out of 3 + 1 + 1 + 1.
        assertEq(module.reputationOf(carol), 5_000, "3 / 6");
        giveRecord(dave, 2, 1, 0, 0);
        assertEq(module.reputationOf(dave), 6_666, "2 / 3, rounded down");
        giveRecord(human, 0, 2, 0, 0);
        assertEq(module.reputationOf(human), 0, "never completed");
    }

    function test_ScoreOf_MatchesTheReference() external {
        giveRecord(carol, 2, 1, 0, 0);
        assertEq(module.scoreOf(carol, 0.4 ether, 1 ether, 3_000), referenceScore(carol, 0.4 ether, 1 ether, 3_000));
        // priceBps = 6000, reputation = 6666: 3000 * 6000 + 7000 * 6666.
        assertEq(module.scoreOf(carol, 0.4 ether, 1 ether, 3_000), 3_000 * 6_000 + 7_000 * 6_666, "by hand");
        assertEq(module.scoreOf(carol, 1 ether, 1 ether, 10_000), 0, "whole budget, price only");
    }

    function test_RevertWhen_ScoreOf_InvalidInputs() external {
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_InvalidPrice.selector, 0, 2 ether, 1 ether)
        );
        module.scoreOf(carol, 2 ether, 1 ether, 0);
        vm.expectRevert(abi.encodeWithSelector(IReverseAuction.ReverseAuction_InvalidPrice.selector, 0, 0, 1 ether));
        module.scoreOf(carol, 0, 1 ether, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_InvalidPriceWeight.selector, uint16(10_001))
        );
        module.scoreOf(carol, 1, 1 ether, 10_001);
    }

    /// With all the weight on reputation, a proven executor beats a cheaper newcomer.
    function test_Rule_ReputationOnly() external {
        giveRecord(carol, 2, 0, 0, 0);
        IReverseAuction.AuctionConfig memory config = weightedConfig(0);
        uint256 taskId = createAuction(terms, config);
        bidAs(human, taskId, terms, config, 0.1 ether);
        bidAs(carol, taskId, terms, config, 0.9 ether);

        assertEq(finalized(taskId, config), carol, "reputation wins");
        assertEq(market.fundingOf(taskId).released, 0.1 ether, "at its own price");
    }

    /// With all the weight on price, the cheapest wins whatever its record.
    function test_Rule_PriceOnly() external {
        giveRecord(carol, 2, 0, 0, 0);
        IReverseAuction.AuctionConfig memory config = weightedConfig(10_000);
        uint256 taskId = createAuction(terms, config);
        bidAs(carol, taskId, terms, config, 0.5 ether);
        bidAs(human, taskId, terms, config, 0.4 ether);

        assertEq(finalized(taskId, config), human, "price wins");
    }

    /// A mix: reputations from real tasks weighed against prices, as the reference computes it.
    function test_Rule_Mixed() external {
        giveRecord(carol, 3, 1, 0, 0); // 7500
        giveRecord(dave, 1, 1, 1, 1); // 2500
        terms = ethTerms(); // the records moved the clock
        IReverseAuction.AuctionConfig memory config = weightedConfig(6_000);
        uint256 taskId = createAuction(terms, config);
        bidAs(human, taskId, terms, config, 0.3 ether); // 6000 * 7000 + 0 = 42.0M
        bidAs(carol, taskId, terms, config, 0.7 ether); // 6000 * 3000 + 4000 * 7500 = 48.0M
        bidAs(dave, taskId, terms, config, 0.2 ether); // 6000 * 8000 + 4000 * 2500 = 58.0M

        assertEq(referenceScore(human, 0.3 ether, REWARD, 6_000), 42_000_000, "human");
        assertEq(referenceScore(carol, 0.7 ether, REWARD, 6_000), 48_000_000, "carol");
        assertEq(referenceScore(dave, 0.2 ether, REWARD, 6_000), 58_000_000, "dave");
        (, , , uint256 score) = module.previewWinner(taskId, terms, config, noCapabilities());
        assertEq(score, 58_000_000, "preview score");
        assertEq(finalized(taskId, config), dave, "highest score");
    }

    /// Equal scores: the lower price wins, even against an earlier bid.
    function test_Rule_TieGoesToTheLowerPrice() external {
        giveRecord(carol, 1, 1, 0, 0); // 5000
        terms = ethTerms(); // the records moved the clock
        IReverseAuction.AuctionConfig memory config = weightedConfig(5_000);
        uint256 taskId = createAuction(terms, config);
        // carol: 5000 * 0 + 5000 * 5000; human: 5000 * 5000 + 5000 * 0.
        bidAs(carol, taskId, terms, config, 1 ether);
        bidAs(human, taskId, terms, config, 0.5 ether);
        assertEq(referenceScore(carol, 1 ether, REWARD, 5_000), referenceScore(human, 0.5 ether, REWARD, 5_000));

        assertEq(finalized(taskId, config), human, "lower price");
    }

    /// Equal scores and prices: the earlier bid wins.
    function test_Rule_TieGoesToTheEarlierBid() external {
        IReverseAuction.AuctionConfig memory config = weightedConfig(5_000);
        uint256 taskId = createAuction(terms, config);
        bidAs(dave, taskId, terms, config, 0.5 ether);
        bidAs(carol, taskId, terms, config, 0.5 ether);
        bidAs(human, taskId, terms, config, 0.5 ether);

        assertEq(finalized(taskId, config), dave, "earliest");
    }

    /// A bidder that lowers its price to match takes a later place than the bid that was already there.
    function test_Rule_MatchingByLoweringIsALaterBid() external {
        IReverseAuction.AuctionConfig memory config = weightedConfig(5_000);
        uint256 taskId = createAuction(terms, config);
        bidAs(carol, taskId, terms, config, 0.8 ether);
        bidAs(dave, taskId, terms, config, 0.5 ether);
        bidAs(carol, taskId, terms, config, 0.5 ether);
        // An ETA update does not move dave back.
        bidAs(dave, taskId, terms, config, 0.5 ether, 1 hours);

        assertEq(finalized(taskId, config), dave, "dave reached 0.5 first");
    }

    /// Zero scores everywhere (whole-budget bids from newcomers) still award: a bid is a bid.
    function test_Rule_ZeroScoresStillAward() external {
        IReverseAuction.AuctionConfig memory config = weightedConfig(10_000);
        uint256 taskId = createAuction(terms, config);
        bidAs(carol, taskId, terms, config, REWARD);
        bidAs(dave, taskId, terms, config, REWARD);

        assertEq(finalized(taskId, config), carol, "earliest of the zero scores");
        assertEq(market.fundingOf(taskId).released, 0, "nothing released");
    }

    /// Unrevealed commitments never win, whatever they committed to.
    function test_Rule_SealedOnlyRevealedBidsCount() external {
        IReverseAuction.AuctionConfig memory config = sealedConfig();
        uint256 taskId = createAuction(terms, config);
        commitAs(human, taskId, terms, config, 0.1 ether);
        commitAs(carol, taskId, terms, config, 0.9 ether);
        warpToBiddingEnd(config);
        revealAs(carol, taskId, terms, config, 0.9 ether);

        assertEq(finalized(taskId, config), carol, "the revealed bid");
        assertEq(module.creditOf(poster, address(0)), BID_BOND, "non-revealer's bond credited");
        assertSolvent();
    }

    /*//////////////////////////////////////////////////////////////
                          CAP AND DEPENDENCIES
    //////////////////////////////////////////////////////////////*/

    /// A full auction finalizes within bounded gas: the cap bounds the loop.
    function test_Finalize_FullAuction() external {
        IReverseAuction.AuctionConfig memory config = sealedConfig();
        config.requirements.maxDisputesLostBps = 5_000;
        config.requirements.minCompleted = 0;
        uint256 taskId = createAuction(terms, config);
        address[] memory bidders = new address[](MAX_BIDS);
        for (uint256 i = 0; i < MAX_BIDS; ++i) {
            bidders[i] = newBidder(string.concat("bidder", vm.toString(i)));
            commitAs(bidders[i], taskId, terms, config, uint128(0.5 ether + i * 0.01 ether));
        }
        warpToBiddingEnd(config);
        // All but the last reveal; the cheapest is bidder 0.
        for (uint256 i = 0; i + 1 < MAX_BIDS; ++i) {
            revealAs(bidders[i], taskId, terms, config, uint128(0.5 ether + i * 0.01 ether));
        }
        warpToAwardWindowEnd(config);

        uint256 gasBefore = gasleft();
        finalizeAs(stranger, taskId, terms, config);
        uint256 gasUsed = gasBefore - gasleft();

        assertLt(gasUsed, 2_000_000, "bounded finalization");
        assertEq(module.winnerOf(taskId), bidders[0], "best bid");
        assertEq(module.creditOf(poster, address(0)), BID_BOND, "one bond forfeited");
        assertSolvent();
    }

    function test_RevertWhen_Finalize_DependenciesNotMet() external {
        TaskTerms memory dependencyTerms = ethTerms();
        uint256 dependency = createTask(dependencyTerms);
        IReverseAuction.AuctionConfig memory config = openConfig();
        config.requirements.dependencies = new uint256[](1);
        config.requirements.dependencies[0] = dependency;
        uint256 taskId = createAuction(terms, config);
        bidAs(human, taskId, terms, config, 0.6 ether);
        warpToAwardWindowEnd(config);

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_DependenciesNotMet.selector, taskId));
        finalizeAs(stranger, taskId, terms, config);

        // Met later: anyone finalizes then.
        claimTask(dependency, dependencyTerms, carol);
        submitWork(dependency, dependencyTerms, carol);
        warpPastReviewDeadline(dependency);
        assertStatus(dependency, TaskStatus.Verified);
        finalizeAs(stranger, taskId, terms, config);
        assertClaimedBy(taskId, human);
    }

    /// Without bids, dependencies do not matter: the auction is cancelled.
    function test_Finalize_NoBidsDependenciesNotMet_Cancels() external {
        uint256 dependency = createTask(ethTerms());
        IReverseAuction.AuctionConfig memory config = openConfig();
        config.requirements.dependencies = new uint256[](1);
        config.requirements.dependencies[0] = dependency;
        uint256 taskId = createAuction(terms, config);

        finalized(taskId, config);
        assertStatus(taskId, TaskStatus.Cancelled);
    }

    /// Only the kind the task asks for counts; the registry answers for kind as for the rest.
    function test_Finalize_HumanOnlyTask() external {
        TaskTerms memory humanOnly = ethTerms();
        humanOnly.executorKind = ExecutorKind.Human;
        IReverseAuction.AuctionConfig memory config = weightedConfig(10_000);
        uint256 taskId = createAuction(humanOnly, config);
        bidAs(human, taskId, humanOnly, config, 0.6 ether);
        warpToAwardWindowEnd(config);
        finalizeAs(stranger, taskId, humanOnly, config);
        assertClaimedBy(taskId, human);
    }
}
