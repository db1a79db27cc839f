// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IERC20Errors } from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import { Pausable } from "@openzeppelin/contracts/utils/Pausable.sol";

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { PermitSignature, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

contract CreateTaskWithPermit_Unit_Test is Base_Test {
    address internal signer;
    uint256 internal signerKey;

    function setUp() public override {
        super.setUp();
        // A poster that never approved the market: only a permit can fund its tasks.
        (signer, signerKey) = makeAddrAndKey("permitSigner");
        token.mint(signer, 100 ether);
        vm.deal(signer, 1 ether);
    }

    function signerTerms() private view returns (TaskTerms memory terms) {
        terms = tokenTerms();
        terms.poster = signer;
    }

    function validPermit(TaskTerms memory terms) private view returns (PermitSignature memory) {
        return signPermit(signerKey, token, address(market), terms.reward, block.timestamp + 1 hours);
    }

    function createWithPermit(TaskTerms memory terms, PermitSignature memory permit) private returns (uint256) {
        vm.prank(signer);
        return market.createTaskWithPermit(terms, noCapabilities(), DOCUMENT_URI, permit);
    }

    function test_RevertWhen_Paused() external {
        vm.prank(owner);
        market.pause();
        TaskTerms memory terms = signerTerms();
        PermitSignature memory permit = validPermit(terms);
        vm.expectRevert(Pausable.EnforcedPause.selector);
        createWithPermit(terms, permit);
    }

    function test_RevertWhen_TokenIsEth() external {
        TaskTerms memory terms = ethTerms();
        terms.poster = signer;
        PermitSignature memory permit = validPermit(terms);
        vm.expectRevert(ITaskMarket.TaskMarket_PermitNeedsToken.selector);
        createWithPermit(terms, permit);
    }

    function test_WhenPermitValid_ItShouldCreateWithoutPriorApproval() external {
        TaskTerms memory terms = signerTerms();
        PermitSignature memory permit = validPermit(terms);
        assertEq(token.allowance(signer, address(market)), 0, "no allowance before");

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCreated(1, signer, address(token), terms, noCapabilities(), DOCUMENT_URI);
        uint256 taskId = createWithPermit(terms, permit);

        assertStatus(taskId, TaskStatus.Posted);
        assertTrue(market.matchesTerms(taskId, terms), "matchesTerms");
        assertEq(token.balanceOf(address(market)), REWARD, "market balance");
        assertEq(token.balanceOf(signer), 100 ether - REWARD, "signer balance");
        assertEq(token.nonces(signer), 1, "the permit was used");
        assertEq(token.allowance(signer, address(market)), 0, "the permitted allowance was spent");
    }

    function test_WhenPermitFrontRun_ItShouldStillCreate() external {
        TaskTerms memory terms = signerTerms();
        PermitSignature memory permit = validPermit(terms);
        // Someone copies the permit from the mempool and submits it first: the nonce is consumed, the allowance set.
        vm.prank(stranger);
        token.permit(signer, address(market), terms.reward, permit.deadline, permit.v, permit.r, permit.s);

        uint256 taskId = createWithPermit(terms, permit);

        assertStatus(taskId, TaskStatus.Posted);
        assertEq(token.balanceOf(address(market)), REWARD, "market balance");
        assertEq(token.nonces(signer), 1, "the permit was used once");
    }

    function test_WhenPermitInvalidButAllowanceInPlace_ItShouldCreate() external {
        vm.prank(signer);
        token.approve(address(market), REWARD);
        TaskTerms memory terms = signerTerms();
        PermitSignature memory garbage = PermitSignature({
            deadline: block.timestamp + 1,
            v: 27,
            r: bytes32(uint256(1)),
            s: bytes32(uint256(2))
        });

        uint256 taskId = createWithPermit(terms, garbage);

        assertStatus(taskId, TaskStatus.Posted);
        assertEq(token.balanceOf(address(market)), REWARD, "market balance");
        assertEq(token.nonces(signer), 0, "no permit was used");
    }

    function test_RevertWhen_PermitInvalidAndNoAllowance() external {
        TaskTerms memory terms = signerTerms();
        // Signed by the wrong key.
        PermitSignature memory permit = signPermit(
            uint256(keccak256("not the signer")),
            token,
            address(market),
            terms.reward,
            block.timestamp + 1 hours
        );
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(market), 0, REWARD)
        );
        createWithPermit(terms, permit);
    }

    function test_RevertWhen_PermitExpiredAndNoAllowance() external {
        TaskTerms memory terms = signerTerms();
        PermitSignature memory permit = signPermit(
            signerKey,
            token,
            address(market),
            terms.reward,
            block.timestamp - 1
        );
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(market), 0, REWARD)
        );
        createWithPermit(terms, permit);
    }

    function test_RevertWhen_PermitForLessThanReward() external {
        TaskTerms memory terms = signerTerms();
        // The market asks the token for a permit of exactly the reward: a signature over a smaller value fails.
        PermitSignature memory permit = signPermit(
            signerKey,
            token,
            address(market),
            terms.reward - 1,
            block.timestamp + 1 hours
        );
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(market), 0, REWARD)
        );
        createWithPermit(terms, permit);
    }

    function test_RevertWhen_SubmittedBySomeoneElse() external {
        // A relayer cannot use the signer's permit to post on its behalf: the poster must be the sender.
        TaskTerms memory terms = signerTerms();
        PermitSignature memory permit = validPermit(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_PosterNotSender.selector, signer, stranger));
        vm.prank(stranger);
        market.createTaskWithPermit(terms, noCapabilities(), DOCUMENT_URI, permit);
    }

    function test_RevertWhen_TermsInvalid() external {
        // The same validation as `createTask` applies.
        TaskTerms memory terms = signerTerms();
        terms.feeBps = FEE_BPS + 1;
        PermitSignature memory permit = validPermit(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_FeeMismatch.selector, FEE_BPS, FEE_BPS + 1));
        createWithPermit(terms, permit);
    }
}
