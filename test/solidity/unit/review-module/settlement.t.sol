// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { IReviewModule } from "../../../../contracts/interfaces/verification/IReviewModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorKind, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { MockERC1271Wallet, MockWrongMagicERC1271Wallet } from "../../mocks/MockERC1271Wallet.sol";
import { ReviewModule_Test } from "./ReviewModuleBase.sol";

/// @notice Agreed splits: the poster and the executor sign an EIP-712 `Settlement` of the current submission, which
/// ends the contest in any phase. Signers may be EOAs or ERC-1271 smart accounts.
contract ReviewModule_Settlement_Unit_Test is ReviewModule_Test {
    bytes32 private constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );

    IReviewModule.ReviewConfig internal config;
    TaskTerms internal terms;

    function setUp() public override {
        super.setUp();
        config = contestConfig();
        terms = reviewTerms(address(0), config);
    }

    /// @dev Settles `shareBps` with fresh signatures of both parties and checks the contest's end.
    function settleAndExpect(uint256 taskId, uint16 shareBps) private {
        vm.expectEmit(address(module));
        emit IDisputableModule.ContestEnded(taskId, IDisputableModule.ContestOutcome.Agreed, shareBps);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionResolved(taskId, address(module), shareBps);
        settleByBoth(taskId, terms, shareBps);
        assertStatus(taskId, TaskStatus.Settled);
        assertPhase(taskId, IDisputableModule.ContestPhase.None);
        assertEq(address(module).balance, 0, "module empty");
        assertEq(address(market).balance, protocolFeeOf(REWARD, shareBps), "market keeps the protocol fee");
    }

    /*//////////////////////////////////////////////////////////////
                                 DIGEST
    //////////////////////////////////////////////////////////////*/

    function test_SettlementDigest_IsTheEip712Digest() external view {
        bytes32 domainSeparator = keccak256(
            abi.encode(
                DOMAIN_TYPEHASH,
                keccak256("TaskMarket ReviewModule"),
                keccak256("1"),
                block.chainid,
                address(module)
            )
        );
        bytes32 structHash = keccak256(abi.encode(SETTLEMENT_TYPEHASH, 7, RESULT_HASH, uint16(4_000), uint64(99)));
        assertEq(
            module.settlementDigest(7, RESULT_HASH, 4_000, 99),
            keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash)),
            "digest"
        );
    }

    /*//////////////////////////////////////////////////////////////
                            EVERY PHASE
    //////////////////////////////////////////////////////////////*/

    /// Before anyone disputes: the split replaces the decision; there are no deposits.
    function test_SettleByAgreement_Open() external {
        uint256 taskId = rejectedTask(terms, config);
        Balances memory before = balancesOf(human);
        uint16 share = 4_000;

        settleAndExpect(taskId, share);

        uint256 payout = executorPayoutOf(REWARD, share);
        uint256 refund = posterRefundOf(REWARD, share);
        assertDeltas(
            before,
            balancesOf(human),
            [toInt(refund), toInt(payout + BOND), 0, 0, 0, -toInt(payout + refund + BOND)]
        );
        assertEq(market.executorRecordOf(human).disputesLost, 1, "a held submission resolved below half");
    }

    /// Before the respondent paid: nothing was spent, the claimant's deposit comes back whole.
    function test_SettleByAgreement_AwaitingRespondent() external {
        uint256 taskId = partiallyAcceptedTask(terms, config, 3_000);
        Balances memory before = balancesOf(human);
        disputeAs(human, taskId, terms, config);
        uint16 share = 6_000;

        settleAndExpect(taskId, share);

        uint256 payout = executorPayoutOf(REWARD, share);
        uint256 refund = posterRefundOf(REWARD, share);
        assertDeltas(
            before,
            balancesOf(human),
            [toInt(refund), toInt(payout + BOND), 0, 0, 0, -toInt(payout + refund + BOND)]
        );
        assertEq(market.executorRecordOf(human).disputesWon, 1, "resolved at or above half");
    }

    /// While the arbitrator deliberates: the claimant's deposit is split, the respondent's paid the arbitrator; a
    /// ruling that comes later cannot be delivered.
    function test_SettleByAgreement_Arbitrating() external {
        uint256 taskId = rejectedTask(terms, config);
        Balances memory before = balancesOf(human);
        disputeAs(human, taskId, terms, config);
        respondAs(poster, taskId, terms);
        uint256 disputeId = disputeIdOf(taskId);
        uint16 share = 5_000;

        settleAndExpect(taskId, share);

        uint256 half = ARBITRATION_FEE / 2;
        int256 fee = toInt(ARBITRATION_FEE);
        uint256 payout = executorPayoutOf(REWARD, share);
        uint256 refund = posterRefundOf(REWARD, share);
        assertDeltas(
            before,
            balancesOf(human),
            [
                toInt(refund) - fee + toInt(ARBITRATION_FEE - half),
                toInt(payout + BOND + half) - fee,
                0,
                fee,
                0,
                -toInt(payout + refund + BOND)
            ]
        );

        vm.prank(arbiters[0]);
        arbitrator.vote(disputeId, 11);
        vm.prank(arbiters[1]);
        arbitrator.vote(disputeId, 11);
        assertFalse(arbitrator.disputeOf(disputeId).delivered, "the ruling comes too late");
        assertStatus(taskId, TaskStatus.Settled);
    }

    /// After the ruling, before it is carried out: the parties may still agree on another split.
    function test_SettleByAgreement_Ruled() external {
        uint256 taskId = rejectedTask(terms, config);
        Balances memory before = balancesOf(human);
        disputeAs(human, taskId, terms, config);
        respondAs(poster, taskId, terms);
        panelRules(disputeIdOf(taskId), 11);
        assertPhase(taskId, IDisputableModule.ContestPhase.Ruled);
        uint16 share = 8_500;

        settleAndExpect(taskId, share);

        uint256 half = ARBITRATION_FEE / 2;
        int256 fee = toInt(ARBITRATION_FEE);
        uint256 payout = executorPayoutOf(REWARD, share);
        uint256 refund = posterRefundOf(REWARD, share);
        assertDeltas(
            before,
            balancesOf(human),
            [
                toInt(refund) - fee + toInt(ARBITRATION_FEE - half),
                toInt(payout + BOND + half) - fee,
                0,
                fee,
                0,
                -toInt(payout + refund + BOND)
            ]
        );
        assertArbitersPaid(ARBITRATION_FEE);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        module.executeRuling(taskId, terms);
    }

    function test_SettleByAgreement_TokenTask() external {
        TaskTerms memory tokenTerms = reviewTerms(address(token), config);
        uint256 taskId = rejectedTask(tokenTerms, config);
        uint256 humanTokens = token.balanceOf(human);
        uint256 posterTokens = token.balanceOf(poster);

        settleByBoth(taskId, tokenTerms, 2_000);

        assertEq(token.balanceOf(human) - humanTokens, executorPayoutOf(REWARD, 2_000) + BOND, "executor");
        assertEq(token.balanceOf(poster) - posterTokens, posterRefundOf(REWARD, 2_000), "poster");
        assertEq(token.balanceOf(address(module)), 0, "module");
    }

    function test_SettleByAgreement_AtTheDeadline() external {
        uint256 taskId = rejectedTask(terms, config);
        uint64 deadline = uint64(block.timestamp + 1 hours);
        bytes memory posterSignature = signSettlement(posterKey, taskId, 7_000, deadline);
        bytes memory executorSignature = signSettlement(humanKey, taskId, 7_000, deadline);
        vm.warp(deadline);
        settleAs(human, taskId, terms, 7_000, deadline, posterSignature, executorSignature);
        assertStatus(taskId, TaskStatus.Settled);
    }

    /*//////////////////////////////////////////////////////////////
                           INVALID AGREEMENTS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_SettleByAgreement_NoContest() external {
        uint256 taskId = submittedTask(terms);
        uint64 deadline = uint64(block.timestamp + 1 days);
        bytes memory posterSignature = signSettlement(posterKey, taskId, 5_000, deadline);
        bytes memory executorSignature = signSettlement(humanKey, taskId, 5_000, deadline);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        settleAs(stranger, taskId, terms, 5_000, deadline, posterSignature, executorSignature);
    }

    function test_RevertWhen_SettleByAgreement_Expired() external {
        uint256 taskId = rejectedTask(terms, config);
        uint64 deadline = uint64(block.timestamp + 1 hours);
        bytes memory posterSignature = signSettlement(posterKey, taskId, 5_000, deadline);
        bytes memory executorSignature = signSettlement(humanKey, taskId, 5_000, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_DeadlinePassed.selector, taskId, deadline));
        settleAs(stranger, taskId, terms, 5_000, deadline, posterSignature, executorSignature);
    }

    function test_RevertWhen_SettleByAgreement_ShareAboveWhole() external {
        uint256 taskId = rejectedTask(terms, config);
        uint64 deadline = uint64(block.timestamp + 1 hours);
        uint16 share = uint16(BPS + 1);
        bytes memory posterSignature = signSettlement(posterKey, taskId, share, deadline);
        bytes memory executorSignature = signSettlement(humanKey, taskId, share, deadline);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidShare.selector, BPS + 1));
        settleAs(stranger, taskId, terms, share, deadline, posterSignature, executorSignature);
    }

    /// Both signed 40 %; someone submits 45 % with their signatures.
    function test_RevertWhen_SettleByAgreement_WrongShare() external {
        uint256 taskId = rejectedTask(terms, config);
        uint64 deadline = uint64(block.timestamp + 1 hours);
        bytes memory posterSignature = signSettlement(posterKey, taskId, 4_000, deadline);
        bytes memory executorSignature = signSettlement(humanKey, taskId, 4_000, deadline);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidSignature.selector, poster));
        settleAs(human, taskId, terms, 4_500, deadline, posterSignature, executorSignature);
    }

    function test_RevertWhen_SettleByAgreement_WrongDeadline() external {
        uint256 taskId = rejectedTask(terms, config);
        uint64 deadline = uint64(block.timestamp + 1 hours);
        bytes memory posterSignature = signSettlement(posterKey, taskId, 4_000, deadline);
        bytes memory executorSignature = signSettlement(humanKey, taskId, 4_000, deadline);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidSignature.selector, poster));
        settleAs(human, taskId, terms, 4_000, deadline + 1, posterSignature, executorSignature);
    }

    function test_RevertWhen_SettleByAgreement_PosterSignatureInvalid() external {
        uint256 taskId = rejectedTask(terms, config);
        uint64 deadline = uint64(block.timestamp + 1 hours);
        (, uint256 strangerKey) = makeAddrAndKey("stranger");
        bytes memory executorSignature = signSettlement(humanKey, taskId, 5_000, deadline);
        bytes memory strangerSignature = signSettlement(strangerKey, taskId, 5_000, deadline);
        bytes memory invalidPoster = abi.encodeWithSelector(Errors.DisputableModule_InvalidSignature.selector, poster);

        vm.expectRevert(invalidPoster);
        settleAs(human, taskId, terms, 5_000, deadline, strangerSignature, executorSignature);
        // The executor's signature twice.
        vm.expectRevert(invalidPoster);
        settleAs(human, taskId, terms, 5_000, deadline, executorSignature, executorSignature);
        // Not a signature at all.
        vm.expectRevert(invalidPoster);
        settleAs(human, taskId, terms, 5_000, deadline, hex"1234", executorSignature);
        vm.expectRevert(invalidPoster);
        settleAs(human, taskId, terms, 5_000, deadline, new bytes(65), executorSignature);
    }

    function test_RevertWhen_SettleByAgreement_ExecutorSignatureInvalid() external {
        uint256 taskId = rejectedTask(terms, config);
        uint64 deadline = uint64(block.timestamp + 1 hours);
        bytes memory posterSignature = signSettlement(posterKey, taskId, 5_000, deadline);
        bytes memory invalidExecutor = abi.encodeWithSelector(Errors.DisputableModule_InvalidSignature.selector, human);

        vm.expectRevert(invalidExecutor);
        settleAs(poster, taskId, terms, 5_000, deadline, posterSignature, posterSignature);
        (, uint256 reviewerKey) = makeAddrAndKey("reviewer");
        bytes memory reviewerSignature = signSettlement(reviewerKey, taskId, 5_000, deadline);
        vm.expectRevert(invalidExecutor);
        settleAs(poster, taskId, terms, 5_000, deadline, posterSignature, reviewerSignature);
        vm.expectRevert(invalidExecutor);
        settleAs(poster, taskId, terms, 5_000, deadline, posterSignature, "");
    }

    /// A signature binds the task and the submission it settles: it is void for another task, and for a later
    /// submission with a different result.
    function test_RevertWhen_SettleByAgreement_SignedForAnotherSubmission() external {
        uint256 taskId = rejectedTask(terms, config);
        uint64 deadline = uint64(block.timestamp + 10 days);
        bytes memory posterSignature = signSettlement(posterKey, taskId, 5_000, deadline);
        bytes memory executorSignature = signSettlement(humanKey, taskId, 5_000, deadline);

        // Another task's contest.
        uint256 otherTask = rejectedTask(terms, config);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidSignature.selector, poster));
        settleAs(stranger, otherTask, terms, 5_000, deadline, posterSignature, executorSignature);

        // The executor accepts the rejection and resubmits another result, which is rejected again.
        vm.prank(human);
        module.acceptRejection(taskId, terms);
        vm.prank(human);
        market.submit(taskId, terms, keccak256("another result"), "ipfs://another");
        rejectAs(reviewer, taskId, terms, config);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidSignature.selector, poster));
        settleAs(stranger, taskId, terms, 5_000, deadline, posterSignature, executorSignature);
    }

    /// Pinned, as docs/disputes.md states: a signature binds the result hash, not the submission; after an identical
    /// resubmission, an agreement signed for the earlier one is valid again until its deadline.
    function test_Agreement_ValidAgainForAnIdenticalResubmission() external {
        uint256 taskId = rejectedTask(terms, config);
        uint64 deadline = uint64(block.timestamp + 10 days);
        bytes memory posterSignature = signSettlement(posterKey, taskId, 1_000, deadline);
        bytes memory executorSignature = signSettlement(humanKey, taskId, 1_000, deadline);

        vm.prank(human);
        module.acceptRejection(taskId, terms);
        submitWork(taskId, terms, human);
        rejectAs(reviewer, taskId, terms, config);

        settleAs(poster, taskId, terms, 1_000, deadline, posterSignature, executorSignature);
        assertStatus(taskId, TaskStatus.Settled);
    }

    function test_RevertWhen_SettleByAgreement_Replayed() external {
        uint256 taskId = rejectedTask(terms, config);
        uint64 deadline = uint64(block.timestamp + 1 hours);
        bytes memory posterSignature = signSettlement(posterKey, taskId, 5_000, deadline);
        bytes memory executorSignature = signSettlement(humanKey, taskId, 5_000, deadline);
        settleAs(stranger, taskId, terms, 5_000, deadline, posterSignature, executorSignature);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        settleAs(stranger, taskId, terms, 5_000, deadline, posterSignature, executorSignature);
    }

    /*//////////////////////////////////////////////////////////////
                            SMART ACCOUNTS
    //////////////////////////////////////////////////////////////*/

    /// @dev Lets `wallet` (owned by `walletOwner`) post a task that `human` claims and submits, and the reviewer
    /// rejects with a contest window.
    function rejectedWalletTask(
        MockERC1271Wallet wallet,
        address walletOwner
    ) private returns (uint256 taskId, TaskTerms memory walletTerms) {
        walletTerms = reviewTerms(address(0), config);
        walletTerms.poster = address(wallet);
        vm.deal(address(wallet), 10 ether);
        vm.prank(walletOwner);
        bytes memory created = wallet.execute(
            address(market),
            REWARD + VERIFIER_FEE,
            abi.encodeCall(market.createTask, (walletTerms, noCapabilities(), DOCUMENT_URI))
        );
        taskId = abi.decode(created, (uint256));
        claimTask(taskId, walletTerms, human);
        submitWork(taskId, walletTerms, human);
        rejectAs(reviewer, taskId, walletTerms, config);
    }

    /// A poster that is a smart account signs through ERC-1271.
    function test_SettleByAgreement_Erc1271Poster() external {
        (address walletOwner, uint256 walletOwnerKey) = makeAddrAndKey("walletOwner");
        MockERC1271Wallet wallet = new MockERC1271Wallet(walletOwner);
        (uint256 taskId, TaskTerms memory walletTerms) = rejectedWalletTask(wallet, walletOwner);
        disputeAs(human, taskId, walletTerms, config);
        uint64 deadline = uint64(block.timestamp + 1 days);
        bytes memory executorSignature = signSettlement(humanKey, taskId, 6_000, deadline);

        // The poster's EOA key is not the wallet's signature.
        bytes memory eoaSignature = signSettlement(posterKey, taskId, 6_000, deadline);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidSignature.selector, address(wallet)));
        settleAs(human, taskId, walletTerms, 6_000, deadline, eoaSignature, executorSignature);

        uint256 walletBefore = address(wallet).balance;
        uint256 humanBefore = human.balance;
        bytes memory walletSignature = signSettlement(walletOwnerKey, taskId, 6_000, deadline);
        settleAs(human, taskId, walletTerms, 6_000, deadline, walletSignature, executorSignature);
        assertEq(address(wallet).balance - walletBefore, posterRefundOf(REWARD, 6_000), "wallet refunded");
        assertEq(
            human.balance - humanBefore,
            executorPayoutOf(REWARD, 6_000) + BOND + ARBITRATION_FEE,
            "executor paid, deposit back"
        );
        assertEq(address(module).balance, 0, "module");
    }

    /// An executor that is a smart account signs through ERC-1271.
    function test_SettleByAgreement_Erc1271Executor() external {
        (address walletOwner, uint256 walletOwnerKey) = makeAddrAndKey("walletOwner");
        MockERC1271Wallet wallet = new MockERC1271Wallet(walletOwner);
        vm.deal(address(wallet), 10 ether);
        vm.prank(walletOwner);
        wallet.execute(
            address(registry),
            0,
            abi.encodeCall(registry.register, (ExecutorKind.Human, address(0), noCapabilities(), "ipfs://wallet"))
        );
        uint256 taskId = createTask(terms);
        vm.startPrank(walletOwner);
        wallet.execute(address(market), BOND, abi.encodeCall(market.claim, (taskId, terms, noCapabilities())));
        wallet.execute(address(market), 0, abi.encodeCall(market.submit, (taskId, terms, RESULT_HASH, RESULT_URI)));
        vm.stopPrank();
        acceptPartiallyAs(reviewer, taskId, terms, config, 2_000);
        uint64 deadline = uint64(block.timestamp + 1 days);
        bytes memory posterSignature = signSettlement(posterKey, taskId, 3_000, deadline);

        // The key of another EOA is not the wallet's signature.
        bytes memory eoaSignature = signSettlement(humanKey, taskId, 3_000, deadline);
        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidSignature.selector, address(wallet)));
        settleAs(poster, taskId, terms, 3_000, deadline, posterSignature, eoaSignature);

        uint256 walletBefore = address(wallet).balance;
        settleAs(
            poster,
            taskId,
            terms,
            3_000,
            deadline,
            posterSignature,
            signSettlement(walletOwnerKey, taskId, 3_000, deadline)
        );
        assertEq(address(wallet).balance - walletBefore, executorPayoutOf(REWARD, 3_000) + BOND, "wallet paid");
    }

    /// A smart account answering with the wrong magic value does not sign.
    function test_RevertWhen_SettleByAgreement_Erc1271WrongMagic() external {
        (address walletOwner, uint256 walletOwnerKey) = makeAddrAndKey("walletOwner");
        MockWrongMagicERC1271Wallet wallet = new MockWrongMagicERC1271Wallet(walletOwner);
        (uint256 taskId, TaskTerms memory walletTerms) = rejectedWalletTask(wallet, walletOwner);
        uint64 deadline = uint64(block.timestamp + 1 days);
        bytes memory walletSignature = signSettlement(walletOwnerKey, taskId, 5_000, deadline);
        bytes memory executorSignature = signSettlement(humanKey, taskId, 5_000, deadline);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidSignature.selector, address(wallet)));
        settleAs(human, taskId, walletTerms, 5_000, deadline, walletSignature, executorSignature);
    }
}
