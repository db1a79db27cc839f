// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorKind, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";
import { ContractAccount, GasHungryReceiver, ReentrantReceiver } from "../../utils/TestAccounts.sol";
import { BlocklistERC20 } from "../../utils/TestTokens.sol";

contract Withdraw_Unit_Test is Base_Test {
    ContractAccount internal account;
    address internal beneficiary = makeAddr("beneficiary");

    function setUp() public override {
        super.setUp();
        account = newContractExecutor("rejectingExecutor");
    }

    /// @dev Settles an ETH task for `account` while it refuses ETH; returns what was credited to it.
    function creditEth() private returns (uint256 owed) {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = submittedTaskBy(account, terms);
        account.setAcceptsEth(false);
        approveTask(taskId, terms);
        owed = payoutOf(REWARD, FEE_BPS) + BOND;
        assertEq(market.creditOf(address(account), address(0)), owed, "credited");
    }

    function withdrawAs(ContractAccount caller, address creditToken, address to) private {
        caller.execute(address(market), 0, abi.encodeCall(market.withdraw, (creditToken, to)));
    }

    function test_RevertWhen_RecipientZero() external {
        creditEth();
        vm.expectRevert(Errors.TaskMarket_ZeroAddress.selector);
        withdrawAs(account, address(0), address(0));
    }

    function test_RevertWhen_NothingCredited() external {
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_NothingToWithdraw.selector, stranger, address(0)));
        vm.prank(stranger);
        market.withdraw(address(0), stranger);
    }

    function test_RevertWhen_CreditIsInAnotherToken() external {
        creditEth();
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_NothingToWithdraw.selector, address(account), address(token))
        );
        withdrawAs(account, address(token), beneficiary);
    }

    function test_RevertWhen_EthRecipientRejects() external {
        uint256 owed = creditEth();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_EthTransferFailed.selector, address(account), owed));
        withdrawAs(account, address(0), address(account));
        assertEq(market.creditOf(address(account), address(0)), owed, "the credit stays withdrawable");
    }

    function test_WhenEthCredited_ItShouldPayTheRecipient() external {
        uint256 owed = creditEth();
        uint256 marketBefore = address(market).balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.CreditWithdrawn(address(account), address(0), beneficiary, owed);
        withdrawAs(account, address(0), beneficiary);

        assertEq(beneficiary.balance, owed, "beneficiary paid");
        assertEq(address(market).balance, marketBefore - owed, "market balance");
        assertEq(market.creditOf(address(account), address(0)), 0, "credit cleared");
    }

    function test_WhenWithdrawnTwice_ItShouldRevertTheSecondTime() external {
        creditEth();
        withdrawAs(account, address(0), beneficiary);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_NothingToWithdraw.selector, address(account), address(0))
        );
        withdrawAs(account, address(0), beneficiary);
    }

    function test_WhenCreditsAccumulate_ItShouldPayTheirSum() external {
        uint256 first = creditEth();
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        account.setAcceptsEth(true);
        claimTaskAs(account, taskId, terms);
        submitWorkAs(account, taskId, terms);
        account.setAcceptsEth(false);
        approveTask(taskId, terms);

        assertEq(market.creditOf(address(account), address(0)), 2 * first, "two credits");
        withdrawAs(account, address(0), beneficiary);
        assertEq(beneficiary.balance, 2 * first, "beneficiary paid both");
    }

    function test_WhenRecipientNeedsMoreThanThePushGas_ItShouldWithdrawToItself() external {
        GasHungryReceiver receiver = new GasHungryReceiver();
        vm.prank(address(receiver));
        registry.register(ExecutorKind.Human, address(0), noCapabilities(), "ipfs://hungry");
        TaskTerms memory terms = ethTerms();
        terms.claimBond = 0;
        uint256 taskId = createTask(terms);
        vm.startPrank(address(receiver));
        market.claim(taskId, terms, noCapabilities());
        market.submit(taskId, terms, RESULT_HASH, RESULT_URI);
        vm.stopPrank();
        approveTask(taskId, terms);
        uint256 owed = market.creditOf(address(receiver), address(0));
        assertEq(owed, payoutOf(REWARD, FEE_BPS), "credited");

        // A withdrawal forwards all the gas: the receiver's own logic runs.
        receiver.execute(address(market), abi.encodeCall(market.withdraw, (address(0), address(receiver))));

        assertEq(receiver.receipts(), 1, "received");
        assertEq(address(receiver).balance, owed, "balance");
    }

    function test_WhenTokenCredited_ItShouldPayTheRecipient() external {
        BlocklistERC20 usdc = new BlocklistERC20();
        address[2] memory holders = [poster, human];
        for (uint256 i = 0; i < holders.length; ++i) {
            usdc.mint(holders[i], 1000 ether);
            vm.prank(holders[i]);
            usdc.approve(address(market), type(uint256).max);
        }
        TaskTerms memory terms = defaultTerms(address(usdc));
        uint256 taskId = submittedTask(terms);
        usdc.setBlocked(human, true);
        approveTask(taskId, terms);
        uint256 owed = payoutOf(REWARD, FEE_BPS) + BOND;

        // Still blocked: the withdrawal to itself reverts and the credit stays.
        vm.expectRevert(abi.encodeWithSelector(BlocklistERC20.BlocklistERC20_Blocked.selector, human));
        vm.prank(human);
        market.withdraw(address(usdc), human);
        assertEq(market.creditOf(human, address(usdc)), owed, "credit kept");

        // To another address it goes through.
        vm.expectEmit(address(market));
        emit ITaskMarket.CreditWithdrawn(human, address(usdc), beneficiary, owed);
        vm.prank(human);
        market.withdraw(address(usdc), beneficiary);
        assertEq(usdc.balanceOf(beneficiary), owed, "beneficiary paid");
        assertEq(market.creditOf(human, address(usdc)), 0, "credit cleared");
        assertEq(usdc.balanceOf(address(market)), feeOf(REWARD, FEE_BPS), "market keeps only the fee");
    }

    function test_WhenPaused_ItShouldWithdraw() external {
        uint256 owed = creditEth();
        vm.prank(owner);
        market.pause();
        withdrawAs(account, address(0), beneficiary);
        assertEq(beneficiary.balance, owed, "beneficiary paid");
    }

    function test_WhenRecipientReentersWithdraw_TheLockShouldStopIt() external {
        // The credit is cleared before the transfer, and the reentrancy lock refuses the nested call anyway.
        ReentrantReceiver receiver = new ReentrantReceiver();
        vm.prank(address(receiver));
        registry.register(ExecutorKind.Human, address(0), noCapabilities(), "ipfs://reentrant");
        TaskTerms memory terms = ethTerms();
        terms.claimBond = 0;
        uint256 taskId = createTask(terms);
        vm.startPrank(address(receiver));
        market.claim(taskId, terms, noCapabilities());
        market.submit(taskId, terms, RESULT_HASH, RESULT_URI);
        vm.stopPrank();
        // While settling, the push reenters `withdraw`: the lock reverts that call, the receiver swallows it.
        receiver.setReentry(address(market), abi.encodeCall(market.withdraw, (address(0), address(receiver))));
        approveTask(taskId, terms);

        assertTrue(receiver.reentered(), "reentered");
        assertEq(
            receiver.reentryRevertData(),
            abi.encodeWithSelector(Errors.NonReentrant_ReentrantCall.selector),
            "the nested call hit the lock"
        );
        assertEq(address(receiver).balance, payoutOf(REWARD, FEE_BPS), "the payout itself went through");
    }
}
