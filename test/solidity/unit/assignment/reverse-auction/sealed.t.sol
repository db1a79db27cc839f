// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IReverseAuction } from "../../../../../contracts/interfaces/assignment/IReverseAuction.sol";
import { Eligibility } from "../../../../../contracts/interfaces/IExecutorRegistry.sol";
import { Errors } from "../../../../../contracts/libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../../../../../contracts/types/TaskTypes.sol";
import { ReverseAuction_Test } from "./ReverseAuctionBase.sol";

/// @notice Sealed bids: commitments and their deposit, reveals and their window, and the bid bond a commitment loses to
/// the poster when it is not revealed (or revealed with values that are not a valid bid).
contract ReverseAuction_Sealed_Unit_Test is ReverseAuction_Test {
    IReverseAuction.AuctionConfig internal config;
    TaskTerms internal terms;
    uint256 internal taskId;

    function setUp() public override {
        super.setUp();
        config = sealedConfig();
        terms = ethTerms();
        taskId = createAuction(terms, config);
    }

    /*//////////////////////////////////////////////////////////////
                                COMMIT
    //////////////////////////////////////////////////////////////*/

    function test_CommitBid_RecordsTheCommitmentAndTakesClaimBondAndBidBond() external {
        bytes32 commitment = commitmentOf(taskId, human, 0.6 ether, ETA, saltOf(human));
        uint256 bidderBefore = human.balance;

        vm.expectEmit(address(module));
        emit IReverseAuction.BidCommitted(taskId, human, commitment, 0, BOND + BID_BOND);
        commitAs(human, taskId, terms, config, 0.6 ether);

        IReverseAuction.Bid memory entry = module.bidOf(taskId, human);
        assertEq(entry.status, IReverseAuction.BidStatus.Committed, "status");
        assertEq(entry.commitment, commitment, "commitment");
        assertEq(entry.price, 0, "price hidden");
        assertEq(entry.deposit, BOND + BID_BOND, "deposit");
        assertEq(bidderBefore - human.balance, BOND + BID_BOND, "bidder paid both bonds");
        IReverseAuction.Auction memory auction = module.auctionOf(taskId);
        assertEq(auction.revealEnd, config.revealEnd, "revealEnd copied");
        assertEq(auction.bidBond, BID_BOND, "bidBond copied");
        assertSolvent();
    }

    function test_CommitBid_Token() external {
        TaskTerms memory tokenTaskTerms = tokenTerms();
        uint256 tokenTaskId = createAuction(tokenTaskTerms, config);
        uint256 bidderBefore = token.balanceOf(human);

        commitAs(human, tokenTaskId, tokenTaskTerms, config, 0.6 ether);

        assertEq(bidderBefore - token.balanceOf(human), BOND + BID_BOND, "bidder paid both bonds in tokens");
        assertEq(token.balanceOf(address(module)), BOND + BID_BOND, "module holds them");
        assertSolvent();
    }

    /// A new commitment replaces the old one without a new deposit, and takes a new place in the tie-break.
    function test_CommitBid_Replace() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        commitAs(agent, taskId, terms, config, 0.6 ether);
        bytes32 replacement = commitmentOf(taskId, human, 0.4 ether, ETA, saltOf(human));

        vm.expectEmit(address(module));
        emit IReverseAuction.BidCommitted(taskId, human, replacement, 2, 0);
        vm.prank(human);
        module.commitBid(taskId, terms, config, replacement, noCapabilities());

        IReverseAuction.Bid memory entry = module.bidOf(taskId, human);
        assertEq(entry.commitment, replacement, "replaced");
        assertEq(entry.sequence, 2, "new place");
        assertEq(entry.deposit, BOND + BID_BOND, "deposit unchanged");

        // Only the new commitment can be revealed.
        warpToBiddingEnd(config);
        bytes32 stale = commitmentOf(taskId, human, 0.6 ether, ETA, saltOf(human));
        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_CommitmentMismatch.selector,
                taskId,
                human,
                replacement,
                stale
            )
        );
        revealAs(human, taskId, terms, config, 0.6 ether);
        revealAs(human, taskId, terms, config, 0.4 ether);
        assertEq(module.bidOf(taskId, human).price, 0.4 ether, "revealed");
    }

    function test_RevertWhen_CommitBid_OnOpenAuction() external {
        IReverseAuction.AuctionConfig memory open = openConfig();
        uint256 openTaskId = createAuction(terms, open);
        vm.expectRevert(abi.encodeWithSelector(IReverseAuction.ReverseAuction_AuctionNotSealed.selector, openTaskId));
        vm.prank(human);
        module.commitBid{ value: BOND }(openTaskId, terms, open, bytes32("c"), noCapabilities());
    }

    function test_RevertWhen_CommitBid_AtBiddingEnd() external {
        warpToBiddingEnd(config);
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_BiddingClosed.selector, taskId, config.biddingEnd)
        );
        vm.prank(human);
        module.commitBid{ value: BOND + BID_BOND }(taskId, terms, config, bytes32("c"), noCapabilities());
    }

    function test_RevertWhen_CommitBid_ZeroCommitment() external {
        vm.expectRevert(abi.encodeWithSelector(IReverseAuction.ReverseAuction_ZeroCommitment.selector, taskId));
        vm.prank(human);
        module.commitBid{ value: BOND + BID_BOND }(taskId, terms, config, bytes32(0), noCapabilities());
    }

    function test_RevertWhen_CommitBid_WithoutTheBidBond() external {
        vm.expectRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_IncorrectPayment.selector, BOND + BID_BOND, BOND)
        );
        vm.prank(human);
        module.commitBid{ value: BOND }(taskId, terms, config, bytes32("c"), noCapabilities());
    }

    /// Accounts that could never be given the task cannot fill the cap with commitments.
    function test_RevertWhen_CommitBid_NotRegistered() external {
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_NotEligible.selector,
                taskId,
                stranger,
                Eligibility.NotRegistered
            )
        );
        vm.prank(stranger);
        module.commitBid{ value: BOND + BID_BOND }(taskId, terms, config, bytes32("c"), noCapabilities());
    }

    function test_RevertWhen_CommitBid_CapReached() external {
        for (uint256 i = 0; i < MAX_BIDS; ++i) {
            commitAs(newBidder(string.concat("bidder", vm.toString(i))), taskId, terms, config, 0.9 ether);
        }
        vm.expectRevert(abi.encodeWithSelector(IReverseAuction.ReverseAuction_TooManyBids.selector, taskId, MAX_BIDS));
        vm.prank(human);
        module.commitBid{ value: BOND + BID_BOND }(taskId, terms, config, bytes32("c"), noCapabilities());
    }

    /*//////////////////////////////////////////////////////////////
                                REVEAL
    //////////////////////////////////////////////////////////////*/

    function test_RevealBid_MakesTheBidValid() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        warpToBiddingEnd(config);

        vm.expectEmit(address(module));
        emit IReverseAuction.BidRevealed(taskId, human, 0.6 ether, ETA);
        revealAs(human, taskId, terms, config, 0.6 ether);

        IReverseAuction.Bid memory entry = module.bidOf(taskId, human);
        assertEq(entry.status, IReverseAuction.BidStatus.Placed, "status");
        assertEq(entry.price, 0.6 ether, "price");
        assertEq(entry.eta, ETA, "eta");
        assertEq(entry.deposit, BOND + BID_BOND, "deposit");
    }

    function test_RevealBid_AtTheLastSecond() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        vm.warp(config.revealEnd - 1);
        revealAs(human, taskId, terms, config, 0.6 ether);
        assertBidStatus(taskId, human, IReverseAuction.BidStatus.Placed);
    }

    /// A bidder whose auction was cancelled still reveals, to keep its bid bond.
    function test_RevealBid_AfterThePosterCancelled() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        vm.prank(poster);
        market.cancel(taskId, terms);
        warpToBiddingEnd(config);

        revealAs(human, taskId, terms, config, 0.6 ether);
        warpToClose(config);
        uint256 before = human.balance;
        withdrawDepositAs(human, taskId);
        assertEq(human.balance - before, BOND + BID_BOND, "whole deposit back");
        assertEq(module.creditOf(poster, address(0)), 0, "nothing forfeited");
        assertSolvent();
    }

    function test_RevertWhen_RevealBid_BeforeBiddingEnd() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        vm.warp(config.biddingEnd - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_RevealWindowClosed.selector,
                taskId,
                config.biddingEnd,
                config.revealEnd
            )
        );
        revealAs(human, taskId, terms, config, 0.6 ether);
    }

    function test_RevertWhen_RevealBid_AtRevealEnd() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        vm.warp(config.revealEnd);
        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_RevealWindowClosed.selector,
                taskId,
                config.biddingEnd,
                config.revealEnd
            )
        );
        revealAs(human, taskId, terms, config, 0.6 ether);
    }

    function test_RevertWhen_RevealBid_OnOpenAuction() external {
        IReverseAuction.AuctionConfig memory open = openConfig();
        uint256 openTaskId = createAuction(terms, open);
        vm.expectRevert(abi.encodeWithSelector(IReverseAuction.ReverseAuction_AuctionNotSealed.selector, openTaskId));
        revealAs(human, openTaskId, terms, open, 0.6 ether);
    }

    function test_RevertWhen_RevealBid_NoCommitment() external {
        warpToBiddingEnd(config);
        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_NotCommitted.selector,
                taskId,
                human,
                IReverseAuction.BidStatus.None
            )
        );
        revealAs(human, taskId, terms, config, 0.6 ether);
    }

    function test_RevertWhen_RevealBid_Twice() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        warpToBiddingEnd(config);
        revealAs(human, taskId, terms, config, 0.6 ether);
        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_NotCommitted.selector,
                taskId,
                human,
                IReverseAuction.BidStatus.Placed
            )
        );
        revealAs(human, taskId, terms, config, 0.6 ether);
    }

    function test_RevertWhen_RevealBid_WrongPrice() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        warpToBiddingEnd(config);
        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_CommitmentMismatch.selector,
                taskId,
                human,
                commitmentOf(taskId, human, 0.6 ether, ETA, saltOf(human)),
                commitmentOf(taskId, human, 0.5 ether, ETA, saltOf(human))
            )
        );
        revealAs(human, taskId, terms, config, 0.5 ether);
    }

    function test_RevertWhen_RevealBid_WrongSalt() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        warpToBiddingEnd(config);
        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_CommitmentMismatch.selector,
                taskId,
                human,
                commitmentOf(taskId, human, 0.6 ether, ETA, saltOf(human)),
                commitmentOf(taskId, human, 0.6 ether, ETA, bytes32("other"))
            )
        );
        vm.prank(human);
        module.revealBid(taskId, terms, config, 0.6 ether, ETA, bytes32("other"), noCapabilities());
    }

    /// A copied commitment cannot be revealed with the values its author reveals: the bidder is in the preimage.
    function test_RevertWhen_RevealBid_CopiedCommitment() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        bytes32 copied = module.bidOf(taskId, human).commitment;
        vm.prank(agent);
        module.commitBid{ value: BOND + BID_BOND }(taskId, terms, config, copied, noCapabilities());
        warpToBiddingEnd(config);
        revealAs(human, taskId, terms, config, 0.6 ether);

        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_CommitmentMismatch.selector,
                taskId,
                agent,
                copied,
                commitmentOf(taskId, agent, 0.6 ether, ETA, saltOf(human))
            )
        );
        vm.prank(agent);
        module.revealBid(taskId, terms, config, 0.6 ether, ETA, saltOf(human), noCapabilities());
    }

    /// A commitment to a price above the budget matches but is not a valid bid: the reveal reverts, and the
    /// commitment stays unrevealed, to lose its bid bond at `revealEnd`.
    function test_RevertWhen_RevealBid_InvalidPriceCommitted() external {
        uint128 price = terms.reward + 1;
        bytes32 commitment = commitmentOf(taskId, human, price, ETA, saltOf(human));
        vm.prank(human);
        module.commitBid{ value: BOND + BID_BOND }(taskId, terms, config, commitment, noCapabilities());
        warpToBiddingEnd(config);

        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_InvalidPrice.selector, taskId, price, terms.reward)
        );
        revealAs(human, taskId, terms, config, price);

        warpToClose(config);
        assertBidStatus(taskId, human, IReverseAuction.BidStatus.Forfeited);
        uint256 before = human.balance;
        withdrawDepositAs(human, taskId);
        assertEq(human.balance - before, BOND, "only the claim bond back");
        assertEq(module.creditOf(poster, address(0)), BID_BOND, "bid bond to the poster");
        assertSolvent();
    }

    function test_RevertWhen_RevealBid_InvalidEtaCommitted() external {
        uint32 eta = terms.executionWindow + 1;
        bytes32 commitment = commitmentOf(taskId, human, 0.6 ether, eta, saltOf(human));
        vm.prank(human);
        module.commitBid{ value: BOND + BID_BOND }(taskId, terms, config, commitment, noCapabilities());
        warpToBiddingEnd(config);

        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_InvalidEta.selector,
                taskId,
                eta,
                terms.executionWindow
            )
        );
        vm.prank(human);
        module.revealBid(taskId, terms, config, 0.6 ether, eta, saltOf(human), noCapabilities());
    }

    /// A bidder that became ineligible between its commitment and its reveal cannot reveal.
    function test_RevertWhen_RevealBid_BidderNoLongerEligible() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        vm.prank(human);
        registry.setActive(false);
        warpToBiddingEnd(config);

        vm.expectRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_NotEligible.selector, taskId, human, Eligibility.Inactive)
        );
        revealAs(human, taskId, terms, config, 0.6 ether);
    }

    /*//////////////////////////////////////////////////////////////
                              FORFEITURE
    //////////////////////////////////////////////////////////////*/

    /// A commitment not revealed reads as forfeited from `revealEnd`; a sweep credits its bid bond to the poster, who
    /// withdraws it; the bidder takes back its claim bond.
    function test_NonRevealer_LosesItsBidBondToThePoster() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        commitAs(agent, taskId, terms, config, 0.7 ether);
        warpToBiddingEnd(config);
        revealAs(agent, taskId, terms, config, 0.7 ether);

        vm.warp(config.revealEnd - 1);
        assertBidStatus(taskId, human, IReverseAuction.BidStatus.Committed);
        warpToClose(config);
        assertBidStatus(taskId, human, IReverseAuction.BidStatus.Forfeited);
        assertEq(module.depositOf(taskId, human), BOND + BID_BOND, "bond still held until swept");
        assertSolvent();

        vm.expectEmit(address(module));
        emit IReverseAuction.BidBondForfeited(taskId, human, poster, BID_BOND);
        vm.prank(stranger);
        module.sweepForfeitedBonds(taskId);

        assertEq(module.depositOf(taskId, human), BOND, "claim bond left");
        assertEq(module.creditOf(poster, address(0)), BID_BOND, "credited to the poster");
        assertSolvent();

        uint256 humanBefore = human.balance;
        withdrawDepositAs(human, taskId);
        assertEq(human.balance - humanBefore, BOND, "claim bond returned");
        assertBidStatus(taskId, human, IReverseAuction.BidStatus.Withdrawn);

        address treasury = makeAddr("treasury");
        vm.expectEmit(address(module));
        emit IReverseAuction.CreditWithdrawn(poster, address(0), treasury, BID_BOND);
        vm.prank(poster);
        module.withdraw(address(0), treasury);
        assertEq(treasury.balance, BID_BOND, "poster withdrew the bid bond");
        assertEq(module.creditOf(poster, address(0)), 0, "credit cleared");
        assertSolvent();
    }

    /// The non-revealer's own withdrawal forfeits its bond without a sweep.
    function test_NonRevealer_WithdrawalForfeitsTheBond() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        warpToClose(config);
        uint256 before = human.balance;

        vm.expectEmit(address(module));
        emit IReverseAuction.BidBondForfeited(taskId, human, poster, BID_BOND);
        vm.expectEmit(address(module));
        emit IReverseAuction.DepositWithdrawn(taskId, human, address(0), BOND);
        withdrawDepositAs(human, taskId);

        assertEq(human.balance - before, BOND, "claim bond returned");
        assertEq(module.creditOf(poster, address(0)), BID_BOND, "bid bond credited");
        assertSolvent();
    }

    /// Finalizing credits every bond not revealed, in the token of the task.
    function test_NonRevealer_Token_FinalizeCreditsTheBonds() external {
        TaskTerms memory tokenTaskTerms = tokenTerms();
        uint256 tokenTaskId = createAuction(tokenTaskTerms, config);
        commitAs(human, tokenTaskId, tokenTaskTerms, config, 0.6 ether);
        commitAs(agent, tokenTaskId, tokenTaskTerms, config, 0.7 ether);
        commitAs(carol, tokenTaskId, tokenTaskTerms, config, 0.8 ether);
        warpToBiddingEnd(config);
        revealAs(carol, tokenTaskId, tokenTaskTerms, config, 0.8 ether);
        warpToAwardWindowEnd(config);

        finalizeAs(stranger, tokenTaskId, tokenTaskTerms, config);

        assertEq(module.winnerOf(tokenTaskId), carol, "the only revealed bid wins");
        assertEq(module.creditOf(poster, address(token)), 2 * BID_BOND, "two bonds credited");
        assertBidStatus(tokenTaskId, human, IReverseAuction.BidStatus.Forfeited);
        assertBidStatus(tokenTaskId, agent, IReverseAuction.BidStatus.Forfeited);
        assertSolvent();

        uint256 posterBefore = token.balanceOf(poster);
        vm.prank(poster);
        module.withdraw(address(token), poster);
        assertEq(token.balanceOf(poster) - posterBefore, 2 * BID_BOND, "bonds withdrawn in tokens");
        assertSolvent();
    }

    function test_RevertWhen_Sweep_BeforeRevealEnd() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        vm.warp(config.revealEnd - 1);
        vm.expectRevert(abi.encodeWithSelector(IReverseAuction.ReverseAuction_NothingToSweep.selector, taskId));
        module.sweepForfeitedBonds(taskId);
    }

    function test_RevertWhen_Sweep_Twice() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        warpToClose(config);
        module.sweepForfeitedBonds(taskId);
        vm.expectRevert(abi.encodeWithSelector(IReverseAuction.ReverseAuction_NothingToSweep.selector, taskId));
        module.sweepForfeitedBonds(taskId);
        assertEq(module.creditOf(poster, address(0)), BID_BOND, "credited once");
    }

    function test_RevertWhen_Sweep_OpenAuction() external {
        IReverseAuction.AuctionConfig memory open = openConfig();
        uint256 openTaskId = createAuction(terms, open);
        bidAs(human, openTaskId, terms, open, 0.6 ether);
        warpToClose(open);
        vm.expectRevert(abi.encodeWithSelector(IReverseAuction.ReverseAuction_NothingToSweep.selector, openTaskId));
        module.sweepForfeitedBonds(openTaskId);
    }

    function test_RevertWhen_NonRevealerWithdrawsBeforeRevealEnd() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        vm.warp(config.revealEnd - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_RevealPending.selector,
                taskId,
                human,
                config.revealEnd
            )
        );
        withdrawDepositAs(human, taskId);
    }

    /// Revealed bids keep their bid bond: a loser takes back both bonds, the winner its bid bond.
    function test_Revealers_KeepTheirBidBonds() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        commitAs(agent, taskId, terms, config, 0.7 ether);
        warpToBiddingEnd(config);
        revealAs(human, taskId, terms, config, 0.6 ether);
        revealAs(agent, taskId, terms, config, 0.7 ether);
        warpToClose(config);
        awardAs(poster, taskId, terms, config, agent);

        assertEq(module.depositOf(taskId, agent), BID_BOND, "winner's bid bond left");
        assertEq(module.depositOf(taskId, human), BOND + BID_BOND, "loser's deposit whole");
        assertSolvent();

        uint256 agentBefore = agent.balance;
        withdrawDepositAs(agent, taskId);
        assertEq(agent.balance - agentBefore, BID_BOND, "winner gets its bid bond");
        assertBidStatus(taskId, agent, IReverseAuction.BidStatus.Awarded);
        uint256 humanBefore = human.balance;
        withdrawDepositAs(human, taskId);
        assertEq(human.balance - humanBefore, BOND + BID_BOND, "loser gets both bonds");
        assertEq(module.creditOf(poster, address(0)), 0, "nothing forfeited");
        assertEq(address(module).balance, 0, "module empty");
        assertClaimedBy(taskId, agent);
        assertStatus(taskId, TaskStatus.Claimed);
    }
    /*//////////////////////////////////////////////////////////////
                      CANCELLED AUCTIONS FORFEIT NOTHING
    //////////////////////////////////////////////////////////////*/

    /// A poster that cancels its task through the market during bidding gains no bond: commitments return whole, at
    /// once.
    function test_PosterCancelsDuringBidding_CommitmentsReturnWhole() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        vm.prank(poster);
        market.cancel(taskId, terms);
        uint256 before = human.balance;

        withdrawDepositAs(human, taskId);

        assertEq(human.balance - before, BOND + BID_BOND, "whole deposit back");
        warpToClose(config);
        vm.expectRevert(abi.encodeWithSelector(IReverseAuction.ReverseAuction_NothingToSweep.selector, taskId));
        module.sweepForfeitedBonds(taskId);
        assertEq(module.creditOf(poster, address(0)), 0, "nothing credited");
        assertSolvent();
    }

    /// Cancelled after the reveal window without a sweep first: the unrevealed commitment still returns whole, and
    /// reads as committed, not forfeited.
    function test_PosterCancelsAfterRevealEndWithoutSweep_CommitmentsReturnWhole() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        warpToClose(config);
        assertBidStatus(taskId, human, IReverseAuction.BidStatus.Forfeited);
        vm.prank(poster);
        market.cancel(taskId, terms);
        assertBidStatus(taskId, human, IReverseAuction.BidStatus.Committed);
        uint256 before = human.balance;

        withdrawDepositAs(human, taskId);

        assertEq(human.balance - before, BOND + BID_BOND, "whole deposit back");
        assertEq(module.creditOf(poster, address(0)), 0, "nothing credited");
        assertSolvent();
    }

    /// A poster that sweeps before cancelling keeps the bonds it was credited.
    function test_PosterSweepsThenCancels_KeepsTheCredit() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        warpToClose(config);
        module.sweepForfeitedBonds(taskId);
        vm.prank(poster);
        market.cancel(taskId, terms);
        uint256 before = human.balance;

        withdrawDepositAs(human, taskId);

        assertEq(human.balance - before, BOND, "claim bond back");
        assertEq(module.creditOf(poster, address(0)), BID_BOND, "credit kept");
        assertSolvent();
    }

    /// An auction nobody finalized went through its reveal window live: its task expiring does not spare the bonds.
    function test_TaskExpired_NonRevealerLosesItsBond() external {
        commitAs(human, taskId, terms, config, 0.6 ether);
        warpPastClaimDeadline(terms);
        assertBidStatus(taskId, human, IReverseAuction.BidStatus.Forfeited);
        uint256 before = human.balance;

        withdrawDepositAs(human, taskId);

        assertEq(human.balance - before, BOND, "claim bond back");
        assertEq(module.creditOf(poster, address(0)), BID_BOND, "bid bond credited");
        assertSolvent();
    }

    /// A failed dependency past the reveal window: the bonds are credited before the cancellation.
    function test_CancelForFailedDependency_AfterRevealEnd_CreditsTheBonds() external {
        TaskTerms memory dependencyTerms = ethTerms();
        uint256 dependency = createTask(dependencyTerms);
        IReverseAuction.AuctionConfig memory dependent = sealedConfig();
        dependent.requirements.dependencies = new uint256[](1);
        dependent.requirements.dependencies[0] = dependency;
        uint256 dependentId = createAuction(terms, dependent);
        commitAs(human, dependentId, terms, dependent, 0.6 ether);
        warpToClose(dependent);
        vm.prank(poster);
        market.cancel(dependency, dependencyTerms);

        vm.expectEmit(address(module));
        emit IReverseAuction.BidBondForfeited(dependentId, human, poster, BID_BOND);
        module.cancelForFailedDependency(dependentId, terms, dependent, 0);

        assertEq(module.creditOf(poster, address(0)), BID_BOND, "bid bond credited");
        assertStatus(dependentId, TaskStatus.Cancelled);
        withdrawDepositAs(human, dependentId);
        assertSolvent();
    }

    /// A failed dependency during bidding: nothing is forfeited.
    function test_CancelForFailedDependency_DuringBidding_ForfeitsNothing() external {
        TaskTerms memory dependencyTerms = ethTerms();
        uint256 dependency = createTask(dependencyTerms);
        IReverseAuction.AuctionConfig memory dependent = sealedConfig();
        dependent.requirements.dependencies = new uint256[](1);
        dependent.requirements.dependencies[0] = dependency;
        uint256 dependentId = createAuction(terms, dependent);
        commitAs(human, dependentId, terms, dependent, 0.6 ether);
        vm.prank(poster);
        market.cancel(dependency, dependencyTerms);
        module.cancelForFailedDependency(dependentId, terms, dependent, 0);
        uint256 before = human.balance;

        warpToClose(dependent);
        withdrawDepositAs(human, dependentId);

        assertEq(human.balance - before, BOND + BID_BOND, "whole deposit back");
        assertEq(module.creditOf(poster, address(0)), 0, "nothing credited");
        assertSolvent();
    }
}
