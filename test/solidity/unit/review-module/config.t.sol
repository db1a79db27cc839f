// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IArbitrator } from "../../../../contracts/interfaces/arbitration/IArbitrator.sol";
import { IEvidence } from "../../../../contracts/interfaces/arbitration/IEvidence.sol";
import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { IReviewModule } from "../../../../contracts/interfaces/verification/IReviewModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { ReviewModule } from "../../../../contracts/verification/ReviewModule.sol";
import { ReviewModule_Test } from "./ReviewModuleBase.sol";

/// @notice The review configuration: its hash, its validation, and the checks every call makes that the task names
/// this module and commits to the configuration passed.
contract ReviewModule_Config_Unit_Test is ReviewModule_Test {
    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    function test_Constructor_StoresMarketAndEmitsMetaEvidence() external {
        vm.expectEmit(true, true, true, true);
        emit IEvidence.MetaEvidence(0, "ipfs://other-meta-evidence");
        ReviewModule other = new ReviewModule(market, "ipfs://other-meta-evidence");
        assertEq(address(other.market()), address(market), "market");
    }

    function test_RevertWhen_ConstructorMarketIsZero() external {
        vm.expectRevert(Errors.VerificationModule_ZeroAddress.selector);
        new ReviewModule(ITaskMarket(address(0)), META_EVIDENCE_URI);
    }

    function test_Constants() external view {
        assertEq(module.RULING_OPTIONS(), RULING_OPTIONS, "RULING_OPTIONS");
        assertEq(module.MAX_CONTEST_WINDOW(), MAX_CONTEST_WINDOW, "MAX_CONTEST_WINDOW");
        assertEq(module.FEE_PAYMENT_PERIOD(), FEE_PAYMENT_PERIOD, "FEE_PAYMENT_PERIOD");
        assertEq(module.RULING_PERIOD(), RULING_PERIOD, "RULING_PERIOD");
        assertEq(module.EXECUTION_PERIOD(), EXECUTION_PERIOD, "EXECUTION_PERIOD");
        assertEq(module.TREASURY_SHARE_BPS(), 1_000, "TREASURY_SHARE_BPS");
        assertEq(module.SETTLEMENT_TYPEHASH(), SETTLEMENT_TYPEHASH, "SETTLEMENT_TYPEHASH");
    }

    /*//////////////////////////////////////////////////////////////
                              CONFIG HASH
    //////////////////////////////////////////////////////////////*/

    function test_ConfigHash_IsTheHashOfTheAbiEncoding() external view {
        IReviewModule.ReviewConfig memory config = contestConfig();
        assertEq(
            module.configHash(config),
            keccak256(abi.encode(config.reviewer, config.arbitrator, config.contestWindow)),
            "keccak256(abi.encode(config))"
        );
    }

    function test_ConfigHash_CommitsToEveryField() external view {
        IReviewModule.ReviewConfig memory config = contestConfig();
        bytes32 base = module.configHash(config);

        IReviewModule.ReviewConfig memory changed = contestConfig();
        changed.reviewer = stranger;
        assertTrue(module.configHash(changed) != base, "reviewer");
        changed = contestConfig();
        changed.arbitrator = IArbitrator(stranger);
        assertTrue(module.configHash(changed) != base, "arbitrator");
        changed = contestConfig();
        changed.contestWindow = CONTEST_WINDOW + 1;
        assertTrue(module.configHash(changed) != base, "contest window");
    }

    function testFuzz_ConfigHash(address reviewer_, address arbitrator_, uint32 window) external view {
        IReviewModule.ReviewConfig memory config = IReviewModule.ReviewConfig({
            reviewer: reviewer_,
            arbitrator: IArbitrator(arbitrator_),
            contestWindow: window
        });
        assertEq(module.configHash(config), hashOf(config));
    }

    /*//////////////////////////////////////////////////////////////
                             PUBLISH CONFIG
    //////////////////////////////////////////////////////////////*/

    function test_PublishConfig_EmitsTheConfigUnderItsHash() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        vm.expectEmit(address(module));
        emit IReviewModule.ReviewConfigPublished(hashOf(config), config);
        vm.prank(stranger);
        module.publishConfig(config);
    }

    function test_PublishConfig_AcceptsTheLongestWindow() external {
        IReviewModule.ReviewConfig memory config = reviewConfig(uint32(MAX_CONTEST_WINDOW));
        vm.expectEmit(address(module));
        emit IReviewModule.ReviewConfigPublished(hashOf(config), config);
        module.publishConfig(config);
    }

    function test_PublishConfig_AcceptsNoArbitratorWithoutAWindow() external {
        IReviewModule.ReviewConfig memory config = immediateConfig();
        config.arbitrator = IArbitrator(address(0));
        vm.expectEmit(address(module));
        emit IReviewModule.ReviewConfigPublished(hashOf(config), config);
        module.publishConfig(config);
    }

    function test_RevertWhen_PublishConfig_ZeroReviewer() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        config.reviewer = address(0);
        vm.expectRevert(Errors.VerificationModule_ZeroAddress.selector);
        module.publishConfig(config);
    }

    function test_RevertWhen_PublishConfig_WindowTooLong() external {
        IReviewModule.ReviewConfig memory config = reviewConfig(uint32(MAX_CONTEST_WINDOW + 1));
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.DisputableModule_ContestWindowTooLong.selector,
                MAX_CONTEST_WINDOW + 1,
                MAX_CONTEST_WINDOW
            )
        );
        module.publishConfig(config);
    }

    function test_RevertWhen_PublishConfig_WindowWithoutArbitrator() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        config.arbitrator = IArbitrator(address(0));
        vm.expectRevert(Errors.VerificationModule_ZeroAddress.selector);
        module.publishConfig(config);
    }

    /*//////////////////////////////////////////////////////////////
                      A TASK COMMITTED TO A BAD CONFIG
    //////////////////////////////////////////////////////////////*/

    /// The market does not validate a module's configuration: a task committed to an invalid one can be created,
    /// but its reviewer can never decide, and silence releases the payment when the review window ends.
    function test_InvalidCommittedConfig_NoDecisionAndSilenceReleases() external {
        IReviewModule.ReviewConfig memory tooLong = reviewConfig(uint32(MAX_CONTEST_WINDOW + 1));
        TaskTerms memory terms = reviewTerms(address(0), tooLong);
        uint256 taskId = submittedTask(terms);

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.DisputableModule_ContestWindowTooLong.selector,
                MAX_CONTEST_WINDOW + 1,
                MAX_CONTEST_WINDOW
            )
        );
        approveAs(reviewer, taskId, terms, tooLong);

        warpPastReviewDeadline(taskId);
        uint256 humanBefore = human.balance;
        market.release(taskId, terms);
        assertEq(human.balance - humanBefore, payoutOf(REWARD, FEE_BPS) + BOND, "silence pays the executor");
    }

    function test_RevertWhen_CommittedConfigHasZeroReviewer() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        config.reviewer = address(0);
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(Errors.VerificationModule_ZeroAddress.selector);
        rejectAs(reviewer, taskId, terms, config);
    }

    function test_RevertWhen_CommittedConfigHasWindowWithoutArbitrator() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        config.arbitrator = IArbitrator(address(0));
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        vm.expectRevert(Errors.VerificationModule_ZeroAddress.selector);
        acceptPartiallyAs(reviewer, taskId, terms, config, 5_000);
    }

    /*//////////////////////////////////////////////////////////////
                        CONFIG AND VERIFIER CHECKS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_ConfigMismatch_OnEveryDecision() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        IReviewModule.ReviewConfig memory other = reviewConfig(CONTEST_WINDOW + 1);
        bytes memory mismatch = abi.encodeWithSelector(
            Errors.VerificationModule_ConfigMismatch.selector,
            taskId,
            hashOf(config),
            hashOf(other)
        );

        vm.expectRevert(mismatch);
        approveAs(reviewer, taskId, terms, other);
        vm.expectRevert(mismatch);
        rejectAs(reviewer, taskId, terms, other);
        vm.expectRevert(mismatch);
        acceptPartiallyAs(reviewer, taskId, terms, other, 5_000);
    }

    /// A stranger cannot become the reviewer by passing a configuration that names it.
    function test_RevertWhen_ConfigNamesAnotherReviewer() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        IReviewModule.ReviewConfig memory forged = contestConfig();
        forged.reviewer = stranger;

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.VerificationModule_ConfigMismatch.selector,
                taskId,
                hashOf(config),
                hashOf(forged)
            )
        );
        approveAs(stranger, taskId, terms, forged);
    }

    function test_RevertWhen_DisputeConfigMismatch() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = rejectedTask(terms, config);
        IReviewModule.ReviewConfig memory other = contestConfig();
        other.arbitrator = IArbitrator(stranger);

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.VerificationModule_ConfigMismatch.selector,
                taskId,
                hashOf(config),
                hashOf(other)
            )
        );
        disputeAs(human, taskId, terms, other);
    }

    /// Terms that name someone else as the verifier are refused before anything else.
    function test_RevertWhen_TaskVerifiedByAnAccount() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        TaskTerms memory terms = delegatedTerms(address(0));
        terms.verifierConfigHash = hashOf(config);
        uint256 taskId = submittedTask(terms);
        bytes memory notVerifier = abi.encodeWithSelector(
            Errors.VerificationModule_NotVerifier.selector,
            taskId,
            reviewer
        );

        vm.expectRevert(notVerifier);
        approveAs(reviewer, taskId, terms, config);
        vm.expectRevert(notVerifier);
        rejectAs(reviewer, taskId, terms, config);
        vm.expectRevert(notVerifier);
        acceptPartiallyAs(reviewer, taskId, terms, config, 1);
        vm.expectRevert(notVerifier);
        disputeAs(human, taskId, terms, config);
        vm.expectRevert(notVerifier);
        respondAs(poster, taskId, terms);
        vm.expectRevert(notVerifier);
        module.acceptRejection(taskId, terms);
        vm.expectRevert(notVerifier);
        module.timeoutRespondent(taskId, terms);
        vm.expectRevert(notVerifier);
        module.executeRuling(taskId, terms);
        vm.expectRevert(notVerifier);
        module.timeoutArbitration(taskId, terms);
        vm.expectRevert(notVerifier);
        module.settleByAgreement(taskId, terms, 5_000, uint64(block.timestamp), "", "");
    }

    /// A task verified by one review module cannot be decided through another.
    function test_RevertWhen_TaskVerifiedByAnotherModule() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        ReviewModule other = new ReviewModule(market, META_EVIDENCE_URI);

        vm.expectRevert(
            abi.encodeWithSelector(Errors.VerificationModule_NotVerifier.selector, taskId, address(module))
        );
        vm.prank(reviewer);
        other.approve(taskId, terms, config);
    }

    /// The module checks the configuration against the terms, the market checks the terms against the task.
    function test_RevertWhen_TermsMismatch() external {
        IReviewModule.ReviewConfig memory config = contestConfig();
        TaskTerms memory terms = reviewTerms(address(0), config);
        uint256 taskId = submittedTask(terms);
        terms.reward = REWARD / 2;

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        approveAs(reviewer, taskId, terms, config);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        rejectAs(reviewer, taskId, terms, config);
        assertStatus(taskId, TaskStatus.Submitted);
    }
}
