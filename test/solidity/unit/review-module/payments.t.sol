// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IArbitrator } from "../../../../contracts/interfaces/arbitration/IArbitrator.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { IReviewModule } from "../../../../contracts/interfaces/verification/IReviewModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorKind, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { EthRefusingAccount, Executable, GasHungryAccount, ReentrantAccount } from "../../mocks/AttackReceivers.sol";
import { BlocklistERC20 } from "../../utils/TestTokens.sol";
import { ReviewModule_Test } from "./ReviewModuleBase.sol";

/// @notice The module's ETH payments (deposits, bonds, the verifier fee of ETH tasks): pushed with bounded gas and
/// credited on failure, withdrawable later; and what a party contract re-entering on a payment can do.
contract ReviewModule_Payments_Unit_Test is ReviewModule_Test {
    IReviewModule.ReviewConfig internal config;
    TaskTerms internal terms;

    function setUp() public override {
        super.setUp();
        config = contestConfig();
        terms = reviewTerms(address(0), config);
    }

    /// @dev Registers the contract `account` as an executor; it claims and submits a new task of `taskTerms`.
    function submittedBy(address account, TaskTerms memory taskTerms) private returns (uint256 taskId) {
        vm.deal(account, 10 ether);
        Executable(account).execute(
            address(registry),
            0,
            abi.encodeCall(registry.register, (ExecutorKind.Human, address(0), noCapabilities(), "ipfs://contract"))
        );
        taskId = createTask(taskTerms);
        Executable(account).execute(
            address(market),
            taskTerms.claimBond,
            abi.encodeCall(market.claim, (taskId, taskTerms, noCapabilities()))
        );
        Executable(account).execute(
            address(market),
            0,
            abi.encodeCall(market.submit, (taskId, taskTerms, RESULT_HASH, RESULT_URI))
        );
    }

    function disputeFrom(address account, uint256 taskId, TaskTerms memory taskTerms) private {
        Executable(account).execute(
            address(module),
            ARBITRATION_FEE,
            abi.encodeCall(module.dispute, (taskId, taskTerms, config))
        );
    }

    /// @dev The contract `account` executes a task whose partial acceptance the poster disputes; `account` matches
    /// the deposit, and the panel closes the dispute without a majority: its fee is refundable to `account`.
    function unresolvedDisputeAnsweredBy(address account) private returns (uint256 taskId, uint256 disputeId) {
        taskId = submittedBy(account, terms);
        acceptPartiallyAs(reviewer, taskId, terms, config, 6_000);
        disputeAs(poster, taskId, terms, config);
        Executable(account).execute(address(module), ARBITRATION_FEE, abi.encodeCall(module.respond, (taskId, terms)));
        disputeId = disputeIdOf(taskId);
        vm.warp(arbitrator.disputeOf(disputeId).votingDeadline + 1);
        arbitrator.closeUnresolved(disputeId);
    }

    function withdrawFrom(address account) private {
        Executable(account).execute(address(module), 0, abi.encodeCall(module.withdraw, ()));
    }

    /*//////////////////////////////////////////////////////////////
                          CREDITS AND WITHDRAW
    //////////////////////////////////////////////////////////////*/

    /// A claimant that refuses ETH cannot block the end of its dispute: its deposit is credited, and it withdraws
    /// it once it accepts ETH.
    function test_Withdraw_ClaimantThatRefusesEthIsCredited() external {
        EthRefusingAccount account = new EthRefusingAccount();
        address claimant = address(account);
        uint256 taskId = submittedBy(claimant, terms);
        rejectAs(reviewer, taskId, terms, config);
        disputeFrom(claimant, taskId, terms);
        vm.warp(module.contestOf(taskId).deadline + 1);

        vm.expectEmit(address(module));
        emit IDisputableModule.PaymentCredited(claimant, ARBITRATION_FEE);
        vm.prank(stranger);
        module.timeoutRespondent(taskId, terms);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(module.creditOf(claimant), ARBITRATION_FEE, "deposit credited");
        assertEq(address(module).balance, ARBITRATION_FEE, "the module holds only the credit");
        assertEq(market.creditOf(claimant, address(0)), payoutOf(REWARD, FEE_BPS) + BOND, "market credit too");

        // Still refusing: the withdrawal reverts and the credit stays.
        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_TransferFailed.selector, claimant, ARBITRATION_FEE)
        );
        withdrawFrom(claimant);
        assertEq(module.creditOf(claimant), ARBITRATION_FEE, "credit kept");

        account.setRefusesEth(false);
        uint256 before = claimant.balance;
        withdrawFrom(claimant);
        assertEq(claimant.balance - before, ARBITRATION_FEE, "withdrawn");
        assertEq(module.creditOf(claimant), 0, "credit cleared");
        assertEq(address(module).balance, 0, "module empty");

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_NothingToWithdraw.selector, claimant));
        withdrawFrom(claimant);
    }

    function test_RevertWhen_Withdraw_NothingCredited() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_NothingToWithdraw.selector, stranger));
        vm.prank(stranger);
        module.withdraw();
    }

    /// A reviewer that refuses ETH gets its fee credited; the decision goes through.
    function test_Withdraw_ReviewerThatRefusesEthIsCredited() external {
        EthRefusingAccount account = new EthRefusingAccount();
        IReviewModule.ReviewConfig memory accountConfig = immediateConfig();
        accountConfig.reviewer = address(account);
        TaskTerms memory accountTerms = reviewTerms(address(0), accountConfig);
        uint256 taskId = submittedTask(accountTerms);

        vm.expectEmit(address(module));
        emit IDisputableModule.PaymentCredited(address(account), VERIFIER_FEE);
        account.execute(address(module), 0, abi.encodeCall(module.approve, (taskId, accountTerms, accountConfig)));

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(module.creditOf(address(account)), VERIFIER_FEE, "fee credited");
        account.setRefusesEth(false);
        withdrawFrom(address(account));
        assertEq(address(account).balance, VERIFIER_FEE, "fee withdrawn");
        assertEq(address(module).balance, 0, "module empty");
    }

    /// An ERC-20 fee is forwarded with `safeTransfer`: a reviewer the token refuses to pay cannot decide (the
    /// documented behaviour), and silence then releases the payment in full.
    function test_TokenFee_ReviewerTheTokenRefuses_CannotDecide() external {
        BlocklistERC20 blocklist = new BlocklistERC20();
        blocklist.mint(poster, 10 ether);
        vm.prank(poster);
        blocklist.approve(address(market), type(uint256).max);
        blocklist.mint(human, 10 ether);
        vm.prank(human);
        blocklist.approve(address(market), type(uint256).max);
        TaskTerms memory tokenTerms = reviewTerms(address(blocklist), config);
        uint256 taskId = submittedTask(tokenTerms);
        blocklist.setBlocked(reviewer, true);

        vm.expectRevert(abi.encodeWithSelector(BlocklistERC20.BlocklistERC20_Blocked.selector, reviewer));
        approveAs(reviewer, taskId, tokenTerms, config);
        vm.expectRevert(abi.encodeWithSelector(BlocklistERC20.BlocklistERC20_Blocked.selector, reviewer));
        rejectAs(reviewer, taskId, tokenTerms, config);

        warpPastReviewDeadline(taskId);
        market.release(taskId, tokenTerms);
        assertEq(blocklist.balanceOf(human), 10 ether + payoutOf(REWARD, FEE_BPS), "released in full");
        assertEq(blocklist.balanceOf(poster), 10 ether - REWARD, "the unearned fee back to the poster");
        assertEq(blocklist.balanceOf(address(module)), 0, "module");
    }

    /// A receiver that needs more gas than a push forwards is credited rather than given unbounded gas; with the
    /// full gas of a withdrawal it is paid.
    function test_Withdraw_GasHungryClaimantIsCredited() external {
        GasHungryAccount account = new GasHungryAccount();
        address claimant = address(account);
        uint256 taskId = submittedBy(claimant, terms);
        rejectAs(reviewer, taskId, terms, config);
        disputeFrom(claimant, taskId, terms);
        vm.warp(module.contestOf(taskId).deadline + 1);

        module.timeoutRespondent(taskId, terms);

        assertEq(module.creditOf(claimant), ARBITRATION_FEE, "deposit credited");
        uint256 before = claimant.balance;
        withdrawFrom(claimant);
        assertEq(claimant.balance - before, ARBITRATION_FEE, "withdrawn with full gas");
    }

    /// A respondent that refuses ETH cannot block the reclaim of its refunded arbitration fee: the fee leaves the
    /// panel, is credited to it in the module, and it withdraws it once it accepts ETH.
    function test_ReclaimArbitrationFee_PayerThatRefusesEthIsCredited() external {
        EthRefusingAccount account = new EthRefusingAccount();
        address respondent = address(account);
        (, uint256 disputeId) = unresolvedDisputeAnsweredBy(respondent);
        uint256 moduleBefore = address(module).balance;

        vm.expectEmit(address(module));
        emit IDisputableModule.ArbitrationFeeReclaimed(
            IArbitrator(address(arbitrator)),
            disputeId,
            respondent,
            ARBITRATION_FEE
        );
        vm.expectEmit(address(module));
        emit IDisputableModule.PaymentCredited(respondent, ARBITRATION_FEE);
        vm.prank(stranger);
        module.reclaimArbitrationFee(arbitrator, disputeId);

        assertEq(arbitrator.creditOf(address(module)), 0, "pulled from the panel");
        assertEq(module.creditOf(respondent), ARBITRATION_FEE, "fee credited");
        assertEq(address(module).balance - moduleBefore, ARBITRATION_FEE, "held for the respondent");
        vm.expectRevert(
            abi.encodeWithSelector(Errors.DisputableModule_NothingToReclaim.selector, address(arbitrator), disputeId)
        );
        module.reclaimArbitrationFee(arbitrator, disputeId);

        account.setRefusesEth(false);
        uint256 before = respondent.balance;
        withdrawFrom(respondent);
        assertEq(respondent.balance - before, ARBITRATION_FEE, "withdrawn");
        assertEq(module.creditOf(respondent), 0, "credit cleared");
        assertEq(address(module).balance, moduleBefore, "only the live contest's deposit is left");
    }

    /*//////////////////////////////////////////////////////////////
                               REENTRANCY
    //////////////////////////////////////////////////////////////*/

    /// The respondent re-enters `reclaimArbitrationFee` when its refunded fee reaches it: locked, paid once.
    function test_Reentrancy_PayerReentersReclaimArbitrationFee() external {
        ReentrantAccount account = new ReentrantAccount();
        address respondent = address(account);
        (, uint256 disputeId) = unresolvedDisputeAnsweredBy(respondent);
        account.arm(address(module), abi.encodeCall(module.reclaimArbitrationFee, (arbitrator, disputeId)), 0);
        uint256 before = respondent.balance;
        uint256 moduleBefore = address(module).balance;

        module.reclaimArbitrationFee(arbitrator, disputeId);

        assertEq(account.reentryCount(), 1, "re-entered once");
        assertFalse(account.reentrySucceeded(), "re-entry failed");
        assertEq(account.reentryErrorSelector(), Errors.NonReentrant_ReentrantCall.selector, "stopped by the lock");
        assertEq(respondent.balance - before, ARBITRATION_FEE, "the fee, once");
        assertEq(module.creditOf(respondent), 0, "nothing credited");
        assertEq(address(module).balance, moduleBefore, "the module keeps only the live contest's deposit");
    }

    /// The executor re-enters `executeRuling` when the market pays it during the ruling's execution: the module is
    /// locked, the payment still goes through, and nothing is paid twice.
    function test_Reentrancy_ExecutorReentersExecuteRuling() external {
        ReentrantAccount account = new ReentrantAccount();
        address claimant = address(account);
        uint256 taskId = submittedBy(claimant, terms);
        rejectAs(reviewer, taskId, terms, config);
        disputeFrom(claimant, taskId, terms);
        respondAs(poster, taskId, terms);
        panelRules(disputeIdOf(taskId), 11);
        account.arm(address(module), abi.encodeCall(module.executeRuling, (taskId, terms)), 0);
        Balances memory before = balancesOf(claimant);

        vm.prank(stranger);
        module.executeRuling(taskId, terms);

        assertEq(account.reentryCount(), 1, "re-entered once");
        assertFalse(account.reentrySucceeded(), "re-entry failed");
        assertEq(account.reentryErrorSelector(), Errors.NonReentrant_ReentrantCall.selector, "stopped by the lock");
        uint256 payout = payoutOf(REWARD, FEE_BPS);
        assertDeltas(
            before,
            balancesOf(claimant),
            [int256(0), toInt(payout + BOND + ARBITRATION_FEE), 0, 0, -toInt(ARBITRATION_FEE), -toInt(payout + BOND)]
        );
        assertEq(module.creditOf(claimant), 0, "nothing credited");
        assertPhase(taskId, IDisputableModule.ContestPhase.None);
    }

    /// The claimant re-enters the module when the module itself refunds its deposit after the arbitrator's silence
    /// (no market payment comes first: the claim bond is zero and the rejection stands): locked again, paid once.
    function test_Reentrancy_ClaimantReentersOnItsDepositRefund() external {
        ReentrantAccount account = new ReentrantAccount();
        address claimant = address(account);
        TaskTerms memory bondless = reviewTerms(address(0), config);
        bondless.claimBond = 0;
        uint256 taskId = submittedBy(claimant, bondless);
        rejectAs(reviewer, taskId, bondless, config);
        disputeFrom(claimant, taskId, bondless);
        respondAs(poster, taskId, bondless);
        vm.warp(module.contestOf(taskId).deadline + 1);
        account.arm(address(module), abi.encodeCall(module.timeoutArbitration, (taskId, bondless)), 0);
        uint256 before = claimant.balance;

        module.timeoutArbitration(taskId, bondless);

        assertEq(account.reentryCount(), 1, "re-entered once");
        assertEq(account.reentryErrorSelector(), Errors.NonReentrant_ReentrantCall.selector, "stopped by the lock");
        assertEq(claimant.balance - before, ARBITRATION_FEE, "the deposit, once");
        assertEq(address(module).balance, 0, "module empty");
    }

    /// A credited account re-enters `withdraw` from the withdrawal itself: locked, and the credit is cleared before
    /// the transfer anyway.
    function test_Reentrancy_ReentrantWithdraw() external {
        ReentrantAccount account = new ReentrantAccount();
        address claimant = address(account);
        uint256 taskId = submittedBy(claimant, terms);
        rejectAs(reviewer, taskId, terms, config);
        disputeFrom(claimant, taskId, terms);
        vm.warp(module.contestOf(taskId).deadline + 1);
        account.setRefusesEth(true);
        module.timeoutRespondent(taskId, terms);
        assertEq(module.creditOf(claimant), ARBITRATION_FEE, "credited");

        account.setRefusesEth(false);
        account.arm(address(module), abi.encodeCall(module.withdraw, ()), 0);
        uint256 before = claimant.balance;
        withdrawFrom(claimant);

        assertEq(account.reentryErrorSelector(), Errors.NonReentrant_ReentrantCall.selector, "stopped by the lock");
        assertEq(claimant.balance - before, ARBITRATION_FEE, "paid once");
        assertEq(module.creditOf(claimant), 0, "credit cleared");
        assertEq(address(module).balance, 0, "module empty");
    }
}
