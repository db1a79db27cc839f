// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ApplicationBoard } from "../../../../contracts/assignment/ApplicationBoard.sol";
import { GatedClaim } from "../../../../contracts/assignment/GatedClaim.sol";
import { IApplicationBoard } from "../../../../contracts/interfaces/assignment/IApplicationBoard.sol";
import { IGatedClaim } from "../../../../contracts/interfaces/assignment/IGatedClaim.sol";
import { Requirements } from "../../../../contracts/types/AssignmentTypes.sol";
import { ExecutorKind, TaskOptions, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

/// @notice Deploys a `GatedClaim` and an `ApplicationBoard` on the market of `Base_Test`, and offers helpers to post
/// tasks given out by them and to build executors' records by running real tasks through the market.
/// @dev `poster` posts; `human` and `agent` (registered by `Base_Test`) and the executors of {newExecutor} claim or
/// apply. Every funded account has allowed both modules, as well as the market, to pull its tokens.
abstract contract Assignment_Test is Base_Test {
    /// @dev The modules' constants, restated so that a change to them is noticed.
    uint256 internal constant MAX_DEPENDENCIES = 8;
    uint256 internal constant MAX_APPLICANTS = 32;

    GatedClaim internal gatedClaim;
    ApplicationBoard internal board;

    function setUp() public virtual override {
        super.setUp();
        gatedClaim = new GatedClaim(market);
        board = new ApplicationBoard(market);

        address[5] memory funded = [poster, human, agent, stranger, reviewer];
        for (uint256 i = 0; i < funded.length; ++i) {
            approveModules(funded[i]);
        }

        vm.label(address(gatedClaim), "GatedClaim");
        vm.label(address(board), "ApplicationBoard");
    }

    /*//////////////////////////////////////////////////////////////
                            CONFIGURATIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev No gate and no dependency.
    function openRequirements() internal pure returns (Requirements memory requirements) {
        requirements.maxDisputesLostBps = uint16(BPS);
    }

    function gateRequirements(
        uint32 minCompleted,
        uint16 maxDisputesLostBps
    ) internal pure returns (Requirements memory requirements) {
        requirements.minCompleted = minCompleted;
        requirements.maxDisputesLostBps = maxDisputesLostBps;
    }

    function dependencyRequirements(uint256 dependency) internal pure returns (Requirements memory requirements) {
        requirements = openRequirements();
        requirements.dependencies = new uint256[](1);
        requirements.dependencies[0] = dependency;
    }

    function dependencyRequirements(
        uint256 first,
        uint256 second
    ) internal pure returns (Requirements memory requirements) {
        requirements = openRequirements();
        requirements.dependencies = new uint256[](2);
        (requirements.dependencies[0], requirements.dependencies[1]) = (first, second);
    }

    function gateConfig(Requirements memory requirements) internal pure returns (IGatedClaim.GateConfig memory) {
        return IGatedClaim.GateConfig({ requirements: requirements });
    }

    function openGate() internal pure returns (IGatedClaim.GateConfig memory) {
        return gateConfig(openRequirements());
    }

    function boardConfig(
        Requirements memory requirements,
        uint40 applicationDeadline
    ) internal pure returns (IApplicationBoard.BoardConfig memory) {
        return IApplicationBoard.BoardConfig({ requirements: requirements, applicationDeadline: applicationDeadline });
    }

    /// @dev No gate, no dependency, applications open until the claim deadline.
    function openBoard() internal pure returns (IApplicationBoard.BoardConfig memory) {
        return boardConfig(openRequirements(), 0);
    }

    function hashOf(IGatedClaim.GateConfig memory config) internal pure returns (bytes32) {
        return keccak256(abi.encode(config));
    }

    function hashOf(IApplicationBoard.BoardConfig memory config) internal pure returns (bytes32) {
        return keccak256(abi.encode(config));
    }

    /*//////////////////////////////////////////////////////////////
                                 TASKS
    //////////////////////////////////////////////////////////////*/

    /// @dev Creates a task whose options name `assigner` and commit to `configHash`, funding it like {createTask}.
    function createTaskWithOptions(
        TaskTerms memory terms,
        address assigner,
        bytes32 configHash,
        bytes32[] memory capabilities
    ) internal returns (uint256 taskId) {
        uint256 value = terms.token == address(0) ? uint256(terms.reward) + terms.verifierFee : 0;
        TaskOptions memory options = TaskOptions({
            assigner: assigner,
            subtaskBudget: 0,
            assignerConfigHash: configHash
        });
        vm.prank(terms.poster);
        taskId = market.createTaskWithOptions{ value: value }(terms, options, capabilities, DOCUMENT_URI);
    }

    function createGatedTask(
        TaskTerms memory terms,
        IGatedClaim.GateConfig memory config
    ) internal returns (uint256 taskId) {
        return createTaskWithOptions(terms, address(gatedClaim), hashOf(config), noCapabilities());
    }

    function createBoardTask(
        TaskTerms memory terms,
        IApplicationBoard.BoardConfig memory config
    ) internal returns (uint256 taskId) {
        return createTaskWithOptions(terms, address(board), hashOf(config), noCapabilities());
    }

    /// @dev The bond an executor pays: in `msg.value` for ETH, by allowance otherwise.
    function bondValue(TaskTerms memory terms) internal pure returns (uint256) {
        return terms.token == address(0) ? terms.claimBond : 0;
    }

    /*//////////////////////////////////////////////////////////////
                               EXECUTORS
    //////////////////////////////////////////////////////////////*/

    /// @dev Lets the market and both modules pull `account`'s tokens.
    function approveModules(address account) internal {
        vm.startPrank(account);
        token.approve(address(market), type(uint256).max);
        token.approve(address(gatedClaim), type(uint256).max);
        token.approve(address(board), type(uint256).max);
        vm.stopPrank();
    }

    /// @dev A fresh human executor with both test capabilities, funded with 1,000 ETH and 1,000,000 tokens.
    function newExecutor(string memory name) internal returns (address executor) {
        executor = makeAddr(name);
        vm.deal(executor, 1000 ether);
        token.mint(executor, 1_000_000 ether);
        approveModules(executor);
        registerExecutor(executor, ExecutorKind.Human, sortedCapabilities());
    }

    /// @dev Gives `executor` `count` completed tasks by running plain ETH tasks to settlement: posted, claimed,
    /// submitted and approved.
    function giveCompletedTasks(address executor, uint256 count) internal {
        for (uint256 i = 0; i < count; ++i) {
            TaskTerms memory terms = ethTerms();
            uint256 taskId = createTask(terms);
            claimTask(taskId, terms, executor);
            submitWork(taskId, terms, executor);
            approveTask(taskId, terms);
        }
    }

    /// @dev Records `won` disputes won and `lost` disputes lost for `executor`: each is a task with `reviewer` as
    /// delegated verifier, which holds the submission and then resolves it with the whole amount for the executor (a
    /// dispute won, which also counts as a completed task) or nothing (a dispute lost, which does not).
    function giveDisputes(address executor, uint256 won, uint256 lost) internal {
        for (uint256 i = 0; i < won + lost; ++i) {
            TaskTerms memory terms = delegatedTerms(address(0));
            uint256 taskId = createTask(terms);
            claimTask(taskId, terms, executor);
            submitWork(taskId, terms, executor);
            holdTask(taskId, terms, uint40(block.timestamp + 1 days), 0);
            resolveTask(taskId, terms, i < won ? uint16(BPS) : 0);
        }
    }

    /*//////////////////////////////////////////////////////////////
                              DEPENDENCIES
    //////////////////////////////////////////////////////////////*/

    /// @dev A plain ETH task, left `Posted`.
    function postedDependency() internal returns (uint256 taskId) {
        return createTask(ethTerms());
    }

    /// @dev A plain ETH task claimed and submitted by `human`, then left past its review window: `Verified` and not
    /// settled.
    function verifiedDependency() internal returns (uint256 taskId) {
        taskId = submittedTask(ethTerms());
        warpPastReviewDeadline(taskId);
        assertStatus(taskId, TaskStatus.Verified);
    }

    /// @dev A plain ETH task approved and settled.
    function settledDependency() internal returns (uint256 taskId) {
        taskId = settledTask(ethTerms());
    }

    /// @dev A plain ETH task its poster cancelled.
    function cancelledDependency() internal returns (uint256 taskId) {
        TaskTerms memory terms = ethTerms();
        taskId = createTask(terms);
        vm.prank(poster);
        market.cancel(taskId, terms);
    }
}
