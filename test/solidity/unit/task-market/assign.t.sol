// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IERC20Errors } from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import { Eligibility } from "../../../../contracts/interfaces/IExecutorRegistry.sol";
import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import {
    ExecutorKind,
    ExecutorRecord,
    TaskOptions,
    TaskState,
    TaskStatus,
    TaskTerms
} from "../../../../contracts/types/TaskTypes.sol";
import { MockAssigner } from "../../mocks/MockAssigner.sol";
import { Options_Test } from "./OptionsBase.t.sol";

/// @notice `assign`: only the task's assigner gives the task out, with the checks of `claim` on the executor and the
/// bond paid by the assigner; the first assignment may lower the price, refunding the difference to the poster at
/// once, and every later one must keep it. The assigner may also cancel an open task.
contract Assign_Unit_Test is Options_Test {
    /// @dev Not a round figure, so that a price mixed up with the reward shows in a balance.
    uint256 internal constant PRICE = 0.7 ether + 3;
    uint256 internal constant RELEASED = REWARD - PRICE;

    function assignAs(
        address caller,
        uint256 taskId,
        TaskTerms memory terms,
        address executor,
        uint256 price,
        uint256 value
    ) private {
        vm.prank(caller);
        market.assign{ value: value }(taskId, terms, executor, price, noCapabilities());
    }

    function expectInvalidPrice(uint256 taskId, uint256 price, uint256 maximum) private {
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarket_InvalidPrice.selector, taskId, price, maximum));
    }

    /// @dev An ETH task assigned to `human` at `PRICE`, whose claim then lapsed (the claim deadline still ahead).
    function lapsedLoweredTask(TaskTerms memory terms) private returns (uint256 taskId) {
        taskId = assignableTask(terms);
        assignTask(taskId, terms, human, PRICE);
        warpPastExecutionDeadline(taskId);
    }

    /*//////////////////////////////////////////////////////////////
                             CALLER CHECKS
    //////////////////////////////////////////////////////////////*/

    function test_RevertGiven_TaskNotFound() external {
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 1));
        assignTask(1, terms, human, REWARD);
    }

    function test_RevertWhen_TermsMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        terms.reward = REWARD * 2;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        assignTask(taskId, terms, human, REWARD);
    }

    function test_RevertWhen_CallerNotAssigner() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotAssigner.selector, taskId, stranger));
        assignAs(stranger, taskId, terms, human, REWARD, BOND);
    }

    function test_RevertWhen_CallerIsThePoster() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotAssigner.selector, taskId, poster));
        assignAs(poster, taskId, terms, human, REWARD, BOND);
    }

    function test_RevertWhen_CallerIsTheExecutorItself() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotAssigner.selector, taskId, human));
        assignAs(human, taskId, terms, human, REWARD, BOND);
    }

    function test_RevertWhen_CallerIsTheAssignerOfAnotherTask() external {
        MockAssigner other = new MockAssigner(market);
        vm.deal(address(other), 10 ether);
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotAssigner.selector, taskId, address(other)));
        other.assign(taskId, terms, human, REWARD, noCapabilities());
    }

    function test_RevertGiven_TaskWithoutOptions() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_CallerNotAssigner.selector, taskId, address(assigner))
        );
        assignTask(taskId, terms, human, REWARD);
    }

    function test_RevertGiven_TaskWithBudgetButNoAssigner() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTaskWithOptions(terms, budgetOptions(SUBTASK_BUDGET));
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_CallerNotAssigner.selector, taskId, address(assigner))
        );
        assignTask(taskId, terms, human, REWARD);
    }

    /*//////////////////////////////////////////////////////////////
                              PRICE CHECKS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_PriceZero() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        expectInvalidPrice(taskId, 0, REWARD);
        assignTask(taskId, terms, human, 0);
    }

    function test_RevertWhen_PriceAboveReward() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        expectInvalidPrice(taskId, uint256(REWARD) + 1, REWARD);
        assignTask(taskId, terms, human, uint256(REWARD) + 1);
    }

    function test_RevertWhen_PriceIncludesTheVerifierFee() external {
        // The price is of the reward alone: the verifier fee is not the executor's to bid for.
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = assignableTask(terms);
        uint256 price = uint256(REWARD) + VERIFIER_FEE;
        expectInvalidPrice(taskId, price, REWARD);
        assignTask(taskId, terms, human, price);
    }

    function test_RevertWhen_PriceLoweredOnReassignment() external {
        // Assigned at the full reward first: a later assignment may not lower it.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        assignTask(taskId, terms, human, REWARD);
        warpPastExecutionDeadline(taskId);
        expectInvalidPrice(taskId, PRICE, REWARD);
        assignTask(taskId, terms, agent, PRICE);
    }

    function test_RevertWhen_LoweredPriceLoweredAgainOnReassignment() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = lapsedLoweredTask(terms);
        expectInvalidPrice(taskId, PRICE - 1, PRICE);
        assignTask(taskId, terms, agent, PRICE - 1);
    }

    function test_RevertWhen_ReassignedAtTheOriginalRewardAfterALoweredPrice() external {
        // What was refunded to the poster is gone: the price cannot go back up.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = lapsedLoweredTask(terms);
        expectInvalidPrice(taskId, REWARD, PRICE);
        assignTask(taskId, terms, agent, REWARD);
    }

    function test_RevertWhen_LoweredPriceOnAClaimedTask() external {
        // The price is checked before the status: a task that has an executor cannot be lowered.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        assignTask(taskId, terms, human, REWARD);
        expectInvalidPrice(taskId, PRICE, REWARD);
        assignTask(taskId, terms, agent, PRICE);
    }

    /*//////////////////////////////////////////////////////////////
                             STATUS CHECKS
    //////////////////////////////////////////////////////////////*/

    function test_RevertGiven_TaskClaimed() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        assignTask(taskId, terms, human, REWARD);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Claimed));
        assignTask(taskId, terms, agent, REWARD);
    }

    function test_RevertGiven_ClaimDeadlinePassed() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        warpPastClaimDeadline(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Expired));
        assignTask(taskId, terms, human, PRICE);
    }

    function test_RevertGiven_TaskCancelled() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        assigner.cancel(taskId, terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Cancelled));
        assignTask(taskId, terms, human, REWARD);
    }

    /*//////////////////////////////////////////////////////////////
                            EXECUTOR CHECKS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_ExecutorNotRegistered() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_ExecutorNotEligible.selector,
                taskId,
                stranger,
                Eligibility.NotRegistered
            )
        );
        assignTask(taskId, terms, stranger, REWARD);
    }

    function test_RevertWhen_ExecutorInactive() external {
        vm.prank(human);
        registry.setActive(false);
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_ExecutorNotEligible.selector, taskId, human, Eligibility.Inactive)
        );
        assignTask(taskId, terms, human, REWARD);
    }

    function test_RevertWhen_ExecutorOfTheWrongKind() external {
        TaskTerms memory terms = ethTerms();
        terms.executorKind = ExecutorKind.Agent;
        uint256 taskId = assignableTask(terms);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_ExecutorNotEligible.selector,
                taskId,
                human,
                Eligibility.KindMismatch
            )
        );
        assignTask(taskId, terms, human, REWARD);
    }

    function test_RevertWhen_ExecutorLacksACapability() external {
        bytes32[] memory required = new bytes32[](1);
        required[0] = keccak256("skill:unheard-of");
        TaskTerms memory terms = ethTerms();
        terms.capabilitiesHash = hashCapabilities(required);
        vm.prank(poster);
        uint256 taskId = market.createTaskWithOptions{ value: REWARD }(terms, assignerOptions(), required, "");
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_ExecutorNotEligible.selector,
                taskId,
                human,
                Eligibility.MissingCapability
            )
        );
        assigner.assign(taskId, terms, human, REWARD, required);
    }

    function test_RevertWhen_CapabilitiesMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        bytes32[] memory capabilities = sortedCapabilities();
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_CapabilitiesMismatch.selector,
                terms.capabilitiesHash,
                hashCapabilities(capabilities)
            )
        );
        assigner.assign(taskId, terms, human, REWARD, capabilities);
    }

    function test_RevertWhen_ExecutorIsThePoster() external {
        registerExecutor(poster, ExecutorKind.Human, sortedCapabilities());
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_ConflictOfInterest.selector, taskId, poster));
        assignTask(taskId, terms, poster, REWARD);
    }

    function test_RevertWhen_ExecutorIsTheVerifier() external {
        registerExecutor(reviewer, ExecutorKind.Human, sortedCapabilities());
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = assignableTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_ConflictOfInterest.selector, taskId, reviewer));
        assignTask(taskId, terms, reviewer, REWARD);
    }

    function test_RevertWhen_ExecutorIsAnAgentOperatedByThePoster() external {
        address posterAgent = makeAddr("posterAgent");
        vm.prank(posterAgent);
        registry.register(ExecutorKind.Agent, poster, noCapabilities(), "ipfs://poster-agent");
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_ConflictOfInterest.selector, taskId, posterAgent));
        assignTask(taskId, terms, posterAgent, PRICE);
    }

    function test_RevertWhen_LoweredPriceForAnIneligibleExecutor_ItShouldReleaseNothing() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        uint256 posterBefore = poster.balance;
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_ExecutorNotEligible.selector,
                taskId,
                stranger,
                Eligibility.NotRegistered
            )
        );
        assignTask(taskId, terms, stranger, PRICE);
        assertEq(poster.balance, posterBefore, "nothing refunded");
        assertFunding(taskId, 0, 0, 0);
    }

    /*//////////////////////////////////////////////////////////////
                               PAYMENT
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_EthBondMissing() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, BOND, 0));
        assigner.assignWithValue(taskId, terms, human, REWARD, noCapabilities(), 0);
    }

    function test_RevertWhen_TokenTaskSendsEth() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = assignableTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, 0, BOND));
        assigner.assignWithValue(taskId, terms, human, REWARD, noCapabilities(), BOND);
    }

    function test_RevertWhen_AssignerHasNoTokenAllowance() external {
        MockAssigner unfunded = new MockAssigner(market);
        TaskTerms memory terms = tokenTerms();
        TaskOptions memory options;
        options.assigner = address(unfunded);
        uint256 taskId = createTaskWithOptions(terms, options);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(market), 0, BOND)
        );
        unfunded.assign(taskId, terms, human, REWARD, noCapabilities());
    }

    /*//////////////////////////////////////////////////////////////
                          ASSIGNMENT AT THE REWARD
    //////////////////////////////////////////////////////////////*/

    function test_WhenAtTheReward_ItShouldAssignWithTheAssignersBond() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        uint256 assignerBefore = address(assigner).balance;
        uint256 humanBefore = human.balance;
        uint256 posterBefore = poster.balance;
        uint40 executionDeadline = uint40(block.timestamp) + EXECUTION_WINDOW;

        vm.recordLogs();
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskClaimed(taskId, human, executionDeadline, BOND);
        assignTask(taskId, terms, human, REWARD);

        assertEq(countMarketEvents(ITaskMarket.RewardLowered.selector), 0, "no RewardLowered");
        assertStatus(taskId, TaskStatus.Claimed);
        TaskState memory expected = TaskState({
            executor: human,
            status: TaskStatus.Claimed,
            executionDeadline: executionDeadline,
            reviewDeadline: 0,
            flags: FLAG_EXTENDED
        });
        assertEq(market.stateOf(taskId), expected);
        assertEq(address(assigner).balance, assignerBefore - BOND, "the assigner paid the bond");
        assertEq(human.balance, humanBefore, "the executor paid nothing");
        assertEq(poster.balance, posterBefore, "nothing refunded");
        assertEq(address(market).balance, uint256(REWARD) + BOND, "market holds reward and bond");
        assertFunding(taskId, 0, 0, 0);
        assertEq(market.unpaidRewardOf(taskId, terms), REWARD, "unpaid reward");
    }

    function test_WhenAtTheRewardInToken_ItShouldPullTheBondFromTheAssigner() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = assignableTask(terms);
        uint256 assignerBefore = token.balanceOf(address(assigner));
        uint256 assignerEthBefore = address(assigner).balance;

        assignTask(taskId, terms, agent, REWARD);

        assertEq(token.balanceOf(address(assigner)), assignerBefore - BOND, "bond pulled from the assigner");
        assertEq(address(assigner).balance, assignerEthBefore, "no ETH");
        assertEq(token.balanceOf(address(market)), uint256(REWARD) + BOND, "market holds reward and bond");
        assertEq(market.stateOf(taskId).executor, agent, "executor");
    }

    function test_WhenAtTheReward_TheExecutorIsPaidTheRewardAndTheBond() external {
        // The bond is the task's: whoever paid it, it returns to the executor at settlement.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        assignTask(taskId, terms, human, REWARD);
        submitWork(taskId, terms, human);
        uint256 humanBefore = human.balance;
        approveTask(taskId, terms);
        assertEq(human.balance, humanBefore + payoutOf(REWARD, FEE_BPS) + BOND, "payout and bond");
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "only the fee is left");
    }

    function test_WhenPaused_ItShouldAssign() external {
        // Like claims, assignments go on while the market is paused: only new tasks are stopped.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        vm.prank(owner);
        market.pause();
        assignTask(taskId, terms, human, PRICE);
        assertStatus(taskId, TaskStatus.Claimed);
    }

    function test_WhenClaimDeadlineNow_ItShouldAssign() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        vm.warp(terms.claimDeadline);
        assignTask(taskId, terms, human, REWARD);
        assertStatus(taskId, TaskStatus.Claimed);
    }

    /*//////////////////////////////////////////////////////////////
                           LOWERED PRICE
    //////////////////////////////////////////////////////////////*/

    function test_WhenPriceLowered_ItShouldRefundTheDifferenceAtOnce() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        uint256 posterBefore = poster.balance;
        uint256 assignerBefore = address(assigner).balance;
        uint40 executionDeadline = uint40(block.timestamp) + EXECUTION_WINDOW;

        vm.expectEmit(address(market));
        emit ITaskMarket.RewardLowered(taskId, poster, PRICE, RELEASED);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskClaimed(taskId, human, executionDeadline, BOND);
        assignTask(taskId, terms, human, PRICE);

        assertEq(poster.balance, posterBefore + RELEASED, "the poster got the difference back");
        assertEq(address(assigner).balance, assignerBefore - BOND, "the assigner paid the bond");
        assertEq(address(market).balance, PRICE + BOND, "market holds the price and the bond");
        assertFunding(taskId, RELEASED, 0, 0);
        assertEq(market.unpaidRewardOf(taskId, terms), PRICE, "the task now pays the price");
        assertStatus(taskId, TaskStatus.Claimed);
    }

    function test_WhenPriceLoweredInToken_ItShouldRefundTheDifferenceAtOnce() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = assignableTask(terms);
        uint256 posterBefore = token.balanceOf(poster);

        vm.expectEmit(address(market));
        emit ITaskMarket.RewardLowered(taskId, poster, PRICE, RELEASED);
        assignTask(taskId, terms, human, PRICE);

        assertEq(token.balanceOf(poster), posterBefore + RELEASED, "the poster got the difference back");
        assertEq(token.balanceOf(address(market)), PRICE + BOND, "market holds the price and the bond");
        assertFunding(taskId, RELEASED, 0, 0);
    }

    function test_WhenPriceLoweredToOneWei_ItShouldRefundAllButOneWei() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = assignableTask(terms);
        uint256 posterBefore = token.balanceOf(poster);
        assignTask(taskId, terms, human, 1);
        assertEq(token.balanceOf(poster), posterBefore + REWARD - 1, "refund");
        assertFunding(taskId, REWARD - 1, 0, 0);
        submitWork(taskId, terms, human);
        uint256 humanBefore = token.balanceOf(human);
        approveTask(taskId, terms);
        // The fee on one wei rounds down to nothing.
        assertEq(token.balanceOf(human), humanBefore + 1 + BOND, "one wei and the bond");
        assertEq(market.accruedFeesOf(address(token)), 0, "no fee");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
    }

    function test_WhenPriceLowered_SettlementShouldPayThePrice() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        assignTask(taskId, terms, human, PRICE);
        submitWork(taskId, terms, human);
        uint256 humanBefore = human.balance;
        uint256 posterBefore = poster.balance;
        uint256 fee = feeOf(PRICE, FEE_BPS);

        vm.recordLogs();
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), PRICE - fee, fee, BOND);
        approveTask(taskId, terms);

        assertEq(countMarketEvents(ITaskMarket.SettlementRefunded.selector), 0, "nothing more refunded");
        assertEq(human.balance, humanBefore + PRICE - fee + BOND, "executor paid the price net of the fee");
        assertEq(poster.balance, posterBefore, "poster refunded nothing more");
        assertEq(market.accruedFeesOf(address(0)), fee, "fee on the price");
        assertEq(address(market).balance, fee, "only the fee is left");
        ExecutorRecord memory expected;
        expected.completed = 1;
        assertEq(market.executorRecordOf(human), expected);
    }

    function test_WhenPriceLowered_ASplitShouldDivideThePrice() external {
        TaskTerms memory terms = delegatedTerms(address(token));
        uint256 taskId = assignableTask(terms);
        assignTask(taskId, terms, human, PRICE);
        submitWork(taskId, terms, human);
        uint256 humanBefore = token.balanceOf(human);
        uint256 posterBefore = token.balanceOf(poster);
        uint256 reviewerBefore = token.balanceOf(reviewer);
        uint256 gross = (PRICE * 4_000) / BPS;
        uint256 fee = feeOf(gross, FEE_BPS);

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(token), gross - fee, fee, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SettlementRefunded(taskId, poster, PRICE - gross);
        resolveTask(taskId, terms, 4_000);

        assertEq(token.balanceOf(human), humanBefore + gross - fee + BOND, "executor's share");
        assertEq(token.balanceOf(poster), posterBefore + PRICE - gross, "the rest of the price");
        assertEq(token.balanceOf(reviewer), reviewerBefore + VERIFIER_FEE, "verifier fee");
        assertEq(token.balanceOf(address(market)), fee, "only the fee is left");
    }

    function test_WhenPriceLowered_ConsentToCancelShouldRefundThePriceAndTheVerifierFee() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = assignableTask(terms);
        assignTask(taskId, terms, human, PRICE);
        uint256 posterBefore = poster.balance;
        uint256 humanBefore = human.balance;

        vm.prank(poster);
        market.consentToCancel(taskId, terms);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, PRICE + VERIFIER_FEE, BOND);
        vm.prank(human);
        market.consentToCancel(taskId, terms);

        assertEq(poster.balance, posterBefore + PRICE + VERIFIER_FEE, "price and verifier fee back");
        // The bond goes to the executor, although the assigner paid it.
        assertEq(human.balance, humanBefore + BOND, "bond to the executor");
        assertEq(address(market).balance, 0, "market empty");
    }

    function test_WhenPriceLowered_RefundExpiredShouldRefundThePriceAndTheForfeitedBond() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        assignTask(taskId, terms, human, PRICE);
        warpPastClaimDeadline(terms);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, false, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskExpired(taskId, poster, PRICE, BOND);
        vm.prank(stranger);
        market.refundExpired(taskId, terms);

        assertEq(poster.balance, posterBefore + PRICE + BOND, "price and forfeited bond");
        assertEq(address(market).balance, 0, "market empty");
        assertFunding(taskId, RELEASED, 0, 0);
    }

    function test_WhenReassignedAtTheLoweredPrice_ItShouldForfeitTheLapsedBondToThePoster() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = lapsedLoweredTask(terms);
        uint256 posterBefore = poster.balance;
        uint256 assignerBefore = address(assigner).balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, false, BOND);
        vm.recordLogs();
        assignTask(taskId, terms, agent, PRICE);

        assertEq(countMarketEvents(ITaskMarket.RewardLowered.selector), 0, "not lowered again");
        assertEq(poster.balance, posterBefore + BOND, "the lapsed bond goes to the poster");
        assertEq(address(assigner).balance, assignerBefore - BOND, "the assigner paid the new bond");
        assertEq(address(market).balance, PRICE + BOND, "price and one bond");
        assertFunding(taskId, RELEASED, 0, 0);
        assertEq(market.stateOf(taskId).executor, agent, "new executor");
    }

    function test_WhenReassignedAfterALateRejection_ItShouldReturnTheBondToTheRejectedExecutor() external {
        // The executor delivered in time and was rejected only after its deadline: its bond (which the assigner paid)
        // goes back to it, not to the poster.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        assignTask(taskId, terms, human, PRICE);
        vm.warp(market.stateOf(taskId).executionDeadline);
        submitWork(taskId, terms, human);
        vm.warp(block.timestamp + 1);
        rejectTask(taskId, terms);
        assertStatus(taskId, TaskStatus.Posted);
        uint256 humanBefore = human.balance;
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, true, 0);
        assignTask(taskId, terms, agent, PRICE);

        assertEq(human.balance, humanBefore + BOND, "the rejected executor gets the bond back");
        assertEq(poster.balance, posterBefore, "nothing to the poster");
        assertEq(address(market).balance, PRICE + BOND, "price and the new bond");
        ExecutorRecord memory expected;
        expected.rejected = 1;
        assertEq(market.executorRecordOf(human), expected);
    }

    function test_WhenReassignedAtTheRewardAfterAFullPriceAssignment_ItShouldAssign() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = assignableTask(terms);
        assignTask(taskId, terms, human, REWARD);
        warpPastExecutionDeadline(taskId);
        assignTask(taskId, terms, agent, REWARD);
        assertEq(market.stateOf(taskId).executor, agent, "new executor");
        assertFunding(taskId, 0, 0, 0);
    }

    function test_GivenMilestones_ItShouldComputeTheMilestonesFromThePrice() external {
        TaskTerms memory terms = ethTerms();
        bytes32 shares = packMilestones(3_000, 7_000);
        terms.milestoneShares = shares;
        uint256 taskId = assignableTask(terms);
        assignTask(taskId, terms, human, PRICE);
        uint256 first = milestoneAmountOf(PRICE, shares, 0);
        uint256 second = milestoneAmountOf(PRICE, shares, 1);
        assertEq(first + second, PRICE, "the milestones add up to the price");

        submitWork(taskId, terms, human);
        uint256 humanBefore = human.balance;
        vm.expectEmit(address(market));
        emit ITaskMarket.MilestoneSettled(taskId, human, 0, first - feeOf(first, FEE_BPS), feeOf(first, FEE_BPS), 0);
        approveTask(taskId, terms);
        assertEq(human.balance, humanBefore + first - feeOf(first, FEE_BPS), "first milestone from the price");
        assertEq(market.unpaidRewardOf(taskId, terms), second, "unpaid: the second milestone");

        submitWork(taskId, terms, human);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(
            taskId,
            human,
            address(0),
            second - feeOf(second, FEE_BPS),
            feeOf(second, FEE_BPS),
            BOND
        );
        approveTask(taskId, terms);
        assertEq(
            human.balance,
            humanBefore + PRICE - feeOf(first, FEE_BPS) - feeOf(second, FEE_BPS) + BOND,
            "the whole price, net of fees, and the bond"
        );
        assertEq(address(market).balance, feeOf(first, FEE_BPS) + feeOf(second, FEE_BPS), "only fees are left");
    }

    function test_GivenMilestones_CancelAfterOneShouldRefundTheRestOfThePrice() external {
        TaskTerms memory terms = tokenTerms();
        bytes32 shares = packMilestones(3_000, 7_000);
        terms.milestoneShares = shares;
        uint256 taskId = assignableTask(terms);
        assignTask(taskId, terms, human, PRICE);
        submitWork(taskId, terms, human);
        approveTask(taskId, terms);
        uint256 posterBefore = token.balanceOf(poster);
        uint256 rest = PRICE - milestoneAmountOf(PRICE, shares, 0);

        vm.prank(poster);
        market.consentToCancel(taskId, terms);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, rest, BOND);
        vm.prank(human);
        market.consentToCancel(taskId, terms);

        assertEq(token.balanceOf(poster), posterBefore + rest, "the second milestone of the price");
        assertEq(token.balanceOf(address(market)), feeOf(milestoneAmountOf(PRICE, shares, 0), FEE_BPS), "fee left");
    }

    /*//////////////////////////////////////////////////////////////
                          CANCEL BY THE ASSIGNER
    //////////////////////////////////////////////////////////////*/

    function test_WhenAssignerCancelsAPostedTask_ItShouldRefundThePoster() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = assignableTask(terms);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, uint256(REWARD) + VERIFIER_FEE, 0);
        assigner.cancel(taskId, terms);

        assertStatus(taskId, TaskStatus.Cancelled);
        assertEq(poster.balance, posterBefore + REWARD + VERIFIER_FEE, "reward and verifier fee back");
        assertEq(address(market).balance, 0, "market empty");
        assertEq(market.posterRecordOf(poster).cancelled, 1, "counted against the poster");
    }

    function test_WhenAssignerCancelsAfterALapse_ItShouldRefundThePriceAndTheBond() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = assignableTask(terms);
        assignTask(taskId, terms, human, PRICE);
        warpPastExecutionDeadline(taskId);
        uint256 posterBefore = token.balanceOf(poster);
        uint256 assignerBefore = token.balanceOf(address(assigner));

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, false, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, PRICE, 0);
        assigner.cancel(taskId, terms);

        // The bond the assigner paid is forfeited to the poster, like any lapsed bond.
        assertEq(token.balanceOf(poster), posterBefore + PRICE + BOND, "price and bond");
        assertEq(token.balanceOf(address(assigner)), assignerBefore, "nothing to the assigner");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
    }

    function test_RevertWhen_AssignerCancelsAClaimedTask() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        assignTask(taskId, terms, human, REWARD);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Claimed));
        assigner.cancel(taskId, terms);
    }

    function test_RevertWhen_AnotherAssignerCancels() external {
        MockAssigner other = new MockAssigner(market);
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotPoster.selector, taskId, address(other)));
        other.cancel(taskId, terms);
    }

    function test_RevertWhen_StrangerCancelsATaskWithAssigner() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotPoster.selector, taskId, stranger));
        vm.prank(stranger);
        market.cancel(taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                                 FUZZ
    //////////////////////////////////////////////////////////////*/

    function testFuzz_Assign(uint256 price, bool inToken) external {
        price = bound(price, 1, REWARD);
        TaskTerms memory terms = inToken ? tokenTerms() : ethTerms();
        uint256 taskId = assignableTask(terms);
        uint256 posterBefore = balanceOf(terms.token, poster);
        assignTask(taskId, terms, human, price);
        assertEq(balanceOf(terms.token, poster), posterBefore + REWARD - price, "refund of the difference");
        assertFunding(taskId, REWARD - price, 0, 0);

        submitWork(taskId, terms, human);
        uint256 humanBefore = balanceOf(terms.token, human);
        approveTask(taskId, terms);
        uint256 fee = feeOf(price, FEE_BPS);
        assertEq(balanceOf(terms.token, human), humanBefore + price - fee + BOND, "the price net of the fee");
        assertEq(balanceOfMarket(terms.token), fee, "only the fee is left");
    }
}
