// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IReverseAuction } from "../../../../../contracts/interfaces/assignment/IReverseAuction.sol";
import { Eligibility } from "../../../../../contracts/interfaces/IExecutorRegistry.sol";
import { Errors } from "../../../../../contracts/libraries/Errors.sol";
import { ExecutorKind, TaskStatus, TaskTerms } from "../../../../../contracts/types/TaskTypes.sol";
import { FeeOnTransferERC20 } from "../../../utils/TestTokens.sol";
import { ReverseAuction_Test } from "./ReverseAuctionBase.sol";

/// @notice Open bids: what a bid records and deposits, how a bidder lowers its bid, and every reason a bid is
/// refused (the schedule, the price and ETA, the bidder, the deposit, the cap).
contract ReverseAuction_Bid_Unit_Test is ReverseAuction_Test {
    IReverseAuction.AuctionConfig internal config;
    TaskTerms internal terms;
    uint256 internal taskId;

    function setUp() public override {
        super.setUp();
        config = openConfig();
        terms = ethTerms();
        taskId = createAuction(terms, config);
    }

    /*//////////////////////////////////////////////////////////////
                              SUCCESS
    //////////////////////////////////////////////////////////////*/

    function test_Bid_RecordsTheBidAndTakesTheClaimBond() external {
        uint256 bidderBefore = human.balance;

        vm.expectEmit(address(module));
        emit IReverseAuction.BidPlaced(taskId, human, 0.6 ether, ETA, 0, BOND);
        bidAs(human, taskId, terms, config, 0.6 ether);

        IReverseAuction.Bid memory entry = module.bidOf(taskId, human);
        assertEq(entry.bidder, human, "bidder");
        assertEq(entry.status, IReverseAuction.BidStatus.Placed, "status");
        assertEq(entry.price, 0.6 ether, "price");
        assertEq(entry.eta, ETA, "eta");
        assertEq(entry.sequence, 0, "sequence");
        assertEq(entry.deposit, BOND, "deposit");
        assertEq(entry.commitment, bytes32(0), "commitment");
        assertEq(module.depositOf(taskId, human), BOND, "depositOf");
        assertEq(bidderBefore - human.balance, BOND, "bidder paid the claim bond");
        assertEq(address(module).balance, BOND, "module holds it");

        IReverseAuction.Auction memory auction = module.auctionOf(taskId);
        assertEq(auction.poster, poster, "auction poster");
        assertEq(auction.token, address(0), "auction token");
        assertEq(auction.bidCount, 1, "bid count");
        assertEq(auction.revealEnd, 0, "open");
        assertEq(auction.winner, address(0), "no winner yet");
        assertSolvent();
    }

    function test_Bid_Token_PullsTheClaimBond() external {
        TaskTerms memory tokenTaskTerms = tokenTerms();
        uint256 tokenTaskId = createAuction(tokenTaskTerms, config);
        uint256 bidderBefore = token.balanceOf(human);

        bidAs(human, tokenTaskId, tokenTaskTerms, config, 0.6 ether);

        assertEq(bidderBefore - token.balanceOf(human), BOND, "bidder paid the claim bond in tokens");
        assertEq(token.balanceOf(address(module)), BOND, "module holds it");
        assertEq(module.auctionOf(tokenTaskId).token, address(token), "auction token");
        assertSolvent();
    }

    function test_Bid_AtTheWholeBudget() external {
        bidAs(human, taskId, terms, config, terms.reward);
        assertEq(module.bidOf(taskId, human).price, terms.reward, "price");
    }

    function test_Bid_AtTheLastSecond() external {
        vm.warp(config.biddingEnd - 1);
        bidAs(human, taskId, terms, config, 0.6 ether);
        assertBidStatus(taskId, human, IReverseAuction.BidStatus.Placed);
    }

    function test_Bid_EtaUpToTheExecutionWindow() external {
        bidAs(human, taskId, terms, config, 0.6 ether, terms.executionWindow);
        assertEq(module.bidOf(taskId, human).eta, terms.executionWindow, "eta");
    }

    /// Bidding again lowers the price without a new deposit, and takes a new place in the tie-break.
    function test_Bid_LowerPriceAgain() external {
        bidAs(human, taskId, terms, config, 0.6 ether);
        bidAs(agent, taskId, terms, config, 0.7 ether);
        uint256 moduleBefore = address(module).balance;

        vm.expectEmit(address(module));
        emit IReverseAuction.BidPlaced(taskId, human, 0.5 ether, 1 days, 2, 0);
        bidAs(human, taskId, terms, config, 0.5 ether, 1 days);

        IReverseAuction.Bid memory entry = module.bidOf(taskId, human);
        assertEq(entry.price, 0.5 ether, "price lowered");
        assertEq(entry.eta, 1 days, "eta updated");
        assertEq(entry.sequence, 2, "new place");
        assertEq(entry.deposit, BOND, "deposit unchanged");
        assertEq(address(module).balance, moduleBefore, "no new deposit");
        assertEq(module.auctionOf(taskId).bidCount, 2, "still two bidders");
        assertSolvent();
    }

    /// Changing only the ETA keeps the bid's place: its price has stood since then.
    function test_Bid_SamePriceNewEtaKeepsItsPlace() external {
        bidAs(human, taskId, terms, config, 0.6 ether);
        bidAs(agent, taskId, terms, config, 0.6 ether);
        bidAs(human, taskId, terms, config, 0.6 ether, 1 hours);

        IReverseAuction.Bid memory entry = module.bidOf(taskId, human);
        assertEq(entry.eta, 1 hours, "eta updated");
        assertEq(entry.sequence, 0, "place kept");
        assertEq(module.auctionOf(taskId).nextSequence, 2, "no sequence used");
    }

    /// A bid at the cap's last slot is accepted; a bidder already in may still lower its price at the cap.
    function test_Bid_UpToTheCap() external {
        for (uint256 i = 0; i < MAX_BIDS; ++i) {
            bidAs(newBidder(string.concat("bidder", vm.toString(i))), taskId, terms, config, 0.9 ether);
        }
        assertEq(module.auctionOf(taskId).bidCount, MAX_BIDS, "full");
        assertEq(module.bidsOf(taskId).length, MAX_BIDS, "bidsOf is bounded by the cap");

        address first = module.bidsOf(taskId)[0].bidder;
        bidAs(first, taskId, terms, config, 0.8 ether);
        assertEq(module.bidOf(taskId, first).price, 0.8 ether, "updated at the cap");
        assertSolvent();
    }

    /*//////////////////////////////////////////////////////////////
                               SCHEDULE
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_Bid_AtBiddingEnd() external {
        warpToBiddingEnd(config);
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_BiddingClosed.selector, taskId, config.biddingEnd)
        );
        vm.prank(human);
        module.bid{ value: BOND }(taskId, terms, config, 0.6 ether, ETA, noCapabilities());
    }

    function test_RevertWhen_Bid_AfterClose() external {
        warpToAwardWindowEnd(config);
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_BiddingClosed.selector, taskId, config.biddingEnd)
        );
        vm.prank(human);
        module.bid{ value: BOND }(taskId, terms, config, 0.6 ether, ETA, noCapabilities());
    }

    function test_RevertWhen_Bid_UpdateAfterClose() external {
        bidAs(human, taskId, terms, config, 0.6 ether);
        warpToBiddingEnd(config);
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_BiddingClosed.selector, taskId, config.biddingEnd)
        );
        vm.prank(human);
        module.bid(taskId, terms, config, 0.5 ether, ETA, noCapabilities());
    }

    function test_RevertWhen_Bid_TaskCancelledByPoster() external {
        vm.prank(poster);
        market.cancel(taskId, terms);

        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_TaskNotOpen.selector, taskId, TaskStatus.Cancelled)
        );
        vm.prank(human);
        module.bid{ value: BOND }(taskId, terms, config, 0.6 ether, ETA, noCapabilities());
    }

    function test_RevertWhen_Bid_OnSealedAuction() external {
        IReverseAuction.AuctionConfig memory sealedAuction = sealedConfig();
        uint256 sealedTaskId = createAuction(terms, sealedAuction);

        vm.expectRevert(abi.encodeWithSelector(IReverseAuction.ReverseAuction_AuctionSealed.selector, sealedTaskId));
        vm.prank(human);
        module.bid{ value: BOND }(sealedTaskId, terms, sealedAuction, 0.6 ether, ETA, noCapabilities());
    }

    /*//////////////////////////////////////////////////////////////
                             PRICE AND ETA
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_Bid_PriceZero() external {
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_InvalidPrice.selector, taskId, 0, terms.reward)
        );
        vm.prank(human);
        module.bid{ value: BOND }(taskId, terms, config, 0, ETA, noCapabilities());
    }

    function test_RevertWhen_Bid_PriceAboveBudget() external {
        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_InvalidPrice.selector,
                taskId,
                terms.reward + 1,
                terms.reward
            )
        );
        vm.prank(human);
        module.bid{ value: BOND }(taskId, terms, config, terms.reward + 1, ETA, noCapabilities());
    }

    function test_RevertWhen_Bid_PriceRaised() external {
        bidAs(human, taskId, terms, config, 0.6 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_PriceRaised.selector, taskId, 0.6 ether, 0.7 ether)
        );
        vm.prank(human);
        module.bid(taskId, terms, config, 0.7 ether, ETA, noCapabilities());
    }

    function test_RevertWhen_Bid_EtaZero() external {
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_InvalidEta.selector, taskId, 0, terms.executionWindow)
        );
        vm.prank(human);
        module.bid{ value: BOND }(taskId, terms, config, 0.6 ether, 0, noCapabilities());
    }

    function test_RevertWhen_Bid_EtaBeyondTheExecutionWindow() external {
        uint32 eta = terms.executionWindow + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_InvalidEta.selector,
                taskId,
                eta,
                terms.executionWindow
            )
        );
        vm.prank(human);
        module.bid{ value: BOND }(taskId, terms, config, 0.6 ether, eta, noCapabilities());
    }

    /*//////////////////////////////////////////////////////////////
                                BIDDER
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_Bid_ByThePoster() external {
        registerExecutor(poster, ExecutorKind.Human, noCapabilities());
        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_CandidateIsParty.selector, taskId, poster));
        vm.prank(poster);
        module.bid{ value: BOND }(taskId, terms, config, 0.6 ether, ETA, noCapabilities());
    }

    function test_RevertWhen_Bid_ByTheVerifier() external {
        TaskTerms memory delegated = delegatedTerms(address(0));
        uint256 delegatedTaskId = createAuction(delegated, config);
        registerExecutor(reviewer, ExecutorKind.Human, noCapabilities());

        vm.expectRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_CandidateIsParty.selector, delegatedTaskId, reviewer)
        );
        vm.prank(reviewer);
        module.bid{ value: BOND }(delegatedTaskId, delegated, config, 0.6 ether, ETA, noCapabilities());
    }

    function test_RevertWhen_Bid_NotRegistered() external {
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_NotEligible.selector,
                taskId,
                stranger,
                Eligibility.NotRegistered
            )
        );
        vm.prank(stranger);
        module.bid{ value: BOND }(taskId, terms, config, 0.6 ether, ETA, noCapabilities());
    }

    function test_RevertWhen_Bid_Inactive() external {
        vm.prank(human);
        registry.setActive(false);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_NotEligible.selector, taskId, human, Eligibility.Inactive)
        );
        vm.prank(human);
        module.bid{ value: BOND }(taskId, terms, config, 0.6 ether, ETA, noCapabilities());
    }

    function test_RevertWhen_Bid_MissingCapability() external {
        bytes32[] memory capabilities = sortedCapabilities();
        TaskTerms memory capableTerms = ethTerms();
        capableTerms.capabilitiesHash = hashCapabilities(capabilities);
        uint256 capableTaskId = createAuction(capableTerms, config, capabilities);
        address novice = makeAddr("novice");
        fund(novice, 10 ether);
        registerExecutor(novice, ExecutorKind.Human, noCapabilities());

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_NotEligible.selector,
                capableTaskId,
                novice,
                Eligibility.MissingCapability
            )
        );
        vm.prank(novice);
        module.bid{ value: BOND }(capableTaskId, capableTerms, config, 0.6 ether, ETA, capabilities);

        // Those who have them bid.
        vm.prank(human);
        module.bid{ value: BOND }(capableTaskId, capableTerms, config, 0.6 ether, ETA, capabilities);
    }

    /// The capability list must be the task's: an empty one would let a bidder lacking them through.
    function test_RevertWhen_Bid_CapabilitiesNotTheTasks() external {
        bytes32[] memory capabilities = sortedCapabilities();
        TaskTerms memory capableTerms = ethTerms();
        capableTerms.capabilitiesHash = hashCapabilities(capabilities);
        uint256 capableTaskId = createAuction(capableTerms, config, capabilities);

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_CapabilitiesMismatch.selector,
                capableTaskId,
                capableTerms.capabilitiesHash,
                hashCapabilities(noCapabilities())
            )
        );
        vm.prank(human);
        module.bid{ value: BOND }(capableTaskId, capableTerms, config, 0.6 ether, ETA, noCapabilities());
    }

    function test_RevertWhen_Bid_KindMismatch() external {
        TaskTerms memory humanOnly = ethTerms();
        humanOnly.executorKind = ExecutorKind.Human;
        uint256 humanTaskId = createAuction(humanOnly, config);

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_NotEligible.selector,
                humanTaskId,
                agent,
                Eligibility.KindMismatch
            )
        );
        vm.prank(agent);
        module.bid{ value: BOND }(humanTaskId, humanOnly, config, 0.6 ether, ETA, noCapabilities());
    }

    function test_RevertWhen_Bid_GateNotMet() external {
        IReverseAuction.AuctionConfig memory gated = openConfig();
        gated.requirements.minCompleted = 1;
        uint256 gatedTaskId = createAuction(terms, gated);

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_GateNotMet.selector, gatedTaskId, human));
        vm.prank(human);
        module.bid{ value: BOND }(gatedTaskId, terms, gated, 0.6 ether, ETA, noCapabilities());

        giveCompleted(human, 1);
        vm.prank(human);
        module.bid{ value: BOND }(gatedTaskId, terms, gated, 0.6 ether, ETA, noCapabilities());
        assertBidStatus(gatedTaskId, human, IReverseAuction.BidStatus.Placed);
    }

    /// The market refuses an agent operated by the poster; so does the auction, at once.
    function test_RevertWhen_Bid_AgentOperatedByThePoster() external {
        address puppet = makeAddr("puppet");
        fund(puppet, 10 ether);
        vm.prank(puppet);
        registry.register(ExecutorKind.Agent, poster, noCapabilities(), "ipfs://puppet");

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_CandidateIsParty.selector, taskId, puppet));
        vm.prank(puppet);
        module.bid{ value: BOND }(taskId, terms, config, 0.6 ether, ETA, noCapabilities());
    }

    /*//////////////////////////////////////////////////////////////
                                DEPOSIT
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_Bid_DepositMissing() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_IncorrectPayment.selector, BOND, 0));
        vm.prank(human);
        module.bid(taskId, terms, config, 0.6 ether, ETA, noCapabilities());
    }

    function test_RevertWhen_Bid_UpdateSendsADeposit() external {
        bidAs(human, taskId, terms, config, 0.6 ether);
        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_IncorrectPayment.selector, 0, BOND));
        vm.prank(human);
        module.bid{ value: BOND }(taskId, terms, config, 0.5 ether, ETA, noCapabilities());
    }

    function test_RevertWhen_Bid_TokenAuctionSendsEth() external {
        TaskTerms memory tokenTaskTerms = tokenTerms();
        uint256 tokenTaskId = createAuction(tokenTaskTerms, config);
        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_IncorrectPayment.selector, 0, 1));
        vm.prank(human);
        module.bid{ value: 1 }(tokenTaskId, tokenTaskTerms, config, 0.6 ether, ETA, noCapabilities());
    }

    /// A token that delivers less than it was asked to is refused: the module would owe more than it holds.
    function test_RevertWhen_Bid_FeeOnTransferToken() external {
        FeeOnTransferERC20 feeToken = new FeeOnTransferERC20();
        feeToken.mint(poster, 10 ether);
        feeToken.mint(human, 10 ether);
        vm.prank(poster);
        feeToken.approve(address(market), type(uint256).max);
        vm.prank(human);
        feeToken.approve(address(module), type(uint256).max);
        feeToken.setFeeOn(false);
        TaskTerms memory feeTerms = defaultTerms(address(feeToken));
        uint256 feeTaskId = createAuction(feeTerms, config);
        feeToken.setFeeOn(true);

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_TokenTransferShortfall.selector,
                address(feeToken),
                BOND,
                BOND - BOND / 100
            )
        );
        vm.prank(human);
        module.bid(feeTaskId, feeTerms, config, 0.6 ether, ETA, noCapabilities());
    }

    /*//////////////////////////////////////////////////////////////
                                  CAP
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_Bid_CapReached() external {
        for (uint256 i = 0; i < MAX_BIDS; ++i) {
            bidAs(newBidder(string.concat("bidder", vm.toString(i))), taskId, terms, config, 0.9 ether);
        }
        vm.expectRevert(abi.encodeWithSelector(IReverseAuction.ReverseAuction_TooManyBids.selector, taskId, MAX_BIDS));
        vm.prank(human);
        module.bid{ value: BOND }(taskId, terms, config, 0.1 ether, ETA, noCapabilities());
    }
}
