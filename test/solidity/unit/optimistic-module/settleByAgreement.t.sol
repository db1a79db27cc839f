// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { IDisputableModule } from "../../../../contracts/interfaces/verification/IDisputableModule.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorRecord, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { OptimisticModule_Test } from "./OptimisticModuleBase.sol";

/// @notice The poster and the executor may end a challenge with a split they both sign (EIP-712 `Settlement`).
contract SettleByAgreement_Unit_Test is OptimisticModule_Test {
    bytes32 internal constant SETTLEMENT_TYPEHASH = keccak256(
        "Settlement(uint256 taskId,bytes32 submissionHash,uint16 executorShareBps,uint64 deadline)"
    );

    uint256 internal posterKey;
    uint256 internal humanKey;

    function setUp() public override {
        super.setUp();
        (, posterKey) = makeAddrAndKey("poster");
        (, humanKey) = makeAddrAndKey("human");
    }

    function sign(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function digestOf(uint256 taskId, uint16 shareBps, uint64 deadline) internal view returns (bytes32) {
        return module.settlementDigest(taskId, market.submissionOf(taskId), shareBps, deadline);
    }

    function settle(uint256 taskId, TaskTerms memory terms, uint16 shareBps) internal {
        uint64 deadline = uint64(block.timestamp + 1 days);
        bytes32 digest = digestOf(taskId, shareBps, deadline);
        vm.prank(stranger);
        module.settleByAgreement(taskId, terms, shareBps, deadline, sign(posterKey, digest), sign(humanKey, digest));
    }

    function test_SettlementDigest_ShouldBeTheEip712DigestOfTheModule() external view {
        uint256 taskId = 7;
        bytes32 structHash = keccak256(abi.encode(SETTLEMENT_TYPEHASH, taskId, RESULT_HASH, uint16(6_000), uint64(9)));
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("TaskMarket OptimisticModule"),
                keccak256("1"),
                block.chainid,
                address(module)
            )
        );
        assertEq(
            module.settlementDigest(taskId, RESULT_HASH, 6_000, 9),
            keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash))
        );
    }

    /// @dev Before the executor answered, nothing was spent: the challenger gets its whole deposit back.
    function test_WhenAgreedBeforeTheResponse_TheChallengerShouldGetItsDepositBack() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);
        (uint256 payout, uint256 fee, uint256 refund) = splitOf(REWARD, 7_000);
        Balances memory before = ethBalances();

        vm.expectEmit(address(module));
        emit IDisputableModule.ContestEnded(taskId, IDisputableModule.ContestOutcome.Agreed, 7_000);
        vm.expectEmit(address(market));
        emit ITaskMarket.SubmissionResolved(taskId, address(module), 7_000);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskSettled(taskId, human, address(0), payout, fee, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.SettlementRefunded(taskId, poster, refund);
        settle(taskId, terms, 7_000);

        assertEthDeltas(
            before,
            Deltas({
                poster: signed(refund),
                executor: signed(payout + BOND),
                challenger: signed(challengeDeposit()),
                treasury: 0,
                market: -signed(payout + BOND + refund),
                module: -signed(challengeDeposit()),
                panel: 0
            })
        );
        assertStatus(taskId, TaskStatus.Settled);
        assertNoContest(taskId);
        ExecutorRecord memory record;
        record.completed = 1;
        record.disputesWon = 1;
        assertEq(market.executorRecordOf(human), record);
    }

    /// @dev After the response the executor's fee is spent at the panel: the claimant's fee is split, bonds return.
    function test_WhenAgreedDuringArbitration_TheClaimantFeeShouldBeSplit() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = arbitratedTask(terms);
        (uint256 payout, , uint256 refund) = splitOf(REWARD, 4_000);
        uint256 half = ARBITRATION_FEE / 2;
        Balances memory before = ethBalances();

        settle(taskId, terms, 4_000);

        assertEthDeltas(
            before,
            Deltas({
                poster: signed(refund),
                executor: signed(payout + BOND + (ARBITRATION_FEE - half) + CHALLENGE_BOND),
                challenger: signed(half + CHALLENGE_BOND),
                treasury: 0,
                market: -signed(payout + BOND + refund),
                module: -signed(ARBITRATION_FEE + 2 * uint256(CHALLENGE_BOND)),
                panel: 0
            })
        );
        assertEq(address(module).balance, 0, "module empty");
        ExecutorRecord memory record;
        record.completed = 1;
        record.disputesLost = 1;
        assertEq(market.executorRecordOf(human), record);
    }

    function test_RevertWhen_TheChallengerSignsInsteadOfThePoster() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);
        (, uint256 challengerKey) = makeAddrAndKey("challenger");
        uint64 deadline = uint64(block.timestamp + 1 days);
        bytes32 digest = digestOf(taskId, 0, deadline);
        bytes memory challengerSignature = sign(challengerKey, digest);
        bytes memory humanSignature = sign(humanKey, digest);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidSignature.selector, poster));
        module.settleByAgreement(taskId, terms, 0, deadline, challengerSignature, humanSignature);
    }

    function test_RevertWhen_ExecutorSignedAnotherShare() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);
        uint64 deadline = uint64(block.timestamp + 1 days);
        bytes memory posterSignature = sign(posterKey, digestOf(taskId, 2_000, deadline));
        bytes memory humanSignature = sign(humanKey, digestOf(taskId, 8_000, deadline));

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidSignature.selector, human));
        module.settleByAgreement(taskId, terms, 2_000, deadline, posterSignature, humanSignature);
    }

    function test_RevertWhen_AgreementExpired() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);
        uint64 deadline = uint64(block.timestamp);
        bytes32 digest = digestOf(taskId, 5_000, deadline);
        bytes memory posterSignature = sign(posterKey, digest);
        bytes memory humanSignature = sign(humanKey, digest);
        vm.warp(block.timestamp + 1);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_DeadlinePassed.selector, taskId, deadline));
        module.settleByAgreement(taskId, terms, 5_000, deadline, posterSignature, humanSignature);
    }

    function test_RevertWhen_ShareAboveTheWhole() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = challengedTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidShare.selector, BPS + 1));
        module.settleByAgreement(taskId, terms, uint16(BPS + 1), uint64(block.timestamp), "", "");
    }

    function test_RevertWhen_NoChallenge() external {
        TaskTerms memory terms = optimisticTerms(address(0));
        uint256 taskId = submittedTask(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.DisputableModule_InvalidPhase.selector, taskId));
        module.settleByAgreement(taskId, terms, 5_000, uint64(block.timestamp), "", "");
    }
}
