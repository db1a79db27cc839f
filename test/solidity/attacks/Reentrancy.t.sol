// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../contracts/libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../../../contracts/types/TaskTypes.sol";
import { ReentrantAccount } from "../mocks/AttackReceivers.sol";
import { ReentrantToken } from "../mocks/ReentrantToken.sol";
import { Attack_Base } from "./AttackBase.sol";

/// @notice Reentrancy through a receiving contract (ETH) and through a malicious token, into every function that
/// moves value, plus what a read-only reentrancy would observe.
contract Reentrancy_Attack_Test is Attack_Base {
    /// @dev The error of the market's reentrancy lock.
    bytes4 internal immutable GUARD_ERROR = Errors.NonReentrant_ReentrantCall.selector;

    ReentrantAccount internal attacker;

    function setUp() public override {
        super.setUp();
        attacker = new ReentrantAccount();
        vm.label(address(attacker), "ReentrantAccount");
        registerAsHuman(address(attacker));
    }

    /// @dev A submitted ETH task whose executor is the attacker.
    function attackerSubmittedTask() internal returns (uint256 taskId, TaskTerms memory terms) {
        terms = ethTerms();
        taskId = createTask(terms);
        fundAndClaim(taskId, terms, address(attacker));
        submitWork(taskId, terms, address(attacker));
    }

    /*//////////////////////////////////////////////////////////////
                        MALICIOUS ETH RECEIVER
    //////////////////////////////////////////////////////////////*/

    /// Defence: `nonReentrant` on `release` (the guard's error is what the callback meets), backed by
    /// checks-effects-interactions (the status is `Settled` before the push, so the executor is paid once).
    function test_ExecutorReentersReleaseOnReceive_IsStoppedAndPaidOnce() external {
        (uint256 taskId, TaskTerms memory terms) = attackerSubmittedTask();
        attacker.arm(address(market), abi.encodeCall(ITaskMarket.release, (taskId, terms)), 0);
        warpPastReview(taskId);

        vm.prank(stranger);
        market.release(taskId, terms);

        assertEq(attacker.reentryCount(), 1, "the callback ran");
        assertFalse(attacker.reentrySucceeded(), "the nested release failed");
        assertEq(attacker.reentryErrorSelector(), GUARD_ERROR, "stopped by the reentrancy guard");
        assertEq(address(attacker).balance, expectedPayout(terms) + BOND, "paid exactly once");
        assertEq(market.creditOf(address(attacker), address(0)), 0, "nothing credited");
        assertEq(address(market).balance, expectedFee(terms), "only the fee is left");
        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.Settled));
    }

    /// Defence: `nonReentrant` on `withdraw`, backed by deleting the credit before the transfer.
    function test_ExecutorReentersWithdrawOnReceive_IsStoppedAndWithdrawsOnce() external {
        (uint256 taskId, TaskTerms memory terms) = attackerSubmittedTask();
        // Refuse the settlement push, so that the payment is credited.
        attacker.setRefusesEth(true);
        vm.prank(poster);
        market.approve(taskId, terms);
        uint256 credit = market.creditOf(address(attacker), address(0));
        assertEq(credit, expectedPayout(terms) + BOND, "settlement credited");

        attacker.setRefusesEth(false);
        bytes memory withdrawCall = abi.encodeCall(ITaskMarket.withdraw, (address(0), address(attacker)));
        attacker.arm(address(market), withdrawCall, 0);
        attacker.execute(address(market), 0, withdrawCall);

        assertEq(attacker.reentryCount(), 1, "the callback ran");
        assertEq(attacker.reentryErrorSelector(), GUARD_ERROR, "stopped by the reentrancy guard");
        assertEq(address(attacker).balance, credit, "withdrew exactly once");
        assertEq(market.creditOf(address(attacker), address(0)), 0, "credit cleared");
        assertEq(address(market).balance, expectedFee(terms), "only the fee is left");
    }

    /// Defence: `nonReentrant` on `claim`: a claim cannot be slipped in while the market is paying out.
    function test_ExecutorReentersClaimOnReceive_IsStopped() external {
        TaskTerms memory otherTerms = ethTerms();
        otherTerms.claimBond = 0;
        otherTerms.documentHash = keccak256("another task");
        uint256 otherTaskId = createTask(otherTerms);

        (uint256 taskId, TaskTerms memory terms) = attackerSubmittedTask();
        attacker.arm(
            address(market),
            abi.encodeCall(ITaskMarket.claim, (otherTaskId, otherTerms, noCapabilities())),
            0
        );
        vm.prank(poster);
        market.approve(taskId, terms);

        assertEq(attacker.reentryCount(), 1, "the callback ran");
        assertEq(attacker.reentryErrorSelector(), GUARD_ERROR, "stopped by the reentrancy guard");
        assertEq(uint8(market.statusOf(otherTaskId)), uint8(TaskStatus.Posted), "the other task is still open");
        assertEq(market.stateOf(otherTaskId).executor, address(0), "nobody holds the other task");
        assertEq(address(attacker).balance, expectedPayout(terms) + BOND, "paid once");
    }

    /// Defence: `nonReentrant` on `refundExpired`, backed by the stored `Expired` status written before the push.
    function test_PosterReentersRefundExpiredOnReceive_IsStoppedAndRefundedOnce() external {
        TaskTerms memory terms = termsOf(address(attacker), address(0));
        vm.deal(address(attacker), REWARD);
        bytes memory createCall = abi.encodeCall(ITaskMarket.createTask, (terms, noCapabilities(), DOCUMENT_URI));
        uint256 taskId = abi.decode(attacker.execute(address(market), REWARD, createCall), (uint256));
        vm.warp(uint256(terms.claimDeadline) + 1);
        attacker.arm(address(market), abi.encodeCall(ITaskMarket.refundExpired, (taskId, terms)), 0);

        vm.prank(stranger);
        market.refundExpired(taskId, terms);

        assertEq(attacker.reentryErrorSelector(), GUARD_ERROR, "stopped by the reentrancy guard");
        assertEq(address(attacker).balance, REWARD, "refunded exactly once");
        assertEq(address(market).balance, 0, "nothing left in escrow");
    }

    /// Read-only reentrancy: while the executor is being paid, the getters the API reads already show the final
    /// state. Defence: checks-effects-interactions in `_settle` (status written before the push).
    function test_ReadOnlyReentrancy_StatusIsFinalDuringPayout() external {
        (uint256 taskId, TaskTerms memory terms) = attackerSubmittedTask();
        attacker.setProbe(address(market), abi.encodeCall(ITaskMarket.statusOf, (taskId)));

        vm.prank(poster);
        market.approve(taskId, terms);

        assertEq(attacker.probeResult(), uint256(TaskStatus.Settled), "statusOf read during the payout");
        assertEq(address(attacker).balance, expectedPayout(terms) + BOND, "the probe did not block the payment");
    }

    /*//////////////////////////////////////////////////////////////
                          VERIFICATION HOOKS
    //////////////////////////////////////////////////////////////*/

    /// A delegated verifier that is a contract is paid its fee by push on its first decision, and reenters.
    /// Defence: `nonReentrant` on `reject` and `approve`; the fee is marked paid before the push.
    function test_VerifierReentersApproveOnItsFee_IsStoppedAndPaidOnce() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        terms.verifier = address(attacker);
        uint256 taskId = submittedTask(terms);
        attacker.arm(address(market), abi.encodeCall(ITaskMarket.approve, (taskId, terms)), 0);

        attacker.execute(address(market), 0, abi.encodeCall(ITaskMarket.reject, (taskId, terms, REASON_HASH)));

        assertEq(attacker.reentryCount(), 1, "the callback ran");
        assertEq(attacker.reentryErrorSelector(), GUARD_ERROR, "stopped by the reentrancy guard");
        assertEq(address(attacker).balance, VERIFIER_FEE, "the fee, once");
        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.InProgress), "the rejection stands");

        // Its next decision pays nothing more: there is no fee left to take.
        submitWork(taskId, terms, human);
        attacker.arm(address(market), abi.encodeCall(ITaskMarket.approve, (taskId, terms)), 0);
        attacker.execute(address(market), 0, abi.encodeCall(ITaskMarket.approve, (taskId, terms)));
        assertEq(attacker.reentryCount(), 1, "no payment reached the verifier again");
        assertEq(address(attacker).balance, VERIFIER_FEE, "still the fee, once");
    }

    /// `submit` carries no lock: an executor paid for a milestone may submit the next one from inside the payment.
    /// Nothing is gained: the task is already back in progress, with the milestone counted, when the push is made.
    function test_ExecutorReentersSubmitOnAMilestonePayout_OnlyStartsTheNextReview() external {
        TaskTerms memory terms = ethTerms();
        terms.milestoneShares = packMilestones(4_000, 6_000);
        uint256 taskId = createTask(terms);
        fundAndClaim(taskId, terms, address(attacker));
        submitWork(taskId, terms, address(attacker));
        attacker.setProbe(address(market), abi.encodeCall(ITaskMarket.unpaidRewardOf, (taskId, terms)));
        bytes memory resubmit = abi.encodeCall(ITaskMarket.submit, (taskId, terms, ATTACK_RESULT_HASH, "ipfs://m1"));
        attacker.arm(address(market), resubmit, 0);

        vm.prank(poster);
        market.approve(taskId, terms);

        assertTrue(attacker.reentrySucceeded(), "the nested submit went through");
        assertEq(attacker.probeResult(), 0.6 ether, "the milestone was counted before the payment");
        uint256 paid = 0.4 ether - feeOf(0.4 ether, FEE_BPS);
        assertEq(address(attacker).balance, paid, "paid for the first milestone only");
        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.Submitted), "the second milestone is under review");
        (uint8 verified, , ) = market.progressOf(taskId);
        assertEq(verified, 1, "one milestone settled");

        vm.prank(poster);
        market.approve(taskId, terms);
        assertEq(address(attacker).balance, REWARD - feeOf(REWARD, FEE_BPS) + BOND, "the whole reward, once");
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "only fees are left");
    }

    /*//////////////////////////////////////////////////////////////
                           MALICIOUS TOKEN
    //////////////////////////////////////////////////////////////*/

    /// The token moves nothing for the outer deposit and instead funds a nested `createTask` from inside
    /// `transferFrom`, hoping that one deposit is counted for two tasks.
    /// Defence: `nonReentrant` on `createTask` (without it both tasks would be created with one reward in escrow),
    /// backed by the exact balance-delta check, which then sees nothing arrive for the outer task.
    function test_TokenReentersCreateTaskOnTransferFrom_CannotFundTwoTasksWithOneDeposit() external {
        ReentrantToken evil = new ReentrantToken();
        TaskTerms memory outerTerms = defaultTerms(address(evil));
        evil.mint(poster, REWARD);
        vm.prank(poster);
        evil.approve(address(market), type(uint256).max);

        // The nested task is posted by the token itself, from its own balance.
        TaskTerms memory nestedTerms = termsOf(address(evil), address(evil));
        evil.mint(address(evil), REWARD);
        evil.approveFromSelf(address(market), type(uint256).max);
        evil.arm(
            ReentrantToken.Hook.TransferFrom,
            address(market),
            abi.encodeCall(ITaskMarket.createTask, (nestedTerms, noCapabilities(), DOCUMENT_URI)),
            true
        );

        vm.prank(poster);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_TokenTransferShortfall.selector, address(evil), REWARD, 0)
        );
        market.createTask(outerTerms, noCapabilities(), DOCUMENT_URI);

        assertEq(market.nextTaskId(), 1, "no task was created");
        assertEq(evil.balanceOf(address(market)), 0, "nothing is held");
    }

    /// The token calls `release` again from inside the payment `transfer`.
    /// Defence: `nonReentrant` on `release`, backed by the status being `Settled` before the push.
    function test_TokenReentersReleaseOnTransfer_IsStoppedAndPaysOnce() external {
        ReentrantToken evil = new ReentrantToken();
        TaskTerms memory terms = defaultTerms(address(evil));
        uint256 taskId = fundAndCreate(terms);
        fundAndClaim(taskId, terms, human);
        submitWork(taskId, terms, human);
        warpPastReview(taskId);
        evil.arm(
            ReentrantToken.Hook.Transfer,
            address(market),
            abi.encodeCall(ITaskMarket.release, (taskId, terms)),
            false
        );

        vm.prank(stranger);
        market.release(taskId, terms);

        assertEq(evil.reentryCount(), 1, "the callback ran");
        assertEq(evil.reentryErrorSelector(), GUARD_ERROR, "stopped by the reentrancy guard");
        assertEq(evil.balanceOf(human), expectedPayout(terms) + BOND, "paid exactly once");
        assertEq(evil.balanceOf(address(market)), expectedFee(terms), "only the fee is left");
        assertEq(market.accruedFeesOf(address(evil)), expectedFee(terms));
    }

    /// The token, itself a registered executor, tries to claim the task from inside the bond `transferFrom` of the
    /// executor who is claiming it. Defence: `nonReentrant` on `claim`, backed by the claim being recorded before
    /// the bond is pulled.
    function test_TokenReentersClaimOnTransferFrom_IsStoppedAndFirstClaimHolds() external {
        ReentrantToken evil = new ReentrantToken();
        registerAsHuman(address(evil));
        TaskTerms memory terms = defaultTerms(address(evil));
        uint256 taskId = fundAndCreate(terms);
        evil.mint(human, BOND);
        vm.prank(human);
        evil.approve(address(market), type(uint256).max);
        evil.arm(
            ReentrantToken.Hook.TransferFrom,
            address(market),
            abi.encodeCall(ITaskMarket.claim, (taskId, terms, noCapabilities())),
            false
        );

        vm.prank(human);
        market.claim(taskId, terms, noCapabilities());

        assertEq(evil.reentryErrorSelector(), GUARD_ERROR, "stopped by the reentrancy guard");
        assertEq(market.stateOf(taskId).executor, human, "the honest claim holds");
        assertEq(evil.balanceOf(address(market)), REWARD + BOND, "reward and bond are held");
    }

    /// The token calls `withdraw` for itself from inside a refund `transfer`, while it holds a credit.
    /// Defence: `nonReentrant` on `withdraw` (and on `cancel`, which is paying out).
    function test_TokenReentersWithdrawOnTransfer_IsStopped() external {
        ReentrantToken evil = new ReentrantToken();
        TaskTerms memory terms = defaultTerms(address(evil));
        uint256 taskId = fundAndCreate(terms);
        evil.arm(
            ReentrantToken.Hook.Transfer,
            address(market),
            abi.encodeCall(ITaskMarket.withdraw, (address(evil), address(evil))),
            false
        );

        vm.prank(poster);
        market.cancel(taskId, terms);

        assertEq(evil.reentryErrorSelector(), GUARD_ERROR, "stopped by the reentrancy guard");
        assertEq(evil.balanceOf(poster), REWARD, "poster refunded");
        assertEq(evil.balanceOf(address(market)), 0, "nothing left");
    }
}
