// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IERC20Errors } from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

import { Eligibility } from "../../../../contracts/interfaces/IExecutorRegistry.sol";
import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import {
    ExecutorKind,
    ExecutorRecord,
    TaskState,
    TaskStatus,
    TaskTerms
} from "../../../../contracts/types/TaskTypes.sol";
import { Base_Test } from "../../Base.t.sol";
import { ContractAccount } from "../../utils/TestAccounts.sol";
import { FeeOnTransferERC20 } from "../../utils/TestTokens.sol";

contract Claim_Unit_Test is Base_Test {
    /*//////////////////////////////////////////////////////////////
                          TASK AND TERMS CHECKS
    //////////////////////////////////////////////////////////////*/

    function test_RevertGiven_TaskNotFound() external {
        TaskTerms memory terms = ethTerms();
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TaskNotFound.selector, 1));
        vm.prank(human);
        market.claim{ value: BOND }(1, terms, noCapabilities());
    }

    function test_RevertWhen_TermsMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        terms.claimBond = 0;
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_TermsMismatch.selector, taskId));
        vm.prank(human);
        market.claim(taskId, terms, noCapabilities());
    }

    function test_RevertGiven_TaskClaimed() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Claimed));
        vm.prank(agent);
        market.claim{ value: BOND }(taskId, terms, noCapabilities());
    }

    function test_RevertGiven_ClaimDeadlinePassed() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        warpPastClaimDeadline(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Expired));
        vm.prank(human);
        market.claim{ value: BOND }(taskId, terms, noCapabilities());
    }

    function test_GivenClaimDeadlineNow_ItShouldClaim() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.warp(terms.claimDeadline);
        claimTask(taskId, terms, human);
        assertStatus(taskId, TaskStatus.Claimed);
    }

    /*//////////////////////////////////////////////////////////////
                          CONFLICT OF INTEREST
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_CallerIsPoster() external {
        // The poster is a registered executor too, so only the conflict of interest stops it.
        registerExecutor(poster, ExecutorKind.Human, sortedCapabilities());
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_ConflictOfInterest.selector, taskId, poster));
        vm.prank(poster);
        market.claim{ value: BOND }(taskId, terms, noCapabilities());
    }

    function test_RevertWhen_CallerIsVerifier() external {
        registerExecutor(reviewer, ExecutorKind.Human, sortedCapabilities());
        TaskTerms memory terms = ethTerms();
        terms.verifier = reviewer;
        uint256 taskId = createTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_ConflictOfInterest.selector, taskId, reviewer));
        vm.prank(reviewer);
        market.claim{ value: BOND }(taskId, terms, noCapabilities());
    }

    function test_RevertWhen_CallerIsAnAgentOperatedByThePoster() external {
        // A poster must not execute its own task through an agent it operates: that would write completed tasks
        // and ratings into the record of an executor it controls.
        address posterAgent = makeAddr("posterAgent");
        fund(posterAgent, 10 ether);
        vm.prank(posterAgent);
        registry.register(ExecutorKind.Agent, poster, noCapabilities(), "ipfs://poster-agent");
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_ConflictOfInterest.selector, taskId, posterAgent));
        claimTask(taskId, terms, posterAgent);
    }

    function test_RevertWhen_CallerIsAnAgentOperatedByTheVerifier() external {
        address verifierAgent = makeAddr("verifierAgent");
        fund(verifierAgent, 10 ether);
        vm.prank(verifierAgent);
        registry.register(ExecutorKind.Agent, reviewer, noCapabilities(), "ipfs://verifier-agent");
        TaskTerms memory terms = ethTerms();
        terms.verifier = reviewer;
        uint256 taskId = createTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_ConflictOfInterest.selector, taskId, verifierAgent));
        claimTask(taskId, terms, verifierAgent);
    }

    function test_RevertWhen_CallerIsAHumanNamingThePosterAsOperator() external {
        // A human may name an agency as its operator; the poster cannot be that agency for its own task.
        address employee = makeAddr("employee");
        fund(employee, 10 ether);
        vm.prank(employee);
        registry.register(ExecutorKind.Human, poster, noCapabilities(), "ipfs://employee");
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_ConflictOfInterest.selector, taskId, employee));
        claimTask(taskId, terms, employee);
    }

    function test_WhenAgentOperatedByThePosterIsIneligible_ItShouldReportEligibilityFirst() external {
        address posterAgent = makeAddr("posterAgent");
        fund(posterAgent, 10 ether);
        vm.prank(posterAgent);
        registry.register(ExecutorKind.Agent, poster, noCapabilities(), "ipfs://poster-agent");
        TaskTerms memory terms = ethTerms();
        terms.executorKind = ExecutorKind.Human;
        uint256 taskId = createTask(terms);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_ExecutorNotEligible.selector,
                taskId,
                posterAgent,
                Eligibility.KindMismatch
            )
        );
        claimTask(taskId, terms, posterAgent);
    }

    function test_WhenAgentOperatorIsNotAParty_ItShouldClaim() external {
        // `agent` is operated by `operator`, who is not a party to this task.
        TaskTerms memory terms = ethTerms();
        terms.verifier = reviewer;
        uint256 taskId = createTask(terms);
        claimTask(taskId, terms, agent);
        assertEq(market.stateOf(taskId).executor, agent, "executor");
    }

    function test_WhenAgentRenamesItsOperator_ItMayClaim() external {
        // The operator is declared by the agent itself: the check binds only an honest declaration. An agent of the
        // poster that names someone else passes it, as the registry cannot tell.
        address posterAgent = makeAddr("posterAgent");
        fund(posterAgent, 10 ether);
        vm.startPrank(posterAgent);
        registry.register(ExecutorKind.Agent, poster, noCapabilities(), "ipfs://poster-agent");
        registry.updateProfile(stranger, noCapabilities(), "ipfs://poster-agent");
        vm.stopPrank();
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        claimTask(taskId, terms, posterAgent);
        assertEq(market.stateOf(taskId).executor, posterAgent, "executor");
    }

    /*//////////////////////////////////////////////////////////////
                              CAPABILITIES
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_CapabilitiesDoNotHashToTerms() external {
        TaskTerms memory terms = ethTerms();
        terms.capabilitiesHash = hashCapabilities(sortedCapabilities());
        uint256 taskId = createTask(terms, sortedCapabilities());

        bytes32[] memory partial_ = new bytes32[](1);
        partial_[0] = sortedCapabilities()[0];
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_CapabilitiesMismatch.selector,
                terms.capabilitiesHash,
                hashCapabilities(partial_)
            )
        );
        // `human` declared both capabilities: a shorter list would pass the registry, so the hash check must stop it.
        claimTask(taskId, terms, human, partial_);
    }

    function test_RevertWhen_CapabilitiesOmitted() external {
        TaskTerms memory terms = ethTerms();
        terms.capabilitiesHash = hashCapabilities(sortedCapabilities());
        uint256 taskId = createTask(terms, sortedCapabilities());
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_CapabilitiesMismatch.selector,
                terms.capabilitiesHash,
                hashCapabilities(noCapabilities())
            )
        );
        claimTask(taskId, terms, human, noCapabilities());
    }

    function test_RevertWhen_ExecutorLacksCapability() external {
        address novice = makeAddr("novice");
        fund(novice, 100 ether);
        bytes32[] memory one = new bytes32[](1);
        one[0] = CAP_SOLIDITY;
        registerExecutor(novice, ExecutorKind.Human, one);

        TaskTerms memory terms = ethTerms();
        terms.capabilitiesHash = hashCapabilities(sortedCapabilities());
        uint256 taskId = createTask(terms, sortedCapabilities());
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_ExecutorNotEligible.selector,
                taskId,
                novice,
                Eligibility.MissingCapability
            )
        );
        claimTask(taskId, terms, novice, sortedCapabilities());
    }

    function test_WhenExecutorHasEveryCapability_ItShouldClaim() external {
        TaskTerms memory terms = ethTerms();
        terms.capabilitiesHash = hashCapabilities(sortedCapabilities());
        uint256 taskId = createTask(terms, sortedCapabilities());
        claimTask(taskId, terms, agent, sortedCapabilities());
        assertEq(market.stateOf(taskId).executor, agent, "executor");
    }

    /*//////////////////////////////////////////////////////////////
                              ELIGIBILITY
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_CallerNotRegistered() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_ExecutorNotEligible.selector,
                taskId,
                stranger,
                Eligibility.NotRegistered
            )
        );
        claimTask(taskId, terms, stranger);
    }

    function test_RevertWhen_ExecutorInactive() external {
        vm.prank(human);
        registry.setActive(false);
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.expectRevert(
            abi.encodeWithSelector(Errors.TaskMarket_ExecutorNotEligible.selector, taskId, human, Eligibility.Inactive)
        );
        claimTask(taskId, terms, human);
    }

    function test_RevertWhen_AgentClaimsHumanTask() external {
        TaskTerms memory terms = ethTerms();
        terms.executorKind = ExecutorKind.Human;
        uint256 taskId = createTask(terms);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_ExecutorNotEligible.selector,
                taskId,
                agent,
                Eligibility.KindMismatch
            )
        );
        claimTask(taskId, terms, agent);
    }

    function test_RevertWhen_HumanClaimsAgentTask() external {
        TaskTerms memory terms = ethTerms();
        terms.executorKind = ExecutorKind.Agent;
        uint256 taskId = createTask(terms);
        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_ExecutorNotEligible.selector,
                taskId,
                human,
                Eligibility.KindMismatch
            )
        );
        claimTask(taskId, terms, human);
    }

    function test_WhenHumanClaimsHumanTask_ItShouldClaim() external {
        TaskTerms memory terms = ethTerms();
        terms.executorKind = ExecutorKind.Human;
        uint256 taskId = createTask(terms);
        claimTask(taskId, terms, human);
        assertEq(market.stateOf(taskId).executor, human, "executor");
    }

    function test_WhenAgentClaimsAgentTask_ItShouldClaim() external {
        TaskTerms memory terms = ethTerms();
        terms.executorKind = ExecutorKind.Agent;
        uint256 taskId = createTask(terms);
        claimTask(taskId, terms, agent);
        assertEq(market.stateOf(taskId).executor, agent, "executor");
    }

    function test_WhenTaskAcceptsAnyKind_ItShouldLetAnAgentClaim() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        claimTask(taskId, terms, agent);
        assertEq(market.stateOf(taskId).executor, agent, "executor");
    }

    /*//////////////////////////////////////////////////////////////
                                 BOND
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_EthBondTooLow() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, BOND, BOND - 1));
        vm.prank(human);
        market.claim{ value: BOND - 1 }(taskId, terms, noCapabilities());
    }

    function test_RevertWhen_EthBondTooHigh() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, BOND, BOND + 1));
        vm.prank(human);
        market.claim{ value: BOND + 1 }(taskId, terms, noCapabilities());
    }

    function test_RevertWhen_TokenTaskClaimSendsEth() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = createTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, 0, 1));
        vm.prank(human);
        market.claim{ value: 1 }(taskId, terms, noCapabilities());
    }

    function test_RevertWhen_TokenBondNotApproved() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = createTask(terms);
        vm.prank(human);
        token.approve(address(market), 0);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(market), 0, BOND)
        );
        claimTask(taskId, terms, human);
    }

    function test_RevertWhen_TokenBondArrivesShort() external {
        FeeOnTransferERC20 feeToken = new FeeOnTransferERC20();
        address[2] memory holders = [poster, human];
        for (uint256 i = 0; i < holders.length; ++i) {
            feeToken.mint(holders[i], 10 ether);
            vm.prank(holders[i]);
            feeToken.approve(address(market), type(uint256).max);
        }
        // The task is funded while the token charges nothing; the fee is switched on before the claim.
        feeToken.setFeeOn(false);
        TaskTerms memory terms = defaultTerms(address(feeToken));
        uint256 taskId = createTask(terms);
        feeToken.setFeeOn(true);

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.TaskMarket_TokenTransferShortfall.selector,
                address(feeToken),
                BOND,
                BOND - BOND / 100
            )
        );
        claimTask(taskId, terms, human);
    }

    function test_WhenEthBondSent_ItShouldLockIt() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        uint256 marketBefore = address(market).balance;
        uint256 humanBefore = human.balance;

        claimTask(taskId, terms, human);

        assertEq(address(market).balance, marketBefore + BOND, "market balance");
        assertEq(human.balance, humanBefore - BOND, "executor balance");
    }

    function test_WhenTokenBondApproved_ItShouldLockIt() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = createTask(terms);
        uint256 marketBefore = token.balanceOf(address(market));
        uint256 humanBefore = token.balanceOf(human);

        claimTask(taskId, terms, human);

        assertEq(token.balanceOf(address(market)), marketBefore + BOND, "market balance");
        assertEq(token.balanceOf(human), humanBefore - BOND, "executor balance");
    }

    function test_WhenBondZero_ItShouldClaimWithoutPayment() external {
        TaskTerms memory terms = tokenTerms();
        terms.claimBond = 0;
        uint256 taskId = createTask(terms);
        uint256 humanBefore = token.balanceOf(human);
        claimTask(taskId, terms, human);
        assertEq(token.balanceOf(human), humanBefore, "executor balance");
        assertStatus(taskId, TaskStatus.Claimed);
    }

    function test_WhenEthBondZero_ItShouldRejectAnyValue() external {
        TaskTerms memory terms = ethTerms();
        terms.claimBond = 0;
        uint256 taskId = createTask(terms);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_IncorrectPayment.selector, 0, 1));
        vm.prank(human);
        market.claim{ value: 1 }(taskId, terms, noCapabilities());
    }

    /*//////////////////////////////////////////////////////////////
                                SUCCESS
    //////////////////////////////////////////////////////////////*/

    function test_WhenPosted_ItShouldClaim() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        uint40 executionDeadline = uint40(block.timestamp) + EXECUTION_WINDOW;

        vm.expectEmit(address(market));
        emit ITaskMarket.TaskClaimed(taskId, human, executionDeadline, BOND);
        claimTask(taskId, terms, human);

        assertStatus(taskId, TaskStatus.Claimed);
        assertEq(
            market.stateOf(taskId),
            TaskState({
                executor: human,
                status: TaskStatus.Claimed,
                executionDeadline: executionDeadline,
                reviewDeadline: 0,
                flags: 0
            })
        );
    }

    function test_WhenPaused_ItShouldStillClaim() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.prank(owner);
        market.pause();
        claimTask(taskId, terms, human);
        assertStatus(taskId, TaskStatus.Claimed);
    }

    function test_WhenExecutorIsContract_ItShouldClaim() external {
        // Smart accounts act for themselves: the registry and the market only see `msg.sender`.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        address account = address(new SmartExecutor());
        vm.deal(account, 1 ether);
        vm.startPrank(account);
        registry.register(ExecutorKind.Agent, operator, noCapabilities(), "ipfs://smart-account");
        market.claim{ value: BOND }(taskId, terms, noCapabilities());
        vm.stopPrank();
        assertEq(market.stateOf(taskId).executor, account, "executor");
    }

    /*//////////////////////////////////////////////////////////////
                           LAPSED CLAIM REOPEN
    //////////////////////////////////////////////////////////////*/

    function test_GivenClaimLapsed_ItShouldReadAsPosted() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        warpPastExecutionDeadline(taskId);
        assertStatus(taskId, TaskStatus.Posted);
        assertStoredStatus(taskId, TaskStatus.Claimed);
    }

    function test_GivenClaimLapsed_ItShouldPayTheBondToThePosterAndReassign() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        warpPastExecutionDeadline(taskId);
        uint256 posterBefore = poster.balance;
        uint256 marketBefore = address(market).balance;
        uint40 executionDeadline = uint40(block.timestamp) + EXECUTION_WINDOW;

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, false, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskClaimed(taskId, agent, executionDeadline, BOND);
        claimTask(taskId, terms, agent);

        assertEq(poster.balance, posterBefore + BOND, "poster receives the forfeited bond");
        assertEq(address(market).balance, marketBefore, "market holds the new bond instead of the old");
        assertEq(
            market.stateOf(taskId),
            TaskState({
                executor: agent,
                status: TaskStatus.Claimed,
                executionDeadline: executionDeadline,
                reviewDeadline: 0,
                flags: 0
            })
        );
        ExecutorRecord memory expected;
        expected.expired = 1;
        assertEq(market.executorRecordOf(human), expected);
    }

    function test_GivenClaimLapsedAfterRejection_ItShouldCountARejection() external {
        TaskTerms memory terms = tokenTerms();
        uint256 taskId = lateSubmittedTask(terms);
        warpPastExecutionDeadline(taskId); // reject after the execution deadline
        rejectTask(taskId, terms);
        uint256 posterBefore = token.balanceOf(poster);
        uint256 humanBefore = token.balanceOf(human);

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, true, 0);
        claimTask(taskId, terms, agent);

        assertEq(token.balanceOf(poster), posterBefore, "no bond is forfeited after a rejection past the deadline");
        assertEq(token.balanceOf(human), humanBefore + BOND, "the rejected executor gets its bond back");
        ExecutorRecord memory expected;
        expected.rejected = 1;
        assertEq(market.executorRecordOf(human), expected);
        assertEq(market.stateOf(taskId).flags, 0, "the new claim starts without flags");
    }

    function test_GivenClaimLapsedAfterRejection_AndExecutorRejectsEth_ItShouldCreditTheBond() external {
        ContractAccount account = newContractExecutor("rejectingExecutor");
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        claimTaskAs(account, taskId, terms);
        vm.warp(market.stateOf(taskId).executionDeadline); // submit at the last moment
        submitWorkAs(account, taskId, terms);
        warpPastExecutionDeadline(taskId); // reject after the execution deadline
        rejectTask(taskId, terms);
        account.setAcceptsEth(false);

        vm.expectEmit(address(market));
        emit ITaskMarket.PaymentCredited(address(account), address(0), BOND);
        claimTask(taskId, terms, agent);

        assertEq(market.stateOf(taskId).executor, agent, "the new claim stands");
        assertEq(market.creditOf(address(account), address(0)), BOND, "the returned bond is credited");
    }

    function test_GivenRejectedInTimeAndNeverResubmitted_ItShouldForfeitTheBond() external {
        // The bond deters squatting: an executor that submits anything, is rejected with time left and then sits on
        // the claim until its deadline loses its bond like any other lapse.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        submitWork(taskId, terms, human); // a worthless submission, right after the claim
        rejectTask(taskId, terms); // rejected at once: three days left to resubmit
        warpPastExecutionDeadline(taskId); // the executor never resubmits
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, true, BOND);
        claimTask(taskId, terms, agent);

        assertEq(poster.balance, posterBefore + BOND, "the squatter forfeits its bond");
        ExecutorRecord memory expected;
        expected.rejected = 1;
        assertEq(market.executorRecordOf(human), expected);
    }

    function test_GivenRejectedAtTheExecutionDeadline_ItShouldReturnTheBond() external {
        // A rejection mined at the execution deadline leaves the executor no block in which to resubmit.
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        uint256 executionDeadline = market.stateOf(taskId).executionDeadline;
        vm.warp(executionDeadline - 1 hours);
        submitWork(taskId, terms, human);
        vm.warp(executionDeadline);
        rejectTask(taskId, terms);
        vm.warp(block.timestamp + 1); // the next block: the claim has lapsed
        uint256 humanBefore = human.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, true, 0);
        claimTask(taskId, terms, agent);

        assertEq(human.balance, humanBefore + BOND, "the executor gets its bond back");
    }

    function test_GivenClaimLapsed_TheSameExecutorMayClaimAgain() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = inProgressTask(terms);
        warpPastExecutionDeadline(taskId);
        uint256 posterBefore = poster.balance;

        claimTask(taskId, terms, human);

        assertEq(poster.balance, posterBefore + BOND, "the old bond is forfeited even to a returning executor");
        assertEq(market.executorRecordOf(human).expired, 1, "expired");
        assertStatus(taskId, TaskStatus.Claimed);
    }

    function test_GivenClaimLapsedAndZeroBond_ItShouldReassignWithoutPayment() external {
        TaskTerms memory terms = ethTerms();
        terms.claimBond = 0;
        uint256 taskId = claimedTask(terms);
        warpPastExecutionDeadline(taskId);
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, false, 0);
        claimTask(taskId, terms, agent);

        assertEq(poster.balance, posterBefore, "poster balance");
        assertEq(market.stateOf(taskId).executor, agent, "executor");
    }

    function test_GivenClaimLapsedAndClaimDeadlinePassed_ItShouldRevert() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTask(terms);
        vm.warp(terms.claimDeadline - 1 hours);
        claimTask(taskId, terms, human);
        warpPastExecutionDeadline(taskId);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Expired));
        claimTask(taskId, terms, agent);
    }

    function test_GivenExecutionDeadlineNow_ItShouldNotReopen() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = claimedTask(terms);
        vm.warp(market.stateOf(taskId).executionDeadline);
        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Claimed));
        claimTask(taskId, terms, agent);
    }
}

/// @dev A contract executor (for example an ERC-4337 or ERC-1271 account) with no special behaviour.
contract SmartExecutor {
    receive() external payable {}
}
