// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IERC20Errors } from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import { Errors } from "../../../contracts/libraries/Errors.sol";
import { PermitSignature, TaskStatus, TaskTerms } from "../../../contracts/types/TaskTypes.sol";
import { Attack_Base } from "./AttackBase.sol";

/// @notice Transactions seen in the mempool and copied or raced by someone else.
contract FrontRunning_Attack_Test is Attack_Base {
    address internal signer;
    uint256 internal signerKey;

    function setUp() public override {
        super.setUp();
        (signer, signerKey) = makeAddrAndKey("permitSigner");
        token.mint(signer, 10 * REWARD);
    }

    /*//////////////////////////////////////////////////////////////
                                CLAIM
    //////////////////////////////////////////////////////////////*/

    /// Two executors race for the same task; the first transaction mined wins and the second reverts, naming the
    /// state it found, without taking its bond. Defence: `claim` requires the status `Posted`.
    function test_FrontRunClaim_SecondClaimantRevertsAndFirstKeepsTheClaim() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        claimTask(taskId, terms, agent);
        uint256 humanBalance = human.balance;

        vm.prank(human);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Claimed));
        market.claim{ value: BOND }(taskId, terms, noCapabilities());

        assertEq(market.stateOf(taskId).executor, agent, "the first claimant keeps the claim");
        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.Claimed));
        assertEq(human.balance, humanBalance, "the second claimant keeps its bond");
        assertEq(address(market).balance, REWARD + BOND, "one reward and one bond held");
    }

    /*//////////////////////////////////////////////////////////////
                                PERMIT
    //////////////////////////////////////////////////////////////*/

    /// An attacker copies the poster's permit from the mempool and submits it first, consuming its nonce. The
    /// poster's transaction must still go through: the allowance the permit set is in place.
    /// Defence: `createTaskWithPermit` wraps the permit call in try/catch.
    function test_CopiedPermitConsumedByAttacker_CreateTaskWithPermitStillSucceeds() external {
        TaskTerms memory terms = termsOf(signer, address(token));
        PermitSignature memory permit = signMarketPermit(signerKey, token, REWARD, block.timestamp + 1 hours);

        vm.prank(stranger);
        token.permit(signer, address(market), REWARD, permit.deadline, permit.v, permit.r, permit.s);
        assertEq(token.nonces(signer), 1, "the permit was consumed by the attacker");

        vm.prank(signer);
        uint256 taskId = market.createTaskWithPermit(terms, noCapabilities(), DOCUMENT_URI, permit);

        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.Posted), "the task exists");
        assertEq(token.balanceOf(address(market)), REWARD, "and is funded");
        assertEq(token.allowance(signer, address(market)), 0, "the allowance was used exactly");
    }

    /// A permit that fails and leaves no allowance behind cannot produce an unfunded task.
    /// Defence: the reward is still pulled by allowance after the ignored permit.
    function test_InvalidPermitWithoutAllowance_RevertsAndCreatesNothing() external {
        TaskTerms memory terms = termsOf(signer, address(token));
        // Signed by someone else's key: invalid for `signer`.
        (, uint256 otherKey) = makeAddrAndKey("notTheSigner");
        PermitSignature memory permit = signMarketPermit(otherKey, token, REWARD, block.timestamp + 1 hours);

        vm.prank(signer);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(market), 0, REWARD)
        );
        market.createTaskWithPermit(terms, noCapabilities(), DOCUMENT_URI, permit);
        assertEq(market.nextTaskId(), 1, "nothing created");
    }

    /// An attacker who copies a poster's permit cannot use it to fund a task of its own from the poster's balance.
    /// Defence: the permit is applied with `msg.sender` as its owner, and the poster must be `msg.sender`.
    function test_CopiedPermit_CannotFundTheAttackersTask() external {
        PermitSignature memory permit = signMarketPermit(signerKey, token, REWARD, block.timestamp + 1 hours);
        uint256 signerBalance = token.balanceOf(signer);

        // As its own poster: the permit does not apply to the attacker, which has no allowance of its own.
        address attacker = makeAddr("attacker");
        TaskTerms memory attackerTerms = termsOf(attacker, address(token));
        vm.prank(attacker);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(market), 0, REWARD)
        );
        market.createTaskWithPermit(attackerTerms, noCapabilities(), DOCUMENT_URI, permit);

        // In the poster's name: refused outright.
        TaskTerms memory signerTerms = termsOf(signer, address(token));
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_PosterNotSender.selector, signer, attacker));
        market.createTaskWithPermit(signerTerms, noCapabilities(), DOCUMENT_URI, permit);

        assertEq(token.balanceOf(signer), signerBalance, "the poster's funds did not move");
        assertEq(token.nonces(signer), 0, "the permit is still unused");
    }

    /*//////////////////////////////////////////////////////////////
                                TERMS
    //////////////////////////////////////////////////////////////*/

    /// Someone who races the poster with altered terms (a bigger bond, a shorter window) for the same task id gets
    /// nowhere: every call that takes terms checks them against the stored commitment.
    /// Defence: the terms digest stored at creation.
    function test_AlteredTerms_AreRejectedByEveryCallThatTakesThem() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        TaskTerms memory altered = ethTerms();
        altered.claimBond = 0;

        vm.prank(human);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        market.claim(taskId, altered, noCapabilities());

        vm.prank(poster);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        market.cancel(taskId, altered);
        assertEq(uint8(market.statusOf(taskId)), uint8(TaskStatus.Posted), "untouched");
    }
}
