// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { TaskMarket } from "../../../../contracts/TaskMarket.sol";
import { ExecutorKind, TaskOptions, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { MockAssigner } from "../../mocks/MockAssigner.sol";
import { MockERC20 } from "../../mocks/MockERC20.sol";
import { SwarmActors, SwarmStore } from "../stores/SwarmStore.sol";
import { SwarmBase } from "./SwarmBase.sol";

/// @notice Drives random swarms: parents in ETH and an ERC-20 with subtask budgets (some given out by a mock
/// assigner, some reviewed by a delegated verifier with a fee), claims and assignments (first ones at a lowered
/// price), subtasks and nested subtasks created by the executors within what is left of their budgets, and every way a
/// task ends — approval, rejection, a split, release after the review window, cancellation (by the poster or the
/// assigner), cancellation by consent, expiry — while time passes. It also tries what must fail: claiming a task that
/// has an assigner, cancelling as a stranger, re-assigning at another price, a subtask beyond the budget or in another
/// token, and submitting a parent whose subtasks are open.
contract SwarmHandler is SwarmBase {
    uint256 internal constant MAX_PARENTS = 8;
    uint256 internal constant MAX_TASKS = 32;
    /// @dev Parents are at depth 0; subtasks may nest down to this depth.
    uint256 internal constant MAX_DEPTH = 2;

    uint256 internal _parentCount;

    constructor(
        TaskMarket market_,
        MockERC20 token_,
        MockAssigner assigner_,
        SwarmStore store_,
        SwarmActors memory actors
    ) SwarmBase(market_, token_, assigner_, store_, actors) {}

    /*//////////////////////////////////////////////////////////////
                               ENTRY POINTS
    //////////////////////////////////////////////////////////////*/

    function createParent(uint256 posterSeed, uint256 rewardSeed, uint256 budgetSeed, uint256 optionsSeed) external {
        _sync();
        if (_parentCount >= MAX_PARENTS || store.taskCount() >= MAX_TASKS) return;
        uint256 o = uint256(keccak256(abi.encode(optionsSeed, "parent")));
        TaskTerms memory terms = _draftTerms(_posters[posterSeed % 2], o % 2 == 0 ? address(0) : address(token), o);
        // One reward in eight is a few units, to exercise the rounding of fees and splits.
        terms.reward = uint128((o >> 8) % 8 == 0 ? bound(rewardSeed, 1, 1_000) : bound(rewardSeed, 1e12, 100 ether));
        if ((o >> 16) % 2 == 0) {
            terms.verifier = _verifier;
            terms.verifierFee = (o >> 24) % 3 == 0 ? 0 : uint128(bound(o >> 32, 1, terms.reward));
            terms.verifierConfigHash = keccak256("swarm verifier config");
        }
        TaskOptions memory options;
        options.subtaskBudget = (o >> 96) % 6 == 0 ? 0 : uint96(bound(budgetSeed, 1, terms.reward));
        if ((o >> 104) % 3 == 0) {
            options.assigner = address(assigner);
            options.assignerConfigHash = keccak256("swarm assigner config");
        }
        _parentCount += 1;
        _createParent(terms, options);
    }

    function claim(uint256 taskSeed, uint256 executorSeed) external {
        _sync();
        // One try in six is a claim of a task given out by its assigner, which must fail.
        bool withAssigner = executorSeed % 6 == 0;
        (bool found, uint256 taskId) = _pick(taskSeed, _only(TaskStatus.Posted), withAssigner ? 1 : 2);
        if (found) _claim(taskId, _pickExecutor(executorSeed >> 8, _model(taskId).terms));
    }

    function assign(uint256 taskSeed, uint256 executorSeed, uint256 priceSeed) external {
        _sync();
        (bool found, uint256 taskId) = _pick(taskSeed, _only(TaskStatus.Posted), 1);
        if (!found) return;
        SwarmStore.TaskModel memory t = _model(taskId);
        uint256 currentPrice = uint256(t.terms.reward) - t.released;
        uint256 price;
        bool valid = true;
        uint256 kind = priceSeed % 8;
        if (kind == 0) {
            (price, valid) = (0, false);
        } else if (kind == 1) {
            (price, valid) = (currentPrice + 1, false);
        } else if (t.executor != address(0) || kind < 4) {
            price = currentPrice;
            // Once assigned, the price is fixed: one try in two lowers it anyway, and must fail.
            if (t.executor != address(0) && kind >= 6 && currentPrice > 1) {
                (price, valid) = (bound(priceSeed >> 8, 1, currentPrice - 1), false);
            }
        } else {
            price = bound(priceSeed >> 8, 1, currentPrice);
        }
        _assign(taskId, _pickExecutor(executorSeed, t.terms), price, valid);
    }

    function createSubtask(uint256 taskSeed, uint256 rewardSeed, uint256 optionsSeed) external {
        _sync();
        (bool found, uint256 parentId) = _pick(taskSeed, _working(), 3);
        if (found) _draftSubtask(parentId, rewardSeed, uint256(keccak256(abi.encode(optionsSeed, "subtask"))));
    }

    function submit(uint256 taskSeed, uint256 choiceSeed) external {
        _sync();
        (bool found, uint256 taskId) = _pick(taskSeed, _working(), 0);
        if (!found) return;
        if (choiceSeed % 3 == 0 && _model(taskId).terms.verifier != address(0)) _submitVerified(taskId);
        else _submit(taskId);
    }

    function decide(uint256 taskSeed, uint256 choiceSeed) external {
        _sync();
        (bool found, uint256 taskId) = _pick(taskSeed, _only(TaskStatus.Submitted), 0);
        if (found) _decideOn(taskId, choiceSeed);
    }

    function cancel(uint256 taskSeed, uint256 callerSeed) external {
        _sync();
        (bool found, uint256 taskId) = _pick(taskSeed, _only(TaskStatus.Posted), 0);
        if (!found) return;
        SwarmStore.TaskModel memory t = _model(taskId);
        // Half the tries are by a stranger (or the executor of another task), and must fail.
        uint256 choice = callerSeed % 4;
        if (choice == 0) _cancel(taskId, _stranger, false);
        else if (choice == 1) _cancel(taskId, _pickExecutor(callerSeed >> 2, t.terms), false);
        else if (choice == 2 && t.assigner != address(0)) _cancel(taskId, address(assigner), true);
        else _cancel(taskId, t.terms.poster, true);
    }

    /// @notice One time in three both parties consent and the task is cancelled; otherwise only the poster consents,
    /// which moves nothing and leaves the task running.
    function consentToCancel(uint256 taskSeed, uint256 choiceSeed) external {
        _sync();
        uint256 mask = _working() | _only(TaskStatus.Submitted);
        (bool found, uint256 taskId) = _pick(taskSeed, mask, 0);
        if (!found) return;
        if (choiceSeed % 3 == 0) _consentToCancel(taskId);
        else _posterConsents(taskId);
    }

    function settleByTime(uint256 taskSeed) external {
        _sync();
        (bool found, uint256 taskId) = _pick(taskSeed, _only(TaskStatus.Verified) | _only(TaskStatus.Expired), 0);
        if (!found) return;
        if (market.statusOf(taskId) == TaskStatus.Verified) _release(taskId);
        else _refundExpired(taskId);
    }

    function withdrawFees(uint256 tokenSeed) external {
        _sync();
        _withdrawFees(tokenSeed % 2 == 0 ? address(0) : address(token));
    }

    function passTime(uint256 secondsSeed) external {
        _sync();
        // Mostly minutes to hours, so that subtasks are created and ended while their parents are worked on; one
        // step in four up to three days, so that claims lapse and tasks expire.
        uint256 longest = secondsSeed % 4 == 0 ? 3 days : 12 hours;
        store.advanceTime(bound(secondsSeed >> 2, 1 minutes, longest));
    }

    /// @notice The natural next step of a random open task, made by the entitled party; for a parent whose subtasks
    /// are open, usually the next step of one of them. Keeps runs of the configured depth reaching subtasks of
    /// subtasks and their settlement.
    function advance(uint256 taskSeed, uint256 choiceSeed) external {
        _sync();
        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = store.taskIdAt((taskSeed + i) % count);
            if (!_model(taskId).ended) {
                _advance(taskId, choiceSeed, 0);
                return;
            }
        }
        // Nothing left open: post a new parent.
        this.createParent(taskSeed, choiceSeed, choiceSeed >> 64, taskSeed >> 64);
    }

    /// @notice The next step of a parent with a budget being worked on: a new subtask, or the next step of one of its
    /// open subtasks.
    function advanceSwarm(uint256 taskSeed, uint256 choiceSeed) external {
        _sync();
        (bool found, uint256 parentId) = _pick(taskSeed, _working(), 3);
        if (!found) return;
        SwarmStore.TaskModel memory p = _model(parentId);
        if (_available(p) != 0 && (p.openSubtasks == 0 || choiceSeed % 3 == 0)) {
            _draftSubtask(parentId, choiceSeed >> 8, uint256(keccak256(abi.encode(choiceSeed, "swarm"))));
        } else {
            _advance(parentId, choiceSeed, 0);
        }
    }

    /// @notice The next step of a random subtask that has not ended.
    function advanceSubtask(uint256 taskSeed, uint256 choiceSeed) external {
        _sync();
        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = store.taskIdAt((taskSeed + i) % count);
            SwarmStore.TaskModel memory t = _model(taskId);
            if (t.parentId != 0 && !t.ended) {
                _advance(taskId, choiceSeed, 0);
                return;
            }
        }
    }

    /*//////////////////////////////////////////////////////////////
                                 STEPS
    //////////////////////////////////////////////////////////////*/

    function _advance(uint256 taskId, uint256 choiceSeed, uint256 hops) private {
        TaskStatus status = market.statusOf(taskId);
        SwarmStore.TaskModel memory t = _model(taskId);
        uint256 choice = choiceSeed % 8;
        // Cancellations are kept rare here, so that most tasks live long enough to delegate and settle.
        bool rarely = (choiceSeed >> 3) % 4 == 0;
        if (status == TaskStatus.Posted) {
            if (choice == 0 && rarely) {
                _cancel(taskId, t.terms.poster, true);
            } else if (t.assigner != address(0)) {
                uint256 currentPrice = uint256(t.terms.reward) - t.released;
                bool lower = t.executor == address(0) && choice >= 5;
                uint256 price = lower ? bound(choiceSeed >> 8, 1, currentPrice) : currentPrice;
                _assign(taskId, _pickExecutor(choiceSeed >> 16, t.terms), price, true);
            } else {
                _claim(taskId, _pickExecutor(choiceSeed >> 16, t.terms));
            }
        } else if (status == TaskStatus.Claimed || status == TaskStatus.InProgress) {
            if (t.openSubtasks != 0 && hops < MAX_DEPTH + 1 && choice < 6) {
                (bool found, uint256 subtaskId) = _openChild(taskId, choiceSeed >> 8);
                if (found) _advance(subtaskId, uint256(keccak256(abi.encode(choiceSeed))), hops + 1);
            } else if (choice < 3 && t.depth < MAX_DEPTH && _available(t) != 0) {
                _draftSubtask(taskId, choiceSeed >> 8, uint256(keccak256(abi.encode(choiceSeed, "advance"))));
            } else if (choice == 3 && rarely) {
                _consentToCancel(taskId);
            } else if (choice == 4 && t.terms.verifier != address(0)) {
                _submitVerified(taskId);
            } else {
                _submit(taskId);
            }
        } else if (status == TaskStatus.Submitted) {
            if (choice < 6) _decideOn(taskId, choiceSeed >> 8);
            else if (choice == 6 && rarely) _consentToCancel(taskId);
            // Otherwise the verifier stays silent, so that some review windows run out.
        } else if (status == TaskStatus.Verified) {
            _release(taskId);
        } else if (status == TaskStatus.Expired) {
            _refundExpired(taskId);
        }
    }

    /// @dev Approve, reject, or (for a delegated verifier) resolve with a random share.
    function _decideOn(uint256 taskId, uint256 choiceSeed) private {
        uint256 choice = choiceSeed % 4;
        bool delegated = _model(taskId).terms.verifier != address(0);
        if (choice == 0) _reject(taskId);
        else if (choice == 1 && delegated) _decide(taskId, bound(choiceSeed >> 8, 0, BPS - 1));
        else _decide(taskId, BPS);
    }

    /// @dev A subtask of `parentId` drafted from the seeds: usually within what is left of the budget; one in eight
    /// beyond it, and one in sixteen in the other token, both of which must be refused.
    function _draftSubtask(uint256 parentId, uint256 rewardSeed, uint256 o) private {
        if (store.taskCount() >= MAX_TASKS) return;
        SwarmStore.TaskModel memory p = _model(parentId);
        if (p.depth >= MAX_DEPTH) return;
        uint256 available = _available(p);
        TaskTerms memory terms = _draftTerms(p.executor, p.terms.token, o);
        TaskOptions memory options;
        bool valid = true;
        if (available == 0 || o % 8 == 0) {
            terms.reward = uint128(available + 1);
            valid = false;
        } else {
            uint256 total = bound(rewardSeed, 1, available);
            if ((o >> 8) % 3 == 0 && total >= 2) {
                terms.verifier = _verifier;
                terms.verifierFee = uint128(bound(o >> 16, 1, total - 1));
                terms.verifierConfigHash = keccak256("swarm verifier config");
            }
            terms.reward = uint128(total - terms.verifierFee);
            if ((o >> 24) % 16 == 0) {
                terms.token = p.terms.token == address(0) ? address(token) : address(0);
                valid = false;
            }
        }
        if ((o >> 32) % 2 == 0 && p.depth + 1 < MAX_DEPTH) {
            options.subtaskBudget = uint96(bound(o >> 40, 1, terms.reward));
        }
        if ((o >> 104) % 4 == 0) options.assigner = address(assigner);
        _createSubtask(parentId, terms, options, valid);
    }

    /// @dev Terms from `o` for `poster` in `tokenAddr`, with a reward to be set and no verifier.
    function _draftTerms(address poster, address tokenAddr, uint256 o) private view returns (TaskTerms memory terms) {
        terms.poster = poster;
        terms.token = tokenAddr;
        terms.reward = 1;
        terms.claimBond = (o >> 40) % 4 == 0 ? 0 : uint128(bound(o >> 48, 1, 1 ether));
        terms.claimDeadline = uint40(block.timestamp + bound(o >> 64, 1 hours, 8 days));
        terms.executionWindow = uint32(bound(o >> 80, 1 hours, 3 days));
        terms.reviewWindow = uint32(bound(o >> 88, 1 hours, 2 days));
        terms.feeBps = market.protocolFeeBps();
        terms.executorKind = ExecutorKind.Any;
        terms.capabilitiesHash = keccak256(abi.encodePacked(_noCapabilities()));
        terms.documentHash = keccak256(abi.encode("swarm task", store.taskCount(), o));
    }

    /*//////////////////////////////////////////////////////////////
                                PICKING
    //////////////////////////////////////////////////////////////*/

    /// @dev A task whose derived status is in `statusMask`, scanning from a random start. `filter`: 0 any, 1 with an
    /// assigner, 2 without one, 3 with a subtask budget and room for a subtask below it.
    function _pick(uint256 seed, uint256 statusMask, uint256 filter) private view returns (bool, uint256) {
        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = store.taskIdAt((seed + i) % count);
            if (statusMask & (1 << uint256(market.statusOf(taskId))) == 0) continue;
            SwarmStore.TaskModel memory t = _model(taskId);
            if (t.ended) continue;
            if (filter == 1 && t.assigner == address(0)) continue;
            if (filter == 2 && t.assigner != address(0)) continue;
            if (filter == 3 && (t.budget == 0 || t.depth >= MAX_DEPTH)) continue;
            return (true, taskId);
        }
        return (false, 0);
    }

    function _openChild(uint256 parentId, uint256 seed) private view returns (bool, uint256) {
        uint256[] memory children = store.childrenOf(parentId);
        for (uint256 i = 0; i < children.length; ++i) {
            uint256 childId = children[(seed + i) % children.length];
            if (!_model(childId).ended) return (true, childId);
        }
        return (false, 0);
    }

    /// @dev An executor that is not the task's poster (the verifier is not an executor).
    function _pickExecutor(uint256 seed, TaskTerms memory terms) private view returns (address executor) {
        executor = _executors[seed % 4];
        if (executor == terms.poster) executor = _executors[(seed + 1) % 4];
    }

    function _only(TaskStatus status) private pure returns (uint256) {
        return 1 << uint256(status);
    }

    function _working() private pure returns (uint256) {
        return _only(TaskStatus.Claimed) | _only(TaskStatus.InProgress);
    }

    function _sync() private {
        vm.warp(store.currentTime());
        store.countHandlerCall();
    }
}
