// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { TaskMarket } from "../../../contracts/TaskMarket.sol";
import { ExecutorKind, TaskFunding, TaskStatus } from "../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../Base.t.sol";
import { MockAssigner } from "../mocks/MockAssigner.sol";
import { MockERC20 } from "../mocks/MockERC20.sol";
import { SwarmDrainer } from "./handlers/SwarmDrainer.sol";
import { SwarmHandler } from "./handlers/SwarmHandler.sol";
import { SwarmActors, SwarmStore } from "./stores/SwarmStore.sol";

/// @notice The invariants of subtasks and assignment, checked after every call of random swarms driven by
/// `SwarmHandler`: parents with subtask budgets, nested subtasks, lowered prices through a mock assigner, and every
/// way a task ends. README.md beside this file states each one in words. Runs and depth come from
/// `hardhat.config.ts`.
contract Swarm_Invariant_Test is Base_Test {
    /// @dev S5 drains on a snapshot after every this many handler calls, and at the end of every run.
    uint256 internal constant DRAIN_EVERY = 32;

    SwarmStore internal store;
    SwarmHandler internal handler;
    SwarmDrainer internal drainer;
    MockAssigner internal assigner;
    SwarmActors internal actors;

    function setUp() public override {
        super.setUp();
        assigner = new MockAssigner(market);
        assigner.approveToken(token);
        actors.posters = [makeAddr("swarm-poster-0"), makeAddr("swarm-poster-1")];
        actors.executors = [
            makeAddr("swarm-human-0"),
            makeAddr("swarm-human-1"),
            makeAddr("swarm-agent-0"),
            makeAddr("swarm-human-2")
        ];
        actors.verifier = makeAddr("swarm-verifier");
        actors.feeRecipient = feeRecipient;
        actors.stranger = makeAddr("swarm-stranger");
        address swarmOperator = makeAddr("swarm-operator");
        for (uint256 i = 0; i < 4; ++i) {
            bool isAgent = i == 2;
            vm.prank(actors.executors[i]);
            registry.register(
                isAgent ? ExecutorKind.Agent : ExecutorKind.Human,
                isAgent ? swarmOperator : address(0),
                new bytes32[](0),
                "ipfs://swarm-executor"
            );
            vm.prank(actors.executors[i]);
            token.approve(address(market), type(uint256).max);
        }
        for (uint256 i = 0; i < 2; ++i) {
            vm.prank(actors.posters[i]);
            token.approve(address(market), type(uint256).max);
        }

        store = new SwarmStore(block.timestamp);
        handler = new SwarmHandlerTarget(market, token, assigner, store, actors);
        drainer = new SwarmDrainer(market, token, assigner, store, actors);
        vm.label(address(assigner), "MockAssigner");
        vm.label(address(store), "SwarmStore");
        vm.label(address(handler), "SwarmHandler");
        vm.label(address(drainer), "SwarmDrainer");
        targetContract(address(handler));
    }

    /*//////////////////////////////////////////////////////////////
                                   S1
    //////////////////////////////////////////////////////////////*/

    /// S1: for each token, the market's balance equals the escrow the model says it still holds for each task (its
    /// own part, net of what its subtasks drew), plus the bonds of claims not yet paid out, plus every credit, plus the
    /// modelled fees; the ledger measured at the accounts agrees; an ended task holds nothing; and every call moved
    /// exactly what the model says.
    function invariant_S1_Conservation() external view {
        address[2] memory tokens = [address(0), address(token)];
        for (uint256 k = 0; k < 2; ++k) {
            uint256 balance = _balanceOfMarket(tokens[k]);
            uint256 credits = _credits(tokens[k]);
            uint256 fees = store.modelFees(tokens[k]);
            string memory name = k == 0 ? "ETH" : "TUSD";
            assertEq(
                balance,
                _escrowAndBonds(tokens[k]) + credits + fees,
                string.concat("Invariant violation: S1 market balance != escrow + bonds + credits + fees in ", name)
            );
            assertEq(
                market.accruedFeesOf(tokens[k]),
                fees,
                string.concat("Invariant violation: S1 accrued fees differ from the model in ", name)
            );
            SwarmStore.Ledger memory ledger = store.ledgerOf(tokens[k]);
            assertEq(
                int256(balance),
                int256(ledger.deposited) - int256(ledger.paidOut) + int256(credits),
                string.concat("Invariant violation: S1 market balance != deposited - paid out + credits in ", name)
            );
        }
        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = store.taskIdAt(i);
            SwarmStore.TaskModel memory t = store.modelOf(taskId);
            if (!t.ended) continue;
            assertEq(
                t.held,
                0,
                string.concat("Invariant violation: S1 ended task holds escrow: ", vm.toString(taskId))
            );
            assertFalse(
                t.bondHeld,
                string.concat("Invariant violation: S1 ended task holds a bond: ", vm.toString(taskId))
            );
        }
        _assertNoViolation(SwarmStore.Check.Conservation, "S1");
    }

    /*//////////////////////////////////////////////////////////////
                                   S2
    //////////////////////////////////////////////////////////////*/

    /// S2: for every task, `fundingOf(task).drawn` equals what its subtasks were funded with less what they returned
    /// to its escrow (summed over the subtasks in the store), and is at most `min(subtaskBudget, reward - released)`;
    /// `released` is what the model released at its first assignment.
    function invariant_S2_Drawn() external view {
        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = store.taskIdAt(i);
            SwarmStore.TaskModel memory t = store.modelOf(taskId);
            TaskFunding memory funding = market.fundingOf(taskId);
            string memory task = vm.toString(taskId);
            uint256[] memory children = store.childrenOf(taskId);
            uint256 netFunded;
            for (uint256 c = 0; c < children.length; ++c) {
                SwarmStore.TaskModel memory child = store.modelOf(children[c]);
                netFunded += child.funded - child.returnedToEscrow;
            }
            assertEq(
                netFunded,
                t.drawn,
                string.concat("Invariant violation: S2 subtasks' net funding != drawn: ", task)
            );
            assertEq(funding.drawn, t.drawn, string.concat("Invariant violation: S2 fundingOf.drawn != model: ", task));
            assertEq(
                funding.released,
                t.released,
                string.concat("Invariant violation: S2 fundingOf.released != model: ", task)
            );
            uint256 cap = t.terms.reward - t.released;
            if (t.budget < cap) cap = t.budget;
            assertLe(t.drawn, cap, string.concat("Invariant violation: S2 drawn above the budget: ", task));
        }
        _assertNoViolation(SwarmStore.Check.Funding, "S2");
    }

    /*//////////////////////////////////////////////////////////////
                                 S3, S4
    //////////////////////////////////////////////////////////////*/

    /// S3: `fundingOf(task).openSubtasks` equals the number of its subtasks that have not ended, counted both from the
    /// model and from the market's stored statuses.
    function invariant_S3_OpenSubtasks() external view {
        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = store.taskIdAt(i);
            (uint256 openInModel, uint256 openInMarket) = _openChildren(taskId);
            string memory task = vm.toString(taskId);
            uint256 reported = market.fundingOf(taskId).openSubtasks;
            assertEq(reported, openInModel, string.concat("Invariant violation: S3 openSubtasks != model: ", task));
            assertEq(
                reported,
                openInMarket,
                string.concat("Invariant violation: S3 openSubtasks != subtasks not terminal: ", task)
            );
            assertEq(
                store.modelOf(taskId).openSubtasks,
                openInModel,
                string.concat("Invariant violation: S3 model count of open subtasks: ", task)
            );
        }
    }

    /// S4: no task is `Submitted`, `Verified`, `Disputed` or `Settled` while one of its subtasks is open, and no
    /// submission of a task with open subtasks ever succeeded.
    function invariant_S4_NoParentAheadOfItsSubtasks() external view {
        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = store.taskIdAt(i);
            (uint256 open, ) = _openChildren(taskId);
            if (open == 0) continue;
            TaskStatus stored = market.stateOf(taskId).status;
            TaskStatus derived = market.statusOf(taskId);
            bool ahead =
                stored == TaskStatus.Submitted ||
                    stored == TaskStatus.Disputed ||
                    stored == TaskStatus.Settled ||
                    derived == TaskStatus.Verified;
            assertFalse(
                ahead,
                string.concat("Invariant violation: S4 parent submitted with open subtasks: ", vm.toString(taskId))
            );
        }
        _assertNoViolation(SwarmStore.Check.Blocking, "S4");
    }

    /*//////////////////////////////////////////////////////////////
                                 S5, S6
    //////////////////////////////////////////////////////////////*/

    /// S5: from the state reached, permissionless calls end every task, and then the market holds exactly the credits
    /// and the fees: every wei that entered ended with someone. Drained on a snapshot every `DRAIN_EVERY` calls and
    /// after every run.
    function invariant_S5_EveryWeiEndsWithSomeone() external {
        uint256 calls = store.callCount();
        if (calls == 0 || calls % DRAIN_EVERY != 0) return;
        _assertDrain();
    }

    function afterInvariant() external {
        _assertDrain();
    }

    /// S6: every call made by the entitled party in a state that allows it succeeded; no call that must fail (a claim
    /// of a task with an assigner, a cancellation by a stranger, an assignment at another price, a subtask beyond the
    /// budget or in another token) succeeded.
    function invariant_S6_RolesAndLiveness() external view {
        _assertNoViolation(SwarmStore.Check.Liveness, "S6 (entitled call failed)");
        _assertNoViolation(SwarmStore.Check.Authority, "S6 (call that must fail succeeded)");
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    function _assertDrain() private {
        uint256 snapshot = vm.snapshotState();
        (uint256 failures, string memory firstFailure) = drainer.drain();
        vm.revertToStateAndDelete(snapshot);
        assertEq(failures, 0, string.concat("Invariant violation: ", firstFailure));
    }

    /// @dev The escrow the model says the market holds in `rewardToken`, and the bonds of claims not yet paid out.
    function _escrowAndBonds(address rewardToken) private view returns (uint256 total) {
        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) {
            SwarmStore.TaskModel memory t = store.modelOf(store.taskIdAt(i));
            if (t.terms.token != rewardToken) continue;
            total += t.held;
            if (t.bondHeld) total += t.terms.claimBond;
        }
    }

    function _openChildren(uint256 taskId) private view returns (uint256 inModel, uint256 inMarket) {
        uint256[] memory children = store.childrenOf(taskId);
        for (uint256 c = 0; c < children.length; ++c) {
            if (!store.modelOf(children[c]).ended) inModel += 1;
            TaskStatus stored = market.stateOf(children[c]).status;
            if (stored != TaskStatus.Settled && stored != TaskStatus.Cancelled && stored != TaskStatus.Expired) {
                inMarket += 1;
            }
        }
    }

    function _credits(address rewardToken) private view returns (uint256 total) {
        address[9] memory accounts = handler.accounts();
        for (uint256 i = 0; i < accounts.length; ++i) total += market.creditOf(accounts[i], rewardToken);
    }

    function _balanceOfMarket(address rewardToken) private view returns (uint256) {
        return rewardToken == address(0) ? address(market).balance : MockERC20(rewardToken).balanceOf(address(market));
    }

    function _assertNoViolation(SwarmStore.Check check, string memory invariantId) private view {
        assertEq(
            store.violationCount(check),
            0,
            string.concat("Invariant violation: ", invariantId, " ", store.firstViolation(check))
        );
    }
}

/// @notice The handler as deployed by this test. Hardhat writes artifacts only for the root files of a build, and
/// the fuzzer needs the artifact of a target to call it: declaring the deployed contract here makes
/// `npx hardhat test solidity test/solidity/invariant-swarm/SwarmInvariant.t.sol` work on its own.
contract SwarmHandlerTarget is SwarmHandler {
    constructor(
        TaskMarket market_,
        MockERC20 token_,
        MockAssigner assigner_,
        SwarmStore store_,
        SwarmActors memory actors_
    ) SwarmHandler(market_, token_, assigner_, store_, actors_) {}
}
