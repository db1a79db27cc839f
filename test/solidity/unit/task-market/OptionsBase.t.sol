// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    ExecutorKind,
    TaskFunding,
    TaskOptions,
    TaskTerms,
    SubtaskLink
} from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";
import { MockAssigner } from "../../mocks/MockAssigner.sol";

/// @notice Helpers for tasks created with options: an assignment module (a `MockAssigner` that tests drive), subtask
/// budgets and subtasks.
/// @dev Roles: `poster` posts parents; `human` executes them and coordinates their subtasks (it is the subtasks'
/// poster); `agent` executes subtasks; `worker` executes sub-subtasks; `reviewer` is a delegated verifier.
abstract contract Options_Test is Base_Test {
    uint96 internal constant SUBTASK_BUDGET = 0.6 ether;
    uint128 internal constant SUBTASK_REWARD = 0.2 ether;
    uint128 internal constant SUBTASK_BOND = 0.01 ether;
    uint128 internal constant SUBTASK_VERIFIER_FEE = 0.03 ether;
    bytes32 internal constant ASSIGNER_CONFIG_HASH = keccak256("assigner config");
    bytes32 internal constant SUBTASK_DOCUMENT_HASH = keccak256("subtask document");
    string internal constant SUBTASK_URI = "ipfs://bafysubtask";
    /// @dev The bit of `TaskState.flags` that marks a task with options, or a subtask.
    uint8 internal constant FLAG_EXTENDED = 1 << 7;

    MockAssigner internal assigner;
    address internal worker = makeAddr("worker");

    function setUp() public virtual override {
        super.setUp();
        assigner = new MockAssigner(market);
        vm.deal(address(assigner), 1000 ether);
        token.mint(address(assigner), 1_000_000 ether);
        assigner.approveToken(token);
        fund(worker, 1000 ether);
        registerExecutor(worker, ExecutorKind.Human, sortedCapabilities());
        vm.label(address(assigner), "MockAssigner");
    }

    /*//////////////////////////////////////////////////////////////
                                OPTIONS
    //////////////////////////////////////////////////////////////*/

    function noOptions() internal pure returns (TaskOptions memory options) {}

    function budgetOptions(uint96 budget) internal pure returns (TaskOptions memory options) {
        options.subtaskBudget = budget;
    }

    function assignerOptions() internal view returns (TaskOptions memory options) {
        options.assigner = address(assigner);
        options.assignerConfigHash = ASSIGNER_CONFIG_HASH;
    }

    function createTaskWithOptions(TaskTerms memory terms, TaskOptions memory options) internal returns (uint256) {
        uint256 value = terms.token == address(0) ? uint256(terms.reward) + terms.verifierFee : 0;
        vm.prank(terms.poster);
        return market.createTaskWithOptions{ value: value }(terms, options, noCapabilities(), DOCUMENT_URI);
    }

    /// @dev Has the mock assigner give the task to `executor` at `price`, paying the bond.
    function assignTask(uint256 taskId, TaskTerms memory terms, address executor, uint256 price) internal {
        assigner.assign(taskId, terms, executor, price, noCapabilities());
    }

    /// @dev A task of `poster` given out by the mock assigner, not yet assigned.
    function assignableTask(TaskTerms memory terms) internal returns (uint256) {
        return createTaskWithOptions(terms, assignerOptions());
    }

    /*//////////////////////////////////////////////////////////////
                               SUBTASKS
    //////////////////////////////////////////////////////////////*/

    /// @dev A parent of `poster` with a subtask budget, claimed by `human`.
    function parentTask(TaskTerms memory terms, uint96 budget) internal returns (uint256 parentId) {
        parentId = createTaskWithOptions(terms, budgetOptions(budget));
        claimTask(parentId, terms, human);
    }

    /// @dev Terms of a subtask of a task executed by `human`, in the parent's token, reviewed by `human`.
    function subtaskTerms(TaskTerms memory parentTerms) internal view returns (TaskTerms memory terms) {
        terms = defaultTerms(parentTerms.token);
        terms.poster = human;
        terms.reward = SUBTASK_REWARD;
        terms.claimBond = SUBTASK_BOND;
        terms.documentHash = SUBTASK_DOCUMENT_HASH;
    }

    /// @dev Subtask terms reviewed by `reviewer`, which earns `SUBTASK_VERIFIER_FEE` for its first decision.
    function delegatedSubtaskTerms(TaskTerms memory parentTerms) internal view returns (TaskTerms memory terms) {
        terms = subtaskTerms(parentTerms);
        terms.verifier = reviewer;
        terms.verifierFee = SUBTASK_VERIFIER_FEE;
        terms.verifierConfigHash = VERIFIER_CONFIG_HASH;
    }

    function createSubtask(
        uint256 parentId,
        TaskTerms memory parentTerms,
        TaskTerms memory terms,
        TaskOptions memory options
    ) internal returns (uint256) {
        vm.prank(terms.poster);
        return market.createSubtask(parentId, parentTerms, terms, options, noCapabilities(), SUBTASK_URI);
    }

    function createSubtask(
        uint256 parentId,
        TaskTerms memory parentTerms,
        TaskTerms memory terms
    ) internal returns (uint256) {
        return createSubtask(parentId, parentTerms, terms, noOptions());
    }

    /*//////////////////////////////////////////////////////////////
                              ASSERTIONS
    //////////////////////////////////////////////////////////////*/

    function assertFunding(uint256 taskId, uint256 released, uint256 drawn, uint256 openSubtasks) internal view {
        TaskFunding memory funding = market.fundingOf(taskId);
        assertEq(funding.released, released, "fundingOf.released");
        assertEq(funding.drawn, drawn, "fundingOf.drawn");
        assertEq(funding.openSubtasks, openSubtasks, "fundingOf.openSubtasks");
    }

    function assertLink(uint256 subtaskId, uint256 parentId, address parentPoster) internal view {
        SubtaskLink memory link = market.parentOf(subtaskId);
        assertEq(link.parentId, parentId, "parentOf.parentId");
        assertEq(link.parentPoster, parentPoster, "parentOf.parentPoster");
    }

    function assertOptions(uint256 taskId, TaskOptions memory expected) internal view {
        TaskOptions memory actual = market.optionsOf(taskId);
        assertEq(actual.assigner, expected.assigner, "optionsOf.assigner");
        assertEq(actual.subtaskBudget, expected.subtaskBudget, "optionsOf.subtaskBudget");
        assertEq(actual.assignerConfigHash, expected.assignerConfigHash, "optionsOf.assignerConfigHash");
    }

    function balanceOfMarket(address rewardToken) internal view returns (uint256) {
        return balanceOf(rewardToken, address(market));
    }
}
