// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { SafeERC20 } from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import { EIP712 } from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import { SignatureChecker } from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import { NonReentrant } from "../abstracts/NonReentrant.sol";
import { IArbitrable } from "../interfaces/arbitration/IArbitrable.sol";
import { IArbitrator } from "../interfaces/arbitration/IArbitrator.sol";
import { IPanelArbitrator } from "../interfaces/arbitration/IPanelArbitrator.sol";
import { ITaskMarket } from "../interfaces/ITaskMarket.sol";
import { IDisputableModule } from "../interfaces/verification/IDisputableModule.sol";
import { Errors } from "../libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../types/TaskTypes.sol";
import { VerificationModule } from "./VerificationModule.sol";

/// @title DisputableModule
/// @notice See the documentation in {IDisputableModule}.
/// @dev Deposits and bonds are in ETH, as ERC-792 arbitration fees are. This contract only ever holds the deposits
/// of open contests and credits of failed payments; the escrow stays in the market.
abstract contract DisputableModule is VerificationModule, IDisputableModule, EIP712, NonReentrant {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IDisputableModule
    uint256 public constant override RULING_OPTIONS = 11;

    /// @inheritdoc IDisputableModule
    uint256 public constant override MAX_CONTEST_WINDOW = 30 days;

    /// @inheritdoc IDisputableModule
    uint256 public constant override FEE_PAYMENT_PERIOD = 3 days;

    /// @inheritdoc IDisputableModule
    uint256 public constant override RULING_PERIOD = 30 days;

    /// @inheritdoc IDisputableModule
    uint256 public constant override EXECUTION_PERIOD = 7 days;

    /// @inheritdoc IDisputableModule
    uint16 public constant override TREASURY_SHARE_BPS = 1_000;

    /// @notice The EIP-712 type of an agreed split.
    bytes32 public constant SETTLEMENT_TYPEHASH = keccak256(
        "Settlement(uint256 taskId,bytes32 submissionHash,uint16 executorShareBps,uint64 deadline)"
    );

    uint16 internal constant BPS = 10_000;

    /// @dev Gas forwarded with an ETH payment; a receiver needing more is credited instead.
    uint256 private constant PAYMENT_GAS = 100_000;

    /// @dev The reason recorded in the market when the executor accepts a contested rejection.
    bytes32 internal constant ACCEPTED_REJECTION_REASON = keccak256("taskmarket.contest.rejection-accepted");

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    mapping(uint256 taskId => Contest contest) internal _contests;
    mapping(IArbitrator arbitrator => mapping(uint256 disputeId => uint256 taskId)) private _taskOfDispute;
    mapping(address account => uint256 amount) private _credits;

    /// @dev Who paid each arbitration fee, so that an arbitrator's refund reaches them.
    struct ArbitrationFee {
        address payer;
        uint96 amount;
    }

    mapping(IArbitrator arbitrator => mapping(uint256 disputeId => ArbitrationFee fee)) private _arbitrationFees;
    /// @dev Refunds pulled from an arbitrator and not yet passed on; never more than that arbitrator returned.
    mapping(IArbitrator arbitrator => uint256 amount) private _unassignedRefunds;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param metaEvidenceURI The ERC-1497 meta-evidence describing this module's disputes to arbitrators.
    constructor(
        ITaskMarket market_,
        string memory name,
        string memory metaEvidenceURI
    ) VerificationModule(market_) EIP712(name, "1") {
        emit MetaEvidence(0, metaEvidenceURI);
    }

    /*//////////////////////////////////////////////////////////////
                             READ FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IDisputableModule
    function contestOf(uint256 taskId) external view override returns (Contest memory) {
        return _contests[taskId];
    }

    /// @inheritdoc IDisputableModule
    function settlementDigest(
        uint256 taskId,
        bytes32 submissionHash,
        uint16 executorShareBps,
        uint64 deadline
    ) public view override returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(SETTLEMENT_TYPEHASH, taskId, submissionHash, executorShareBps, deadline))
            );
    }

    /// @notice The ETH `account` can withdraw after a failed payment.
    function creditOf(address account) external view returns (uint256) {
        return _credits[account];
    }

    /*//////////////////////////////////////////////////////////////
                            WRITE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IDisputableModule
    function respond(uint256 taskId, TaskTerms calldata terms) external payable override nonReentrant {
        _checkVerifier(taskId, terms);
        Contest storage contest = _contests[taskId];
        if (contest.phase != ContestPhase.AwaitingRespondent) revert Errors.DisputableModule_InvalidPhase(taskId);
        _checkHeld(taskId);
        if (msg.sender != contest.respondent) revert Errors.DisputableModule_CallerNotRespondent(taskId, msg.sender);
        if (block.timestamp > contest.deadline) revert Errors.DisputableModule_DeadlinePassed(taskId, contest.deadline);

        IArbitrator arbitrator = contest.arbitrator;
        bytes memory extraData = _arbitratorExtraData(terms, contest);
        uint256 cost = arbitrator.arbitrationCost(extraData);
        uint256 required = cost + contest.bond;
        if (msg.value != required) revert Errors.DisputableModule_IncorrectDeposit(required, msg.value);

        uint256 disputeId = arbitrator.createDispute{ value: cost }(RULING_OPTIONS, extraData);
        _taskOfDispute[arbitrator][disputeId] = taskId;
        _arbitrationFees[arbitrator][disputeId] = ArbitrationFee({ payer: msg.sender, amount: uint96(cost) });
        uint40 rulingDeadline = uint40(block.timestamp + RULING_PERIOD);
        contest.phase = ContestPhase.Arbitrating;
        contest.arbitratorDisputeId = disputeId;
        contest.deadline = rulingDeadline;

        emit ArbitrationStarted(taskId, arbitrator, disputeId, rulingDeadline);
        emit Dispute(arbitrator, disputeId, 0, taskId);

        // If no one carries out the ruling (or the timeout), the hold settles with the contested decision.
        market.hold(taskId, terms, uint40(rulingDeadline + EXECUTION_PERIOD), contest.decisionShareBps);
    }

    /// @inheritdoc IDisputableModule
    function timeoutRespondent(uint256 taskId, TaskTerms calldata terms) external override nonReentrant {
        _checkVerifier(taskId, terms);
        Contest memory contest = _contests[taskId];
        if (contest.phase != ContestPhase.AwaitingRespondent) revert Errors.DisputableModule_InvalidPhase(taskId);
        if (block.timestamp <= contest.deadline)
            revert Errors.DisputableModule_DeadlineNotPassed(taskId, contest.deadline);
        _checkHeld(taskId);

        _endContest(taskId, terms, contest, ContestOutcome.RespondentDefaulted, _claimantWinShare(contest));
    }

    /// @inheritdoc IArbitrable
    function rule(uint256 disputeId, uint256 ruling) external override {
        IArbitrator arbitrator = IArbitrator(msg.sender);
        uint256 taskId = _taskOfDispute[arbitrator][disputeId];
        Contest storage contest = _contests[taskId];
        bool current =
            taskId != 0 &&
                contest.phase == ContestPhase.Arbitrating &&
                contest.arbitrator == arbitrator &&
                contest.arbitratorDisputeId == disputeId;
        if (!current) revert Errors.DisputableModule_UnknownDispute(msg.sender, disputeId);
        if (ruling > RULING_OPTIONS) revert Errors.DisputableModule_InvalidRuling(ruling);

        contest.phase = ContestPhase.Ruled;
        // Ruling 0 is a refusal to arbitrate: the contested decision stands.
        contest.rulingShareBps = ruling == 0 ? contest.decisionShareBps : uint16((ruling - 1) * 1_000);

        emit Ruling(arbitrator, disputeId, ruling);
    }

    /// @inheritdoc IDisputableModule
    function executeRuling(uint256 taskId, TaskTerms calldata terms) external override nonReentrant {
        _checkVerifier(taskId, terms);
        Contest memory contest = _contests[taskId];
        if (contest.phase != ContestPhase.Ruled) revert Errors.DisputableModule_InvalidPhase(taskId);
        _checkHeld(taskId);

        _endContest(taskId, terms, contest, ContestOutcome.Ruled, contest.rulingShareBps);
    }

    /// @inheritdoc IDisputableModule
    function timeoutArbitration(uint256 taskId, TaskTerms calldata terms) external override nonReentrant {
        _checkVerifier(taskId, terms);
        Contest memory contest = _contests[taskId];
        if (contest.phase != ContestPhase.Arbitrating) revert Errors.DisputableModule_InvalidPhase(taskId);
        if (block.timestamp <= contest.deadline)
            revert Errors.DisputableModule_DeadlineNotPassed(taskId, contest.deadline);
        _checkHeld(taskId);

        _endContest(taskId, terms, contest, ContestOutcome.ArbitratorSilent, contest.decisionShareBps);
    }

    /// @inheritdoc IDisputableModule
    function settleByAgreement(
        uint256 taskId,
        TaskTerms calldata terms,
        uint16 executorShareBps,
        uint64 deadline,
        bytes calldata posterSignature,
        bytes calldata executorSignature
    ) external override nonReentrant {
        _checkVerifier(taskId, terms);
        Contest memory contest = _contests[taskId];
        if (contest.phase == ContestPhase.None) revert Errors.DisputableModule_InvalidPhase(taskId);
        _checkHeld(taskId);
        if (block.timestamp > deadline) revert Errors.DisputableModule_DeadlinePassed(taskId, deadline);
        if (executorShareBps > BPS) revert Errors.DisputableModule_InvalidShare(executorShareBps);

        bytes32 digest = settlementDigest(taskId, market.submissionOf(taskId), executorShareBps, deadline);
        address executor = market.stateOf(taskId).executor;
        if (!SignatureChecker.isValidSignatureNowCalldata(terms.poster, digest, posterSignature)) {
            revert Errors.DisputableModule_InvalidSignature(terms.poster);
        }
        if (!SignatureChecker.isValidSignatureNowCalldata(executor, digest, executorSignature)) {
            revert Errors.DisputableModule_InvalidSignature(executor);
        }

        _endContest(taskId, terms, contest, ContestOutcome.Agreed, executorShareBps);
    }

    /// @inheritdoc IDisputableModule
    function closeLapsedContest(uint256 taskId) external override nonReentrant {
        Contest memory contest = _contests[taskId];
        if (contest.phase == ContestPhase.None) revert Errors.DisputableModule_InvalidPhase(taskId);
        if (market.statusOf(taskId) == TaskStatus.Disputed) revert Errors.DisputableModule_ContestStillHeld(taskId);

        _closeLapsed(taskId, contest);
    }

    /// @inheritdoc IDisputableModule
    function submitEvidence(uint256 taskId, bytes32 evidenceHash, string calldata evidenceURI) external override {
        Contest storage contest = _contests[taskId];
        if (contest.phase < ContestPhase.AwaitingRespondent) revert Errors.DisputableModule_InvalidPhase(taskId);
        if (msg.sender != contest.claimant && msg.sender != contest.respondent) {
            revert Errors.DisputableModule_CallerNotParty(taskId, msg.sender);
        }

        emit EvidenceSubmitted(taskId, msg.sender, evidenceHash, evidenceURI);
        emit Evidence(contest.arbitrator, taskId, msg.sender, evidenceURI);
    }

    /// @inheritdoc IDisputableModule
    function reclaimArbitrationFee(IPanelArbitrator arbitrator, uint256 disputeId) external override nonReentrant {
        ArbitrationFee memory fee = _arbitrationFees[arbitrator][disputeId];
        if (fee.payer == address(0)) revert Errors.DisputableModule_NothingToReclaim(address(arbitrator), disputeId);
        IPanelArbitrator.PanelDispute memory record = arbitrator.disputeOf(disputeId);
        if (!record.closed || address(record.arbitrable) != address(this)) {
            revert Errors.DisputableModule_NothingToReclaim(address(arbitrator), disputeId);
        }
        delete _arbitrationFees[arbitrator][disputeId];

        // Pass on only ETH this arbitrator actually returned: its own word on the amount is not enough.
        if (arbitrator.creditOf(address(this)) != 0) {
            uint256 balanceBefore = address(this).balance;
            arbitrator.withdraw();
            _unassignedRefunds[arbitrator] += address(this).balance - balanceBefore;
        }
        uint256 available = _unassignedRefunds[arbitrator];
        uint256 amount = fee.amount < available ? fee.amount : available;
        if (amount == 0) revert Errors.DisputableModule_NothingToReclaim(address(arbitrator), disputeId);
        _unassignedRefunds[arbitrator] = available - amount;

        emit ArbitrationFeeReclaimed(arbitrator, disputeId, fee.payer, amount);
        _pay(fee.payer, amount);
    }

    /// @inheritdoc IDisputableModule
    function withdraw() external override nonReentrant {
        uint256 amount = _credits[msg.sender];
        if (amount == 0) revert Errors.DisputableModule_NothingToWithdraw(msg.sender);
        delete _credits[msg.sender];
        (bool success, ) = msg.sender.call{ value: amount }("");
        if (!success) revert Errors.DisputableModule_TransferFailed(msg.sender, amount);
    }

    /// @dev The market pays verifier fees here, and arbitrators may refund fees here.
    receive() external payable {}

    /*//////////////////////////////////////////////////////////////
                      INTERNAL FUNCTIONS FOR MODULES
    //////////////////////////////////////////////////////////////*/

    /// @dev Puts the submission under review on hold for a contest window: if no one disputes by its end, the
    /// market settles it with `decisionShareBps` for the executor.
    function _openContest(
        uint256 taskId,
        TaskTerms calldata terms,
        uint16 decisionShareBps,
        bool rejection,
        uint32 contestWindow
    ) internal {
        if (_contests[taskId].phase != ContestPhase.None) revert Errors.DisputableModule_InvalidPhase(taskId);

        uint40 windowEnd = uint40(block.timestamp) + contestWindow;
        _contests[taskId] = Contest({
            phase: ContestPhase.Open,
            rejection: rejection,
            claimantForExecutor: false,
            decisionShareBps: decisionShareBps,
            rulingShareBps: 0,
            deadline: windowEnd,
            claimant: address(0),
            respondent: address(0),
            arbitrator: IArbitrator(address(0)),
            arbitratorDisputeId: 0,
            claimantFee: 0,
            bond: 0
        });

        emit ContestOpened(taskId, decisionShareBps, rejection, windowEnd);

        market.hold(taskId, terms, windowEnd, decisionShareBps);
    }

    /// @dev Raises a dispute for `msg.sender` against `respondent` with `arbitrator`; `msg.value` must be the
    /// arbitration cost plus `bond`. The caller checks that the claimant may dispute. Until the respondent matches
    /// the deposit, the hold's default is the claimant's win: a respondent that does not pay loses.
    function _raiseDispute(
        uint256 taskId,
        TaskTerms calldata terms,
        IArbitrator arbitrator,
        address respondent,
        bool claimantForExecutor,
        uint256 bond,
        uint16 decisionShareBps
    ) internal {
        if (address(arbitrator) == address(0)) revert Errors.DisputableModule_NoArbitrator(taskId);
        Contest storage contest = _contests[taskId];
        if (contest.phase > ContestPhase.Open) revert Errors.DisputableModule_InvalidPhase(taskId);
        if (contest.phase == ContestPhase.Open && block.timestamp > contest.deadline) {
            revert Errors.DisputableModule_DeadlinePassed(taskId, contest.deadline);
        }

        contest.claimant = msg.sender;
        contest.respondent = respondent;
        contest.claimantForExecutor = claimantForExecutor;
        contest.arbitrator = arbitrator;
        contest.decisionShareBps = decisionShareBps;
        uint256 cost = arbitrator.arbitrationCost(_arbitratorExtraData(terms, contest));
        if (msg.value != cost + bond) revert Errors.DisputableModule_IncorrectDeposit(cost + bond, msg.value);
        uint40 feeDeadline = uint40(block.timestamp + FEE_PAYMENT_PERIOD);
        contest.phase = ContestPhase.AwaitingRespondent;
        contest.deadline = feeDeadline;
        contest.claimantFee = uint128(cost);
        contest.bond = uint128(bond);

        emit DisputeRaised(taskId, msg.sender, respondent, arbitrator, msg.value, feeDeadline);

        market.hold(taskId, terms, uint40(feeDeadline + EXECUTION_PERIOD), _claimantWinShare(contest));
    }

    /// @dev Raises a dispute of the contested decision for `msg.sender`, one of the two parties: the executor disputes
    /// a decision that does not pay it in full, the poster one that pays the executor anything; the other party is the
    /// respondent.
    function _disputeDecision(uint256 taskId, TaskTerms calldata terms, IArbitrator arbitrator) internal {
        Contest memory contest = _contests[taskId];
        if (contest.phase != ContestPhase.Open) revert Errors.DisputableModule_InvalidPhase(taskId);

        address executor = market.stateOf(taskId).executor;
        address respondent;
        bool claimantForExecutor;
        if (msg.sender == executor && contest.decisionShareBps < BPS) {
            (respondent, claimantForExecutor) = (terms.poster, true);
        } else if (msg.sender == terms.poster && contest.decisionShareBps > 0) {
            (respondent, claimantForExecutor) = (executor, false);
        } else {
            revert Errors.DisputableModule_CallerNotParty(taskId, msg.sender);
        }

        _raiseDispute(taskId, terms, arbitrator, respondent, claimantForExecutor, 0, contest.decisionShareBps);
    }

    /// @dev Ends the open contest of a rejection that the executor accepts: the rejection takes effect in the market
    /// and the executor may resubmit.
    function _acceptRejection(uint256 taskId, TaskTerms calldata terms) internal {
        Contest memory contest = _contests[taskId];
        if (contest.phase != ContestPhase.Open || !contest.rejection)
            revert Errors.DisputableModule_InvalidPhase(taskId);
        _checkHeld(taskId);
        if (msg.sender != market.stateOf(taskId).executor)
            revert Errors.DisputableModule_CallerNotParty(taskId, msg.sender);

        delete _contests[taskId];
        emit ContestEnded(taskId, ContestOutcome.Accepted, 0);

        market.reject(taskId, terms, ACCEPTED_REJECTION_REASON);
    }

    /// @dev Called when a disputed contest ends with `executorShareBps`; modules slash or reward here.
    function _afterDispute(
        uint256 taskId,
        Contest memory contest,
        ContestOutcome outcome,
        uint16 executorShareBps
    ) internal virtual {}

    /// @dev The balance of the task's token here, taken before a market call that may pay this module the verifier fee.
    function _tokenBalance(TaskTerms calldata terms) internal view returns (uint256) {
        return terms.token == address(0) ? address(this).balance : IERC20(terms.token).balanceOf(address(this));
    }

    /// @dev Passes on to `to` the verifier fee the market paid this module since `balanceBefore`. Only a module's own
    /// entry points can make the first decision on a task (a contest always starts from one), so they are the only
    /// places that call this.
    function _forwardVerifierFee(TaskTerms calldata terms, address to, uint256 balanceBefore) internal {
        uint256 earned = _tokenBalance(terms) - balanceBefore;
        if (earned == 0) return;
        emit VerifierFeeForwarded(terms.token, to, earned);
        _payToken(terms.token, to, earned);
    }

    /// @dev Pays a verifier fee in the task's token: ETH through {_pay}, an ERC-20 by transfer.
    function _payToken(address token, address to, uint256 amount) internal {
        if (token == address(0)) _pay(to, amount);
        else IERC20(token).safeTransfer(to, amount);
    }

    /// @dev Pays `amount` of ETH to `to`, or credits it if the transfer fails.
    function _pay(address to, uint256 amount) internal {
        if (amount == 0) return;
        bool success;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            success := call(PAYMENT_GAS, to, amount, 0, 0, 0, 0)
        }
        if (!success) {
            _credits[to] += amount;
            emit PaymentCredited(to, amount);
        }
    }

    /*//////////////////////////////////////////////////////////////
                           PRIVATE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev Ends a contest: settles the submission in the market with `executorShareBps`, then pays out deposits and
    /// bonds. The winner is the side that gets the larger share (the executor on a tie). Deposits: the respondent's
    /// fee paid the arbitrator, so the claimant's fee goes to the winner (split evenly when no one won on the merits:
    /// a silent arbitrator or an agreement); a respondent that never paid leaves the claimant's deposit to the
    /// claimant. Bonds: the winner's returns, the loser's goes to the winner less `TREASURY_SHARE_BPS` for the
    /// treasury, so that challenging oneself always costs something.
    function _endContest(
        uint256 taskId,
        TaskTerms calldata terms,
        Contest memory contest,
        ContestOutcome outcome,
        uint16 executorShareBps
    ) private {
        delete _contests[taskId];
        emit ContestEnded(taskId, outcome, executorShareBps);

        market.resolve(taskId, terms, executorShareBps);

        if (contest.phase >= ContestPhase.AwaitingRespondent) {
            _afterDispute(taskId, contest, outcome, executorShareBps);
            _settleDeposits(contest, outcome, executorShareBps);
        }
    }

    function _settleDeposits(Contest memory contest, ContestOutcome outcome, uint16 executorShareBps) private {
        if (outcome == ContestOutcome.RespondentDefaulted) {
            _pay(contest.claimant, uint256(contest.claimantFee) + contest.bond);
            return;
        }
        if (outcome == ContestOutcome.Agreed && contest.phase == ContestPhase.AwaitingRespondent) {
            // Agreed before the respondent paid: nothing was spent.
            _pay(contest.claimant, uint256(contest.claimantFee) + contest.bond);
            return;
        }
        if (outcome == ContestOutcome.ArbitratorSilent) {
            // No one won on the merits: each side takes back what it still has here. The respondent's fee went to
            // the arbitrator; if the arbitrator refunds it, {reclaimArbitrationFee} passes it back to the respondent.
            _pay(contest.claimant, uint256(contest.claimantFee) + contest.bond);
            _pay(contest.respondent, contest.bond);
            return;
        }
        if (outcome == ContestOutcome.Agreed) {
            // The parties share the cost of the arbitration they started and then settled themselves.
            uint256 half = contest.claimantFee / 2;
            _pay(contest.claimant, half + contest.bond);
            _pay(contest.respondent, contest.claimantFee - half + contest.bond);
            return;
        }
        bool executorWins = 2 * uint256(executorShareBps) >= BPS;
        address winner = executorWins == contest.claimantForExecutor ? contest.claimant : contest.respondent;
        uint256 treasuryCut = (uint256(contest.bond) * TREASURY_SHARE_BPS) / BPS;
        _pay(market.feeRecipient(), treasuryCut);
        _pay(winner, uint256(contest.claimantFee) + 2 * uint256(contest.bond) - treasuryCut);
    }

    /// @dev Closes a contest left from an earlier submission, whose hold ran out in the market (the market settled it
    /// with the hold's default). A module calls this before deciding on a new submission — which is never held, so
    /// any contest on record is such a leftover — and before reading balances, as the refunds move ETH.
    function _closeStaleContest(uint256 taskId) internal {
        Contest memory previous = _contests[taskId];
        if (previous.phase != ContestPhase.None) _closeLapsed(taskId, previous);
    }

    /// @dev Checks that the market still holds the task's submission, so the contest on record is the one running:
    /// a contest whose hold ran out must not decide a later submission (the next milestone, a resubmission).
    function _checkHeld(uint256 taskId) internal view {
        if (market.statusOf(taskId) != TaskStatus.Disputed) revert Errors.DisputableModule_ContestLapsed(taskId);
    }

    /// @dev A contest whose hold ran out in the market: its outcome was settled there; every deposit goes back.
    function _closeLapsed(uint256 taskId, Contest memory contest) private {
        delete _contests[taskId];
        // What the market settled with: the claimant's win while the respondent had not paid, else the decision.
        uint16 settledShareBps =
            contest.phase == ContestPhase.AwaitingRespondent ? _claimantWinShare(contest) : contest.decisionShareBps;
        emit ContestEnded(taskId, ContestOutcome.Lapsed, settledShareBps);
        if (contest.phase >= ContestPhase.AwaitingRespondent) {
            _pay(contest.claimant, uint256(contest.claimantFee) + contest.bond);
            // The respondent's fee went to the arbitrator; its bond comes back.
            if (contest.phase >= ContestPhase.Arbitrating) _pay(contest.respondent, contest.bond);
        }
    }

    /// @dev The parties, for arbitrators that exclude them from judging (the `PanelArbitrator` format): the poster,
    /// both sides, and the operator of an agent executor, which answers for its agent.
    function _arbitratorExtraData(
        TaskTerms calldata terms,
        Contest memory contest
    ) private view returns (bytes memory) {
        address executor = contest.claimantForExecutor ? contest.claimant : contest.respondent;
        address[] memory parties = new address[](4);
        parties[0] = terms.poster;
        parties[1] = contest.claimant;
        parties[2] = contest.respondent;
        parties[3] = market.executorRegistry().operatorOf(executor);
        return abi.encode(parties);
    }

    function _claimantWinShare(Contest memory contest) private pure returns (uint16) {
        return contest.claimantForExecutor ? BPS : 0;
    }
}
