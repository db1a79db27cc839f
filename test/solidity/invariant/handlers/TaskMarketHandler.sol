// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { CommonBase } from "forge-std/Base.sol";
import { StdCheats } from "forge-std/StdCheats.sol";
import { StdUtils } from "forge-std/StdUtils.sol";

import { ExecutorRegistry } from "../../../../contracts/ExecutorRegistry.sol";
import { TaskMarket } from "../../../../contracts/TaskMarket.sol";
import { Eligibility } from "../../../../contracts/interfaces/IExecutorRegistry.sol";
import {
    ExecutorKind,
    PermitSignature,
    TaskState,
    TaskStatus,
    TaskTerms
} from "../../../../contracts/types/TaskTypes.sol";
import { EthRefusingAccount } from "../../mocks/AttackReceivers.sol";
import { MockERC20 } from "../../mocks/MockERC20.sol";
import { BlockableToken } from "../../mocks/WeirdTokens.sol";
import { TaskStore } from "../stores/TaskStore.sol";

/// @notice Drives random sequences of every TaskMarket operation: tasks in ETH and two ERC-20s (one of them can
/// blocklist holders) with random rewards, bonds and windows, some reviewed by a delegated verifier paid a verifier
/// fee and some paid in milestones; claims by several registered executors of both kinds; the whole lifecycle,
/// holds, split resolutions and verified submissions included; mutual cancellation; ratings; withdrawals; fee
/// changes, pausing and time passing. A poster and an executor are contracts that can refuse ETH, so that push
/// payments get credited.
///
/// Every successful call is measured at its recipients (balance + credit) and booked in the store; anything that
/// contradicts the terms, the documented transitions or the callers' roles is recorded as a violation (never
/// reverted: a reverting handler call would be discarded silently).
contract TaskMarketHandler is CommonBase, StdCheats, StdUtils {
    enum Action {
        Create,
        Claim,
        Start,
        Checkpoint,
        Submit,
        Approve,
        Reject,
        Release,
        RefundExpired,
        Cancel,
        ConsentToCancel,
        Rate,
        Withdraw,
        WithdrawFees,
        PassTime,
        Admin,
        Hold,
        Resolve,
        SubmitVerified
    }

    /// @dev What a settlement must pay, from the model: the amount of the submission (the reward or the current
    /// milestone), the executor's gross share of it, the protocol fee on that share, the rest refunded to the poster,
    /// the verifier fee paid to the verifier or refunded to the poster, and whether the task ends with it.
    struct Expected {
        uint256 amount;
        uint256 gross;
        uint256 fee;
        uint256 payout;
        uint256 refund;
        uint256 verifierPayment;
        uint256 verifierFeeRefund;
        bool isLast;
        bool byVerifier;
    }

    /// @dev A snapshot of up to three parties' balance and credit in one token, plus the accrued fees.
    struct Snapshot {
        uint256[3] balances;
        uint256[3] credits;
        uint256 fees;
    }

    /// @dev The signed changes of the parties of a snapshot.
    struct Flows {
        int256[3] pushed;
        int256[3] credited;
    }

    uint256 internal constant MAX_TASKS = 40;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant MAX_HOLD_DURATION = 180 days;
    bytes32 internal constant CAPABILITY = keccak256("skill:invariant");
    string internal constant URI = "ipfs://invariant";
    bytes32 internal constant PERMIT_TYPEHASH = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"
    );
    uint8 internal constant FLAG_POSTER_RATED = 1 << 3;
    uint8 internal constant FLAG_EXECUTOR_RATED = 1 << 4;

    TaskMarket public immutable market;
    ExecutorRegistry public immutable registry;
    MockERC20 public immutable standardToken;
    BlockableToken public immutable blockableToken;
    TaskStore public immutable store;
    address public immutable owner;

    address[] internal _tokens;
    address[] internal _posters;
    address[] internal _executors;
    address[] internal _accounts;
    address[2] internal _feeRecipients;
    mapping(address account => uint256 privateKey) internal _keys;
    EthRefusingAccount internal _refusingPoster;
    EthRefusingAccount internal _refusingExecutor;
    address internal _verifier;
    address internal _sink;
    /// @dev Set while `advance` runs: every call is then made by the account entitled to make it.
    bool internal _honestCalls;

    constructor(
        TaskMarket market_,
        ExecutorRegistry registry_,
        MockERC20 standardToken_,
        BlockableToken blockableToken_,
        TaskStore store_,
        address owner_
    ) {
        market = market_;
        registry = registry_;
        standardToken = standardToken_;
        blockableToken = blockableToken_;
        store = store_;
        owner = owner_;
        _tokens = [address(0), address(standardToken_), address(blockableToken_)];

        for (uint256 i = 0; i < 3; ++i) {
            (address eoa, uint256 key) = makeAddrAndKey(string.concat("invariant-poster-", vm.toString(i)));
            _posters.push(eoa);
            _keys[eoa] = key;
        }
        _refusingPoster = new EthRefusingAccount();
        _posters.push(address(_refusingPoster));

        _refusingExecutor = new EthRefusingAccount();
        address operator = makeAddr("invariant-operator");
        _registerExecutor(makeAddr("invariant-human-0"), ExecutorKind.Human, address(0), true);
        _registerExecutor(makeAddr("invariant-agent-0"), ExecutorKind.Agent, operator, true);
        _registerExecutor(makeAddr("invariant-human-1"), ExecutorKind.Human, address(0), false);
        _registerExecutor(address(_refusingExecutor), ExecutorKind.Agent, operator, true);

        _verifier = makeAddr("invariant-verifier");
        _sink = makeAddr("invariant-sink");
        _feeRecipients = [market_.feeRecipient(), makeAddr("invariant-fee-recipient")];

        for (uint256 i = 0; i < _posters.length; ++i) _accounts.push(_posters[i]);
        for (uint256 i = 0; i < _executors.length; ++i) _accounts.push(_executors[i]);
        _accounts.push(_verifier);
        _accounts.push(_sink);
        for (uint256 i = 0; i < _accounts.length; ++i) {
            vm.startPrank(_accounts[i]);
            standardToken_.approve(address(market_), type(uint256).max);
            blockableToken_.approve(address(market_), type(uint256).max);
            vm.stopPrank();
        }
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    function tokens() external view returns (address[] memory) {
        return _tokens;
    }

    /// @dev Every account that can hold a credit, be blocklisted or call the market.
    function accounts() external view returns (address[] memory) {
        return _accounts;
    }

    /*//////////////////////////////////////////////////////////////
                                POSTING
    //////////////////////////////////////////////////////////////*/

    function createTask(
        uint256 posterSeed,
        uint256 tokenSeed,
        uint256 rewardSeed,
        uint256 bondSeed,
        uint256 claimPeriodSeed,
        uint256 executionWindowSeed,
        uint256 reviewWindowSeed,
        uint256 optionsSeed
    ) external {
        _syncTime();
        if (store.taskCount() >= MAX_TASKS) return;
        // The options are drawn from a hash of the seed, so that they do not depend on its magnitude.
        uint256 options = uint256(keccak256(abi.encode(optionsSeed)));
        TaskTerms memory terms = _draftTerms(
            posterSeed,
            tokenSeed,
            rewardSeed,
            bondSeed,
            claimPeriodSeed,
            executionWindowSeed,
            reviewWindowSeed,
            options
        );
        bool requiresCapability = (options >> 56) % 2 == 0;
        bool usePermit = terms.token == address(standardToken) && _keys[terms.poster] != 0 && (options >> 64) % 3 == 0;

        _fund(terms.token, terms.poster, uint256(terms.reward) + terms.verifierFee);
        bool paused = market.paused();
        uint16 currentFee = market.protocolFeeBps();
        uint256 nextIdBefore = market.nextTaskId();
        Snapshot memory before = _snapshot(terms.token, terms.poster, address(0));

        (bool success, uint256 taskId, bytes memory revertData) = usePermit
            ? _createWithPermit(terms, requiresCapability, (options >> 72) % 2 == 0)
            : _create(terms, requiresCapability);

        if (!success) {
            // A creation may fail only while paused, with a stale fee, from a blocklisted poster, or with a verifier
            // fee and no verifier or invalid milestone shares.
            bool blocked = terms.token == address(blockableToken) && blockableToken.isBlocked(terms.poster);
            bool excused = paused || terms.feeBps != currentFee || blocked || !_validTerms(terms);
            if (!excused) _violate(TaskStore.Check.Liveness, 0, "createTask failed", revertData);
        } else {
            if (paused) _violate(TaskStore.Check.Authority, taskId, "createTask succeeded while paused", "");
            _bookCreation(taskId, terms, requiresCapability, currentFee, before, nextIdBefore);
            store.countCall(usePermit ? "createTaskWithPermit" : "createTask");
        }
        _afterAction(taskId, Action.Create);
    }

    /// @dev Random terms for a new task, `options` supplying the choices.
    function _draftTerms(
        uint256 posterSeed,
        uint256 tokenSeed,
        uint256 rewardSeed,
        uint256 bondSeed,
        uint256 claimPeriodSeed,
        uint256 executionWindowSeed,
        uint256 reviewWindowSeed,
        uint256 options
    ) private view returns (TaskTerms memory terms) {
        terms.poster = _posters[posterSeed % _posters.length];
        terms.token = _tokens[tokenSeed % _tokens.length];
        // One task in five has a reward of a few units, to exercise the rounding of the fee.
        terms.reward = uint128(options % 5 == 0 ? bound(rewardSeed, 1, 1_000) : bound(rewardSeed, 1e6, 1e24));
        terms.claimBond = uint128((options >> 8) % 4 == 0 ? 0 : bound(bondSeed, 1, 1e22));
        terms.claimDeadline = uint40(store.currentTime() + bound(claimPeriodSeed, 1 hours, 10 days));
        terms.executionWindow = uint32(bound(executionWindowSeed, 1, 3 days));
        terms.reviewWindow = uint32(bound(reviewWindowSeed, 1, 3 days));
        // One creation in eight proposes a random fee: the market must refuse it unless it equals the current one.
        terms.feeBps =
            (options >> 16) % 8 == 0 ? uint16(bound(options >> 24, 0, market.MAX_FEE_BPS())) : market.protocolFeeBps();
        terms.executorKind = ExecutorKind((options >> 40) % 3);
        terms.verifier = (options >> 48) % 2 == 0 ? _verifier : address(0);
        terms.capabilitiesHash = keccak256(abi.encodePacked(_capabilities((options >> 56) % 2 == 0)));
        terms.documentHash = keccak256(abi.encode("invariant task", store.taskCount(), options));
        _draftVerification(terms, uint256(keccak256(abi.encode(options, "verification"))));
    }

    /// @dev The verifier fee, the configuration hash and the milestones of new terms. Two delegated tasks in three pay
    /// a verifier fee; one task without a verifier in sixteen proposes one, which the market must refuse. One task in
    /// three is paid in 2 to 5 milestones, and one such packing in sixteen is broken.
    function _draftVerification(TaskTerms memory terms, uint256 options) private pure {
        if (terms.verifier != address(0)) {
            terms.verifierFee = options % 3 == 0 ? 0 : uint128(bound(options >> 8, 1, 1e22));
            terms.verifierConfigHash = keccak256(abi.encode("verifier config", options));
        } else if ((options >> 80) % 16 == 0) {
            terms.verifierFee = uint128(bound(options >> 8, 1, 1e22));
        }
        if ((options >> 88) % 3 == 0) terms.milestoneShares = _draftMilestones(options >> 96);
    }

    /// @dev 2 to 5 shares, each at least one basis point, summing to 10,000; one packing in sixteen has its first share
    /// one basis point too high.
    function _draftMilestones(uint256 seed) private pure returns (bytes32) {
        uint256 count = 2 + (seed % 4);
        uint256 lanes;
        uint256 remaining = BPS;
        for (uint256 i = 0; i < count; ++i) {
            uint256 left = count - i - 1;
            uint256 share = left == 0 ? remaining : 1 + (uint256(keccak256(abi.encode(seed, i))) % (remaining - left));
            remaining -= share;
            lanes |= share << (240 - 16 * i);
        }
        if ((seed >> 8) % 16 == 0) lanes += 1 << 240;
        return bytes32(lanes);
    }

    /// @dev Model: whether the market must accept the verifier fee and the milestone shares of `terms`.
    function _validTerms(TaskTerms memory terms) private pure returns (bool) {
        if (terms.verifierFee != 0 && terms.verifier == address(0)) return false;
        if (terms.milestoneShares == 0) return true;
        uint256 count = _milestoneCount(terms.milestoneShares);
        uint256 total;
        for (uint256 i = 0; i < 16; ++i) {
            uint256 share = _shareOf(terms.milestoneShares, i);
            if (i >= count && share != 0) return false;
            total += share;
        }
        return count >= 2 && total == BPS;
    }

    /// @dev A creation: the terms were valid and carried the current fee, the poster paid exactly the reward and the
    /// verifier fee, and nothing was credited.
    function _bookCreation(
        uint256 taskId,
        TaskTerms memory terms,
        bool requiresCapability,
        uint16 currentFee,
        Snapshot memory before,
        uint256 nextIdBefore
    ) private {
        if (taskId != nextIdBefore || store.exists(taskId) || market.nextTaskId() != nextIdBefore + 1) {
            _violate(TaskStore.Check.Identity, taskId, "task id not the next unused id", "");
        }
        if (terms.feeBps != currentFee) {
            _violate(TaskStore.Check.Identity, taskId, "createTask accepted a fee other than the current one", "");
        }
        if (!_validTerms(terms)) {
            _violate(TaskStore.Check.Identity, taskId, "createTask accepted an invalid verifier fee or shares", "");
        }
        Flows memory f = _flows(before, _snapshot(terms.token, terms.poster, address(0)));
        uint256 paidIn = _positive(-f.pushed[0]);
        if (paidIn != uint256(terms.reward) + terms.verifierFee || f.credited[0] != 0) {
            _violate(TaskStore.Check.Conservation, taskId, "createTask did not take exactly reward and fee", "");
        }
        store.addTask(taskId, terms, requiresCapability, currentFee);
        TaskStore.TaskRecord memory record = store.recordOf(taskId);
        record.verifierFeeIn = paidIn < terms.verifierFee ? paidIn : terms.verifierFee;
        record.rewardIn = paidIn - record.verifierFeeIn;
        store.setRecord(taskId, record);
        TaskStore.TokenLedger memory ledger = store.ledgerOf(terms.token);
        ledger.deposited += paidIn;
        store.setLedger(terms.token, ledger);
    }

    /// @dev The natural next step of a random open task, made by the entitled party. The single-call entry points
    /// below also try wrong states and wrong callers; this one makes sure that runs of the configured depth reach
    /// submission, review, holds, release and settlement.
    function advance(uint256 taskSeed, uint256 choiceSeed) external {
        _syncTime();
        // One time in four, pay out a credit first if someone holds one: credits only arise from failed pushes.
        if (_oneIn(4, choiceSeed, 7)) {
            (address account, address tokenAddr) = _pickCredit(taskSeed, choiceSeed);
            if (market.creditOf(account, tokenAddr) != 0) _withdraw(account, tokenAddr, _sink);
        }
        (bool found, uint256 taskId) = _pickOpenTask(taskSeed);
        if (!found) return;
        TaskStatus status = market.statusOf(taskId);
        uint256 choice = choiceSeed % 8;
        _honestCalls = true;
        if (status == TaskStatus.Posted) {
            if (choice == 0) _cancel(taskId, choiceSeed);
            else _claim(taskId, choiceSeed);
        } else if (status == TaskStatus.Claimed || status == TaskStatus.InProgress) {
            if (choice < 2 && status == TaskStatus.Claimed) _start(taskId, choiceSeed);
            else if (choice < 2) _checkpoint(taskId, choiceSeed, choiceSeed >> 8);
            else if (choice == 2) _consentToCancel(taskId, choiceSeed);
            else if (choice == 3 && _delegated(taskId)) _submitVerified(taskId, choiceSeed);
            else _submit(taskId, choiceSeed);
        } else if (status == TaskStatus.Submitted || status == TaskStatus.Disputed) {
            _advanceReview(taskId, choice, choiceSeed);
        } else if (status == TaskStatus.Verified) {
            _release(taskId, choiceSeed);
        } else if (status == TaskStatus.Expired) {
            _refundExpired(taskId, choiceSeed);
        }
        _honestCalls = false;
        store.countCall("advance");
    }

    /// @dev A decision on a submission under review or on hold. A delegated verifier also holds and resolves with a
    /// split. Choices 6 and 7 leave the submission alone, so that some review windows and some holds run out in
    /// silence; choice 5 lets a hold run out at once and releases the submission.
    function _advanceReview(uint256 taskId, uint256 choice, uint256 choiceSeed) private {
        bool delegated = _delegated(taskId);
        if (market.stateOf(taskId).status == TaskStatus.Disputed) {
            if (choice == 0) _approve(taskId, choiceSeed);
            else if (choice == 1) _reject(taskId, choiceSeed);
            else if (choice == 2) _resolve(taskId, choiceSeed, choiceSeed >> 16);
            else if (choice == 3) _consentToCancel(taskId, choiceSeed);
            else if (choice == 4) _hold(taskId, choiceSeed, choiceSeed >> 16);
            else if (choice == 5) _releaseAfterHold(taskId, choiceSeed);
        } else if (choice == 0 || (!delegated && (choice == 4 || choice == 5))) {
            _approve(taskId, choiceSeed);
        } else if (choice == 1) {
            _reject(taskId, choiceSeed);
        } else if (choice == 2) {
            _rejectAfterExecutionDeadline(taskId, choiceSeed);
        } else if (choice == 3) {
            _consentToCancel(taskId, choiceSeed);
        } else if (choice == 4) {
            _hold(taskId, choiceSeed, choiceSeed >> 16);
        } else if (choice == 5) {
            _resolve(taskId, choiceSeed, choiceSeed >> 16);
        }
    }

    /// @dev Lets time run to just past the end of the hold when it is near, then releases the submission: it must
    /// settle with the hold's default share.
    function _releaseAfterHold(uint256 taskId, uint256 callerSeed) private {
        uint256 end = uint256(market.stateOf(taskId).reviewDeadline) + 1;
        if (end > store.currentTime() && end <= store.currentTime() + 10 days) {
            store.advanceTime(end - store.currentTime());
            _syncTime();
            _afterAction(0, Action.PassTime);
        }
        _release(taskId, callerSeed);
    }

    function _delegated(uint256 taskId) private view returns (bool) {
        return store.termsOf(taskId).verifier != address(0);
    }

    /// @dev Lets time run to just past the execution deadline when the review window lasts longer, then rejects:
    /// the claim lapses at once and its bond must go back to the executor.
    function _rejectAfterExecutionDeadline(uint256 taskId, uint256 callerSeed) private {
        TaskState memory state = market.stateOf(taskId);
        uint256 lateButInReview = uint256(state.executionDeadline) + 1;
        if (lateButInReview <= state.reviewDeadline && store.currentTime() < lateButInReview) {
            store.advanceTime(lateButInReview - store.currentTime());
            _syncTime();
            _afterAction(0, Action.PassTime);
        }
        _reject(taskId, callerSeed);
    }

    function cancel(uint256 taskSeed, uint256 callerSeed) external {
        _syncTime();
        (bool found, uint256 taskId) = _pickTask(taskSeed, _only(TaskStatus.Posted));
        if (found) _cancel(taskId, callerSeed);
    }

    function _cancel(uint256 taskId, uint256 callerSeed) private {
        TaskStore.TaskRecord memory record = store.recordOf(taskId);
        TaskStatus derivedBefore = market.statusOf(taskId);
        (address caller, bool authorized) = _callerOr(record.terms.poster, callerSeed);
        Snapshot memory before = _snapshot(record.terms.token, record.terms.poster, record.executor);

        vm.prank(caller);
        try market.cancel(taskId, record.terms) {
            if (!authorized) _violate(TaskStore.Check.Authority, taskId, "cancel by someone else than the poster", "");
            _expectStatusBefore(taskId, "cancel", derivedBefore, _only(TaskStatus.Posted));
            _bookRefund(taskId, record, before, "cancel");
            store.countCall("cancel");
        } catch (bytes memory revertData) {
            if (authorized && derivedBefore == TaskStatus.Posted) {
                _violate(TaskStore.Check.Liveness, taskId, "cancel by the poster of a Posted task failed", revertData);
            }
        }
        _afterAction(taskId, Action.Cancel);
    }

    function refundExpired(uint256 taskSeed, uint256 callerSeed) external {
        _syncTime();
        (bool found, uint256 taskId) = _pickTask(taskSeed, _only(TaskStatus.Expired));
        if (found) _refundExpired(taskId, callerSeed);
    }

    function _refundExpired(uint256 taskId, uint256 callerSeed) private {
        TaskStore.TaskRecord memory record = store.recordOf(taskId);
        TaskStatus derivedBefore = market.statusOf(taskId);
        TaskStatus storedBefore = market.stateOf(taskId).status;
        address caller = _accounts[callerSeed % _accounts.length];
        Snapshot memory before = _snapshot(record.terms.token, record.terms.poster, record.executor);

        vm.prank(caller);
        try market.refundExpired(taskId, record.terms) {
            _expectStatusBefore(taskId, "refundExpired", derivedBefore, _only(TaskStatus.Expired));
            if (storedBefore == TaskStatus.Expired) {
                _violate(TaskStore.Check.Transitions, taskId, "refundExpired refunded a second time", "");
            }
            _bookRefund(taskId, record, before, "refundExpired");
            store.countCall("refundExpired");
        } catch (bytes memory revertData) {
            if (derivedBefore == TaskStatus.Expired && storedBefore != TaskStatus.Expired) {
                _violate(TaskStore.Check.Liveness, taskId, "refundExpired of an expired task failed", revertData);
            }
        }
        _afterAction(taskId, Action.RefundExpired);
    }

    /*//////////////////////////////////////////////////////////////
                               EXECUTION
    //////////////////////////////////////////////////////////////*/

    function claim(uint256 taskSeed, uint256 executorSeed) external {
        _syncTime();
        (bool found, uint256 taskId) = _pickTask(taskSeed, _only(TaskStatus.Posted));
        if (found) _claim(taskId, executorSeed);
    }

    function _claim(uint256 taskId, uint256 executorSeed) private {
        TaskStore.TaskRecord memory record = store.recordOf(taskId);
        TaskTerms memory terms = record.terms;
        address claimer = _pickClaimer(executorSeed, terms, record.requiresCapability);
        TaskStatus derivedBefore = market.statusOf(taskId);
        _fund(terms.token, claimer, terms.claimBond);
        Snapshot memory before = _snapshot3(terms.token, claimer, terms.poster, record.executor);
        bytes32[] memory capabilities = _capabilities(record.requiresCapability);
        uint256 value = terms.token == address(0) ? terms.claimBond : 0;

        vm.prank(claimer);
        try market.claim{ value: value }(taskId, terms, capabilities) {
            _expectStatusBefore(taskId, "claim", derivedBefore, _only(TaskStatus.Posted));
            _bookClaim(taskId, record, before, claimer);
            store.countCall("claim");
        } catch (bytes memory revertData) {
            if (derivedBefore == TaskStatus.Posted && _claimShouldSucceed(claimer, terms, record.requiresCapability)) {
                _violate(TaskStore.Check.Liveness, taskId, "claim by an eligible executor failed", revertData);
            }
        }
        _afterAction(taskId, Action.Claim);
    }

    function start(uint256 taskSeed, uint256 callerSeed) external {
        _syncTime();
        (bool found, uint256 taskId) = _pickTask(taskSeed, _only(TaskStatus.Claimed));
        if (found) _start(taskId, callerSeed);
    }

    function _start(uint256 taskId, uint256 callerSeed) private {
        TaskStatus derivedBefore = market.statusOf(taskId);
        (address caller, bool authorized) = _callerOr(market.stateOf(taskId).executor, callerSeed);

        vm.prank(caller);
        try market.start(taskId) {
            if (!authorized) _violate(TaskStore.Check.Authority, taskId, "start by someone else than the executor", "");
            _expectStatusBefore(taskId, "start", derivedBefore, _only(TaskStatus.Claimed));
            store.countCall("start");
        } catch (bytes memory revertData) {
            if (authorized && derivedBefore == TaskStatus.Claimed) {
                _violate(TaskStore.Check.Liveness, taskId, "start by the executor failed", revertData);
            }
        }
        _afterAction(taskId, Action.Start);
    }

    function checkpoint(uint256 taskSeed, uint256 callerSeed, uint256 percentSeed) external {
        _syncTime();
        (bool found, uint256 taskId) = _pickTask(taskSeed, _only(TaskStatus.InProgress));
        if (found) _checkpoint(taskId, callerSeed, percentSeed);
    }

    function _checkpoint(uint256 taskId, uint256 callerSeed, uint256 percentSeed) private {
        TaskStatus derivedBefore = market.statusOf(taskId);
        (address caller, bool authorized) = _callerOr(market.stateOf(taskId).executor, callerSeed);
        uint8 percent = uint8(bound(percentSeed, 0, 100));

        vm.prank(caller);
        try market.checkpoint(taskId, percent, keccak256(abi.encode(percent)), URI) {
            if (!authorized) _violate(TaskStore.Check.Authority, taskId, "checkpoint by a non-executor", "");
            _expectStatusBefore(taskId, "checkpoint", derivedBefore, _only(TaskStatus.InProgress));
            store.countCall("checkpoint");
        } catch (bytes memory revertData) {
            if (authorized && derivedBefore == TaskStatus.InProgress) {
                _violate(TaskStore.Check.Liveness, taskId, "checkpoint by the executor failed", revertData);
            }
        }
        _afterAction(taskId, Action.Checkpoint);
    }

    function submit(uint256 taskSeed, uint256 callerSeed) external {
        _syncTime();
        (bool found, uint256 taskId) = _pickTask(taskSeed, _working());
        if (found) _submit(taskId, callerSeed);
    }

    function _submit(uint256 taskId, uint256 callerSeed) private {
        uint256 working = _only(TaskStatus.Claimed) | _only(TaskStatus.InProgress);
        TaskTerms memory terms = store.termsOf(taskId);
        TaskStatus derivedBefore = market.statusOf(taskId);
        (address caller, bool authorized) = _callerOr(market.stateOf(taskId).executor, callerSeed);

        vm.prank(caller);
        try market.submit(taskId, terms, keccak256(abi.encode(taskId, callerSeed)), URI) {
            if (!authorized) _violate(TaskStore.Check.Authority, taskId, "submit by a non-executor", "");
            _expectStatusBefore(taskId, "submit", derivedBefore, working);
            store.countCall("submit");
        } catch (bytes memory revertData) {
            if (authorized && _isIn(derivedBefore, working)) {
                _violate(TaskStore.Check.Liveness, taskId, "submit by the executor failed", revertData);
            }
        }
        _afterAction(taskId, Action.Submit);
    }

    function submitVerified(uint256 taskSeed, uint256 callerSeed) external {
        _syncTime();
        (bool found, uint256 taskId) = _pickTask(taskSeed, _working());
        if (found) _submitVerified(taskId, callerSeed);
    }

    /// @dev A result submitted by the delegated verifier on the executor's behalf: accepted at once, as an approval.
    function _submitVerified(uint256 taskId, uint256 callerSeed) private {
        TaskStore.TaskRecord memory record = store.recordOf(taskId);
        TaskStatus derivedBefore = market.statusOf(taskId);
        address executor = market.stateOf(taskId).executor;
        (address caller, bool authorized) = _delegatedCallerOr(record.terms, callerSeed);
        Snapshot memory before = _snapshot3(record.terms.token, executor, record.terms.poster, record.terms.verifier);

        vm.prank(caller);
        try market.submitVerified(taskId, record.terms, keccak256(abi.encode(taskId, callerSeed)), URI) {
            if (!authorized) {
                _violate(TaskStore.Check.Authority, taskId, "submitVerified by a non-delegated verifier", "");
            }
            _expectStatusBefore(taskId, "submitVerified", derivedBefore, _working());
            _bookSettlement(taskId, record, before, executor, _expectedSettlement(record, BPS, true), "submitVerified");
            store.countCall("submitVerified");
        } catch (bytes memory revertData) {
            if (authorized && _isIn(derivedBefore, _working())) {
                _violate(TaskStore.Check.Liveness, taskId, "submitVerified by the verifier failed", revertData);
            }
        }
        _afterAction(taskId, Action.SubmitVerified);
    }

    /*//////////////////////////////////////////////////////////////
                             VERIFICATION
    //////////////////////////////////////////////////////////////*/

    function approve(uint256 taskSeed, uint256 callerSeed) external {
        _syncTime();
        (bool found, uint256 taskId) = _pickTask(taskSeed, _underReview());
        if (found) _approve(taskId, callerSeed);
    }

    function _approve(uint256 taskId, uint256 callerSeed) private {
        TaskStore.TaskRecord memory record = store.recordOf(taskId);
        TaskStatus derivedBefore = market.statusOf(taskId);
        address executor = market.stateOf(taskId).executor;
        (address caller, bool authorized) = _callerOr(_verifierOf(record.terms), callerSeed);
        Snapshot memory before = _snapshot3(record.terms.token, executor, record.terms.poster, record.terms.verifier);

        vm.prank(caller);
        try market.approve(taskId, record.terms) {
            if (!authorized) _violate(TaskStore.Check.Authority, taskId, "approve by a non-verifier", "");
            _expectStatusBefore(taskId, "approve", derivedBefore, _underReview());
            _bookSettlement(taskId, record, before, executor, _expectedSettlement(record, BPS, true), "approve");
            store.countCall(derivedBefore == TaskStatus.Disputed ? "approve: on hold" : "approve");
        } catch (bytes memory revertData) {
            if (authorized && _isIn(derivedBefore, _underReview())) {
                _violate(TaskStore.Check.Liveness, taskId, "approve by the verifier failed", revertData);
            }
        }
        _afterAction(taskId, Action.Approve);
    }

    function reject(uint256 taskSeed, uint256 callerSeed) external {
        _syncTime();
        (bool found, uint256 taskId) = _pickTask(taskSeed, _underReview());
        if (found) _reject(taskId, callerSeed);
    }

    function _reject(uint256 taskId, uint256 callerSeed) private {
        TaskStore.TaskRecord memory record = store.recordOf(taskId);
        TaskStatus derivedBefore = market.statusOf(taskId);
        (address caller, bool authorized) = _callerOr(_verifierOf(record.terms), callerSeed);
        Snapshot memory before = _snapshot3(
            record.terms.token,
            record.terms.verifier,
            record.executor,
            record.terms.poster
        );

        vm.prank(caller);
        try market.reject(taskId, record.terms, keccak256(abi.encode("reason", callerSeed))) {
            if (!authorized) _violate(TaskStore.Check.Authority, taskId, "reject by a non-verifier", "");
            _expectStatusBefore(taskId, "reject", derivedBefore, _underReview());
            _bookRejection(taskId, record, before);
            store.countCall("reject");
        } catch (bytes memory revertData) {
            if (authorized && _isIn(derivedBefore, _underReview())) {
                _violate(TaskStore.Check.Liveness, taskId, "reject by the verifier failed", revertData);
            }
        }
        _afterAction(taskId, Action.Reject);
    }

    function hold(uint256 taskSeed, uint256 callerSeed, uint256 argumentsSeed) external {
        _syncTime();
        (bool found, uint256 taskId) = _pickTask(taskSeed, _underReview());
        if (found) _hold(taskId, callerSeed, argumentsSeed);
    }

    function _hold(uint256 taskId, uint256 callerSeed, uint256 argumentsSeed) private {
        TaskStore.TaskRecord memory record = store.recordOf(taskId);
        TaskStatus derivedBefore = market.statusOf(taskId);
        (address caller, bool authorized) = _delegatedCallerOr(record.terms, callerSeed);
        // An extension keeps the time the hold was first placed.
        uint256 heldAt = record.held ? record.heldAt : store.currentTime();
        (uint40 until, uint16 share, bool valid) = _holdArguments(heldAt, argumentsSeed);
        Snapshot memory before = _snapshot3(
            record.terms.token,
            record.terms.verifier,
            record.executor,
            record.terms.poster
        );

        vm.prank(caller);
        try market.hold(taskId, record.terms, until, share) {
            if (!authorized) _violate(TaskStore.Check.Authority, taskId, "hold by a non-delegated verifier", "");
            if (!valid)
                _violate(TaskStore.Check.Authority, taskId, "hold accepted an end or a share out of bounds", "");
            _expectStatusBefore(taskId, "hold", derivedBefore, _underReview());
            store.countCall(record.held ? "hold: extended" : "hold");
            (record.held, record.heldAt, record.holdShareBps) = (true, heldAt, share);
            _checkHold(taskId, record, until);
            _bookVerifierDecision(taskId, record, before, "hold");
        } catch (bytes memory revertData) {
            if (authorized && valid && _isIn(derivedBefore, _underReview())) {
                _violate(TaskStore.Check.Liveness, taskId, "hold by the delegated verifier failed", revertData);
            }
        }
        _afterAction(taskId, Action.Hold);
    }

    /// @dev The end and default share of a hold: usually valid — ending within a day, one time in sixteen as
    /// late as allowed, never past `MAX_HOLD_DURATION` from the first hold — and, outside `advance`, one time in eight
    /// an end that is not in the future or too late, or a share above 10,000.
    function _holdArguments(
        uint256 heldAt,
        uint256 seed
    ) private view returns (uint40 until, uint16 share, bool valid) {
        uint256 currentTime = store.currentTime();
        uint256 latest = heldAt + MAX_HOLD_DURATION;
        uint256 end = _oneIn(16, seed, 8) ? latest : currentTime + bound(seed, 1, 1 days);
        if (end > latest) end = latest;
        share = uint16(bound(seed >> 64, 0, BPS));
        if (!_honestCalls && _oneIn(8, seed, 9)) {
            uint256 kind = (seed >> 128) % 3;
            if (kind == 0) end = currentTime - ((seed >> 136) % 2);
            else if (kind == 1) end = latest + 1 + ((seed >> 136) % 1 days);
            else share = uint16(bound(seed >> 64, BPS + 1, type(uint16).max));
        }
        until = uint40(end);
        valid = end > currentTime && end <= latest && share <= BPS;
    }

    /// @dev After a hold: the market holds the submission until `until`, from the modelled first hold, with the
    /// modelled default share.
    function _checkHold(uint256 taskId, TaskStore.TaskRecord memory record, uint40 until) private {
        (, uint40 heldAt, uint16 share) = market.progressOf(taskId);
        TaskState memory state = market.stateOf(taskId);
        if (heldAt != record.heldAt || share != record.holdShareBps || state.reviewDeadline != until) {
            _violate(TaskStore.Check.Transitions, taskId, "hold: not held as modelled", "");
        }
    }

    function resolve(uint256 taskSeed, uint256 callerSeed, uint256 shareSeed) external {
        _syncTime();
        (bool found, uint256 taskId) = _pickTask(taskSeed, _underReview());
        if (found) _resolve(taskId, callerSeed, shareSeed);
    }

    function _resolve(uint256 taskId, uint256 callerSeed, uint256 shareSeed) private {
        TaskStore.TaskRecord memory record = store.recordOf(taskId);
        TaskStatus derivedBefore = market.statusOf(taskId);
        address executor = market.stateOf(taskId).executor;
        (address caller, bool authorized) = _delegatedCallerOr(record.terms, callerSeed);
        // Outside `advance`, one share in eight is above 10,000 and must be refused.
        uint16 share = uint16(
            !_honestCalls && _oneIn(8, shareSeed, 10)
                ? bound(shareSeed, BPS + 1, type(uint16).max)
                : bound(shareSeed, 0, BPS)
        );
        Snapshot memory before = _snapshot3(record.terms.token, executor, record.terms.poster, record.terms.verifier);

        vm.prank(caller);
        try market.resolve(taskId, record.terms, share) {
            if (!authorized) _violate(TaskStore.Check.Authority, taskId, "resolve by a non-delegated verifier", "");
            if (share > BPS) _violate(TaskStore.Check.Authority, taskId, "resolve accepted a share above 10,000", "");
            _expectStatusBefore(taskId, "resolve", derivedBefore, _underReview());
            _bookSettlement(taskId, record, before, executor, _expectedSettlement(record, share, true), "resolve");
            store.countCall(derivedBefore == TaskStatus.Disputed ? "resolve: on hold" : "resolve");
        } catch (bytes memory revertData) {
            if (authorized && share <= BPS && _isIn(derivedBefore, _underReview())) {
                _violate(TaskStore.Check.Liveness, taskId, "resolve by the delegated verifier failed", revertData);
            }
        }
        _afterAction(taskId, Action.Resolve);
    }

    function release(uint256 taskSeed, uint256 callerSeed) external {
        _syncTime();
        (bool found, uint256 taskId) = _pickTask(taskSeed, _only(TaskStatus.Verified));
        if (found) _release(taskId, callerSeed);
    }

    function _release(uint256 taskId, uint256 callerSeed) private {
        TaskStore.TaskRecord memory record = store.recordOf(taskId);
        TaskStatus derivedBefore = market.statusOf(taskId);
        address executor = market.stateOf(taskId).executor;
        address caller = _accounts[callerSeed % _accounts.length];
        Snapshot memory before = _snapshot3(record.terms.token, executor, record.terms.poster, record.terms.verifier);
        // After a hold, the default share named with it; after a review window, the whole amount.
        Expected memory expected = _expectedSettlement(record, record.held ? record.holdShareBps : BPS, false);
        string memory label = record.held ? "release: after a hold" : "release";

        vm.prank(caller);
        try market.release(taskId, record.terms) {
            _expectStatusBefore(taskId, "release", derivedBefore, _only(TaskStatus.Verified));
            _bookSettlement(taskId, record, before, executor, expected, "release");
            store.countCall(label);
        } catch (bytes memory revertData) {
            if (derivedBefore == TaskStatus.Verified) {
                _violate(TaskStore.Check.Liveness, taskId, "release of a verified task failed", revertData);
            }
        }
        _afterAction(taskId, Action.Release);
    }

    function consentToCancel(uint256 taskSeed, uint256 partySeed) external {
        _syncTime();
        (bool found, uint256 taskId) = _pickTask(taskSeed, _working() | _underReview());
        if (found) _consentToCancel(taskId, partySeed);
    }

    function _consentToCancel(uint256 taskId, uint256 partySeed) private {
        uint256 active = _working() | _underReview();
        TaskStore.TaskRecord memory record = store.recordOf(taskId);
        TaskStatus derivedBefore = market.statusOf(taskId);
        address executor = market.stateOf(taskId).executor;
        (address caller, ) = _callerOr((partySeed >> 1) % 2 == 0 ? record.terms.poster : executor, partySeed);
        bool authorized = caller == record.terms.poster || caller == executor;
        Snapshot memory before = _snapshot(record.terms.token, record.terms.poster, executor);

        vm.prank(caller);
        try market.consentToCancel(taskId, record.terms) {
            if (!authorized) _violate(TaskStore.Check.Authority, taskId, "consentToCancel by a non-party", "");
            _expectStatusBefore(taskId, "consentToCancel", derivedBefore, active);
            if (market.stateOf(taskId).status == TaskStatus.Cancelled) {
                _bookMutualCancel(taskId, record, before);
                store.countCall(
                    derivedBefore == TaskStatus.Disputed
                        ? "consentToCancel: cancelled on hold"
                        : "consentToCancel: cancelled"
                );
            } else {
                store.countCall("consentToCancel: consented");
            }
        } catch (bytes memory revertData) {
            if (authorized && _isIn(derivedBefore, active)) {
                _violate(TaskStore.Check.Liveness, taskId, "consentToCancel by a party failed", revertData);
            }
        }
        _afterAction(taskId, Action.ConsentToCancel);
    }

    function rate(uint256 taskSeed, uint256 sideSeed, uint256 ratingSeed) external {
        _syncTime();
        (bool found, uint256 taskId) = _pickTask(taskSeed, _only(TaskStatus.Settled));
        if (found) _rate(taskId, sideSeed, ratingSeed);
    }

    function _rate(uint256 taskId, uint256 sideSeed, uint256 ratingSeed) private {
        TaskTerms memory terms = store.termsOf(taskId);
        TaskState memory state = market.stateOf(taskId);
        bool byPoster = sideSeed % 2 == 0;
        (address caller, ) = _callerOr(byPoster ? terms.poster : state.executor, sideSeed >> 1);
        // A random caller may happen to be the other party, which is entitled to rate as well.
        bool authorized = caller == terms.poster || caller == state.executor;
        uint8 sideFlag = caller == terms.poster ? FLAG_POSTER_RATED : FLAG_EXECUTOR_RATED;
        bool alreadyRated = state.flags & sideFlag != 0;
        uint8 rating = uint8(bound(ratingSeed, 1, 5));

        vm.prank(caller);
        try market.rate(taskId, terms, rating) {
            if (!authorized) _violate(TaskStore.Check.Authority, taskId, "rate by a non-party", "");
            if (alreadyRated) _violate(TaskStore.Check.Authority, taskId, "a side rated twice", "");
            _expectStatusBefore(taskId, "rate", state.status, _only(TaskStatus.Settled));
            store.countCall("rate");
        } catch (bytes memory revertData) {
            if (authorized && !alreadyRated && state.status == TaskStatus.Settled) {
                _violate(TaskStore.Check.Liveness, taskId, "rate by a party failed", revertData);
            }
        }
        _afterAction(taskId, Action.Rate);
    }

    /*//////////////////////////////////////////////////////////////
                                 FUNDS
    //////////////////////////////////////////////////////////////*/

    function withdraw(uint256 accountSeed, uint256 tokenSeed, uint256 toSeed) external {
        _syncTime();
        (address account, address tokenAddr) = _pickCredit(accountSeed, tokenSeed);
        // Half the withdrawals go to another address, a quarter to the account itself, a quarter to a contract that
        // may refuse ETH.
        uint256 selector = toSeed % 4;
        _withdraw(account, tokenAddr, selector == 0 ? account : (selector == 1 ? address(_refusingPoster) : _sink));
    }

    function _withdraw(address account, address tokenAddr, address to) private {
        uint256 credit = market.creditOf(account, tokenAddr);
        Snapshot memory before = _snapshot(tokenAddr, account, to);

        vm.prank(account);
        try market.withdraw(tokenAddr, to) {
            Flows memory f = _flows(before, _snapshot(tokenAddr, account, to));
            // When `to` is the account itself, both entries track the same address: entry 1 still reads its balance.
            int256 received = f.pushed[1];
            uint256 withdrawn = _positive(-f.credited[0]);
            if (withdrawn != credit || _positive(received) != credit || market.creditOf(account, tokenAddr) != 0) {
                _violate(TaskStore.Check.Conservation, 0, "withdraw did not pay exactly the credit", "");
            }
            TaskStore.TokenLedger memory ledger = store.ledgerOf(tokenAddr);
            ledger.paidOut += _positive(received);
            ledger.creditsWithdrawn += withdrawn;
            store.setLedger(tokenAddr, ledger);
            store.countCall("withdraw");
        } catch (bytes memory revertData) {
            if (credit != 0 && _accepts(tokenAddr, to)) {
                _violate(
                    TaskStore.Check.Liveness,
                    0,
                    "withdraw of a credit to an accepting address failed",
                    revertData
                );
            }
        }
        _afterAction(0, Action.Withdraw);
    }

    function withdrawProtocolFees(uint256 tokenSeed, uint256 callerSeed) external {
        _syncTime();
        address tokenAddr = _tokens[tokenSeed % _tokens.length];
        for (uint256 i = 0; i < _tokens.length && !_oneIn(4, tokenSeed, 6); ++i) {
            address candidate = _tokens[((tokenSeed % _tokens.length) + i) % _tokens.length];
            if (market.accruedFeesOf(candidate) != 0) {
                tokenAddr = candidate;
                break;
            }
        }
        address recipient = market.feeRecipient();
        uint256 accrued = market.accruedFeesOf(tokenAddr);
        Snapshot memory before = _snapshot(tokenAddr, recipient, address(0));

        vm.prank(_accounts[callerSeed % _accounts.length]);
        try market.withdrawProtocolFees(tokenAddr) {
            Snapshot memory afterwards = _snapshot(tokenAddr, recipient, address(0));
            int256 received = _flows(before, afterwards).pushed[0];
            if (_positive(received) != accrued || afterwards.fees != 0 || accrued == 0) {
                _violate(TaskStore.Check.Conservation, 0, "withdrawProtocolFees did not pay exactly the fees", "");
            }
            TaskStore.TokenLedger memory ledger = store.ledgerOf(tokenAddr);
            ledger.feesWithdrawn += _positive(received);
            store.setLedger(tokenAddr, ledger);
            store.countCall("withdrawProtocolFees");
        } catch (bytes memory revertData) {
            if (accrued != 0) {
                _violate(TaskStore.Check.Liveness, 0, "withdrawProtocolFees with fees accrued failed", revertData);
            }
        }
        _afterAction(0, Action.WithdrawFees);
    }

    /*//////////////////////////////////////////////////////////////
                          TIME AND ENVIRONMENT
    //////////////////////////////////////////////////////////////*/

    function passTime(uint256 secondsSeed) external {
        // Mostly short steps, so that calls interleave with the windows; one step in eight jumps up to ten days.
        store.advanceTime(
            _oneIn(8, secondsSeed, 4) ? bound(secondsSeed, 1 days, 10 days) : bound(secondsSeed, 1, 1 days)
        );
        _syncTime();
        store.countCall("passTime");
        _afterAction(0, Action.PassTime);
    }

    /// @dev One entry point for the environment, so that it does not crowd out the task calls: the owner changes the
    /// fee (sometimes above the cap, which must be refused), the fee recipient or the pause; a contract account
    /// starts or stops refusing ETH; an account is blocklisted or cleared in the blocklisting token (fee recipients
    /// never are).
    function changeEnvironment(uint256 kindSeed, uint256 valueSeed) external {
        _syncTime();
        uint256 kind = kindSeed % 8;
        if (kind == 0) {
            _setProtocolFee(uint16(bound(valueSeed, 0, 600)));
        } else if (kind == 1) {
            vm.prank(owner);
            market.setFeeRecipient(_feeRecipients[valueSeed % 2]);
        } else if (kind == 2 || market.paused()) {
            // Pausing stops creation: unpause on the next environment change, so that runs keep creating tasks. The
            // status is read before the prank, which the next call (even a view) would consume.
            bool paused = market.paused();
            vm.prank(owner);
            if (paused) market.unpause();
            else market.pause();
        } else if (kind == 3) {
            (valueSeed % 2 == 0 ? _refusingPoster : _refusingExecutor).setRefusesEth((valueSeed >> 1) % 2 == 0);
        } else {
            address account = _accounts[valueSeed % _accounts.length];
            blockableToken.setBlocked(account, !blockableToken.isBlocked(account));
        }
        store.countCall("changeEnvironment");
        _afterAction(0, Action.Admin);
    }

    function _setProtocolFee(uint16 fee) private {
        vm.prank(owner);
        try market.setProtocolFee(fee) {
            if (fee > market.MAX_FEE_BPS()) _violate(TaskStore.Check.Identity, 0, "fee above the cap accepted", "");
            store.countCall("setProtocolFee");
        } catch (bytes memory revertData) {
            if (fee <= market.MAX_FEE_BPS()) {
                _violate(TaskStore.Check.Liveness, 0, "setProtocolFee within the cap failed", revertData);
            }
        }
    }

    /*//////////////////////////////////////////////////////////////
                               BOOKKEEPING
    //////////////////////////////////////////////////////////////*/

    /// @dev A claim: the claimer paid the bond; a bond still held for a lapsed claim went to the poster, or back to
    /// its executor if that executor's submission was rejected at or after its execution deadline.
    function _bookClaim(
        uint256 taskId,
        TaskStore.TaskRecord memory record,
        Snapshot memory before,
        address claimer
    ) private {
        (uint256 forfeit, uint256 giveBack) = _lapsedBond(record);
        Flows memory f = _flows(before, _snapshot3(record.terms.token, claimer, record.terms.poster, record.executor));
        if (claimer == record.executor) {
            // The same executor claims again: its balance moved by the new bond and by the old bond returned.
            f.pushed[2] = int256(giveBack) - f.credited[0];
            f.credited[2] = f.credited[0];
            f.pushed[0] -= f.pushed[2];
            f.credited[0] = 0;
        }
        if (record.closed) _violate(TaskStore.Check.Transitions, taskId, "claim of a closed task", "");
        if (f.pushed[0] != -int256(uint256(record.terms.claimBond)) || f.credited[0] != 0) {
            _violate(TaskStore.Check.Conservation, taskId, "claim did not take exactly the bond", "");
        }
        if (_received(f.pushed[1], f.credited[1]) != forfeit || _received(f.pushed[2], f.credited[2]) != giveBack) {
            _violate(TaskStore.Check.Conservation, taskId, "claim did not pay out exactly the lapsed bond", "");
        }
        record.bondsIn += _positive(-f.pushed[0]);
        record.bondsToPoster += forfeit;
        record.bondsToExecutors += giveBack;
        record.bondHeld = true;
        record.executor = claimer;
        record.executionDeadline = store.currentTime() + record.terms.executionWindow;
        record.rejectedLate = false;
        store.setRecord(taskId, record);
        _bookLedger(
            record.terms.token,
            [_positive(-f.pushed[0]), _positive(f.pushed[2]), _positive(f.pushed[1])],
            _positive(f.credited[1]) + _positive(f.credited[2])
        );
    }

    /// @dev A cancellation or an expiry refund: the poster received what is left of the escrow — the reward not paid
    /// through milestones and an unearned verifier fee — and a bond still held for a lapsed claim went to the poster
    /// or back to its executor (see {_lapsedBond}).
    function _bookRefund(
        uint256 taskId,
        TaskStore.TaskRecord memory record,
        Snapshot memory before,
        string memory action
    ) private {
        (uint256 forfeit, uint256 giveBack) = _lapsedBond(record);
        Flows memory f = _flows(before, _snapshot(record.terms.token, record.terms.poster, record.executor));
        if (record.executor == address(0)) (f.pushed[1], f.credited[1]) = (0, 0);
        uint256 toPoster = _received(f.pushed[0], f.credited[0]);
        (uint256 unpaidReward, uint256 unspentFee) = _escrowLeft(record);
        if (record.closed) {
            _violate(TaskStore.Check.Transitions, taskId, string.concat(action, " of a closed task"), "");
        }
        if (toPoster != unpaidReward + unspentFee + forfeit || _received(f.pushed[1], f.credited[1]) != giveBack) {
            _violate(TaskStore.Check.Conservation, taskId, string.concat(action, ": reward or bond not paid"), "");
        }
        _bookReturnedEscrow(record, toPoster > forfeit ? toPoster - forfeit : 0, unspentFee);
        record.bondsToPoster += forfeit;
        record.bondsToExecutors += giveBack;
        record.bondHeld = false;
        record.closed = true;
        store.setRecord(taskId, record);
        _bookLedger(
            record.terms.token,
            [uint256(0), _positive(f.pushed[1]), _positive(f.pushed[0])],
            _positive(f.credited[0]) + _positive(f.credited[1])
        );
    }

    /// @dev Model: what is left of a task's escrow — the reward not paid through settled milestones, and the verifier
    /// fee unless the verifier earned it.
    function _escrowLeft(
        TaskStore.TaskRecord memory record
    ) private pure returns (uint256 unpaidReward, uint256 unspentFee) {
        unpaidReward = record.terms.reward - record.rewardSettled;
        unspentFee = record.verifierPaid ? 0 : record.terms.verifierFee;
    }

    /// @dev Books `returned` (measured at the poster) as the unspent verifier fee first, up to `unspentFee`, and the
    /// reward for the rest.
    function _bookReturnedEscrow(
        TaskStore.TaskRecord memory record,
        uint256 returned,
        uint256 unspentFee
    ) private pure {
        uint256 feePart = returned < unspentFee ? returned : unspentFee;
        record.verifierFeeToPoster += feePart;
        record.rewardToPoster += returned - feePart;
    }

    /// @dev Where the bond still held for a lapsed claim goes when the claim is cleared: forfeited to the poster, or
    /// given back to the executor whose submission was rejected at or after its execution deadline.
    function _lapsedBond(TaskStore.TaskRecord memory record) private pure returns (uint256 forfeit, uint256 giveBack) {
        if (!record.bondHeld) return (0, 0);
        if (record.rejectedLate) giveBack = record.terms.claimBond;
        else forfeit = record.terms.claimBond;
    }

    /// @dev Model: how a settlement made now divides the current submission's amount (see {Expected}), the executor
    /// getting `shareBps` of it; `byVerifier` when the verifier decided it (and so earns its fee if it has not yet).
    function _expectedSettlement(
        TaskStore.TaskRecord memory record,
        uint256 shareBps,
        bool byVerifier
    ) private pure returns (Expected memory e) {
        (e.amount, e.isLast) = _currentAmount(record);
        e.gross = (e.amount * shareBps) / BPS;
        e.fee = (e.gross * record.terms.feeBps) / BPS;
        e.payout = e.gross - e.fee;
        e.refund = e.amount - e.gross;
        e.byVerifier = byVerifier;
        (, uint256 unspentFee) = _escrowLeft(record);
        if (byVerifier) e.verifierPayment = unspentFee;
        else if (e.isLast) e.verifierFeeRefund = unspentFee;
    }

    /// @dev Model: the amount of the current submission — the reward, or the current milestone's share of it rounded
    /// down, the last milestone taking what the others left — and whether it is the last.
    function _currentAmount(TaskStore.TaskRecord memory record) private pure returns (uint256 amount, bool isLast) {
        bytes32 shares = record.terms.milestoneShares;
        if (shares == 0) return (record.terms.reward, true);
        isLast = record.milestonesSettled + 1 >= _milestoneCount(shares);
        amount =
            isLast
                ? record.terms.reward - record.rewardSettled
                : (_shareOf(shares, record.milestonesSettled) * record.terms.reward) / BPS;
    }

    function _shareOf(bytes32 shares, uint256 index) private pure returns (uint256) {
        return (uint256(shares) >> (240 - 16 * index)) & 0xffff;
    }

    function _milestoneCount(bytes32 shares) private pure returns (uint256 count) {
        while (count < 16 && _shareOf(shares, count) != 0) ++count;
    }

    /// @dev A settlement (`before` and the snapshot taken here are of the executor, the poster and the verifier): each
    /// received exactly what `e` says — the executor its payout, with its bond when the task ends; the poster the
    /// rest of the amount and an unearned verifier fee; the verifier its fee — and the fee accrued. After an earlier
    /// milestone the executor works on the next one, with a fresh execution window.
    function _bookSettlement(
        uint256 taskId,
        TaskStore.TaskRecord memory record,
        Snapshot memory before,
        address executor,
        Expected memory e,
        string memory action
    ) private {
        Snapshot memory afterwards = _snapshot3(
            record.terms.token,
            executor,
            record.terms.poster,
            record.terms.verifier
        );
        Flows memory f = _flows(before, afterwards);
        if (record.terms.verifier == address(0)) (f.pushed[2], f.credited[2]) = (0, 0);
        uint256[3] memory received = [
            _received(f.pushed[0], f.credited[0]),
            _received(f.pushed[1], f.credited[1]),
            _received(f.pushed[2], f.credited[2])
        ];
        uint256 feeAccrued = afterwards.fees > before.fees ? afterwards.fees - before.fees : 0;
        uint256 bond = e.isLast ? record.terms.claimBond : 0;
        _checkSettlement(taskId, record, executor, e, received, action);
        if (feeAccrued != e.fee || afterwards.fees < before.fees) {
            _violate(TaskStore.Check.Identity, taskId, string.concat(action, ": fee is not the snapshotted one"), "");
        }
        uint256 bondPart = received[0] > bond ? bond : received[0];
        record.rewardToExecutor += received[0] - bondPart;
        record.bondsToExecutors += bondPart;
        _bookReturnedEscrow(record, received[1], e.verifierFeeRefund);
        record.verifierFeeToVerifier += received[2];
        record.feeTaken += feeAccrued;
        record.expectedFee += e.fee;
        if (e.byVerifier) record.verifierPaid = true;
        record.held = false;
        if (e.isLast) {
            record.bondHeld = false;
            record.closed = true;
        } else {
            record.milestonesSettled += 1;
            record.rewardSettled += e.amount;
            record.executionDeadline = store.currentTime() + record.terms.executionWindow;
            record.rejectedLate = false;
            store.countCall(string.concat(action, ": milestone"));
        }
        store.setRecord(taskId, record);
        _bookSettlementLedger(record.terms.token, f, feeAccrued);
    }

    /// @dev The ledger side of a settlement whose flows are of the executor, the poster and the verifier.
    function _bookSettlementLedger(address tokenAddr, Flows memory f, uint256 feeAccrued) private {
        _bookLedger(
            tokenAddr,
            [uint256(0), _positive(f.pushed[0]) + _positive(f.pushed[2]), _positive(f.pushed[1])],
            _positive(f.credited[0]) + _positive(f.credited[1]) + _positive(f.credited[2])
        );
        TaskStore.TokenLedger memory ledger = store.ledgerOf(tokenAddr);
        ledger.feesAccrued += feeAccrued;
        store.setLedger(tokenAddr, ledger);
    }

    /// @dev The checks of {_bookSettlement}: a claimed task, and each party paid exactly what `e` says.
    function _checkSettlement(
        uint256 taskId,
        TaskStore.TaskRecord memory record,
        address executor,
        Expected memory e,
        uint256[3] memory received,
        string memory action
    ) private {
        if (record.closed || !record.bondHeld) {
            _violate(TaskStore.Check.Transitions, taskId, string.concat(action, " of a task without a claim"), "");
        }
        uint256 bond = e.isLast ? record.terms.claimBond : 0;
        if (received[0] != e.payout + bond || executor != record.executor) {
            _violate(TaskStore.Check.Conservation, taskId, string.concat(action, ": executor not paid exactly"), "");
        }
        if (received[1] != e.refund + e.verifierFeeRefund) {
            _violate(TaskStore.Check.Conservation, taskId, string.concat(action, ": poster not refunded exactly"), "");
        }
        if (received[2] != e.verifierPayment) {
            _violate(TaskStore.Check.Conservation, taskId, string.concat(action, ": verifier not paid exactly"), "");
        }
    }

    /// @dev A rejection: the time on hold, if any, is given back to the executor; the verifier earns its fee if this
    /// is its first decision, and nobody else is paid.
    function _bookRejection(uint256 taskId, TaskStore.TaskRecord memory record, Snapshot memory before) private {
        uint256 currentTime = store.currentTime();
        if (record.held) {
            record.executionDeadline += currentTime - record.heldAt;
            store.countCall("reject: on hold");
        }
        // Mined at or after the execution deadline, a rejection leaves the executor no block to resubmit in.
        record.rejectedLate = currentTime >= record.executionDeadline;
        if (record.rejectedLate) store.countCall("reject: after the execution deadline");
        if (market.stateOf(taskId).executionDeadline != record.executionDeadline) {
            _violate(TaskStore.Check.Transitions, taskId, "reject: execution deadline not the modelled one", "");
        }
        record.held = false;
        _bookVerifierDecision(taskId, record, before, "reject");
    }

    /// @dev A decision that settles nothing (a rejection, a hold): `before` and the snapshot taken here are of the
    /// verifier, the executor and the poster. The verifier receives its fee if this is its first decision; nobody
    /// else receives anything, and no fee accrues.
    function _bookVerifierDecision(
        uint256 taskId,
        TaskStore.TaskRecord memory record,
        Snapshot memory before,
        string memory action
    ) private {
        Snapshot memory afterwards = _snapshot3(
            record.terms.token,
            record.terms.verifier,
            record.executor,
            record.terms.poster
        );
        Flows memory f = _flows(before, afterwards);
        if (record.terms.verifier == address(0)) (f.pushed[0], f.credited[0]) = (0, 0);
        (, uint256 expected) = _escrowLeft(record);
        uint256 toVerifier = _received(f.pushed[0], f.credited[0]);
        bool othersUntouched = f.pushed[1] == 0 && f.credited[1] == 0 && f.pushed[2] == 0 && f.credited[2] == 0;
        if (toVerifier != expected || !othersUntouched || afterwards.fees != before.fees) {
            _violate(TaskStore.Check.Conservation, taskId, string.concat(action, ": verifier fee not paid once"), "");
        }
        record.verifierPaid = true;
        record.verifierFeeToVerifier += toVerifier;
        store.setRecord(taskId, record);
        _bookLedger(record.terms.token, [uint256(0), _positive(f.pushed[0]), 0], _positive(f.credited[0]));
    }

    /// @dev A mutual cancellation: the poster received what is left of the escrow (see {_escrowLeft}) and the
    /// executor its bond.
    function _bookMutualCancel(uint256 taskId, TaskStore.TaskRecord memory record, Snapshot memory before) private {
        Flows memory f = _flows(before, _snapshot(record.terms.token, record.terms.poster, record.executor));
        uint256 toPoster = _received(f.pushed[0], f.credited[0]);
        uint256 toExecutor = _received(f.pushed[1], f.credited[1]);
        (uint256 unpaidReward, uint256 unspentFee) = _escrowLeft(record);
        if (record.closed) _violate(TaskStore.Check.Transitions, taskId, "mutual cancel of a closed task", "");
        if (toPoster != unpaidReward + unspentFee || toExecutor != (record.bondHeld ? record.terms.claimBond : 0)) {
            _violate(TaskStore.Check.Conservation, taskId, "mutual cancel: reward or bond not returned exactly", "");
        }
        _bookReturnedEscrow(record, toPoster, unspentFee);
        record.bondsToExecutors += toExecutor;
        record.bondHeld = false;
        record.held = false;
        record.closed = true;
        store.setRecord(taskId, record);
        _bookLedger(
            record.terms.token,
            [uint256(0), _positive(f.pushed[1]), _positive(f.pushed[0])],
            _positive(f.credited[0]) + _positive(f.credited[1])
        );
    }

    /// @dev Adds `amounts` — deposited, paid out, refunded — and `credited` to the ledger of `tokenAddr`.
    function _bookLedger(address tokenAddr, uint256[3] memory amounts, uint256 credited) private {
        TaskStore.TokenLedger memory ledger = store.ledgerOf(tokenAddr);
        ledger.deposited += amounts[0];
        ledger.paidOut += amounts[1];
        ledger.refunded += amounts[2];
        ledger.credited += credited;
        store.setLedger(tokenAddr, ledger);
    }

    /// @dev What a party received: its balance and credit changes. A party that lost value gets an amount no
    /// task can owe (more than any reward), so that the comparison fails without overflowing later sums.
    function _received(int256 pushed, int256 credited) private pure returns (uint256) {
        if (pushed < 0 || credited < 0) return type(uint128).max;
        return uint256(pushed + credited);
    }

    /*//////////////////////////////////////////////////////////////
                              TRANSITIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev Compares every task's stored and derived status with the last ones seen and checks each change against
    /// the documented edges; only the task acted on may change its stored status, and only as `action` may.
    function _afterAction(uint256 actedTaskId, Action action) private {
        uint256 nextTaskId = market.nextTaskId();
        if (nextTaskId < store.highestNextTaskId()) {
            _violate(TaskStore.Check.Identity, 0, "nextTaskId decreased", "");
        } else {
            store.setHighestNextTaskId(nextTaskId);
        }

        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) {
            uint256 taskId = store.taskIdAt(i);
            TaskStore.LastStatus memory last = store.lastStatusOf(taskId);
            TaskStatus stored = market.stateOf(taskId).status;
            TaskStatus derived = market.statusOf(taskId);
            if (stored == last.stored && derived == last.derived) continue;
            if (stored != last.stored) {
                if (!_storedEdgeAllowed(last.stored, stored)) {
                    _violate(TaskStore.Check.Transitions, taskId, _edge("stored", last.stored, stored), "");
                }
                bool milestones = store.termsOf(taskId).milestoneShares != 0;
                if (taskId != actedTaskId || !_actionWrites(action, last.stored, stored, milestones)) {
                    _violate(
                        TaskStore.Check.Transitions,
                        taskId,
                        _edge("stored, by another call", last.stored, stored),
                        ""
                    );
                }
            }
            if (derived != last.derived && !_derivedEdgeAllowed(last.derived, derived)) {
                _violate(TaskStore.Check.Transitions, taskId, _edge("derived", last.derived, derived), "");
            }
            store.setLastStatus(taskId, stored, derived);
        }
    }

    /// @dev The edges between stored statuses: `Verified` is only ever derived, `Disputed` is entered only from
    /// `Submitted`, and terminal states absorb.
    function _storedEdgeAllowed(TaskStatus from, TaskStatus to) private pure returns (bool) {
        if (from == TaskStatus.None) return to == TaskStatus.Posted;
        if (from == TaskStatus.Posted) {
            return to == TaskStatus.Claimed || to == TaskStatus.Cancelled || to == TaskStatus.Expired;
        }
        if (from == TaskStatus.Claimed || from == TaskStatus.InProgress) {
            // `InProgress → Claimed` is a new claim after the previous one lapsed; `Settled` a verified submission.
            return
                to == TaskStatus.Claimed ||
                to == TaskStatus.InProgress ||
                to == TaskStatus.Submitted ||
                to == TaskStatus.Settled ||
                to == TaskStatus.Cancelled ||
                to == TaskStatus.Expired;
        }
        if (from == TaskStatus.Submitted || from == TaskStatus.Disputed) {
            // `InProgress`: a rejection, or an earlier milestone settled.
            return
                to == TaskStatus.InProgress ||
                to == TaskStatus.Settled ||
                to == TaskStatus.Cancelled ||
                (from == TaskStatus.Submitted && to == TaskStatus.Disputed);
        }
        return false;
    }

    /// @dev The edges between derived statuses (`statusOf`), time-based ones included.
    function _derivedEdgeAllowed(TaskStatus from, TaskStatus to) private pure returns (bool) {
        if (from == TaskStatus.None) return to == TaskStatus.Posted;
        if (from == TaskStatus.Posted) {
            return to == TaskStatus.Claimed || to == TaskStatus.Cancelled || to == TaskStatus.Expired;
        }
        if (from == TaskStatus.Claimed || from == TaskStatus.InProgress) {
            return
                (from == TaskStatus.Claimed && to == TaskStatus.InProgress) ||
                to == TaskStatus.Submitted ||
                to == TaskStatus.Settled ||
                to == TaskStatus.Cancelled ||
                to == TaskStatus.Posted ||
                to == TaskStatus.Expired;
        }
        if (from == TaskStatus.Submitted || from == TaskStatus.Disputed) {
            // `Posted`/`Expired`: a rejection after the execution deadline lapses the claim at once.
            return
                to == TaskStatus.InProgress ||
                to == TaskStatus.Verified ||
                to == TaskStatus.Settled ||
                to == TaskStatus.Cancelled ||
                to == TaskStatus.Posted ||
                to == TaskStatus.Expired ||
                (from == TaskStatus.Submitted && to == TaskStatus.Disputed);
        }
        // `InProgress`: the release of an earlier milestone.
        if (from == TaskStatus.Verified) return to == TaskStatus.Settled || to == TaskStatus.InProgress;
        return false;
    }

    /// @dev Which stored edges each call may write; a settlement returns a task paid in `milestones` to `InProgress`
    /// until its last milestone.
    function _actionWrites(Action action, TaskStatus from, TaskStatus to, bool milestones) private pure returns (bool) {
        bool working = from == TaskStatus.Claimed || from == TaskStatus.InProgress;
        bool underReview = from == TaskStatus.Submitted || from == TaskStatus.Disputed;
        bool settled = to == TaskStatus.Settled || (milestones && to == TaskStatus.InProgress);
        if (action == Action.Create) return from == TaskStatus.None && to == TaskStatus.Posted;
        if (action == Action.Claim) return (from == TaskStatus.Posted || working) && to == TaskStatus.Claimed;
        if (action == Action.Start) return from == TaskStatus.Claimed && to == TaskStatus.InProgress;
        if (action == Action.Submit) return working && to == TaskStatus.Submitted;
        if (action == Action.SubmitVerified) return working && settled;
        if (action == Action.Reject) return underReview && to == TaskStatus.InProgress;
        if (action == Action.Hold) return from == TaskStatus.Submitted && to == TaskStatus.Disputed;
        if (action == Action.Approve || action == Action.Resolve || action == Action.Release) {
            return underReview && settled;
        }
        if (action == Action.Cancel) return (from == TaskStatus.Posted || working) && to == TaskStatus.Cancelled;
        if (action == Action.RefundExpired) {
            return (from == TaskStatus.Posted || working) && to == TaskStatus.Expired;
        }
        if (action == Action.ConsentToCancel) return (working || underReview) && to == TaskStatus.Cancelled;
        return false;
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    /// @dev The handler's clock lives in the store, so that it does not depend on how the runner carries
    /// `block.timestamp` from one call to the next.
    function _syncTime() private {
        vm.warp(store.currentTime());
    }

    function _registerExecutor(address account, ExecutorKind kind, address operator, bool capable) private {
        vm.prank(account);
        registry.register(kind, operator, _capabilities(capable), URI);
        _executors.push(account);
    }

    function _capabilities(bool requiresCapability) private pure returns (bytes32[] memory capabilities) {
        capabilities = new bytes32[](requiresCapability ? 1 : 0);
        if (requiresCapability) capabilities[0] = CAPABILITY;
    }

    function _create(
        TaskTerms memory terms,
        bool requiresCapability
    ) private returns (bool success, uint256 taskId, bytes memory revertData) {
        bytes32[] memory capabilities = _capabilities(requiresCapability);
        uint256 value = terms.token == address(0) ? uint256(terms.reward) + terms.verifierFee : 0;
        if (terms.token != address(0)) {
            vm.prank(terms.poster);
            MockERC20(terms.token).approve(address(market), type(uint256).max);
        }
        vm.prank(terms.poster);
        try market.createTask{ value: value }(terms, capabilities, URI) returns (uint256 id) {
            return (true, id, "");
        } catch (bytes memory data) {
            return (false, 0, data);
        }
    }

    /// @dev Funds with a fresh permit instead of a standing allowance; half the time someone submits the permit
    /// first, as a front-runner would.
    function _createWithPermit(
        TaskTerms memory terms,
        bool requiresCapability,
        bool frontRun
    ) private returns (bool success, uint256 taskId, bytes memory revertData) {
        vm.prank(terms.poster);
        standardToken.approve(address(market), 0);
        uint256 deadline = store.currentTime() + 1 days;
        uint256 funding = uint256(terms.reward) + terms.verifierFee;
        bytes32 structHash = keccak256(
            abi.encode(
                PERMIT_TYPEHASH,
                terms.poster,
                address(market),
                funding,
                standardToken.nonces(terms.poster),
                deadline
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", standardToken.DOMAIN_SEPARATOR(), structHash));
        PermitSignature memory permit;
        (permit.v, permit.r, permit.s) = vm.sign(_keys[terms.poster], digest);
        permit.deadline = deadline;
        if (frontRun) {
            standardToken.permit(terms.poster, address(market), funding, deadline, permit.v, permit.r, permit.s);
        }
        bytes32[] memory capabilities = _capabilities(requiresCapability);
        vm.prank(terms.poster);
        try market.createTaskWithPermit(terms, capabilities, URI, permit) returns (uint256 id) {
            return (true, id, "");
        } catch (bytes memory data) {
            return (false, 0, data);
        }
    }

    /// @dev Picks a task whose derived status is in `statusMask`, scanning from a random start; one pick in four
    /// ignores the mask, so that calls in the wrong state are tried too.
    function _pickTask(uint256 seed, uint256 statusMask) private view returns (bool found, uint256 taskId) {
        uint256 count = store.taskCount();
        if (count == 0) return (false, 0);
        uint256 first = seed % count;
        if (_oneIn(4, seed, 2)) return (true, store.taskIdAt(first));
        for (uint256 i = 0; i < count; ++i) {
            uint256 candidate = store.taskIdAt((first + i) % count);
            if (_isIn(market.statusOf(candidate), statusMask)) return (true, candidate);
        }
        return (true, store.taskIdAt(first));
    }

    /// @dev Usually an account and a token in which it holds a credit, scanning from a random start; one time in
    /// four (or when nobody holds a credit), any pair.
    function _pickCredit(uint256 accountSeed, uint256 tokenSeed) private view returns (address, address) {
        uint256 accountCount = _accounts.length;
        uint256 tokenCount = _tokens.length;
        if (!_oneIn(4, accountSeed, 5)) {
            for (uint256 i = 0; i < accountCount * tokenCount; ++i) {
                address account = _accounts[((accountSeed % accountCount) + i / tokenCount) % accountCount];
                address tokenAddr = _tokens[((tokenSeed % tokenCount) + i) % tokenCount];
                if (market.creditOf(account, tokenAddr) != 0) return (account, tokenAddr);
            }
        }
        return (_accounts[accountSeed % accountCount], _tokens[tokenSeed % tokenCount]);
    }

    /// @dev A task that no settling, refunding or cancelling call has closed yet, scanning from a random start.
    function _pickOpenTask(uint256 seed) private view returns (bool found, uint256 taskId) {
        uint256 count = store.taskCount();
        if (count == 0) return (false, 0);
        uint256 first = seed % count;
        for (uint256 i = 0; i < count; ++i) {
            uint256 candidate = store.taskIdAt((first + i) % count);
            if (!store.recordOf(candidate).closed) return (true, candidate);
        }
        return (false, 0);
    }

    function _only(TaskStatus status) private pure returns (uint256) {
        return 1 << uint256(status);
    }

    function _isIn(TaskStatus status, uint256 statusMask) private pure returns (bool) {
        return statusMask & _only(status) != 0;
    }

    function _working() private pure returns (uint256) {
        return _only(TaskStatus.Claimed) | _only(TaskStatus.InProgress);
    }

    /// @dev A submission awaiting a decision: in its review window, or on hold.
    function _underReview() private pure returns (uint256) {
        return _only(TaskStatus.Submitted) | _only(TaskStatus.Disputed);
    }

    /// @dev Usually the account entitled to make the call; one time in five, a random account.
    function _callerOr(address entitled, uint256 seed) private view returns (address caller, bool authorized) {
        caller = !_honestCalls && _oneIn(5, seed, 1) ? _accounts[(seed >> 8) % _accounts.length] : entitled;
        authorized = caller == entitled;
    }

    /// @dev A one-in-`n` chance drawn from a hash of `seed`, so that it does not depend on the seed's magnitude (the
    /// fuzzer likes small values).
    function _oneIn(uint256 n, uint256 seed, uint256 salt) private pure returns (bool) {
        return uint256(keccak256(abi.encode(seed, salt))) % n == 0;
    }

    /// @dev Usually an executor eligible for the task, scanning from a random start; one time in four, any executor.
    function _pickClaimer(
        uint256 seed,
        TaskTerms memory terms,
        bool requiresCapability
    ) private view returns (address) {
        uint256 count = _executors.length;
        uint256 first = seed % count;
        if (!_honestCalls && _oneIn(4, seed, 3)) return _executors[first];
        for (uint256 i = 0; i < count; ++i) {
            address candidate = _executors[(first + i) % count];
            if (_claimShouldSucceed(candidate, terms, requiresCapability)) return candidate;
        }
        return _executors[first];
    }

    function _verifierOf(TaskTerms memory terms) private pure returns (address) {
        return terms.verifier == address(0) ? terms.poster : terms.verifier;
    }

    /// @dev Like {_callerOr} for the calls of a delegated verifier only (hold, resolve, submitVerified): without one,
    /// the poster tries, and nobody is entitled.
    function _delegatedCallerOr(
        TaskTerms memory terms,
        uint256 seed
    ) private view returns (address caller, bool authorized) {
        (caller, authorized) = _callerOr(_verifierOf(terms), seed);
        authorized = authorized && terms.verifier != address(0);
    }

    function _claimShouldSucceed(
        address claimer,
        TaskTerms memory terms,
        bool requiresCapability
    ) private view returns (bool) {
        Eligibility eligibility = registry.eligibilityOf(
            claimer,
            terms.executorKind,
            _capabilities(requiresCapability)
        );
        if (eligibility != Eligibility.Eligible) return false;
        address operator = registry.operatorOf(claimer);
        if (operator != address(0) && (operator == terms.poster || operator == terms.verifier)) return false;
        bool blocked = terms.token == address(blockableToken) && blockableToken.isBlocked(claimer);
        return !(blocked && terms.claimBond != 0);
    }

    /// @dev Whether a withdrawal to `to` can only fail through a fault of the market.
    function _accepts(address tokenAddr, address to) private view returns (bool) {
        if (tokenAddr == address(0)) return to.code.length == 0;
        if (tokenAddr == address(blockableToken)) return !blockableToken.isBlocked(to);
        return true;
    }

    function _expectStatusBefore(uint256 taskId, string memory action, TaskStatus found, uint256 allowedMask) private {
        if (!_isIn(found, allowedMask)) {
            _violate(
                TaskStore.Check.Transitions,
                taskId,
                string.concat(action, " succeeded in status ", vm.toString(uint256(found))),
                ""
            );
        }
    }

    function _fund(address tokenAddr, address account, uint256 amount) private {
        if (amount == 0) return;
        if (tokenAddr == address(0)) {
            vm.deal(account, account.balance + amount);
        } else if (tokenAddr != address(blockableToken) || !blockableToken.isBlocked(account)) {
            MockERC20(tokenAddr).mint(account, amount);
        }
    }

    function _balanceOf(address tokenAddr, address account) private view returns (uint256) {
        return tokenAddr == address(0) ? account.balance : MockERC20(tokenAddr).balanceOf(account);
    }

    function _snapshot(address tokenAddr, address first, address second) private view returns (Snapshot memory) {
        return _snapshot3(tokenAddr, first, second, address(0));
    }

    function _snapshot3(
        address tokenAddr,
        address first,
        address second,
        address third
    ) private view returns (Snapshot memory s) {
        address[3] memory parties = [first, second, third];
        for (uint256 i = 0; i < 3; ++i) {
            s.balances[i] = _balanceOf(tokenAddr, parties[i]);
            s.credits[i] = market.creditOf(parties[i], tokenAddr);
        }
        s.fees = market.accruedFeesOf(tokenAddr);
    }

    /// @dev The signed change of each party's balance (`pushed`) and credit (`credited`) between two snapshots.
    function _flows(Snapshot memory before, Snapshot memory afterwards) private pure returns (Flows memory f) {
        for (uint256 i = 0; i < 3; ++i) {
            f.pushed[i] = int256(afterwards.balances[i]) - int256(before.balances[i]);
            f.credited[i] = int256(afterwards.credits[i]) - int256(before.credits[i]);
        }
    }

    function _positive(int256 value) private pure returns (uint256) {
        return value > 0 ? uint256(value) : 0;
    }

    function _edge(string memory kind, TaskStatus from, TaskStatus to) private pure returns (string memory) {
        return
            string.concat(
                kind,
                " edge ",
                vm.toString(uint256(from)),
                " -> ",
                vm.toString(uint256(to)),
                " is not documented"
            );
    }

    function _violate(TaskStore.Check check, uint256 taskId, string memory message, bytes memory revertData) private {
        string memory detail = string.concat(message, " (task ", vm.toString(taskId), ")");
        if (revertData.length != 0) detail = string.concat(detail, " revert data ", vm.toString(revertData));
        store.recordViolation(check, detail);
    }
}
