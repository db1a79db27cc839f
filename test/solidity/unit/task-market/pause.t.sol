// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Ownable } from "@openzeppelin/contracts/access/Ownable.sol";
import { Pausable } from "@openzeppelin/contracts/utils/Pausable.sol";

import { PermitSignature, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";
import { ContractAccount } from "../../utils/TestAccounts.sol";

contract Pause_Unit_Test is Base_Test {
    function pauseMarket() private {
        vm.prank(owner);
        market.pause();
    }

    function test_RevertWhen_PauseCallerNotOwner() external {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, poster));
        vm.prank(poster);
        market.pause();
    }

    function test_RevertWhen_UnpauseCallerNotOwner() external {
        pauseMarket();
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, poster));
        vm.prank(poster);
        market.unpause();
    }

    function test_RevertGiven_AlreadyPaused() external {
        pauseMarket();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(owner);
        market.pause();
    }

    function test_RevertGiven_NotPaused() external {
        vm.expectRevert(Pausable.ExpectedPause.selector);
        vm.prank(owner);
        market.unpause();
    }

    function test_WhenOwnerPauses_ItShouldStopCreation() external {
        vm.expectEmit(address(market));
        emit Pausable.Paused(owner);
        pauseMarket();
        assertTrue(market.paused(), "paused");

        TaskTerms memory terms = ethTerms();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(poster);
        market.createTask{ value: REWARD }(terms, noCapabilities(), DOCUMENT_URI);

        PermitSignature memory permit;
        TaskTerms memory permitTerms = tokenTerms();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        vm.prank(poster);
        market.createTaskWithPermit(permitTerms, noCapabilities(), DOCUMENT_URI, permit);
    }

    function test_WhenOwnerUnpauses_ItShouldAllowCreationAgain() external {
        pauseMarket();
        vm.expectEmit(address(market));
        emit Pausable.Unpaused(owner);
        vm.prank(owner);
        market.unpause();
        assertFalse(market.paused(), "paused");
        uint256 taskId = createTask(ethTerms());
        assertStatus(taskId, TaskStatus.Posted);
    }

    /// @dev Walks the execution and review paths, all while the market is paused.
    function test_WhenPaused_ExecutionAndReviewShouldWork() external {
        TaskTerms memory terms = ethTerms();
        uint256 approved = submittedTask(terms);
        uint256 rejected = submittedTask(terms);
        uint256 fresh = createTask(terms);

        pauseMarket();

        claimTask(fresh, terms, agent);
        startTask(fresh, agent);
        vm.prank(agent);
        market.checkpoint(fresh, 50, bytes32(0), "");
        submitWork(fresh, terms, agent);
        assertStatus(fresh, TaskStatus.Submitted);
        approveTask(approved, terms);
        assertStatus(approved, TaskStatus.Settled);
        rejectTask(rejected, terms);
        assertStatus(rejected, TaskStatus.InProgress);
        vm.prank(poster);
        market.rate(approved, terms, 5);
        assertEq(market.executorRecordOf(human).ratingCount, 1, "rated");
        assertTrue(market.paused(), "still paused");
    }

    /// @dev Walks every path that pays someone out, all while the market is paused.
    function test_WhenPaused_RefundsSettlementAndWithdrawalsShouldWork() external {
        TaskTerms memory terms = ethTerms();
        uint256 released = submittedTask(terms);
        uint256 cancelled = createTask(terms);
        uint256 mutual = claimedTask(terms);
        uint256 expired = createTask(terms);
        ContractAccount account = newContractExecutor("rejectingExecutor");
        uint256 credited = submittedTaskBy(account, terms);
        account.setAcceptsEth(false);

        pauseMarket();

        vm.prank(poster);
        market.cancel(cancelled, terms);
        assertStatus(cancelled, TaskStatus.Cancelled);
        vm.prank(poster);
        market.consentToCancel(mutual, terms);
        vm.prank(human);
        market.consentToCancel(mutual, terms);
        assertStatus(mutual, TaskStatus.Cancelled);
        // A failed push is credited, then withdrawn.
        approveTask(credited, terms);
        account.execute(address(market), 0, abi.encodeCall(market.withdraw, (address(0), stranger)));
        assertEq(market.creditOf(address(account), address(0)), 0, "credit withdrawn");
        // Release and refund once the windows have passed.
        vm.warp(uint256(terms.claimDeadline) + 1);
        market.release(released, terms);
        assertStatus(released, TaskStatus.Settled);
        market.refundExpired(expired, terms);
        assertStoredStatus(expired, TaskStatus.Expired);
        market.withdrawProtocolFees(address(0));
        assertEq(market.accruedFeesOf(address(0)), 0, "fees withdrawn");
        assertEq(address(market).balance, 0, "everything paid out");
        assertTrue(market.paused(), "still paused");
    }
}
