// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Pausable } from "@openzeppelin/contracts/utils/Pausable.sol";

import { Eligibility } from "../../../contracts/interfaces/IExecutorRegistry.sol";
import { ITaskMarket } from "../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../contracts/libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../../../contracts/types/TaskTypes.sol";
import { Attack_Base } from "./AttackBase.sol";

/// @notice The protocol owner is trusted with the fee for new tasks, the fee recipient and pausing creation, and
/// with nothing else: it can never move escrowed funds.
contract OwnerPowers_Attack_Test is Attack_Base {
    TaskTerms internal postedTerms;
    TaskTerms internal claimedTerms;
    TaskTerms internal submittedTerms;
    uint256 internal postedId;
    uint256 internal claimedId;
    uint256 internal submittedId;

    function setUp() public override {
        super.setUp();
        postedTerms = ethTerms();
        postedTerms.documentHash = keccak256("posted");
        postedId = createTask(postedTerms);

        claimedTerms = ethTerms();
        claimedTerms.documentHash = keccak256("claimed");
        claimedId = createTask(claimedTerms);
        claimTask(claimedId, claimedTerms, human);

        submittedTerms = tokenTerms();
        submittedId = submittedTask(submittedTerms);
    }

    /// The owner uses every power it has and tries every task call; escrow does not move, no task changes state,
    /// and the task settles at the fee it was created with.
    /// Defence: no owner function reaches escrow, every task call checks its caller's role, and the fee is
    /// snapshotted into each task's terms (settling at the owner's new 5 % would change the payout asserted here).
    function test_OwnerCannotMoveEscrowedFunds() external {
        uint256 ethHeld = address(market).balance;
        uint256 tokenHeld = token.balanceOf(address(market));
        assertEq(ethHeld, 2 * REWARD + BOND, "ETH escrow");
        assertEq(tokenHeld, REWARD + BOND, "token escrow");
        vm.deal(owner, BOND);

        useEveryOwnerPowerAndTryEveryTaskCall();

        assertEq(address(market).balance, ethHeld, "ETH escrow untouched");
        assertEq(token.balanceOf(address(market)), tokenHeld, "token escrow untouched");
        assertEq(owner.balance, BOND, "the owner gained nothing");
        assertEq(token.balanceOf(owner), 0, "the owner gained no tokens");
        assertEq(uint8(market.statusOf(postedId)), uint8(TaskStatus.Posted));
        assertEq(uint8(market.statusOf(claimedId)), uint8(TaskStatus.Claimed));
        assertEq(uint8(market.statusOf(submittedId)), uint8(TaskStatus.Submitted));

        uint256 humanBefore = token.balanceOf(human);
        vm.prank(poster);
        market.approve(submittedId, submittedTerms);
        uint256 fee = (uint256(REWARD) * FEE_BPS) / 10_000;
        assertEq(token.balanceOf(human) - humanBefore, REWARD - fee + BOND, "paid at the snapshotted fee");
        assertEq(market.accruedFeesOf(address(token)), fee, "fee at the snapshotted rate");
    }

    /// @dev As the owner: change the fee and its recipient, pause, try every task call, unpause, hand over and
    /// renounce ownership.
    function useEveryOwnerPowerAndTryEveryTaskCall() internal {
        vm.startPrank(owner);
        market.setProtocolFee(market.MAX_FEE_BPS());
        market.setFeeRecipient(owner);
        market.pause();
        tryEveryTaskCall();
        market.unpause();
        market.transferOwnership(stranger);
        vm.stopPrank();
        vm.startPrank(stranger);
        market.acceptOwnership();
        market.renounceOwnership();
        vm.stopPrank();
    }

    /// @dev Every call a task party could make, made by the owner (already pranked): each reverts.
    function tryEveryTaskCall() internal {
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotPoster.selector, postedId, owner));
        market.cancel(postedId, postedTerms);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_ExecutorNotEligible.selector,
                postedId,
                owner,
                Eligibility.NotRegistered
            )
        );
        market.claim{ value: BOND }(postedId, postedTerms, noCapabilities());
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, postedId, TaskStatus.Posted));
        market.refundExpired(postedId, postedTerms);
        vm.expectRevert(abi.encodeWithSelector(ITaskMarket.TaskMarket_CallerNotParty.selector, claimedId, owner));
        market.consentToCancel(claimedId, claimedTerms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotExecutor.selector, claimedId, owner));
        market.submit(claimedId, claimedTerms, ATTACK_RESULT_HASH, "ipfs://owner");
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, submittedId, owner));
        market.approve(submittedId, submittedTerms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotVerifier.selector, submittedId, owner));
        market.reject(submittedId, submittedTerms, keccak256("owner"));
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, submittedId, TaskStatus.Submitted)
        );
        market.release(submittedId, submittedTerms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_NothingToWithdraw.selector, owner, address(0)));
        market.withdraw(address(0), owner);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_NothingToWithdraw.selector, owner, address(token)));
        market.withdraw(address(token), owner);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_NoFeesAccrued.selector, address(0)));
        market.withdrawProtocolFees(address(0));
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_NoFeesAccrued.selector, address(token)));
        market.withdrawProtocolFees(address(token));
    }

    /// The fee can never be raised above the cap. Defence: `MAX_FEE_BPS` check in `setProtocolFee`.
    function test_OwnerCannotSetFeeAboveCap() external {
        uint16 cap = market.MAX_FEE_BPS();
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_FeeAboveCap.selector, cap + 1, cap));
        market.setProtocolFee(cap + 1);
        assertEq(market.protocolFeeBps(), FEE_BPS, "fee unchanged");
    }

    /// A fee change cannot front-run a pending creation: the poster's terms carry the fee it agreed to.
    /// Defence: `createTask` requires `terms.feeBps` to equal the current fee.
    function test_FeeRaisedBeforeCreation_PendingCreationReverts() external {
        TaskTerms memory terms = ethTerms();
        terms.documentHash = keccak256("pending");
        vm.prank(owner);
        market.setProtocolFee(500);

        vm.prank(poster);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_FeeMismatch.selector, 500, FEE_BPS));
        market.createTask{ value: REWARD }(terms, noCapabilities(), DOCUMENT_URI);
    }

    /// Pausing stops creation only: claims, settlement, refunds, cancellation and withdrawals go on.
    /// Defence: `whenNotPaused` is on the two creation functions and nowhere else.
    function test_PauseStopsCreationOnly() external {
        vm.prank(owner);
        market.pause();

        TaskTerms memory terms = ethTerms();
        terms.documentHash = keccak256("while paused");
        vm.prank(poster);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        market.createTask{ value: REWARD }(terms, noCapabilities(), DOCUMENT_URI);

        claimTask(postedId, postedTerms, agent);
        assertEq(uint8(market.statusOf(postedId)), uint8(TaskStatus.Claimed), "claim works");
        vm.prank(poster);
        market.approve(submittedId, submittedTerms);
        assertEq(uint8(market.statusOf(submittedId)), uint8(TaskStatus.Settled), "settlement works");
        market.withdrawProtocolFees(address(token));
        assertEq(token.balanceOf(feeRecipient), expectedFee(submittedTerms), "fee withdrawal works");
        vm.prank(poster);
        market.consentToCancel(claimedId, claimedTerms);
        vm.prank(human);
        market.consentToCancel(claimedId, claimedTerms);
        assertEq(uint8(market.statusOf(claimedId)), uint8(TaskStatus.Cancelled), "mutual cancel works");
        vm.warp(uint256(postedTerms.claimDeadline) + 1);
        market.refundExpired(postedId, postedTerms);
        assertEq(uint8(market.statusOf(postedId)), uint8(TaskStatus.Expired), "refund works");
        assertEq(address(market).balance, 0, "everything paid out while paused");
    }
}
