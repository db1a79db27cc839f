// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Pausable } from "@openzeppelin/contracts/utils/Pausable.sol";

import { TaskMarket } from "../../../../contracts/TaskMarket.sol";
import { TaskMarketExtension } from "../../../../contracts/TaskMarketExtension.sol";
import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { PermitSignature, TaskOptions, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { ReentrantReceiver } from "../../utils/TestAccounts.sol";
import { Options_Test } from "./OptionsBase.t.sol";

/// @notice The cold entry points (`createTaskWithPermit`, `consentToCancel`, `rate`, `createTaskWithOptions`,
/// `assign`, `createSubtask`) run in `TaskMarketExtension` through the market's delegatecall: the extension refuses
/// direct calls, shares the market's ABI, and runs inside the market's pause check and reentrancy lock, with the
/// market's caller, value and storage, bubbling its errors up unchanged.
contract Extension_Unit_Test is Options_Test {
    TaskMarketExtension internal extension;

    function setUp() public override {
        super.setUp();
        extension = TaskMarketExtension(market.extension());
        vm.label(address(extension), "TaskMarketExtension");
    }

    /*//////////////////////////////////////////////////////////////
                              DEPLOYMENT
    //////////////////////////////////////////////////////////////*/

    function test_TheMarketDeploysItsOwnExtension() external {
        assertTrue(address(extension) != address(0), "extension set");
        assertGt(address(extension).code.length, 0, "extension deployed");
        TaskMarket other = new TaskMarket(owner, registry, FEE_BPS, feeRecipient);
        assertTrue(other.extension() != address(extension), "each market has its own");
    }

    function test_TheExtensionSharesTheMarketsSelectors() external pure {
        assertEq(extensionSelectorAt(0), ITaskMarket.createTaskWithPermit.selector, "createTaskWithPermit");
        assertEq(extensionSelectorAt(1), ITaskMarket.consentToCancel.selector, "consentToCancel");
        assertEq(extensionSelectorAt(2), ITaskMarket.rate.selector, "rate");
        assertEq(extensionSelectorAt(3), ITaskMarket.createTaskWithOptions.selector, "createTaskWithOptions");
        assertEq(extensionSelectorAt(4), ITaskMarket.assign.selector, "assign");
        assertEq(extensionSelectorAt(5), ITaskMarket.createSubtask.selector, "createSubtask");
    }

    function extensionSelectorAt(uint256 index) private pure returns (bytes4) {
        bytes4[6] memory selectors = [
            TaskMarketExtension.createTaskWithPermit.selector,
            TaskMarketExtension.consentToCancel.selector,
            TaskMarketExtension.rate.selector,
            TaskMarketExtension.createTaskWithOptions.selector,
            TaskMarketExtension.assign.selector,
            TaskMarketExtension.createSubtask.selector
        ];
        return selectors[index];
    }

    /*//////////////////////////////////////////////////////////////
                             DIRECT CALLS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_CreateTaskWithOptionsCalledDirectly() external {
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(ITaskMarket.TaskMarketExtension_NotDelegated.selector);
        vm.prank(poster);
        extension.createTaskWithOptions{ value: REWARD }(terms, assignerOptions(), noCapabilities(), DOCUMENT_URI);
        assertEq(address(extension).balance, 0, "no ETH kept");
    }

    function test_RevertWhen_AssignCalledDirectly() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        vm.expectRevert(ITaskMarket.TaskMarketExtension_NotDelegated.selector);
        vm.prank(address(assigner));
        extension.assign{ value: BOND }(taskId, terms, human, REWARD, noCapabilities());
        assertStatus(taskId, TaskStatus.Posted);
    }

    function test_RevertWhen_CreateSubtaskCalledDirectly() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        vm.expectRevert(ITaskMarket.TaskMarketExtension_NotDelegated.selector);
        vm.prank(human);
        extension.createSubtask(parentId, parentTerms, terms, noOptions(), noCapabilities(), SUBTASK_URI);
        assertFunding(parentId, 0, 0, 0);
    }

    function test_RevertWhen_CreateTaskWithPermitCalledDirectly() external {
        TaskTerms memory terms = tokenTerms();
        PermitSignature memory permit;
        vm.expectRevert(ITaskMarket.TaskMarketExtension_NotDelegated.selector);
        vm.prank(poster);
        extension.createTaskWithPermit(terms, noCapabilities(), DOCUMENT_URI, permit);
    }

    function test_RevertWhen_ConsentToCancelCalledDirectly() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.expectRevert(ITaskMarket.TaskMarketExtension_NotDelegated.selector);
        vm.prank(poster);
        extension.consentToCancel(taskId, terms);
        assertEq(market.stateOf(taskId).flags, 0, "no consent recorded");
    }

    function test_RevertWhen_RateCalledDirectly() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = settledTask(terms);
        vm.expectRevert(ITaskMarket.TaskMarketExtension_NotDelegated.selector);
        vm.prank(poster);
        extension.rate(taskId, terms, 5);
        assertEq(market.executorRecordOf(human).ratingCount, 0, "no rating recorded");
    }

    /*//////////////////////////////////////////////////////////////
                         THROUGH THE MARKET
    //////////////////////////////////////////////////////////////*/

    function test_WhenDelegated_ItShouldReturnTheNewIds() external {
        TaskTerms memory parentTerms = tokenTerms();
        uint256 expected = market.nextTaskId();
        uint256 parentId = createTaskWithOptions(parentTerms, budgetOptions(SUBTASK_BUDGET));
        assertEq(parentId, expected, "createTaskWithOptions returns the id");
        claimTask(parentId, parentTerms, human);
        uint256 subtaskId = createSubtask(parentId, parentTerms, subtaskTerms(parentTerms));
        assertEq(subtaskId, expected + 1, "createSubtask returns the id");
    }

    function test_WhenDelegated_ItShouldBubbleUpErrorsUnchanged() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = settledTask(terms);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarket_InvalidRating.selector, uint8(6)));
        vm.prank(poster);
        market.rate(taskId, terms, 6);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarket_CallerNotParty.selector, taskId, stranger));
        vm.prank(stranger);
        market.rate(taskId, terms, 5);
        // An error of the `Errors` library, raised by code the extension shares with the market.
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 99));
        vm.prank(stranger);
        market.consentToCancel(99, terms);
    }

    function test_WhenPaused_CreationThroughTheExtensionShouldRevert() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        vm.prank(owner);
        market.pause();

        TaskTerms memory terms = ethTerms();
        TaskOptions memory options = assignerOptions();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        createTaskWithOptions(terms, options);
        terms = subtaskTerms(parentTerms);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        createSubtask(parentId, parentTerms, terms);
        terms = tokenTerms();
        PermitSignature memory permit;
        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(poster);
        market.createTaskWithPermit(terms, noCapabilities(), DOCUMENT_URI, permit);
    }

    function test_WhenPaused_TheOtherExtensionCallsShouldGoOn() external {
        TaskTerms memory terms = ethTerms();
        uint256 assignable = assignableTask(terms);
        uint256 claimed = claimedTask(terms);
        uint256 settled = settledTask(terms);
        vm.prank(owner);
        market.pause();

        assignTask(assignable, terms, human, REWARD);
        assertStatus(assignable, TaskStatus.Claimed);
        vm.prank(poster);
        market.consentToCancel(claimed, terms);
        vm.prank(human);
        market.consentToCancel(claimed, terms);
        assertStatus(claimed, TaskStatus.Cancelled);
        vm.prank(poster);
        market.rate(settled, terms, 4);
        assertEq(market.executorRecordOf(human).ratingSum, 4, "rated");
    }

    /*//////////////////////////////////////////////////////////////
                           REENTRANCY LOCK
    //////////////////////////////////////////////////////////////*/

    /// @dev A task posted by a `ReentrantReceiver` that, when refunded by `cancel`, calls the market with
    /// `reentryData`; returns what that call reverted with.
    function reenterOnRefund(bytes memory reentryData) private returns (bytes memory) {
        ReentrantReceiver receiver = new ReentrantReceiver();
        vm.deal(address(receiver), 10 ether);
        TaskTerms memory terms = ethTerms();
        terms.poster = address(receiver);
        bytes memory created = receiver.execute(
            address(market),
            REWARD,
            abi.encodeCall(market.createTask, (terms, noCapabilities(), DOCUMENT_URI))
        );
        uint256 taskId = abi.decode(created, (uint256));
        receiver.setReentry(address(market), reentryData);
        receiver.execute(address(market), 0, abi.encodeCall(market.cancel, (taskId, terms)));
        assertTrue(receiver.reentered(), "the receiver called back");
        assertStatus(taskId, TaskStatus.Cancelled);
        return receiver.reentryRevertData();
    }

    function test_WhenReenteringCreateTaskWithOptions_ItShouldRevert() external {
        TaskTerms memory terms = tokenTerms();
        bytes memory revertData = reenterOnRefund(
            abi.encodeCall(market.createTaskWithOptions, (terms, noOptions(), noCapabilities(), DOCUMENT_URI))
        );
        assertEq(revertData, abi.encodeWithSelector(Errors.NonReentrant_ReentrantCall.selector), "locked");
    }

    function test_WhenReenteringCreateSubtask_ItShouldRevert() external {
        TaskTerms memory parentTerms = ethTerms();
        uint256 parentId = parentTask(parentTerms, SUBTASK_BUDGET);
        TaskTerms memory terms = subtaskTerms(parentTerms);
        bytes memory revertData = reenterOnRefund(
            abi.encodeCall(
                market.createSubtask,
                (parentId, parentTerms, terms, noOptions(), noCapabilities(), SUBTASK_URI)
            )
        );
        assertEq(revertData, abi.encodeWithSelector(Errors.NonReentrant_ReentrantCall.selector), "locked");
        assertFunding(parentId, 0, 0, 0);
    }

    function test_WhenReenteringAssign_ItShouldRevert() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = assignableTask(terms);
        bytes memory revertData = reenterOnRefund(
            abi.encodeCall(market.assign, (taskId, terms, human, REWARD, noCapabilities()))
        );
        assertEq(revertData, abi.encodeWithSelector(Errors.NonReentrant_ReentrantCall.selector), "locked");
        assertStatus(taskId, TaskStatus.Posted);
    }

    function test_WhenReenteringConsentToCancel_ItShouldRevert() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        bytes memory revertData = reenterOnRefund(abi.encodeCall(market.consentToCancel, (taskId, terms)));
        assertEq(revertData, abi.encodeWithSelector(Errors.NonReentrant_ReentrantCall.selector), "locked");
    }

    /*//////////////////////////////////////////////////////////////
                        STORAGE, CALLER AND VALUE
    //////////////////////////////////////////////////////////////*/

    function test_WhenDelegated_ItShouldActOnTheMarketsStorageWithItsCallerAndValue() external {
        TaskTerms memory terms = ethTerms();
        TaskOptions memory options = assignerOptions();
        options.subtaskBudget = SUBTASK_BUDGET;
        uint256 taskId = createTaskWithOptions(terms, options);
        // The extension wrote the market's storage, read back through the market's own views.
        assertOptions(taskId, options);
        assertEq(market.stateOf(taskId).flags, FLAG_EXTENDED, "flag in the market's state");
        assertEq(address(market).balance, REWARD, "the value reached the market");
        assertEq(address(extension).balance, 0, "and not the extension");
        // `msg.sender` is the market's caller: the assigner.
        assignTask(taskId, terms, human, REWARD);
        assertEq(market.stateOf(taskId).executor, human, "assigned");
        assertEq(address(market).balance, uint256(REWARD) + BOND, "the bond reached the market");
    }
}
