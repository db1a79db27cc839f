// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { PanelArbitrator } from "../../../../contracts/arbitration/PanelArbitrator.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { IOptimisticModule } from "../../../../contracts/interfaces/verification/IOptimisticModule.sol";
import { OptimisticModule } from "../../../../contracts/verification/OptimisticModule.sol";
import { TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";

/// @notice Deploys an `OptimisticModule` on top of the market of `Base_Test` and a `PanelArbitrator` with three
/// arbiters, and offers helpers that walk an optimistic task through a challenge.
abstract contract OptimisticModule_Test is Base_Test {
    /// @dev Neither is a round figure, so that a fee mixed up with a bond (or a half of either) shows in a balance.
    uint256 internal constant ARBITRATION_FEE = 30_000_000_000_000_001; // 0.03 ETH + 1 wei: halves round
    uint128 internal constant CHALLENGE_BOND = 200_000_000_000_000_007; // 0.2 ETH + 7 wei
    uint32 internal constant VOTING_PERIOD = 3 days;
    string internal constant META_EVIDENCE_URI = "ipfs://bafyoptimisticmetaevidence";

    /// @dev The module's constants, restated so that a change to them shows.
    uint256 internal constant FEE_PAYMENT_PERIOD = 3 days;
    uint256 internal constant RULING_PERIOD = 30 days;
    uint256 internal constant EXECUTION_PERIOD = 7 days;
    uint256 internal constant TREASURY_SHARE_BPS = 1_000;

    /// @dev Rulings: `r` gives the executor `(r - 1) * 10 %`; 0 is a refusal.
    uint256 internal constant RULING_REFUSED = 0;
    uint256 internal constant RULING_CHALLENGER_WINS = 1;
    uint256 internal constant RULING_EXECUTOR_WINS = 11;

    OptimisticModule internal module;
    PanelArbitrator internal panel;
    address internal challenger = makeAddr("challenger");
    address internal arbiter0 = makeAddr("arbiter0");
    address internal arbiter1 = makeAddr("arbiter1");
    address internal arbiter2 = makeAddr("arbiter2");

    function setUp() public virtual override {
        super.setUp();
        module = new OptimisticModule(market, META_EVIDENCE_URI);
        panel = new PanelArbitrator(owner, ARBITRATION_FEE, VOTING_PERIOD);
        vm.startPrank(owner);
        panel.addArbiter(arbiter0);
        panel.addArbiter(arbiter1);
        panel.addArbiter(arbiter2);
        vm.stopPrank();
        vm.deal(challenger, 1000 ether);

        vm.label(address(module), "OptimisticModule");
        vm.label(address(panel), "PanelArbitrator");
    }

    /*//////////////////////////////////////////////////////////////
                            CONFIGURATIONS
    //////////////////////////////////////////////////////////////*/

    function optimisticConfig() internal view returns (IOptimisticModule.OptimisticConfig memory) {
        return IOptimisticModule.OptimisticConfig({ arbitrator: panel, challengeBond: CHALLENGE_BOND });
    }

    function configHashOf(IOptimisticModule.OptimisticConfig memory config) internal pure returns (bytes32) {
        return keccak256(abi.encode(config));
    }

    /// @dev Default terms of `rewardToken` verified optimistically under the default configuration: the challenge
    /// window is the task's review window. No verifier fee: nobody reviews.
    function optimisticTerms(address rewardToken) internal view returns (TaskTerms memory terms) {
        terms = defaultTerms(rewardToken);
        terms.verifier = address(module);
        terms.verifierConfigHash = configHashOf(optimisticConfig());
    }

    /// @dev As {optimisticTerms}, with a verifier fee the poster set nonetheless.
    function optimisticTermsWithFee(address rewardToken) internal view returns (TaskTerms memory terms) {
        terms = optimisticTerms(rewardToken);
        terms.verifierFee = VERIFIER_FEE;
    }

    /*//////////////////////////////////////////////////////////////
                               LIFECYCLE
    //////////////////////////////////////////////////////////////*/

    function challengeDeposit() internal pure returns (uint256) {
        return ARBITRATION_FEE + CHALLENGE_BOND;
    }

    function challengeAs(address caller, uint256 taskId, TaskTerms memory terms) internal {
        vm.prank(caller);
        module.challenge{ value: challengeDeposit() }(taskId, terms, optimisticConfig());
    }

    function respondAs(address caller, uint256 taskId, TaskTerms memory terms) internal {
        vm.prank(caller);
        module.respond{ value: challengeDeposit() }(taskId, terms);
    }

    /// @dev A submitted task (claimed by `human`) that `challenger` has challenged.
    function challengedTask(TaskTerms memory terms) internal returns (uint256 taskId) {
        taskId = submittedTask(terms);
        challengeAs(challenger, taskId, terms);
    }

    /// @dev A challenged task whose executor has matched the deposit: the panel holds the dispute.
    function arbitratedTask(TaskTerms memory terms) internal returns (uint256 taskId) {
        taskId = challengedTask(terms);
        respondAs(human, taskId, terms);
    }

    function disputeIdOf(uint256 taskId) internal view returns (uint256) {
        return module.contestOf(taskId).arbitratorDisputeId;
    }

    /// @dev Two of the three arbiters vote `ruling`: a majority, so the panel delivers it to the module at once.
    function panelRules(uint256 taskId, uint256 ruling) internal {
        uint256 disputeId = disputeIdOf(taskId);
        vm.prank(arbiter0);
        panel.vote(disputeId, ruling);
        vm.prank(arbiter1);
        panel.vote(disputeId, ruling);
    }

    function executeRulingAs(address caller, uint256 taskId, TaskTerms memory terms) internal {
        vm.prank(caller);
        module.executeRuling(taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                                AMOUNTS
    //////////////////////////////////////////////////////////////*/

    /// @dev How a settlement with `shareBps` for the executor divides `amount`, as the market computes it.
    function splitOf(
        uint256 amount,
        uint256 shareBps
    ) internal pure returns (uint256 payout, uint256 fee, uint256 refund) {
        uint256 gross = (amount * shareBps) / BPS;
        fee = feeOf(gross, FEE_BPS);
        payout = gross - fee;
        refund = amount - gross;
    }

    /// @dev The part of the losing side's bond kept for the treasury.
    function treasuryCut() internal pure returns (uint256) {
        return (uint256(CHALLENGE_BOND) * TREASURY_SHARE_BPS) / BPS;
    }

    /// @dev What the side that wins an arbitrated challenge receives: the claimant's fee, its own bond, and the
    /// loser's bond less the treasury cut.
    function winnerTakes() internal pure returns (uint256) {
        return ARBITRATION_FEE + 2 * uint256(CHALLENGE_BOND) - treasuryCut();
    }

    /*//////////////////////////////////////////////////////////////
                              ASSERTIONS
    //////////////////////////////////////////////////////////////*/

    function assertPhase(uint256 taskId, IDisputableModule.ContestPhase expected) internal view {
        assertEq(uint256(module.contestOf(taskId).phase), uint256(expected), "contest phase");
    }

    function assertNoContest(uint256 taskId) internal view {
        IDisputableModule.Contest memory contest = module.contestOf(taskId);
        assertEq(uint256(contest.phase), 0, "contest: phase");
        assertEq(contest.claimant, address(0), "contest: claimant");
        assertEq(contest.respondent, address(0), "contest: respondent");
        assertEq(address(contest.arbitrator), address(0), "contest: arbitrator");
        assertEq(contest.claimantFee, 0, "contest: claimantFee");
        assertEq(contest.bond, 0, "contest: bond");
    }

    /// @dev Asserts the arbiters' credits at the panel: `first` for arbiter0, `second` for arbiter1, none for arbiter2.
    function assertArbiterCredits(uint256 first, uint256 second) internal view {
        assertEq(panel.creditOf(arbiter0), first, "arbiter0 credit");
        assertEq(panel.creditOf(arbiter1), second, "arbiter1 credit");
        assertEq(panel.creditOf(arbiter2), 0, "arbiter2 credit");
    }

    /// @dev A snapshot of every ETH balance a challenge can move.
    struct Balances {
        uint256 poster;
        uint256 executor;
        uint256 challenger;
        uint256 treasury;
        uint256 market;
        uint256 module;
        uint256 panel;
        uint256 stranger;
    }

    function ethBalances() internal view returns (Balances memory b) {
        b.poster = poster.balance;
        b.executor = human.balance;
        b.challenger = challenger.balance;
        b.treasury = feeRecipient.balance;
        b.market = address(market).balance;
        b.module = address(module).balance;
        b.panel = address(panel).balance;
        b.stranger = stranger.balance;
    }

    /// @dev Signed moves of the ETH balances of {Balances} (the stranger's must not move).
    struct Deltas {
        int256 poster;
        int256 executor;
        int256 challenger;
        int256 treasury;
        int256 market;
        int256 module;
        int256 panel;
    }

    /// @dev Asserts each ETH balance moved by exactly its delta since `before`, and the stranger's not at all.
    function assertEthDeltas(Balances memory before, Deltas memory expected) internal view {
        Balances memory current = ethBalances();
        assertEq(int256(current.poster) - int256(before.poster), expected.poster, "poster ETH");
        assertEq(int256(current.executor) - int256(before.executor), expected.executor, "executor ETH");
        assertEq(int256(current.challenger) - int256(before.challenger), expected.challenger, "challenger ETH");
        assertEq(int256(current.treasury) - int256(before.treasury), expected.treasury, "treasury ETH");
        assertEq(int256(current.market) - int256(before.market), expected.market, "market ETH");
        assertEq(int256(current.module) - int256(before.module), expected.module, "module ETH");
        assertEq(int256(current.panel) - int256(before.panel), expected.panel, "panel ETH");
        assertEq(current.stranger, before.stranger, "stranger ETH");
    }

    function signed(uint256 amount) internal pure returns (int256) {
        return int256(amount);
    }
}
