// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { CommonBase } from "forge-std/Base.sol";
import { StdCheats } from "forge-std/StdCheats.sol";

import { ExecutorRegistry } from "../../../../contracts/ExecutorRegistry.sol";
import { TaskMarket } from "../../../../contracts/TaskMarket.sol";
import { PanelArbitrator } from "../../../../contracts/arbitration/PanelArbitrator.sol";
import { IPanelArbitrator } from "../../../../contracts/interfaces/arbitration/IPanelArbitrator.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { IOptimisticModule } from "../../../../contracts/interfaces/verification/IOptimisticModule.sol";
import { IReviewModule } from "../../../../contracts/interfaces/verification/IReviewModule.sol";
import { ExecutorKind, TaskState, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { DisputableModule } from "../../../../contracts/verification/DisputableModule.sol";
import { OptimisticModule } from "../../../../contracts/verification/OptimisticModule.sol";
import { ReviewModule } from "../../../../contracts/verification/ReviewModule.sol";
import { EthRefusingAccount } from "../../mocks/AttackReceivers.sol";
import { DisputeStore } from "../stores/DisputeStore.sol";

/// @notice What the disputes handler is built on: its accounts, the measurement of every account's ETH (balance plus
/// credits in the market, both modules and the panel), the model of what each call must pay and to whom, and the
/// checks of tasks and contests against that model that run after every call.
/// @dev The model restates the documented rules (`ITaskMarket`, `IDisputableModule`, `IPanelArbitrator`): it is never
/// read back from the contracts. The contracts' state is read only to decide what to try and to compare.
abstract contract DisputesHandlerBase is CommonBase, StdCheats {
    /// @dev What a call looks for when it picks a task.
    enum Pick {
        Posted,
        Working,
        ReviewSubmitted,
        OptimisticSubmitted,
        Verified,
        Expired,
        Active,
        Open,
        AwaitingRespondent,
        Arbitrating,
        Ruled,
        Contested,
        Lapsed
    }

    /// @dev What a call looks for when it picks a panel dispute.
    enum DisputePick {
        Voting,
        Undelivered,
        Unresolved,
        Refundable
    }

    /// @dev Every account's ETH (balance plus credits) and the market's accrued protocol fees.
    struct Measure {
        int256[] values;
        uint256 fees;
    }

    /// @dev A call to try: who makes it, where, with what; whether the state and the caller allow it (a success
    /// otherwise is a D6 violation) and whether it is entitled to succeed (a failure then is a D6 violation).
    struct Call {
        string action;
        uint256 taskId;
        address caller;
        address target;
        uint256 value;
        bytes data;
        bool allowed;
        bool entitled;
    }

    /// @dev What a call must change: each account's ETH, and the market's accrued protocol fees.
    struct Expect {
        int256[] received;
        int256 feesDelta;
        bool unknownRecipient;
    }

    uint256 internal constant MAX_TASKS = 16;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant ACTOR_BALANCE = 1e9 ether;
    uint256 internal constant RULINGS = 11;
    string internal constant URI = "ipfs://disputes-invariant";

    TaskMarket public immutable market;
    ExecutorRegistry public immutable registry;
    ReviewModule public immutable reviewModule;
    OptimisticModule public immutable optimisticModule;
    PanelArbitrator public immutable panel;
    DisputeStore public immutable store;
    address public immutable treasury;

    uint256 internal immutable feePaymentPeriod;
    uint256 internal immutable rulingPeriod;
    uint256 internal immutable executionPeriod;
    uint256 internal immutable treasuryShareBps;

    /// @dev Every account whose ETH is measured: the actors, then the treasury (the market's fee recipient).
    address[] internal _accounts;
    string[] internal _names;
    address[] internal _posters;
    address[] internal _executors;
    address[] internal _challengers;
    address[] internal _arbiters;
    address internal _reviewer;
    address internal _stranger;
    mapping(address account => uint256 key) internal _keys;
    mapping(address account => uint256 indexPlusOne) internal _indexOf;
    EthRefusingAccount internal _contractExecutor;
    EthRefusingAccount internal _contractChallenger;
    /// @dev Set while `advance` runs: every call is then made by the account entitled to make it, with valid inputs.
    bool internal _honest;

    constructor(
        TaskMarket market_,
        ExecutorRegistry registry_,
        ReviewModule reviewModule_,
        OptimisticModule optimisticModule_,
        PanelArbitrator panel_,
        DisputeStore store_,
        address owner_
    ) {
        market = market_;
        registry = registry_;
        reviewModule = reviewModule_;
        optimisticModule = optimisticModule_;
        panel = panel_;
        store = store_;
        feePaymentPeriod = reviewModule_.FEE_PAYMENT_PERIOD();
        rulingPeriod = reviewModule_.RULING_PERIOD();
        executionPeriod = reviewModule_.EXECUTION_PERIOD();
        treasuryShareBps = reviewModule_.TREASURY_SHARE_BPS();

        _createActors(owner_);

        address treasury_ = market_.feeRecipient();
        treasury = treasury_;
        _addAccount(treasury_, "treasury");
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice Every account whose ETH is measured (the treasury last).
    function accounts() external view returns (address[] memory) {
        return _accounts;
    }

    /*//////////////////////////////////////////////////////////////
                                ACCOUNTS
    //////////////////////////////////////////////////////////////*/

    /// @dev Every actor, funded: posters, executors (two humans, a contract, an agent operated by an arbiter), the
    /// reviewer, challengers (one a contract), the panel's arbiters and a stranger.
    function _createActors(address owner_) private {
        for (uint256 i = 0; i < 2; ++i) _posters.push(_newActor(string.concat("poster-", vm.toString(i))));
        for (uint256 i = 0; i < 2; ++i) {
            address executor = _newActor(string.concat("executor-", vm.toString(i)));
            _register(executor);
            _executors.push(executor);
        }
        // Both contract accounts start out refusing ETH: what they are paid is credited until they accept it.
        _contractExecutor = new EthRefusingAccount();
        _addAccount(address(_contractExecutor), "contract-executor");
        _register(address(_contractExecutor));
        _executors.push(address(_contractExecutor));
        _reviewer = _newActor("reviewer");
        for (uint256 i = 0; i < 2; ++i) _challengers.push(_newActor(string.concat("challenger-", vm.toString(i))));
        _contractChallenger = new EthRefusingAccount();
        _addAccount(address(_contractChallenger), "contract-challenger");
        _challengers.push(address(_contractChallenger));
        for (uint256 i = 0; i < 3; ++i) {
            address arbiter = _newActor(string.concat("arbiter-", vm.toString(i)));
            vm.prank(owner_);
            panel.addArbiter(arbiter);
            _arbiters.push(arbiter);
        }
        // An agent executor operated by an arbiter: that arbiter is a party to (and may not vote on) its disputes.
        address agent = _newActor("agent-executor");
        _registerAgent(agent, _arbiters[_arbiters.length - 1]);
        _executors.push(agent);
        _stranger = _newActor("stranger");
        for (uint256 i = 0; i < _accounts.length; ++i) vm.deal(_accounts[i], ACTOR_BALANCE);
    }

    function _newActor(string memory name) private returns (address account) {
        uint256 key;
        (account, key) = makeAddrAndKey(string.concat("disputes-", name));
        _keys[account] = key;
        _addAccount(account, name);
    }

    function _addAccount(address account, string memory name) private {
        _accounts.push(account);
        _names.push(name);
        _indexOf[account] = _accounts.length;
        vm.label(account, string.concat("disputes-", name));
    }

    function _register(address account) private {
        vm.prank(account);
        registry.register(ExecutorKind.Human, address(0), new bytes32[](0), URI);
    }

    function _registerAgent(address account, address operator) private {
        vm.prank(account);
        registry.register(ExecutorKind.Agent, operator, new bytes32[](0), URI);
    }

    /// @dev Any actor (never the treasury).
    function _anyActor(uint256 seed) internal view returns (address) {
        return _accounts[seed % (_accounts.length - 1)];
    }

    /// @dev Usually the account entitled to make the call; one time in five (never while honest), any actor.
    function _callerOr(address entitled, uint256 seed) internal view returns (address) {
        return !_honest && _oneIn(5, seed, 101) ? _anyActor(seed >> 8) : entitled;
    }

    function _isExecutor(address account) internal view returns (bool) {
        for (uint256 i = 0; i < _executors.length; ++i) if (_executors[i] == account) return true;
        return false;
    }

    function _isArbiter(address account) internal view returns (bool) {
        for (uint256 i = 0; i < _arbiters.length; ++i) if (_arbiters[i] == account) return true;
        return false;
    }

    function _acceptsEth(address account) internal view returns (bool) {
        return account.code.length == 0 || !EthRefusingAccount(payable(account)).refusesEth();
    }

    /// @dev A one-in-`n` chance drawn from a hash of `seed`, so that it does not depend on the seed's magnitude.
    function _oneIn(uint256 n, uint256 seed, uint256 salt) internal pure returns (bool) {
        return uint256(keccak256(abi.encode(seed, salt))) % n == 0;
    }

    /// @dev `x` mapped into `[low, high]` (a plain modulo: the fuzzer's seeds need no shrinking-friendly bound).
    function _range(uint256 x, uint256 low, uint256 high) internal pure returns (uint256) {
        return low + (x % (high - low + 1));
    }

    function _hash(uint256 seed, uint256 salt) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(seed, salt)));
    }

    function _callAs(
        address caller,
        address target,
        uint256 value,
        bytes memory data
    ) internal returns (bool success, bytes memory result) {
        vm.prank(caller);
        (success, result) = target.call{ value: value }(data);
    }

    function _call(
        string memory action,
        uint256 taskId,
        address caller,
        address target
    ) internal pure returns (Call memory call) {
        call.action = action;
        call.taskId = taskId;
        call.caller = caller;
        call.target = target;
    }

    /// @dev Makes the call, measuring every account first; records a D6 violation if an entitled call failed or a
    /// call that is not allowed succeeded.
    function _attempt(Call memory call) internal returns (bool success, Measure memory before, bytes memory result) {
        before = _measure();
        (success, result) = _callAs(call.caller, call.target, call.value, call.data);
        if (!success && call.entitled) {
            _violate(DisputeStore.Check.Liveness, call.taskId, string.concat(call.action, " failed"), result);
        }
        if (success && !call.allowed) {
            _violate(
                DisputeStore.Check.Authority,
                call.taskId,
                string.concat(call.action, " succeeded unentitled"),
                ""
            );
        }
    }

    function _signature(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        if (key == 0) return "";
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /*//////////////////////////////////////////////////////////////
                                 TASKS
    //////////////////////////////////////////////////////////////*/

    function _load(uint256 taskId) internal view returns (DisputeStore.TaskModel memory t, TaskTerms memory terms) {
        t = store.taskOf(taskId);
        terms = store.termsOf(taskId);
    }

    function _moduleOf(TaskTerms memory terms) internal pure returns (DisputableModule) {
        return DisputableModule(payable(terms.verifier));
    }

    function _reviewConfig(DisputeStore.TaskModel memory t) internal view returns (IReviewModule.ReviewConfig memory) {
        return IReviewModule.ReviewConfig({ reviewer: _reviewer, arbitrator: panel, contestWindow: t.contestWindow });
    }

    function _optimisticConfig(
        DisputeStore.TaskModel memory t
    ) internal view returns (IOptimisticModule.OptimisticConfig memory) {
        return IOptimisticModule.OptimisticConfig({ arbitrator: panel, challengeBond: t.challengeBond });
    }

    /// @dev Whether the task's contest is the one holding its current submission: the market holds the submission
    /// it is about, and the hold has not run out. A contest that is not live has lapsed: it may only be closed.
    function _live(DisputeStore.TaskModel memory t) internal view returns (bool) {
        return
            t.contest.phase != IDisputableModule.ContestPhase.None &&
            t.held &&
            t.contest.submission == t.submission &&
            block.timestamp <= t.holdUntil;
    }

    /// @dev Picks a task that matches `pick`, scanning from a random start; one pick in four (never while honest)
    /// ignores it, so that calls in the wrong state are tried too.
    function _pickTask(uint256 seed, Pick pick) internal view returns (bool found, uint256 taskId) {
        uint256 count = store.taskCount();
        if (count == 0) return (false, 0);
        uint256 first = seed % count;
        if (!_honest && _oneIn(4, seed, 102)) return (true, store.taskIdAt(first));
        for (uint256 i = 0; i < count; ++i) {
            uint256 candidate = store.taskIdAt((first + i) % count);
            if (_matches(candidate, pick)) return (true, candidate);
        }
        return (!_honest, store.taskIdAt(first));
    }

    function _matches(uint256 taskId, Pick pick) internal view returns (bool) {
        TaskStatus status = market.statusOf(taskId);
        TaskTerms memory terms = store.termsOf(taskId);
        if (pick == Pick.Posted) return status == TaskStatus.Posted;
        if (pick == Pick.Working) return status == TaskStatus.Claimed || status == TaskStatus.InProgress;
        if (pick == Pick.ReviewSubmitted || pick == Pick.OptimisticSubmitted) {
            bool review = terms.verifier == address(reviewModule);
            return status == TaskStatus.Submitted && review == (pick == Pick.ReviewSubmitted);
        }
        if (pick == Pick.Verified) return status == TaskStatus.Verified;
        if (pick == Pick.Expired) return status == TaskStatus.Expired && !store.taskOf(taskId).closed;
        if (pick == Pick.Active) {
            return
                status == TaskStatus.Claimed ||
                status == TaskStatus.InProgress ||
                status == TaskStatus.Submitted ||
                status == TaskStatus.Disputed;
        }
        IDisputableModule.ContestPhase phase = _moduleOf(terms).contestOf(taskId).phase;
        if (pick == Pick.Open) return phase == IDisputableModule.ContestPhase.Open;
        if (pick == Pick.AwaitingRespondent) return phase == IDisputableModule.ContestPhase.AwaitingRespondent;
        if (pick == Pick.Arbitrating) return phase == IDisputableModule.ContestPhase.Arbitrating;
        if (pick == Pick.Ruled) return phase == IDisputableModule.ContestPhase.Ruled;
        if (pick == Pick.Contested) return phase != IDisputableModule.ContestPhase.None;
        return phase != IDisputableModule.ContestPhase.None && status != TaskStatus.Disputed;
    }

    /// @dev A panel dispute matching `pick`, scanning from a random start; one pick in four (never while honest),
    /// any dispute.
    function _pickDispute(uint256 seed, DisputePick pick) internal view returns (bool found, uint256 disputeId) {
        uint256 count = store.disputeCount();
        if (count == 0) return (false, 0);
        uint256 first = seed % count;
        if (!_honest && _oneIn(4, seed, 103)) return (true, first + 1);
        for (uint256 i = 0; i < count; ++i) {
            uint256 candidate = ((first + i) % count) + 1;
            DisputeStore.DisputeModel memory d = store.disputeOf(candidate);
            bool open = !d.solved && !d.closed;
            if (pick == DisputePick.Voting && open && block.timestamp <= d.votingDeadline) return (true, candidate);
            if (pick == DisputePick.Undelivered && d.solved && !d.delivered) return (true, candidate);
            if (pick == DisputePick.Unresolved && open && block.timestamp > d.votingDeadline) return (true, candidate);
            if (pick == DisputePick.Refundable && d.closed && !d.reclaimed) return (true, candidate);
        }
        return (!_honest, first + 1);
    }

    /*//////////////////////////////////////////////////////////////
                              MEASUREMENT
    //////////////////////////////////////////////////////////////*/

    /// @dev Each account's ETH: its balance plus what the market, both modules and the panel credit it.
    function _measure() internal view returns (Measure memory m) {
        m.values = new int256[](_accounts.length);
        for (uint256 i = 0; i < _accounts.length; ++i) m.values[i] = int256(_ethOf(_accounts[i]));
        m.fees = market.accruedFeesOf(address(0));
    }

    function _ethOf(address account) internal view returns (uint256) {
        return
            account.balance +
            market.creditOf(account, address(0)) +
            reviewModule.creditOf(account) +
            optimisticModule.creditOf(account) +
            panel.creditOf(account);
    }

    function _newExpect() internal view returns (Expect memory e) {
        e.received = new int256[](_accounts.length);
    }

    function _pay(Expect memory e, address account, uint256 amount) internal view {
        if (amount == 0) return;
        uint256 index = _indexOf[account];
        if (index == 0) e.unknownRecipient = true;
        else e.received[index - 1] += int256(amount);
    }

    function _take(Expect memory e, address account, uint256 amount) internal view {
        uint256 index = _indexOf[account];
        if (index == 0) e.unknownRecipient = true;
        else e.received[index - 1] -= int256(amount);
    }

    /// @dev Compares what every account received (or paid) since `before` with what the model expects, books it in the
    /// ledger as measured, and counts the call.
    function _settle(Measure memory before, Expect memory e, string memory action, uint256 taskId) internal {
        Measure memory afterwards = _measure();
        DisputeStore.Ledger memory ledger = store.ledger();
        if (e.unknownRecipient) {
            _violate(DisputeStore.Check.Conservation, taskId, string.concat(action, ": pays an unknown account"), "");
        }
        for (uint256 i = 0; i < _accounts.length; ++i) {
            int256 delta = afterwards.values[i] - before.values[i];
            if (delta != e.received[i]) {
                _violate(
                    DisputeStore.Check.Conservation,
                    taskId,
                    string.concat(
                        action,
                        ": ",
                        _names[i],
                        " received ",
                        vm.toString(delta),
                        " wei instead of ",
                        vm.toString(e.received[i])
                    ),
                    ""
                );
            }
            if (delta < 0) ledger.deposited += uint256(-delta);
            else ledger.paidOut += uint256(delta);
        }
        int256 feesDelta = int256(afterwards.fees) - int256(before.fees);
        if (feesDelta != e.feesDelta) {
            _violate(
                DisputeStore.Check.Conservation,
                taskId,
                string.concat(
                    action,
                    ": protocol fees moved by ",
                    vm.toString(feesDelta),
                    " instead of ",
                    vm.toString(e.feesDelta)
                ),
                ""
            );
        }
        ledger.accruedFees = uint256(int256(ledger.accruedFees) + e.feesDelta);
        store.setLedger(ledger);
        store.countSuccess(action);
    }

    /*//////////////////////////////////////////////////////////////
                                 MODEL
    //////////////////////////////////////////////////////////////*/

    /// @dev Who ends up with the verifier fee: the reviewer of a reviewed task (the module forwards it), the poster of
    /// an optimistic one (nobody reviews).
    function _verifierFeeTo(DisputeStore.TaskModel memory t, TaskTerms memory terms) internal view returns (address) {
        return t.review ? _reviewer : terms.poster;
    }

    /// @dev The current submission is settled with `shareBps` for the executor (`ITaskMarket.resolve`, `approve`,
    /// `release`): its amount splits into payout, fee and refund; after the last milestone the bond returns; a
    /// verifier's first decision earns the verifier fee, an unearned one returns to the poster at the end.
    function _bookSettlement(
        DisputeStore.TaskModel memory t,
        TaskTerms memory terms,
        uint256 shareBps,
        bool byVerifier,
        Expect memory e
    ) internal view {
        (uint256 amount, bool isLast) = _milestoneAmount(terms, t);
        uint256 gross = shareBps == BPS ? amount : (amount * shareBps) / BPS;
        uint256 fee = (gross * terms.feeBps) / BPS;
        uint256 refund = amount - gross;
        if (t.feeHeld && byVerifier) {
            _pay(e, _verifierFeeTo(t, terms), terms.verifierFee);
            t.feeHeld = false;
        } else if (t.feeHeld && isLast) {
            refund += terms.verifierFee;
            t.feeHeld = false;
        }
        _pay(e, t.executor, gross - fee + (isLast ? terms.claimBond : 0));
        _pay(e, terms.poster, refund);
        e.feesDelta += int256(fee);
        t.rewardUnpaid -= amount;
        t.held = false;
        t.reviewDeadline = 0;
        if (isLast) {
            t.closed = true;
            t.bondHeld = false;
        } else {
            t.milestone += 1;
            t.executionDeadline = block.timestamp + terms.executionWindow;
            t.rejectedLate = false;
        }
    }

    /// @dev The module puts the submission on hold until `until` with `shareBps` as its default (`ITaskMarket.hold`);
    /// a first hold is the verifier's first decision and earns the verifier fee.
    function _bookHold(
        DisputeStore.TaskModel memory t,
        TaskTerms memory terms,
        uint256 until,
        uint16 shareBps,
        Expect memory e
    ) internal view {
        if (!t.held) t.heldAt = block.timestamp;
        t.held = true;
        t.holdUntil = until;
        t.holdShareBps = shareBps;
        t.reviewDeadline = until;
        if (t.feeHeld) {
            _pay(e, _verifierFeeTo(t, terms), terms.verifierFee);
            t.feeHeld = false;
        }
    }

    /// @dev The submission is rejected (`ITaskMarket.reject`): time on hold is given back to the executor, and a
    /// rejection at or after the execution deadline lets the claim lapse with the bond returned.
    function _bookRejection(DisputeStore.TaskModel memory t, TaskTerms memory terms, Expect memory e) internal view {
        if (t.held) t.executionDeadline += block.timestamp - t.heldAt;
        t.rejectedLate = t.rejectedLate || block.timestamp >= t.executionDeadline;
        t.held = false;
        t.reviewDeadline = 0;
        if (t.feeHeld) {
            _pay(e, _verifierFeeTo(t, terms), terms.verifierFee);
            t.feeHeld = false;
        }
    }

    /// @dev A claim still held when a task is claimed again, cancelled or refunded has lapsed: its bond goes to the
    /// poster, or back to its executor if the executor's submission was rejected at or after the execution deadline.
    function _bookLapsedBond(DisputeStore.TaskModel memory t, TaskTerms memory terms, Expect memory e) internal view {
        if (!t.bondHeld) return;
        _pay(e, t.rejectedLate ? t.executor : terms.poster, terms.claimBond);
        t.bondHeld = false;
    }

    /// @dev A contest closed as lapsed: every deposit still held goes back (the respondent's fee went to the panel).
    function _bookLapsedClose(DisputeStore.ContestModel memory c, Expect memory e) internal view {
        if (c.phase >= IDisputableModule.ContestPhase.AwaitingRespondent) _pay(e, c.claimant, c.claimantFee + c.bond);
        if (c.phase >= IDisputableModule.ContestPhase.Arbitrating) _pay(e, c.respondent, c.bond);
    }

    /// @dev The deposits of a contest that ends with `outcome` and `shareBps` for the executor (see
    /// `DisputableModule._settleDeposits`): a defaulting respondent, or an agreement before it answered, leaves the
    /// claimant its deposit; a silent arbitrator leaves each side what it still has in the module (the claimant its
    /// fee and bond, the respondent its bond: its fee went to the arbitrator, and comes back through
    /// `reclaimArbitrationFee` if the panel refunds it); an agreement splits the claimant's fee evenly and returns both
    /// bonds; a ruling gives the winner (the side with the larger share, the executor on a tie) the claimant's fee, its
    /// bond and the loser's bond less the treasury's share.
    function _bookDeposits(
        DisputeStore.ContestModel memory c,
        IDisputableModule.ContestOutcome outcome,
        uint256 shareBps,
        Expect memory e
    ) internal view {
        if (c.phase < IDisputableModule.ContestPhase.AwaitingRespondent) return;
        bool unanswered = c.phase == IDisputableModule.ContestPhase.AwaitingRespondent;
        if (
            outcome == IDisputableModule.ContestOutcome.RespondentDefaulted ||
            (outcome == IDisputableModule.ContestOutcome.Agreed && unanswered)
        ) {
            _pay(e, c.claimant, c.claimantFee + c.bond);
        } else if (outcome == IDisputableModule.ContestOutcome.ArbitratorSilent) {
            _pay(e, c.claimant, c.claimantFee + c.bond);
            _pay(e, c.respondent, c.bond);
        } else if (outcome == IDisputableModule.ContestOutcome.Agreed) {
            uint256 half = c.claimantFee / 2;
            _pay(e, c.claimant, half + c.bond);
            _pay(e, c.respondent, c.claimantFee - half + c.bond);
        } else {
            bool executorWins = 2 * shareBps >= BPS;
            address winner = executorWins == c.claimantForExecutor ? c.claimant : c.respondent;
            uint256 cut = (c.bond * treasuryShareBps) / BPS;
            _pay(e, treasury, cut);
            _pay(e, winner, c.claimantFee + 2 * c.bond - cut);
        }
    }

    /// @dev A contest ended through the module: the market settles the submission with `shareBps` as a verifier
    /// decision, then the deposits are paid out. Only a live contest may do this (D5).
    function _bookContestEnd(
        uint256 taskId,
        DisputeStore.TaskModel memory t,
        TaskTerms memory terms,
        IDisputableModule.ContestOutcome outcome,
        uint256 shareBps,
        Expect memory e,
        string memory action
    ) internal {
        DisputeStore.ContestModel memory c = t.contest;
        if (!_live(t)) _violateLapsedAction(taskId, t, action);
        _bookSettlement(t, terms, shareBps, true, e);
        _bookDeposits(c, outcome, shareBps, e);
        t.contest = _noContest();
    }

    function _violateLapsedAction(uint256 taskId, DisputeStore.TaskModel memory t, string memory action) internal {
        _violate(
            DisputeStore.Check.Transitions,
            taskId,
            string.concat(
                action,
                " acted on the market through a lapsed contest (contest of submission ",
                vm.toString(t.contest.submission),
                ", current submission ",
                vm.toString(t.submission),
                t.held ? ", held" : ", not held",
                ")"
            ),
            ""
        );
    }

    function _noContest() internal pure returns (DisputeStore.ContestModel memory empty) {}

    /// @dev The amount of the current milestone (the whole reward without milestones), and whether it is the last:
    /// each milestone but the last is its share of the reward rounded down; the last takes what the others left.
    function _milestoneAmount(
        TaskTerms memory terms,
        DisputeStore.TaskModel memory t
    ) internal pure returns (uint256 amount, bool isLast) {
        if (t.milestoneCount == 0) return (terms.reward, true);
        isLast = t.milestone + 1 == t.milestoneCount;
        if (!isLast) return ((_milestoneShare(terms.milestoneShares, t.milestone) * terms.reward) / BPS, false);
        uint256 paid;
        for (uint256 i = 0; i < t.milestone; ++i) {
            paid += (_milestoneShare(terms.milestoneShares, i) * terms.reward) / BPS;
        }
        amount = terms.reward - paid;
    }

    function _milestoneShare(bytes32 packed, uint256 index) internal pure returns (uint256) {
        return (uint256(packed) >> (256 - 16 * (index + 1))) & 0xffff;
    }

    /// @dev The majority a panel dispute needs: over the arbiters who are not parties to it.
    function _majority(address[4] memory parties) internal view returns (uint256) {
        uint256 eligible;
        for (uint256 i = 0; i < _arbiters.length; ++i) {
            bool party;
            for (uint256 j = 0; j < parties.length; ++j) party = party || _arbiters[i] == parties[j];
            if (!party) ++eligible;
        }
        return eligible / 2 + 1;
    }

    /*//////////////////////////////////////////////////////////////
                                 CHECKS
    //////////////////////////////////////////////////////////////*/

    /// @dev Starts a handler call: the clock lives in the store, so that it does not depend on how the runner
    /// carries `block.timestamp` from one call to the next.
    function _begin() internal {
        vm.warp(store.currentTime());
        store.countCall();
    }

    /// @dev Ends a handler call: every task and every dispute is compared with the model.
    function _end() internal {
        _honest = false;
        uint256 count = store.taskCount();
        for (uint256 i = 0; i < count; ++i) _checkTask(store.taskIdAt(i));
        uint256 disputes = store.disputeCount();
        for (uint256 id = 1; id <= disputes; ++id) _checkDispute(id);
    }

    /// @dev D5: a task is stored `Disputed` exactly while the model holds its submission, with the model's hold; its
    /// contest is the model's; a task that reads as `Disputed` is held by the live contest of its current submission;
    /// a task is terminal exactly when the model closed it.
    function _checkTask(uint256 taskId) internal {
        (DisputeStore.TaskModel memory t, TaskTerms memory terms) = _load(taskId);
        TaskState memory state = market.stateOf(taskId);
        TaskStatus derived = market.statusOf(taskId);
        bool terminal =
            state.status == TaskStatus.Settled ||
                state.status == TaskStatus.Cancelled ||
                state.status == TaskStatus.Expired;
        if (terminal != t.closed) {
            _violate(DisputeStore.Check.Transitions, taskId, _statusMessage("terminal status vs model", state), "");
        }
        if ((state.status == TaskStatus.Disputed) != t.held) {
            _violate(
                DisputeStore.Check.Transitions,
                taskId,
                _statusMessage("stored Disputed vs model hold", state),
                ""
            );
        }
        if (state.status == TaskStatus.Disputed) {
            (, , uint16 holdShareBps) = market.progressOf(taskId);
            if (state.reviewDeadline != t.holdUntil || holdShareBps != t.holdShareBps) {
                _violate(DisputeStore.Check.Transitions, taskId, "hold differs from the model", "");
            }
        }
        IDisputableModule.Contest memory actual = _moduleOf(terms).contestOf(taskId);
        if (!_sameContest(actual, t.contest)) {
            _violate(
                DisputeStore.Check.Transitions,
                taskId,
                string.concat(
                    "contest differs from the model: phase ",
                    vm.toString(uint256(actual.phase)),
                    ", model ",
                    vm.toString(uint256(t.contest.phase))
                ),
                ""
            );
        }
        if (derived == TaskStatus.Disputed && !_live(t)) {
            _violate(DisputeStore.Check.Transitions, taskId, "Disputed without a live contest holding it", "");
        }
    }

    function _statusMessage(string memory what, TaskState memory state) private pure returns (string memory) {
        return string.concat(what, ": stored status ", vm.toString(uint256(state.status)));
    }

    function _sameContest(
        IDisputableModule.Contest memory actual,
        DisputeStore.ContestModel memory model
    ) internal view returns (bool) {
        bool arbitrated = model.phase >= IDisputableModule.ContestPhase.Arbitrating;
        return
            actual.phase == model.phase &&
            actual.rejection == model.rejection &&
            actual.claimantForExecutor == model.claimantForExecutor &&
            actual.decisionShareBps == model.decisionShareBps &&
            actual.rulingShareBps == model.rulingShareBps &&
            actual.deadline == model.deadline &&
            actual.claimant == model.claimant &&
            actual.respondent == model.respondent &&
            address(actual.arbitrator) == (model.claimant == address(0) ? address(0) : address(panel)) &&
            actual.arbitratorDisputeId == (arbitrated ? model.disputeId : 0) &&
            actual.claimantFee == model.claimantFee &&
            actual.bond == model.bond;
    }

    function _checkDispute(uint256 disputeId) internal {
        DisputeStore.DisputeModel memory d = store.disputeOf(disputeId);
        IPanelArbitrator.PanelDispute memory actual = panel.disputeOf(disputeId);
        bool same =
            actual.solved == d.solved &&
                actual.closed == d.closed &&
                actual.delivered == d.delivered &&
                actual.ruling == d.ruling &&
                actual.fee == d.fee &&
                actual.votingDeadline == d.votingDeadline &&
                actual.majority == d.majority &&
                address(actual.arbitrable) == d.module;
        if (!same) {
            _violate(
                DisputeStore.Check.Transitions,
                d.taskId,
                string.concat("panel dispute ", vm.toString(disputeId), " differs from the model"),
                ""
            );
        }
    }

    function _violate(
        DisputeStore.Check check,
        uint256 taskId,
        string memory message,
        bytes memory revertData
    ) internal {
        string memory detail = string.concat(
            message,
            " (task ",
            vm.toString(taskId),
            ", t=",
            vm.toString(block.timestamp),
            ")"
        );
        if (revertData.length != 0) detail = string.concat(detail, " revert data ", vm.toString(revertData));
        store.recordViolation(check, detail);
    }
}
