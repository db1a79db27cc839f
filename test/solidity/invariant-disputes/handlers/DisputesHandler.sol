// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ExecutorRegistry } from "../../../../contracts/ExecutorRegistry.sol";
import { TaskMarket } from "../../../../contracts/TaskMarket.sol";
import { PanelArbitrator } from "../../../../contracts/arbitration/PanelArbitrator.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { ExecutorKind, TaskState, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { OptimisticModule } from "../../../../contracts/verification/OptimisticModule.sol";
import { ReviewModule } from "../../../../contracts/verification/ReviewModule.sol";
import { EthRefusingAccount } from "../../mocks/AttackReceivers.sol";
import { DisputeStore } from "../stores/DisputeStore.sol";
import { DisputesHandlerBase } from "./DisputesHandlerBase.sol";

/// @notice Drives random sequences of ETH tasks verified by a `ReviewModule` (with a contest window) and an
/// `OptimisticModule`, both arbitrated by one three-arbiter `PanelArbitrator`: creation (optional verifier fee,
/// optional two or three milestones), claims, submissions, the reviewer's decisions, disputes, challenges, answers,
/// votes, rulings and their execution, timeouts, signed agreements, lapsed contests, release, expiry refunds, mutual
/// cancellation, the withdrawal of every kind of credit, and time passing by up to forty days, so that any party may
/// stay silent at any step. Two contract accounts (an executor and a challenger) can start refusing ETH, so that
/// payments get credited.
///
/// Every successful call is measured at every account (balance + credits) and compared with the model; anything that
/// contradicts it is recorded in the store as a violation (never reverted: a reverting handler call is discarded).
contract DisputesHandler is DisputesHandlerBase {
    uint256 internal constant ADVANCE_STEPS = 5;

    constructor(
        TaskMarket market_,
        ExecutorRegistry registry_,
        ReviewModule reviewModule_,
        OptimisticModule optimisticModule_,
        PanelArbitrator panel_,
        DisputeStore store_,
        address owner_
    ) DisputesHandlerBase(market_, registry_, reviewModule_, optimisticModule_, panel_, store_, owner_) {}

    /*//////////////////////////////////////////////////////////////
                                POSTING
    //////////////////////////////////////////////////////////////*/

    function createTask(uint256 posterSeed, uint256 rewardSeed, uint256 bondSeed, uint256 optionsSeed) external {
        _begin();
        _createTask(posterSeed, rewardSeed, bondSeed, optionsSeed);
        _end();
    }

    function _createTask(uint256 posterSeed, uint256 rewardSeed, uint256 bondSeed, uint256 optionsSeed) private {
        if (store.taskCount() >= MAX_TASKS) return;
        (TaskTerms memory terms, DisputeStore.TaskModel memory t) = _draft(
            posterSeed,
            rewardSeed,
            bondSeed,
            _hash(optionsSeed, 1)
        );
        Call memory call = _call(
            t.review ? "createTask: review" : "createTask: optimistic",
            market.nextTaskId(),
            terms.poster,
            address(market)
        );
        call.value = uint256(terms.reward) + terms.verifierFee;
        call.data = abi.encodeCall(market.createTask, (terms, new bytes32[](0), URI));
        (call.allowed, call.entitled) = (true, true);
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        Expect memory e = _newExpect();
        _take(e, terms.poster, call.value);
        store.addTask(call.taskId, terms, t);
        _settle(before, e, call.action, call.taskId);
        if (terms.milestoneShares != 0) store.countSuccess("createTask: milestones");
        if (terms.verifierFee != 0) store.countSuccess("createTask: verifier fee");
    }

    /// @dev Random terms of an ETH task verified by one of the modules, and their model.
    function _draft(
        uint256 posterSeed,
        uint256 rewardSeed,
        uint256 bondSeed,
        uint256 options
    ) private view returns (TaskTerms memory terms, DisputeStore.TaskModel memory t) {
        terms.poster = _posters[posterSeed % _posters.length];
        // One task in five has a reward of a few wei, to exercise the rounding of shares and fees.
        terms.reward = uint128(options % 5 == 0 ? _range(rewardSeed, 1, 1_000) : _range(rewardSeed, 1e12, 100 ether));
        terms.claimBond = uint128((options >> 8) % 4 == 0 ? 0 : _range(bondSeed, 1, 10 ether));
        terms.claimDeadline = uint40(block.timestamp + _range(options >> 16, 1 hours, 10 days));
        terms.executionWindow = uint32(_range(options >> 48, 1 hours, 5 days));
        terms.reviewWindow = uint32(_range(options >> 80, 1 hours, 5 days));
        terms.feeBps = market.protocolFeeBps();
        terms.executorKind = ExecutorKind.Any;
        terms.verifierFee = uint128((options >> 112) % 2 == 0 ? 0 : _range(options >> 120, 1, 1 ether));
        terms.capabilitiesHash = keccak256(abi.encodePacked(new bytes32[](0)));
        terms.documentHash = keccak256(abi.encode("disputes invariant task", store.taskCount(), options));
        // Two tasks in three have milestones: a contest's hold may run out on one milestone while the next goes on.
        if ((options >> 160) % 3 != 0) {
            (terms.milestoneShares, t.milestoneCount) = _milestones(options >> 168);
        }
        t.review = (options >> 240) % 2 == 0;
        if (t.review) {
            t.contestWindow = uint32(_range(options >> 200, 1 hours, reviewModule.MAX_CONTEST_WINDOW()));
            terms.verifier = address(reviewModule);
            terms.verifierConfigHash = reviewModule.configHash(_reviewConfig(t));
        } else {
            t.challengeBond = uint128(_range(bondSeed >> 128, 1, 5 ether));
            terms.verifier = address(optimisticModule);
            terms.verifierConfigHash = optimisticModule.configHash(_optimisticConfig(t));
        }
        t.rewardUnpaid = terms.reward;
        t.feeHeld = terms.verifierFee != 0;
    }

    /// @dev Two or three milestones with random non-zero shares adding up to 100 %.
    function _milestones(uint256 seed) private pure returns (bytes32 packed, uint8 count) {
        count = uint8(2 + (seed % 2));
        uint256 first = _range(seed >> 8, 1, BPS - (count - 1));
        uint256 second = count == 2 ? BPS - first : _range(seed >> 24, 1, BPS - first - 1);
        uint256 lanes = (first << 240) | (second << 224);
        if (count == 3) lanes |= (BPS - first - second) << 208;
        packed = bytes32(lanes);
    }

    /*//////////////////////////////////////////////////////////////
                               EXECUTION
    //////////////////////////////////////////////////////////////*/

    function claim(uint256 taskSeed, uint256 actorSeed) external {
        _begin();
        (bool found, uint256 taskId) = _pickTask(taskSeed, Pick.Posted);
        if (found) _claim(taskId, actorSeed);
        _end();
    }

    function _claim(uint256 taskId, uint256 actorSeed) private {
        (DisputeStore.TaskModel memory t, TaskTerms memory terms) = _load(taskId);
        address claimer =
            _honest || !_oneIn(4, actorSeed, 1) ? _executors[actorSeed % _executors.length] : _anyActor(actorSeed >> 8);
        Call memory call = _call("claim", taskId, claimer, address(market));
        call.value = terms.claimBond;
        call.data = abi.encodeCall(market.claim, (taskId, terms, new bytes32[](0)));
        call.allowed = market.statusOf(taskId) == TaskStatus.Posted && _isExecutor(claimer);
        call.entitled = call.allowed;
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        Expect memory e = _newExpect();
        _take(e, claimer, terms.claimBond);
        _bookLapsedBond(t, terms, e);
        t.bondHeld = true;
        t.executor = claimer;
        t.executionDeadline = block.timestamp + terms.executionWindow;
        t.rejectedLate = false;
        t.posterConsented = false;
        t.executorConsented = false;
        store.setTask(taskId, t);
        _settle(before, e, call.action, taskId);
    }

    function submit(uint256 taskSeed, uint256 actorSeed) external {
        _begin();
        (bool found, uint256 taskId) = _pickTask(taskSeed, Pick.Working);
        if (found) _submit(taskId, actorSeed);
        _end();
    }

    function _submit(uint256 taskId, uint256 actorSeed) private {
        (DisputeStore.TaskModel memory t, TaskTerms memory terms) = _load(taskId);
        TaskStatus status = market.statusOf(taskId);
        bytes32 resultHash = keccak256(abi.encode(taskId, t.submission + 1, actorSeed));
        Call memory call = _call("submit", taskId, _callerOr(t.executor, actorSeed), address(market));
        call.value = 0;
        call.data = abi.encodeCall(market.submit, (taskId, terms, resultHash, URI));
        call.allowed = (status == TaskStatus.Claimed || status == TaskStatus.InProgress) && call.caller == t.executor;
        call.entitled = call.allowed;
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        t.submission += 1;
        t.reviewDeadline = block.timestamp + terms.reviewWindow;
        t.held = false;
        store.setTask(taskId, t);
        _settle(before, _newExpect(), call.action, taskId);
    }

    /*//////////////////////////////////////////////////////////////
                              REVIEW MODULE
    //////////////////////////////////////////////////////////////*/

    /// @dev The reviewer approves (kind 0), rejects (1) or accepts in part (2) a reviewed submission.
    function review(uint256 taskSeed, uint256 actorSeed, uint256 kindSeed) external {
        _begin();
        (bool found, uint256 taskId) = _pickTask(taskSeed, Pick.ReviewSubmitted);
        uint256 kind = kindSeed % 3;
        if (found && kind == 0) _approve(taskId, actorSeed);
        else if (found) _decide(taskId, actorSeed, kindSeed >> 8, kind == 2);
        _end();
    }

    function _approve(uint256 taskId, uint256 actorSeed) private {
        (DisputeStore.TaskModel memory t, TaskTerms memory terms) = _load(taskId);
        Call memory call = _call("reviewer approve", taskId, _callerOr(_reviewer, actorSeed), address(reviewModule));
        call.value = 0;
        call.data = abi.encodeCall(reviewModule.approve, (taskId, terms, _reviewConfig(t)));
        call.allowed = t.review && market.statusOf(taskId) == TaskStatus.Submitted && call.caller == _reviewer;
        call.entitled = call.allowed;
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        Expect memory e = _newExpect();
        _bookSettlement(t, terms, BPS, true, e);
        store.setTask(taskId, t);
        _settle(before, e, call.action, taskId);
    }

    function _decide(uint256 taskId, uint256 actorSeed, uint256 shareSeed, bool partially) private {
        (DisputeStore.TaskModel memory t, TaskTerms memory terms) = _load(taskId);
        uint256 share =
            !partially
                ? 0
                : !_honest && _oneIn(10, shareSeed, 2)
                    ? _range(shareSeed, BPS + 1, type(uint16).max)
                    : _range(shareSeed, 0, BPS);
        Call memory call = _call(
            partially ? "reviewer acceptPartially" : "reviewer reject",
            taskId,
            _callerOr(_reviewer, actorSeed),
            address(reviewModule)
        );
        call.value = 0;
        call.data =
            partially
                ? abi.encodeCall(reviewModule.acceptPartially, (taskId, terms, _reviewConfig(t), uint16(share)))
                : abi.encodeCall(reviewModule.reject, (taskId, terms, _reviewConfig(t), keccak256("reason")));
        call.allowed =
            t.review &&
            market.statusOf(taskId) == TaskStatus.Submitted &&
            call.caller == _reviewer &&
            share <= BPS;
        call.entitled = call.allowed;
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        Expect memory e = _newExpect();
        // A contest left from an earlier submission is closed first: its deposits go back.
        _bookLapsedClose(t.contest, e);
        _bookHold(t, terms, block.timestamp + t.contestWindow, uint16(share), e);
        DisputeStore.ContestModel memory c;
        c.phase = IDisputableModule.ContestPhase.Open;
        c.rejection = !partially;
        c.decisionShareBps = uint16(share);
        c.deadline = block.timestamp + t.contestWindow;
        c.submission = t.submission;
        t.contest = c;
        store.setTask(taskId, t);
        _settle(before, e, call.action, taskId);
    }

    function acceptRejection(uint256 taskSeed, uint256 actorSeed) external {
        _begin();
        (bool found, uint256 taskId) = _pickTask(taskSeed, Pick.Open);
        if (found) _acceptRejection(taskId, actorSeed);
        _end();
    }

    function _acceptRejection(uint256 taskId, uint256 actorSeed) private {
        (DisputeStore.TaskModel memory t, TaskTerms memory terms) = _load(taskId);
        Call memory call = _call("acceptRejection", taskId, _callerOr(t.executor, actorSeed), address(reviewModule));
        call.value = 0;
        call.data = abi.encodeCall(reviewModule.acceptRejection, (taskId, terms));
        call.allowed =
            t.review &&
            t.contest.phase == IDisputableModule.ContestPhase.Open &&
            t.contest.rejection &&
            call.caller == t.executor;
        call.entitled = call.allowed && _live(t);
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        if (!_live(t)) _violateLapsedAction(taskId, t, call.action);
        Expect memory e = _newExpect();
        _bookRejection(t, terms, e);
        t.contest = _noContest();
        store.setTask(taskId, t);
        _settle(before, e, call.action, taskId);
    }

    function dispute(uint256 taskSeed, uint256 actorSeed) external {
        _begin();
        (bool found, uint256 taskId) = _pickTask(taskSeed, Pick.Open);
        if (found) _dispute(taskId, actorSeed);
        _end();
    }

    function _dispute(uint256 taskId, uint256 actorSeed) private {
        (DisputeStore.TaskModel memory t, TaskTerms memory terms) = _load(taskId);
        Call memory call = _disputeCall(taskId, t, terms, actorSeed);
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        if (!_live(t)) _violateLapsedAction(taskId, t, call.action);
        Expect memory e = _newExpect();
        _take(e, call.caller, call.value);
        bool byExecutor = call.caller == t.executor;
        t.contest.phase = IDisputableModule.ContestPhase.AwaitingRespondent;
        t.contest.claimant = call.caller;
        t.contest.respondent = byExecutor ? terms.poster : t.executor;
        t.contest.claimantForExecutor = byExecutor;
        t.contest.deadline = block.timestamp + feePaymentPeriod;
        t.contest.claimantFee = panel.arbitrationCost("");
        // Until the respondent answers, the hold's default is the claimant's win.
        _bookHold(t, terms, t.contest.deadline + executionPeriod, byExecutor ? uint16(BPS) : 0, e);
        store.setTask(taskId, t);
        _settle(before, e, call.action, taskId);
    }

    function _disputeCall(
        uint256 taskId,
        DisputeStore.TaskModel memory t,
        TaskTerms memory terms,
        uint256 actorSeed
    ) private view returns (Call memory call) {
        uint16 decision = t.contest.decisionShareBps;
        bool executorSide = decision == 0 || (decision < BPS && (actorSeed >> 16) % 2 == 0);
        uint256 cost = panel.arbitrationCost("");
        call = _call(
            "dispute",
            taskId,
            _callerOr(executorSide ? t.executor : terms.poster, actorSeed),
            address(reviewModule)
        );
        call.value = !_honest && _oneIn(8, actorSeed, 3) ? cost + 1 : cost;
        call.data = abi.encodeCall(reviewModule.dispute, (taskId, terms, _reviewConfig(t)));
        bool byExecutor = call.caller == t.executor;
        call.allowed =
            t.review &&
            t.contest.phase == IDisputableModule.ContestPhase.Open &&
            block.timestamp <= t.contest.deadline &&
            call.value == cost &&
            ((byExecutor && decision < BPS) || (call.caller == terms.poster && decision > 0));
        call.entitled = call.allowed && _live(t);
    }

    /*//////////////////////////////////////////////////////////////
                            OPTIMISTIC MODULE
    //////////////////////////////////////////////////////////////*/

    function challenge(uint256 taskSeed, uint256 actorSeed) external {
        _begin();
        (bool found, uint256 taskId) = _pickTask(taskSeed, Pick.OptimisticSubmitted);
        if (found) _challenge(taskId, actorSeed);
        _end();
    }

    function _challenge(uint256 taskId, uint256 actorSeed) private {
        (DisputeStore.TaskModel memory t, TaskTerms memory terms) = _load(taskId);
        Call memory call = _challengeCall(taskId, t, terms, actorSeed);
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        Expect memory e = _newExpect();
        // A contest left from an earlier submission is closed first: its deposits go back.
        _bookLapsedClose(t.contest, e);
        _take(e, call.caller, call.value);
        DisputeStore.ContestModel memory c;
        c.phase = IDisputableModule.ContestPhase.AwaitingRespondent;
        c.decisionShareBps = uint16(BPS);
        c.deadline = block.timestamp + feePaymentPeriod;
        c.claimant = call.caller;
        c.respondent = t.executor;
        c.claimantFee = panel.arbitrationCost("");
        c.bond = t.challengeBond;
        c.submission = t.submission;
        t.contest = c;
        _bookHold(t, terms, c.deadline + executionPeriod, 0, e);
        store.setTask(taskId, t);
        _settle(before, e, call.action, taskId);
    }

    function _challengeCall(
        uint256 taskId,
        DisputeStore.TaskModel memory t,
        TaskTerms memory terms,
        uint256 actorSeed
    ) private view returns (Call memory call) {
        // A third of the time one of the challengers (a contract among them), otherwise anyone.
        address caller =
            _oneIn(3, actorSeed, 22) ? _challengers[actorSeed % _challengers.length] : _anyActor(actorSeed);
        if (_honest && caller == t.executor) caller = _challengers[actorSeed % _challengers.length];
        uint256 deposit = panel.arbitrationCost("") + t.challengeBond;
        call = _call("challenge", taskId, caller, address(optimisticModule));
        call.value = !_honest && _oneIn(8, actorSeed, 4) ? deposit - 1 : deposit;
        call.data = abi.encodeCall(optimisticModule.challenge, (taskId, terms, _optimisticConfig(t)));
        call.allowed =
            !t.review &&
            market.statusOf(taskId) == TaskStatus.Submitted &&
            caller != t.executor &&
            call.value == deposit;
        call.entitled = call.allowed;
    }

    /*//////////////////////////////////////////////////////////////
                                CONTESTS
    //////////////////////////////////////////////////////////////*/

    function respond(uint256 taskSeed, uint256 actorSeed) external {
        _begin();
        (bool found, uint256 taskId) = _pickTask(taskSeed, Pick.AwaitingRespondent);
        if (found) _respond(taskId, actorSeed);
        _end();
    }

    function _respond(uint256 taskId, uint256 actorSeed) private {
        (DisputeStore.TaskModel memory t, TaskTerms memory terms) = _load(taskId);
        Call memory call = _respondCall(taskId, t, terms, actorSeed);
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        if (!_live(t)) _violateLapsedAction(taskId, t, call.action);
        Expect memory e = _newExpect();
        _take(e, call.caller, call.value);
        uint256 disputeId = _moduleOf(terms).contestOf(taskId).arbitratorDisputeId;
        if (disputeId != store.disputeCount() + 1) {
            _violate(DisputeStore.Check.Transitions, taskId, "panel dispute ids are not sequential", "");
        }
        _bookNewDispute(disputeId, taskId, terms, t.contest, panel.arbitrationCost(""));
        t.contest.phase = IDisputableModule.ContestPhase.Arbitrating;
        t.contest.disputeId = disputeId;
        t.contest.deadline = block.timestamp + rulingPeriod;
        // If no one carries out the ruling (or the timeout), the hold settles with the contested decision.
        _bookHold(t, terms, t.contest.deadline + executionPeriod, t.contest.decisionShareBps, e);
        store.setTask(taskId, t);
        _settle(before, e, call.action, taskId);
    }

    function _respondCall(
        uint256 taskId,
        DisputeStore.TaskModel memory t,
        TaskTerms memory terms,
        uint256 actorSeed
    ) private view returns (Call memory call) {
        uint256 deposit = panel.arbitrationCost("") + t.contest.bond;
        call = _call("respond", taskId, _callerOr(t.contest.respondent, actorSeed), terms.verifier);
        call.value = !_honest && _oneIn(8, actorSeed, 5) ? deposit + 1 : deposit;
        call.data = abi.encodeCall(IDisputableModule.respond, (taskId, terms));
        call.allowed =
            t.contest.phase == IDisputableModule.ContestPhase.AwaitingRespondent &&
            call.caller == t.contest.respondent &&
            block.timestamp <= t.contest.deadline &&
            call.value == deposit;
        call.entitled = call.allowed && _live(t);
    }

    function _bookNewDispute(
        uint256 disputeId,
        uint256 taskId,
        TaskTerms memory terms,
        DisputeStore.ContestModel memory c,
        uint256 cost
    ) private {
        // The poster, both sides, and the operator of an agent executor (which answers for its agent).
        address executor = c.claimantForExecutor ? c.claimant : c.respondent;
        address[4] memory parties = [terms.poster, c.claimant, c.respondent, registry.operatorOf(executor)];
        address[] memory recorded = panel.partiesOf(disputeId);
        bool same = recorded.length == 4;
        for (uint256 i = 0; same && i < 4; ++i) same = recorded[i] == parties[i];
        if (!same) {
            _violate(
                DisputeStore.Check.Transitions,
                taskId,
                string.concat(
                    "panel dispute names other parties: ",
                    vm.toString(abi.encode(recorded)),
                    " vs ",
                    vm.toString(abi.encode(parties))
                ),
                ""
            );
        }
        DisputeStore.DisputeModel memory d;
        d.taskId = taskId;
        d.module = terms.verifier;
        d.payer = c.respondent;
        d.fee = cost;
        d.votingDeadline = block.timestamp + panel.votingPeriod();
        d.majority = _majority(parties);
        store.addDispute(disputeId, d);
    }

    function vote(uint256 disputeSeed, uint256 actorSeed, uint256 rulingSeed) external {
        _begin();
        (bool found, uint256 disputeId) = _pickDispute(disputeSeed, DisputePick.Voting);
        if (found) _vote(disputeId, actorSeed, rulingSeed);
        _end();
    }

    function _vote(uint256 disputeId, uint256 actorSeed, uint256 rulingSeed) private {
        DisputeStore.DisputeModel memory d = store.disputeOf(disputeId);
        (Call memory call, uint256 ruling, uint256 tally) = _voteCall(disputeId, d, actorSeed, rulingSeed);
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        store.addVote(disputeId, call.caller, ruling);
        Expect memory e = _newExpect();
        if (tally + 1 >= d.majority) {
            d.solved = true;
            d.ruling = ruling;
            _bookFeeShares(disputeId, d, e);
            d.delivered = _bookDelivery(disputeId, d);
            store.countSuccess(d.delivered ? "vote: ruling delivered" : "vote: ruling not deliverable");
        }
        store.setDispute(disputeId, d);
        _settle(before, e, call.action, d.taskId);
    }

    /// @dev A vote, a third of the time for a ruling someone already voted for, so that majorities form (but not
    /// always: some disputes must run out of time); the tally that ruling had before.
    function _voteCall(
        uint256 disputeId,
        DisputeStore.DisputeModel memory d,
        uint256 actorSeed,
        uint256 rulingSeed
    ) private view returns (Call memory call, uint256 ruling, uint256 tally) {
        (address[] memory voters, uint256[] memory rulings) = store.votesOf(disputeId);
        ruling =
            rulings.length != 0 && _oneIn(3, rulingSeed, 6)
                ? rulings[rulingSeed % rulings.length]
                : !_honest && _oneIn(12, rulingSeed, 7)
                    ? RULINGS + 1
                    : _range(rulingSeed, 0, RULINGS);
        for (uint256 i = 0; i < rulings.length; ++i) if (rulings[i] == ruling) ++tally;
        call = _call("vote", d.taskId, _pickVoter(disputeId, voters, actorSeed), address(panel));
        call.value = 0;
        call.data = abi.encodeCall(panel.vote, (disputeId, ruling));
        call.allowed =
            !d.solved &&
            !d.closed &&
            block.timestamp <= d.votingDeadline &&
            _isArbiter(call.caller) &&
            !_isPanelParty(disputeId, call.caller) &&
            !_contains(voters, call.caller) &&
            ruling <= RULINGS;
        call.entitled = call.allowed;
    }

    /// @dev Usually an arbiter who may still vote on the dispute, scanning from a random start; otherwise any arbiter,
    /// or (never while honest) any actor.
    function _pickVoter(uint256 disputeId, address[] memory voters, uint256 seed) private view returns (address) {
        if (!_honest && _oneIn(6, seed, 8)) return _anyActor(seed >> 8);
        uint256 first = seed % _arbiters.length;
        for (uint256 i = 0; i < _arbiters.length && !_oneIn(5, seed, 9); ++i) {
            address candidate = _arbiters[(first + i) % _arbiters.length];
            if (!_contains(voters, candidate) && !_isPanelParty(disputeId, candidate)) return candidate;
        }
        return _arbiters[first];
    }

    /// @dev The fee goes to the arbiters who voted for the ruling, in equal shares, the last voter taking the rest.
    function _bookFeeShares(uint256 disputeId, DisputeStore.DisputeModel memory d, Expect memory e) private view {
        (address[] memory voters, uint256[] memory rulings) = store.votesOf(disputeId);
        uint256 winners;
        for (uint256 i = 0; i < rulings.length; ++i) if (rulings[i] == d.ruling) ++winners;
        uint256 share = d.fee / winners;
        uint256 paid;
        uint256 found;
        for (uint256 i = 0; i < voters.length; ++i) {
            if (rulings[i] != d.ruling) continue;
            uint256 amount = ++found == winners ? d.fee - paid : share;
            paid += amount;
            _pay(e, voters[i], amount);
        }
    }

    /// @dev Whether the ruling reaches the module: only while the task's contest is arbitrating this very dispute.
    /// Ruling 0 (a refusal) leaves the contested decision standing; ruling `r` gives the executor `(r - 1) * 10 %`.
    function _bookDelivery(uint256 disputeId, DisputeStore.DisputeModel memory d) private returns (bool delivered) {
        DisputeStore.TaskModel memory t = store.taskOf(d.taskId);
        delivered = t.contest.phase == IDisputableModule.ContestPhase.Arbitrating && t.contest.disputeId == disputeId;
        if (!delivered) return false;
        t.contest.phase = IDisputableModule.ContestPhase.Ruled;
        t.contest.rulingShareBps = d.ruling == 0 ? t.contest.decisionShareBps : uint16((d.ruling - 1) * 1_000);
        store.setTask(d.taskId, t);
    }

    /// @dev Anyone retries the delivery of a solved dispute's ruling (kind 0), closes a dispute whose voting ended
    /// without a majority (kind 1), or has a module pass the fee the panel refunded for a closed dispute on to the
    /// party that paid it (kind 2).
    function panelHousekeeping(uint256 disputeSeed, uint256 actorSeed, uint256 kindSeed) external {
        _begin();
        uint256 kind = kindSeed % 3;
        DisputePick pick =
            kind == 0
                ? DisputePick.Undelivered
                : kind == 1
                    ? DisputePick.Unresolved
                    : DisputePick.Refundable;
        (bool found, uint256 disputeId) = _pickDispute(disputeSeed, pick);
        if (found && kind == 0) _deliverRuling(disputeId, actorSeed);
        else if (found && kind == 1) _closeUnresolved(disputeId, actorSeed);
        else if (found) _reclaimArbitrationFee(disputeId, actorSeed, kindSeed >> 8);
        _end();
    }

    function _deliverRuling(uint256 disputeId, uint256 actorSeed) private {
        DisputeStore.DisputeModel memory d = store.disputeOf(disputeId);
        DisputeStore.TaskModel memory t = store.taskOf(d.taskId);
        Call memory call = _call("PanelArbitrator.executeRuling", d.taskId, _anyActor(actorSeed), address(panel));
        call.value = 0;
        call.data = abi.encodeCall(panel.executeRuling, (disputeId));
        // The module takes a ruling only while the task's contest is arbitrating this very dispute.
        call.allowed =
            d.solved &&
            !d.delivered &&
            t.contest.phase == IDisputableModule.ContestPhase.Arbitrating &&
            t.contest.disputeId == disputeId;
        call.entitled = call.allowed;
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        d.delivered = _bookDelivery(disputeId, d);
        store.setDispute(disputeId, d);
        _settle(before, _newExpect(), call.action, d.taskId);
    }

    function _closeUnresolved(uint256 disputeId, uint256 actorSeed) private {
        DisputeStore.DisputeModel memory d = store.disputeOf(disputeId);
        Call memory call = _call("PanelArbitrator.closeUnresolved", d.taskId, _anyActor(actorSeed), address(panel));
        call.value = 0;
        call.data = abi.encodeCall(panel.closeUnresolved, (disputeId));
        call.allowed = !d.solved && !d.closed && block.timestamp > d.votingDeadline;
        call.entitled = call.allowed;
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        d.closed = true;
        store.setDispute(disputeId, d);
        _settle(before, _newExpect(), call.action, d.taskId);
        DisputeStore.Ledger memory ledger = store.ledger();
        if (d.module == address(reviewModule)) ledger.reviewCreditAtPanel += d.fee;
        else ledger.optimisticCreditAtPanel += d.fee;
        store.setLedger(ledger);
    }

    /// @dev `reclaimArbitrationFee`: the module pulls whatever the panel credits it and passes a closed dispute's fee
    /// on to its payer, never more than it pulled. Now and then (never while honest) through the other module.
    function _reclaimArbitrationFee(uint256 disputeId, uint256 actorSeed, uint256 moduleSeed) private {
        DisputeStore.DisputeModel memory d = store.disputeOf(disputeId);
        address module =
            !_honest && _oneIn(6, moduleSeed, 20)
                ? (d.module == address(reviewModule) ? address(optimisticModule) : address(reviewModule))
                : d.module;
        DisputeStore.Ledger memory ledger = store.ledger();
        bool review = module == address(reviewModule);
        uint256 available =
            review
                ? ledger.reviewCreditAtPanel + ledger.reviewUnassigned
                : ledger.optimisticCreditAtPanel + ledger.optimisticUnassigned;
        uint256 amount = d.fee < available ? d.fee : available;
        Call memory call = _call("reclaimArbitrationFee", d.taskId, _anyActor(actorSeed), module);
        call.data = abi.encodeCall(IDisputableModule.reclaimArbitrationFee, (panel, disputeId));
        call.allowed = module == d.module && d.closed && !d.reclaimed && amount != 0;
        call.entitled = call.allowed;
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        Expect memory e = _newExpect();
        _pay(e, d.payer, amount);
        d.reclaimed = true;
        store.setDispute(disputeId, d);
        _settle(before, e, call.action, d.taskId);
        // The module pulled all the panel credited it, and keeps what it has not passed on for later reclaims.
        ledger = store.ledger();
        if (review) (ledger.reviewCreditAtPanel, ledger.reviewUnassigned) = (0, available - amount);
        else (ledger.optimisticCreditAtPanel, ledger.optimisticUnassigned) = (0, available - amount);
        store.setLedger(ledger);
    }

    /// @dev Ends a contest: anyone carries out a ruling (kind 0), times out a respondent (1) or the arbitrator (2),
    /// submits the split the poster and the executor signed (3), or closes a lapsed contest (4).
    function endContest(uint256 taskSeed, uint256 actorSeed, uint256 kindSeed) external {
        _begin();
        uint256 kind = kindSeed % 5;
        Pick pick =
            kind == 0
                ? Pick.Ruled
                : kind == 1
                    ? Pick.AwaitingRespondent
                    : kind == 2
                        ? Pick.Arbitrating
                        : kind == 3
                            ? Pick.Contested
                            : Pick.Lapsed;
        (bool found, uint256 taskId) = _pickTask(taskSeed, pick);
        if (!found) {
            // Nothing to end.
        } else if (kind == 0) {
            _endContest(taskId, actorSeed, 0, 0, IDisputableModule.ContestOutcome.Ruled);
        } else if (kind == 1) {
            _endContest(taskId, actorSeed, 0, 0, IDisputableModule.ContestOutcome.RespondentDefaulted);
        } else if (kind == 2) {
            _endContest(taskId, actorSeed, 0, 0, IDisputableModule.ContestOutcome.ArbitratorSilent);
        } else if (kind == 3) {
            _endContest(taskId, actorSeed, kindSeed >> 8, actorSeed >> 8, IDisputableModule.ContestOutcome.Agreed);
        } else {
            _closeLapsedContest(taskId, actorSeed);
        }
        _end();
    }

    /// @dev How a contest is to be ended: the call, the executor's share it settles with, and whether the contest's
    /// state allows it.
    struct Ending {
        IDisputableModule.ContestOutcome outcome;
        string action;
        bytes data;
        uint256 shareBps;
        bool allowed;
    }

    /// @dev The permissionless ends of a contest (`executeRuling`, `timeoutRespondent`, `timeoutArbitration`), and the
    /// agreement both parties signed (`settleByAgreement`), called by anyone.
    function _endContest(
        uint256 taskId,
        uint256 actorSeed,
        uint256 shareSeed,
        uint256 deadlineSeed,
        IDisputableModule.ContestOutcome outcome
    ) private {
        (DisputeStore.TaskModel memory t, TaskTerms memory terms) = _load(taskId);
        Ending memory ending = _contestEnding(taskId, t, terms, outcome, shareSeed, deadlineSeed);
        ending.outcome = outcome;
        ending.action = _outcomeName(outcome);
        _tryEnding(taskId, t, terms, ending, _anyActor(actorSeed));
    }

    function _tryEnding(
        uint256 taskId,
        DisputeStore.TaskModel memory t,
        TaskTerms memory terms,
        Ending memory ending,
        address caller
    ) private {
        bool arbitrated = t.contest.phase >= IDisputableModule.ContestPhase.Arbitrating;
        Call memory call = _call(ending.action, taskId, caller, terms.verifier);
        call.value = 0;
        call.data = ending.data;
        call.allowed = ending.allowed;
        call.entitled = ending.allowed && _live(t);
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        Expect memory e = _newExpect();
        _bookContestEnd(taskId, t, terms, ending.outcome, ending.shareBps, e, ending.action);
        store.setTask(taskId, t);
        _settle(before, e, ending.action, taskId);
        if (arbitrated) store.countSuccess("contest ended after arbitration");
    }

    function _contestEnding(
        uint256 taskId,
        DisputeStore.TaskModel memory t,
        TaskTerms memory terms,
        IDisputableModule.ContestOutcome outcome,
        uint256 shareSeed,
        uint256 deadlineSeed
    ) private view returns (Ending memory ending) {
        DisputeStore.ContestModel memory c = t.contest;
        if (outcome == IDisputableModule.ContestOutcome.Ruled) {
            ending.data = abi.encodeCall(IDisputableModule.executeRuling, (taskId, terms));
            ending.shareBps = c.rulingShareBps;
            ending.allowed = c.phase == IDisputableModule.ContestPhase.Ruled;
        } else if (outcome == IDisputableModule.ContestOutcome.RespondentDefaulted) {
            ending.data = abi.encodeCall(IDisputableModule.timeoutRespondent, (taskId, terms));
            ending.shareBps = c.claimantForExecutor ? BPS : 0;
            ending.allowed =
                c.phase == IDisputableModule.ContestPhase.AwaitingRespondent &&
                block.timestamp > c.deadline;
        } else if (outcome == IDisputableModule.ContestOutcome.ArbitratorSilent) {
            ending.data = abi.encodeCall(IDisputableModule.timeoutArbitration, (taskId, terms));
            ending.shareBps = c.decisionShareBps;
            ending.allowed = c.phase == IDisputableModule.ContestPhase.Arbitrating && block.timestamp > c.deadline;
        } else {
            ending = _agreement(taskId, t, terms, shareSeed, deadlineSeed);
        }
    }

    /// @dev `settleByAgreement` with signatures of the poster and the executor over the current submission; now and
    /// then (never while honest) with a share above 100 %, a passed deadline or the wrong signer.
    function _agreement(
        uint256 taskId,
        DisputeStore.TaskModel memory t,
        TaskTerms memory terms,
        uint256 shareSeed,
        uint256 deadlineSeed
    ) private view returns (Ending memory ending) {
        ending.shareBps =
            !_honest && _oneIn(10, shareSeed, 10)
                ? _range(shareSeed, BPS + 1, type(uint16).max)
                : _range(shareSeed, 0, BPS);
        uint256 deadline =
            !_honest && _oneIn(8, deadlineSeed, 11)
                ? block.timestamp - 1
                : block.timestamp + _range(deadlineSeed, 0, 3 days);
        uint256 posterKey = !_honest && _oneIn(6, shareSeed, 12) ? _keys[_stranger] : _keys[terms.poster];
        uint256 executorKey = !_honest && _oneIn(6, shareSeed, 13) ? _keys[_stranger] : _keys[t.executor];
        bytes32 digest = _moduleOf(terms).settlementDigest(
            taskId,
            market.submissionOf(taskId),
            uint16(ending.shareBps),
            uint64(deadline)
        );
        ending.data = abi.encodeCall(
            IDisputableModule.settleByAgreement,
            (
                taskId,
                terms,
                uint16(ending.shareBps),
                uint64(deadline),
                _signature(posterKey, digest),
                _signature(executorKey, digest)
            )
        );
        // The contract executor cannot sign (it implements no ERC-1271).
        bool signed = posterKey == _keys[terms.poster] && executorKey != 0 && executorKey == _keys[t.executor];
        ending.allowed =
            t.contest.phase != IDisputableModule.ContestPhase.None &&
            block.timestamp <= deadline &&
            ending.shareBps <= BPS &&
            signed;
    }

    function _outcomeName(IDisputableModule.ContestOutcome outcome) private pure returns (string memory) {
        if (outcome == IDisputableModule.ContestOutcome.Ruled) return "executeRuling";
        if (outcome == IDisputableModule.ContestOutcome.RespondentDefaulted) return "timeoutRespondent";
        if (outcome == IDisputableModule.ContestOutcome.ArbitratorSilent) return "timeoutArbitration";
        return "settleByAgreement";
    }

    function _closeLapsedContest(uint256 taskId, uint256 actorSeed) private {
        (DisputeStore.TaskModel memory t, TaskTerms memory terms) = _load(taskId);
        Call memory call = _call("closeLapsedContest", taskId, _anyActor(actorSeed), terms.verifier);
        call.value = 0;
        call.data = abi.encodeCall(IDisputableModule.closeLapsedContest, (taskId));
        call.allowed =
            t.contest.phase != IDisputableModule.ContestPhase.None &&
            market.statusOf(taskId) != TaskStatus.Disputed;
        call.entitled = call.allowed;
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        if (_live(t)) _violate(DisputeStore.Check.Transitions, taskId, "a live contest was closed as lapsed", "");
        Expect memory e = _newExpect();
        _bookLapsedClose(t.contest, e);
        t.contest = _noContest();
        store.setTask(taskId, t);
        _settle(before, e, call.action, taskId);
    }

    /*//////////////////////////////////////////////////////////////
                             MARKET ENDINGS
    //////////////////////////////////////////////////////////////*/

    /// @dev Anyone settles a submission whose review window or hold ran out (kind 0), or refunds an expired task (1).
    function settleByTime(uint256 taskSeed, uint256 actorSeed, uint256 kindSeed) external {
        _begin();
        bool verified = kindSeed % 2 == 0;
        (bool found, uint256 taskId) = _pickTask(taskSeed, verified ? Pick.Verified : Pick.Expired);
        if (found && verified) _release(taskId, actorSeed);
        else if (found) _refundExpired(taskId, actorSeed);
        _end();
    }

    function _release(uint256 taskId, uint256 actorSeed) private {
        (DisputeStore.TaskModel memory t, TaskTerms memory terms) = _load(taskId);
        Call memory call = _call(
            t.held ? "release: hold ran out" : "release: review window ran out",
            taskId,
            _anyActor(actorSeed),
            address(market)
        );
        call.value = 0;
        call.data = abi.encodeCall(market.release, (taskId, terms));
        call.allowed = market.statusOf(taskId) == TaskStatus.Verified;
        call.entitled = call.allowed;
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        Expect memory e = _newExpect();
        _bookSettlement(t, terms, t.held ? t.holdShareBps : BPS, false, e);
        store.setTask(taskId, t);
        _settle(before, e, call.action, taskId);
    }

    function _refundExpired(uint256 taskId, uint256 actorSeed) private {
        (DisputeStore.TaskModel memory t, TaskTerms memory terms) = _load(taskId);
        Call memory call = _call("refundExpired", taskId, _anyActor(actorSeed), address(market));
        call.value = 0;
        call.data = abi.encodeCall(market.refundExpired, (taskId, terms));
        call.allowed = market.statusOf(taskId) == TaskStatus.Expired && !t.closed;
        call.entitled = call.allowed;
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        Expect memory e = _newExpect();
        _bookLapsedBond(t, terms, e);
        _pay(e, terms.poster, t.rewardUnpaid + (t.feeHeld ? terms.verifierFee : 0));
        t.rewardUnpaid = 0;
        t.feeHeld = false;
        t.closed = true;
        store.setTask(taskId, t);
        _settle(before, e, call.action, taskId);
    }

    function consentToCancel(uint256 taskSeed, uint256 actorSeed) external {
        _begin();
        (bool found, uint256 taskId) = _pickTask(taskSeed, Pick.Active);
        if (found) _consentToCancel(taskId, actorSeed);
        _end();
    }

    function _consentToCancel(uint256 taskId, uint256 actorSeed) private {
        (DisputeStore.TaskModel memory t, TaskTerms memory terms) = _load(taskId);
        TaskStatus status = market.statusOf(taskId);
        Call memory call = _call(
            "consentToCancel: consented",
            taskId,
            _callerOr((actorSeed >> 16) % 2 == 0 ? terms.poster : t.executor, actorSeed),
            address(market)
        );
        call.value = 0;
        call.data = abi.encodeCall(market.consentToCancel, (taskId, terms));
        call.allowed =
            (call.caller == terms.poster || (call.caller == t.executor && t.executor != address(0))) &&
            (status == TaskStatus.Claimed ||
                status == TaskStatus.InProgress ||
                status == TaskStatus.Submitted ||
                status == TaskStatus.Disputed);
        call.entitled = call.allowed;
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        if (call.caller == terms.poster) t.posterConsented = true;
        else t.executorConsented = true;
        Expect memory e = _newExpect();
        if (t.posterConsented && t.executorConsented) {
            call.action =
                status == TaskStatus.Disputed ? "consentToCancel: cancelled while held" : "consentToCancel: cancelled";
            _pay(e, terms.poster, t.rewardUnpaid + (t.feeHeld ? terms.verifierFee : 0));
            _pay(e, t.executor, terms.claimBond);
            t.rewardUnpaid = 0;
            t.feeHeld = false;
            t.bondHeld = false;
            t.held = false;
            t.closed = true;
        }
        store.setTask(taskId, t);
        _settle(before, e, call.action, taskId);
    }

    /*//////////////////////////////////////////////////////////////
                               WITHDRAWALS
    //////////////////////////////////////////////////////////////*/

    /// @dev Book 0: the market's credits; 1: the review module's; 2: the optimistic module's; 3: the panel's;
    /// 4: the market's protocol fees, paid to the treasury. Kind 5: instead, the contract executor or the contract
    /// challenger starts or stops refusing ETH, so that payments to it get credited.
    function withdraw(uint256 bookSeed, uint256 actorSeed) external {
        _begin();
        uint256 book = bookSeed % 6;
        if (book == 5) {
            EthRefusingAccount account = actorSeed % 2 == 0 ? _contractExecutor : _contractChallenger;
            account.setRefusesEth(!account.refusesEth());
        } else if (book == 4) {
            _withdrawProtocolFees(actorSeed);
        } else {
            _withdrawCredit(book, actorSeed);
        }
        _end();
    }

    function _withdrawCredit(uint256 book, uint256 actorSeed) private {
        address account = _anyActor(actorSeed);
        for (uint256 i = 0; i < _accounts.length && !_oneIn(4, actorSeed, 14); ++i) {
            address candidate = _accounts[(actorSeed + i) % _accounts.length];
            if (_creditIn(book, candidate) != 0) {
                account = candidate;
                break;
            }
        }
        Call memory call = _call(
            string.concat("withdraw from book ", vm.toString(book)),
            0,
            account,
            book == 0
                ? address(market)
                : book == 1
                    ? address(reviewModule)
                    : book == 2
                        ? address(optimisticModule)
                        : address(panel)
        );
        call.value = 0;
        call.data =
            book == 0 ? abi.encodeCall(market.withdraw, (address(0), account)) : abi.encodeWithSignature("withdraw()");
        call.allowed = _creditIn(book, account) != 0;
        call.entitled = call.allowed && _acceptsEth(account);
        (bool success, Measure memory before, ) = _attempt(call);
        if (success) _settle(before, _newExpect(), call.action, 0);
    }

    function _creditIn(uint256 book, address account) private view returns (uint256) {
        if (book == 0) return market.creditOf(account, address(0));
        if (book == 1) return reviewModule.creditOf(account);
        if (book == 2) return optimisticModule.creditOf(account);
        return panel.creditOf(account);
    }

    function _withdrawProtocolFees(uint256 actorSeed) private {
        uint256 accrued = market.accruedFeesOf(address(0));
        Call memory call = _call("withdrawProtocolFees", 0, _anyActor(actorSeed), address(market));
        call.value = 0;
        call.data = abi.encodeCall(market.withdrawProtocolFees, (address(0)));
        (call.allowed, call.entitled) = (accrued != 0, accrued != 0);
        (bool success, Measure memory before, ) = _attempt(call);
        if (!success) return;
        Expect memory e = _newExpect();
        _pay(e, treasury, accrued);
        e.feesDelta = -int256(accrued);
        _settle(before, e, call.action, 0);
    }

    /*//////////////////////////////////////////////////////////////
                          TIME AND ENVIRONMENT
    //////////////////////////////////////////////////////////////*/

    /// @dev Mostly short steps, so that calls interleave with the windows; one in four lasts days, one in eight up to
    /// forty days, past every window and deadline of the modules.
    function passTime(uint256 seed) external {
        _begin();
        _passTime(seed);
        _end();
    }

    function _passTime(uint256 seed) private {
        uint256 kind = _hash(seed, 15) % 8;
        uint256 step =
            kind == 0
                ? _range(seed, 8 days, 40 days)
                : kind < 3
                    ? _range(seed, 1 days, 8 days)
                    : kind < 5
                        ? _untilDeadline(seed)
                        : _range(seed, 1 minutes, 1 days);
        store.advanceTime(step);
        vm.warp(store.currentTime());
        store.countSuccess("passTime");
    }

    /// @dev The time to one of the deadlines of a random task (its contest's deadline, the end of its hold or review
    /// window, its execution or claim deadline), landing on it, just past it, or up to a day past it: the edges where
    /// a timeout becomes possible, a hold runs out or a claim lapses.
    function _untilDeadline(uint256 seed) private view returns (uint256) {
        uint256 count = store.taskCount();
        if (count == 0) return 1 hours;
        uint256 taskId = store.taskIdAt(seed % count);
        TaskTerms memory terms = store.termsOf(taskId);
        TaskState memory state = market.stateOf(taskId);
        uint256 which = _hash(seed, 23) % 4;
        uint256 deadline =
            which == 0
                ? _moduleOf(terms).contestOf(taskId).deadline
                : which == 1
                    ? state.reviewDeadline
                    : which == 2
                        ? state.executionDeadline
                        : terms.claimDeadline;
        uint256 overshoot =
            _hash(seed, 24) % 3 == 0
                ? 0
                : _hash(seed, 24) % 3 == 1
                    ? 1
                    : _range(seed, 1, 1 days);
        return deadline + overshoot > block.timestamp ? deadline + overshoot - block.timestamp : 1 hours;
    }

    /*//////////////////////////////////////////////////////////////
                                ADVANCE
    //////////////////////////////////////////////////////////////*/

    /// @dev `ADVANCE_STEPS` natural next steps of random tasks, each made by the entitled party with valid inputs (or a
    /// new task), so that runs of the configured depth reach disputes, rulings and their ends. Some steps stay silent.
    function advance(uint256 taskSeed, uint256 choiceSeed) external {
        _begin();
        _honest = true;
        for (uint256 step = 0; step < ADVANCE_STEPS; ++step) {
            uint256 seed = _hash(choiceSeed, step);
            (bool found, uint256 taskId) = _pickUnfinished(_hash(taskSeed, step), false);
            if (_oneIn(6, seed, 19)) _passTime(seed >> 64);
            else if (_oneIn(10, seed, 21)) _tidyPanel(seed);
            else if (!found || _oneIn(6, seed, 16)) _createTask(taskSeed, seed, seed >> 128, _hash(seed, 17));
            else _advance(taskId, _hash(seed, 18) % 8, seed);
        }
        _end();
    }

    /// @dev As {advance}, on tasks with a contest (running, or lapsed and not yet closed) when there are some: the
    /// steps where the dispute rules apply, and where a lapsed contest meets the next submission.
    function advanceContests(uint256 taskSeed, uint256 choiceSeed) external {
        _begin();
        _honest = true;
        for (uint256 step = 0; step < ADVANCE_STEPS; ++step) {
            uint256 seed = _hash(choiceSeed, step);
            (bool found, uint256 taskId) = _pickUnfinished(_hash(taskSeed, step), true);
            if (_oneIn(5, seed, 27)) _passTime(seed >> 64);
            else if (found) _advance(taskId, _hash(seed, 18) % 8, seed);
        }
        _end();
    }

    function _advance(uint256 taskId, uint256 choice, uint256 seed) private {
        TaskTerms memory terms = store.termsOf(taskId);
        TaskStatus status = market.statusOf(taskId);
        IDisputableModule.Contest memory c = _moduleOf(terms).contestOf(taskId);
        bool reviewed = terms.verifier == address(reviewModule);
        bool lapsed = c.phase != IDisputableModule.ContestPhase.None && status != TaskStatus.Disputed;
        bool working = status == TaskStatus.Claimed || status == TaskStatus.InProgress;
        if (lapsed && status == TaskStatus.Submitted && choice < 2) {
            // A later submission awaits a decision: anyone may try to carry the lapsed contest through instead of
            // closing it. It must not act any more.
            _pushLapsedContest(taskId, c, seed);
        } else if (
            lapsed &&
            (
                status == TaskStatus.Submitted
                    ? choice == 6
                    : working
                        ? choice == 7
                        : choice < 4
            )
        ) {
            _closeLapsedContest(taskId, seed);
        } else if (status == TaskStatus.Posted) {
            _claim(taskId, seed);
        } else if (working) {
            if (choice == 0 && seed % 3 == 0) _consentToCancel(taskId, seed);
            else _submit(taskId, seed);
        } else if (status == TaskStatus.Submitted) {
            if (reviewed && choice < 2) _approve(taskId, seed);
            else if (reviewed && choice < 4) _decide(taskId, seed, 0, false);
            else if (reviewed && choice < 6) _decide(taskId, seed, seed >> 32, true);
            else if (!reviewed && choice < 4) _challenge(taskId, seed);
        } else if (status == TaskStatus.Disputed) {
            _advanceContest(taskId, c, choice, seed);
        } else if (status == TaskStatus.Verified) {
            _release(taskId, seed);
        } else if (status == TaskStatus.Expired) {
            _refundExpired(taskId, seed);
        }
    }

    /// @dev Closes a dispute whose voting ended without a majority, or passes on a refunded fee, if there is one.
    function _tidyPanel(uint256 seed) private {
        (bool found, uint256 disputeId) = _pickDispute(seed, DisputePick.Unresolved);
        if (found) return _closeUnresolved(disputeId, seed);
        (found, disputeId) = _pickDispute(seed, DisputePick.Refundable);
        if (found) _reclaimArbitrationFee(disputeId, seed, seed >> 64);
    }

    function _pushLapsedContest(uint256 taskId, IDisputableModule.Contest memory c, uint256 seed) private {
        if (c.phase == IDisputableModule.ContestPhase.Open && c.rejection) _acceptRejection(taskId, seed);
        else if (c.phase == IDisputableModule.ContestPhase.Open) _dispute(taskId, seed);
        else if (c.phase == IDisputableModule.ContestPhase.AwaitingRespondent) {
            _endContest(taskId, seed, 0, 0, IDisputableModule.ContestOutcome.RespondentDefaulted);
        } else if (c.phase == IDisputableModule.ContestPhase.Arbitrating) {
            _endContest(taskId, seed, 0, 0, IDisputableModule.ContestOutcome.ArbitratorSilent);
        } else {
            _endContest(taskId, seed, 0, 0, IDisputableModule.ContestOutcome.Ruled);
        }
    }

    function _advanceContest(uint256 taskId, IDisputableModule.Contest memory c, uint256 choice, uint256 seed) private {
        bool inTime = block.timestamp <= c.deadline;
        if (choice == 7) {
            _endContest(taskId, seed, seed >> 64, seed >> 128, IDisputableModule.ContestOutcome.Agreed);
        } else if (choice == 6 && _oneIn(2, seed, 26)) {
            // Everyone stays silent until the hold runs out; then anyone settles the submission with its default.
            store.advanceTime(market.stateOf(taskId).reviewDeadline + 1 - block.timestamp);
            vm.warp(store.currentTime());
            store.countSuccess("passTime: until a hold runs out");
            _release(taskId, seed);
            // The executor moves on to the next milestone at once.
            TaskStatus status = market.statusOf(taskId);
            if (status == TaskStatus.InProgress) _submit(taskId, seed);
        } else if (c.phase == IDisputableModule.ContestPhase.Open) {
            if (c.rejection && choice < 2) _acceptRejection(taskId, seed);
            else if (inTime && choice < 5) _dispute(taskId, seed);
        } else if (c.phase == IDisputableModule.ContestPhase.AwaitingRespondent) {
            if (inTime && choice < 5) _respond(taskId, seed);
            else if (!inTime && choice < 5)
                _endContest(taskId, seed, 0, 0, IDisputableModule.ContestOutcome.RespondentDefaulted);
        } else if (c.phase == IDisputableModule.ContestPhase.Arbitrating) {
            DisputeStore.DisputeModel memory d = store.disputeOf(c.arbitratorDisputeId);
            if (!inTime && choice < 5) {
                _endContest(taskId, seed, 0, 0, IDisputableModule.ContestOutcome.ArbitratorSilent);
            } else if (block.timestamp <= d.votingDeadline && choice < 3) {
                _vote(c.arbitratorDisputeId, seed, seed >> 64);
            } else if (block.timestamp > d.votingDeadline && choice < 3) {
                if (d.closed) _reclaimArbitrationFee(c.arbitratorDisputeId, seed, seed >> 64);
                else _closeUnresolved(c.arbitratorDisputeId, seed);
            }
        } else if (c.phase == IDisputableModule.ContestPhase.Ruled && choice < 5) {
            _endContest(taskId, seed, 0, 0, IDisputableModule.ContestOutcome.Ruled);
        }
    }

    /// @dev A task the model has not closed, or that still has a contest, scanning from a random start; with
    /// `contested`, one with a contest if there is any (and, half the time otherwise, too).
    function _pickUnfinished(uint256 seed, bool contested) private view returns (bool found, uint256 taskId) {
        uint256 count = store.taskCount();
        if (count == 0) return (false, 0);
        for (uint256 pass = contested || _oneIn(2, seed, 25) ? 0 : 1; pass < 2; ++pass) {
            for (uint256 i = 0; i < count; ++i) {
                uint256 candidate = store.taskIdAt((seed + i) % count);
                DisputeStore.TaskModel memory t = store.taskOf(candidate);
                bool hasContest = t.contest.phase != IDisputableModule.ContestPhase.None;
                if (pass == 0 ? hasContest : !t.closed || hasContest) return (true, candidate);
            }
        }
        return (false, 0);
    }

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    function _isPanelParty(uint256 disputeId, address account) private view returns (bool) {
        return _contains(panel.partiesOf(disputeId), account);
    }

    function _contains(address[] memory list, address account) private pure returns (bool) {
        for (uint256 i = 0; i < list.length; ++i) if (list[i] == account) return true;
        return false;
    }
}
