// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { SafeERC20 } from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import { Errors } from "../../../contracts/libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../../../contracts/types/TaskTypes.sol";
import { MockERC20 } from "../mocks/MockERC20.sol";
import {
    BlockableToken,
    ElasticToken,
    FalseReturningToken,
    NoReturnToken,
    PausableToken,
    SwitchableFeeToken,
    TransferFeeToken
} from "../mocks/WeirdTokens.sol";
import { Attack_Base } from "./AttackBase.sol";

/// @notice Each non-standard token behaviour is either supported (the whole lifecycle works and every unit is
/// accounted for) or rejected on deposit with a clear error. SECURITY.md lists the outcome of each.
contract WeirdTokens_Attack_Test is Attack_Base {
    address internal payee = makeAddr("payee");

    /// @dev A task in `rewardToken` that `human` has claimed and submitted.
    function submittedIn(address rewardToken) internal returns (uint256 taskId, TaskTerms memory terms) {
        terms = defaultTerms(rewardToken);
        taskId = createTask(terms);
        claimTask(taskId, terms, human);
        submitWork(taskId, terms, human);
    }

    /*//////////////////////////////////////////////////////////////
                       NO RETURN VALUE (USDT-LIKE)
    //////////////////////////////////////////////////////////////*/

    /// Supported. Defence: SafeERC20 accepts empty return data from a contract (a plain `IERC20.transferFrom` call
    /// would revert decoding the missing bool, and a plain `transfer` in a push would always credit).
    function test_NoReturnToken_IsSupportedThroughTheWholeLifecycle() external {
        NoReturnToken usdt = new NoReturnToken();
        address[2] memory payers = [poster, human];
        for (uint256 i = 0; i < payers.length; ++i) {
            usdt.mint(payers[i], 10 * REWARD);
            vm.prank(payers[i]);
            usdt.approve(address(market), type(uint256).max);
        }
        (uint256 taskId, TaskTerms memory terms) = submittedIn(address(usdt));
        assertEq(usdt.balanceOf(address(market)), REWARD + BOND, "reward and bond escrowed");

        vm.prank(poster);
        market.approve(taskId, terms);

        assertEq(usdt.balanceOf(human), 10 * REWARD - BOND + expectedPayout(terms) + BOND, "executor paid by push");
        assertEq(market.creditOf(human, address(usdt)), 0, "a successful push is not credited");
        assertEq(usdt.balanceOf(address(market)), expectedFee(terms), "only the fee is left");

        market.withdrawProtocolFees(address(usdt));
        assertEq(usdt.balanceOf(feeRecipient), expectedFee(terms), "fees withdrawn");
    }

    /// Defence: SafeERC20 still sees the revert of a no-return token: a missing allowance fails the creation.
    function test_NoReturnToken_WithoutAllowance_RevertsWithTheTokenError() external {
        NoReturnToken usdt = new NoReturnToken();
        usdt.mint(poster, REWARD);
        TaskTerms memory terms = defaultTerms(address(usdt));

        vm.prank(poster);
        vm.expectRevert(
            abi.encodeWithSelector(
                NoReturnToken.NoReturnToken_InsufficientAllowance.selector,
                address(market),
                0,
                REWARD
            )
        );
        market.createTask(terms, noCapabilities(), DOCUMENT_URI);
    }

    /*//////////////////////////////////////////////////////////////
                            RETURNS FALSE
    //////////////////////////////////////////////////////////////*/

    /// A token that signals failure with `false`: a deposit it did not make is refused.
    /// Defence: SafeERC20 checks the returned bool (without it, the exact-amount check would still refuse the
    /// deposit, but with `TokenTransferShortfall` instead of the error asserted here).
    function test_FalseReturningToken_FailedDeposit_RevertsWithSafeERC20FailedOperation() external {
        FalseReturningToken falseToken = new FalseReturningToken();
        falseToken.mint(poster, REWARD);
        TaskTerms memory terms = defaultTerms(address(falseToken));

        vm.prank(poster);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(falseToken)));
        market.createTask(terms, noCapabilities(), DOCUMENT_URI);
    }

    /// Supported: a payment the token refuses by returning `false` is credited, and the state still advances.
    /// Defence: `trySafeTransfer` reads the returned bool; if the push ignored it, the executor would be marked paid
    /// while receiving nothing, and no credit would exist.
    function test_FalseReturningToken_RefusedPayout_IsCreditedAndWithdrawableElsewhere() external {
        FalseReturningToken falseToken = new FalseReturningToken();
        address[2] memory payers = [poster, human];
        for (uint256 i = 0; i < payers.length; ++i) {
            falseToken.mint(payers[i], REWARD);
            vm.prank(payers[i]);
            falseToken.approve(address(market), type(uint256).max);
        }
        (uint256 taskId, TaskTerms memory terms) = submittedIn(address(falseToken));
        falseToken.setRefused(human, true);

        vm.prank(poster);
        market.approve(taskId, terms);

        uint256 owed = expectedPayout(terms) + BOND;
        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.Settled), "settled anyway");
        assertEq(market.creditOf(human, address(falseToken)), owed, "payout and bond credited");
        assertEq(falseToken.balanceOf(human), REWARD - BOND, "nothing pushed");

        vm.prank(human);
        market.withdraw(address(falseToken), payee);
        assertEq(falseToken.balanceOf(payee), owed, "withdrawn to another address");
        assertEq(market.creditOf(human, address(falseToken)), 0, "credit cleared");
    }

    /// A token that returns `false` even when it moved the funds cannot be told apart from a failure: rejected.
    /// Defence: SafeERC20 treats `false` as failure.
    function test_AlwaysFalseToken_IsRejectedOnDeposit() external {
        FalseReturningToken falseToken = new FalseReturningToken();
        falseToken.mint(poster, REWARD);
        vm.prank(poster);
        falseToken.approve(address(market), type(uint256).max);
        falseToken.setAlwaysFalse(true);
        TaskTerms memory terms = defaultTerms(address(falseToken));

        vm.prank(poster);
        vm.expectRevert(abi.encodeWithSelector(SafeERC20.SafeERC20FailedOperation.selector, address(falseToken)));
        market.createTask(terms, noCapabilities(), DOCUMENT_URI);
    }

    /*//////////////////////////////////////////////////////////////
                           FEE ON TRANSFER
    //////////////////////////////////////////////////////////////*/

    /// Rejected. Defence: the market checks the balance it actually received (without it, the task would promise
    /// more than is held and the last payer out would find the market short).
    function test_FeeOnTransferToken_IsRejectedWithTokenTransferShortfall() external {
        TransferFeeToken feeToken = new TransferFeeToken();
        feeToken.mint(poster, REWARD);
        vm.prank(poster);
        feeToken.approve(address(market), type(uint256).max);
        TaskTerms memory terms = defaultTerms(address(feeToken));

        vm.prank(poster);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_TokenTransferShortfall.selector,
                address(feeToken),
                REWARD,
                REWARD - REWARD / 100
            )
        );
        market.createTask(terms, noCapabilities(), DOCUMENT_URI);
        assertEq(market.nextTaskId(), 1, "no task created");
    }

    /// A token that starts charging a fee after the task was created cannot short the bond either.
    /// Defence: the same exact-amount check on the claim bond.
    function test_FeeTurnedOnAfterCreation_ClaimBondIsRejected() external {
        SwitchableFeeToken feeToken = new SwitchableFeeToken();
        feeToken.mint(poster, REWARD);
        feeToken.mint(human, BOND);
        vm.prank(poster);
        feeToken.approve(address(market), type(uint256).max);
        vm.prank(human);
        feeToken.approve(address(market), type(uint256).max);
        TaskTerms memory terms = defaultTerms(address(feeToken));
        uint256 taskId = createTask(terms);
        feeToken.setFeeOn(true);

        vm.prank(human);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_TokenTransferShortfall.selector,
                address(feeToken),
                BOND,
                BOND - BOND / 100
            )
        );
        market.claim(taskId, terms, noCapabilities());
        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.Posted), "still open");
    }

    /*//////////////////////////////////////////////////////////////
                          BLOCKLIST (USDC-LIKE)
    //////////////////////////////////////////////////////////////*/

    /// Supported: blocklisting the executor after it claimed does not block settlement; the payout is credited and
    /// can be withdrawn to another address. Defence: push payments fall back to a credit (`trySafeTransfer`).
    function test_BlocklistedExecutor_SettlementCreditsAndWithdrawToAnotherAddressWorks() external {
        BlockableToken usdc = new BlockableToken(6);
        uint128 reward = 1_000e6;
        uint128 bond = 50e6;
        usdc.mint(poster, reward);
        usdc.mint(human, bond);
        vm.prank(poster);
        usdc.approve(address(market), type(uint256).max);
        vm.prank(human);
        usdc.approve(address(market), type(uint256).max);
        TaskTerms memory terms = defaultTerms(address(usdc));
        (terms.reward, terms.claimBond) = (reward, bond);
        uint256 taskId = createTask(terms);
        claimTask(taskId, terms, human);
        submitWork(taskId, terms, human);

        usdc.setBlocked(human, true);
        vm.prank(poster);
        market.approve(taskId, terms);

        uint256 owed = expectedPayout(terms) + bond;
        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.Settled), "settlement advanced");
        assertEq(market.creditOf(human, address(usdc)), owed, "payout and bond credited");

        // Withdrawing to the blocked address fails and keeps the credit; another address works.
        vm.prank(human);
        vm.expectRevert(abi.encodeWithSelector(BlockableToken.BlockableToken_Blocked.selector, human));
        market.withdraw(address(usdc), human);
        assertEq(market.creditOf(human, address(usdc)), owed, "credit kept after a failed withdrawal");

        vm.prank(human);
        market.withdraw(address(usdc), payee);
        assertEq(usdc.balanceOf(payee), owed, "withdrawn to another address");
        assertEq(usdc.balanceOf(address(market)), expectedFee(terms), "only the fee is left");
    }

    /// Supported: a blocklisted poster's refund is credited; the expiry still happens.
    /// Defence: the same push-or-credit fallback on refunds.
    function test_BlocklistedPoster_RefundIsCredited() external {
        BlockableToken usdc = new BlockableToken(6);
        usdc.mint(poster, REWARD);
        vm.prank(poster);
        usdc.approve(address(market), type(uint256).max);
        TaskTerms memory terms = defaultTerms(address(usdc));
        uint256 taskId = createTask(terms);

        usdc.setBlocked(poster, true);
        vm.warp(uint256(terms.claimDeadline) + 1);
        vm.prank(stranger);
        market.refundExpired(taskId, terms);

        assertEq(uint8(market.stateOf(taskId).status), uint8(TaskStatus.Expired), "expired and refunded");
        assertEq(market.creditOf(poster, address(usdc)), REWARD, "refund credited");
    }

    /// A blocklisted account cannot deposit: the token's own error surfaces.
    function test_BlocklistedPoster_CannotCreate() external {
        BlockableToken usdc = new BlockableToken(6);
        usdc.mint(poster, REWARD);
        vm.prank(poster);
        usdc.approve(address(market), type(uint256).max);
        usdc.setBlocked(poster, true);
        TaskTerms memory terms = defaultTerms(address(usdc));

        vm.prank(poster);
        vm.expectRevert(abi.encodeWithSelector(BlockableToken.BlockableToken_Blocked.selector, poster));
        market.createTask(terms, noCapabilities(), DOCUMENT_URI);
    }

    /*//////////////////////////////////////////////////////////////
                               PAUSABLE
    //////////////////////////////////////////////////////////////*/

    /// Supported: a token paused at settlement does not block it; the payout is credited and withdrawable once the
    /// token resumes. Defence: push-or-credit fallback, and `withdraw` reverting (keeping the credit) while paused.
    function test_PausedTokenAtSettlement_CreditsAndWithdrawsAfterUnpause() external {
        PausableToken pausable = new PausableToken();
        address[2] memory payers = [poster, human];
        for (uint256 i = 0; i < payers.length; ++i) {
            pausable.mint(payers[i], REWARD);
            vm.prank(payers[i]);
            pausable.approve(address(market), type(uint256).max);
        }
        (uint256 taskId, TaskTerms memory terms) = submittedIn(address(pausable));

        pausable.setPaused(true);
        warpPastReview(taskId);
        vm.prank(stranger);
        market.release(taskId, terms);

        uint256 owed = expectedPayout(terms) + BOND;
        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.Settled), "settled while the token is paused");
        assertEq(market.creditOf(human, address(pausable)), owed, "credited");

        vm.prank(human);
        vm.expectRevert(PausableToken.PausableToken_Paused.selector);
        market.withdraw(address(pausable), human);
        assertEq(market.creditOf(human, address(pausable)), owed, "credit kept while paused");

        pausable.setPaused(false);
        vm.prank(human);
        market.withdraw(address(pausable), human);
        assertEq(pausable.balanceOf(human), REWARD - BOND + owed, "withdrawn after the token resumed");
    }

    /// A paused token cannot be deposited: creation reverts with the token's error.
    function test_PausedTokenAtCreation_Reverts() external {
        PausableToken pausable = new PausableToken();
        pausable.mint(poster, REWARD);
        vm.prank(poster);
        pausable.approve(address(market), type(uint256).max);
        pausable.setPaused(true);
        TaskTerms memory terms = defaultTerms(address(pausable));

        vm.prank(poster);
        vm.expectRevert(PausableToken.PausableToken_Paused.selector);
        market.createTask(terms, noCapabilities(), DOCUMENT_URI);
    }

    /*//////////////////////////////////////////////////////////////
                               DECIMALS
    //////////////////////////////////////////////////////////////*/

    /// Supported: 6 decimals. The fee of a one-unit reward rounds down to zero and the payout is the full unit;
    /// a large reward splits exactly. Defence: the payout is the reward minus the fee, computed by subtraction.
    function test_SixDecimals_SmallAndLargeRewardsSplitExactly() external {
        MockERC20 sixDecimals = new MockERC20("Six", "SIX", 6);
        uint128[2] memory rewards = [uint128(1), uint128(123_456_789_123e6)];
        for (uint256 i = 0; i < rewards.length; ++i) {
            settleAndCheckSplit(sixDecimals, rewards[i]);
        }
    }

    /// Supported: 24 decimals, up to the largest reward a uint128 holds (about 3.4e14 whole tokens).
    /// Defence: the fee is computed in 256 bits, so `reward * feeBps` cannot overflow.
    function test_TwentyFourDecimals_UpToTheLargestReward() external {
        MockERC20 manyDecimals = new MockERC20("TwentyFour", "TWF", 24);
        uint128[2] memory rewards = [uint128(1_000_000_000e24), type(uint128).max];
        for (uint256 i = 0; i < rewards.length; ++i) {
            settleAndCheckSplit(manyDecimals, rewards[i]);
        }
    }

    function settleAndCheckSplit(MockERC20 rewardToken, uint128 reward) internal {
        address taskPoster = makeAddr(string.concat("poster-", vm.toString(uint256(reward))));
        address executor = makeAddr(string.concat("executor-", vm.toString(uint256(reward))));
        registerAsHuman(executor);
        TaskTerms memory terms = termsOf(taskPoster, address(rewardToken));
        terms.reward = reward;
        terms.claimBond = 0;
        uint256 feesBefore = market.accruedFeesOf(address(rewardToken));
        uint256 taskId = fundAndCreate(terms);
        claimTask(taskId, terms, executor);
        submitWork(taskId, terms, executor);
        vm.prank(taskPoster);
        market.approve(taskId, terms);

        uint256 fee = (uint256(reward) * FEE_BPS) / 10_000;
        assertEq(rewardToken.balanceOf(executor), reward - fee, "payout");
        assertEq(market.accruedFeesOf(address(rewardToken)) - feesBefore, fee, "fee");
        assertEq(rewardToken.balanceOf(executor) + fee, reward, "payout + fee == reward");
    }

    /*//////////////////////////////////////////////////////////////
                               REBASING
    //////////////////////////////////////////////////////////////*/

    /// Not supported, and not detectable on deposit: if the market's balance shrinks without a transfer, the last
    /// payment cannot be made in full. It is credited (the state still advances) but cannot be withdrawn until the
    /// balance comes back. This pins the limitation documented in SECURITY.md.
    function test_RebasingDown_LastPayoutIsCreditedButNotWithdrawable() external {
        ElasticToken elastic = new ElasticToken();
        address[2] memory payers = [poster, human];
        for (uint256 i = 0; i < payers.length; ++i) {
            elastic.mint(payers[i], REWARD);
            vm.prank(payers[i]);
            elastic.approve(address(market), type(uint256).max);
        }
        (uint256 taskId, TaskTerms memory terms) = submittedIn(address(elastic));

        // Take more than the fee, so that the executor's payment is the one that comes up short.
        uint256 shortfall = expectedFee(terms) + 1;
        elastic.rebaseDown(address(market), shortfall);
        vm.prank(poster);
        market.approve(taskId, terms);

        uint256 owed = expectedPayout(terms) + BOND;
        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.Settled), "settled");
        assertEq(market.creditOf(human, address(elastic)), owed, "the short payment is credited");
        vm.prank(human);
        vm.expectRevert();
        market.withdraw(address(elastic), human);

        elastic.rebaseUp(address(market), shortfall);
        vm.prank(human);
        market.withdraw(address(elastic), human);
        assertEq(elastic.balanceOf(human), REWARD - BOND + owed, "withdrawable once the balance is back");
    }
}
