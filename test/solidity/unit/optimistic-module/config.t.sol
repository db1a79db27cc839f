// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IArbitrator } from "../../../../contracts/interfaces/arbitration/IArbitrator.sol";
import { IEvidence } from "../../../../contracts/interfaces/arbitration/IEvidence.sol";
import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { IOptimisticModule } from "../../../../contracts/interfaces/verification/IOptimisticModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { OptimisticModule } from "../../../../contracts/verification/OptimisticModule.sol";
import { OptimisticModule_Test } from "./OptimisticModuleBase.sol";

contract OptimisticModuleConfig_Unit_Test is OptimisticModule_Test {
    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    function test_Constructor_ShouldSetTheMarketAndEmitTheMetaEvidence() external {
        vm.expectEmit();
        emit IEvidence.MetaEvidence(0, META_EVIDENCE_URI);
        OptimisticModule deployed = new OptimisticModule(market, META_EVIDENCE_URI);

        assertEq(address(deployed.market()), address(market), "market");
    }

    function test_RevertWhen_ConstructedWithoutMarket() external {
        vm.expectRevert(Errors.VerificationModule_ZeroAddress.selector);
        new OptimisticModule(ITaskMarket(address(0)), META_EVIDENCE_URI);
    }

    function test_Constants() external view {
        assertEq(module.RULING_OPTIONS(), 11, "RULING_OPTIONS");
        assertEq(module.FEE_PAYMENT_PERIOD(), FEE_PAYMENT_PERIOD, "FEE_PAYMENT_PERIOD");
        assertEq(module.RULING_PERIOD(), RULING_PERIOD, "RULING_PERIOD");
        assertEq(module.EXECUTION_PERIOD(), EXECUTION_PERIOD, "EXECUTION_PERIOD");
        assertEq(module.TREASURY_SHARE_BPS(), TREASURY_SHARE_BPS, "TREASURY_SHARE_BPS");
        assertEq(module.MAX_CONTEST_WINDOW(), 30 days, "MAX_CONTEST_WINDOW");
    }

    /*//////////////////////////////////////////////////////////////
                              CONFIG HASH
    //////////////////////////////////////////////////////////////*/

    function test_ConfigHash_ShouldBeTheHashOfTheAbiEncodedConfig() external view {
        IOptimisticModule.OptimisticConfig memory config = optimisticConfig();
        assertEq(
            module.configHash(config),
            keccak256(abi.encode(address(panel), uint256(CHALLENGE_BOND))),
            "keccak256 of the ABI encoding"
        );
    }

    function test_ConfigHash_ShouldDifferWithEachField() external {
        IOptimisticModule.OptimisticConfig memory config = optimisticConfig();
        bytes32 original = module.configHash(config);

        config.challengeBond = CHALLENGE_BOND + 1;
        assertNotEq(module.configHash(config), original, "another bond");

        config = optimisticConfig();
        config.arbitrator = IArbitrator(makeAddr("another arbitrator"));
        assertNotEq(module.configHash(config), original, "another arbitrator");
    }

    /// @dev The hash is pure: a configuration that `challenge` would refuse still hashes, so a client can compute it.
    function test_ConfigHash_ShouldNotValidate() external view {
        IOptimisticModule.OptimisticConfig memory config;
        assertEq(module.configHash(config), keccak256(abi.encode(address(0), uint256(0))));
    }

    /*//////////////////////////////////////////////////////////////
                             PUBLISH CONFIG
    //////////////////////////////////////////////////////////////*/

    function test_PublishConfig_ShouldEmitTheConfigAndItsHash() external {
        IOptimisticModule.OptimisticConfig memory config = optimisticConfig();

        vm.expectEmit(address(module));
        emit IOptimisticModule.OptimisticConfigPublished(configHashOf(config), config);
        vm.prank(stranger);
        module.publishConfig(config);
    }

    function test_RevertWhen_PublishedConfigHasNoArbitrator() external {
        IOptimisticModule.OptimisticConfig memory config = optimisticConfig();
        config.arbitrator = IArbitrator(address(0));

        vm.expectRevert(Errors.VerificationModule_ZeroAddress.selector);
        module.publishConfig(config);
    }

    function test_RevertWhen_PublishedConfigHasNoBond() external {
        IOptimisticModule.OptimisticConfig memory config = optimisticConfig();
        config.challengeBond = 0;

        vm.expectRevert(Errors.OptimisticModule_ZeroChallengeBond.selector);
        module.publishConfig(config);
    }

    /*//////////////////////////////////////////////////////////////
                      CONFIGURATION AT CHALLENGE
    //////////////////////////////////////////////////////////////*/

    /// @dev The market does not validate a module's configuration: a poster can commit to one without an arbitrator.
    /// Its submissions cannot be challenged, and are released as they stand.
    function test_RevertWhen_CommittedConfigHasNoArbitrator() external {
        IOptimisticModule.OptimisticConfig memory config = optimisticConfig();
        config.arbitrator = IArbitrator(address(0));
        TaskTerms memory terms = optimisticTerms(address(0));
        terms.verifierConfigHash = configHashOf(config);
        uint256 taskId = submittedTask(terms);

        vm.expectRevert(Errors.VerificationModule_ZeroAddress.selector);
        vm.prank(challenger);
        module.challenge{ value: CHALLENGE_BOND }(taskId, terms, config);

        warpPastReviewDeadline(taskId);
        market.release(taskId, terms);
        assertStatus(taskId, TaskStatus.Settled);
    }

    function test_RevertWhen_CommittedConfigHasNoBond() external {
        IOptimisticModule.OptimisticConfig memory config = optimisticConfig();
        config.challengeBond = 0;
        TaskTerms memory terms = optimisticTerms(address(0));
        terms.verifierConfigHash = configHashOf(config);
        uint256 taskId = submittedTask(terms);

        vm.expectRevert(Errors.OptimisticModule_ZeroChallengeBond.selector);
        vm.prank(challenger);
        module.challenge{ value: ARBITRATION_FEE }(taskId, terms, config);
    }

    function test_RevertWhen_ChallengedWithAnotherConfig() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);
        IOptimisticModule.OptimisticConfig memory cheaper = optimisticConfig();
        cheaper.challengeBond = 1;

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.VerificationModule_ConfigMismatch.selector,
                taskId,
                terms.verifierConfigHash,
                configHashOf(cheaper)
            )
        );
        vm.prank(challenger);
        module.challenge{ value: ARBITRATION_FEE + 1 }(taskId, terms, cheaper);
    }

    /// @dev Lying about the configuration hash in the terms does not help: the market checks the terms.
    function test_RevertWhen_TermsClaimAnotherConfig() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);
        IOptimisticModule.OptimisticConfig memory cheaper = optimisticConfig();
        cheaper.challengeBond = 1;
        terms.verifierConfigHash = configHashOf(cheaper);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        vm.prank(challenger);
        module.challenge{ value: ARBITRATION_FEE + 1 }(taskId, terms, cheaper);
    }

    function test_RevertWhen_TaskHasAnotherVerifier() external {
        TaskTerms memory terms = delegatedTerms(address(0));
        uint256 taskId = submittedTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.VerificationModule_NotVerifier.selector, taskId, reviewer));
        vm.prank(challenger);
        module.challenge{ value: challengeDeposit() }(taskId, terms, optimisticConfig());
    }
}
