// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IReverseAuction } from "../../../../../contracts/interfaces/assignment/IReverseAuction.sol";
import { Errors } from "../../../../../contracts/libraries/Errors.sol";
import { ExecutorKind, TaskOptions, TaskStatus, TaskTerms } from "../../../../../contracts/types/TaskTypes.sol";
import { EthRefusingAccount, Executable, ReentrantAccount } from "../../../mocks/AttackReceivers.sol";
import { BlocklistERC20 } from "../../../utils/TestTokens.sol";
import { ReverseAuction_Test } from "./ReverseAuctionBase.sol";

/// @notice Deposits and credits: when a bidder may take its deposit back, the poster's credit of forfeited bonds, and
/// that no recipient — refusing ETH, blocklisted or re-entering — can block an award, a finalization or a refund.
contract ReverseAuction_Withdrawals_Unit_Test is ReverseAuction_Test {
    IReverseAuction.AuctionConfig internal config;
    TaskTerms internal terms;
    uint256 internal taskId;

    function setUp() public override {
        super.setUp();
        config = openConfig();
        terms = ethTerms();
        taskId = createAuction(terms, config);
    }

    /// @dev Registers the contract `account` as a human executor and funds it.
    function registerContract(address account) private {
        vm.deal(account, 10 ether);
        Executable(account).execute(
            address(registry),
            0,
            abi.encodeCall(registry.register, (ExecutorKind.Human, address(0), noCapabilities(), "ipfs://contract"))
        );
    }

    function bidFrom(address account, uint256 auctionId, uint128 price) private {
        Executable(account).execute(
            address(module),
            BOND,
            abi.encodeCall(module.bid, (auctionId, terms, config, price, ETA, noCapabilities()))
        );
    }

    function withdrawDepositFrom(address account, uint256 auctionId) private {
        Executable(account).execute(address(module), 0, abi.encodeCall(module.withdrawDeposit, (auctionId)));
    }

    /*//////////////////////////////////////////////////////////////
                          WHEN A DEPOSIT RETURNS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_WithdrawDeposit_NoBid() external {
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_NothingToWithdraw.selector, taskId, stranger)
        );
        withdrawDepositAs(stranger, taskId);
    }

    /// A valid bid stands until the auction is decided: during bidding, the award window, and after it.
    function test_RevertWhen_WithdrawDeposit_BidStillActive() external {
        bidAs(human, taskId, terms, config, 0.6 ether);
        bytes memory expected = abi.encodeWithSelector(
            IReverseAuction.ReverseAuction_BidStillActive.selector,
            taskId,
            human
        );

        vm.expectRevert(expected);
        withdrawDepositAs(human, taskId);
        warpToClose(config);
        vm.expectRevert(expected);
        withdrawDepositAs(human, taskId);
        warpToAwardWindowEnd(config);
        vm.expectRevert(expected);
        withdrawDepositAs(human, taskId);
    }

    function test_WithdrawDeposit_LoserAfterTheAward() external {
        bidAs(human, taskId, terms, config, 0.6 ether);
        bidAs(agent, taskId, terms, config, 0.5 ether);
        warpToClose(config);
        awardAs(poster, taskId, terms, config, human);
        uint256 before = agent.balance;

        vm.expectEmit(address(module));
        emit IReverseAuction.DepositWithdrawn(taskId, agent, address(0), BOND);
        withdrawDepositAs(agent, taskId);

        assertEq(agent.balance - before, BOND, "deposit back");
        assertBidStatus(taskId, agent, IReverseAuction.BidStatus.Withdrawn);
        assertEq(module.depositOf(taskId, agent), 0, "nothing left");
        assertSolvent();

        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_NothingToWithdraw.selector, taskId, agent)
        );
        withdrawDepositAs(agent, taskId);
    }

    /// The winner of an open auction has nothing here: its deposit is its claim bond in the market.
    function test_RevertWhen_WithdrawDeposit_OpenWinner() external {
        bidAs(human, taskId, terms, config, 0.6 ether);
        warpToClose(config);
        awardAs(poster, taskId, terms, config, human);
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_NothingToWithdraw.selector, taskId, human)
        );
        withdrawDepositAs(human, taskId);
    }

    function test_WithdrawDeposit_Token_Loser() external {
        TaskTerms memory tokenTaskTerms = tokenTerms();
        uint256 tokenTaskId = createAuction(tokenTaskTerms, config);
        bidAs(human, tokenTaskId, tokenTaskTerms, config, 0.6 ether);
        bidAs(agent, tokenTaskId, tokenTaskTerms, config, 0.5 ether);
        warpToAwardWindowEnd(config);
        finalizeAs(stranger, tokenTaskId, tokenTaskTerms, config);
        uint256 before = token.balanceOf(human);

        withdrawDepositAs(human, tokenTaskId);

        assertEq(token.balanceOf(human) - before, BOND, "deposit back in tokens");
        assertEq(token.balanceOf(address(module)), 0, "module empty");
        assertSolvent();
    }

    /// A task the poster cancelled through the market, or one that expired, frees every deposit.
    function test_WithdrawDeposit_AfterThePosterCancelledThroughTheMarket() external {
        bidAs(human, taskId, terms, config, 0.6 ether);
        vm.prank(poster);
        market.cancel(taskId, terms);

        withdrawDepositAs(human, taskId);
        assertEq(address(module).balance, 0, "module empty");
    }

    function test_WithdrawDeposit_AfterExpiry() external {
        bidAs(human, taskId, terms, config, 0.6 ether);
        warpPastClaimDeadline(terms);
        assertStatus(taskId, TaskStatus.Expired);

        withdrawDepositAs(human, taskId);
        assertEq(address(module).balance, 0, "module empty");
        market.refundExpired(taskId, terms);
        assertEq(address(market).balance, 0, "market empty");
    }

    /*//////////////////////////////////////////////////////////////
                            POSTER CREDITS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_Withdraw_NoCredit() external {
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_NoCredit.selector, poster, address(token))
        );
        vm.prank(poster);
        module.withdraw(address(token), poster);
    }

    function test_RevertWhen_Withdraw_ZeroRecipient() external {
        vm.expectRevert(IReverseAuction.ReverseAuction_ZeroRecipient.selector);
        vm.prank(poster);
        module.withdraw(address(0), address(0));
    }

    /// A credit withdrawn to an address that refuses ETH reverts and stays; the poster withdraws it elsewhere.
    function test_Withdraw_ToARefusingRecipientKeepsTheCredit() external {
        IReverseAuction.AuctionConfig memory sealedAuction = sealedConfig();
        uint256 sealedTaskId = createAuction(terms, sealedAuction);
        commitAs(human, sealedTaskId, terms, sealedAuction, 0.6 ether);
        warpToClose(sealedAuction);
        module.sweepForfeitedBonds(sealedTaskId);
        EthRefusingAccount refusing = new EthRefusingAccount();

        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_TransferFailed.selector, address(refusing), BID_BOND)
        );
        vm.prank(poster);
        module.withdraw(address(0), address(refusing));
        assertEq(module.creditOf(poster, address(0)), BID_BOND, "credit kept");

        uint256 before = poster.balance;
        vm.prank(poster);
        module.withdraw(address(0), poster);
        assertEq(poster.balance - before, BID_BOND, "withdrawn");
        assertSolvent();
    }

    /*//////////////////////////////////////////////////////////////
                     RECIPIENTS THAT CANNOT BLOCK
    //////////////////////////////////////////////////////////////*/

    /// Bidders that refuse ETH, as losers and as the winner, cannot block finalization: nothing is pushed to them.
    function test_Finalize_BiddersThatRefuseEth() external {
        EthRefusingAccount loser = new EthRefusingAccount();
        EthRefusingAccount winner = new EthRefusingAccount();
        registerContract(address(loser));
        registerContract(address(winner));
        bidFrom(address(loser), taskId, 0.6 ether);
        bidFrom(address(winner), taskId, 0.5 ether);
        warpToAwardWindowEnd(config);

        finalizeAs(stranger, taskId, terms, config);
        assertClaimedBy(taskId, address(winner));

        // The loser's own withdrawal fails until it accepts ETH; its deposit stays.
        vm.expectRevert(
            abi.encodeWithSelector(IReverseAuction.ReverseAuction_TransferFailed.selector, address(loser), BOND)
        );
        withdrawDepositFrom(address(loser), taskId);
        assertEq(module.depositOf(taskId, address(loser)), BOND, "deposit kept");
        loser.setRefusesEth(false);
        withdrawDepositFrom(address(loser), taskId);
        assertEq(module.depositOf(taskId, address(loser)), 0, "withdrawn");
        assertSolvent();
    }

    /// A poster that refuses ETH is credited its refund by the market; the award goes through.
    function test_Finalize_PosterThatRefusesEth() external {
        EthRefusingAccount refusingPoster = new EthRefusingAccount();
        vm.deal(address(refusingPoster), 10 ether);
        TaskTerms memory refusingTerms = ethTerms();
        refusingTerms.poster = address(refusingPoster);
        TaskOptions memory options = TaskOptions({
            assigner: address(module),
            subtaskBudget: 0,
            assignerConfigHash: hashOf(config)
        });
        bytes memory data = abi.encodeCall(
            market.createTaskWithOptions,
            (refusingTerms, options, noCapabilities(), DOCUMENT_URI)
        );
        uint256 refusingTaskId = abi.decode(refusingPoster.execute(address(market), REWARD, data), (uint256));
        auctionIds.push(refusingTaskId);
        bidAs(human, refusingTaskId, refusingTerms, config, 0.4 ether);
        warpToAwardWindowEnd(config);

        vm.prank(stranger);
        module.finalize(refusingTaskId, refusingTerms, config, noCapabilities());

        assertClaimedBy(refusingTaskId, human);
        assertEq(market.creditOf(address(refusingPoster), address(0)), 0.6 ether, "refund credited in the market");
        assertSolvent();
    }

    /// A blocklisted poster of a token task does not block the award either.
    function test_Finalize_BlocklistedPoster() external {
        BlocklistERC20 blocklist = new BlocklistERC20();
        blocklist.mint(poster, 10 ether);
        blocklist.mint(human, 10 ether);
        vm.prank(poster);
        blocklist.approve(address(market), type(uint256).max);
        vm.prank(human);
        blocklist.approve(address(module), type(uint256).max);
        TaskTerms memory blocklistTerms = defaultTerms(address(blocklist));
        uint256 blocklistTaskId = createAuction(blocklistTerms, config);
        vm.prank(human);
        module.bid(blocklistTaskId, blocklistTerms, config, 0.4 ether, ETA, noCapabilities());
        blocklist.setBlocked(poster, true);
        warpToAwardWindowEnd(config);

        vm.prank(stranger);
        module.finalize(blocklistTaskId, blocklistTerms, config, noCapabilities());

        assertClaimedBy(blocklistTaskId, human);
        assertEq(market.creditOf(poster, address(blocklist)), 0.6 ether, "refund credited in the market");
        assertEq(blocklist.balanceOf(address(module)), 0, "module holds nothing");
    }

    /*//////////////////////////////////////////////////////////////
                              REENTRANCY
    //////////////////////////////////////////////////////////////*/

    /// A bidder re-entering `withdrawDeposit` from its receive hook is refused: it is paid once.
    function test_WithdrawDeposit_ReentryIsRefused() external {
        ReentrantAccount attacker = new ReentrantAccount();
        registerContract(address(attacker));
        bidFrom(address(attacker), taskId, 0.6 ether);
        bidAs(human, taskId, terms, config, 0.5 ether);
        warpToClose(config);
        awardAs(poster, taskId, terms, config, human);

        attacker.arm(address(module), abi.encodeCall(module.withdrawDeposit, (taskId)), 0);
        uint256 before = address(attacker).balance;
        withdrawDepositFrom(address(attacker), taskId);

        assertEq(attacker.reentryCount(), 1, "re-entered once");
        assertFalse(attacker.reentrySucceeded(), "re-entry failed");
        assertEq(attacker.reentryErrorSelector(), Errors.NonReentrant_ReentrantCall.selector, "by the lock");
        assertEq(address(attacker).balance - before, BOND, "paid once");
        assertEq(address(module).balance, 0, "module empty");
        assertSolvent();
    }

    /// A poster re-entering `withdraw` from its receive hook is paid once too.
    function test_Withdraw_ReentryIsRefused() external {
        IReverseAuction.AuctionConfig memory sealedAuction = sealedConfig();
        uint256 sealedTaskId = createAuction(terms, sealedAuction);
        commitAs(human, sealedTaskId, terms, sealedAuction, 0.6 ether);
        commitAs(agent, sealedTaskId, terms, sealedAuction, 0.6 ether);
        warpToClose(sealedAuction);
        module.sweepForfeitedBonds(sealedTaskId);
        ReentrantAccount receiver = new ReentrantAccount();
        receiver.arm(address(module), abi.encodeCall(module.withdraw, (address(0), address(receiver))), 0);

        vm.prank(poster);
        module.withdraw(address(0), address(receiver));

        assertEq(address(receiver).balance, 2 * BID_BOND, "paid once");
        assertEq(receiver.reentryErrorSelector(), Errors.NonReentrant_ReentrantCall.selector, "by the lock");
        assertEq(module.creditOf(poster, address(0)), 0, "credit spent");
        assertSolvent();
    }
}
