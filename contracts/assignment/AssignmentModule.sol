// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { SafeERC20 } from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import { IAssignmentModule } from "../interfaces/assignment/IAssignmentModule.sol";
import { Eligibility, IExecutorRegistry } from "../interfaces/IExecutorRegistry.sol";
import { ITaskMarket } from "../interfaces/ITaskMarket.sol";
import { Errors } from "../libraries/Errors.sol";
import { Requirements } from "../types/AssignmentTypes.sol";
import { ExecutorRecord, TaskOptions, TaskStatus, TaskTerms } from "../types/TaskTypes.sol";

/// @title AssignmentModule
/// @notice See {IAssignmentModule}. Holds the checks every way of giving out a task shares: the task names this
/// module with the given configuration, the executor is eligible and passes the reputation gate, the dependencies are
/// met; and the hand-over to the market with the claim bond.
abstract contract AssignmentModule is IAssignmentModule {
    using SafeERC20 for IERC20;

    uint256 internal constant BPS = 10_000;

    /// @inheritdoc IAssignmentModule
    uint256 public constant override MAX_DEPENDENCIES = 8;

    /// @inheritdoc IAssignmentModule
    ITaskMarket public immutable override market;

    constructor(ITaskMarket market_) {
        if (address(market_) == address(0)) revert Errors.AssignmentModule_ZeroAddress();
        market = market_;
    }

    /// @inheritdoc IAssignmentModule
    function meetsGate(address executor, Requirements calldata requirements) public view override returns (bool) {
        ExecutorRecord memory record = market.executorRecordOf(executor);
        if (record.completed < requirements.minCompleted) return false;
        uint256 disputes = uint256(record.disputesWon) + record.disputesLost;
        return
            disputes == 0 || uint256(record.disputesLost) * BPS <= uint256(requirements.maxDisputesLostBps) * disputes;
    }

    /// @inheritdoc IAssignmentModule
    function dependenciesMet(Requirements calldata requirements) public view override returns (bool) {
        uint256[] calldata dependencies = requirements.dependencies;
        for (uint256 i = 0; i < dependencies.length; ++i) {
            TaskStatus status = market.statusOf(dependencies[i]);
            if (status != TaskStatus.Verified && status != TaskStatus.Settled) return false;
        }
        return true;
    }

    /// @notice Cancels an open task one of whose dependencies was cancelled or expired, refunding its poster. Anyone
    /// may call it: the task can never be given out.
    /// @param index The position of the failed dependency in `requirements.dependencies`.
    function _cancelForFailedDependency(
        uint256 taskId,
        TaskTerms calldata terms,
        Requirements calldata requirements,
        uint256 index
    ) internal {
        uint256 dependency = requirements.dependencies[index];
        TaskStatus status = market.statusOf(dependency);
        if (status != TaskStatus.Cancelled && status != TaskStatus.Expired) {
            revert Errors.AssignmentModule_DependencyNotFailed(taskId, dependency, status);
        }
        emit DependencyFailed(taskId, dependency);
        market.cancel(taskId, terms);
    }

    /// @dev Checks that the task exists with these terms, names this module as its assigner and commits to
    /// `configHash`. The market checks the terms again on every call the module makes.
    function _checkTask(uint256 taskId, TaskTerms calldata terms, bytes32 configHash) internal view {
        if (!market.matchesTerms(taskId, terms)) revert Errors.AssignmentModule_TermsMismatch(taskId);
        TaskOptions memory options = market.optionsOf(taskId);
        if (options.assigner != address(this)) revert Errors.AssignmentModule_NotAssigner(taskId, options.assigner);
        if (options.assignerConfigHash != configHash) {
            revert Errors.AssignmentModule_ConfigMismatch(taskId, options.assignerConfigHash, configHash);
        }
    }

    /// @dev Checks the shape of a configuration's requirements for task `taskId`: at most `MAX_DEPENDENCIES`
    /// dependencies, strictly ascending and all earlier than the task, which makes cycles impossible.
    function _checkRequirements(uint256 taskId, Requirements calldata requirements) internal pure {
        uint256[] calldata dependencies = requirements.dependencies;
        if (dependencies.length > MAX_DEPENDENCIES) {
            revert Errors.AssignmentModule_TooManyDependencies(dependencies.length, MAX_DEPENDENCIES);
        }
        if (requirements.maxDisputesLostBps > BPS) {
            revert Errors.AssignmentModule_InvalidShare(requirements.maxDisputesLostBps);
        }
        uint256 previous;
        for (uint256 i = 0; i < dependencies.length; ++i) {
            uint256 dependency = dependencies[i];
            if (dependency <= previous || dependency >= taskId) {
                revert Errors.AssignmentModule_InvalidDependency(taskId, dependency);
            }
            previous = dependency;
        }
    }

    /// @dev Checks that `executor` may be given the task now, as the market will check it at the assignment (but a
    /// record or a registration can change in between): not a party nor an agent operated by one, offering the task's
    /// capabilities, registered, active and of the task's kind, and through the reputation gate.
    function _checkCandidate(
        uint256 taskId,
        TaskTerms calldata terms,
        Requirements calldata requirements,
        address executor,
        bytes32[] calldata capabilities
    ) internal view {
        if (_isParty(terms, executor)) revert Errors.AssignmentModule_CandidateIsParty(taskId, executor);
        _checkCapabilityList(taskId, terms, capabilities);
        IExecutorRegistry registry = market.executorRegistry();
        Eligibility eligibility = registry.eligibilityOf(executor, terms.executorKind, capabilities);
        if (eligibility != Eligibility.Eligible) {
            revert Errors.AssignmentModule_NotEligible(taskId, executor, eligibility);
        }
        // An agent answers to its operator: the poster or the verifier must not take the task through one.
        if (_isParty(terms, registry.operatorOf(executor))) {
            revert Errors.AssignmentModule_CandidateIsParty(taskId, executor);
        }
        if (!meetsGate(executor, requirements)) revert Errors.AssignmentModule_GateNotMet(taskId, executor);
    }

    /// @dev The non-reverting form of {_checkCandidate}, for a caller that checked the capability list once with
    /// {_checkCapabilityList} and skips the candidates that fail rather than reverting. Kept beside it so that the two
    /// cannot drift apart: a candidate that passes cannot make the market's `assign` revert.
    function _isCandidate(
        TaskTerms calldata terms,
        Requirements calldata requirements,
        address executor,
        bytes32[] calldata capabilities,
        IExecutorRegistry registry
    ) internal view returns (bool) {
        if (_isParty(terms, executor) || _isParty(terms, registry.operatorOf(executor))) return false;
        if (registry.eligibilityOf(executor, terms.executorKind, capabilities) != Eligibility.Eligible) return false;
        return meetsGate(executor, requirements);
    }

    /// @dev Checks that `capabilities` is the task's list: the registry's answer is about the list it is given.
    function _checkCapabilityList(
        uint256 taskId,
        TaskTerms calldata terms,
        bytes32[] calldata capabilities
    ) internal pure {
        bytes32 capabilitiesHash = keccak256(abi.encodePacked(capabilities));
        if (capabilitiesHash != terms.capabilitiesHash) {
            revert Errors.AssignmentModule_CapabilitiesMismatch(taskId, terms.capabilitiesHash, capabilitiesHash);
        }
    }

    /// @dev Whether `account` is the task's poster or verifier (zero is neither: an executor without an operator).
    function _isParty(TaskTerms calldata terms, address account) internal pure returns (bool) {
        return account != address(0) && (account == terms.poster || account == terms.verifier);
    }

    /// @dev The price the task pays now: its reward, or the lower price of its first assignment, which is the task's
    /// price for good (the market takes only that price afterwards).
    function _currentPrice(uint256 taskId, TaskTerms calldata terms) internal view returns (uint256) {
        return terms.reward - market.fundingOf(taskId).released;
    }

    /// @dev Gives the task to `executor` at `price`, paying the claim bond this module holds for it, after checking
    /// the dependencies (and emitting {DependenciesMet} when there are any).
    function _assign(
        uint256 taskId,
        TaskTerms calldata terms,
        Requirements calldata requirements,
        address executor,
        uint256 price,
        bytes32[] calldata capabilities
    ) internal {
        if (requirements.dependencies.length != 0) {
            if (!dependenciesMet(requirements)) revert Errors.AssignmentModule_DependenciesNotMet(taskId);
            emit DependenciesMet(taskId, requirements.dependencies);
        }
        if (terms.token == address(0)) {
            market.assign{ value: terms.claimBond }(taskId, terms, executor, price, capabilities);
        } else {
            if (terms.claimBond != 0) IERC20(terms.token).forceApprove(address(market), terms.claimBond);
            market.assign(taskId, terms, executor, price, capabilities);
        }
    }

    /// @dev Takes a deposit of `amount` of the task's token (ETH in `msg.value`) from the caller, checking that exactly
    /// that much arrived.
    function _takeDeposit(TaskTerms calldata terms, uint256 amount) internal {
        if (terms.token == address(0)) {
            if (msg.value != amount) revert Errors.AssignmentModule_IncorrectPayment(amount, msg.value);
            return;
        }
        if (msg.value != 0) revert Errors.AssignmentModule_IncorrectPayment(0, msg.value);
        if (amount == 0) return;
        IERC20 token = IERC20(terms.token);
        uint256 balanceBefore = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = token.balanceOf(address(this)) - balanceBefore;
        if (received != amount) revert Errors.AssignmentModule_TokenTransferShortfall(address(token), amount, received);
    }
}
