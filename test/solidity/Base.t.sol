// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Test, Vm } from "forge-std/Test.sol";

import { ExecutorRegistry } from "../../contracts/ExecutorRegistry.sol";
import { TaskMarket } from "../../contracts/TaskMarket.sol";
import {
    ExecutorKind,
    ExecutorRecord,
    PermitSignature,
    PosterRecord,
    TaskState,
    TaskStatus,
    TaskTerms
} from "../../contracts/types/TaskTypes.sol";
import { MockERC20 } from "./mocks/MockERC20.sol";
import { ContractAccount } from "./utils/TestAccounts.sol";

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
                verifierFee: 0,
                verifierConfigHash: bytes32(0),
                capabilitiesHash: hashCapabilities(noCapabilities()),
                documentHash: DOCUMENT_HASH,
                milestoneShares: bytes32(0)
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
        // The escrow is the reward plus the verifier fee: in `msg.value` for ETH, pulled by allowance otherwise.
        uint256 value = terms.token == address(0) ? uint256(terms.reward) + terms.verifierFee : 0;
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

    /*//////////////////////////////////////////////////////////////
                           MORE LIFECYCLE
    //////////////////////////////////////////////////////////////*/

    bytes32 internal constant RESULT_HASH = keccak256("result");
    string internal constant RESULT_URI = "ipfs://result";
    bytes32 internal constant REASON_HASH = keccak256("rejection reason");
    /// @dev The bits of `TaskState.flags`, as the market sets them.
    uint8 internal constant FLAG_REJECTED = 1 << 0;
    uint8 internal constant FLAG_POSTER_CONSENTED_TO_CANCEL = 1 << 1;
    uint8 internal constant FLAG_EXECUTOR_CONSENTED_TO_CANCEL = 1 << 2;
    uint8 internal constant FLAG_POSTER_RATED = 1 << 3;
    uint8 internal constant FLAG_EXECUTOR_RATED = 1 << 4;

    bytes32 internal constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );

    /// @dev Who decides on submissions: the delegated verifier if set, the poster otherwise.
    function verifierOf(TaskTerms memory terms) internal pure returns (address) {
        return terms.verifier == address(0) ? terms.poster : terms.verifier;
    }

    function startTask(uint256 taskId, address executor) internal {
        vm.prank(executor);
        market.start(taskId);
    }

    function approveTask(uint256 taskId, TaskTerms memory terms) internal {
        vm.prank(verifierOf(terms));
        market.approve(taskId, terms);
    }

    function rejectTask(uint256 taskId, TaskTerms memory terms) internal {
        vm.prank(verifierOf(terms));
        market.reject(taskId, terms, REASON_HASH);
    }

    /// @dev Creates a task, lets `human` claim it and submit at the last moment of its execution window, so that a
    /// rejection can come after the execution deadline.
    function lateSubmittedTask(TaskTerms memory terms) internal returns (uint256 taskId) {
        taskId = createTask(terms);
        claimTask(taskId, terms, human);
        vm.warp(market.stateOf(taskId).executionDeadline);
        submitWork(taskId, terms, human);
    }

    /// @dev Creates a task and lets `human` claim it.
    function claimedTask(TaskTerms memory terms) internal returns (uint256 taskId) {
        taskId = createTask(terms);
        claimTask(taskId, terms, human);
    }

    /// @dev Creates a task, lets `human` claim it and start it.
    function inProgressTask(TaskTerms memory terms) internal returns (uint256 taskId) {
        taskId = claimedTask(terms);
        startTask(taskId, human);
    }

    /// @dev Creates a task that `human` claims and submits, and that its verifier approves.
    function settledTask(TaskTerms memory terms) internal returns (uint256 taskId) {
        taskId = submittedTask(terms);
        approveTask(taskId, terms);
    }

    /// @dev Moves the clock past the execution deadline of the task's current claim.
    function warpPastExecutionDeadline(uint256 taskId) internal {
        vm.warp(uint256(market.stateOf(taskId).executionDeadline) + 1);
    }

    /// @dev Moves the clock past the review deadline of the task's current submission.
    function warpPastReviewDeadline(uint256 taskId) internal {
        vm.warp(uint256(market.stateOf(taskId).reviewDeadline) + 1);
    }

    function warpPastClaimDeadline(TaskTerms memory terms) internal {
        vm.warp(uint256(terms.claimDeadline) + 1);
    }

    /// @dev Registers `account` as an executor of `kind` (an agent gets `operator` as its operator).
    function registerExecutor(address account, ExecutorKind kind, bytes32[] memory capabilities) internal {
        vm.prank(account);
        registry.register(kind, kind == ExecutorKind.Agent ? operator : address(0), capabilities, "ipfs://profile");
    }

    /// @dev Gives `account` ETH and `amount` of `token`, with an unlimited allowance for the market.
    function fund(address account, uint256 amount) internal {
        vm.deal(account, amount);
        token.mint(account, amount);
        vm.prank(account);
        token.approve(address(market), type(uint256).max);
    }

    /*//////////////////////////////////////////////////////////////
                         DELEGATED VERIFICATION
    //////////////////////////////////////////////////////////////*/

    uint128 internal constant VERIFIER_FEE = 0.05 ether;
    bytes32 internal constant VERIFIER_CONFIG_HASH = keccak256("verifier config");
    uint256 internal constant BPS = 10_000;
    uint256 internal constant MAX_HOLD_DURATION = 180 days;
    uint8 internal constant FLAG_REJECTED_AFTER_DEADLINE = 1 << 5;
    uint8 internal constant FLAG_VERIFIER_PAID = 1 << 6;

    /// @dev Terms reviewed by `reviewer` as a delegated verifier, which earns `VERIFIER_FEE` for its first decision.
    function delegatedTerms(address rewardToken) internal view returns (TaskTerms memory terms) {
        terms = defaultTerms(rewardToken);
        terms.verifier = reviewer;
        terms.verifierFee = VERIFIER_FEE;
        terms.verifierConfigHash = VERIFIER_CONFIG_HASH;
    }

    /// @dev Packs milestone shares into the 16-bit lanes of `TaskTerms.milestoneShares`, the first in the top bits.
    function packMilestones(uint256[] memory shares) internal pure returns (bytes32) {
        uint256 lanes;
        for (uint256 i = 0; i < shares.length; ++i) {
            lanes |= shares[i] << (256 - 16 * (i + 1));
        }
        return bytes32(lanes);
    }

    function packMilestones(uint256 first, uint256 second) internal pure returns (bytes32) {
        uint256[] memory shares = new uint256[](2);
        (shares[0], shares[1]) = (first, second);
        return packMilestones(shares);
    }

    function packMilestones(uint256 first, uint256 second, uint256 third) internal pure returns (bytes32) {
        uint256[] memory shares = new uint256[](3);
        (shares[0], shares[1], shares[2]) = (first, second, third);
        return packMilestones(shares);
    }

    /// @dev The share in basis points of milestone `index` (zero past the last).
    function milestoneShareOf(bytes32 packed, uint256 index) internal pure returns (uint256) {
        return (uint256(packed) >> (256 - 16 * (index + 1))) & 0xffff;
    }

    /// @dev The number of leading non-zero lanes.
    function milestoneCountOf(bytes32 packed) internal pure returns (uint256 count) {
        while (count < 16 && milestoneShareOf(packed, count) != 0) ++count;
    }

    /// @dev The amount of milestone `index`, as the market must compute it: its share of the reward rounded down, the
    /// last taking what the others left.
    function milestoneAmountOf(uint256 reward, bytes32 packed, uint256 index) internal pure returns (uint256) {
        if (index + 1 < milestoneCountOf(packed)) return (milestoneShareOf(packed, index) * reward) / BPS;
        uint256 paid;
        for (uint256 i = 0; i < index; ++i) {
            paid += (milestoneShareOf(packed, i) * reward) / BPS;
        }
        return reward - paid;
    }

    function holdTask(uint256 taskId, TaskTerms memory terms, uint40 until, uint16 defaultShareBps) internal {
        vm.prank(verifierOf(terms));
        market.hold(taskId, terms, until, defaultShareBps);
    }

    function resolveTask(uint256 taskId, TaskTerms memory terms, uint16 executorShareBps) internal {
        vm.prank(verifierOf(terms));
        market.resolve(taskId, terms, executorShareBps);
    }

    function submitVerifiedTask(uint256 taskId, TaskTerms memory terms) internal {
        vm.prank(verifierOf(terms));
        market.submitVerified(taskId, terms, RESULT_HASH, RESULT_URI);
    }

    /// @dev Creates a task that `human` claims and submits, and that its verifier puts on hold until `until`.
    function heldTask(TaskTerms memory terms, uint40 until, uint16 defaultShareBps) internal returns (uint256 taskId) {
        taskId = submittedTask(terms);
        holdTask(taskId, terms, until, defaultShareBps);
    }

    /// @dev How many events with `topic0` the market emitted among the logs recorded since `vm.recordLogs()`. Reading
    /// the recorded logs consumes them: count several events with `countMarketEvents(logs, topic0)`.
    function countMarketEvents(bytes32 topic0) internal returns (uint256) {
        return countMarketEvents(vm.getRecordedLogs(), topic0);
    }

    function countMarketEvents(Vm.Log[] memory logs, bytes32 topic0) internal view returns (uint256 count) {
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(market) && logs[i].topics.length != 0 && logs[i].topics[0] == topic0) {
                ++count;
            }
        }
    }

    /*//////////////////////////////////////////////////////////////
                          CONTRACT EXECUTORS
    //////////////////////////////////////////////////////////////*/

    /// @dev Deploys a contract account, funds it like the named accounts and registers it as a human executor with
    /// both test capabilities. It accepts ETH until told otherwise.
    function newContractExecutor(string memory name) internal returns (ContractAccount account) {
        account = new ContractAccount();
        vm.label(address(account), name);
        vm.deal(address(account), 1000 ether);
        token.mint(address(account), 1_000_000 ether);
        account.execute(address(token), 0, abi.encodeCall(token.approve, (address(market), type(uint256).max)));
        account.execute(
            address(registry),
            0,
            abi.encodeCall(
                registry.register,
                (ExecutorKind.Human, address(0), sortedCapabilities(), "ipfs://contract-executor")
            )
        );
    }

    function claimTaskAs(ContractAccount account, uint256 taskId, TaskTerms memory terms) internal {
        uint256 value = terms.token == address(0) ? terms.claimBond : 0;
        account.execute(address(market), value, abi.encodeCall(market.claim, (taskId, terms, noCapabilities())));
    }

    function submitWorkAs(ContractAccount account, uint256 taskId, TaskTerms memory terms) internal {
        account.execute(address(market), 0, abi.encodeCall(market.submit, (taskId, terms, RESULT_HASH, RESULT_URI)));
    }

    /// @dev Creates a task that `account` claims and submits; returns it under review.
    function submittedTaskBy(ContractAccount account, TaskTerms memory terms) internal returns (uint256 taskId) {
        taskId = createTask(terms);
        claimTaskAs(account, taskId, terms);
        submitWorkAs(account, taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                              AMOUNTS
    //////////////////////////////////////////////////////////////*/

    /// @dev The protocol fee of a task: rounded down, as the market computes it.
    function feeOf(uint256 reward, uint16 feeBps) internal pure returns (uint256) {
        return (reward * feeBps) / 10_000;
    }

    /// @dev What the executor of a settled task receives for the work, before its bond is returned.
    function payoutOf(uint256 reward, uint16 feeBps) internal pure returns (uint256) {
        return reward - feeOf(reward, feeBps);
    }

    /*//////////////////////////////////////////////////////////////
                              SIGNATURES
    //////////////////////////////////////////////////////////////*/

    /// @dev Signs an ERC-2612 permit of `owner_` (whose key is `privateKey`) for `spender` over `permitToken`.
    function signPermit(
        uint256 privateKey,
        MockERC20 permitToken,
        address spender,
        uint256 value,
        uint256 deadline
    ) internal view returns (PermitSignature memory permit) {
        address owner_ = vm.addr(privateKey);
        bytes32 structHash = keccak256(
            abi.encode(PERMIT_TYPEHASH, owner_, spender, value, permitToken.nonces(owner_), deadline)
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", permitToken.DOMAIN_SEPARATOR(), structHash));
        (permit.v, permit.r, permit.s) = vm.sign(privateKey, digest);
        permit.deadline = deadline;
    }

    /*//////////////////////////////////////////////////////////////
                              ASSERTIONS
    //////////////////////////////////////////////////////////////*/

    function assertEq(TaskStatus actual, TaskStatus expected, string memory message) internal pure {
        assertEq(uint256(actual), uint256(expected), message);
    }

    function assertStatus(uint256 taskId, TaskStatus expected) internal view {
        assertEq(market.statusOf(taskId), expected, "statusOf");
    }

    function assertStoredStatus(uint256 taskId, TaskStatus expected) internal view {
        assertEq(market.stateOf(taskId).status, expected, "stateOf.status");
    }

    function assertEq(ExecutorRecord memory actual, ExecutorRecord memory expected) internal pure {
        assertEq(actual.completed, expected.completed, "executor record: completed");
        assertEq(actual.expired, expected.expired, "executor record: expired");
        assertEq(actual.rejected, expected.rejected, "executor record: rejected");
        assertEq(actual.disputesWon, expected.disputesWon, "executor record: disputesWon");
        assertEq(actual.disputesLost, expected.disputesLost, "executor record: disputesLost");
        assertEq(actual.ratingSum, expected.ratingSum, "executor record: ratingSum");
        assertEq(actual.ratingCount, expected.ratingCount, "executor record: ratingCount");
    }

    function assertEq(PosterRecord memory actual, PosterRecord memory expected) internal pure {
        assertEq(actual.posted, expected.posted, "poster record: posted");
        assertEq(actual.settled, expected.settled, "poster record: settled");
        assertEq(actual.cancelled, expected.cancelled, "poster record: cancelled");
        assertEq(actual.expired, expected.expired, "poster record: expired");
        assertEq(actual.ratingSum, expected.ratingSum, "poster record: ratingSum");
        assertEq(actual.ratingCount, expected.ratingCount, "poster record: ratingCount");
    }

    function assertEq(TaskState memory actual, TaskState memory expected) internal pure {
        assertEq(actual.executor, expected.executor, "state: executor");
        assertEq(actual.status, expected.status, "state: status");
        assertEq(actual.executionDeadline, expected.executionDeadline, "state: executionDeadline");
        assertEq(actual.reviewDeadline, expected.reviewDeadline, "state: reviewDeadline");
        assertEq(actual.flags, expected.flags, "state: flags");
    }
}
