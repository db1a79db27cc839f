// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IERC20Errors } from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import { Math } from "@openzeppelin/contracts/utils/math/Math.sol";

import { GatedClaim } from "../../../../contracts/assignment/GatedClaim.sol";
import { IAssignmentModule } from "../../../../contracts/interfaces/assignment/IAssignmentModule.sol";
import { IGatedClaim } from "../../../../contracts/interfaces/assignment/IGatedClaim.sol";
import { Eligibility } from "../../../../contracts/interfaces/IExecutorRegistry.sol";
import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { Requirements } from "../../../../contracts/types/AssignmentTypes.sol";
import {
    ExecutorKind,
    ExecutorRecord,
    TaskOptions,
    TaskState,
    TaskStatus,
    TaskTerms
} from "../../../../contracts/types/TaskTypes.sol";
import { ReentrantToken } from "../../mocks/ReentrantToken.sol";
import { FeeOnTransferERC20 } from "../../utils/TestTokens.sol";
import { Assignment_Test } from "./AssignmentBase.t.sol";

/// @notice Stands in for the market where only the executor record matters: {GatedClaim-meetsGate} reads nothing
/// else, so any record can be tried without running thousands of tasks.
contract ExecutorRecordStub {
    ExecutorRecord private _record;

    function setRecord(ExecutorRecord calldata record) external {
        _record = record;
    }

    function executorRecordOf(address) external view returns (ExecutorRecord memory) {
        return _record;
    }
}

