// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ReverseAuction } from "../../../../../contracts/assignment/ReverseAuction.sol";
import { IReverseAuction } from "../../../../../contracts/interfaces/assignment/IReverseAuction.sol";
import { Requirements } from "../../../../../contracts/types/AssignmentTypes.sol";
import {
    ExecutorKind,
    ExecutorRecord,
    TaskOptions,
    TaskStatus,
    TaskTerms
} from "../../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../../Base.t.sol";

/// @notice Deploys a `ReverseAuction` on the market of `Base_Test`, and offers helpers to post auctioned tasks, bid,
/// commit and reveal, move through the auction's schedule, build executors' records by running real tasks through the
/// market, and check that the module holds exactly what it owes.
/// @dev `poster` posts. `human` and `agent` (registered by `Base_Test`) and the bidders of {newBidder} bid. Every
/// funded account has allowed the module, as well as the market, to pull its tokens. Auctioned tasks require no
/// capability unless a test says otherwise.
abstract contract ReverseAuction_Test is Base_Test {
    /// @dev The module's constants, restated so that a change to them is noticed.
    uint256 internal constant MAX_BIDS = 32;
    uint256 internal constant MAX_DEPENDENCIES = 8;

    uint128 internal constant BID_BOND = 0.05 ether;
    uint40 internal constant BIDDING_PERIOD = 1 days;
    uint40 internal constant REVEAL_PERIOD = 1 days;
    uint32 internal constant AWARD_WINDOW = 1 days;
    uint16 internal constant PRICE_WEIGHT_BPS = 5_000;
    uint32 internal constant ETA = 2 days;

    ReverseAuction internal module;

    address internal carol;
    address internal dave;

    /// @dev Every auctioned task created through {createAuction}, and every account that may hold a credit in the
    /// module: what {owedBy} sums.
    uint256[] internal auctionIds;
    address[] internal creditors;

    function setUp() public virtual override {
        super.setUp();
        module = new ReverseAuction(market);

        address[5] memory funded = [poster, human, agent, stranger, reviewer];
        for (uint256 i = 0; i < funded.length; ++i) {
            approveModule(funded[i]);
        }
        carol = newBidder("carol");
        dave = newBidder("dave");
        creditors.push(poster);

        vm.label(address(module), "ReverseAuction");
    }

    /*//////////////////////////////////////////////////////////////
                            CONFIGURATIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev No gate and no dependency.
    function openRequirements() internal pure returns (Requirements memory requirements) {
        requirements.maxDisputesLostBps = uint16(BPS);
    }

    /// @dev Open bids until `BIDDING_PERIOD` from now, then `AWARD_WINDOW` for the poster.
    function openConfig() internal view returns (IReverseAuction.AuctionConfig memory config) {
        config.requirements = openRequirements();
        config.biddingEnd = uint40(block.timestamp) + BIDDING_PERIOD;
        config.priceWeightBps = PRICE_WEIGHT_BPS;
        config.awardWindow = AWARD_WINDOW;
    }

    /// @dev Sealed bids until `BIDDING_PERIOD` from now, revealed for `REVEAL_PERIOD`, with a `BID_BOND`.
    function sealedConfig() internal view returns (IReverseAuction.AuctionConfig memory config) {
        config = openConfig();
        config.revealEnd = config.biddingEnd + REVEAL_PERIOD;
        config.bidBond = BID_BOND;
    }

    function hashOf(IReverseAuction.AuctionConfig memory config) internal pure returns (bytes32) {
        return keccak256(abi.encode(config));
    }

    /// @dev When the auction closes: the end of bidding for open bids, of the reveal window for sealed ones.
    function closeOf(IReverseAuction.AuctionConfig memory config) internal pure returns (uint256) {
        return config.revealEnd == 0 ? config.biddingEnd : config.revealEnd;
    }

    function awardWindowEndOf(IReverseAuction.AuctionConfig memory config) internal pure returns (uint256) {
        return closeOf(config) + config.awardWindow;
    }

    /*//////////////////////////////////////////////////////////////
                                 TASKS
    //////////////////////////////////////////////////////////////*/

    /// @dev Posts a task of `terms` given out by the module under `config`.
    function createAuction(
        TaskTerms memory terms,
        IReverseAuction.AuctionConfig memory config
    ) internal returns (uint256 taskId) {
        taskId = createAuction(terms, config, noCapabilities());
    }

    function createAuction(
        TaskTerms memory terms,
        IReverseAuction.AuctionConfig memory config,
        bytes32[] memory capabilities
    ) internal returns (uint256 taskId) {
        TaskOptions memory options = TaskOptions({
            assigner: address(module),
            subtaskBudget: 0,
            assignerConfigHash: hashOf(config)
        });
        uint256 value = terms.token == address(0) ? uint256(terms.reward) + terms.verifierFee : 0;
        vm.prank(terms.poster);
        taskId = market.createTaskWithOptions{ value: value }(terms, options, capabilities, DOCUMENT_URI);
        auctionIds.push(taskId);
    }

    /*//////////////////////////////////////////////////////////////
                                BIDDERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Lets the module pull `account`'s tokens, as bidding in an ERC-20 auction needs.
    function approveModule(address account) internal {
        vm.prank(account);
        token.approve(address(module), type(uint256).max);
    }

    /// @dev A funded human executor with both test capabilities, which allowed the market and the module.
    function newBidder(string memory name) internal returns (address bidder) {
        bidder = makeAddr(name);
        fund(bidder, 1_000 ether);
        approveModule(bidder);
        registerExecutor(bidder, ExecutorKind.Human, sortedCapabilities());
    }

    /// @dev The deposit a first bid or commitment sends as ETH (zero for an ERC-20 task, or an update).
    function depositValue(
        uint256 taskId,
        TaskTerms memory terms,
        IReverseAuction.AuctionConfig memory config,
        address bidder
    ) internal view returns (uint256) {
        if (terms.token != address(0)) return 0;
        if (module.bidOf(taskId, bidder).status != IReverseAuction.BidStatus.None) return 0;
        return uint256(terms.claimBond) + config.bidBond;
    }

    function bidAs(
        address bidder,
        uint256 taskId,
        TaskTerms memory terms,
        IReverseAuction.AuctionConfig memory config,
        uint128 price
    ) internal {
        bidAs(bidder, taskId, terms, config, price, ETA);
    }

    function bidAs(
        address bidder,
        uint256 taskId,
        TaskTerms memory terms,
        IReverseAuction.AuctionConfig memory config,
        uint128 price,
        uint32 eta
    ) internal {
        uint256 value = depositValue(taskId, terms, config, bidder);
        vm.prank(bidder);
        module.bid{ value: value }(taskId, terms, config, price, eta, noCapabilities());
    }

    /// @dev The salt each bidder uses in these tests.
    function saltOf(address bidder) internal pure returns (bytes32) {
        return keccak256(abi.encode("salt", bidder));
    }

    /// @dev The commitment as the module must compute it, restated independently.
    function commitmentOf(
        uint256 taskId,
        address bidder,
        uint128 price,
        uint32 eta,
        bytes32 salt
    ) internal view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(module), taskId, bidder, price, eta, salt));
    }

    function commitAs(
        address bidder,
        uint256 taskId,
        TaskTerms memory terms,
        IReverseAuction.AuctionConfig memory config,
        uint128 price
    ) internal {
        uint256 value = depositValue(taskId, terms, config, bidder);
        bytes32 commitment = commitmentOf(taskId, bidder, price, ETA, saltOf(bidder));
        vm.prank(bidder);
        module.commitBid{ value: value }(taskId, terms, config, commitment, noCapabilities());
    }

    function revealAs(
        address bidder,
        uint256 taskId,
        TaskTerms memory terms,
        IReverseAuction.AuctionConfig memory config,
        uint128 price
    ) internal {
        vm.prank(bidder);
        module.revealBid(taskId, terms, config, price, ETA, saltOf(bidder), noCapabilities());
    }

    function awardAs(
        address caller,
        uint256 taskId,
        TaskTerms memory terms,
        IReverseAuction.AuctionConfig memory config,
        address bidder
    ) internal {
        vm.prank(caller);
        module.award(taskId, terms, config, bidder, noCapabilities());
    }

    function finalizeAs(
        address caller,
        uint256 taskId,
        TaskTerms memory terms,
        IReverseAuction.AuctionConfig memory config
    ) internal {
        vm.prank(caller);
        module.finalize(taskId, terms, config, noCapabilities());
    }

    function withdrawDepositAs(address bidder, uint256 taskId) internal {
        vm.prank(bidder);
        module.withdrawDeposit(taskId);
    }

    /*//////////////////////////////////////////////////////////////
                                SCHEDULE
    //////////////////////////////////////////////////////////////*/

    function warpToBiddingEnd(IReverseAuction.AuctionConfig memory config) internal {
        vm.warp(config.biddingEnd);
    }

    function warpToClose(IReverseAuction.AuctionConfig memory config) internal {
        vm.warp(closeOf(config));
    }

    function warpToAwardWindowEnd(IReverseAuction.AuctionConfig memory config) internal {
        vm.warp(awardWindowEndOf(config));
    }

    /*//////////////////////////////////////////////////////////////
                        RECORDS FROM REAL TASKS
    //////////////////////////////////////////////////////////////*/

    /// @dev Runs `count` plain ETH tasks that `executor` claims and the poster approves: `completed` grows by one each.
    function giveCompleted(address executor, uint256 count) internal {
        TaskTerms memory terms = ethTerms();
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = createTask(terms);
            claimTask(taskId, terms, executor);
            submitWork(taskId, terms, executor);
            approveTask(taskId, terms);
        }
    }

    /// @dev `executor` claims `expired` tasks and lets them lapse, and claims `rejected` more that the poster rejects
    /// before they lapse; the poster then cancels them all, which clears the lapsed claims into the record. Moves the
    /// clock past one execution window.
    function giveLapses(address executor, uint256 expired, uint256 rejected) internal {
        TaskTerms memory terms = ethTerms();
        uint256[] memory taskIds = new uint256[](expired + rejected);
        for (uint256 i = 0; i < taskIds.length; ++i) {
            taskIds[i] = createTask(terms);
            claimTask(taskIds[i], terms, executor);
            if (i >= expired) {
                submitWork(taskIds[i], terms, executor);
                rejectTask(taskIds[i], terms);
            }
        }
        if (taskIds.length == 0) return;
        vm.warp(block.timestamp + terms.executionWindow + 1);
        for (uint256 i = 0; i < taskIds.length; ++i) {
            vm.prank(poster);
            market.cancel(taskIds[i], terms);
        }
    }

    /// @dev `executor` executes `count` tasks whose delegated verifier holds the submission and resolves it with
    /// nothing for the executor: `disputesLost` grows by one each, `completed` does not.
    function giveDisputesLost(address executor, uint256 count) internal {
        TaskTerms memory terms = delegatedTerms(address(0));
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = createTask(terms);
            claimTask(taskId, terms, executor);
            submitWork(taskId, terms, executor);
            holdTask(taskId, terms, uint40(block.timestamp + 1 days), 0);
            resolveTask(taskId, terms, 0);
        }
    }

    /// @dev Gives `executor` a record through real tasks. Moves the clock if there are lapses.
    function giveRecord(
        address executor,
        uint256 completed,
        uint256 expired,
        uint256 rejected,
        uint256 disputesLost
    ) internal {
        giveCompleted(executor, completed);
        giveDisputesLost(executor, disputesLost);
        giveLapses(executor, expired, rejected);
        ExecutorRecord memory record = market.executorRecordOf(executor);
        assertGe(record.completed, completed, "record: completed");
        assertGe(record.disputesLost, disputesLost, "record: disputesLost");
    }

    /*//////////////////////////////////////////////////////////////
                          REFERENCE AUTOMATIC RULE
    //////////////////////////////////////////////////////////////*/

    /// @dev The published reputation, computed here from the market's record.
    function referenceReputation(address executor) internal view returns (uint256) {
        ExecutorRecord memory record = market.executorRecordOf(executor);
        uint256 outcomes = uint256(record.completed) + record.expired + record.rejected + record.disputesLost;
        if (outcomes == 0) return 0;
        return (uint256(record.completed) * 10_000) / outcomes;
    }

    /// @dev The published score of a bid.
    function referenceScore(
        address executor,
        uint256 price,
        uint256 budget,
        uint256 priceWeightBps
    ) internal view returns (uint256) {
        uint256 priceBps = ((budget - price) * 10_000) / budget;
        return priceWeightBps * priceBps + (10_000 - priceWeightBps) * referenceReputation(executor);
    }

    /*//////////////////////////////////////////////////////////////
                               ACCOUNTING
    //////////////////////////////////////////////////////////////*/

    /// @dev What the module owes in `asset` (`address(0)` for ETH): the deposits of every bid of every auction created
    /// here, and the credits of every known creditor.
    function owedBy(address asset) internal view returns (uint256 owed) {
        for (uint256 i = 0; i < auctionIds.length; ++i) {
            uint256 taskId = auctionIds[i];
            if (module.auctionOf(taskId).token != asset) continue;
            IReverseAuction.Bid[] memory bids = module.bidsOf(taskId);
            for (uint256 j = 0; j < bids.length; ++j) {
                owed += bids[j].deposit;
            }
        }
        for (uint256 i = 0; i < creditors.length; ++i) {
            owed += module.creditOf(creditors[i], asset);
        }
    }

    /// @dev The module's balance of ETH and of the test token equals what it owes in each.
    function assertSolvent() internal view {
        assertEq(address(module).balance, owedBy(address(0)), "Invariant violation: module ETH != owed");
        assertEq(token.balanceOf(address(module)), owedBy(address(token)), "Invariant violation: module token != owed");
    }

    /*//////////////////////////////////////////////////////////////
                               ASSERTIONS
    //////////////////////////////////////////////////////////////*/

    function assertEq(
        IReverseAuction.BidStatus actual,
        IReverseAuction.BidStatus expected,
        string memory message
    ) internal pure {
        assertEq(uint256(actual), uint256(expected), message);
    }

    function assertEq(
        IReverseAuction.AuctionPhase actual,
        IReverseAuction.AuctionPhase expected,
        string memory message
    ) internal pure {
        assertEq(uint256(actual), uint256(expected), message);
    }

    function assertBidStatus(uint256 taskId, address bidder, IReverseAuction.BidStatus expected) internal view {
        assertEq(module.bidOf(taskId, bidder).status, expected, "bid status");
    }

    function assertPhase(
        uint256 taskId,
        IReverseAuction.AuctionConfig memory config,
        IReverseAuction.AuctionPhase expected
    ) internal view {
        assertEq(module.phaseOf(taskId, config), expected, "auction phase");
    }

    /// @dev Asserts the market's status and the executor holding the claim.
    function assertClaimedBy(uint256 taskId, address executor) internal view {
        assertStatus(taskId, TaskStatus.Claimed);
        assertEq(market.stateOf(taskId).executor, executor, "executor");
    }
}
