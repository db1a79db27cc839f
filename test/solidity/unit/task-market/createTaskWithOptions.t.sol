// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Pausable } from "@openzeppelin/contracts/utils/Pausable.sol";

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { PosterRecord, TaskOptions, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { FeeOnTransferERC20 } from "../../utils/TestTokens.sol";
import { Options_Test } from "./OptionsBase.t.sol";

/// @notice Creating a task with options (an assigner, a subtask budget, an assigner configuration hash): the checks
/// of the options, the escrow, what is stored and when, and what the options change for `claim`.
contract CreateTaskWithOptions_Unit_Test is Options_Test {
    function createAs(
        address caller,
        TaskTerms memory terms,
        TaskOptions memory options,
        uint256 value
    ) private returns (uint256) {
        vm.prank(caller);
        return market.createTaskWithOptions{ value: value }(terms, options, noCapabilities(), DOCUMENT_URI);
    }

    function fullOptions() private view returns (TaskOptions memory options) {
        options = assignerOptions();
        options.subtaskBudget = SUBTASK_BUDGET;
    }

    /*//////////////////////////////////////////////////////////////
                                REVERTS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_Paused() external {
        vm.prank(owner);
        market.pause();
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        createAs(poster, terms, fullOptions(), REWARD);
    }

    function test_RevertWhen_SubtaskBudgetAboveReward() external {
        TaskTerms memory terms = ethTerms();
        TaskOptions memory options = budgetOptions(uint96(REWARD) + 1);
        vm.expectRevert(
            abi.encodeWithSelector(ITaskMarket.TaskMarket_InvalidSubtaskBudget.selector, uint96(REWARD) + 1)
        );
        createAs(poster, terms, options, REWARD);
    }

    function test_RevertWhen_SubtaskBudgetWithMilestones() external {
        TaskTerms memory terms = ethTerms();
        terms.milestoneShares = packMilestones(5_000, 5_000);
        TaskOptions memory options = budgetOptions(1);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarket_InvalidSubtaskBudget.selector, uint96(1)));
        createAs(poster, terms, options, REWARD);
    }

    function test_RevertWhen_ConfigHashWithoutAssigner() external {
        TaskTerms memory terms = tokenTerms();
        TaskOptions memory options = budgetOptions(SUBTASK_BUDGET);
        options.assignerConfigHash = ASSIGNER_CONFIG_HASH;
        vm.expectRevert(ITaskMarket.TaskMarket_ConfigWithoutAssigner.selector);
        createAs(poster, terms, options, 0);
    }

    function test_RevertWhen_ConfigHashAloneWithoutAssigner() external {
        TaskTerms memory terms = ethTerms();
        TaskOptions memory options;
        options.assignerConfigHash = ASSIGNER_CONFIG_HASH;
        vm.expectRevert(ITaskMarket.TaskMarket_ConfigWithoutAssigner.selector);
        createAs(poster, terms, options, REWARD);
    }

    function test_RevertWhen_EthPaymentShort() external {
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, REWARD, REWARD - 1));
        createAs(poster, terms, fullOptions(), REWARD - 1);
    }

    function test_RevertWhen_EthPaymentWithoutTheVerifierFee() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 expected = uint256(REWARD) + VERIFIER_FEE;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, expected, REWARD));
        createAs(poster, terms, fullOptions(), REWARD);
    }

    function test_RevertWhen_TokenTaskSendsEth() external {
        TaskTerms memory terms = tokenTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, 0, 1));
        createAs(poster, terms, fullOptions(), 1);
    }

    function test_RevertWhen_PosterNotSender() external {
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_PosterNotSender.selector, poster, stranger));
        createAs(stranger, terms, fullOptions(), REWARD);
    }

    function test_RevertWhen_FeeMismatch() external {
        TaskTerms memory terms = ethTerms();
        terms.feeBps = FEE_BPS + 1;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_FeeMismatch.selector, FEE_BPS, FEE_BPS + 1));
        createAs(poster, terms, fullOptions(), REWARD);
    }

    function test_RevertWhen_InvalidOptionsOnOtherwiseInvalidTerms_ItShouldReportTheTermsFirst() external {
        // The terms are validated before the options.
        TaskTerms memory terms = ethTerms();
        terms.reward = 0;
        TaskOptions memory options = budgetOptions(1);
        vm.expectRevert(Errors.TaskMarket_ZeroReward.selector);
        createAs(poster, terms, options, 0);
    }

    function test_RevertWhen_TokenAllowanceMissing() external {
        TaskTerms memory terms = tokenTerms();
        vm.prank(poster);
        token.approve(address(market), 0);
        vm.expectRevert();
        createAs(poster, terms, fullOptions(), 0);
    }

    function test_RevertWhen_TokenChargesAFeeOnTransfer() external {
        FeeOnTransferERC20 feeToken = new FeeOnTransferERC20();
        feeToken.mint(poster, 10 ether);
        vm.prank(poster);
        feeToken.approve(address(market), type(uint256).max);
        TaskTerms memory terms = defaultTerms(address(feeToken));
        uint256 received = REWARD - REWARD / 100;
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_TokenTransferShortfall.selector,
                address(feeToken),
                REWARD,
                received
            )
        );
        createAs(poster, terms, fullOptions(), 0);
    }

    /*//////////////////////////////////////////////////////////////
                               SUCCESSES
    //////////////////////////////////////////////////////////////*/

    function test_GivenEthAndEveryOption_ItShouldEscrowStoreAndFlag() external {
        TaskTerms memory terms = ethTerms();
        TaskOptions memory options = fullOptions();
        uint256 posterBefore = poster.balance;
        uint256 expectedId = market.nextTaskId();

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCreated(expectedId, poster, address(0), terms, noCapabilities(), DOCUMENT_URI);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskOptionsSet(expectedId, address(assigner), options);
        uint256 taskId = createAs(poster, terms, options, REWARD);

        assertEq(taskId, expectedId, "task id");
        assertEq(market.nextTaskId(), expectedId + 1, "nextTaskId");
        assertStatus(taskId, TaskStatus.Posted);
        assertEq(market.stateOf(taskId).flags, FLAG_EXTENDED, "flagged as extended");
        assertTrue(market.matchesTerms(taskId, terms), "terms committed");
        assertOptions(taskId, options);
        assertFunding(taskId, 0, 0, 0);
        assertLink(taskId, 0, address(0));
        assertEq(poster.balance, posterBefore - REWARD, "poster paid the reward");
        assertEq(address(market).balance, REWARD, "market escrows the reward");
        PosterRecord memory expected;
        expected.posted = 1;
        assertEq(market.posterRecordOf(poster), expected);
    }

    function test_GivenTokenAndVerifierFee_ItShouldPullRewardAndFee() external {
        TaskTerms memory terms = delegatedTerms(address(token));
        TaskOptions memory options = fullOptions();
        uint256 posterBefore = token.balanceOf(poster);
        uint256 posterEthBefore = poster.balance;

        uint256 taskId = createAs(poster, terms, options, 0);

        assertEq(token.balanceOf(poster), posterBefore - REWARD - VERIFIER_FEE, "poster paid reward and fee");
        assertEq(token.balanceOf(address(market)), uint256(REWARD) + VERIFIER_FEE, "market escrows both");
        assertEq(poster.balance, posterEthBefore, "no ETH moved");
        assertOptions(taskId, options);
    }

    function test_GivenBudgetOnly_ItShouldStoreWithoutAssigner() external {
        TaskTerms memory terms = tokenTerms();
        TaskOptions memory options = budgetOptions(SUBTASK_BUDGET);
        uint256 expectedId = market.nextTaskId();

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskOptionsSet(expectedId, address(0), options);
        uint256 taskId = createAs(poster, terms, options, 0);

        assertOptions(taskId, options);
        assertEq(market.stateOf(taskId).flags, FLAG_EXTENDED, "flagged");
        // Without an assigner, anyone eligible claims as usual.
        claimTask(taskId, terms, human);
        assertStatus(taskId, TaskStatus.Claimed);
    }

    function test_GivenAssignerWithoutConfigHash_ItShouldStore() external {
        TaskTerms memory terms = ethTerms();
        TaskOptions memory options;
        options.assigner = address(assigner);
        uint256 taskId = createAs(poster, terms, options, REWARD);
        assertOptions(taskId, options);
        assertEq(market.stateOf(taskId).flags, FLAG_EXTENDED, "flagged");
    }

    function test_GivenBudgetEqualToReward_ItShouldStore() external {
        TaskTerms memory terms = ethTerms();
        TaskOptions memory options = budgetOptions(uint96(REWARD));
        uint256 taskId = createAs(poster, terms, options, REWARD);
        assertEq(market.optionsOf(taskId).subtaskBudget, REWARD, "the whole reward may be a budget");
    }

    function test_GivenMilestonesAndAssignerWithoutBudget_ItShouldStore() external {
        TaskTerms memory terms = ethTerms();
        terms.milestoneShares = packMilestones(3_000, 7_000);
        TaskOptions memory options = assignerOptions();
        uint256 taskId = createAs(poster, terms, options, REWARD);
        assertOptions(taskId, options);
    }

    function test_GivenNoOptions_ItShouldCreateAPlainTask() external {
        TaskTerms memory terms = ethTerms();
        vm.recordLogs();
        uint256 taskId = createAs(poster, terms, noOptions(), REWARD);

        assertEq(countMarketEvents(ITaskMarket.TaskOptionsSet.selector), 0, "no TaskOptionsSet");
        assertEq(market.stateOf(taskId).flags, 0, "not flagged");
        assertOptions(taskId, noOptions());
        assertEq(address(market).balance, REWARD, "escrowed");
        // A plain task: anyone eligible claims, nobody may assign it.
        claimTask(taskId, terms, human);
        assertStatus(taskId, TaskStatus.Claimed);
    }

    function test_GivenNoOptions_ItShouldMatchAPlainCreateTask() external {
        // The id sequence is shared with `createTask` and nothing distinguishes the two tasks but their options.
        TaskTerms memory terms = ethTerms();
        uint256 first = createTask(terms);
        uint256 second = createAs(poster, terms, noOptions(), REWARD);
        assertEq(second, first + 1, "ids in sequence");
        assertEq(market.stateOf(first).flags, market.stateOf(second).flags, "same flags");
    }

    function test_GivenAssigner_ClaimShouldRevert() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createAs(poster, terms, assignerOptions(), REWARD);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotAssigner.selector, taskId, human));
        claimTask(taskId, terms, human);
    }

    function test_GivenAssigner_EvenTheAssignerCannotClaim() external {
        // `claim` is for first-come tasks only; the assigner gives tasks out through `assign`.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createAs(poster, terms, assignerOptions(), REWARD);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_CallerNotAssigner.selector, taskId, address(assigner))
        );
        vm.prank(address(assigner));
        market.claim{ value: BOND }(taskId, terms, noCapabilities());
    }

    function test_GivenAssigner_ThePosterMayStillCancel() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = createAs(poster, terms, assignerOptions(), 0);
        uint256 posterBefore = token.balanceOf(poster);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, REWARD, 0);
        vm.prank(poster);
        market.cancel(taskId, terms);
        assertEq(token.balanceOf(poster), posterBefore + REWARD, "refunded");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
    }

    function testFuzz_CreateTaskWithOptions(uint128 reward, uint96 budget, bool withAssigner) external {
        reward = uint128(bound(reward, 1, 100 ether));
        budget = uint96(bound(budget, 0, reward));
        TaskTerms memory terms = ethTerms();
        terms.reward = reward;
        TaskOptions memory options = budgetOptions(budget);
        if (withAssigner) options.assigner = address(assigner);
        uint256 taskId = createAs(poster, terms, options, reward);
        bool flagged = budget != 0 || withAssigner;
        assertEq(market.stateOf(taskId).flags, flagged ? FLAG_EXTENDED : 0, "flagged exactly when options are set");
        assertOptions(taskId, flagged ? options : noOptions());
        assertEq(address(market).balance, reward, "escrowed");
    }
}
