// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ReverseAuction } from "../../../../../contracts/assignment/ReverseAuction.sol";
import { IReverseAuction } from "../../../../../contracts/interfaces/assignment/IReverseAuction.sol";
import { ITaskMarket } from "../../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../../contracts/libraries/Errors.sol";
import { TaskOptions, TaskStatus, TaskTerms } from "../../../../../contracts/types/TaskTypes.sol";
import { ReverseAuction_Test } from "./ReverseAuctionBase.sol";

/// @notice The auction configuration: its hash, its validation (at publication and at every use), the checks that the
/// task names this module with the configuration passed, the derived phase, and the market's refusal of any other way
/// to give the task out.
contract ReverseAuction_Config_Unit_Test is ReverseAuction_Test {
    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    function test_Constructor_StoresMarket() external {
        ReverseAuction other = new ReverseAuction(market);
        assertEq(address(other.market()), address(market), "market");
    }

    function test_RevertWhen_ConstructorMarketIsZero() external {
        vm.expectRevert(Errors.AssignmentModule_ZeroAddress.selector);
        new ReverseAuction(ITaskMarket(address(0)));
    }

    function test_Constants() external view {
        assertEq(module.MAX_BIDS(), MAX_BIDS, "MAX_BIDS");
        assertEq(module.MAX_DEPENDENCIES(), MAX_DEPENDENCIES, "MAX_DEPENDENCIES");
    }

    /*//////////////////////////////////////////////////////////////
                          HASH AND COMMITMENT
    //////////////////////////////////////////////////////////////*/

    function test_ConfigHash_IsTheHashOfTheAbiEncoding() external view {
        IReverseAuction.AuctionConfig memory config = sealedConfig();
        config.requirements.dependencies = new uint256[](1);
        config.requirements.dependencies[0] = 7;
        assertEq(module.configHash(config), keccak256(abi.encode(config)), "keccak256(abi.encode(config))");
    }

    function test_ConfigHash_CommitsToEveryField() external view {
        IReverseAuction.AuctionConfig memory config = sealedConfig();
        bytes32 base = module.configHash(config);

        IReverseAuction.AuctionConfig memory changed = sealedConfig();
        changed.biddingEnd += 1;
        assertTrue(module.configHash(changed) != base, "biddingEnd");
        changed = sealedConfig();
        changed.revealEnd += 1;
        assertTrue(module.configHash(changed) != base, "revealEnd");
        changed = sealedConfig();
        changed.bidBond += 1;
        assertTrue(module.configHash(changed) != base, "bidBond");
        changed = sealedConfig();
        changed.priceWeightBps += 1;
        assertTrue(module.configHash(changed) != base, "priceWeightBps");
        changed = sealedConfig();
        changed.awardWindow += 1;
        assertTrue(module.configHash(changed) != base, "awardWindow");
        changed = sealedConfig();
        changed.requirements.minCompleted = 1;
        assertTrue(module.configHash(changed) != base, "requirements");
    }

    /// The commitment binds the chain, the module, the task and the bidder besides the bid itself.
    function test_CommitmentFor_BindsChainModuleTaskAndBidder() external {
        bytes32 salt = saltOf(human);
        bytes32 commitment = module.commitmentFor(1, human, 0.5 ether, ETA, salt);
        assertEq(commitment, commitmentOf(1, human, 0.5 ether, ETA, salt), "preimage");
        assertTrue(module.commitmentFor(2, human, 0.5 ether, ETA, salt) != commitment, "task");
        assertTrue(module.commitmentFor(1, agent, 0.5 ether, ETA, salt) != commitment, "bidder");
        assertTrue(module.commitmentFor(1, human, 0.5 ether + 1, ETA, salt) != commitment, "price");
        assertTrue(module.commitmentFor(1, human, 0.5 ether, ETA + 1, salt) != commitment, "eta");

        ReverseAuction other = new ReverseAuction(market);
        assertTrue(other.commitmentFor(1, human, 0.5 ether, ETA, salt) != commitment, "module");
        vm.chainId(block.chainid + 1);
        assertTrue(module.commitmentFor(1, human, 0.5 ether, ETA, salt) != commitment, "chain");
    }

    /*//////////////////////////////////////////////////////////////
                             PUBLISH CONFIG
    //////////////////////////////////////////////////////////////*/

    function test_PublishConfig_EmitsTheConfig() external {
        IReverseAuction.AuctionConfig memory config = sealedConfig();
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createAuction(terms, config);

        vm.expectEmit(address(module));
        emit IReverseAuction.AuctionConfigPublished(taskId, hashOf(config), config);
        vm.prank(stranger);
        module.publishConfig(taskId, terms, config);
    }

    /// The latest schedule allowed: the award window ends exactly at the claim deadline.
    function test_PublishConfig_AcceptsAwardWindowEndingAtClaimDeadline() external {
        TaskTerms memory terms = ethTerms();
        IReverseAuction.AuctionConfig memory config = sealedConfig();
        config.awardWindow = uint32(terms.claimDeadline - config.revealEnd);
        uint256 taskId = createAuction(terms, config);
        module.publishConfig(taskId, terms, config);
    }

    /// A zero award window lets anyone finalize at close.
    function test_PublishConfig_AcceptsZeroAwardWindow() external {
        TaskTerms memory terms = ethTerms();
        IReverseAuction.AuctionConfig memory config = openConfig();
        config.awardWindow = 0;
        uint256 taskId = createAuction(terms, config);
        module.publishConfig(taskId, terms, config);

        warpToClose(config);
        assertPhase(taskId, config, IReverseAuction.AuctionPhase.Finalizable);
    }

    function test_RevertWhen_PublishConfig_TermsMismatch() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createAuction(terms, config);
        terms.reward += 1;

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_TermsMismatch.selector, taskId));
        module.publishConfig(taskId, terms, config);
    }

    function test_RevertWhen_PublishConfig_ConfigMismatch() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createAuction(terms, config);
        IReverseAuction.AuctionConfig memory other = openConfig();
        other.priceWeightBps = 1;

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_ConfigMismatch.selector,
                taskId,
                hashOf(config),
                hashOf(other)
            )
        );
        module.publishConfig(taskId, terms, other);
    }

    function test_RevertWhen_PublishConfig_TaskNamesAnotherAssigner() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        TaskTerms memory terms = ethTerms();
        TaskOptions memory options = TaskOptions({
            assigner: stranger,
            subtaskBudget: 0,
            assignerConfigHash: hashOf(config)
        });
        vm.prank(poster);
        uint256 taskId = market.createTaskWithOptions{ value: terms.reward }(
            terms,
            options,
            noCapabilities(),
            DOCUMENT_URI
        );

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_NotAssigner.selector, taskId, stranger));
        module.publishConfig(taskId, terms, config);
    }

    function test_RevertWhen_PublishConfig_TaskWithoutOptions() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_NotAssigner.selector, taskId, address(0)));
        module.publishConfig(taskId, terms, config);
    }

    /*//////////////////////////////////////////////////////////////
                              VALIDATION
    //////////////////////////////////////////////////////////////*/

    /// @dev Posts a task committing to `config` (the market does not validate it) and expects publication, and an
    /// open bid or a commitment, to revert with `expected`.
    function expectInvalid(IReverseAuction.AuctionConfig memory config, bytes memory expected) private {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createAuction(terms, config);

        vm.expectRevert(expected);
        module.publishConfig(taskId, terms, config);

        // Validated again wherever it is used.
        vm.expectRevert(expected);
        vm.prank(human);
        if (config.revealEnd == 0) {
            module.bid{ value: BOND }(taskId, terms, config, 0.5 ether, ETA, noCapabilities());
        } else {
            module.commitBid{ value: BOND + config.bidBond }(taskId, terms, config, bytes32("c"), noCapabilities());
        }

        vm.warp(awardWindowEndOf(config) > block.timestamp ? awardWindowEndOf(config) : block.timestamp);
        vm.expectRevert(expected);
        finalizeAs(stranger, taskId, terms, config);
    }

    function test_RevertWhen_Config_PriceWeightAboveOneHundredPercent() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        config.priceWeightBps = uint16(BPS) + 1;
        expectInvalid(
            config,
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_InvalidPriceWeight.selector, config.priceWeightBps)
        );
    }

    function test_RevertWhen_Config_OpenBidsWithBidBond() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        config.bidBond = 1;
        expectInvalid(
            config,
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_BidBondWithoutSealing.selector, uint128(1))
        );
    }

    function test_RevertWhen_Config_SealedWithoutBidBond() external {
        IReverseAuction.AuctionConfig memory config = sealedConfig();
        config.bidBond = 0;
        expectInvalid(config, abi.encodeWithSelector(IReverseAuction.ReverseAuction_SealedWithoutBidBond.selector));
    }

    function test_RevertWhen_Config_RevealEndNotAfterBiddingEnd() external {
        IReverseAuction.AuctionConfig memory config = sealedConfig();
        config.revealEnd = config.biddingEnd;
        expectInvalid(
            config,
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_RevealEndNotAfterBiddingEnd.selector,
                config.biddingEnd,
                config.revealEnd
            )
        );
    }

    function test_RevertWhen_Config_OpenCloseAtClaimDeadline() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        uint40 claimDeadline = ethTerms().claimDeadline;
        config.biddingEnd = claimDeadline;
        config.awardWindow = 0;
        expectInvalid(
            config,
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_CloseNotBeforeClaimDeadline.selector,
                claimDeadline,
                claimDeadline
            )
        );
    }

    function test_RevertWhen_Config_SealedCloseAfterClaimDeadline() external {
        IReverseAuction.AuctionConfig memory config = sealedConfig();
        uint40 claimDeadline = ethTerms().claimDeadline;
        config.revealEnd = claimDeadline + 1;
        config.awardWindow = 0;
        expectInvalid(
            config,
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_CloseNotBeforeClaimDeadline.selector,
                claimDeadline + 1,
                claimDeadline
            )
        );
    }

    function test_RevertWhen_Config_AwardWindowPastClaimDeadline() external {
        IReverseAuction.AuctionConfig memory config = sealedConfig();
        uint40 claimDeadline = ethTerms().claimDeadline;
        config.awardWindow = uint32(claimDeadline - config.revealEnd) + 1;
        expectInvalid(
            config,
            abi.encodeWithSelector(
                IReverseAuction.ReverseAuction_AwardWindowPastClaimDeadline.selector,
                uint256(claimDeadline) + 1,
                claimDeadline
            )
        );
    }

    function test_RevertWhen_Config_TooManyDependencies() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        config.requirements.dependencies = new uint256[](MAX_DEPENDENCIES + 1);
        expectInvalid(
            config,
            abi.encodeWithSelector(
                Errors.AssignmentModule_TooManyDependencies.selector,
                MAX_DEPENDENCIES + 1,
                MAX_DEPENDENCIES
            )
        );
    }

    function test_RevertWhen_Config_DependencyNotEarlier() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        config.requirements.dependencies = new uint256[](1);
        config.requirements.dependencies[0] = market.nextTaskId();
        expectInvalid(
            config,
            abi.encodeWithSelector(
                Errors.AssignmentModule_InvalidDependency.selector,
                market.nextTaskId(),
                market.nextTaskId()
            )
        );
    }

    function test_RevertWhen_Config_DisputesGateAboveOneHundredPercent() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        config.requirements.maxDisputesLostBps = uint16(BPS) + 1;
        expectInvalid(config, abi.encodeWithSelector(Errors.AssignmentModule_InvalidShare.selector, BPS + 1));
    }

    /*//////////////////////////////////////////////////////////////
                           WRONG TERMS OR CONFIG
    //////////////////////////////////////////////////////////////*/

    /// Every entry point taking terms checks them against the task.
    function test_RevertWhen_EveryEntryPoint_TermsMismatch() external {
        IReverseAuction.AuctionConfig memory config = sealedConfig();
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createAuction(terms, config);
        TaskTerms memory wrong = ethTerms();
        wrong.claimBond += 1;
        bytes memory expected = abi.encodeWithSelector(Errors.AssignmentModule_TermsMismatch.selector, taskId);

        vm.startPrank(human);
        vm.expectRevert(expected);
        module.commitBid{ value: BOND + BID_BOND }(taskId, wrong, config, bytes32("c"), noCapabilities());
        vm.expectRevert(expected);
        module.revealBid(taskId, wrong, config, 0.5 ether, ETA, saltOf(human), noCapabilities());
        vm.stopPrank();
        vm.expectRevert(expected);
        awardAs(poster, taskId, wrong, config, human);
        vm.expectRevert(expected);
        finalizeAs(poster, taskId, wrong, config);
        vm.expectRevert(expected);
        module.cancelForFailedDependency(taskId, wrong, config, 0);
        vm.expectRevert(expected);
        module.previewWinner(taskId, wrong, config, noCapabilities());
    }

    /// Every entry point taking a configuration checks it against the task's commitment.
    function test_RevertWhen_EveryEntryPoint_ConfigMismatch() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createAuction(terms, config);
        IReverseAuction.AuctionConfig memory wrong = openConfig();
        wrong.awardWindow += 1;
        bytes memory expected = abi.encodeWithSelector(
            Errors.AssignmentModule_ConfigMismatch.selector,
            taskId,
            hashOf(config),
            hashOf(wrong)
        );

        vm.expectRevert(expected);
        vm.prank(human);
        module.bid{ value: BOND }(taskId, terms, wrong, 0.5 ether, ETA, noCapabilities());
        vm.expectRevert(expected);
        awardAs(poster, taskId, terms, wrong, human);
        vm.expectRevert(expected);
        finalizeAs(poster, taskId, terms, wrong);
        vm.expectRevert(expected);
        module.phaseOf(taskId, wrong);
    }

    /*//////////////////////////////////////////////////////////////
                       THE MARKET'S OTHER DOORS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_DirectClaim() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createAuction(terms, openConfig());

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotAssigner.selector, taskId, human));
        claimTask(taskId, terms, human);
    }

    function test_RevertWhen_DirectAssignByStranger() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createAuction(terms, openConfig());

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotAssigner.selector, taskId, stranger));
        vm.prank(stranger);
        market.assign{ value: BOND }(taskId, terms, human, 0.1 ether, noCapabilities());
    }

    /*//////////////////////////////////////////////////////////////
                                 PHASES
    //////////////////////////////////////////////////////////////*/

    function test_PhaseOf_OpenAuction() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createAuction(terms, config);

        assertPhase(taskId, config, IReverseAuction.AuctionPhase.Bidding);
        vm.warp(config.biddingEnd - 1);
        assertPhase(taskId, config, IReverseAuction.AuctionPhase.Bidding);
        bidAs(human, taskId, terms, config, 0.5 ether);
        warpToClose(config);
        assertPhase(taskId, config, IReverseAuction.AuctionPhase.Awarding);
        vm.warp(awardWindowEndOf(config) - 1);
        assertPhase(taskId, config, IReverseAuction.AuctionPhase.Awarding);
        warpToAwardWindowEnd(config);
        assertPhase(taskId, config, IReverseAuction.AuctionPhase.Finalizable);
        finalizeAs(stranger, taskId, terms, config);
        assertPhase(taskId, config, IReverseAuction.AuctionPhase.Awarded);
    }

    function test_PhaseOf_SealedAuction() external {
        IReverseAuction.AuctionConfig memory config = sealedConfig();
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createAuction(terms, config);

        assertPhase(taskId, config, IReverseAuction.AuctionPhase.Bidding);
        warpToBiddingEnd(config);
        assertPhase(taskId, config, IReverseAuction.AuctionPhase.Revealing);
        vm.warp(config.revealEnd - 1);
        assertPhase(taskId, config, IReverseAuction.AuctionPhase.Revealing);
        warpToClose(config);
        assertPhase(taskId, config, IReverseAuction.AuctionPhase.Awarding);
        warpToAwardWindowEnd(config);
        assertPhase(taskId, config, IReverseAuction.AuctionPhase.Finalizable);
        // No valid bid: finalizing cancels the task.
        finalizeAs(stranger, taskId, terms, config);
        assertPhase(taskId, config, IReverseAuction.AuctionPhase.Cancelled);
    }

    /// A task cancelled by its poster through the market, or expired, reads as cancelled.
    function test_PhaseOf_CancelledOrExpiredInTheMarket() external {
        IReverseAuction.AuctionConfig memory config = openConfig();
        TaskTerms memory terms = ethTerms();
        uint256 cancelled = createAuction(terms, config);
        uint256 expired = createAuction(terms, config);

        vm.prank(poster);
        market.cancel(cancelled, terms);
        assertPhase(cancelled, config, IReverseAuction.AuctionPhase.Cancelled);

        warpPastClaimDeadline(terms);
        assertStatus(expired, TaskStatus.Expired);
        assertPhase(expired, config, IReverseAuction.AuctionPhase.Cancelled);
    }
}
