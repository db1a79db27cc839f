// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IReverseAuction } from "../../../../../contracts/interfaces/assignment/IReverseAuction.sol";
import { TaskStatus, TaskTerms } from "../../../../../contracts/types/TaskTypes.sol";
import { ReverseAuction_Test } from "./ReverseAuctionBase.sol";

/// @notice Fuzzed auctions: the automatic rule picks the winner a reference computation picks, over random records,
/// weights, prices, bid orders, updates and deactivations; and the module holds exactly what it owes, and every wei is
/// conserved, over random sequences of bids, reveals, awards, finalizations, sweeps and withdrawals.
contract ReverseAuction_Fuzz_Test is ReverseAuction_Test {
    uint256 internal constant POOL_SIZE = 7;

    /// @dev Bidders with records built through real tasks in `setUp`; see {setUp} for their reputations.
    address[POOL_SIZE] internal pool;

    /// @dev The price each actor of a random sequence last committed to, for a reveal that matches.
    mapping(address actor => uint128 price) internal committedPrice;

    function setUp() public override {
        super.setUp();
        for (uint256 i = 0; i < POOL_SIZE; ++i) {
            pool[i] = newBidder(string.concat("pool", vm.toString(i)));
        }
        // Reputations: none, 10000, 5000, 6666, 5000 (a dispute lost), 0 (a lapse only), 7500.
        giveCompleted(pool[1], 1);
        giveCompleted(pool[2], 1);
        giveCompleted(pool[3], 2);
        giveCompleted(pool[4], 1);
        giveDisputesLost(pool[4], 1);
        giveCompleted(pool[6], 3);
        giveLapses(pool[2], 1, 0);
        giveLapses(pool[3], 0, 1);
        giveLapses(pool[5], 1, 0);
        giveLapses(pool[6], 1, 0);
    }

    /*//////////////////////////////////////////////////////////////
                         WINNER AGAINST REFERENCE
    //////////////////////////////////////////////////////////////*/

    /// @dev What the reference remembers of each pool bidder's bid.
    struct ReferenceBid {
        bool placed;
        bool skipped;
        uint128 price;
        uint256 sequence;
    }

    /// @dev A price in `[1, REWARD]`: on a coarse grid half of the time, so that ties happen.
    function priceFrom(uint256 seed) private pure returns (uint128) {
        if (seed % 2 == 0) return uint128(((seed >> 8) % 10) + 1) * (REWARD / 10);
        return uint128(((seed >> 8) % REWARD) + 1);
    }

    /// @dev Two rounds of bids from the pool in a random order: a first bid, then maybe a lower price or a new ETA.
    /// Records in `bids` what the reference needs, with the sequence the published tie-break gives each bid.
    function placeRandomBids(
        uint256 seed,
        uint256 taskId,
        TaskTerms memory terms,
        IReverseAuction.AuctionConfig memory config,
        ReferenceBid[POOL_SIZE] memory bids
    ) private {
        uint256 nextSequence;
        for (uint256 round = 0; round < 2; ++round) {
            uint256 offset = uint256(keccak256(abi.encode(seed, "offset", round))) % POOL_SIZE;
            for (uint256 k = 0; k < POOL_SIZE; ++k) {
                uint256 i = (k + offset) % POOL_SIZE;
                uint256 draw = uint256(keccak256(abi.encode(seed, round, i)));
                if (draw % 3 == 0) continue;
                uint128 price = priceFrom(draw >> 2);
                if (bids[i].placed) {
                    // An update: the price may only go down; an equal price just changes the ETA.
                    if (price > bids[i].price) price = bids[i].price;
                    if (price < bids[i].price) bids[i].sequence = nextSequence++;
                } else {
                    bids[i].placed = true;
                    bids[i].sequence = nextSequence++;
                }
                bids[i].price = price;
                bidAs(pool[i], taskId, terms, config, price, uint32(1 hours + (draw % 1 days)));
            }
        }
    }

    /// @dev Some bidders deactivate themselves: they can no longer be given the task and must be skipped.
    function deactivateSome(uint256 seed, ReferenceBid[POOL_SIZE] memory bids) private {
        for (uint256 i = 0; i < POOL_SIZE; ++i) {
            if (bids[i].placed && uint256(keccak256(abi.encode(seed, "skip", i))) % 5 == 0) {
                bids[i].skipped = true;
                vm.prank(pool[i]);
                registry.setActive(false);
            }
        }
    }

    /// @dev The reference rule: the highest score, then the lowest price, then the earliest sequence.
    function referenceWinner(
        ReferenceBid[POOL_SIZE] memory bids,
        uint256 priceWeightBps
    ) private view returns (bool found, uint256 best) {
        uint256 bestScore;
        for (uint256 i = 0; i < POOL_SIZE; ++i) {
            if (!bids[i].placed || bids[i].skipped) continue;
            uint256 score = referenceScore(pool[i], bids[i].price, REWARD, priceWeightBps);
            bool better = !found || score > bestScore;
            if (found && score == bestScore) {
                better =
                    bids[i].price < bids[best].price ||
                    (bids[i].price == bids[best].price && bids[i].sequence < bids[best].sequence);
            }
            if (better) (found, best, bestScore) = (true, i, score);
        }
    }

    /// The winner of `finalize` is the bid a straightforward reading of the published rule picks.
    function testFuzz_Finalize_WinnerMatchesReference(uint256 seed, uint16 priceWeightBps) external {
        priceWeightBps = uint16(bound(priceWeightBps, 0, BPS));
        TaskTerms memory terms = ethTerms();
        IReverseAuction.AuctionConfig memory config = openConfig();
        config.priceWeightBps = priceWeightBps;
        uint256 taskId = createAuction(terms, config);

        ReferenceBid[POOL_SIZE] memory bids;
        placeRandomBids(seed, taskId, terms, config, bids);
        deactivateSome(seed, bids);
        (bool found, uint256 best) = referenceWinner(bids, priceWeightBps);

        warpToAwardWindowEnd(config);
        uint256 posterBefore = poster.balance;
        finalizeAs(stranger, taskId, terms, config);

        if (!found) {
            assertStatus(taskId, TaskStatus.Cancelled);
            assertEq(poster.balance - posterBefore, REWARD, "no valid bid: full refund");
        } else {
            assertEq(module.winnerOf(taskId), pool[best], "winner");
            assertClaimedBy(taskId, pool[best]);
            assertEq(poster.balance - posterBefore, REWARD - bids[best].price, "unused budget refunded");
            assertEq(market.fundingOf(taskId).released, REWARD - bids[best].price, "released");
        }
        assertSolvent();
    }

    /*//////////////////////////////////////////////////////////////
                        CONSERVATION OVER SEQUENCES
    //////////////////////////////////////////////////////////////*/

    /// @dev The actors of a random sequence: four bidders, the poster and a stranger.
    function actorOf(uint256 draw) private view returns (address) {
        uint256 index = draw % 6;
        if (index < 4) return pool[index];
        return index == 4 ? poster : stranger;
    }

    function assetBalanceOf(address asset, address account) private view returns (uint256) {
        return asset == address(0) ? account.balance : token.balanceOf(account);
    }

    /// @dev Everything the auction can move an asset between.
    function totalOf(address asset) private view returns (uint256 total) {
        for (uint256 i = 0; i < 4; ++i) {
            total += assetBalanceOf(asset, pool[i]);
        }
        total += assetBalanceOf(asset, poster);
        total += assetBalanceOf(asset, stranger);
        total += assetBalanceOf(asset, address(module));
        total += assetBalanceOf(asset, address(market));
        total += assetBalanceOf(asset, feeRecipient);
    }

    function max(uint256 a, uint256 b) private pure returns (uint256) {
        return a > b ? a : b;
    }

    /// @dev The call a bidding action makes: an open bid, or a commitment (remembered for a later reveal).
    function biddingCall(
        address actor,
        uint128 price,
        uint256 taskId,
        TaskTerms memory terms,
        IReverseAuction.AuctionConfig memory config
    ) private returns (bytes memory) {
        if (config.revealEnd == 0) {
            return abi.encodeCall(module.bid, (taskId, terms, config, price, ETA, noCapabilities()));
        }
        committedPrice[actor] = price;
        bytes32 commitment = commitmentOf(taskId, actor, price, ETA, saltOf(actor));
        return abi.encodeCall(module.commitBid, (taskId, terms, config, commitment, noCapabilities()));
    }

    /// @dev The call of one of the other module actions, by `action`.
    function otherCall(
        uint256 action,
        uint256 draw,
        uint256 taskId,
        TaskTerms memory terms,
        IReverseAuction.AuctionConfig memory config
    ) private view returns (bytes memory) {
        if (action == 5) {
            return abi.encodeCall(module.award, (taskId, terms, config, actorOf(draw >> 40), noCapabilities()));
        }
        if (action == 6) return abi.encodeCall(module.finalize, (taskId, terms, config, noCapabilities()));
        if (action == 7) return abi.encodeCall(module.withdrawDeposit, (taskId));
        if (action == 8) return abi.encodeCall(module.sweepForfeitedBonds, (taskId));
        return abi.encodeCall(module.withdraw, (terms.token, actorOf(draw >> 8)));
    }

    /// @dev Performs one random action, which may well revert: failures are part of the sequence, the state is
    /// checked after each step.
    function step(
        uint256 draw,
        uint256 taskId,
        TaskTerms memory terms,
        IReverseAuction.AuctionConfig memory config
    ) private {
        address actor = actorOf(draw >> 8);
        uint128 price = priceFrom(draw >> 16);
        uint256 action = draw % 10;
        bytes memory data;
        uint256 value;
        if (action == 0 || action == 1) {
            value = depositValue(taskId, terms, config, actor);
            data = biddingCall(actor, price, taskId, terms, config);
        } else if (action == 2) {
            // Reveals what the actor committed to, or (a quarter of the time) a price that does not match.
            if ((draw >> 48) % 4 != 0) price = committedPrice[actor];
            data = abi.encodeCall(
                module.revealBid,
                (taskId, terms, config, price, ETA, saltOf(actor), noCapabilities())
            );
        } else if (action == 3) {
            vm.warp(block.timestamp + ((draw >> 32) % 6 hours));
            return;
        } else if (action == 4) {
            // Long enough for a winner's claim to lapse, and perhaps for the task to expire.
            vm.warp(block.timestamp + terms.executionWindow + 1);
            return;
        } else if (action == 9 && (draw >> 56) % 4 == 0) {
            // The poster cancels the task through the market itself, which the module does not see.
            vm.prank(poster);
            (bool cancelled, ) = address(market).call(abi.encodeCall(market.cancel, (taskId, terms)));
            cancelled;
            return;
        } else {
            data = otherCall(action, draw, taskId, terms, config);
        }
        vm.prank(actor);
        (bool success, ) = address(module).call{ value: value }(data);
        success;
    }

    /// Over any sequence of calls the module holds exactly what it owes, and once everyone has withdrawn it holds
    /// nothing; no wei is created or lost between the parties, the module and the market.
    function testFuzz_Sequence_DepositsAreConserved(uint256 seed, bool sealedBids, bool inToken) external {
        TaskTerms memory terms = inToken ? tokenTerms() : ethTerms();
        IReverseAuction.AuctionConfig memory config = sealedBids ? sealedConfig() : openConfig();
        uint256 taskId = createAuction(terms, config);
        address asset = terms.token;
        uint256 totalBefore = totalOf(asset);

        // Eight calls while bidding, eight after bidding ends (revealing, or awarding), eight after close (awarding or
        // finalizing), each third starting at a random point of its phase; the steps themselves may move the clock.
        for (uint256 i = 0; i < 24; ++i) {
            uint256 draw = uint256(keccak256(abi.encode(seed, i)));
            if (i == 8) vm.warp(max(block.timestamp, config.biddingEnd + ((draw >> 64) % 12 hours)));
            if (i == 16) vm.warp(max(block.timestamp, closeOf(config) + ((draw >> 64) % (2 * AWARD_WINDOW))));
            step(draw, taskId, terms, config);
            assertSolvent();
        }

        // Wind down: past the claim deadline every deposit and credit can be taken back.
        warpPastClaimDeadline(terms);
        for (uint256 i = 0; i < 4; ++i) {
            if (module.depositOf(taskId, pool[i]) != 0) withdrawDepositAs(pool[i], taskId);
        }
        if (module.creditOf(poster, asset) != 0) {
            vm.prank(poster);
            module.withdraw(asset, poster);
        }
        assertSolvent();
        assertEq(assetBalanceOf(asset, address(module)), 0, "Invariant violation: module not empty at the end");
        assertEq(totalOf(asset), totalBefore, "Invariant violation: value created or lost");
    }

    /// A sealed auction driven to an award through valid commitments and reveals, then wound down: the module ends
    /// empty whatever the order of reveals, forfeits and withdrawals.
    function testFuzz_Sealed_AwardThenWindDown(uint256 seed, bool inToken) external {
        TaskTerms memory terms = inToken ? tokenTerms() : ethTerms();
        IReverseAuction.AuctionConfig memory config = sealedConfig();
        uint256 taskId = createAuction(terms, config);
        address asset = terms.token;
        uint256 totalBefore = totalOf(asset);

        uint128[4] memory prices;
        bool[4] memory revealed;
        for (uint256 i = 0; i < 4; ++i) {
            prices[i] = priceFrom(uint256(keccak256(abi.encode(seed, "price", i))));
            commitAs(pool[i], taskId, terms, config, prices[i]);
        }
        warpToBiddingEnd(config);
        for (uint256 i = 0; i < 4; ++i) {
            if (uint256(keccak256(abi.encode(seed, "reveal", i))) % 3 != 0) {
                revealAs(pool[i], taskId, terms, config, prices[i]);
                revealed[i] = true;
            }
        }
        assertSolvent();
        warpToAwardWindowEnd(config);
        finalizeAs(stranger, taskId, terms, config);
        assertSolvent();

        uint256 forfeited;
        for (uint256 i = 0; i < 4; ++i) {
            if (!revealed[i]) forfeited += BID_BOND;
        }
        assertEq(module.creditOf(poster, asset), forfeited, "every unrevealed bond credited");

        for (uint256 i = 0; i < 4; ++i) {
            if (module.depositOf(taskId, pool[i]) != 0) withdrawDepositAs(pool[i], taskId);
            assertSolvent();
        }
        if (forfeited != 0) {
            vm.prank(poster);
            module.withdraw(asset, poster);
        }
        assertEq(assetBalanceOf(asset, address(module)), 0, "Invariant violation: module not empty at the end");
        assertEq(totalOf(asset), totalBefore, "Invariant violation: value created or lost");
    }
    /// @dev The poster tries the other bidders in turn, from the one after `first`, until a re-award succeeds;
    /// each attempt must succeed exactly when the bid is still backed and asks at most the awarded price.
    function reAwardFirstBacked(
        uint256 taskId,
        TaskTerms memory terms,
        IReverseAuction.AuctionConfig memory config,
        uint128[4] memory prices,
        bool[4] memory withdrawn,
        uint256 first
    ) private returns (address reawarded) {
        for (uint256 k = 1; k < 4 && reawarded == address(0); ++k) {
            uint256 i = (first + k) % 4;
            bool expected = !withdrawn[i] && prices[i] <= prices[first];
            bytes memory data = abi.encodeCall(module.award, (taskId, terms, config, pool[i], noCapabilities()));
            vm.prank(poster);
            (bool success, ) = address(module).call(data);
            assertEq(success, expected, "re-award allowed exactly for backed bids at most the price");
            if (success) reawarded = pool[i];
            assertSolvent();
        }
    }

    /// A winner's claim lapses; the poster re-awards the task: exactly the bids still backed by a deposit and asking at
    /// most the awarded price can take it, at that price; the module stays solvent and ends empty.
    function testFuzz_ReAward_AfterALapse(uint256 seed, bool inToken) external {
        TaskTerms memory terms = inToken ? tokenTerms() : ethTerms();
        IReverseAuction.AuctionConfig memory config = openConfig();
        uint256 taskId = createAuction(terms, config);
        address asset = terms.token;
        uint256 totalBefore = totalOf(asset);

        uint128[4] memory prices;
        for (uint256 i = 0; i < 4; ++i) {
            prices[i] = priceFrom(uint256(keccak256(abi.encode(seed, "price", i))));
            bidAs(pool[i], taskId, terms, config, prices[i]);
        }
        warpToClose(config);
        uint256 first = seed % 4;
        awardAs(poster, taskId, terms, config, pool[first]);
        bool[4] memory withdrawn;
        for (uint256 i = 0; i < 4; ++i) {
            if (i != first && uint256(keccak256(abi.encode(seed, "withdraw", i))) % 3 == 0) {
                withdrawDepositAs(pool[i], taskId);
                withdrawn[i] = true;
            }
        }
        warpPastExecutionDeadline(taskId);
        assertSolvent();

        address reawarded = reAwardFirstBacked(taskId, terms, config, prices, withdrawn, first);
        if (reawarded != address(0)) {
            assertClaimedBy(taskId, reawarded);
            assertEq(market.fundingOf(taskId).released, REWARD - prices[first], "the price stays");
        }

        warpPastClaimDeadline(terms);
        for (uint256 i = 0; i < 4; ++i) {
            if (module.depositOf(taskId, pool[i]) != 0) withdrawDepositAs(pool[i], taskId);
        }
        assertEq(assetBalanceOf(asset, address(module)), 0, "Invariant violation: module not empty at the end");
        assertEq(totalOf(asset), totalBefore, "Invariant violation: value created or lost");
    }
}
