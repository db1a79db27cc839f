// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Test } from "forge-std/Test.sol";

import { ExecutorRegistry } from "../../contracts/ExecutorRegistry.sol";
import { TaskMarket } from "../../contracts/TaskMarket.sol";
import { ExecutorKind, TaskTerms } from "../../contracts/types/TaskTypes.sol";
import { MockERC20 } from "./mocks/MockERC20.sol";

/// @notice Deploys the protocol with a set of named accounts and offers helpers that walk a task through its
/// lifecycle. Every test contract inherits from it.
abstract contract Base_Test is Test {
    uint16 internal constant FEE_BPS = 250; // 2.5 %
    uint128 internal constant REWARD = 1 ether;
    uint128 internal constant BOND = 0.1 ether;
    uint32 internal constant EXECUTION_WINDOW = 3 days;
    uint32 internal constant REVIEW_WINDOW = 2 days;
    uint40 internal constant CLAIM_PERIOD = 7 days;

    bytes32 internal constant CAP_SOLIDITY = keccak256("lang:solidity");
    bytes32 internal constant CAP_TRANSLATION = keccak256("skill:translation");
    bytes32 internal constant DOCUMENT_HASH = keccak256("task document");
    string internal constant DOCUMENT_URI = "ipfs://bafytaskdocument";

    TaskMarket internal market;
    ExecutorRegistry internal registry;
    MockERC20 internal token;

    address internal owner = makeAddr("owner");
    address internal feeRecipient = makeAddr("feeRecipient");
    address internal poster = makeAddr("poster");
    address internal human = makeAddr("human");
    address internal agent = makeAddr("agent");
    address internal operator = makeAddr("operator");
    address internal reviewer = makeAddr("reviewer");
    address internal stranger = makeAddr("stranger");

    function setUp() public virtual {
        vm.warp(1_750_000_000);
        registry = new ExecutorRegistry();
        market = new TaskMarket(owner, registry, FEE_BPS, feeRecipient);
        token = new MockERC20("Test USD", "TUSD", 18);

        address[5] memory funded = [poster, human, agent, stranger, reviewer];
        for (uint256 i = 0; i < funded.length; ++i) {
            vm.deal(funded[i], 1000 ether);
            token.mint(funded[i], 1_000_000 ether);
            vm.prank(funded[i]);
            token.approve(address(market), type(uint256).max);
        }

        vm.prank(human);
        registry.register(ExecutorKind.Human, address(0), sortedCapabilities(), "ipfs://human-profile");
        vm.prank(agent);
        registry.register(ExecutorKind.Agent, operator, sortedCapabilities(), "ipfs://agent-profile");

        vm.label(address(market), "TaskMarket");
        vm.label(address(registry), "ExecutorRegistry");
        vm.label(address(token), "TUSD");
    }

    /*//////////////////////////////////////////////////////////////
                                 TERMS
    //////////////////////////////////////////////////////////////*/

    /// @dev Both test capabilities, strictly ascending as the market requires.
    function sortedCapabilities() internal pure returns (bytes32[] memory capabilities) {
        capabilities = new bytes32[](2);
        (capabilities[0], capabilities[1]) =
            CAP_SOLIDITY < CAP_TRANSLATION ? (CAP_SOLIDITY, CAP_TRANSLATION) : (CAP_TRANSLATION, CAP_SOLIDITY);
    }

    function noCapabilities() internal pure returns (bytes32[] memory) {
        return new bytes32[](0);
    }

    function hashCapabilities(bytes32[] memory capabilities) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(capabilities));
    }

    function defaultTerms(address rewardToken) internal view returns (TaskTerms memory) {
        return
            TaskTerms({
                poster: poster,
                token: rewardToken,
                reward: REWARD,
                claimBond: BOND,
                claimDeadline: uint40(block.timestamp) + CLAIM_PERIOD,
                executionWindow: EXECUTION_WINDOW,
                reviewWindow: REVIEW_WINDOW,
                feeBps: market.protocolFeeBps(),
                executorKind: ExecutorKind.Any,
                verifier: address(0),
                capabilitiesHash: hashCapabilities(noCapabilities()),
                documentHash: DOCUMENT_HASH
            });
    }

    function ethTerms() internal view returns (TaskTerms memory) {
        return defaultTerms(address(0));
    }

    function tokenTerms() internal view returns (TaskTerms memory) {
        return defaultTerms(address(token));
    }

    /*//////////////////////////////////////////////////////////////
                               LIFECYCLE
    //////////////////////////////////////////////////////////////*/

    function createTask(TaskTerms memory terms) internal returns (uint256 taskId) {
        return createTask(terms, noCapabilities());
    }

    function createTask(TaskTerms memory terms, bytes32[] memory capabilities) internal returns (uint256 taskId) {
        uint256 value = terms.token == address(0) ? terms.reward : 0;
        vm.prank(terms.poster);
        taskId = market.createTask{ value: value }(terms, capabilities, DOCUMENT_URI);
    }

    function claimTask(uint256 taskId, TaskTerms memory terms, address executor) internal {
        claimTask(taskId, terms, executor, noCapabilities());
    }

    function claimTask(
        uint256 taskId,
        TaskTerms memory terms,
        address executor,
        bytes32[] memory capabilities
    ) internal {
        uint256 value = terms.token == address(0) ? terms.claimBond : 0;
        vm.prank(executor);
        market.claim{ value: value }(taskId, terms, capabilities);
    }

    function submitWork(uint256 taskId, TaskTerms memory terms, address executor) internal {
        vm.prank(executor);
        market.submit(taskId, terms, keccak256("result"), "ipfs://result");
    }

    /// @dev Creates, claims (by `human`) and submits a task; returns it under review.
    function submittedTask(TaskTerms memory terms) internal returns (uint256 taskId) {
        taskId = createTask(terms);
        claimTask(taskId, terms, human);
        submitWork(taskId, terms, human);
    }

    function balanceOf(address rewardToken, address account) internal view returns (uint256) {
        return rewardToken == address(0) ? account.balance : MockERC20(rewardToken).balanceOf(account);
    }
}
