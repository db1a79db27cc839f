// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ExecutorKind, PermitSignature, TaskTerms } from "../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../Base.t.sol";
import { MockERC20 } from "../mocks/MockERC20.sol";

/// @notice Helpers shared by the attack tests: terms for any poster and token, contract executors, amounts.
abstract contract Attack_Base is Base_Test {
    bytes32 internal constant ATTACK_RESULT_HASH = keccak256("attack result");
    bytes32 internal constant PERMIT_STRUCT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );

    /// @dev The default terms, posted by `taskPoster` and paid in `rewardToken`.
    function termsOf(address taskPoster, address rewardToken) internal view returns (TaskTerms memory terms) {
        terms = defaultTerms(rewardToken);
        terms.poster = taskPoster;
    }

    /// @dev Registers `account` (an EOA or a contract) as a human executor without capabilities.
    function registerAsHuman(address account) internal {
        vm.prank(account);
        registry.register(ExecutorKind.Human, address(0), noCapabilities(), "ipfs://attack-profile");
    }

    /// @dev Creates `terms` as its poster, first giving the poster the reward and an allowance for a token task.
    function fundAndCreate(TaskTerms memory terms) internal returns (uint256 taskId) {
        if (terms.token == address(0)) {
            vm.deal(terms.poster, terms.poster.balance + terms.reward);
        } else {
            MockERC20(terms.token).mint(terms.poster, terms.reward);
            vm.prank(terms.poster);
            MockERC20(terms.token).approve(address(market), type(uint256).max);
        }
        taskId = createTask(terms);
    }

    /// @dev Gives `executor` the claim bond (and an allowance for a token task), then claims.
    function fundAndClaim(uint256 taskId, TaskTerms memory terms, address executor) internal {
        if (terms.token == address(0)) {
            vm.deal(executor, executor.balance + terms.claimBond);
        } else {
            MockERC20(terms.token).mint(executor, terms.claimBond);
            vm.prank(executor);
            MockERC20(terms.token).approve(address(market), type(uint256).max);
        }
        claimTask(taskId, terms, executor);
    }

    function warpPastReview(uint256 taskId) internal {
        vm.warp(uint256(market.stateOf(taskId).reviewDeadline) + 1);
    }

    function warpPastExecution(uint256 taskId) internal {
        vm.warp(uint256(market.stateOf(taskId).executionDeadline) + 1);
    }

    function expectedFee(TaskTerms memory terms) internal pure returns (uint256) {
        return (uint256(terms.reward) * terms.feeBps) / 10_000;
    }

    function expectedPayout(TaskTerms memory terms) internal pure returns (uint256) {
        return terms.reward - expectedFee(terms);
    }

    /// @dev Signs an ERC-2612 permit of the owner of `privateKey` for the market over `permitToken`.
    function signMarketPermit(
        uint256 privateKey,
        MockERC20 permitToken,
        uint256 value,
        uint256 deadline
    ) internal view returns (PermitSignature memory permit) {
        address permitOwner = vm.addr(privateKey);
        bytes32 structHash = keccak256(
            abi.encode(
                PERMIT_STRUCT_TYPEHASH,
                permitOwner,
                address(market),
                value,
                permitToken.nonces(permitOwner),
                deadline
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", permitToken.DOMAIN_SEPARATOR(), structHash));
        (permit.v, permit.r, permit.s) = vm.sign(privateKey, digest);
        permit.deadline = deadline;
    }
}
