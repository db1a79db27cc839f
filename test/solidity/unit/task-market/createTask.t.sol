// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IERC20Errors } from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import { Pausable } from "@openzeppelin/contracts/utils/Pausable.sol";

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { PosterRecord, TaskState, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";
import { FeeOnTransferERC20 } from "../../utils/TestTokens.sol";

contract CreateTask_Unit_Test is Base_Test {
    function create(TaskTerms memory terms, bytes32[] memory capabilities, uint256 value) private returns (uint256) {
        vm.prank(poster);
        return market.createTask{ value: value }(terms, capabilities, DOCUMENT_URI);
    }

    /// @dev `count` strictly ascending capability ids.
    function ascending(uint256 count) private pure returns (bytes32[] memory capabilities) {
        capabilities = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) {
            capabilities[i] = bytes32(i + 1);
        }
    }

    /*//////////////////////////////////////////////////////////////
                                 PAUSE
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_Paused() external {
        vm.prank(owner);
        market.pause();
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(Pausable.EnforcedPause.selector);
        create(terms, noCapabilities(), REWARD);
    }

    /*//////////////////////////////////////////////////////////////
                                PAYMENT
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_EthValueBelowReward() external {
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, REWARD, REWARD - 1));
        create(terms, noCapabilities(), REWARD - 1);
    }

    function test_RevertWhen_EthValueAboveReward() external {
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, REWARD, REWARD + 1));
        create(terms, noCapabilities(), REWARD + 1);
    }

    function test_RevertWhen_TokenTaskSendsEth() external {
        TaskTerms memory terms = tokenTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, 0, 1));
        create(terms, noCapabilities(), 1);
    }

    function test_RevertWhen_TokenAllowanceMissing() external {
        vm.prank(poster);
        token.approve(address(market), REWARD - 1);
        TaskTerms memory terms = tokenTerms();
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector,
                address(market),
                REWARD - 1,
                REWARD
            )
        );
        create(terms, noCapabilities(), 0);
    }

    function test_RevertWhen_TokenBalanceTooLow() external {
        uint256 balance = token.balanceOf(poster);
        TaskTerms memory terms = tokenTerms();
        terms.reward = uint128(balance + 1);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, poster, balance, balance + 1)
        );
        create(terms, noCapabilities(), 0);
    }

    function test_RevertWhen_TokenDeliversLessThanReward() external {
        FeeOnTransferERC20 feeToken = new FeeOnTransferERC20();
        feeToken.mint(poster, 10 ether);
        vm.prank(poster);
        feeToken.approve(address(market), type(uint256).max);
        TaskTerms memory terms = defaultTerms(address(feeToken));
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_TokenTransferShortfall.selector,
                address(feeToken),
                REWARD,
                REWARD - REWARD / 100
            )
        );
        create(terms, noCapabilities(), 0);
    }

    /*//////////////////////////////////////////////////////////////
                                 TERMS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_PosterNotSender() external {
        TaskTerms memory terms = ethTerms();
        terms.poster = stranger;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_PosterNotSender.selector, stranger, poster));
        create(terms, noCapabilities(), REWARD);
    }

    function test_RevertWhen_RewardZero() external {
        TaskTerms memory terms = ethTerms();
        terms.reward = 0;
        vm.expectRevert(Errors.TaskMarket_ZeroReward.selector);
        create(terms, noCapabilities(), 0);
    }

    function test_RevertWhen_TokenRewardZero() external {
        TaskTerms memory terms = tokenTerms();
        terms.reward = 0;
        vm.expectRevert(Errors.TaskMarket_ZeroReward.selector);
        create(terms, noCapabilities(), 0);
    }

    function test_RevertWhen_ClaimDeadlineNow() external {
        TaskTerms memory terms = ethTerms();
        terms.claimDeadline = uint40(block.timestamp);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_ClaimDeadlineNotInFuture.selector,
                terms.claimDeadline,
                block.timestamp
            )
        );
        create(terms, noCapabilities(), REWARD);
    }

    function test_RevertWhen_ClaimDeadlineInPast() external {
        TaskTerms memory terms = ethTerms();
        terms.claimDeadline = uint40(block.timestamp - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_ClaimDeadlineNotInFuture.selector,
                terms.claimDeadline,
                block.timestamp
            )
        );
        create(terms, noCapabilities(), REWARD);
    }

    function test_WhenClaimDeadlineOneSecondAhead_ItShouldCreate() external {
        TaskTerms memory terms = ethTerms();
        terms.claimDeadline = uint40(block.timestamp + 1);
        uint256 taskId = create(terms, noCapabilities(), REWARD);
        assertStatus(taskId, TaskStatus.Posted);
    }

    function test_RevertWhen_ExecutionWindowZero() external {
        TaskTerms memory terms = ethTerms();
        terms.executionWindow = 0;
        vm.expectRevert(Errors.TaskMarket_ZeroExecutionWindow.selector);
        create(terms, noCapabilities(), REWARD);
    }

    function test_RevertWhen_ReviewWindowZero() external {
        TaskTerms memory terms = ethTerms();
        terms.reviewWindow = 0;
        vm.expectRevert(Errors.TaskMarket_ZeroReviewWindow.selector);
        create(terms, noCapabilities(), REWARD);
    }

    function test_RevertWhen_FeeBelowCurrent() external {
        TaskTerms memory terms = ethTerms();
        terms.feeBps = FEE_BPS - 1;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_FeeMismatch.selector, FEE_BPS, FEE_BPS - 1));
        create(terms, noCapabilities(), REWARD);
    }

    function test_RevertWhen_FeeChangedSinceTermsWereBuilt() external {
        TaskTerms memory terms = tokenTerms();
        vm.prank(owner);
        market.setProtocolFee(100);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_FeeMismatch.selector, 100, FEE_BPS));
        create(terms, noCapabilities(), 0);
    }

    /*//////////////////////////////////////////////////////////////
                              CAPABILITIES
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_TooManyCapabilities() external {
        bytes32[] memory capabilities = ascending(17);
        TaskTerms memory terms = ethTerms();
        terms.capabilitiesHash = hashCapabilities(capabilities);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TooManyCapabilities.selector, 17, 16));
        create(terms, capabilities, REWARD);
    }

    function test_WhenMaximumCapabilities_ItShouldCreate() external {
        bytes32[] memory capabilities = ascending(16);
        TaskTerms memory terms = ethTerms();
        terms.capabilitiesHash = hashCapabilities(capabilities);
        uint256 taskId = create(terms, capabilities, REWARD);
        assertTrue(market.matchesTerms(taskId, terms), "matchesTerms");
    }

    function test_RevertWhen_CapabilitiesDescending() external {
        bytes32[] memory capabilities = new bytes32[](2);
        (capabilities[0], capabilities[1]) = (bytes32(uint256(2)), bytes32(uint256(1)));
        TaskTerms memory terms = ethTerms();
        terms.capabilitiesHash = hashCapabilities(capabilities);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CapabilitiesNotAscending.selector, 1));
        create(terms, capabilities, REWARD);
    }

    function test_RevertWhen_CapabilityDuplicated() external {
        bytes32[] memory capabilities = new bytes32[](3);
        (capabilities[0], capabilities[1], capabilities[2]) = (CAP_SOLIDITY, CAP_SOLIDITY, bytes32(type(uint256).max));
        TaskTerms memory terms = ethTerms();
        terms.capabilitiesHash = hashCapabilities(capabilities);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CapabilitiesNotAscending.selector, 1));
        create(terms, capabilities, REWARD);
    }

    function test_RevertWhen_CapabilityZero() external {
        bytes32[] memory capabilities = new bytes32[](1);
        TaskTerms memory terms = ethTerms();
        terms.capabilitiesHash = hashCapabilities(capabilities);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CapabilitiesNotAscending.selector, 0));
        create(terms, capabilities, REWARD);
    }

    function test_RevertWhen_CapabilitiesDoNotHashToTerms() external {
        TaskTerms memory terms = ethTerms(); // commits to no capabilities
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_CapabilitiesMismatch.selector,
                terms.capabilitiesHash,
                hashCapabilities(sortedCapabilities())
            )
        );
        create(terms, sortedCapabilities(), REWARD);
    }

    /*//////////////////////////////////////////////////////////////
                                SUCCESS
    //////////////////////////////////////////////////////////////*/

    function test_WhenEth_ItShouldCreateAndEscrow() external {
        TaskTerms memory terms = ethTerms();
        terms.capabilitiesHash = hashCapabilities(sortedCapabilities());
        uint256 posterBefore = poster.balance;
        uint256 marketBefore = address(market).balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCreated(1, poster, address(0), terms, sortedCapabilities(), DOCUMENT_URI);
        uint256 taskId = create(terms, sortedCapabilities(), REWARD);

        assertEq(taskId, 1, "taskId");
        assertEq(market.nextTaskId(), 2, "nextTaskId");
        assertEq(poster.balance, posterBefore - REWARD, "poster balance");
        assertEq(address(market).balance, marketBefore + REWARD, "market balance");
        assertStatus(taskId, TaskStatus.Posted);
        assertEq(
            market.stateOf(taskId),
            TaskState({
                executor: address(0),
                status: TaskStatus.Posted,
                executionDeadline: 0,
                reviewDeadline: 0,
                flags: 0
            })
        );
        (uint40 claimDeadline, bytes27 digest) = market.commitmentOf(taskId);
        assertEq(claimDeadline, terms.claimDeadline, "commitment: claimDeadline");
        assertEq(digest, bytes27(keccak256(abi.encode(terms))), "commitment: digest");
        assertTrue(market.matchesTerms(taskId, terms), "matchesTerms");
        PosterRecord memory expected;
        expected.posted = 1;
        assertEq(market.posterRecordOf(poster), expected);
    }

    function test_WhenToken_ItShouldCreateAndEscrow() external {
        TaskTerms memory terms = tokenTerms();
        uint256 posterBefore = token.balanceOf(poster);
        uint256 posterEthBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCreated(1, poster, address(token), terms, noCapabilities(), DOCUMENT_URI);
        uint256 taskId = create(terms, noCapabilities(), 0);

        assertEq(token.balanceOf(poster), posterBefore - REWARD, "poster balance");
        assertEq(token.balanceOf(address(market)), REWARD, "market balance");
        assertEq(poster.balance, posterEthBefore, "no ETH moves");
        assertStatus(taskId, TaskStatus.Posted);
        assertTrue(market.matchesTerms(taskId, terms), "matchesTerms");
    }

    function test_WhenFeeZero_ItShouldCreate() external {
        vm.prank(owner);
        market.setProtocolFee(0);
        TaskTerms memory terms = ethTerms();
        assertEq(terms.feeBps, 0, "terms carry the current fee");
        uint256 taskId = create(terms, noCapabilities(), REWARD);
        assertStatus(taskId, TaskStatus.Posted);
    }

    function test_WhenOptionalFieldsSet_ItShouldCreate() external {
        TaskTerms memory terms = tokenTerms();
        terms.claimBond = 0;
        terms.verifier = reviewer;
        terms.documentHash = bytes32(0);
        uint256 taskId = create(terms, noCapabilities(), 0);
        assertTrue(market.matchesTerms(taskId, terms), "matchesTerms");
    }

    function test_WhenCalledRepeatedly_ItShouldNeverReuseAnId() external {
        TaskTerms memory terms = ethTerms();
        for (uint256 expectedId = 1; expectedId <= 3; ++expectedId) {
            // Identical terms are allowed: each call is a separate task with its own id and escrow.
            assertEq(create(terms, noCapabilities(), REWARD), expectedId, "taskId");
            assertTrue(market.matchesTerms(expectedId, terms), "matchesTerms");
        }
        assertEq(market.nextTaskId(), 4, "nextTaskId");
        assertEq(address(market).balance, 3 * uint256(REWARD), "market balance");
        assertEq(market.posterRecordOf(poster).posted, 3, "posted");
    }
}
