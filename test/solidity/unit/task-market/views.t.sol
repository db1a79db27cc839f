// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    ExecutorKind,
    ExecutorRecord,
    PosterRecord,
    TaskState,
    TaskStatus,
    TaskTerms
} from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

/// @notice The read functions of the market not covered with the writes they observe.
contract Views_Unit_Test is Base_Test {
    /*//////////////////////////////////////////////////////////////
                              UNKNOWN IDS
    //////////////////////////////////////////////////////////////*/

    function test_GivenTaskNotFound_StatusOfShouldBeNone() external {
        assertEq(market.statusOf(0), TaskStatus.None, "id 0");
        assertEq(market.statusOf(1), TaskStatus.None, "next id");
        assertEq(market.statusOf(type(uint256).max), TaskStatus.None, "max id");
        createTask(ethTerms());
        assertEq(market.statusOf(2), TaskStatus.None, "the id after the last task");
        // Time does not derive anything for an unknown id.
        vm.warp(block.timestamp + 3650 days);
        assertEq(market.statusOf(2), TaskStatus.None, "long after");
    }

    function test_GivenTaskNotFound_StateAndCommitmentShouldBeEmpty() external view {
        TaskState memory empty;
        assertEq(market.stateOf(1), empty);
        (uint40 claimDeadline, bytes27 digest) = market.commitmentOf(1);
        assertEq(claimDeadline, 0, "claimDeadline");
        assertEq(digest, bytes27(0), "digest");
    }

    function test_GivenTaskNotFound_MatchesTermsShouldBeFalse() external view {
        TaskTerms memory terms;
        assertFalse(market.matchesTerms(0, terms), "zero terms, id 0");
        assertFalse(market.matchesTerms(1, ethTerms()), "valid terms, unknown id");
    }

    /*//////////////////////////////////////////////////////////////
                              COMMITMENT
    //////////////////////////////////////////////////////////////*/

    function test_CommitmentOfShouldHoldTheClaimDeadlineAndTheTermsDigest() external {
        TaskTerms memory terms = tokenTerms();
        terms.verifier = reviewer;
        terms.executorKind = ExecutorKind.Agent;
        uint256 taskId = createTask(terms);
        (uint40 claimDeadline, bytes27 digest) = market.commitmentOf(taskId);
        assertEq(claimDeadline, terms.claimDeadline, "claimDeadline");
        assertEq(digest, bytes27(keccak256(abi.encode(terms))), "digest: the top 216 bits of the terms hash");
    }

    function test_CommitmentShouldNotChangeOverTheLifecycle() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        (uint40 deadlineBefore, bytes27 digestBefore) = market.commitmentOf(taskId);
        claimTask(taskId, terms, human);
        submitWork(taskId, terms, human);
        approveTask(taskId, terms);
        (uint40 deadlineAfter, bytes27 digestAfter) = market.commitmentOf(taskId);
        assertEq(deadlineAfter, deadlineBefore, "claimDeadline");
        assertEq(digestAfter, digestBefore, "digest");
        assertTrue(market.matchesTerms(taskId, terms), "matchesTerms after settlement");
    }

    function test_MatchesTermsShouldDetectAChangeInEveryField() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        assertTrue(market.matchesTerms(taskId, terms), "the original terms");

        for (uint256 field = 0; field < 12; ++field) {
            TaskTerms memory altered = ethTerms();
            if (field == 0) altered.poster = stranger;
            else if (field == 1) altered.token = address(token);
            else if (field == 2) altered.reward += 1;
            else if (field == 3) altered.claimBond += 1;
            else if (field == 4) altered.claimDeadline += 1;
            else if (field == 5) altered.executionWindow += 1;
            else if (field == 6) altered.reviewWindow += 1;
            else if (field == 7) altered.feeBps += 1;
            else if (field == 8) altered.executorKind = ExecutorKind.Human;
            else if (field == 9) altered.verifier = reviewer;
            else if (field == 10) altered.capabilitiesHash = bytes32(0);
            else altered.documentHash = bytes32(0);
            assertFalse(market.matchesTerms(taskId, altered), vm.toString(field));
        }
    }

    function test_MatchesTermsShouldNotMatchAnotherTask() external {
        TaskTerms memory first = ethTerms();
        uint256 firstId = createTask(first);
        TaskTerms memory second = ethTerms();
        second.reward = 2 ether;
        uint256 secondId = createTask(second);
        assertFalse(market.matchesTerms(firstId, second), "second terms on first id");
        assertFalse(market.matchesTerms(secondId, first), "first terms on second id");
        assertTrue(market.matchesTerms(secondId, second), "second terms on second id");
    }

    /*//////////////////////////////////////////////////////////////
                               COUNTERS
    //////////////////////////////////////////////////////////////*/

    function test_NextTaskIdShouldCountCreatedTasks() external {
        assertEq(market.nextTaskId(), 1, "before any task");
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        assertEq(market.nextTaskId(), taskId + 1, "after one");
        vm.prank(poster);
        market.cancel(taskId, terms);
        assertEq(market.nextTaskId(), 2, "a cancelled task keeps its id");
        assertEq(createTask(terms), 2, "the next id");
    }

    function test_RecordsShouldStartEmpty() external view {
        ExecutorRecord memory emptyExecutor;
        PosterRecord memory emptyPoster;
        assertEq(market.executorRecordOf(human), emptyExecutor);
        assertEq(market.posterRecordOf(poster), emptyPoster);
        assertEq(market.earnedOf(human, address(0)), 0, "earnedOf");
        assertEq(market.creditOf(human, address(0)), 0, "creditOf");
        assertEq(market.accruedFeesOf(address(0)), 0, "accruedFeesOf");
    }

    function test_StateOfShouldReturnTheStoredStatusWithoutDerivation() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        warpPastClaimDeadline(terms);
        assertStatus(taskId, TaskStatus.Expired);
        assertStoredStatus(taskId, TaskStatus.Posted);
    }
}