/// @notice First-come claiming through `GatedClaim`: the configuration checks, the candidate checks (eligibility,
/// conflicts, reputation gate), the dependencies, the bond, and cancellation for a failed dependency.
contract GatedClaim_Unit_Test is Assignment_Test {
    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    function claimAs(
        address executor,
        uint256 taskId,
        TaskTerms memory terms,
        IGatedClaim.GateConfig memory config
    ) private {
        claimAs(executor, taskId, terms, config, noCapabilities());
    }

    function claimAs(
        address executor,
        uint256 taskId,
        TaskTerms memory terms,
        IGatedClaim.GateConfig memory config,
        bytes32[] memory capabilities
    ) private {
        vm.prank(executor);
        gatedClaim.claim{ value: bondValue(terms) }(taskId, terms, config, capabilities);
    }

    /// @dev A gated ETH task, open to anyone, with dependencies `requirements`; the dependent task's claim deadline is
    /// 30 days away so that it outlives dependencies that expire.
    function dependentTask(
        Requirements memory requirements
    ) private returns (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) {
        terms = ethTerms();
        terms.claimDeadline = uint40(block.timestamp + 30 days);
        config = gateConfig(requirements);
        taskId = createGatedTask(terms, config);
    }

    function expectClaimRevert(
        bytes memory revertData,
        address executor,
        uint256 taskId,
        TaskTerms memory terms,
        IGatedClaim.GateConfig memory config
    ) private {
        vm.expectRevert(revertData);
        claimAs(executor, taskId, terms, config);
    }

    /// @dev A parent task with half its reward as subtask budget, claimed by `human`, its coordinator.
    function coordinatedParent() private returns (uint256 parentId, TaskTerms memory parentTerms) {
        parentTerms = ethTerms();
        TaskOptions memory options = TaskOptions({
            assigner: address(0),
            subtaskBudget: uint96(REWARD / 2),
            assignerConfigHash: bytes32(0)
        });
        vm.prank(poster);
        parentId = market.createTaskWithOptions{ value: REWARD }(parentTerms, options, noCapabilities(), DOCUMENT_URI);
        claimTask(parentId, parentTerms, human);
    }

    /// @dev A subtask of a quarter of the parent's reward, posted by `human` and given out by `assigner`.
    function subtaskOf(
        uint256 parentId,
        TaskTerms memory parentTerms,
        address assigner,
        bytes32 configHash
    ) private returns (uint256 subtaskId, TaskTerms memory terms) {
        terms = ethTerms();
        (terms.poster, terms.reward) = (human, REWARD / 4);
        TaskOptions memory options = TaskOptions({
            assigner: assigner,
            subtaskBudget: 0,
            assignerConfigHash: configHash
        });
        vm.prank(human);
        subtaskId = market.createSubtask(parentId, parentTerms, terms, options, noCapabilities(), DOCUMENT_URI);
    }

    /// @dev Whether a record passes a gate, computed as a share in basis points rounded up: `lost / disputes ≤ max`
    /// holds exactly when the rounded-up share is at most `max`, which is an integer.
    function referenceMeetsGate(
        ExecutorRecord memory record,
        uint256 minCompleted,
        uint256 maxDisputesLostBps
    ) private pure returns (bool) {
        if (record.completed < minCompleted) return false;
        uint256 disputes = uint256(record.disputesWon) + record.disputesLost;
        if (disputes == 0) return true;
        return Math.ceilDiv(uint256(record.disputesLost) * BPS, disputes) <= maxDisputesLostBps;
    }

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    function test_Constructor_SetsTheMarket() external view {
        assertEq(address(gatedClaim.market()), address(market), "market");
        assertEq(gatedClaim.MAX_DEPENDENCIES(), MAX_DEPENDENCIES, "MAX_DEPENDENCIES");
    }

    function test_RevertWhen_Constructor_MarketZero() external {
        vm.expectRevert(Errors.AssignmentModule_ZeroAddress.selector);
        new GatedClaim(ITaskMarket(address(0)));
    }

    function test_ConfigHash_IsTheHashOfTheEncodedConfig() external view {
        IGatedClaim.GateConfig memory config = gateConfig(dependencyRequirements(1, 2));
        config.requirements.minCompleted = 3;
        assertEq(gatedClaim.configHash(config), keccak256(abi.encode(config)), "configHash");
        assertTrue(gatedClaim.configHash(config) != gatedClaim.configHash(openGate()), "distinct configs");
    }

    /*//////////////////////////////////////////////////////////////
                             PUBLISH CONFIG
    //////////////////////////////////////////////////////////////*/

    function test_PublishConfig_EmitsTheConfig() external {
        uint256 dependency = postedDependency();
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(dependency)
        );

        vm.expectEmit(address(gatedClaim));
        emit IGatedClaim.GateConfigPublished(taskId, hashOf(config), config);
        vm.prank(stranger);
        gatedClaim.publishConfig(taskId, terms, config);
    }

    function test_RevertWhen_PublishConfig_ConfigMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createGatedTask(terms, openGate());
        IGatedClaim.GateConfig memory other = gateConfig(gateRequirements(1, uint16(BPS)));

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_ConfigMismatch.selector,
                taskId,
                hashOf(openGate()),
                hashOf(other)
            )
        );
        gatedClaim.publishConfig(taskId, terms, other);
    }

    function test_RevertWhen_PublishConfig_TermsMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createGatedTask(terms, openGate());
        terms.reward += 1;

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_TermsMismatch.selector, taskId));
        gatedClaim.publishConfig(taskId, terms, openGate());
    }

    function test_RevertWhen_PublishConfig_InvalidRequirements() external {
        uint256 taskId = market.nextTaskId();
        IGatedClaim.GateConfig memory config = gateConfig(dependencyRequirements(taskId));
        TaskTerms memory terms = ethTerms();
        createGatedTask(terms, config);

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_InvalidDependency.selector, taskId, taskId));
        gatedClaim.publishConfig(taskId, terms, config);
    }

    /*//////////////////////////////////////////////////////////////
                           CLAIM: HAPPY PATHS
    //////////////////////////////////////////////////////////////*/

    function test_Claim_EthTask_TakesTheBondAndGivesTheTask() external {
        TaskTerms memory terms = ethTerms();
        IGatedClaim.GateConfig memory config = openGate();
        uint256 taskId = createGatedTask(terms, config);
        uint256 humanBefore = human.balance;
        uint256 marketBefore = address(market).balance;
        uint40 executionDeadline = uint40(block.timestamp) + EXECUTION_WINDOW;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskClaimed(taskId, human, executionDeadline, BOND);
        claimAs(human, taskId, terms, config);

        assertEq(
            market.stateOf(taskId),
            TaskState({
                executor: human,
                status: TaskStatus.Claimed,
                executionDeadline: executionDeadline,
                reviewDeadline: 0,
                flags: 1 << 7
            })
        );
        assertEq(human.balance, humanBefore - BOND, "human paid the bond");
        assertEq(address(market).balance, marketBefore + BOND, "market holds the bond");
        assertEq(address(gatedClaim).balance, 0, "module keeps nothing");

        // The task then runs like any other: the executor is paid the reward net of the fee, and its bond back.
        submitWork(taskId, terms, human);
        approveTask(taskId, terms);
        assertEq(human.balance, humanBefore + payoutOf(REWARD, FEE_BPS), "human paid");
        assertEq(address(market).balance, marketBefore - REWARD + feeOf(REWARD, FEE_BPS), "market keeps the fee");
    }

    function test_Claim_TokenTask_PullsTheBondThroughTheModule() external {
        TaskTerms memory terms = tokenTerms();
        IGatedClaim.GateConfig memory config = openGate();
        uint256 taskId = createGatedTask(terms, config);
        uint256 humanBefore = token.balanceOf(human);
        uint256 humanEthBefore = human.balance;
        uint256 marketBefore = token.balanceOf(address(market));

        claimAs(human, taskId, terms, config);

        assertStatus(taskId, TaskStatus.Claimed);
        assertEq(token.balanceOf(human), humanBefore - BOND, "human paid the bond");
        assertEq(token.balanceOf(address(market)), marketBefore + BOND, "market holds the bond");
        assertEq(token.balanceOf(address(gatedClaim)), 0, "module keeps nothing");
        assertEq(token.allowance(address(gatedClaim), address(market)), 0, "no allowance left over");
        assertEq(human.balance, humanEthBefore, "no ETH moves");
    }

    function test_Claim_WithCapabilities_ByAnAgent() external {
        TaskTerms memory terms = ethTerms();
        terms.executorKind = ExecutorKind.Agent;
        terms.capabilitiesHash = hashCapabilities(sortedCapabilities());
        IGatedClaim.GateConfig memory config = openGate();
        uint256 taskId = createTaskWithOptions(terms, address(gatedClaim), hashOf(config), sortedCapabilities());

        claimAs(agent, taskId, terms, config, sortedCapabilities());

        assertEq(market.stateOf(taskId).executor, agent, "executor");
    }

    function test_Claim_ZeroBond_EthAndToken() external {
        IGatedClaim.GateConfig memory config = openGate();
        TaskTerms memory ethTask = ethTerms();
        ethTask.claimBond = 0;
        TaskTerms memory tokenTask = tokenTerms();
        tokenTask.claimBond = 0;
        uint256 ethId = createGatedTask(ethTask, config);
        uint256 tokenId = createGatedTask(tokenTask, config);
        uint256 humanEthBefore = human.balance;
        uint256 humanTokenBefore = token.balanceOf(human);

        claimAs(human, ethId, ethTask, config);
        claimAs(human, tokenId, tokenTask, config);

        assertStatus(ethId, TaskStatus.Claimed);
        assertStatus(tokenId, TaskStatus.Claimed);
        assertEq(human.balance, humanEthBefore, "no ETH paid");
        assertEq(token.balanceOf(human), humanTokenBefore, "no token paid");
    }

    /// After a lapse, the task is claimed again through the module; the lapsed bond goes to the poster.
    function test_Claim_AfterLapsedClaim_ForfeitsThePreviousBond() external {
        TaskTerms memory terms = ethTerms();
        IGatedClaim.GateConfig memory config = openGate();
        uint256 taskId = createGatedTask(terms, config);
        claimAs(human, taskId, terms, config);
        warpPastExecutionDeadline(taskId);
        assertStatus(taskId, TaskStatus.Posted);
        uint256 posterBefore = poster.balance;
        uint256 agentBefore = agent.balance;
        uint256 marketBefore = address(market).balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, false, BOND);
        claimAs(agent, taskId, terms, config);

        assertEq(market.stateOf(taskId).executor, agent, "new executor");
        assertEq(poster.balance, posterBefore + BOND, "poster gets the forfeited bond");
        assertEq(agent.balance, agentBefore - BOND, "agent paid its bond");
        assertEq(address(market).balance, marketBefore, "market: one bond out, one in");
        assertEq(market.executorRecordOf(human).expired, 1, "lapse recorded");
    }

    /// A coordinator gives out a subtask through the module, after a sibling subtask it depends on is settled.
    function test_Claim_SubtaskAfterItsSiblingDependency() external {
        (uint256 parentId, TaskTerms memory parentTerms) = coordinatedParent();
        (uint256 firstId, TaskTerms memory first) = subtaskOf(parentId, parentTerms, address(0), bytes32(0));
        IGatedClaim.GateConfig memory config = gateConfig(dependencyRequirements(firstId));
        (uint256 secondId, TaskTerms memory second) = subtaskOf(
            parentId,
            parentTerms,
            address(gatedClaim),
            hashOf(config)
        );
        address third = newExecutor("third");
        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_DependenciesNotMet.selector, secondId),
            third,
            secondId,
            second,
            config
        );

        claimTask(firstId, first, agent);
        submitWork(firstId, first, agent);
        approveTask(firstId, first);
        claimAs(third, secondId, second, config);

        assertEq(market.stateOf(secondId).executor, third, "executor");
        assertEq(market.fundingOf(parentId).openSubtasks, 1, "one subtask still open");
    }

    /*//////////////////////////////////////////////////////////////
                       CLAIM: TASK AND CONFIGURATION
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_Claim_ConfigMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createGatedTask(terms, gateConfig(gateRequirements(1, uint16(BPS))));

        expectClaimRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_ConfigMismatch.selector,
                taskId,
                hashOf(gateConfig(gateRequirements(1, uint16(BPS)))),
                hashOf(openGate())
            ),
            human,
            taskId,
            terms,
            openGate()
        );
    }

    function test_RevertWhen_Claim_TermsMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createGatedTask(terms, openGate());
        terms.claimBond = 0;

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_TermsMismatch.selector, taskId),
            human,
            taskId,
            terms,
            openGate()
        );
    }

    function test_RevertGiven_Claim_TaskNotFound() external {
        TaskTerms memory terms = ethTerms();
        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_TermsMismatch.selector, 1),
            human,
            1,
            terms,
            openGate()
        );
    }

    function test_RevertGiven_Claim_TaskNamesAnotherModule() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTaskWithOptions(terms, address(board), hashOf(openGate()), noCapabilities());

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_NotAssigner.selector, taskId, address(board)),
            human,
            taskId,
            terms,
            openGate()
        );
    }

    function test_RevertGiven_Claim_TaskWithoutAssigner() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_NotAssigner.selector, taskId, address(0)),
            human,
            taskId,
            terms,
            openGate()
        );
    }

    function test_RevertGiven_Claim_TaskClaimed() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createGatedTask(terms, openGate());
        claimAs(human, taskId, terms, openGate());

        expectClaimRevert(
            abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Claimed),
            agent,
            taskId,
            terms,
            openGate()
        );
    }

    function test_RevertGiven_Claim_ClaimDeadlinePassed() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createGatedTask(terms, openGate());
        warpPastClaimDeadline(terms);

        expectClaimRevert(
            abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Expired),
            human,
            taskId,
            terms,
            openGate()
        );
    }

    function test_RevertGiven_Claim_TaskCancelledByThePoster() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createGatedTask(terms, openGate());
        vm.prank(poster);
        market.cancel(taskId, terms);

        expectClaimRevert(
            abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Cancelled),
            human,
            taskId,
            terms,
            openGate()
        );
    }

    /// The market refuses a direct claim of a task that names an assigner, and an assignment by anyone else.
    function test_RevertWhen_MarketClaimedDirectly() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createGatedTask(terms, openGate());

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotAssigner.selector, taskId, human));
        vm.prank(human);
        market.claim{ value: BOND }(taskId, terms, noCapabilities());

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotAssigner.selector, taskId, human));
        vm.prank(human);
        market.assign{ value: BOND }(taskId, terms, human, REWARD, noCapabilities());
    }

    /*//////////////////////////////////////////////////////////////
                           CLAIM: REQUIREMENTS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_Claim_TooManyDependencies() external {
        Requirements memory requirements = openRequirements();
        requirements.dependencies = new uint256[](MAX_DEPENDENCIES + 1);
        for (uint256 i = 0; i < requirements.dependencies.length; ++i) {
            requirements.dependencies[i] = settledDependency();
        }
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(requirements);

        expectClaimRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_TooManyDependencies.selector,
                MAX_DEPENDENCIES + 1,
                MAX_DEPENDENCIES
            ),
            human,
            taskId,
            terms,
            config
        );
    }

    function test_Claim_WithTheMostDependencies() external {
        Requirements memory requirements = openRequirements();
        requirements.dependencies = new uint256[](MAX_DEPENDENCIES);
        for (uint256 i = 0; i < requirements.dependencies.length; ++i) {
            requirements.dependencies[i] = settledDependency();
        }
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(requirements);

        vm.expectEmit(address(gatedClaim));
        emit IAssignmentModule.DependenciesMet(taskId, requirements.dependencies);
        claimAs(agent, taskId, terms, config);

        assertStatus(taskId, TaskStatus.Claimed);
    }

    function test_RevertWhen_Claim_DependenciesUnsorted() external {
        uint256 first = settledDependency();
        uint256 second = settledDependency();
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(second, first)
        );

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_InvalidDependency.selector, taskId, first),
            agent,
            taskId,
            terms,
            config
        );
    }

    function test_RevertWhen_Claim_DependencyDuplicated() external {
        uint256 dependency = settledDependency();
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(dependency, dependency)
        );

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_InvalidDependency.selector, taskId, dependency),
            agent,
            taskId,
            terms,
            config
        );
    }

    function test_RevertWhen_Claim_DependencyIsTheTaskItself() external {
        uint256 self = market.nextTaskId();
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(self)
        );
        assertEq(taskId, self, "task id");

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_InvalidDependency.selector, taskId, taskId),
            human,
            taskId,
            terms,
            config
        );
    }

    /// A later task would allow a cycle; it is refused even once it exists and is settled.
    function test_RevertWhen_Claim_DependencyIsALaterTask() external {
        uint256 later = market.nextTaskId() + 1;
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(later)
        );
        assertEq(settledDependency(), later, "later id");

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_InvalidDependency.selector, taskId, later),
            agent,
            taskId,
            terms,
            config
        );
    }

    function test_RevertWhen_Claim_DependencyZero() external {
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(0)
        );

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_InvalidDependency.selector, taskId, 0),
            human,
            taskId,
            terms,
            config
        );
    }

    function test_RevertWhen_Claim_MaxDisputesLostAboveTheWhole() external {
        TaskTerms memory terms = ethTerms();
        IGatedClaim.GateConfig memory config = gateConfig(gateRequirements(0, uint16(BPS + 1)));
        uint256 taskId = createGatedTask(terms, config);

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_InvalidShare.selector, BPS + 1),
            human,
            taskId,
            terms,
            config
        );
    }

    /*//////////////////////////////////////////////////////////////
                            CLAIM: CANDIDATE
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_Claim_CallerIsThePoster() external {
        registerExecutor(poster, ExecutorKind.Human, sortedCapabilities());
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createGatedTask(terms, openGate());

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_CandidateIsParty.selector, taskId, poster),
            poster,
            taskId,
            terms,
            openGate()
        );
    }

    function test_RevertWhen_Claim_CallerIsTheVerifier() external {
        registerExecutor(reviewer, ExecutorKind.Human, sortedCapabilities());
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = createGatedTask(terms, openGate());

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_CandidateIsParty.selector, taskId, reviewer),
            reviewer,
            taskId,
            terms,
            openGate()
        );
    }

    /// The module does not look at operators; the market does, and refuses the poster's own agent.
    function test_RevertWhen_Claim_CallerIsAnAgentOfThePoster() external {
        address posterAgent = makeAddr("posterAgent");
        vm.deal(posterAgent, 10 ether);
        vm.prank(posterAgent);
        registry.register(ExecutorKind.Agent, poster, sortedCapabilities(), "ipfs://poster-agent");
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createGatedTask(terms, openGate());

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_CandidateIsParty.selector, taskId, posterAgent),
            posterAgent,
            taskId,
            terms,
            openGate()
        );
    }

    function test_RevertWhen_Claim_CallerNotRegistered() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createGatedTask(terms, openGate());

        expectClaimRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_NotEligible.selector,
                taskId,
                stranger,
                Eligibility.NotRegistered
            ),
            stranger,
            taskId,
            terms,
            openGate()
        );
    }

    function test_RevertWhen_Claim_CallerInactive() external {
        vm.prank(human);
        registry.setActive(false);
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createGatedTask(terms, openGate());

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_NotEligible.selector, taskId, human, Eligibility.Inactive),
            human,
            taskId,
            terms,
            openGate()
        );
    }

    function test_RevertWhen_Claim_WrongKind() external {
        TaskTerms memory terms = ethTerms();
        terms.executorKind = ExecutorKind.Agent;
        uint256 taskId = createGatedTask(terms, openGate());

        expectClaimRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_NotEligible.selector,
                taskId,
                human,
                Eligibility.KindMismatch
            ),
            human,
            taskId,
            terms,
            openGate()
        );
    }

    function test_RevertWhen_Claim_MissingCapability() external {
        address novice = makeAddr("novice");
        vm.deal(novice, 10 ether);
        bytes32[] memory one = new bytes32[](1);
        one[0] = CAP_SOLIDITY;
        registerExecutor(novice, ExecutorKind.Human, one);
        TaskTerms memory terms = ethTerms();
        terms.capabilitiesHash = hashCapabilities(sortedCapabilities());
        IGatedClaim.GateConfig memory config = openGate();
        uint256 taskId = createTaskWithOptions(terms, address(gatedClaim), hashOf(config), sortedCapabilities());

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_NotEligible.selector,
                taskId,
                novice,
                Eligibility.MissingCapability
            )
        );
        claimAs(novice, taskId, terms, config, sortedCapabilities());
    }

    /// Leaving out the task's capabilities would pass the registry, which judges the list it is given; the module
    /// checks the list against the terms first.
    function test_RevertWhen_Claim_CapabilitiesNotTheTasks() external {
        TaskTerms memory terms = ethTerms();
        terms.capabilitiesHash = hashCapabilities(sortedCapabilities());
        IGatedClaim.GateConfig memory config = openGate();
        uint256 taskId = createTaskWithOptions(terms, address(gatedClaim), hashOf(config), sortedCapabilities());

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_CapabilitiesMismatch.selector,
                taskId,
                terms.capabilitiesHash,
                hashCapabilities(noCapabilities())
            )
        );
        claimAs(human, taskId, terms, config, noCapabilities());
    }

    /*//////////////////////////////////////////////////////////////
                          CLAIM: REPUTATION GATE
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_Claim_FewerCompletedThanRequired() external {
        giveCompletedTasks(human, 1);
        TaskTerms memory terms = ethTerms();
        IGatedClaim.GateConfig memory config = gateConfig(gateRequirements(2, uint16(BPS)));
        uint256 taskId = createGatedTask(terms, config);
        assertFalse(gatedClaim.meetsGate(human, config.requirements), "meetsGate");

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_GateNotMet.selector, taskId, human),
            human,
            taskId,
            terms,
            config
        );
    }

    function test_Claim_GivenExactlyTheRequiredCompleted() external {
        giveCompletedTasks(human, 2);
        TaskTerms memory terms = ethTerms();
        IGatedClaim.GateConfig memory config = gateConfig(gateRequirements(2, uint16(BPS)));
        uint256 taskId = createGatedTask(terms, config);
        assertEq(market.executorRecordOf(human).completed, 2, "completed");
        assertTrue(gatedClaim.meetsGate(human, config.requirements), "meetsGate");

        claimAs(human, taskId, terms, config);

        assertEq(market.stateOf(taskId).executor, human, "executor");
    }

    /// One dispute won and one lost: a 50 % share lost fails a 49.99 % gate and passes a 50 % gate.
    function test_RevertWhen_Claim_TooManyDisputesLost() external {
        address disputed = newExecutor("disputed");
        giveDisputes(disputed, 1, 1);
        ExecutorRecord memory record = market.executorRecordOf(disputed);
        assertEq(record.disputesWon, 1, "won");
        assertEq(record.disputesLost, 1, "lost");
        TaskTerms memory terms = ethTerms();
        IGatedClaim.GateConfig memory strict = gateConfig(gateRequirements(0, 4_999));
        uint256 taskId = createGatedTask(terms, strict);

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_GateNotMet.selector, taskId, disputed),
            disputed,
            taskId,
            terms,
            strict
        );

        IGatedClaim.GateConfig memory lenient = gateConfig(gateRequirements(0, 5_000));
        uint256 lenientId = createGatedTask(terms, lenient);
        claimAs(disputed, lenientId, terms, lenient);
        assertEq(market.stateOf(lenientId).executor, disputed, "executor");
    }

    /// Two of three disputes lost is 66.67 %: 6,666 basis points are not enough, 6,667 are.
    function test_Claim_DisputeShareRoundsAgainstTheExecutor() external {
        address disputed = newExecutor("disputed");
        giveDisputes(disputed, 1, 2);

        assertFalse(gatedClaim.meetsGate(disputed, gateRequirements(0, 6_666)), "6,666 bps");
        assertTrue(gatedClaim.meetsGate(disputed, gateRequirements(0, 6_667)), "6,667 bps");
        assertTrue(gatedClaim.meetsGate(disputed, gateRequirements(1, 6_667)), "the won dispute is a completed task");
        assertFalse(gatedClaim.meetsGate(disputed, gateRequirements(2, 6_667)), "lost ones are not");
    }

    function test_Claim_WithoutDisputes_PassesTheStrictestGate() external {
        TaskTerms memory terms = ethTerms();
        IGatedClaim.GateConfig memory config = gateConfig(gateRequirements(0, 0));
        uint256 taskId = createGatedTask(terms, config);

        claimAs(human, taskId, terms, config);

        assertEq(market.stateOf(taskId).executor, human, "executor");
    }

    function test_Claim_GateDisabled_AllDisputesLost() external {
        address disputed = newExecutor("disputed");
        giveDisputes(disputed, 0, 2);
        TaskTerms memory terms = ethTerms();
        IGatedClaim.GateConfig memory config = gateConfig(gateRequirements(0, uint16(BPS)));
        uint256 taskId = createGatedTask(terms, config);
        assertFalse(gatedClaim.meetsGate(disputed, gateRequirements(0, uint16(BPS - 1))), "any lower gate fails");

        claimAs(disputed, taskId, terms, config);

        assertEq(market.stateOf(taskId).executor, disputed, "executor");
    }

    /*//////////////////////////////////////////////////////////////
                           CLAIM: DEPENDENCIES
    //////////////////////////////////////////////////////////////*/

    function test_RevertGiven_Claim_DependencyPosted() external {
        uint256 dependency = postedDependency();
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(dependency)
        );
        assertFalse(gatedClaim.dependenciesMet(config.requirements), "dependenciesMet");

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_DependenciesNotMet.selector, taskId),
            agent,
            taskId,
            terms,
            config
        );
    }

    function test_RevertGiven_Claim_DependencyUnderReview() external {
        uint256 dependency = submittedTask(ethTerms());
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(dependency)
        );

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_DependenciesNotMet.selector, taskId),
            agent,
            taskId,
            terms,
            config
        );
    }

    function test_RevertGiven_Claim_DependencyHeld() external {
        uint256 dependency = heldTask(delegatedTerms(address(0)), uint40(block.timestamp + 1 days), 0);
        assertStatus(dependency, TaskStatus.Disputed);
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(dependency)
        );

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_DependenciesNotMet.selector, taskId),
            agent,
            taskId,
            terms,
            config
        );
    }

    /// A submission whose review window ran out reads `Verified` before anyone settles it: that is enough.
    function test_Claim_GivenDependencyVerifiedNotSettled() external {
        uint256 dependency = verifiedDependency();
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(dependency)
        );

        vm.expectEmit(address(gatedClaim));
        emit IAssignmentModule.DependenciesMet(taskId, config.requirements.dependencies);
        claimAs(agent, taskId, terms, config);

        assertStatus(dependency, TaskStatus.Verified);
        assertStoredStatus(dependency, TaskStatus.Submitted);
        assertEq(market.stateOf(taskId).executor, agent, "executor");
    }

    function test_Claim_GivenDependenciesSettledAndVerified() external {
        uint256 settled = settledDependency();
        uint256 verified = verifiedDependency();
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(settled, verified)
        );
        assertTrue(gatedClaim.dependenciesMet(config.requirements), "dependenciesMet");

        vm.expectEmit(address(gatedClaim));
        emit IAssignmentModule.DependenciesMet(taskId, config.requirements.dependencies);
        claimAs(agent, taskId, terms, config);

        assertStatus(taskId, TaskStatus.Claimed);
    }

    function test_RevertGiven_Claim_OneOfTwoDependenciesNotMet() external {
        uint256 settled = settledDependency();
        uint256 posted = postedDependency();
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(settled, posted)
        );

        expectClaimRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_DependenciesNotMet.selector, taskId),
            agent,
            taskId,
            terms,
            config
        );
    }

    function test_Claim_WithoutDependencies_EmitsNoDependenciesMet() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createGatedTask(terms, openGate());

        vm.recordLogs();
        claimAs(human, taskId, terms, openGate());

        assertEq(vm.getRecordedLogs().length, 1, "only the market's TaskClaimed");
    }

    /*//////////////////////////////////////////////////////////////
                              CLAIM: BOND
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_Claim_EthBondIncorrect() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createGatedTask(terms, openGate());
        IGatedClaim.GateConfig memory config = openGate();

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_IncorrectPayment.selector, BOND, BOND - 1));
        vm.prank(human);
        gatedClaim.claim{ value: BOND - 1 }(taskId, terms, config, noCapabilities());

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_IncorrectPayment.selector, BOND, BOND + 1));
        vm.prank(human);
        gatedClaim.claim{ value: BOND + 1 }(taskId, terms, config, noCapabilities());
    }

    function test_RevertWhen_Claim_TokenTaskWithEth() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = createGatedTask(terms, openGate());
        IGatedClaim.GateConfig memory config = openGate();

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_IncorrectPayment.selector, 0, BOND));
        vm.prank(human);
        gatedClaim.claim{ value: BOND }(taskId, terms, config, noCapabilities());
    }

    function test_RevertWhen_Claim_NoAllowanceForTheModule() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = createGatedTask(terms, openGate());
        vm.prank(human);
        token.approve(address(gatedClaim), 0);

        expectClaimRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(gatedClaim), 0, BOND),
            human,
            taskId,
            terms,
            openGate()
        );
    }

    function test_RevertWhen_Claim_FeeOnTransferToken() external {
        FeeOnTransferERC20 feeToken = new FeeOnTransferERC20();
        feeToken.mint(poster, 10 ether);
        feeToken.mint(human, 10 ether);
        vm.prank(poster);
        feeToken.approve(address(market), type(uint256).max);
        vm.prank(human);
        feeToken.approve(address(gatedClaim), type(uint256).max);
        TaskTerms memory terms = defaultTerms(address(feeToken));
        // The market refuses such a token at creation; this one starts charging only afterwards.
        feeToken.setFeeOn(false);
        uint256 taskId = createGatedTask(terms, openGate());
        feeToken.setFeeOn(true);

        expectClaimRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_TokenTransferShortfall.selector,
                address(feeToken),
                BOND,
                BOND - BOND / 100
            ),
            human,
            taskId,
            terms,
            openGate()
        );
    }

    /// A token that calls back into the module while the bond is pulled meets the reentrancy lock.
    function test_Claim_ReentryFromTheTokenIsRefused() external {
        ReentrantToken reentrant = new ReentrantToken();
        reentrant.mint(poster, 10 ether);
        reentrant.mint(human, 10 ether);
        vm.prank(poster);
        reentrant.approve(address(market), type(uint256).max);
        vm.prank(human);
        reentrant.approve(address(gatedClaim), type(uint256).max);
        TaskTerms memory terms = defaultTerms(address(reentrant));
        IGatedClaim.GateConfig memory config = openGate();
        uint256 taskId = createGatedTask(terms, config);
        reentrant.arm(
            ReentrantToken.Hook.TransferFrom,
            address(gatedClaim),
            abi.encodeCall(gatedClaim.claim, (taskId, terms, config, noCapabilities())),
            false
        );

        claimAs(human, taskId, terms, config);

        assertEq(reentrant.reentryCount(), 1, "reentered once");
        assertFalse(reentrant.reentrySucceeded(), "reentry failed");
        assertEq(reentrant.reentryErrorSelector(), Errors.NonReentrant_ReentrantCall.selector, "stopped by the lock");
        assertEq(market.stateOf(taskId).executor, human, "executor");
        assertEq(reentrant.balanceOf(address(gatedClaim)), 0, "module keeps nothing");
    }

    /*//////////////////////////////////////////////////////////////
                      CANCEL FOR FAILED DEPENDENCY
    //////////////////////////////////////////////////////////////*/

    function test_CancelForFailedDependency_GivenDependencyCancelled_RefundsThePoster() external {
        uint256 dependency = cancelledDependency();
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(dependency)
        );
        uint256 posterBefore = poster.balance;
        uint256 marketBefore = address(market).balance;

        vm.expectEmit(address(gatedClaim));
        emit IAssignmentModule.DependencyFailed(taskId, dependency);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, REWARD, 0);
        vm.prank(stranger);
        gatedClaim.cancelForFailedDependency(taskId, terms, config, 0);

        assertStatus(taskId, TaskStatus.Cancelled);
        assertEq(poster.balance, posterBefore + REWARD, "poster refunded");
        assertEq(address(market).balance, marketBefore - REWARD, "market");
        assertEq(market.posterRecordOf(poster).cancelled, 2, "both cancellations recorded");
    }

    function test_CancelForFailedDependency_TokenTask_RefundsThePoster() external {
        uint256 dependency = cancelledDependency();
        TaskTerms memory terms = tokenTerms();
        IGatedClaim.GateConfig memory config = gateConfig(dependencyRequirements(dependency));
        uint256 taskId = createGatedTask(terms, config);
        uint256 posterBefore = token.balanceOf(poster);

        gatedClaim.cancelForFailedDependency(taskId, terms, config, 0);

        assertStatus(taskId, TaskStatus.Cancelled);
        assertEq(token.balanceOf(poster), posterBefore + REWARD, "poster refunded");
        assertEq(token.balanceOf(address(market)), 0, "market empty");
    }

    /// A dependency past its claim deadline fails as soon as it reads `Expired`, refunded or not.
    function test_CancelForFailedDependency_GivenDependencyExpired() external {
        TaskTerms memory dependencyTerms = ethTerms();
        uint256 expiring = createTask(dependencyTerms);
        uint256 refunded = createTask(dependencyTerms);
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(expiring, refunded)
        );
        warpPastClaimDeadline(dependencyTerms);
        market.refundExpired(refunded, dependencyTerms);
        assertStoredStatus(expiring, TaskStatus.Posted);
        assertStatus(expiring, TaskStatus.Expired);

        // Either failed dependency will do; the first one cancels the task.
        uint256 posterBefore = poster.balance;
        vm.expectEmit(address(gatedClaim));
        emit IAssignmentModule.DependencyFailed(taskId, refunded);
        gatedClaim.cancelForFailedDependency(taskId, terms, config, 1);

        assertStatus(taskId, TaskStatus.Cancelled);
        assertEq(poster.balance, posterBefore + REWARD, "poster refunded");
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Cancelled));
        gatedClaim.cancelForFailedDependency(taskId, terms, config, 0);
    }

    function test_RevertGiven_CancelForFailedDependency_DependencyPosted() external {
        uint256 dependency = postedDependency();
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(dependency)
        );

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_DependencyNotFailed.selector,
                taskId,
                dependency,
                TaskStatus.Posted
            )
        );
        gatedClaim.cancelForFailedDependency(taskId, terms, config, 0);
    }

    function test_RevertGiven_CancelForFailedDependency_DependencySettledOrVerified() external {
        uint256 settled = settledDependency();
        uint256 verified = verifiedDependency();
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(settled, verified)
        );

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_DependencyNotFailed.selector,
                taskId,
                settled,
                TaskStatus.Settled
            )
        );
        gatedClaim.cancelForFailedDependency(taskId, terms, config, 0);

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_DependencyNotFailed.selector,
                taskId,
                verified,
                TaskStatus.Verified
            )
        );
        gatedClaim.cancelForFailedDependency(taskId, terms, config, 1);
    }

    function test_RevertWhen_CancelForFailedDependency_IndexOutOfRange() external {
        uint256 dependency = cancelledDependency();
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(dependency)
        );

        vm.expectRevert(
            abi.encodeWithSelector(IGatedClaim.GatedClaim_DependencyIndexOutOfRange.selector, taskId, 1, 1)
        );
        gatedClaim.cancelForFailedDependency(taskId, terms, config, 1);
    }

    function test_RevertWhen_CancelForFailedDependency_ConfigMismatch() external {
        uint256 dependency = cancelledDependency();
        (uint256 taskId, TaskTerms memory terms, IGatedClaim.GateConfig memory config) = dependentTask(
            dependencyRequirements(dependency)
        );
        bytes32 committed = hashOf(config);
        // A configuration the task did not commit to cannot name a failed dependency for it.
        config.requirements.minCompleted = 1;

        vm.expectRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_ConfigMismatch.selector, taskId, committed, hashOf(config))
        );
        gatedClaim.cancelForFailedDependency(taskId, terms, config, 0);
    }

    function test_RevertGiven_CancelForFailedDependency_TaskNamesAnotherModule() external {
        uint256 dependency = cancelledDependency();
        TaskTerms memory terms = ethTerms();
        IGatedClaim.GateConfig memory config = gateConfig(dependencyRequirements(dependency));
        uint256 taskId = createTaskWithOptions(terms, address(board), hashOf(config), noCapabilities());

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_NotAssigner.selector, taskId, address(board)));
        gatedClaim.cancelForFailedDependency(taskId, terms, config, 0);
    }

    /*//////////////////////////////////////////////////////////////
                                  FUZZ
    //////////////////////////////////////////////////////////////*/

    /// The gate's integer arithmetic agrees with a share rounded up, over every record and gate.
    function testFuzz_MeetsGate_MatchesReference(
        ExecutorRecord memory record,
        uint32 minCompleted,
        uint16 maxDisputesLostBps
    ) external {
        ExecutorRecordStub stub = new ExecutorRecordStub();
        stub.setRecord(record);
        GatedClaim module = new GatedClaim(ITaskMarket(address(stub)));

        assertEq(
            module.meetsGate(human, gateRequirements(minCompleted, maxDisputesLostBps)),
            referenceMeetsGate(record, minCompleted, maxDisputesLostBps),
            "meetsGate"
        );
    }

    /// With records built by real tasks, the claim goes through exactly when the reference says the gate is met.
    function testFuzz_Claim_GateOnRealRecords(
        uint256 completedSeed,
        uint256 wonSeed,
        uint256 lostSeed,
        uint256 minCompletedSeed,
        uint256 maxBpsSeed
    ) external {
        address executor = newExecutor("fuzzed");
        uint256 won = bound(wonSeed, 0, 3);
        uint256 lost = bound(lostSeed, 0, 3);
        giveCompletedTasks(executor, bound(completedSeed, 0, 2));
        giveDisputes(executor, won, lost);
        Requirements memory requirements = gateRequirements(
            uint32(bound(minCompletedSeed, 0, 6)),
            uint16(bound(maxBpsSeed, 0, BPS))
        );
        ExecutorRecord memory record = market.executorRecordOf(executor);
        bool expected = referenceMeetsGate(record, requirements.minCompleted, requirements.maxDisputesLostBps);
        assertEq(gatedClaim.meetsGate(executor, requirements), expected, "meetsGate");

        TaskTerms memory terms = ethTerms();
        IGatedClaim.GateConfig memory config = gateConfig(requirements);
        uint256 taskId = createGatedTask(terms, config);
        if (!expected) {
            vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_GateNotMet.selector, taskId, executor));
        }
        claimAs(executor, taskId, terms, config);

        assertEq(market.stateOf(taskId).executor, expected ? executor : address(0), "executor");
    }

    /// Whatever the bond, exactly the bond moves from the claimant to the market and none stays in the module.
    function testFuzz_Claim_MovesExactlyTheBond(uint128 bond, bool inToken) external {
        bond = uint128(bound(bond, 0, 100 ether));
        TaskTerms memory terms = inToken ? tokenTerms() : ethTerms();
        terms.claimBond = bond;
        IGatedClaim.GateConfig memory config = openGate();
        uint256 taskId = createGatedTask(terms, config);
        uint256 humanBefore = balanceOf(terms.token, human);
        uint256 marketBefore = balanceOf(terms.token, address(market));

        claimAs(human, taskId, terms, config);

        assertEq(balanceOf(terms.token, human), humanBefore - bond, "human");
        assertEq(balanceOf(terms.token, address(market)), marketBefore + bond, "market");
        assertEq(balanceOf(terms.token, address(gatedClaim)), 0, "module");
    }
}
