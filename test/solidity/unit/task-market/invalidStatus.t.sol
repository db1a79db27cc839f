// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

/// @notice Every state-changing task function, called by the right party in every reachable state where it is not
/// allowed, must revert with `TaskMarket_InvalidStatus` naming the task and the status `statusOf` derives.
contract InvalidStatus_Unit_Test is Base_Test {
    enum Action {
        Claim,
        Start,
        Checkpoint,
        Submit,
        Approve,
        Reject,
        Release,
        RefundExpired,
        Cancel,
        ConsentToCancel,
        Rate,
        Hold,
        Resolve,
        SubmitVerified
    }

    uint256 private constant ACTION_COUNT = uint256(type(Action).max) + 1;

    /// @dev Whether `action` is allowed in a task whose derived status is `status` and stored status is `stored`.
    function isAllowed(Action action, TaskStatus status, TaskStatus stored) private pure returns (bool) {
        if (action == Action.Claim || action == Action.Cancel) return status == TaskStatus.Posted;
        if (action == Action.Start) return status == TaskStatus.Claimed;
        if (action == Action.Checkpoint) return status == TaskStatus.InProgress;
        bool working = status == TaskStatus.Claimed || status == TaskStatus.InProgress;
        bool underReview = status == TaskStatus.Submitted || status == TaskStatus.Disputed;
        if (action == Action.Submit || action == Action.SubmitVerified) return working;
        if (action == Action.Approve || action == Action.Reject) return underReview;
        if (action == Action.Hold || action == Action.Resolve) return underReview;
        if (action == Action.Release) return status == TaskStatus.Verified;
        if (action == Action.RefundExpired) return status == TaskStatus.Expired && stored != TaskStatus.Expired;
        if (action == Action.ConsentToCancel) return working || underReview;
        return status == TaskStatus.Settled; // Rate
    }

    /// @dev Calls `action` as the party entitled to it, so that only the status can make it revert.
    function perform(Action action, uint256 taskId, TaskTerms memory terms) private {
        if (action == Action.Claim) {
            vm.prank(agent);
            market.claim{ value: terms.claimBond }(taskId, terms, noCapabilities());
        } else if (action == Action.Start) {
            vm.prank(human);
            market.start(taskId);
        } else if (action == Action.Checkpoint) {
            vm.prank(human);
            market.checkpoint(taskId, 50, bytes32(0), "");
        } else if (action == Action.Submit) {
            vm.prank(human);
            market.submit(taskId, terms, RESULT_HASH, RESULT_URI);
        } else if (action == Action.Approve) {
            vm.prank(verifierOf(terms));
            market.approve(taskId, terms);
        } else if (action == Action.Reject) {
            vm.prank(verifierOf(terms));
            market.reject(taskId, terms, REASON_HASH);
        } else if (action == Action.Hold) {
            vm.prank(verifierOf(terms));
            market.hold(taskId, terms, uint40(block.timestamp + 1 days), 5_000);
        } else if (action == Action.Resolve) {
            vm.prank(verifierOf(terms));
            market.resolve(taskId, terms, 5_000);
        } else if (action == Action.SubmitVerified) {
            vm.prank(verifierOf(terms));
            market.submitVerified(taskId, terms, RESULT_HASH, RESULT_URI);
        } else if (action == Action.Release) {
            vm.prank(stranger);
            market.release(taskId, terms);
        } else if (action == Action.RefundExpired) {
            vm.prank(stranger);
            market.refundExpired(taskId, terms);
        } else if (action == Action.Cancel) {
            vm.prank(poster);
            market.cancel(taskId, terms);
        } else if (action == Action.ConsentToCancel) {
            vm.prank(poster);
            market.consentToCancel(taskId, terms);
        } else if (action == Action.Rate) {
            vm.prank(poster);
            market.rate(taskId, terms, 5);
        }
    }

    /// @dev Checks every action against the task, and that `expectedRefusals` of them were refused.
    function checkEveryAction(
        uint256 taskId,
        TaskTerms memory terms,
        TaskStatus expected,
        uint256 expectedRefusals
    ) private {
        assertStatus(taskId, expected);
        TaskStatus stored = market.stateOf(taskId).status;
        uint256 refusals;
        for (uint256 i = 0; i < ACTION_COUNT; ++i) {
            Action action = Action(i);
            if (isAllowed(action, expected, stored)) continue;
            vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, expected));
            perform(action, taskId, terms);
            ++refusals;
        }
        assertEq(refusals, expectedRefusals, "refused actions");
        assertStatus(taskId, expected);
    }

    function test_RevertGiven_Posted() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        checkEveryAction(taskId, terms, TaskStatus.Posted, ACTION_COUNT - 2);
    }

    function test_RevertGiven_Claimed() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        checkEveryAction(taskId, terms, TaskStatus.Claimed, ACTION_COUNT - 4);
    }

    function test_RevertGiven_InProgress() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = inProgressTask(terms);
        checkEveryAction(taskId, terms, TaskStatus.InProgress, ACTION_COUNT - 4);
    }

    function test_RevertGiven_InProgressAfterRejection() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        rejectTask(taskId, terms);
        checkEveryAction(taskId, terms, TaskStatus.InProgress, ACTION_COUNT - 4);
    }

    function test_RevertGiven_Submitted() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        checkEveryAction(taskId, terms, TaskStatus.Submitted, ACTION_COUNT - 5);
    }

    function test_RevertGiven_Verified() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        checkEveryAction(taskId, terms, TaskStatus.Verified, ACTION_COUNT - 1);
    }

    function test_RevertGiven_Settled() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = settledTask(terms);
        checkEveryAction(taskId, terms, TaskStatus.Settled, ACTION_COUNT - 1);
    }

    function test_RevertGiven_SettledByRelease() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        warpPastReviewDeadline(taskId);
        market.release(taskId, terms);
        checkEveryAction(taskId, terms, TaskStatus.Settled, ACTION_COUNT - 1);
    }

    function test_RevertGiven_Cancelled() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.prank(poster);
        market.cancel(taskId, terms);
        checkEveryAction(taskId, terms, TaskStatus.Cancelled, ACTION_COUNT);
        // Terminal: it stays cancelled past every deadline.
        vm.warp(uint256(terms.claimDeadline) + 365 days);
        checkEveryAction(taskId, terms, TaskStatus.Cancelled, ACTION_COUNT);
    }

    function test_RevertGiven_CancelledByMutualConsent() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTask(terms);
        vm.prank(poster);
        market.consentToCancel(taskId, terms);
        vm.prank(human);
        market.consentToCancel(taskId, terms);
        checkEveryAction(taskId, terms, TaskStatus.Cancelled, ACTION_COUNT);
        vm.warp(uint256(terms.claimDeadline) + 365 days);
        checkEveryAction(taskId, terms, TaskStatus.Cancelled, ACTION_COUNT);
    }

    function test_RevertGiven_ExpiredBeforeRefund() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        warpPastClaimDeadline(terms);
        checkEveryAction(taskId, terms, TaskStatus.Expired, ACTION_COUNT - 1);
    }

    function test_RevertGiven_ExpiredAndRefunded() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        warpPastClaimDeadline(terms);
        market.refundExpired(taskId, terms);
        checkEveryAction(taskId, terms, TaskStatus.Expired, ACTION_COUNT);
    }

    function test_RevertGiven_ClaimLapsedBeforeClaimDeadline() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = inProgressTask(terms);
        warpPastExecutionDeadline(taskId);
        checkEveryAction(taskId, terms, TaskStatus.Posted, ACTION_COUNT - 2);
    }

    function test_RevertGiven_ClaimLapsedAfterClaimDeadline() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.warp(uint256(terms.claimDeadline) + 1);
        checkEveryAction(taskId, terms, TaskStatus.Expired, ACTION_COUNT - 1);
    }

    /*//////////////////////////////////////////////////////////////
                         DELEGATED VERIFICATION
    //////////////////////////////////////////////////////////////*/

    function test_RevertGiven_ClaimedWithDelegatedVerifier() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = claimedTask(terms);
        checkEveryAction(taskId, terms, TaskStatus.Claimed, ACTION_COUNT - 4);
    }

    function test_RevertGiven_SubmittedWithDelegatedVerifier() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        checkEveryAction(taskId, terms, TaskStatus.Submitted, ACTION_COUNT - 5);
    }

    function test_RevertGiven_Disputed() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = heldTask(terms, uint40(block.timestamp + 1 days), 5_000);
        checkEveryAction(taskId, terms, TaskStatus.Disputed, ACTION_COUNT - 5);
    }

    function test_RevertGiven_VerifiedAfterAHold() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint40 until = uint40(block.timestamp + 1 days);
        uint256 taskId = heldTask(terms, until, 5_000);
        vm.warp(uint256(until) + 1);
        checkEveryAction(taskId, terms, TaskStatus.Verified, ACTION_COUNT - 1);
    }

    function test_RevertGiven_SettledByResolution() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);
        resolveTask(taskId, terms, 2_500);
        checkEveryAction(taskId, terms, TaskStatus.Settled, ACTION_COUNT - 1);
    }

    function test_RevertGiven_SettledByVerifiedSubmission() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = claimedTask(terms);
        submitVerifiedTask(taskId, terms);
        checkEveryAction(taskId, terms, TaskStatus.Settled, ACTION_COUNT - 1);
    }

    function test_RevertGiven_InProgressAfterAMilestone() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        terms.milestoneShares = packMilestones(5_000, 5_000);
        uint256 taskId = submittedTask(terms);
        approveTask(taskId, terms);
        checkEveryAction(taskId, terms, TaskStatus.InProgress, ACTION_COUNT - 4);
    }

    function test_RevertGiven_CancelledOnHold() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = heldTask(terms, uint40(block.timestamp + 1 days), 5_000);
        vm.prank(poster);
        market.consentToCancel(taskId, terms);
        vm.prank(human);
        market.consentToCancel(taskId, terms);
        checkEveryAction(taskId, terms, TaskStatus.Cancelled, ACTION_COUNT);
    }
}
