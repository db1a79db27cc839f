// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Pausable } from "@openzeppelin/contracts/utils/Pausable.sol";

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import {
    ExecutorKind,
    PosterRecord,
    TaskOptions,
    TaskStatus,
    TaskTerms
} from "../../../../contracts/types/TaskTypes.sol";
import { Options_Test } from "./OptionsBase.t.sol";

/// @notice `createSubtask`: the executor of a task with a subtask budget posts a subtask funded from the task's
/// escrow. The parent must be worked on in time by the caller; the subtask is in the parent's token and its reward
/// and verifier fee fit in what is left of the budget (never more than the price after a lowered assignment).
contract CreateSubtask_Unit_Test is Options_Test {
    /*//////////////////////////////////////////////////////////////
                              PARENT CHECKS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_Paused() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        vm.prank(owner);
        market.pause();
        TaskTerms memory terms = subtaskTerms(parentTerms);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertGiven_ParentNotFound() external {
        TaskTerms memory parentTerms = ethTerms();
        TaskTerms memory terms = subtaskTerms(parentTerms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 7));
        createSubtask(7, parentTerms, terms);
    }

    function test_RevertWhen_ParentTermsMismatch() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        parentTerms.reward = REWARD * 2;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, parentId));
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertGiven_ParentNotClaimed() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = createTaskWithOptions(parentTerms, budgetOptions(SUBTASK_BUDGET));
        TaskTerms memory terms = subtaskTerms(parentTerms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, parentId, TaskStatus.Posted));
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertGiven_ParentPastItsExecutionDeadline() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        warpPastExecutionDeadline(parentId);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, parentId, TaskStatus.Posted));
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertGiven_ParentPastBothDeadlines() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        warpPastClaimDeadline(parentTerms);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, parentId, TaskStatus.Expired));
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertGiven_ParentSubmitted() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        submitWork(parentId, parentTerms, human);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, parentId, TaskStatus.Submitted)
        );
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertGiven_ParentSettled() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        submitWork(parentId, parentTerms, human);
        approveTask(parentId, parentTerms);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, parentId, TaskStatus.Settled));
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertGiven_ParentCancelled() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        vm.prank(poster);
        market.consentToCancel(parentId, parentTerms);
        vm.prank(human);
        market.consentToCancel(parentId, parentTerms);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, parentId, TaskStatus.Cancelled)
        );
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertWhen_CallerIsTheParentsPoster() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.poster = poster;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotExecutor.selector, parentId, poster));
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertWhen_CallerIsAStranger() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.poster = stranger;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotExecutor.selector, parentId, stranger));
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertWhen_CallerIsTheExecutorOfALapsedClaim() external {
        // The parent was claimed again by `agent`: `human` no longer executes it.
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        warpPastExecutionDeadline(parentId);
        claimTask(parentId, parentTerms, agent);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotExecutor.selector, parentId, human));
        createSubtask(parentId, parentTerms, terms);
    }

    /*//////////////////////////////////////////////////////////////
                          TOKEN AND BUDGET CHECKS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_SubtaskInATokenUnderAnEthParent() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.token = address(token);
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMarket.TaskMarket_SubtaskTokenMismatch.selector, address(0), address(token))
        );
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertWhen_SubtaskInEthUnderATokenParent() external {
        TaskTerms memory parentTerms = tokenTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.token = address(0);
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMarket.TaskMarket_SubtaskTokenMismatch.selector, address(token), address(0))
        );
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertGiven_ParentWithoutOptions() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = claimedTask(parentTerms);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMarket.TaskMarket_SubtaskBudgetExceeded.selector, parentId, SUBTASK_REWARD, 0)
        );
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertGiven_ParentWithAnAssignerButNoBudget() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = assignableTask(parentTerms);
        assignTask(parentId, parentTerms, human, REWARD);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMarket.TaskMarket_SubtaskBudgetExceeded.selector, parentId, SUBTASK_REWARD, 0)
        );
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertWhen_FundingAboveTheBudget() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.reward = uint128(SUBTASK_BUDGET) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMarket.TaskMarket_SubtaskBudgetExceeded.selector,
                parentId,
                uint256(SUBTASK_BUDGET) + 1,
                SUBTASK_BUDGET
            )
        );
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertWhen_TheVerifierFeeTakesTheFundingAboveTheBudget() external {
        TaskTerms memory parentTerms = tokenTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = delegatedSubtaskTerms(parentTerms);
        terms.reward = SUBTASK_BUDGET;
        uint256 funding = uint256(SUBTASK_BUDGET) + SUBTASK_VERIFIER_FEE;
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMarket.TaskMarket_SubtaskBudgetExceeded.selector,
                parentId,
                funding,
                SUBTASK_BUDGET
            )
        );
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertWhen_BudgetSpentByEarlierSubtasks() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        for (uint256 i = 0; i < 3; ++i) createSubtask(parentId, parentTerms, terms);
        assertFunding(parentId, 0, 3 * uint256(SUBTASK_REWARD), 3);
        terms.reward = 1;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarket_SubtaskBudgetExceeded.selector, parentId, 1, 0));
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertWhen_BudgetExceededAfterALoweredPrice() external {
        // A budget of the whole reward shrinks to the price: what the poster got back is not the executor's to spend.
        TaskTerms memory parentTerms = ethTerms();
        TaskOptions memory options = assignerOptions();
        options.subtaskBudget = uint96(REWARD);
        uint256 parentId = createTaskWithOptions(parentTerms, options);
        uint256 price = 0.5 ether;
        assignTask(parentId, parentTerms, human, price);

        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.reward = uint128(price) + 1;
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMarket.TaskMarket_SubtaskBudgetExceeded.selector, parentId, price + 1, price)
        );
        createSubtask(parentId, parentTerms, terms);

        terms.reward = uint128(price);
        createSubtask(parentId, parentTerms, terms);
        assertFunding(parentId, REWARD - price, price, 1);
        assertEq(market.unpaidRewardOf(parentId, parentTerms), 0, "the executor spent the whole price");
    }

    function test_RevertWhen_BudgetBelowALoweredPriceIsExceeded() external {
        // A budget below the price keeps its own limit.
        TaskTerms memory parentTerms = tokenTerms();
        TaskOptions memory options = assignerOptions();
        options.subtaskBudget = 0.3 ether;
        uint256 parentId = createTaskWithOptions(parentTerms, options);
        assignTask(parentId, parentTerms, human, 0.5 ether);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.reward = 0.3 ether + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                ITaskMarket.TaskMarket_SubtaskBudgetExceeded.selector,
                parentId,
                0.3 ether + 1,
                0.3 ether
            )
        );
        createSubtask(parentId, parentTerms, terms);
    }

    /*//////////////////////////////////////////////////////////////
                          SUBTASK TERMS CHECKS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_SubtaskPosterIsNotTheCaller() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.poster = poster;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_PosterNotSender.selector, poster, human));
        vm.prank(human);
        market.createSubtask(parentId, parentTerms, terms, noOptions(), noCapabilities(), SUBTASK_URI);
    }

    function test_RevertWhen_SubtaskFeeMismatch() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.feeBps = 0;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_FeeMismatch.selector, FEE_BPS, 0));
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertWhen_SubtaskZeroReward() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.reward = 0;
        vm.expectRevert(Errors.TaskMarket_ZeroReward.selector);
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertWhen_SubtaskVerifierFeeWithoutVerifier() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.verifierFee = 1;
        vm.expectRevert(Errors.TaskMarket_VerifierFeeWithoutVerifier.selector);
        createSubtask(parentId, parentTerms, terms);
    }

    function test_RevertWhen_SubtaskBudgetAboveTheSubtaskReward() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        TaskOptions memory options = budgetOptions(uint96(SUBTASK_REWARD) + 1);
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMarket.TaskMarket_InvalidSubtaskBudget.selector, uint96(SUBTASK_REWARD) + 1)
        );
        createSubtask(parentId, parentTerms, terms, options);
    }

    function test_RevertWhen_SubtaskBudgetWithMilestones() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.milestoneShares = packMilestones(5_000, 5_000);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarket_InvalidSubtaskBudget.selector, uint96(1)));
        createSubtask(parentId, parentTerms, terms, budgetOptions(1));
    }

    function test_RevertWhen_SubtaskConfigHashWithoutAssigner() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        TaskOptions memory options;
        options.assignerConfigHash = ASSIGNER_CONFIG_HASH;
        vm.expectRevert(ITaskMarket.TaskMarket_ConfigWithoutAssigner.selector);
        createSubtask(parentId, parentTerms, terms, options);
    }

    /*//////////////////////////////////////////////////////////////
                               SUCCESSES
    //////////////////////////////////////////////////////////////*/

    function test_WhenWithinBudget_ItShouldCreateTheSubtaskFromTheParentsEscrow() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        uint256 expectedId = market.nextTaskId();
        uint256 marketBefore = address(market).balance;
        uint256 humanBefore = human.balance;

        vm.recordLogs();
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCreated(expectedId, human, address(0), terms, noCapabilities(), SUBTASK_URI);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskCreated(parentId, expectedId, human, SUBTASK_REWARD);
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms);

        assertEq(countMarketEvents(ITaskMarket.TaskOptionsSet.selector), 0, "no options");
        assertEq(subtaskId, expectedId, "next id");
        assertStatus(subtaskId, TaskStatus.Posted);
        assertEq(market.stateOf(subtaskId).flags, FLAG_EXTENDED, "a subtask is flagged");
        assertTrue(market.matchesTerms(subtaskId, terms), "terms committed");
        assertFunding(parentId, 0, SUBTASK_REWARD, 1);
        assertFunding(subtaskId, 0, 0, 0);
        assertLink(subtaskId, parentId, poster);
        assertOptions(subtaskId, noOptions());
        assertEq(address(market).balance, marketBefore, "no value moved");
        assertEq(human.balance, humanBefore, "the coordinator paid nothing");
        assertEq(market.unpaidRewardOf(parentId, parentTerms), REWARD - SUBTASK_REWARD, "parent pays the rest");
        assertStatus(parentId, TaskStatus.Claimed);
        PosterRecord memory expected;
        expected.posted = 1;
        assertEq(market.posterRecordOf(human), expected);
    }

    function test_WhenInToken_ItShouldMoveNoTokens() external {
        TaskTerms memory parentTerms = tokenTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        uint256 marketBefore = token.balanceOf(address(market));
        uint256 humanBefore = token.balanceOf(human);
        uint256 subtaskId = createSubtask(parentId, parentTerms, subtaskTerms(parentTerms));
        assertEq(token.balanceOf(address(market)), marketBefore, "no tokens moved");
        assertEq(token.balanceOf(human), humanBefore, "the coordinator paid nothing");
        assertFunding(parentId, 0, SUBTASK_REWARD, 1);
        assertLink(subtaskId, parentId, poster);
    }

    function test_WhenWithAVerifierFee_ItShouldDrawTheRewardAndTheFee() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = delegatedSubtaskTerms(parentTerms);
        uint256 funding = uint256(SUBTASK_REWARD) + SUBTASK_VERIFIER_FEE;
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskCreated(parentId, market.nextTaskId(), human, funding);
        createSubtask(parentId, parentTerms, terms);
        assertFunding(parentId, 0, funding, 1);
    }

    function test_WhenWithOptions_ItShouldStoreThemBetweenCreationAndLink() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        TaskOptions memory options = assignerOptions();
        options.subtaskBudget = uint96(SUBTASK_REWARD) / 2;
        uint256 expectedId = market.nextTaskId();

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCreated(expectedId, human, address(0), terms, noCapabilities(), SUBTASK_URI);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskOptionsSet(expectedId, address(assigner), options);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubtaskCreated(parentId, expectedId, human, SUBTASK_REWARD);
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms, options);

        assertOptions(subtaskId, options);
        assertEq(market.stateOf(subtaskId).flags, FLAG_EXTENDED, "flagged once");
        // A subtask with an assigner is given out by it only.
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotAssigner.selector, subtaskId, agent));
        vm.prank(agent);
        market.claim{ value: SUBTASK_BOND }(subtaskId, terms, noCapabilities());
        assignTask(subtaskId, terms, agent, SUBTASK_REWARD);
        assertEq(market.stateOf(subtaskId).executor, agent, "assigned");
    }

    function test_WhenTheWholeBudget_ItShouldLeaveNothingToDraw() external {
        TaskTerms memory parentTerms = tokenTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.reward = SUBTASK_BUDGET;
        createSubtask(parentId, parentTerms, terms);
        assertFunding(parentId, 0, SUBTASK_BUDGET, 1);
        terms.reward = 1;
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarket_SubtaskBudgetExceeded.selector, parentId, 1, 0));
        createSubtask(parentId, parentTerms, terms);
    }

    function test_WhenSeveralSubtasks_ItShouldCountEach() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        uint256 first = createSubtask(parentId, parentTerms, terms);
        terms.reward = 0.1 ether;
        uint256 second = createSubtask(parentId, parentTerms, terms);
        assertEq(second, first + 1, "ids in sequence");
        assertFunding(parentId, 0, uint256(SUBTASK_REWARD) + 0.1 ether, 2);
        assertLink(second, parentId, poster);
    }

    function test_GivenParentInProgress_ItShouldCreate() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        startTask(parentId, human);
        createSubtask(parentId, parentTerms, subtaskTerms(parentTerms));
        assertFunding(parentId, 0, SUBTASK_REWARD, 1);
        assertStatus(parentId, TaskStatus.InProgress);
    }

    function test_GivenParentAtItsExecutionDeadline_ItShouldCreate() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        vm.warp(market.stateOf(parentId).executionDeadline);
        createSubtask(parentId, parentTerms, subtaskTerms(parentTerms));
        assertFunding(parentId, 0, SUBTASK_REWARD, 1);
    }

    function test_GivenParentRejected_ItShouldCreateAgain() external {
        // A rejected submission sends the executor back to work: it may delegate again before resubmitting.
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        submitWork(parentId, parentTerms, human);
        rejectTask(parentId, parentTerms);
        createSubtask(parentId, parentTerms, subtaskTerms(parentTerms));
        assertFunding(parentId, 0, SUBTASK_REWARD, 1);
    }

    function test_GivenParentReclaimedByAnotherExecutor_TheNewExecutorShouldCreate() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        warpPastExecutionDeadline(parentId);
        claimTask(parentId, parentTerms, agent);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.poster = agent;
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms);
        assertLink(subtaskId, parentId, poster);
        assertFunding(parentId, 0, SUBTASK_REWARD, 1);
    }

    function test_GivenParentAssignedAtALoweredPrice_ItShouldCreateWithinThePrice() external {
        TaskTerms memory parentTerms = ethTerms();
        TaskOptions memory options = assignerOptions();
        options.subtaskBudget = SUBTASK_BUDGET;
        uint256 parentId = createTaskWithOptions(parentTerms, options);
        assignTask(parentId, parentTerms, human, 0.8 ether);
        createSubtask(parentId, parentTerms, subtaskTerms(parentTerms));
        assertFunding(parentId, 0.2 ether, SUBTASK_REWARD, 1);
        assertEq(market.unpaidRewardOf(parentId, parentTerms), 0.8 ether - SUBTASK_REWARD, "the price less drawn");
    }

    function test_WhenSubtaskCreated_TheCoordinatorCannotClaimIt() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_ConflictOfInterest.selector, subtaskId, human));
        claimTask(subtaskId, terms, human);
    }

    function test_WhenSubtaskCreated_AnEligibleExecutorShouldClaimIt() external {
        TaskTerms memory parentTerms = tokenTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms);
        uint256 agentBefore = token.balanceOf(agent);
        claimTask(subtaskId, terms, agent);
        assertStatus(subtaskId, TaskStatus.Claimed);
        assertEq(token.balanceOf(agent), agentBefore - SUBTASK_BOND, "the subtask's executor locked its bond");
        assertEq(
            token.balanceOf(address(market)),
            uint256(REWARD) + BOND + SUBTASK_BOND,
            "the market holds the parent's escrow and both bonds"
        );
    }

    function test_WhenExecutorKindIsRestricted_ItShouldApplyToTheSubtask() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.executorKind = ExecutorKind.Agent;
        uint256 subtaskId = createSubtask(parentId, parentTerms, terms);
        claimTask(subtaskId, terms, agent);
        assertEq(market.stateOf(subtaskId).executor, agent, "an agent claimed it");
    }

    function testFuzz_CreateSubtask(uint96 budget, uint128 reward, uint128 verifierFee) external {
        budget = uint96(bound(budget, 0, REWARD));
        reward = uint128(bound(reward, 1, REWARD));
        verifierFee = uint128(bound(verifierFee, 0, REWARD));
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = createTaskWithOptions(parentTerms, budgetOptions(budget));
        claimTask(parentId, parentTerms, human);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        terms.reward = reward;
        if (verifierFee != 0) {
            terms.verifier = reviewer;
            terms.verifierFee = verifierFee;
        }
        uint256 funding = uint256(reward) + verifierFee;
        if (funding > budget) {
            vm.expectRevert(
                abi.encodeWithSelector(ITaskMarket.TaskMarket_SubtaskBudgetExceeded.selector, parentId, funding, budget)
            );
            createSubtask(parentId, parentTerms, terms);
        } else {
            createSubtask(parentId, parentTerms, terms);
            assertFunding(parentId, 0, funding, 1);
            assertEq(market.unpaidRewardOf(parentId, parentTerms), REWARD - funding, "the parent pays the rest");
        }
    }

    /// @dev Subtasks nest at most `MAX_SUBTASK_DEPTH` deep: a chain of executors, each splitting its task once more,
    /// reaches the cap and the next level is refused. The cap bounds the walk up the chain when funds return.
    function test_RevertWhen_SubtasksNestDeeperThanTheCap() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = parentTask(terms, SUBTASK_BUDGET);
        address coordinator = human;
        uint96 budget = SUBTASK_BUDGET;
        for (uint256 depth = 1; depth <= market.MAX_SUBTASK_DEPTH() + 1; ++depth) {
            TaskTerms memory child = subtaskTerms(terms);
            child.poster = coordinator;
            child.claimBond = 0;
            child.reward = budget / 2;
            child.documentHash = keccak256(abi.encode("level", depth));
            budget = budget / 4;
            if (depth > market.MAX_SUBTASK_DEPTH()) {
                vm.expectRevert(
                    abi.encodeWithSelector(
                        ITaskMarket.TaskMarket_SubtaskTooDeep.selector,
                        taskId,
                        market.MAX_SUBTASK_DEPTH()
                    )
                );
                createSubtask(taskId, terms, child, budgetOptions(budget));
                return;
            }
            uint256 childId = createSubtask(taskId, terms, child, budgetOptions(budget));
            assertEq(market.parentOf(childId).depth, depth, "depth");
            address next = makeAddr(string.concat("level executor ", vm.toString(depth)));
            registerExecutor(next, ExecutorKind.Human, noCapabilities());
            claimTask(childId, child, next);
            (taskId, terms, coordinator) = (childId, child, next);
        }
    }
}
