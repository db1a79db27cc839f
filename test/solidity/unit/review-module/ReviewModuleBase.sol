// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { PanelArbitrator } from "../../../../contracts/arbitration/PanelArbitrator.sol";
import { IArbitrator } from "../../../../contracts/interfaces/arbitration/IArbitrator.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { IReviewModule } from "../../../../contracts/interfaces/verification/IReviewModule.sol";
import { TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { ReviewModule } from "../../../../contracts/verification/ReviewModule.sol";
import { Base_Test } from "../../Base.t.sol";

/// @notice Deploys a `ReviewModule` and a three-arbiter `PanelArbitrator` on top of the market of `Base_Test`, and
/// offers helpers that walk a reviewed task through the review, the contest window and the dispute.
/// @dev `reviewer` decides; `human` executes; `poster` posts. Deposits are in ETH. The arbitration fee is shared by
/// the arbiters who voted for the ruling, credited in the panel.
abstract contract ReviewModule_Test is Base_Test {
    uint256 internal constant ARBITRATION_FEE = 0.3 ether;
    uint32 internal constant VOTING_PERIOD = 7 days;
    uint32 internal constant CONTEST_WINDOW = 3 days;
    string internal constant META_EVIDENCE_URI = "ipfs://review-meta-evidence";
    string internal constant EVIDENCE_URI = "ipfs://evidence";
    bytes32 internal constant EVIDENCE_HASH = keccak256("evidence");

    /// @dev The module's constants, restated so that a change to them is noticed.
    uint256 internal constant RULING_OPTIONS = 11;
    uint256 internal constant MAX_CONTEST_WINDOW = 30 days;
    uint256 internal constant FEE_PAYMENT_PERIOD = 3 days;
    uint256 internal constant RULING_PERIOD = 30 days;
    uint256 internal constant EXECUTION_PERIOD = 7 days;
    bytes32 internal constant ACCEPTED_REJECTION_REASON = keccak256("taskmarket.contest.rejection-accepted");
    bytes32 internal constant SETTLEMENT_TYPEHASH = keccak256(
        "Settlement(uint256 taskId,bytes32 submissionHash,uint16 executorShareBps,uint64 deadline)"
    );

    ReviewModule internal module;
    PanelArbitrator internal arbitrator;
    address internal panelOwner = makeAddr("panelOwner");
    address[] internal arbiters;
    uint256 internal posterKey;
    uint256 internal humanKey;

    /// @dev Every account whose ETH a reviewed task can move, for the before/after snapshots.
    struct Balances {
        uint256 poster;
        uint256 executor;
        uint256 reviewer;
        uint256 arbitrator;
        uint256 module;
        uint256 market;
        uint256 feeRecipient;
    }

    function setUp() public virtual override {
        super.setUp();
        module = new ReviewModule(market, META_EVIDENCE_URI);
        arbitrator = new PanelArbitrator(panelOwner, ARBITRATION_FEE, VOTING_PERIOD);
        for (uint256 i = 0; i < 3; ++i) {
            address arbiter = makeAddr(string.concat("arbiter", vm.toString(i)));
            arbiters.push(arbiter);
            vm.prank(panelOwner);
            arbitrator.addArbiter(arbiter);
        }
        address posterAddress;
        address humanAddress;
        (posterAddress, posterKey) = makeAddrAndKey("poster");
        (humanAddress, humanKey) = makeAddrAndKey("human");
        assertEq(posterAddress, poster, "poster key");
        assertEq(humanAddress, human, "human key");

        vm.label(address(module), "ReviewModule");
        vm.label(address(arbitrator), "PanelArbitrator");
    }

    /*//////////////////////////////////////////////////////////////
                            CONFIGURATIONS
    //////////////////////////////////////////////////////////////*/

    function reviewConfig(uint32 contestWindow) internal view returns (IReviewModule.ReviewConfig memory) {
        return
            IReviewModule.ReviewConfig({
                reviewer: reviewer,
                arbitrator: IArbitrator(address(arbitrator)),
                contestWindow: contestWindow
            });
    }

    /// @dev Decisions against a party are held for `CONTEST_WINDOW` and can be disputed before the panel.
    function contestConfig() internal view returns (IReviewModule.ReviewConfig memory) {
        return reviewConfig(CONTEST_WINDOW);
    }

    /// @dev Decisions take effect at once and cannot be disputed.
    function immediateConfig() internal view returns (IReviewModule.ReviewConfig memory) {
        return reviewConfig(0);
    }

    function hashOf(IReviewModule.ReviewConfig memory config) internal pure returns (bytes32) {
        return keccak256(abi.encode(config));
    }

    /// @dev The default terms of `rewardToken`, verified by the module under `config`, with a verifier fee.
    function reviewTerms(
        address rewardToken,
        IReviewModule.ReviewConfig memory config
    ) internal view returns (TaskTerms memory terms) {
        terms = defaultTerms(rewardToken);
        terms.verifier = address(module);
        terms.verifierFee = VERIFIER_FEE;
        terms.verifierConfigHash = hashOf(config);
    }

    /*//////////////////////////////////////////////////////////////
                               DECISIONS
    //////////////////////////////////////////////////////////////*/

    function approveAs(
        address caller,
        uint256 taskId,
        TaskTerms memory terms,
        IReviewModule.ReviewConfig memory config
    ) internal {
        vm.prank(caller);
        module.approve(taskId, terms, config);
    }

    function rejectAs(
        address caller,
        uint256 taskId,
        TaskTerms memory terms,
        IReviewModule.ReviewConfig memory config
    ) internal {
        vm.prank(caller);
        module.reject(taskId, terms, config, REASON_HASH);
    }

    function acceptPartiallyAs(
        address caller,
        uint256 taskId,
        TaskTerms memory terms,
        IReviewModule.ReviewConfig memory config,
        uint16 shareBps
    ) internal {
        vm.prank(caller);
        module.acceptPartially(taskId, terms, config, shareBps);
    }

    /// @dev A submitted task whose reviewer rejected it under `config`.
    function rejectedTask(
        TaskTerms memory terms,
        IReviewModule.ReviewConfig memory config
    ) internal returns (uint256 taskId) {
        taskId = submittedTask(terms);
        rejectAs(reviewer, taskId, terms, config);
    }

    /// @dev A submitted task whose reviewer accepted `shareBps` of it under `config`.
    function partiallyAcceptedTask(
        TaskTerms memory terms,
        IReviewModule.ReviewConfig memory config,
        uint16 shareBps
    ) internal returns (uint256 taskId) {
        taskId = submittedTask(terms);
        acceptPartiallyAs(reviewer, taskId, terms, config, shareBps);
    }

    /*//////////////////////////////////////////////////////////////
                               DISPUTES
    //////////////////////////////////////////////////////////////*/

    function disputeAs(
        address claimant,
        uint256 taskId,
        TaskTerms memory terms,
        IReviewModule.ReviewConfig memory config
    ) internal {
        vm.prank(claimant);
        module.dispute{ value: ARBITRATION_FEE }(taskId, terms, config);
    }

    function respondAs(address respondent, uint256 taskId, TaskTerms memory terms) internal {
        vm.prank(respondent);
        module.respond{ value: ARBITRATION_FEE }(taskId, terms);
    }

    /// @dev The executor disputes the rejection of its submission; the poster has not paid yet.
    function disputedRejection(
        TaskTerms memory terms,
        IReviewModule.ReviewConfig memory config
    ) internal returns (uint256 taskId) {
        taskId = rejectedTask(terms, config);
        disputeAs(human, taskId, terms, config);
    }

    /// @dev The executor disputes the rejection of its submission and the poster matched: the panel is seized.
    function arbitratedRejection(
        TaskTerms memory terms,
        IReviewModule.ReviewConfig memory config
    ) internal returns (uint256 taskId) {
        taskId = disputedRejection(terms, config);
        respondAs(poster, taskId, terms);
    }

    /// @dev A contested decision of `decisionShareBps` (a rejection when it is zero and the executor claims), disputed
    /// by the poster when `posterClaims` (by the executor otherwise) and matched by the other party.
    function arbitratedContest(
        TaskTerms memory terms,
        IReviewModule.ReviewConfig memory config,
        uint16 decisionShareBps,
        bool posterClaims
    ) internal returns (uint256 taskId) {
        taskId =
            decisionShareBps == 0 && !posterClaims
                ? rejectedTask(terms, config)
                : partiallyAcceptedTask(terms, config, decisionShareBps);
        disputeAs(posterClaims ? poster : human, taskId, terms, config);
        respondAs(posterClaims ? human : poster, taskId, terms);
    }

    function disputeIdOf(uint256 taskId) internal view returns (uint256) {
        return module.contestOf(taskId).arbitratorDisputeId;
    }

    /// @dev Two of the three arbiters vote `ruling`: a majority, so the panel rules and delivers at once.
    function panelRules(uint256 disputeId, uint256 ruling) internal {
        vm.prank(arbiters[0]);
        arbitrator.vote(disputeId, ruling);
        vm.prank(arbiters[1]);
        arbitrator.vote(disputeId, ruling);
    }

    function phaseOf(uint256 taskId) internal view returns (IDisputableModule.ContestPhase) {
        return module.contestOf(taskId).phase;
    }

    function assertPhase(uint256 taskId, IDisputableModule.ContestPhase expected) internal view {
        assertEq(uint8(phaseOf(taskId)), uint8(expected), "contest phase");
    }

    /// @dev The executor's share under ERC-792 ruling `ruling`: 1 to 11 give 0 % to 100 %.
    function shareOfRuling(uint256 ruling, uint16 decisionShareBps) internal pure returns (uint16) {
        return ruling == 0 ? decisionShareBps : uint16((ruling - 1) * 1_000);
    }

    /// @dev The ETH deltas (see {assertDeltas}) from before the dispute of a single-deliverable ETH task to after a
    /// ruling giving the executor `shareBps`: the escrow splits by the share, the respondent's deposit paid the
    /// arbitrator, and the claimant's goes to the side with the larger share (the executor on a tie) — whoever
    /// claimed, the poster takes it when the executor gets less than half.
    function ruledDeltas(uint16 shareBps) internal pure returns (int256[6] memory deltas) {
        bool posterWinsDeposit = 2 * uint256(shareBps) < BPS;
        int256 fee = toInt(ARBITRATION_FEE);
        uint256 payout = executorPayoutOf(REWARD, shareBps);
        uint256 refund = posterRefundOf(REWARD, shareBps);
        deltas[0] = toInt(refund) - fee + (posterWinsDeposit ? fee : int256(0));
        deltas[1] = toInt(payout + BOND) - fee + (posterWinsDeposit ? int256(0) : fee);
        deltas[3] = fee;
        deltas[5] = -toInt(payout + refund + BOND);
    }

    /*//////////////////////////////////////////////////////////////
                              SIGNATURES
    //////////////////////////////////////////////////////////////*/

    /// @dev Signs the settlement of the task's current submission with `shareBps` for the executor.
    function signSettlement(
        uint256 privateKey,
        uint256 taskId,
        uint16 shareBps,
        uint64 deadline
    ) internal view returns (bytes memory) {
        bytes32 digest = module.settlementDigest(taskId, market.submissionOf(taskId), shareBps, deadline);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(privateKey, digest);
        return abi.encodePacked(r, s, v);
    }

    function settleAs(
        address caller,
        uint256 taskId,
        TaskTerms memory terms,
        uint16 shareBps,
        uint64 deadline,
        bytes memory posterSignature,
        bytes memory executorSignature
    ) internal {
        vm.prank(caller);
        module.settleByAgreement(taskId, terms, shareBps, deadline, posterSignature, executorSignature);
    }

    /// @dev The poster and `human` both sign `shareBps`; a stranger submits the agreement.
    function settleByBoth(uint256 taskId, TaskTerms memory terms, uint16 shareBps) internal {
        uint64 deadline = uint64(block.timestamp + 1 days);
        settleAs(
            stranger,
            taskId,
            terms,
            shareBps,
            deadline,
            signSettlement(posterKey, taskId, shareBps, deadline),
            signSettlement(humanKey, taskId, shareBps, deadline)
        );
    }

    /*//////////////////////////////////////////////////////////////
                                AMOUNTS
    //////////////////////////////////////////////////////////////*/

    /// @dev The executor's gross part of `amount` under `shareBps`, as the market computes it.
    function grossOf(uint256 amount, uint256 shareBps) internal pure returns (uint256) {
        return shareBps == BPS ? amount : (amount * shareBps) / BPS;
    }

    function protocolFeeOf(uint256 amount, uint256 shareBps) internal pure returns (uint256) {
        return (grossOf(amount, shareBps) * FEE_BPS) / BPS;
    }

    /// @dev What the executor is paid for `shareBps` of `amount`, net of the protocol fee (the bond aside).
    function executorPayoutOf(uint256 amount, uint256 shareBps) internal pure returns (uint256) {
        return grossOf(amount, shareBps) - protocolFeeOf(amount, shareBps);
    }

    /// @dev What goes back to the poster when the executor gets `shareBps` of `amount`.
    function posterRefundOf(uint256 amount, uint256 shareBps) internal pure returns (uint256) {
        return amount - grossOf(amount, shareBps);
    }

    /*//////////////////////////////////////////////////////////////
                               BALANCES
    //////////////////////////////////////////////////////////////*/

    function balancesOf(address executor) internal view returns (Balances memory) {
        return
            Balances({
                poster: poster.balance,
                executor: executor.balance,
                reviewer: reviewer.balance,
                arbitrator: address(arbitrator).balance,
                module: address(module).balance,
                market: address(market).balance,
                feeRecipient: feeRecipient.balance
            });
    }

    function totalOf(Balances memory balances) internal pure returns (uint256) {
        return
            balances.poster +
            balances.executor +
            balances.reviewer +
            balances.arbitrator +
            balances.module +
            balances.market +
            balances.feeRecipient;
    }

    /// @dev Asserts that each of `after_` differs from `before` by the signed deltas given, in order: poster,
    /// executor, reviewer, arbitrator, module, market.
    function assertDeltas(Balances memory before, Balances memory after_, int256[6] memory deltas) internal pure {
        assertEq(int256(after_.poster) - int256(before.poster), deltas[0], "poster balance");
        assertEq(int256(after_.executor) - int256(before.executor), deltas[1], "executor balance");
        assertEq(int256(after_.reviewer) - int256(before.reviewer), deltas[2], "reviewer balance");
        assertEq(int256(after_.arbitrator) - int256(before.arbitrator), deltas[3], "arbitrator balance");
        assertEq(int256(after_.module) - int256(before.module), deltas[4], "module balance");
        assertEq(int256(after_.market) - int256(before.market), deltas[5], "market balance");
        assertEq(after_.feeRecipient, before.feeRecipient, "fee recipient balance");
        assertEq(totalOf(after_), totalOf(before), "ETH is conserved");
    }

    /// @dev The arbiters who voted for the ruling share the respondent's fee; nobody else is credited.
    function assertArbitersPaid(uint256 expectedTotal) internal view {
        uint256 credited;
        for (uint256 i = 0; i < arbiters.length; ++i) {
            credited += arbitrator.creditOf(arbiters[i]);
        }
        assertEq(credited, expectedTotal, "arbiters' credits");
        assertEq(address(arbitrator).balance, expectedTotal + arbitrator.creditOf(address(module)), "panel balance");
    }

    function toInt(uint256 value) internal pure returns (int256) {
        return int256(value);
    }
}
