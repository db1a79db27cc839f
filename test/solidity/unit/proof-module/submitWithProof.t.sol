// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { IProofVerifier } from "../../../../contracts/interfaces/IProofVerifier.sol";
import { IProofModule, ProofConfig } from "../../../../contracts/interfaces/verification/IProofModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorRecord, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { ProofModule_Test } from "./ProofModuleBase.sol";

contract SubmitWithProof_Unit_Test is ProofModule_Test {
    /*//////////////////////////////////////////////////////////////
                              HAPPY PATHS
    //////////////////////////////////////////////////////////////*/

    function test_WhenProofValid_ItShouldSettleAnEthTaskAndPayExactly() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);
        uint256 humanBefore = human.balance;
        uint256 posterBefore = poster.balance;
        uint256 fee = feeOf(REWARD, FEE_BPS);
        uint256 payout = payoutOf(REWARD, FEE_BPS);
        assertEq(address(market).balance, REWARD + BOND, "escrow before");

        vm.expectEmit(address(module));
        emit IProofModule.ProofAccepted(taskId, human, artifactHash());
        vm.expectEmit(address(market));
        emit ITaskMarket.WorkSubmitted(taskId, human, artifactHash(), PROOF_RESULT_URI, uint40(block.timestamp));
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), payout, fee, BOND);
        proveArtifact(taskId, terms, config);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(human.balance, humanBefore + payout + BOND, "executor: payout and bond");
        assertEq(poster.balance, posterBefore, "poster: nothing back");
        assertEq(address(market).balance, fee, "market keeps only the fee");
        assertEq(market.accruedFeesOf(address(0)), fee, "fee accrued");
        assertEq(address(module).balance, 0, "module holds nothing");
        assertEq(market.earnedOf(human, address(0)), payout, "earned");
        assertEq(market.submissionOf(taskId), artifactHash(), "submission recorded");
        ExecutorRecord memory record;
        record.completed = 1;
        assertEq(market.executorRecordOf(human), record);
    }

    function test_WhenProofValid_ItShouldSettleATokenTaskAndPayExactly() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(token), config);
        uint256 taskId = claimedProofTask(terms);
        uint256 humanBefore = token.balanceOf(human);
        uint256 posterBefore = token.balanceOf(poster);

        proveArtifact(taskId, terms, config);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(token.balanceOf(human), humanBefore + payoutOf(REWARD, FEE_BPS) + BOND, "executor");
        assertEq(token.balanceOf(poster), posterBefore, "poster");
        assertEq(token.balanceOf(address(market)), feeOf(REWARD, FEE_BPS), "market keeps only the fee");
        assertEq(token.balanceOf(address(module)), 0, "module holds nothing");
    }

    function test_WhenTaskInProgress_ItShouldSettle() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);
        startTask(taskId, human);

        proveArtifact(taskId, terms, config);

        assertStatus(taskId, TaskStatus.Settled);
    }

    function test_WhenProvenAtTheExecutionDeadline_ItShouldSettle() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);
        vm.warp(market.stateOf(taskId).executionDeadline);

        proveArtifact(taskId, terms, config);

        assertStatus(taskId, TaskStatus.Settled);
    }

    function test_WhenMerkleProofValid_ItShouldSettle() external {
        bytes32 required = stringLeaf("report.pdf");
        (bytes32 root, bytes memory proof) = pairProof(required, stringLeaf("appendix.csv"));
        ProofConfig memory config = merkleConfig(required);
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);

        submitWithProofAs(human, taskId, terms, config, root, proof);

        assertStatus(taskId, TaskStatus.Settled);
        assertEq(market.submissionOf(taskId), root, "the deliverable's root is the result");
    }

    /*//////////////////////////////////////////////////////////////
                             INVALID PROOFS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_ProofIsNotThePreimage() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);

        vm.expectRevert(
            abi.encodeWithSelector(Errors.ProofModule_InvalidProof.selector, taskId, address(hashVerifier))
        );
        submitWithProofAs(human, taskId, terms, config, artifactHash(), "a different artifact");
    }

    function test_RevertWhen_ResultHashIsNotTheProvenResult() external {
        // The proof is the committed artifact, but the result submitted is another: the proof must bind the result.
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);

        vm.expectRevert(
            abi.encodeWithSelector(Errors.ProofModule_InvalidProof.selector, taskId, address(hashVerifier))
        );
        submitWithProofAs(human, taskId, terms, config, RESULT_HASH, ARTIFACT);
    }

    function test_RevertWhen_MerkleDeliverableMissesTheRequiredItem() external {
        bytes32 required = stringLeaf("report.pdf");
        ProofConfig memory config = merkleConfig(required);
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);
        // A valid inclusion proof, of another item.
        (bytes32 root, bytes memory proof) = pairProof(stringLeaf("draft.pdf"), stringLeaf("appendix.csv"));

        vm.expectRevert(
            abi.encodeWithSelector(Errors.ProofModule_InvalidProof.selector, taskId, address(merkleVerifier))
        );
        submitWithProofAs(human, taskId, terms, config, root, proof);
    }

    function test_RevertWhen_ProofVerifierReverts() external {
        ProofConfig memory config = proofConfig(revertingVerifier, artifactHash());
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);

        vm.expectRevert(
            abi.encodeWithSelector(Errors.ProofModule_InvalidProof.selector, taskId, address(revertingVerifier))
        );
        proveArtifact(taskId, terms, config);
    }

    function test_RevertWhen_MerkleProofIsMalformed() external {
        // The Merkle verifier reverts on bytes that do not decode; the module treats that as an invalid proof.
        bytes32 required = stringLeaf("report.pdf");
        (bytes32 root, ) = pairProof(required, stringLeaf("appendix.csv"));
        ProofConfig memory config = merkleConfig(required);
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);

        vm.expectRevert(
            abi.encodeWithSelector(Errors.ProofModule_InvalidProof.selector, taskId, address(merkleVerifier))
        );
        submitWithProofAs(human, taskId, terms, config, root, hex"deadbeef");
    }

    function test_RevertWhen_ProofVerifierHasNoCode() external {
        address notAContract = makeAddr("notAContract");
        ProofConfig memory config = proofConfig(IProofVerifier(notAContract), artifactHash());
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.ProofModule_InvalidProof.selector, taskId, notAContract));
        proveArtifact(taskId, terms, config);
    }

    function test_RevertWhen_ProofVerifierAnswersMalformed() external {
        // An answer that is not a bool fails to decode in the module, outside the `try`: the call reverts without a
        // reason, and nothing is accepted either way.
        ProofConfig memory config = proofConfig(IProofVerifier(address(malformedVerifier)), artifactHash());
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);

        vm.expectRevert(bytes(""));
        proveArtifact(taskId, terms, config);
        assertStatus(taskId, TaskStatus.Claimed);
    }

    /*//////////////////////////////////////////////////////////////
                                CALLER
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_CallerIsNotTheExecutor() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);
        address[3] memory others = [stranger, poster, agent];
        for (uint256 i = 0; i < others.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(Errors.ProofModule_CallerNotExecutor.selector, taskId, others[i]));
            submitWithProofAs(others[i], taskId, terms, config, artifactHash(), ARTIFACT);
        }
    }

    function test_RevertWhen_TaskNotClaimed() external {
        // Before any claim there is no executor: no caller matches.
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = createProofTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.ProofModule_CallerNotExecutor.selector, taskId, human));
        proveArtifact(taskId, terms, config);
    }

    function test_RevertWhen_TaskNotFound() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);

        vm.expectRevert(abi.encodeWithSelector(Errors.ProofModule_CallerNotExecutor.selector, 7, human));
        proveArtifact(7, terms, config);
    }

    function test_RevertWhen_CallerIsAPreviousExecutorWhoseClaimLapsed() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);
        warpPastExecutionDeadline(taskId);
        claimTask(taskId, terms, agent);

        vm.expectRevert(abi.encodeWithSelector(Errors.ProofModule_CallerNotExecutor.selector, taskId, human));
        proveArtifact(taskId, terms, config);
    }

    /*//////////////////////////////////////////////////////////////
                          TERMS AND CONFIGURATION
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_ConfigIsNotTheCommittedOne() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);
        // The executor's own commitment, which its proof would meet.
        ProofConfig memory forged = proofConfig(hashVerifier, keccak256("what I have"));

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.VerificationModule_ConfigMismatch.selector,
                taskId,
                proofConfigHash(config),
                proofConfigHash(forged)
            )
        );
        submitWithProofAs(human, taskId, terms, forged, keccak256("what I have"), "what I have");
    }

    function test_RevertWhen_ConfigNamesAnotherProofVerifier() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);
        ProofConfig memory forged = proofConfig(IProofVerifier(address(this)), config.commitment);

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.VerificationModule_ConfigMismatch.selector,
                taskId,
                proofConfigHash(config),
                proofConfigHash(forged)
            )
        );
        proveArtifact(taskId, terms, forged);
    }

    function test_RevertWhen_TaskNamesAnotherVerifier() external {
        // A task reviewed by a person: the module must not submit on its behalf.
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        terms.verifier = reviewer;
        uint256 taskId = claimedProofTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.VerificationModule_NotVerifier.selector, taskId, reviewer));
        proveArtifact(taskId, terms, config);
    }

    function test_RevertWhen_TermsAreForgedToNameTheModule() external {
        // The module's own checks pass on forged terms; the market refuses them against the task's commitment.
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        terms.verifier = reviewer;
        uint256 taskId = claimedProofTask(terms);
        TaskTerms memory forged = proofTerms(address(0), config);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        proveArtifact(taskId, forged, config);
    }

    function test_RevertWhen_TaskHasNoVerifier() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = defaultTerms(address(0));
        uint256 taskId = claimedProofTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.VerificationModule_NotVerifier.selector, taskId, address(0)));
        proveArtifact(taskId, terms, config);
    }

    /*//////////////////////////////////////////////////////////////
                                STATUS
    //////////////////////////////////////////////////////////////*/

    function test_RevertGiven_AlreadySettled() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);
        proveArtifact(taskId, terms, config);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Settled));
        proveArtifact(taskId, terms, config);
    }

    function test_RevertGiven_UnprovenSubmissionUnderReview() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);
        submitWork(taskId, terms, human);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Submitted));
        proveArtifact(taskId, terms, config);
    }

    function test_RevertGiven_ExecutionDeadlinePassed() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);
        warpPastExecutionDeadline(taskId);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Posted));
        proveArtifact(taskId, terms, config);
    }

    function test_RevertGiven_ClaimLapsedAndTaskExpired() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);
        warpPastClaimDeadline(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Expired));
        proveArtifact(taskId, terms, config);
    }

    function test_RevertGiven_Cancelled() external {
        ProofConfig memory config = hashConfig();
        TaskTerms memory terms = proofTerms(address(0), config);
        uint256 taskId = claimedProofTask(terms);
        vm.prank(poster);
        market.consentToCancel(taskId, terms);
        vm.prank(human);
        market.consentToCancel(taskId, terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Cancelled));
        proveArtifact(taskId, terms, config);
    }
}
