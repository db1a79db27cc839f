// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { Vm } from "forge-std/Test.sol";

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { IProofModule, ProofConfig } from "../../../../contracts/interfaces/verification/IProofModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorKind, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { EthRefusingAccount, ReentrantAccount } from "../../mocks/AttackReceivers.sol";
import { BlocklistERC20 } from "../../utils/TestTokens.sol";
import { ProofModule_Test } from "./ProofModuleBase.sol";

/// @notice The market pays a task's verifier fee to the module for its first decision; the module passes it on to the
/// caller that made that decision (and paid its gas), or credits it for a withdrawal.
contract ProofVerifierFee_Unit_Test is ProofModule_Test {
    address internal constant ETH = address(0);

    function feeTerms(address rewardToken, ProofConfig memory config) internal view returns (TaskTerms memory terms) {
        terms = proofTerms(rewardToken, config);
        terms.verifierFee = PROOF_FEE;
    }

    function registerHuman(address account) internal {
        vm.prank(account);
        registry.register(ExecutorKind.Human, address(0), noCapabilities(), "ipfs://contract-executor");
    }

    /*//////////////////////////////////////////////////////////////
                               FORWARDING
    //////////////////////////////////////////////////////////////*/

    function test_WhenProofAccepted_TheExecutorGetsTheEthFee() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = feeTerms(ETH, config);
        uint256 taskId = claimedProofTask(terms);
        assertEq(address(market).balance, REWARD + PROOF_FEE + BOND, "escrow with the fee");
        uint256 humanBefore = human.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.VerifierPaid(taskId, address(module), PROOF_FEE);
        vm.expectEmit(address(module));
        emit IProofModule.VerifierFeeForwarded(taskId, human, ETH, PROOF_FEE);
        proveArtifact(taskId, terms, config);

        assertEq(human.balance, humanBefore + payoutOf(REWARD, FEE_BPS) + BOND + PROOF_FEE, "payout, bond and fee");
        assertEq(address(module).balance, 0, "the module keeps nothing");
        assertEq(module.creditOf(human, ETH), 0, "nothing credited");
        assertEq(address(market).balance, feeOf(REWARD, FEE_BPS), "market keeps only the protocol fee");
    }

    function test_WhenProofAccepted_TheExecutorGetsTheTokenFee() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = feeTerms(address(token), config);
        uint256 taskId = claimedProofTask(terms);
        uint256 humanBefore = token.balanceOf(human);

        vm.expectEmit(address(module));
        emit IProofModule.VerifierFeeForwarded(taskId, human, address(token), PROOF_FEE);
        proveArtifact(taskId, terms, config);

        assertEq(token.balanceOf(human), humanBefore + payoutOf(REWARD, FEE_BPS) + BOND + PROOF_FEE, "executor");
        assertEq(token.balanceOf(address(module)), 0, "the module keeps nothing");
    }

    function test_WhenAnUnprovenSubmissionIsRejected_TheRejecterGetsTheFeeOnce() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = feeTerms(ETH, config);
        uint256 taskId = claimedProofTask(terms);
        submitWork(taskId, terms, human);
        uint256 strangerBefore = stranger.balance;

        vm.expectEmit(address(module));
        emit IProofModule.VerifierFeeForwarded(taskId, stranger, ETH, PROOF_FEE);
        rejectUnprovenAs(stranger, taskId, terms, config);
        assertEq(stranger.balance, strangerBefore + PROOF_FEE, "the rejecter earned the fee");

        // The fee is paid for the first decision only: the proof that settles the task earns nothing more.
        uint256 humanBefore = human.balance;
        vm.recordLogs();
        proveArtifact(taskId, terms, config);
        assertEq(human.balance, humanBefore + payoutOf(REWARD, FEE_BPS) + BOND, "payout and bond, no fee");
        assertEq(countModuleEvents(IProofModule.VerifierFeeForwarded.selector), 0, "nothing forwarded");
        assertEq(address(module).balance, 0, "the module keeps nothing");
    }

    function test_WhenTheTaskHasNoFee_NothingIsForwarded() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(ETH, config);
        uint256 taskId = claimedProofTask(terms);

        vm.recordLogs();
        proveArtifact(taskId, terms, config);

        assertEq(countModuleEvents(IProofModule.VerifierFeeForwarded.selector), 0, "nothing forwarded");
    }

    function test_WhenAnEthRefusingExecutorProves_TheFeeIsCreditedAndWithdrawable() external {
        EthRefusingAccount account = new EthRefusingAccount();
        registerHuman(address(account));
        vm.deal(address(account), BOND);
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = feeTerms(ETH, config);
        uint256 taskId = createProofTask(terms);
        claimTask(taskId, terms, address(account));

        vm.expectEmit(address(module));
        emit IProofModule.PaymentCredited(address(account), ETH, PROOF_FEE);
        submitWithProofAs(address(account), taskId, terms, config, artifactHash(), ARTIFACT);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(module.creditOf(address(account), ETH), PROOF_FEE, "fee credited by the module");
        assertEq(address(module).balance, PROOF_FEE, "the module holds the credit");
        assertEq(market.creditOf(address(account), ETH), payoutOf(REWARD, FEE_BPS) + BOND, "payout credited");

        address payee = makeAddr("payee");
        vm.expectEmit(address(module));
        emit IProofModule.CreditWithdrawn(address(account), ETH, payee, PROOF_FEE);
        vm.prank(address(account));
        module.withdraw(ETH, payee);

        assertEq(payee.balance, PROOF_FEE, "withdrawn");
        assertEq(module.creditOf(address(account), ETH), 0, "credit cleared");
        assertEq(address(module).balance, 0, "the module keeps nothing");
    }

    function test_WhenTheTokenRefusesTheExecutor_TheFeeIsCreditedAndWithdrawable() external {
        BlocklistERC20 blocklist = new BlocklistERC20();
        address[2] memory holders = [poster, human];
        for (uint256 i = 0; i < holders.length; ++i) {
            blocklist.mint(holders[i], 10 ether);
            vm.prank(holders[i]);
            blocklist.approve(address(market), type(uint256).max);
        }
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = feeTerms(address(blocklist), config);
        uint256 taskId = claimedProofTask(terms);
        blocklist.setBlocked(human, true);

        proveArtifact(taskId, terms, config);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(module.creditOf(human, address(blocklist)), PROOF_FEE, "fee credited");
        assertEq(blocklist.balanceOf(address(module)), PROOF_FEE, "the module holds the credit");

        blocklist.setBlocked(human, false);
        uint256 humanBefore = blocklist.balanceOf(human);
        vm.prank(human);
        module.withdraw(address(blocklist), human);
        assertEq(blocklist.balanceOf(human), humanBefore + PROOF_FEE, "withdrawn");
        assertEq(blocklist.balanceOf(address(module)), 0, "the module keeps nothing");
    }

    /*//////////////////////////////////////////////////////////////
                                WITHDRAW
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_NothingToWithdraw() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.ProofModule_NothingToWithdraw.selector, human, ETH));
        vm.prank(human);
        module.withdraw(ETH, human);
    }

    function test_RevertWhen_WithdrawingToZero() external {
        vm.expectRevert(Errors.ProofModule_ZeroAddress.selector);
        vm.prank(human);
        module.withdraw(ETH, address(0));
    }

    function test_RevertWhen_WithdrawalTargetRefusesEth() external {
        EthRefusingAccount account = new EthRefusingAccount();
        registerHuman(address(account));
        vm.deal(address(account), BOND);
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = feeTerms(ETH, config);
        uint256 taskId = createProofTask(terms);
        claimTask(taskId, terms, address(account));
        submitWithProofAs(address(account), taskId, terms, config, artifactHash(), ARTIFACT);

        vm.expectRevert(
            abi.encodeWithSelector(Errors.ProofModule_EthTransferFailed.selector, address(account), PROOF_FEE)
        );
        vm.prank(address(account));
        module.withdraw(ETH, address(account));
        assertEq(module.creditOf(address(account), ETH), PROOF_FEE, "the credit stays withdrawable");
    }

    /*//////////////////////////////////////////////////////////////
                                RECEIVE
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_AnyoneButTheMarketSendsEth() external {
        vm.prank(stranger);
        (bool success, bytes memory revertData) = address(module).call{ value: 1 ether }("");

        assertFalse(success, "refused");
        assertEq(revertData, abi.encodeWithSelector(Errors.ProofModule_UnexpectedEth.selector, stranger));
        assertEq(address(module).balance, 0, "nothing stuck");
    }

    /*//////////////////////////////////////////////////////////////
                               REENTRANCY
    //////////////////////////////////////////////////////////////*/

    function test_WhenTheExecutorReentersOnPayment_ItIsStoppedByTheLock() external {
        // Paid its reward from inside `submitWithProof`, a malicious executor tries to withdraw from the module
        // before the fee has been accounted for.
        ReentrantAccount attacker = new ReentrantAccount();
        registerHuman(address(attacker));
        vm.deal(address(attacker), BOND);
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = feeTerms(ETH, config);
        uint256 taskId = createProofTask(terms);
        claimTask(taskId, terms, address(attacker));
        attacker.arm(address(module), abi.encodeCall(IProofModule.withdraw, (ETH, address(attacker))), 0);

        submitWithProofAs(address(attacker), taskId, terms, config, artifactHash(), ARTIFACT);

        assertEq(attacker.reentryCount(), 1, "the callback ran");
        assertFalse(attacker.reentrySucceeded(), "the nested call failed");
        assertEq(attacker.reentryErrorSelector(), Errors.NonReentrant_ReentrantCall.selector, "stopped by the lock");
        assertEq(
            address(attacker).balance,
            payoutOf(REWARD, FEE_BPS) + BOND + PROOF_FEE,
            "paid the payout, the bond and the fee, once each"
        );
        assertEq(address(module).balance, 0, "the module keeps nothing");
    }

    /// @dev How many events with `topic0` the module emitted among the logs recorded since `vm.recordLogs()`.
    function countModuleEvents(bytes32 topic0) internal returns (uint256 count) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter == address(module) && logs[i].topics.length != 0 && logs[i].topics[0] == topic0) {
                ++count;
            }
        }
    }
}
