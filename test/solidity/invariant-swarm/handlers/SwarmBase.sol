// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { CommonBase } from "forge-std/Base.sol";
import { StdCheats } from "forge-std/StdCheats.sol";
import { StdUtils } from "forge-std/StdUtils.sol";

import { TaskMarket } from "../../../../contracts/TaskMarket.sol";
import { TaskOptions, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { MockAssigner } from "../../mocks/MockAssigner.sol";
import { MockERC20 } from "../../mocks/MockERC20.sol";
import { SwarmActors, SwarmStore } from "../stores/SwarmStore.sol";

/// @notice The model of the swarm runs and the calls that act on the market through it, shared by the handler (random
/// calls) and the drainer (the final calls that end every task).
/// @dev Every call is measured at all the accounts (balance plus credit) and at the accrued fees, and compared with
/// what the model says it must move; the model's escrow of each task and its parent's funding are updated from the
/// documented rules only. Findings are recorded in the store, never reverted: a reverting handler call would be
/// discarded silently.
abstract contract SwarmBase is CommonBase, StdCheats, StdUtils {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant ACCOUNT_COUNT = 9;
    string internal constant URI = "ipfs://swarm";
    bytes32 internal constant RESULT_HASH = keccak256("swarm result");

    /// @dev What one call moved, as measured, and what the model expects it to move.
    struct Flow {
        address token;
        uint256[ACCOUNT_COUNT] balances;
        uint256[ACCOUNT_COUNT] credits;
        uint256 fees;
        int256[ACCOUNT_COUNT] expected;
        uint256 feeTaken;
        uint256 feesPaid;
        bool untracked;
    }

    TaskMarket public immutable market;
    MockERC20 public immutable token;
    MockAssigner public immutable assigner;
    SwarmStore public immutable store;

    address[2] internal _posters;
    address[4] internal _executors;
    address internal _verifier;
    address internal _feeRecipient;
    address internal _stranger;
    /// @dev Every account value may reach: posters, executors (the coordinators of subtasks), the verifier, the
    /// assigner (which pays bonds) and the fee recipient.
    address[ACCOUNT_COUNT] internal _accounts;

    constructor(
        TaskMarket market_,
        MockERC20 token_,
        MockAssigner assigner_,
        SwarmStore store_,
        SwarmActors memory actors
    ) {
        market = market_;
        token = token_;
        assigner = assigner_;
        store = store_;
        _posters = actors.posters;
        _executors = actors.executors;
        _verifier = actors.verifier;
        _feeRecipient = actors.feeRecipient;
        _stranger = actors.stranger;
        _accounts = [
            actors.posters[0],
            actors.posters[1],
            actors.executors[0],
            actors.executors[1],
            actors.executors[2],
            actors.executors[3],
            actors.verifier,
            address(assigner_),
            actors.feeRecipient
        ];
    }

    function accounts() external view returns (address[ACCOUNT_COUNT] memory) {
        return _accounts;
    }

    /*//////////////////////////////////////////////////////////////
                               MEASURING
    //////////////////////////////////////////////////////////////*/

    function _begin(address tokenAddr) internal view returns (Flow memory f) {
        f.token = tokenAddr;
        for (uint256 i = 0; i < ACCOUNT_COUNT; ++i) {
            f.balances[i] = _balanceOf(tokenAddr, _accounts[i]);
            f.credits[i] = market.creditOf(_accounts[i], tokenAddr);
        }
        f.fees = market.accruedFeesOf(tokenAddr);
    }

    function _pay(Flow memory f, address to, uint256 amount) internal view {
        if (amount == 0) return;
        (bool found, uint256 index) = _indexOf(to);
        if (!found) f.untracked = true;
        else f.expected[index] += int256(amount);
    }

    function _charge(Flow memory f, address from, uint256 amount) internal view {
        if (amount == 0) return;
        (bool found, uint256 index) = _indexOf(from);
        if (!found) f.untracked = true;
        else f.expected[index] -= int256(amount);
    }

    /// @dev Compares what moved with the model, books it in the ledger and the modelled fees.
    function _end(Flow memory f, uint256 taskId, string memory action) internal {
        if (f.untracked) _violate(SwarmStore.Check.Conservation, taskId, string.concat(action, ": untracked payee"));
        uint256 deposited;
        uint256 paidOut;
        for (uint256 i = 0; i < ACCOUNT_COUNT; ++i) {
            int256 moved =
                int256(_balanceOf(f.token, _accounts[i])) -
                    int256(f.balances[i]) +
                    int256(market.creditOf(_accounts[i], f.token)) -
                    int256(f.credits[i]);
            if (moved != f.expected[i]) {
                _violate(
                    SwarmStore.Check.Conservation,
                    taskId,
                    string.concat(
                        action,
                        ": account ",
                        vm.toString(i),
                        " moved ",
                        vm.toString(moved),
                        " instead of ",
                        vm.toString(f.expected[i])
                    )
                );
            }
            if (moved < 0) deposited += uint256(-moved);
            else paidOut += uint256(moved);
        }
        int256 feesMoved = int256(market.accruedFeesOf(f.token)) - int256(f.fees);
        if (feesMoved != int256(f.feeTaken) - int256(f.feesPaid)) {
            _violate(SwarmStore.Check.Conservation, taskId, string.concat(action, ": accrued fees moved otherwise"));
        }
        store.book(f.token, deposited, paidOut);
        store.setModelFees(f.token, store.modelFees(f.token) + f.feeTaken - f.feesPaid);
        if (taskId != 0 && _model(taskId).parentId != 0) action = string.concat(action, " (subtask)");
        store.countCall(action);
    }

    /*//////////////////////////////////////////////////////////////
                                 MODEL
    //////////////////////////////////////////////////////////////*/

    function _model(uint256 taskId) internal view returns (SwarmStore.TaskModel memory) {
        return store.modelOf(taskId);
    }

    /// @dev The reward the task pays now: the reward, less what was released at assignment and drawn by subtasks.
    function _rewardNow(SwarmStore.TaskModel memory t) internal pure returns (uint256) {
        return uint256(t.terms.reward) - t.released - t.drawn;
    }

    /// @dev What is left of the task's subtask budget.
    function _available(SwarmStore.TaskModel memory t) internal pure returns (uint256) {
        uint256 cap = t.terms.reward - t.released;
        if (t.budget < cap) cap = t.budget;
        return cap > t.drawn ? cap - t.drawn : 0;
    }

    function _unspentVerifierFee(SwarmStore.TaskModel memory t) internal pure returns (uint256) {
        return t.verifierPaid ? 0 : t.terms.verifierFee;
    }

    /// @dev Escrow a task no longer needs: to its poster, or for a subtask to its parent's escrow — to the parent's
    /// poster once the parent has ended. `ended` closes a subtask on its parent.
    function _returnFunds(Flow memory f, SwarmStore.TaskModel memory t, uint256 amount, bool ended) internal {
        if (t.parentId == 0) {
            _pay(f, t.terms.poster, amount);
            return;
        }
        if (ended) {
            SwarmStore.TaskModel memory parent = _model(t.parentId);
            parent.openSubtasks = _sub(parent.openSubtasks, 1, t.parentId, "open subtasks");
            store.setModel(t.parentId, parent);
        }
        if (amount == 0) return;
        // Up the chain: past every parent that has ended, to the first open one's escrow, or to the poster of the
        // first task that is not a subtask. `t` is saved by the caller; the parents passed through are saved here.
        SwarmStore.TaskModel memory child = t;
        uint256 childId;
        while (true) {
            SwarmStore.TaskModel memory p = _model(child.parentId);
            if (!p.ended) {
                p.drawn = _sub(p.drawn, amount, child.parentId, "drawn");
                p.held += amount;
                store.setModel(child.parentId, p);
                child.returnedToEscrow += amount;
                if (childId != 0) store.setModel(childId, child);
                return;
            }
            child.returnedToPoster += amount;
            if (childId != 0) store.setModel(childId, child);
            if (p.parentId == 0) {
                _pay(f, child.parentPoster, amount);
                return;
            }
            childId = child.parentId;
            child = p;
        }
    }

    /// @dev Pays the bond of a claim that lapsed: back to its executor if its last rejection came at or after the
    /// execution deadline, otherwise to the task's poster (a subtask's coordinator).
    function _clearLapsedClaim(Flow memory f, SwarmStore.TaskModel memory t) internal view {
        if (!t.bondHeld) return;
        _pay(f, t.rejectedLate ? t.executor : t.terms.poster, t.terms.claimBond);
        t.bondHeld = false;
    }

    /// @dev A cancellation or an expiry: what is left of the escrow returns.
    function _endWithRefund(Flow memory f, uint256 taskId, SwarmStore.TaskModel memory t) internal {
        uint256 refund = _rewardNow(t) + _unspentVerifierFee(t);
        t.held = _sub(t.held, refund, taskId, "held at a refund");
        t.ended = true;
        _returnFunds(f, t, refund, true);
    }

    /// @dev A settlement of the (single) submission with `shareBps` for the executor.
    function _settle(
        Flow memory f,
        uint256 taskId,
        SwarmStore.TaskModel memory t,
        uint256 shareBps,
        bool byVerifier
    ) internal {
        uint256 amount = _rewardNow(t);
        uint256 gross = shareBps == BPS ? amount : (amount * shareBps) / BPS;
        uint256 fee = (gross * t.terms.feeBps) / BPS;
        uint256 refund = amount - gross;
        uint256 unspent = _unspentVerifierFee(t);
        if (byVerifier) _pay(f, t.terms.verifier, unspent);
        else refund += unspent;
        _pay(f, t.executor, gross - fee + t.terms.claimBond);
        f.feeTaken += fee;
        t.held = _sub(t.held, amount + unspent, taskId, "held at a settlement");
        t.ended = true;
        t.bondHeld = false;
        t.verifierPaid = true;
        _returnFunds(f, t, refund, true);
    }

    function _sub(uint256 a, uint256 b, uint256 taskId, string memory what) internal returns (uint256) {
        if (b <= a) return a - b;
        _violate(SwarmStore.Check.Funding, taskId, string.concat("model underflow of ", what));
        return 0;
    }

    /*//////////////////////////////////////////////////////////////
                                 CALLS
    //////////////////////////////////////////////////////////////*/

    function _createParent(TaskTerms memory terms, TaskOptions memory options) internal {
        uint256 funding = uint256(terms.reward) + terms.verifierFee;
        _fund(terms.token, terms.poster, funding);
        Flow memory f = _begin(terms.token);
        uint256 value = terms.token == address(0) ? funding : 0;
        vm.prank(terms.poster);
        try market.createTaskWithOptions{ value: value }(terms, options, _noCapabilities(), URI) returns (
            uint256 taskId
        ) {
            _charge(f, terms.poster, funding);
            SwarmStore.TaskModel memory t;
            t.terms = terms;
            t.assigner = options.assigner;
            t.budget = options.subtaskBudget;
            t.held = funding;
            t.funded = funding;
            store.addTask(taskId, t);
            _end(f, taskId, "createTaskWithOptions");
        } catch (bytes memory revertData) {
            _violate(SwarmStore.Check.Liveness, 0, "createTaskWithOptions failed", revertData);
        }
    }

    function _claim(uint256 taskId, address executor) internal {
        SwarmStore.TaskModel memory t = _model(taskId);
        _fund(t.terms.token, executor, t.terms.claimBond);
        Flow memory f = _begin(t.terms.token);
        uint256 value = t.terms.token == address(0) ? t.terms.claimBond : 0;
        vm.prank(executor);
        try market.claim{ value: value }(taskId, t.terms, _noCapabilities()) {
            if (t.assigner != address(0)) {
                _violate(SwarmStore.Check.Authority, taskId, "claim of a task with an assigner succeeded");
            }
            _charge(f, executor, t.terms.claimBond);
            _clearLapsedClaim(f, t);
            _startClaim(t, executor);
            store.setModel(taskId, t);
            _end(f, taskId, "claim");
        } catch (bytes memory revertData) {
            if (t.assigner == address(0)) _violate(SwarmStore.Check.Liveness, taskId, "claim failed", revertData);
        }
    }

    /// @dev An assignment by the mock assigner, which pays the bond. `valid` says whether the price is one the market
    /// must accept.
    function _assign(uint256 taskId, address executor, uint256 price, bool valid) internal {
        SwarmStore.TaskModel memory t = _model(taskId);
        _fundAssigner(t.terms.token, t.terms.claimBond);
        Flow memory f = _begin(t.terms.token);
        try assigner.assign(taskId, t.terms, executor, price, _noCapabilities()) {
            if (!valid) _violate(SwarmStore.Check.Authority, taskId, "assign at an invalid price succeeded");
            _charge(f, address(assigner), t.terms.claimBond);
            _clearLapsedClaim(f, t);
            uint256 currentPrice = uint256(t.terms.reward) - t.released;
            if (price < currentPrice) {
                uint256 released = currentPrice - price;
                t.released += released;
                t.held = _sub(t.held, released, taskId, "held at a lowered price");
                _returnFunds(f, t, released, false);
            }
            _startClaim(t, executor);
            store.setModel(taskId, t);
            _end(f, taskId, "assign");
        } catch (bytes memory revertData) {
            if (valid) _violate(SwarmStore.Check.Liveness, taskId, "assign failed", revertData);
        }
    }

    function _startClaim(SwarmStore.TaskModel memory t, address executor) private view {
        t.bondHeld = true;
        t.executor = executor;
        t.executionDeadline = block.timestamp + t.terms.executionWindow;
        t.rejectedLate = false;
    }

    /// @dev A subtask of `parentId` by its executor. `valid` says whether the market must accept it (within what is
    /// left of the budget, in the parent's token).
    function _createSubtask(uint256 parentId, TaskTerms memory terms, TaskOptions memory options, bool valid) internal {
        SwarmStore.TaskModel memory p = _model(parentId);
        uint256 cost = uint256(terms.reward) + terms.verifierFee;
        Flow memory f = _begin(p.terms.token);
        vm.prank(terms.poster);
        try market.createSubtask(parentId, p.terms, terms, options, _noCapabilities(), URI) returns (
            uint256 subtaskId
        ) {
            if (!valid) _violate(SwarmStore.Check.Authority, parentId, "createSubtask beyond the budget succeeded");
            p.drawn += cost;
            p.openSubtasks += 1;
            p.held = _sub(p.held, cost, parentId, "held at a subtask");
            store.setModel(parentId, p);
            SwarmStore.TaskModel memory t;
            t.terms = terms;
            t.assigner = options.assigner;
            t.budget = options.subtaskBudget;
            t.parentId = parentId;
            t.parentPoster = p.terms.poster;
            t.depth = p.depth + 1;
            t.held = cost;
            t.funded = cost;
            store.addTask(subtaskId, t);
            _end(f, subtaskId, "createSubtask");
        } catch (bytes memory revertData) {
            if (valid) _violate(SwarmStore.Check.Liveness, parentId, "createSubtask failed", revertData);
        }
    }

    function _submit(uint256 taskId) internal {
        SwarmStore.TaskModel memory t = _model(taskId);
        Flow memory f = _begin(t.terms.token);
        vm.prank(t.executor);
        try market.submit(taskId, t.terms, RESULT_HASH, URI) {
            if (t.openSubtasks != 0) {
                _violate(SwarmStore.Check.Blocking, taskId, "submit succeeded with open subtasks");
            }
            _end(f, taskId, "submit");
        } catch (bytes memory revertData) {
            if (t.openSubtasks == 0) _violate(SwarmStore.Check.Liveness, taskId, "submit failed", revertData);
            else store.countCall("submit refused: subtasks open");
        }
    }

    function _submitVerified(uint256 taskId) internal {
        SwarmStore.TaskModel memory t = _model(taskId);
        Flow memory f = _begin(t.terms.token);
        vm.prank(t.terms.verifier);
        try market.submitVerified(taskId, t.terms, RESULT_HASH, URI) {
            if (t.openSubtasks != 0) {
                _violate(SwarmStore.Check.Blocking, taskId, "submitVerified succeeded with open subtasks");
            }
            _settle(f, taskId, t, BPS, true);
            store.setModel(taskId, t);
            _end(f, taskId, "submitVerified");
        } catch (bytes memory revertData) {
            if (t.openSubtasks == 0) {
                _violate(SwarmStore.Check.Liveness, taskId, "submitVerified failed", revertData);
            }
        }
    }

    /// @dev The verifier's decision: approve (`shareBps` 10,000) or resolve with a share.
    function _decide(uint256 taskId, uint256 shareBps) internal {
        SwarmStore.TaskModel memory t = _model(taskId);
        Flow memory f = _begin(t.terms.token);
        vm.prank(_verifierOf(t.terms));
        bool resolving = shareBps != BPS;
        bool success;
        bytes memory revertData;
        if (resolving) {
            try market.resolve(taskId, t.terms, uint16(shareBps)) {
                success = true;
            } catch (bytes memory data) {
                revertData = data;
            }
        } else {
            try market.approve(taskId, t.terms) {
                success = true;
            } catch (bytes memory data) {
                revertData = data;
            }
        }
        string memory action = resolving ? "resolve" : "approve";
        if (!success) {
            _violate(SwarmStore.Check.Liveness, taskId, string.concat(action, " failed"), revertData);
            return;
        }
        _settle(f, taskId, t, shareBps, true);
        store.setModel(taskId, t);
        _end(f, taskId, action);
    }

    function _reject(uint256 taskId) internal {
        SwarmStore.TaskModel memory t = _model(taskId);
        Flow memory f = _begin(t.terms.token);
        vm.prank(_verifierOf(t.terms));
        try market.reject(taskId, t.terms, keccak256("swarm rejection")) {
            uint256 fee = _unspentVerifierFee(t);
            _pay(f, t.terms.verifier, fee);
            t.held = _sub(t.held, fee, taskId, "held at a rejection");
            t.verifierPaid = true;
            if (block.timestamp >= t.executionDeadline) t.rejectedLate = true;
            store.setModel(taskId, t);
            _end(f, taskId, "reject");
        } catch (bytes memory revertData) {
            _violate(SwarmStore.Check.Liveness, taskId, "reject failed", revertData);
        }
    }

    function _release(uint256 taskId) internal {
        SwarmStore.TaskModel memory t = _model(taskId);
        Flow memory f = _begin(t.terms.token);
        vm.prank(_stranger);
        try market.release(taskId, t.terms) {
            _settle(f, taskId, t, BPS, false);
            store.setModel(taskId, t);
            _end(f, taskId, "release");
        } catch (bytes memory revertData) {
            _violate(SwarmStore.Check.Liveness, taskId, "release failed", revertData);
        }
    }

    /// @dev A cancellation of a posted task by `caller`; `entitled` says whether it is the poster or the assigner.
    function _cancel(uint256 taskId, address caller, bool entitled) internal {
        SwarmStore.TaskModel memory t = _model(taskId);
        Flow memory f = _begin(t.terms.token);
        bool success;
        bytes memory revertData;
        if (caller == address(assigner)) {
            try assigner.cancel(taskId, t.terms) {
                success = true;
            } catch (bytes memory data) {
                revertData = data;
            }
        } else {
            vm.prank(caller);
            try market.cancel(taskId, t.terms) {
                success = true;
            } catch (bytes memory data) {
                revertData = data;
            }
        }
        if (!success) {
            if (entitled) _violate(SwarmStore.Check.Liveness, taskId, "cancel failed", revertData);
            return;
        }
        if (!entitled) _violate(SwarmStore.Check.Authority, taskId, "cancel by a stranger succeeded");
        _clearLapsedClaim(f, t);
        _endWithRefund(f, taskId, t);
        store.setModel(taskId, t);
        _end(f, taskId, caller == address(assigner) ? "cancel by the assigner" : "cancel");
    }

    function _refundExpired(uint256 taskId) internal {
        SwarmStore.TaskModel memory t = _model(taskId);
        Flow memory f = _begin(t.terms.token);
        vm.prank(_stranger);
        try market.refundExpired(taskId, t.terms) {
            _clearLapsedClaim(f, t);
            _endWithRefund(f, taskId, t);
            store.setModel(taskId, t);
            _end(f, taskId, "refundExpired");
        } catch (bytes memory revertData) {
            _violate(SwarmStore.Check.Liveness, taskId, "refundExpired failed", revertData);
        }
    }

    /// @dev Both parties consent, the poster first: the task is cancelled, its bond returns to the executor.
    function _consentToCancel(uint256 taskId) internal {
        SwarmStore.TaskModel memory t = _model(taskId);
        Flow memory f = _begin(t.terms.token);
        vm.prank(t.terms.poster);
        try market.consentToCancel(taskId, t.terms) {} catch (bytes memory revertData) {
            _violate(SwarmStore.Check.Liveness, taskId, "consentToCancel by the poster failed", revertData);
            return;
        }
        vm.prank(t.executor);
        try market.consentToCancel(taskId, t.terms) {
            _pay(f, t.executor, t.terms.claimBond);
            t.bondHeld = false;
            _endWithRefund(f, taskId, t);
            store.setModel(taskId, t);
            _end(f, taskId, "consentToCancel");
        } catch (bytes memory revertData) {
            _violate(SwarmStore.Check.Liveness, taskId, "consentToCancel by the executor failed", revertData);
        }
    }

    /// @dev The poster consents alone: nothing moves, the task goes on.
    function _posterConsents(uint256 taskId) internal {
        SwarmStore.TaskModel memory t = _model(taskId);
        Flow memory f = _begin(t.terms.token);
        vm.prank(t.terms.poster);
        try market.consentToCancel(taskId, t.terms) {
            _end(f, taskId, "consentToCancel by the poster alone");
        } catch (bytes memory revertData) {
            _violate(SwarmStore.Check.Liveness, taskId, "consentToCancel by the poster failed", revertData);
        }
    }

    function _withdrawFees(address tokenAddr) internal {
        uint256 amount = store.modelFees(tokenAddr);
        Flow memory f = _begin(tokenAddr);
        vm.prank(_stranger);
        try market.withdrawProtocolFees(tokenAddr) {
            _pay(f, _feeRecipient, amount);
            f.feesPaid = amount;
            _end(f, 0, "withdrawProtocolFees");
        } catch (bytes memory revertData) {
            if (amount != 0) _violate(SwarmStore.Check.Liveness, 0, "withdrawProtocolFees failed", revertData);
        }
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    function _verifierOf(TaskTerms memory terms) internal pure returns (address) {
        return terms.verifier == address(0) ? terms.poster : terms.verifier;
    }

    function _noCapabilities() internal pure returns (bytes32[] memory) {
        return new bytes32[](0);
    }

    function _indexOf(address account) internal view returns (bool, uint256) {
        for (uint256 i = 0; i < ACCOUNT_COUNT; ++i) {
            if (_accounts[i] == account) return (true, i);
        }
        return (false, 0);
    }

    function _balanceOf(address tokenAddr, address account) internal view returns (uint256) {
        return tokenAddr == address(0) ? account.balance : MockERC20(tokenAddr).balanceOf(account);
    }

    function _fund(address tokenAddr, address account, uint256 amount) internal {
        if (amount == 0) return;
        if (tokenAddr == address(0)) vm.deal(account, account.balance + amount);
        else MockERC20(tokenAddr).mint(account, amount);
    }

    function _fundAssigner(address tokenAddr, uint256 amount) internal {
        _fund(tokenAddr, address(assigner), amount);
    }

    function _violate(SwarmStore.Check check, uint256 taskId, string memory message) internal {
        _violate(check, taskId, message, "");
    }

    function _violate(SwarmStore.Check check, uint256 taskId, string memory message, bytes memory revertData) internal {
        string memory detail = string.concat(
            message,
            " (task ",
            vm.toString(taskId),
            ", time ",
            vm.toString(block.timestamp),
            ")"
        );
        if (revertData.length != 0) detail = string.concat(detail, " revert data ", vm.toString(revertData));
        store.recordViolation(check, detail);
    }
}
