// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IAssignmentModule } from "../../../../../contracts/interfaces/assignment/IAssignmentModule.sol";
import { IReverseAuction } from "../../../../../contracts/interfaces/assignment/IReverseAuction.sol";
import { Eligibility } from "../../../../../contracts/interfaces/IExecutorRegistry.sol";
import { ITaskMarket } from "../../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../../contracts/libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../../../../../contracts/types/TaskTypes.sol";
import { ReverseAuction_Test } from "./ReverseAuctionBase.sol";

/// @notice The poster's award: who may award what and when, the refund of the unused budget and where every wei goes,
/// dependencies, and the re-award of a task whose winner let its claim lapse.
contract ReverseAuction_Award_Unit_Test is ReverseAuction_Test {
    IReverseAuction.AuctionConfig internal config;
    TaskTerms internal terms;
    uint256 internal taskId;

    /// @dev Balances of one asset across everyone an award touches.
    struct Balances {
        uint256 poster;
        uint256 human;
        uint256 agent;
        uint256 carol;
        uint256 module;
        uint256 market;
    }

    function setUp() public override {
        super.setUp();
        config = openConfig();
        terms = ethTerms();
        taskId = createAuction(terms, config);
    }

    function balancesOf(address asset) private view returns (Balances memory) {
        return
            Balances({
                poster: balanceOf(asset, poster),
                human: balanceOf(asset, human),
                agent: balanceOf(asset, agent),
                carol: balanceOf(asset, carol),
                module: balanceOf(asset, address(module)),
                market: balanceOf(asset, address(market))
            });
    }

    /// @dev human 0.6, agent 0.8, carol 0.7: three bids on `auctionId`; then the auction closes.
    function threeBids(uint256 auctionId, TaskTerms memory auctionTerms) private {
        bidAs(human, auctionId, auctionTerms, config, 0.6 ether);
        bidAs(agent, auctionId, auctionTerms, config, 0.8 ether);
        bidAs(carol, auctionId, auctionTerms, config, 0.7 ether);
        warpToClose(config);
    }

    /*//////////////////////////////////////////////////////////////
                          AWARD AND BALANCES
    //////////////////////////////////////////////////////////////*/

    /// The poster may pick any valid bid, not only the cheapest. The unused budget returns to it at once, the winner's
    /// claim bond moves from the module into the market, and the losers' deposits stay withdrawable.
    function test_Award_RefundsTheUnusedBudget() external {
        awardAndCheckBalances(taskId, terms);
    }

    function test_Award_Token_RefundsTheUnusedBudget() external {
        TaskTerms memory tokenTaskTerms = tokenTerms();
        uint256 tokenTaskId = createAuction(tokenTaskTerms, config);
        awardAndCheckBalances(tokenTaskId, tokenTaskTerms);
    }

    function awardAndCheckBalances(uint256 auctionId, TaskTerms memory auctionTerms) private {
        address asset = auctionTerms.token;
        threeBids(auctionId, auctionTerms);
        Balances memory before = balancesOf(asset);
        assertEq(before.module, 3 * BOND, "module holds three deposits");
        assertEq(before.market, REWARD, "market holds the budget");

        vm.expectEmit(address(module));
        emit IReverseAuction.AuctionAwarded(auctionId, agent, 0.8 ether, false, 0);
        vm.expectEmit(address(market));
        emit ITaskMarket.RewardLowered(auctionId, poster, 0.8 ether, 0.2 ether);
        awardAs(poster, auctionId, auctionTerms, config, agent);

        Balances memory afterAward = balancesOf(asset);
        assertEq(afterAward.poster - before.poster, 0.2 ether, "poster: unused budget refunded");
        assertEq(afterAward.agent, before.agent, "winner: its deposit became the claim bond");
        assertEq(afterAward.human, before.human, "loser: unchanged");
        assertEq(afterAward.carol, before.carol, "loser: unchanged");
        assertEq(afterAward.module, 2 * BOND, "module: the losers' deposits");
        assertEq(afterAward.market, 0.8 ether + BOND, "market: the price and the claim bond");
        assertClaimedBy(auctionId, agent);
        assertEq(market.fundingOf(auctionId).released, 0.2 ether, "released");
        assertEq(module.winnerOf(auctionId), agent, "winnerOf");
        assertBidStatus(auctionId, agent, IReverseAuction.BidStatus.Awarded);
        assertEq(module.depositOf(auctionId, agent), 0, "winner's deposit spent");
        assertSolvent();

        // Losers take their deposits back.
        withdrawDepositAs(human, auctionId);
        withdrawDepositAs(carol, auctionId);
        assertEq(balanceOf(asset, human), before.human + BOND, "loser refunded");
        assertEq(balanceOf(asset, carol), before.carol + BOND, "loser refunded");
        assertEq(balanceOf(asset, address(module)), 0, "module empty");

        // The task pays the price from then on.
        submitWork(auctionId, auctionTerms, agent);
        approveTask(auctionId, auctionTerms);
        assertEq(
            balanceOf(asset, agent),
            before.agent + payoutOf(0.8 ether, FEE_BPS) + BOND,
            "winner paid its price net of the fee, and its bond back"
        );
        assertEq(balanceOf(asset, address(market)), feeOf(0.8 ether, FEE_BPS), "market keeps the fee only");
        assertEq(balanceOf(asset, poster), before.poster + 0.2 ether, "poster paid the price only");
        assertSolvent();
    }

    /// A bid of the whole budget refunds nothing.
    function test_Award_AtTheWholeBudget() external {
        bidAs(human, taskId, terms, config, terms.reward);
        warpToClose(config);
        uint256 posterBefore = poster.balance;

        vm.recordLogs();
        awardAs(poster, taskId, terms, config, human);

        assertEq(countMarketEvents(ITaskMarket.RewardLowered.selector), 0, "no RewardLowered");
        assertEq(poster.balance, posterBefore, "no refund");
        assertEq(address(market).balance, REWARD + BOND, "market: budget and bond");
        assertClaimedBy(taskId, human);
    }

    /// The poster awards a revealed sealed bid; the commitments not revealed are credited to it on the way.
    function test_Award_SealedBid() external {
        IReverseAuction.AuctionConfig memory sealedAuction = sealedConfig();
        uint256 sealedTaskId = createAuction(terms, sealedAuction);
        commitAs(human, sealedTaskId, terms, sealedAuction, 0.6 ether);
        commitAs(agent, sealedTaskId, terms, sealedAuction, 0.5 ether);
        warpToBiddingEnd(sealedAuction);
        revealAs(human, sealedTaskId, terms, sealedAuction, 0.6 ether);
        warpToClose(sealedAuction);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(module));
        emit IReverseAuction.BidBondForfeited(sealedTaskId, agent, poster, BID_BOND);
        vm.prank(poster);
        module.award(sealedTaskId, terms, sealedAuction, human, noCapabilities());

        assertClaimedBy(sealedTaskId, human);
        assertEq(poster.balance - posterBefore, 0.4 ether, "unused budget");
        assertEq(module.creditOf(poster, address(0)), BID_BOND, "non-revealer's bond credited");
        assertEq(module.depositOf(sealedTaskId, human), BID_BOND, "winner's bid bond left");
        assertEq(module.depositOf(sealedTaskId, agent), BOND, "non-revealer's claim bond left");
        assertSolvent();
    }

    function test_Award_AtTheLastSecondOfTheWindow() external {
        bidAs(human, taskId, terms, config, 0.6 ether);
        vm.warp(awardWindowEndOf(config) - 1);
        awardAs(poster, taskId, terms, config, human);
        assertClaimedBy(taskId, human);
    }

    /*//////////////////////////////////////////////////////////////
                               REVERTS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_Award_CallerNotPoster() external {
        threeBids(taskId, terms);
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_CallerNotPoster.selector, taskId, stranger)
        );
        awardAs(stranger, taskId, terms, config, human);
    }

    function test_RevertWhen_Award_BeforeClose() external {
        bidAs(human, taskId, terms, config, 0.6 ether);
        vm.warp(config.biddingEnd - 1);
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_AuctionNotClosed.selector, taskId, config.biddingEnd)
        );
        awardAs(poster, taskId, terms, config, human);
    }

    /// Sealed auctions close at the end of the reveal window, not of bidding.
    function test_RevertWhen_Award_SealedDuringReveal() external {
        IReverseAuction.AuctionConfig memory sealedAuction = sealedConfig();
        uint256 sealedTaskId = createAuction(terms, sealedAuction);
        commitAs(human, sealedTaskId, terms, sealedAuction, 0.6 ether);
        warpToBiddingEnd(sealedAuction);
        revealAs(human, sealedTaskId, terms, sealedAuction, 0.6 ether);

        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_AuctionNotClosed.selector,
                sealedTaskId,
                sealedAuction.revealEnd
            )
        );
        awardAs(poster, sealedTaskId, terms, sealedAuction, human);
    }

    function test_RevertWhen_Award_AfterTheAwardWindow() external {
        bidAs(human, taskId, terms, config, 0.6 ether);
        warpToAwardWindowEnd(config);
        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_AwardWindowOver.selector,
                taskId,
                awardWindowEndOf(config)
            )
        );
        awardAs(poster, taskId, terms, config, human);
    }

    function test_RevertWhen_Award_NoBid() external {
        bidAs(human, taskId, terms, config, 0.6 ether);
        warpToClose(config);
        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_BidNotAwardable.selector,
                taskId,
                stranger,
                IReverseAuction.BidStatus.None
            )
        );
        awardAs(poster, taskId, terms, config, stranger);
    }

    function test_RevertWhen_Award_UnrevealedCommitment() external {
        IReverseAuction.AuctionConfig memory sealedAuction = sealedConfig();
        uint256 sealedTaskId = createAuction(terms, sealedAuction);
        commitAs(human, sealedTaskId, terms, sealedAuction, 0.6 ether);
        warpToClose(sealedAuction);

        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_BidNotAwardable.selector,
                sealedTaskId,
                human,
                IReverseAuction.BidStatus.Committed
            )
        );
        awardAs(poster, sealedTaskId, terms, sealedAuction, human);
    }

    function test_RevertWhen_Award_BidderNoLongerEligible() external {
        threeBids(taskId, terms);
        vm.prank(agent);
        registry.setActive(false);

        vm.expectRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_NotEligible.selector, taskId, agent, Eligibility.Inactive)
        );
        awardAs(poster, taskId, terms, config, agent);

        // Another bid can still be awarded.
        awardAs(poster, taskId, terms, config, carol);
        assertClaimedBy(taskId, carol);
    }

    function test_RevertWhen_Award_CapabilitiesNotTheTasks() external {
        threeBids(taskId, terms);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_CapabilitiesMismatch.selector,
                taskId,
                terms.capabilitiesHash,
                hashCapabilities(sortedCapabilities())
            )
        );
        vm.prank(poster);
        module.award(taskId, terms, config, human, sortedCapabilities());
    }

    function test_RevertWhen_Award_Twice() external {
        threeBids(taskId, terms);
        awardAs(poster, taskId, terms, config, human);
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_TaskNotOpen.selector, taskId, TaskStatus.Claimed)
        );
        awardAs(poster, taskId, terms, config, carol);
    }

    function test_RevertWhen_Award_TaskCancelledByPoster() external {
        threeBids(taskId, terms);
        vm.prank(poster);
        market.cancel(taskId, terms);
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_TaskNotOpen.selector, taskId, TaskStatus.Cancelled)
        );
        awardAs(poster, taskId, terms, config, human);
    }

    /*//////////////////////////////////////////////////////////////
                             DEPENDENCIES
    //////////////////////////////////////////////////////////////*/

    /// Dependencies not met at close: the award reverts until they are.
    function test_Award_WaitsForDependencies() external {
        TaskTerms memory dependencyTerms = ethTerms();
        uint256 dependency = createTask(dependencyTerms);
        IReverseAuction.AuctionConfig memory dependent = openConfig();
        dependent.requirements.dependencies = new uint256[](1);
        dependent.requirements.dependencies[0] = dependency;
        uint256 dependentId = createAuction(terms, dependent);
        bidAs(human, dependentId, terms, dependent, 0.6 ether);
        warpToClose(dependent);

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_DependenciesNotMet.selector, dependentId));
        vm.prank(poster);
        module.award(dependentId, terms, dependent, human, noCapabilities());

        claimTask(dependency, dependencyTerms, carol);
        submitWork(dependency, dependencyTerms, carol);
        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_DependenciesNotMet.selector, dependentId));
        vm.prank(poster);
        module.award(dependentId, terms, dependent, human, noCapabilities());

        approveTask(dependency, dependencyTerms);
        vm.expectEmit(address(module));
        emit IAssignmentModule.DependenciesMet(dependentId, dependent.requirements.dependencies);
        vm.prank(poster);
        module.award(dependentId, terms, dependent, human, noCapabilities());
        assertClaimedBy(dependentId, human);
    }

    /// A failed dependency lets anyone cancel the auction: the poster is refunded and the bidders take their deposits.
    function test_CancelForFailedDependency() external {
        TaskTerms memory dependencyTerms = ethTerms();
        uint256 dependency = createTask(dependencyTerms);
        IReverseAuction.AuctionConfig memory dependent = openConfig();
        dependent.requirements.dependencies = new uint256[](1);
        dependent.requirements.dependencies[0] = dependency;
        uint256 dependentId = createAuction(terms, dependent);
        bidAs(human, dependentId, terms, dependent, 0.6 ether);

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_DependencyNotFailed.selector,
                dependentId,
                dependency,
                TaskStatus.Posted
            )
        );
        module.cancelForFailedDependency(dependentId, terms, dependent, 0);

        vm.prank(poster);
        market.cancel(dependency, dependencyTerms);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(module));
        emit IReverseAuction.AuctionCancelled(dependentId);
        vm.expectEmit(address(module));
        emit IAssignmentModule.DependencyFailed(dependentId, dependency);
        vm.prank(stranger);
        module.cancelForFailedDependency(dependentId, terms, dependent, 0);

        assertStatus(dependentId, TaskStatus.Cancelled);
        assertEq(poster.balance - posterBefore, REWARD, "poster refunded in full");
        assertEq(uint256(module.auctionOf(dependentId).outcome), uint256(IReverseAuction.AuctionOutcome.Cancelled));
        assertPhase(dependentId, dependent, IReverseAuction.AuctionPhase.Cancelled);

        uint256 humanBefore = human.balance;
        withdrawDepositAs(human, dependentId);
        assertEq(human.balance - humanBefore, BOND, "deposit back");
        assertSolvent();
    }

    /*//////////////////////////////////////////////////////////////
                         RE-AWARD AFTER A LAPSE
    //////////////////////////////////////////////////////////////*/

    /// @dev human 0.6, agent 0.7, carol 0.9, dave 0.65; the poster awards agent at 0.7; dave takes its deposit back.
    function awardedToAgent() private {
        bidAs(human, taskId, terms, config, 0.6 ether);
        bidAs(agent, taskId, terms, config, 0.7 ether);
        bidAs(carol, taskId, terms, config, 0.9 ether);
        bidAs(dave, taskId, terms, config, 0.65 ether);
        warpToClose(config);
        awardAs(poster, taskId, terms, config, agent);
        withdrawDepositAs(dave, taskId);
    }

    function test_RevertWhen_ReAward_ClaimNotLapsed() external {
        awardedToAgent();
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_TaskNotOpen.selector, taskId, TaskStatus.Claimed)
        );
        awardAs(poster, taskId, terms, config, human);
    }

    /// After the winner's claim lapsed, the poster re-awards another bidder at the price the task already pays: the
    /// bidder asked less and is paid that price; the lapsed winner's bond goes to the poster.
    function test_ReAward_AfterALapsedClaim() external {
        awardedToAgent();
        warpPastExecutionDeadline(taskId);
        assertStatus(taskId, TaskStatus.Posted);
        assertPhase(taskId, config, IReverseAuction.AuctionPhase.Awarded);
        Balances memory before = balancesOf(address(0));

        vm.expectEmit(address(module));
        emit IReverseAuction.AuctionAwarded(taskId, human, 0.7 ether, false, 0);
        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, agent, false, BOND);
        awardAs(poster, taskId, terms, config, human);

        Balances memory afterReAward = balancesOf(address(0));
        assertClaimedBy(taskId, human);
        assertEq(module.winnerOf(taskId), human, "new winner");
        assertEq(afterReAward.poster - before.poster, BOND, "poster: the lapsed winner's bond");
        assertEq(before.module - afterReAward.module, BOND, "module: the new winner's bond paid in");
        assertEq(afterReAward.market, before.market, "market: one bond out, one in");
        assertEq(afterReAward.human, before.human, "new winner: deposit became its bond");
        assertEq(afterReAward.agent, before.agent, "lapsed winner: nothing");
        assertEq(market.fundingOf(taskId).released, 0.3 ether, "price unchanged");
        assertEq(market.executorRecordOf(agent).expired, 1, "lapse recorded");
        assertSolvent();

        // The new winner is paid the task's price, not less.
        submitWork(taskId, terms, human);
        approveTask(taskId, terms);
        assertEq(human.balance, before.human + payoutOf(0.7 ether, FEE_BPS) + BOND, "paid 0.7 net of the fee");
    }

    /// The award window does not limit a re-award; bids above the current price, withdrawn bids and the lapsed winner
    /// are refused.
    function test_RevertWhen_ReAward_BidNotEligibleForIt() external {
        awardedToAgent();
        warpPastExecutionDeadline(taskId);

        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_BidAboveCurrentPrice.selector,
                taskId,
                carol,
                0.9 ether,
                0.7 ether
            )
        );
        awardAs(poster, taskId, terms, config, carol);

        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_BidNotAwardable.selector,
                taskId,
                dave,
                IReverseAuction.BidStatus.Withdrawn
            )
        );
        awardAs(poster, taskId, terms, config, dave);

        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_BidNotAwardable.selector,
                taskId,
                agent,
                IReverseAuction.BidStatus.Awarded
            )
        );
        awardAs(poster, taskId, terms, config, agent);

        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_CallerNotPoster.selector, taskId, stranger)
        );
        awardAs(stranger, taskId, terms, config, human);
    }

    /// Finalizing never re-awards: the auction was decided.
    function test_RevertWhen_ReAward_ByFinalize() external {
        awardedToAgent();
        warpPastExecutionDeadline(taskId);
        vm.expectRevert(
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_AlreadyDecided.selector,
                taskId,
                IReverseAuction.AuctionOutcome.Awarded
            )
        );
        finalizeAs(stranger, taskId, terms, config);
    }

    /// The poster may instead cancel the task through the market: the rest of the escrow and the lapsed bond return.
    function test_LapsedClaim_PosterCancelsThroughTheMarket() external {
        awardedToAgent();
        warpPastExecutionDeadline(taskId);
        uint256 posterBefore = poster.balance;

        vm.prank(poster);
        market.cancel(taskId, terms);

        assertEq(poster.balance - posterBefore, 0.7 ether + BOND, "price and lapsed bond");
        assertEq(address(market).balance, 0, "market empty");
        withdrawDepositAs(human, taskId);
        withdrawDepositAs(carol, taskId);
        assertEq(address(module).balance, 0, "module empty");
        assertSolvent();
    }
}
