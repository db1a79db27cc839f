// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ApplicationBoard } from "../../../../contracts/assignment/ApplicationBoard.sol";
import { IApplicationBoard } from "../../../../contracts/interfaces/assignment/IApplicationBoard.sol";
import { IAssignmentModule } from "../../../../contracts/interfaces/assignment/IAssignmentModule.sol";
import { Eligibility } from "../../../../contracts/interfaces/IExecutorRegistry.sol";
import { ITaskMarket } from "../../../../contracts/interfaces/ITaskMarket.sol";
import { Errors } from "../../../../contracts/libraries/Errors.sol";
import { ExecutorKind, TaskStatus, TaskTerms } from "../../../../contracts/types/TaskTypes.sol";
import { EthRefusingAccount, ReentrantAccount } from "../../mocks/AttackReceivers.sol";
import { Assignment_Test } from "./AssignmentBase.t.sol";

/// @notice Hiring through `ApplicationBoard`: applications with a deposit of the claim bond, their withdrawal, the
/// poster's choice of an applicant (and of another after a lapse), and the accounting of the deposits.
contract ApplicationBoard_Unit_Test is Assignment_Test {
    string internal constant NOTE_URI = "ipfs://application-note";
    bytes32 internal constant NOTE_HASH = keccak256("application note");

    /*//////////////////////////////////////////////////////////////
                                HELPERS
    //////////////////////////////////////////////////////////////*/

    function applyAs(
        address applicant,
        uint256 taskId,
        TaskTerms memory terms,
        IApplicationBoard.BoardConfig memory config
    ) private {
        applyAs(applicant, taskId, terms, config, noCapabilities());
    }

    function applyAs(
        address applicant,
        uint256 taskId,
        TaskTerms memory terms,
        IApplicationBoard.BoardConfig memory config,
        bytes32[] memory capabilities
    ) private {
        vm.prank(applicant);
        board.submitApplication{ value: bondValue(terms) }(taskId, terms, config, NOTE_URI, NOTE_HASH, capabilities);
    }

    function withdrawAs(address applicant, uint256 taskId, TaskTerms memory terms) private {
        vm.prank(applicant);
        board.withdrawApplication(taskId, terms);
    }

    function assignAs(
        address caller,
        uint256 taskId,
        TaskTerms memory terms,
        IApplicationBoard.BoardConfig memory config,
        address applicant
    ) private {
        vm.prank(caller);
        board.assign(taskId, terms, config, applicant, noCapabilities());
    }

    function expectApplyRevert(
        bytes memory revertData,
        address applicant,
        uint256 taskId,
        TaskTerms memory terms,
        IApplicationBoard.BoardConfig memory config
    ) private {
        vm.expectRevert(revertData);
        applyAs(applicant, taskId, terms, config);
    }

    /// @dev An open board task in ETH with applications from `human` and `agent`.
    function taskWithTwoApplicants(
        TaskTerms memory terms
    ) private returns (uint256 taskId, IApplicationBoard.BoardConfig memory config) {
        config = openBoard();
        taskId = createBoardTask(terms, config);
        applyAs(human, taskId, terms, config);
        applyAs(agent, taskId, terms, config);
    }

    /// @dev The module's books agree with its balance and with the deposits of `applicants` to `taskId`.
    function assertDepositsCovered(TaskTerms memory terms, uint256 taskId, address[] memory applicants) private view {
        uint256 sum;
        uint256 live;
        for (uint256 i = 0; i < applicants.length; ++i) {
            sum += board.depositOf(taskId, applicants[i]);
            if (board.isApplicant(taskId, applicants[i])) ++live;
        }
        assertEq(board.totalDepositsOf(terms.token), sum, "total deposits == sum of deposits");
        assertEq(balanceOf(terms.token, address(board)), sum, "balance == sum of deposits");
        assertEq(board.applicantCountOf(taskId), live, "applicant count");
    }

    function pair(address first, address second) private pure returns (address[] memory accounts) {
        accounts = new address[](2);
        (accounts[0], accounts[1]) = (first, second);
    }

    /*//////////////////////////////////////////////////////////////
                          CONSTRUCTOR AND VIEWS
    //////////////////////////////////////////////////////////////*/

    function test_Constructor_SetsTheMarketAndCaps() external view {
        assertEq(address(board.market()), address(market), "market");
        assertEq(board.MAX_APPLICANTS(), MAX_APPLICANTS, "MAX_APPLICANTS");
        assertEq(board.MAX_DEPENDENCIES(), MAX_DEPENDENCIES, "MAX_DEPENDENCIES");
    }

    function test_RevertWhen_Constructor_MarketZero() external {
        vm.expectRevert(Errors.AssignmentModule_ZeroAddress.selector);
        new ApplicationBoard(ITaskMarket(address(0)));
    }

    function test_ConfigHash_IsTheHashOfTheEncodedConfig() external view {
        IApplicationBoard.BoardConfig memory config = boardConfig(dependencyRequirements(1), 12345);
        assertEq(board.configHash(config), keccak256(abi.encode(config)), "configHash");
        config.applicationDeadline = 0;
        assertEq(board.configHash(config), keccak256(abi.encode(config)), "configHash without deadline");
    }

    function test_PublishConfig_EmitsTheConfig() external {
        uint256 dependency = postedDependency();
        TaskTerms memory terms = ethTerms();
        IApplicationBoard.BoardConfig memory config = boardConfig(
            dependencyRequirements(dependency),
            uint40(block.timestamp + 1 days)
        );
        uint256 taskId = createBoardTask(terms, config);

        vm.expectEmit(address(board));
        emit IApplicationBoard.BoardConfigPublished(taskId, hashOf(config), config);
        vm.prank(stranger);
        board.publishConfig(taskId, terms, config);
    }

    function test_RevertWhen_PublishConfig_ConfigMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createBoardTask(terms, openBoard());
        IApplicationBoard.BoardConfig memory other = boardConfig(openRequirements(), 1);

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_ConfigMismatch.selector,
                taskId,
                hashOf(openBoard()),
                hashOf(other)
            )
        );
        board.publishConfig(taskId, terms, other);
    }

    /*//////////////////////////////////////////////////////////////
                        SUBMIT APPLICATION: HAPPY
    //////////////////////////////////////////////////////////////*/

    function test_SubmitApplication_EthTask_HoldsTheDeposit() external {
        TaskTerms memory terms = ethTerms();
        IApplicationBoard.BoardConfig memory config = openBoard();
        uint256 taskId = createBoardTask(terms, config);
        uint256 humanBefore = human.balance;

        vm.expectEmit(address(board));
        emit IApplicationBoard.Applied(taskId, human, NOTE_URI, NOTE_HASH);
        applyAs(human, taskId, terms, config);

        assertTrue(board.isApplicant(taskId, human), "isApplicant");
        assertEq(board.depositOf(taskId, human), BOND, "depositOf");
        assertEq(board.applicantCountOf(taskId), 1, "applicantCountOf");
        assertEq(board.totalDepositsOf(address(0)), BOND, "totalDepositsOf");
        assertEq(human.balance, humanBefore - BOND, "human paid the deposit");
        assertEq(address(board).balance, BOND, "module holds it");
        assertStatus(taskId, TaskStatus.Posted);
    }

    function test_SubmitApplication_TokenTask_PullsTheDeposit() external {
        TaskTerms memory terms = tokenTerms();
        IApplicationBoard.BoardConfig memory config = openBoard();
        uint256 taskId = createBoardTask(terms, config);
        uint256 humanBefore = token.balanceOf(human);
        uint256 humanEthBefore = human.balance;

        applyAs(human, taskId, terms, config);

        assertEq(board.depositOf(taskId, human), BOND, "depositOf");
        assertEq(board.totalDepositsOf(address(token)), BOND, "token deposits");
        assertEq(board.totalDepositsOf(address(0)), 0, "no ETH deposits");
        assertEq(token.balanceOf(human), humanBefore - BOND, "human paid the deposit");
        assertEq(token.balanceOf(address(board)), BOND, "module holds it");
        assertEq(human.balance, humanEthBefore, "no ETH moves");
    }

    function test_SubmitApplication_ZeroBond_IsLiveWithoutDeposit() external {
        TaskTerms memory terms = ethTerms();
        terms.claimBond = 0;
        IApplicationBoard.BoardConfig memory config = openBoard();
        uint256 taskId = createBoardTask(terms, config);

        applyAs(human, taskId, terms, config);

        assertTrue(board.isApplicant(taskId, human), "isApplicant");
        assertEq(board.depositOf(taskId, human), 0, "depositOf");
        assertEq(board.applicantCountOf(taskId), 1, "applicantCountOf");
        expectApplyRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_AlreadyApplied.selector, taskId, human),
            human,
            taskId,
            terms,
            config
        );
    }

    function test_SubmitApplication_WithCapabilities_ByAnAgent() external {
        TaskTerms memory terms = ethTerms();
        terms.executorKind = ExecutorKind.Agent;
        terms.capabilitiesHash = hashCapabilities(sortedCapabilities());
        IApplicationBoard.BoardConfig memory config = openBoard();
        uint256 taskId = createTaskWithOptions(terms, address(board), hashOf(config), sortedCapabilities());

        applyAs(agent, taskId, terms, config, sortedCapabilities());
        vm.prank(poster);
        board.assign(taskId, terms, config, agent, sortedCapabilities());

        assertEq(market.stateOf(taskId).executor, agent, "executor");
    }

    function test_SubmitApplication_AtTheDeadline() external {
        TaskTerms memory terms = ethTerms();
        uint40 deadline = uint40(block.timestamp + 1 days);
        IApplicationBoard.BoardConfig memory config = boardConfig(openRequirements(), deadline);
        uint256 taskId = createBoardTask(terms, config);
        vm.warp(deadline);

        applyAs(human, taskId, terms, config);

        assertTrue(board.isApplicant(taskId, human), "isApplicant");
    }

    /*//////////////////////////////////////////////////////////////
                       SUBMIT APPLICATION: REVERTS
    //////////////////////////////////////////////////////////////*/

    function test_RevertWhen_SubmitApplication_ConfigMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createBoardTask(terms, openBoard());
        IApplicationBoard.BoardConfig memory other = boardConfig(gateRequirements(1, uint16(BPS)), 0);

        expectApplyRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_ConfigMismatch.selector,
                taskId,
                hashOf(openBoard()),
                hashOf(other)
            ),
            human,
            taskId,
            terms,
            other
        );
    }

    function test_RevertWhen_SubmitApplication_TermsMismatch() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createBoardTask(terms, openBoard());
        terms.documentHash = bytes32(0);

        expectApplyRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_TermsMismatch.selector, taskId),
            human,
            taskId,
            terms,
            openBoard()
        );
    }

    function test_RevertGiven_SubmitApplication_TaskNamesAnotherModule() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createTaskWithOptions(terms, address(gatedClaim), hashOf(openBoard()), noCapabilities());

        expectApplyRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_NotAssigner.selector, taskId, address(gatedClaim)),
            human,
            taskId,
            terms,
            openBoard()
        );
    }

    function test_RevertWhen_SubmitApplication_InvalidRequirements() external {
        uint256 taskId = market.nextTaskId();
        TaskTerms memory terms = ethTerms();
        IApplicationBoard.BoardConfig memory config = boardConfig(dependencyRequirements(taskId), 0);
        createBoardTask(terms, config);

        expectApplyRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_InvalidDependency.selector, taskId, taskId),
            human,
            taskId,
            terms,
            config
        );
    }

    function test_RevertWhen_SubmitApplication_AfterTheDeadline() external {
        TaskTerms memory terms = ethTerms();
        uint40 deadline = uint40(block.timestamp + 1 days);
        IApplicationBoard.BoardConfig memory config = boardConfig(openRequirements(), deadline);
        uint256 taskId = createBoardTask(terms, config);
        vm.warp(uint256(deadline) + 1);
        assertStatus(taskId, TaskStatus.Posted);

        expectApplyRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_ApplicationsClosed.selector, taskId, deadline),
            human,
            taskId,
            terms,
            config
        );
    }

    function test_RevertWhen_SubmitApplication_NoDeadlineAndClaimDeadlinePassed() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createBoardTask(terms, openBoard());
        warpPastClaimDeadline(terms);

        expectApplyRevert(
            abi.encodeWithSelector(
                IApplicationBoard.ApplicationBoard_ApplicationsClosed.selector,
                taskId,
                terms.claimDeadline
            ),
            human,
            taskId,
            terms,
            openBoard()
        );
    }

    /// A deadline past the claim deadline is capped by it: no one could be assigned after it.
    function test_RevertWhen_SubmitApplication_DeadlineBeyondTheClaimDeadline() external {
        TaskTerms memory terms = ethTerms();
        IApplicationBoard.BoardConfig memory config = boardConfig(openRequirements(), terms.claimDeadline + 30 days);
        uint256 taskId = createBoardTask(terms, config);
        warpPastClaimDeadline(terms);

        expectApplyRevert(
            abi.encodeWithSelector(
                IApplicationBoard.ApplicationBoard_ApplicationsClosed.selector,
                taskId,
                terms.claimDeadline
            ),
            human,
            taskId,
            terms,
            config
        );
    }

    function test_RevertGiven_SubmitApplication_TaskClaimed() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);
        assignAs(poster, taskId, terms, config, human);
        address late = newExecutor("late");

        expectApplyRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_TaskNotOpen.selector, taskId, TaskStatus.Claimed),
            late,
            taskId,
            terms,
            config
        );
    }

    function test_RevertGiven_SubmitApplication_TaskCancelled() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createBoardTask(terms, openBoard());
        vm.prank(poster);
        market.cancel(taskId, terms);

        expectApplyRevert(
            abi.encodeWithSelector(
                IApplicationBoard.ApplicationBoard_TaskNotOpen.selector,
                taskId,
                TaskStatus.Cancelled
            ),
            human,
            taskId,
            terms,
            openBoard()
        );
    }

    function test_RevertWhen_SubmitApplication_CapabilitiesNotTheTasks() external {
        TaskTerms memory terms = ethTerms();
        terms.capabilitiesHash = hashCapabilities(sortedCapabilities());
        IApplicationBoard.BoardConfig memory config = openBoard();
        uint256 taskId = createTaskWithOptions(terms, address(board), hashOf(config), sortedCapabilities());

        expectApplyRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_CapabilitiesMismatch.selector,
                taskId,
                terms.capabilitiesHash,
                hashCapabilities(noCapabilities())
            ),
            human,
            taskId,
            terms,
            config
        );
    }

    function test_RevertWhen_SubmitApplication_NotRegistered() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createBoardTask(terms, openBoard());

        expectApplyRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_NotEligible.selector,
                taskId,
                stranger,
                Eligibility.NotRegistered
            ),
            stranger,
            taskId,
            terms,
            openBoard()
        );
    }

    function test_RevertWhen_SubmitApplication_WrongKind() external {
        TaskTerms memory terms = ethTerms();
        terms.executorKind = ExecutorKind.Human;
        uint256 taskId = createBoardTask(terms, openBoard());

        expectApplyRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_NotEligible.selector,
                taskId,
                agent,
                Eligibility.KindMismatch
            ),
            agent,
            taskId,
            terms,
            openBoard()
        );
    }

    function test_RevertWhen_SubmitApplication_ByThePoster() external {
        registerExecutor(poster, ExecutorKind.Human, sortedCapabilities());
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createBoardTask(terms, openBoard());

        expectApplyRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_CandidateIsParty.selector, taskId, poster),
            poster,
            taskId,
            terms,
            openBoard()
        );
    }

    function test_RevertWhen_SubmitApplication_GateNotMet() external {
        TaskTerms memory terms = ethTerms();
        IApplicationBoard.BoardConfig memory config = boardConfig(gateRequirements(1, uint16(BPS)), 0);
        uint256 taskId = createBoardTask(terms, config);

        expectApplyRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_GateNotMet.selector, taskId, human),
            human,
            taskId,
            terms,
            config
        );

        giveCompletedTasks(human, 1);
        applyAs(human, taskId, terms, config);
        assertTrue(board.isApplicant(taskId, human), "through the gate with one completed task");
    }

    function test_RevertWhen_SubmitApplication_Twice() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);

        expectApplyRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_AlreadyApplied.selector, taskId, human),
            human,
            taskId,
            terms,
            config
        );
        assertEq(board.depositOf(taskId, human), BOND, "one deposit");
        assertEq(address(board).balance, 2 * BOND, "two applicants, two deposits");
    }

    function test_RevertWhen_SubmitApplication_IncorrectDeposit() external {
        TaskTerms memory terms = ethTerms();
        IApplicationBoard.BoardConfig memory config = openBoard();
        uint256 taskId = createBoardTask(terms, config);

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_IncorrectPayment.selector, BOND, BOND - 1));
        vm.prank(human);
        board.submitApplication{ value: BOND - 1 }(taskId, terms, config, NOTE_URI, NOTE_HASH, noCapabilities());

        TaskTerms memory tokenTask = tokenTerms();
        uint256 tokenId = createBoardTask(tokenTask, config);
        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_IncorrectPayment.selector, 0, 1));
        vm.prank(human);
        board.submitApplication{ value: 1 }(tokenId, tokenTask, config, NOTE_URI, NOTE_HASH, noCapabilities());
    }

    /// The 33rd live application is refused; a withdrawal frees a place.
    function test_RevertWhen_SubmitApplication_CapReached() external {
        TaskTerms memory terms = ethTerms();
        IApplicationBoard.BoardConfig memory config = openBoard();
        uint256 taskId = createBoardTask(terms, config);
        address[] memory applicants = new address[](MAX_APPLICANTS);
        for (uint256 i = 0; i < MAX_APPLICANTS; ++i) {
            applicants[i] = newExecutor(string.concat("applicant", vm.toString(i)));
            applyAs(applicants[i], taskId, terms, config);
        }
        assertEq(board.applicantCountOf(taskId), MAX_APPLICANTS, "full");
        address extra = newExecutor("extra");

        expectApplyRevert(
            abi.encodeWithSelector(
                IApplicationBoard.ApplicationBoard_TooManyApplicants.selector,
                taskId,
                MAX_APPLICANTS
            ),
            extra,
            taskId,
            terms,
            config
        );

        withdrawAs(applicants[7], taskId, terms);
        applyAs(extra, taskId, terms, config);

        assertEq(board.applicantCountOf(taskId), MAX_APPLICANTS, "full again");
        assertEq(address(board).balance, MAX_APPLICANTS * BOND, "one deposit per live application");
        assertEq(board.totalDepositsOf(address(0)), MAX_APPLICANTS * BOND, "books");
        // The cap is per task: another task takes applications.
        uint256 otherId = createBoardTask(terms, config);
        applyAs(extra, otherId, terms, config);
    }

    /*//////////////////////////////////////////////////////////////
                          WITHDRAW APPLICATION
    //////////////////////////////////////////////////////////////*/

    function test_WithdrawApplication_PaysTheDepositBack_ThenReapply() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);
        uint256 humanBefore = human.balance;

        vm.expectEmit(address(board));
        emit IApplicationBoard.ApplicationWithdrawn(taskId, human, BOND);
        withdrawAs(human, taskId, terms);

        assertFalse(board.isApplicant(taskId, human), "isApplicant");
        assertEq(board.depositOf(taskId, human), 0, "depositOf");
        assertEq(board.applicantCountOf(taskId), 1, "applicantCountOf");
        assertEq(board.totalDepositsOf(address(0)), BOND, "agent's deposit remains");
        assertEq(human.balance, humanBefore + BOND, "human repaid");
        assertEq(address(board).balance, BOND, "module");

        applyAs(human, taskId, terms, config);
        assertEq(board.depositOf(taskId, human), BOND, "applied again");
        assertEq(human.balance, humanBefore, "deposited again");
        assertDepositsCovered(terms, taskId, pair(human, agent));
    }

    function test_DismissApplication_FreesThePlace_KeepsTheDepositWithdrawable() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);
        uint256 humanBefore = human.balance;

        vm.expectEmit(address(board));
        emit IApplicationBoard.ApplicationDismissed(taskId, human);
        vm.prank(poster);
        board.dismissApplication(taskId, terms, human);

        assertFalse(board.isApplicant(taskId, human), "no longer an applicant");
        assertEq(board.applicantCountOf(taskId), 1, "place freed");
        assertEq(board.depositOf(taskId, human), BOND, "deposit kept");
        assertDepositsCovered(terms, taskId, pair(human, agent));

        // Neither assigned nor allowed back on the board.
        vm.expectRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_NoApplication.selector, taskId, human)
        );
        assignAs(poster, taskId, terms, config, human);
        expectApplyRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_Dismissed.selector, taskId, human),
            human,
            taskId,
            terms,
            config
        );

        // The deposit comes back once, and the record of the dismissal stays.
        withdrawAs(human, taskId, terms);
        assertEq(human.balance, humanBefore + BOND, "repaid");
        assertEq(board.depositOf(taskId, human), 0, "deposit paid out");
        assertDepositsCovered(terms, taskId, pair(human, agent));
        vm.expectRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_NoApplication.selector, taskId, human)
        );
        withdrawAs(human, taskId, terms);
        expectApplyRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_Dismissed.selector, taskId, human),
            human,
            taskId,
            terms,
            config
        );
    }

    function test_RevertWhen_DismissApplication_NotThePoster() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, ) = taskWithTwoApplicants(terms);
        vm.expectRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_CallerNotPoster.selector, taskId, stranger)
        );
        vm.prank(stranger);
        board.dismissApplication(taskId, terms, human);
    }

    function test_RevertWhen_DismissApplication_NoLiveApplication() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, ) = taskWithTwoApplicants(terms);
        vm.expectRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_NoApplication.selector, taskId, stranger)
        );
        vm.prank(poster);
        board.dismissApplication(taskId, terms, stranger);
    }

    function test_WithdrawApplication_TokenTask() external {
        TaskTerms memory terms = tokenTerms();
        (uint256 taskId, ) = taskWithTwoApplicants(terms);
        uint256 humanBefore = token.balanceOf(human);

        withdrawAs(human, taskId, terms);

        assertEq(token.balanceOf(human), humanBefore + BOND, "human repaid");
        assertEq(token.balanceOf(address(board)), BOND, "agent's deposit remains");
        assertDepositsCovered(terms, taskId, pair(human, agent));
    }

    function test_RevertWhen_WithdrawApplication_NeverApplied() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, ) = taskWithTwoApplicants(terms);

        vm.expectRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_NoApplication.selector, taskId, stranger)
        );
        withdrawAs(stranger, taskId, terms);
    }

    function test_RevertWhen_WithdrawApplication_Twice() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, ) = taskWithTwoApplicants(terms);
        withdrawAs(human, taskId, terms);

        vm.expectRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_NoApplication.selector, taskId, human)
        );
        withdrawAs(human, taskId, terms);
    }

    /// The terms name the token paid back: another task's terms, or forged ones, are refused.
    function test_RevertWhen_WithdrawApplication_TermsMismatch() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, ) = taskWithTwoApplicants(terms);
        TaskTerms memory forged = ethTerms();
        forged.token = address(token);

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_TermsMismatch.selector, taskId));
        withdrawAs(human, taskId, forged);
    }

    function test_RevertWhen_WithdrawApplication_ByTheAssignedApplicant() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);
        assignAs(poster, taskId, terms, config, human);

        vm.expectRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_NoApplication.selector, taskId, human)
        );
        withdrawAs(human, taskId, terms);
    }

    /// Unselected applicants recover their deposits after the task ended, however it ended.
    function test_WithdrawApplication_AfterTheTaskEnded() external {
        TaskTerms memory terms = ethTerms();
        address third = newExecutor("third");
        // Settled with another applicant.
        (uint256 settledId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);
        applyAs(third, settledId, terms, config);
        assignAs(poster, settledId, terms, config, human);
        submitWork(settledId, terms, human);
        approveTask(settledId, terms);
        // Cancelled by the poster.
        (uint256 cancelledId, ) = taskWithTwoApplicants(terms);
        vm.prank(poster);
        market.cancel(cancelledId, terms);
        // Expired without an assignment.
        (uint256 expiredId, ) = taskWithTwoApplicants(terms);
        warpPastClaimDeadline(terms);
        assertStatus(settledId, TaskStatus.Settled);
        assertStatus(cancelledId, TaskStatus.Cancelled);
        assertStatus(expiredId, TaskStatus.Expired);
        assertEq(address(board).balance, 6 * BOND, "six live deposits");
        uint256 agentBefore = agent.balance;
        uint256 humanBefore = human.balance;
        uint256 thirdBefore = third.balance;

        withdrawAs(agent, settledId, terms);
        withdrawAs(third, settledId, terms);
        withdrawAs(agent, cancelledId, terms);
        withdrawAs(human, cancelledId, terms);
        withdrawAs(agent, expiredId, terms);
        withdrawAs(human, expiredId, terms);

        assertEq(agent.balance, agentBefore + 3 * BOND, "agent repaid three times");
        assertEq(human.balance, humanBefore + 2 * BOND, "human repaid twice");
        assertEq(third.balance, thirdBefore + BOND, "third repaid");
        assertEq(address(board).balance, 0, "module empty");
        assertEq(board.totalDepositsOf(address(0)), 0, "books empty");
    }

    /// An applicant that refuses ETH only blocks its own withdrawal, which it can retry once it accepts.
    function test_RevertWhen_WithdrawApplication_ApplicantRefusesEth() external {
        EthRefusingAccount account = new EthRefusingAccount();
        vm.deal(address(account), 10 ether);
        account.execute(
            address(registry),
            0,
            abi.encodeCall(registry.register, (ExecutorKind.Human, address(0), noCapabilities(), "ipfs://account"))
        );
        TaskTerms memory terms = ethTerms();
        IApplicationBoard.BoardConfig memory config = openBoard();
        uint256 taskId = createBoardTask(terms, config);
        account.execute(
            address(board),
            BOND,
            abi.encodeCall(board.submitApplication, (taskId, terms, config, NOTE_URI, NOTE_HASH, noCapabilities()))
        );
        bytes memory withdrawal = abi.encodeCall(board.withdrawApplication, (taskId, terms));

        vm.expectRevert(
            abi.encodeWithSelector(
                IApplicationBoard.ApplicationBoard_EthTransferFailed.selector,
                address(account),
                BOND
            )
        );
        account.execute(address(board), 0, withdrawal);
        assertTrue(board.isApplicant(taskId, address(account)), "still live");

        account.setRefusesEth(false);
        account.execute(address(board), 0, withdrawal);
        assertEq(address(account).balance, 10 ether, "repaid");
        assertEq(address(board).balance, 0, "module empty");
    }

    /// An applicant that calls back into the module from the refund meets the reentrancy lock.
    function test_WithdrawApplication_ReentryIsRefused() external {
        ReentrantAccount account = new ReentrantAccount();
        vm.deal(address(account), 10 ether);
        account.execute(
            address(registry),
            0,
            abi.encodeCall(registry.register, (ExecutorKind.Human, address(0), noCapabilities(), "ipfs://account"))
        );
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);
        account.execute(
            address(board),
            BOND,
            abi.encodeCall(board.submitApplication, (taskId, terms, config, NOTE_URI, NOTE_HASH, noCapabilities()))
        );
        bytes memory withdrawal = abi.encodeCall(board.withdrawApplication, (taskId, terms));
        account.arm(address(board), withdrawal, 0);

        account.execute(address(board), 0, withdrawal);

        assertEq(account.reentryCount(), 1, "reentered once");
        assertFalse(account.reentrySucceeded(), "reentry failed");
        assertEq(account.reentryErrorSelector(), Errors.NonReentrant_ReentrantCall.selector, "stopped by the lock");
        assertEq(address(account).balance, 10 ether, "repaid once");
        assertEq(address(board).balance, 2 * BOND, "the others' deposits remain");
        assertDepositsCovered(terms, taskId, pair(human, agent));
    }

    /*//////////////////////////////////////////////////////////////
                                 ASSIGN
    //////////////////////////////////////////////////////////////*/

    function test_Assign_EthTask_HandsTheDepositOverAsTheBond() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);
        uint256 marketBefore = address(market).balance;
        uint256 humanBefore = human.balance;
        uint256 posterBefore = poster.balance;

        vm.expectEmit(address(board));
        emit IApplicationBoard.ApplicantAssigned(taskId, human);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskClaimed(taskId, human, uint40(block.timestamp) + EXECUTION_WINDOW, BOND);
        assignAs(poster, taskId, terms, config, human);

        assertEq(market.stateOf(taskId).executor, human, "executor");
        assertStatus(taskId, TaskStatus.Claimed);
        assertFalse(board.isApplicant(taskId, human), "application consumed");
        assertTrue(board.isApplicant(taskId, agent), "the other stays live");
        assertEq(address(market).balance, marketBefore + BOND, "market holds the bond");
        assertEq(address(board).balance, BOND, "module holds the other deposit");
        assertEq(human.balance, humanBefore, "the executor paid nothing more");
        assertEq(poster.balance, posterBefore, "poster paid nothing");
        assertEq(market.fundingOf(taskId).released, 0, "assigned at the full reward");
        assertDepositsCovered(terms, taskId, pair(human, agent));

        // The task then runs like any other: the executor is paid the reward net of the fee, and its bond back.
        submitWork(taskId, terms, human);
        approveTask(taskId, terms);
        assertEq(human.balance, humanBefore + payoutOf(REWARD, FEE_BPS) + BOND, "paid and bond returned");
    }

    function test_Assign_TokenTask() external {
        TaskTerms memory terms = tokenTerms();
        (uint256 taskId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);
        uint256 marketBefore = token.balanceOf(address(market));

        assignAs(poster, taskId, terms, config, agent);

        assertEq(market.stateOf(taskId).executor, agent, "executor");
        assertEq(token.balanceOf(address(market)), marketBefore + BOND, "market holds the bond");
        assertEq(token.balanceOf(address(board)), BOND, "module holds the other deposit");
        assertEq(token.allowance(address(board), address(market)), 0, "no allowance left over");
        assertDepositsCovered(terms, taskId, pair(human, agent));
    }

    function test_RevertWhen_Assign_CallerNotPoster() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);

        vm.expectRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_CallerNotPoster.selector, taskId, stranger)
        );
        assignAs(stranger, taskId, terms, config, human);

        vm.expectRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_CallerNotPoster.selector, taskId, human)
        );
        assignAs(human, taskId, terms, config, human);
    }

    function test_RevertWhen_Assign_ApplicantWithdrew() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);
        withdrawAs(human, taskId, terms);

        vm.expectRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_NoApplication.selector, taskId, human)
        );
        assignAs(poster, taskId, terms, config, human);
    }

    function test_RevertWhen_Assign_NeverApplied() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);
        address outsider = newExecutor("outsider");

        vm.expectRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_NoApplication.selector, taskId, outsider)
        );
        assignAs(poster, taskId, terms, config, outsider);
    }

    function test_RevertWhen_Assign_ConfigMismatch() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);
        IApplicationBoard.BoardConfig memory other = boardConfig(config.requirements, 1);

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_ConfigMismatch.selector,
                taskId,
                hashOf(config),
                hashOf(other)
            )
        );
        assignAs(poster, taskId, terms, other, human);
    }

    /// An applicant that lost a dispute after applying no longer passes the gate; it keeps its deposit.
    function test_RevertWhen_Assign_GateNoLongerMet() external {
        address applicant = newExecutor("applicant");
        TaskTerms memory terms = ethTerms();
        IApplicationBoard.BoardConfig memory config = boardConfig(gateRequirements(0, 0), 0);
        uint256 taskId = createBoardTask(terms, config);
        applyAs(applicant, taskId, terms, config);
        giveDisputes(applicant, 0, 1);

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_GateNotMet.selector, taskId, applicant));
        assignAs(poster, taskId, terms, config, applicant);

        uint256 before = applicant.balance;
        withdrawAs(applicant, taskId, terms);
        assertEq(applicant.balance, before + BOND, "deposit returned");
    }

    function test_RevertWhen_Assign_ApplicantDeactivated() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);
        vm.prank(human);
        registry.setActive(false);

        vm.expectRevert(
            abi.encodeWithSelector(Errors.AssignmentModule_NotEligible.selector, taskId, human, Eligibility.Inactive)
        );
        assignAs(poster, taskId, terms, config, human);
    }

    function test_RevertGiven_Assign_DependencyNotMet_ThenAssignOnceVerified() external {
        TaskTerms memory dependencyTerms = ethTerms();
        uint256 dependency = createTask(dependencyTerms);
        TaskTerms memory terms = ethTerms();
        terms.claimDeadline = uint40(block.timestamp + 30 days);
        IApplicationBoard.BoardConfig memory config = boardConfig(dependencyRequirements(dependency), 0);
        uint256 taskId = createBoardTask(terms, config);
        applyAs(agent, taskId, terms, config);

        vm.expectRevert(abi.encodeWithSelector(Errors.AssignmentModule_DependenciesNotMet.selector, taskId));
        assignAs(poster, taskId, terms, config, agent);

        claimTask(dependency, dependencyTerms, human);
        submitWork(dependency, dependencyTerms, human);
        warpPastReviewDeadline(dependency);
        assertStatus(dependency, TaskStatus.Verified);

        vm.expectEmit(address(board));
        emit IAssignmentModule.DependenciesMet(taskId, config.requirements.dependencies);
        assignAs(poster, taskId, terms, config, agent);
        assertEq(market.stateOf(taskId).executor, agent, "executor");
    }

    function test_RevertGiven_Assign_TaskAlreadyClaimed() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);
        assignAs(poster, taskId, terms, config, human);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Claimed));
        assignAs(poster, taskId, terms, config, agent);
        assertTrue(board.isApplicant(taskId, agent), "still live");
    }

    function test_RevertGiven_Assign_ClaimDeadlinePassed() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);
        warpPastClaimDeadline(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_InvalidStatus.selector, taskId, TaskStatus.Expired));
        assignAs(poster, taskId, terms, config, human);
    }

    /// The assigned applicant lets its claim lapse: the task is `Posted` again, the lapsed applicant may apply again,
    /// and the poster assigns another live applicant, collecting the forfeited bond.
    function test_Assign_AnotherApplicantAfterALapsedClaim() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, IApplicationBoard.BoardConfig memory config) = taskWithTwoApplicants(terms);
        assignAs(poster, taskId, terms, config, human);
        warpPastExecutionDeadline(taskId);
        assertStatus(taskId, TaskStatus.Posted);
        applyAs(human, taskId, terms, config);
        uint256 posterBefore = poster.balance;
        uint256 marketBefore = address(market).balance;
        uint256 agentBefore = agent.balance;

        vm.expectEmit(address(market));
        emit ITaskMarket.ClaimLapsed(taskId, human, false, BOND);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskClaimed(taskId, agent, uint40(block.timestamp) + EXECUTION_WINDOW, BOND);
        assignAs(poster, taskId, terms, config, agent);

        assertEq(market.stateOf(taskId).executor, agent, "new executor");
        assertEq(poster.balance, posterBefore + BOND, "poster collects the lapsed bond");
        assertEq(address(market).balance, marketBefore, "market: one bond out, one in");
        assertEq(agent.balance, agentBefore, "agent's deposit was already paid");
        assertEq(address(board).balance, BOND, "module holds the lapsed applicant's new deposit");
        assertEq(market.executorRecordOf(human).expired, 1, "lapse recorded");
        assertDepositsCovered(terms, taskId, pair(human, agent));

        uint256 humanBefore = human.balance;
        withdrawAs(human, taskId, terms);
        assertEq(human.balance, humanBefore + BOND, "lapsed applicant recovers its new deposit");
        assertEq(address(board).balance, 0, "module empty");
    }

    /// The market refuses a direct claim of a board task, and the poster cannot assign without the board.
    function test_RevertWhen_MarketClaimedDirectly() external {
        TaskTerms memory terms = ethTerms();
        (uint256 taskId, ) = taskWithTwoApplicants(terms);

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotAssigner.selector, taskId, human));
        vm.prank(human);
        market.claim{ value: BOND }(taskId, terms, noCapabilities());

        vm.expectRevert(abi.encodeWithSelector(Errors.TaskMarket_CallerNotAssigner.selector, taskId, poster));
        vm.prank(poster);
        market.assign(taskId, terms, human, REWARD, noCapabilities());
    }

    /*//////////////////////////////////////////////////////////////
                      CANCEL FOR FAILED DEPENDENCY
    //////////////////////////////////////////////////////////////*/

    function test_CancelForFailedDependency_RefundsThePosterAndLetsApplicantsWithdraw() external {
        uint256 dependency = cancelledDependency();
        TaskTerms memory terms = ethTerms();
        IApplicationBoard.BoardConfig memory config = boardConfig(dependencyRequirements(dependency), 0);
        uint256 taskId = createBoardTask(terms, config);
        applyAs(human, taskId, terms, config);
        uint256 posterBefore = poster.balance;
        uint256 humanBefore = human.balance;

        vm.expectEmit(address(board));
        emit IAssignmentModule.DependencyFailed(taskId, dependency);
        vm.expectEmit(address(market));
        emit ITaskMarket.TaskCancelled(taskId, poster, REWARD, 0);
        vm.prank(stranger);
        board.cancelForFailedDependency(taskId, terms, config, 0);

        assertStatus(taskId, TaskStatus.Cancelled);
        assertEq(poster.balance, posterBefore + REWARD, "poster refunded");
        withdrawAs(human, taskId, terms);
        assertEq(human.balance, humanBefore + BOND, "applicant repaid");
        assertEq(address(board).balance, 0, "module empty");
    }

    function test_RevertGiven_CancelForFailedDependency_DependencyFine() external {
        uint256 dependency = settledDependency();
        TaskTerms memory terms = ethTerms();
        IApplicationBoard.BoardConfig memory config = boardConfig(dependencyRequirements(dependency), 0);
        uint256 taskId = createBoardTask(terms, config);

        vm.expectRevert(
            abi.encodeWithSelector(
                Errors.AssignmentModule_DependencyNotFailed.selector,
                taskId,
                dependency,
                TaskStatus.Settled
            )
        );
        board.cancelForFailedDependency(taskId, terms, config, 0);
    }

    function test_RevertWhen_CancelForFailedDependency_IndexOutOfRange() external {
        TaskTerms memory terms = ethTerms();
        uint256 taskId = createBoardTask(terms, openBoard());

        vm.expectRevert(
            abi.encodeWithSelector(IApplicationBoard.ApplicationBoard_DependencyIndexOutOfRange.selector, taskId, 0, 0)
        );
        board.cancelForFailedDependency(taskId, terms, openBoard(), 0);
    }

    /*//////////////////////////////////////////////////////////////
                                  FUZZ
    //////////////////////////////////////////////////////////////*/

    uint256 private constant FUZZ_APPLICANTS = 5;
    uint256 private constant FUZZ_TASKS = 2;
    uint256 private constant FUZZ_STEPS = 40;

    /// The model of the fuzzed sequence: which applications are live, and what each applicant paid and got back.
    struct Model {
        address[] applicants;
        uint256[] taskIds;
        bool[][] live;
        uint256[] deposited;
        uint256[] withdrawn;
        uint256[] startBalances;
    }

    /// Over random sequences of applications, withdrawals, assignments and lapses on two tasks, the module's balance
    /// always equals the sum of the live deposits, its books agree, and each applicant's balance moved by exactly what
    /// it deposited and withdrew.
    function testFuzz_DepositAccounting(uint256 seed, uint256 bondSeed, bool inToken) external {
        TaskTerms memory terms = inToken ? tokenTerms() : ethTerms();
        terms.claimBond = uint128(bound(bondSeed, 0, 5 ether));
        terms.claimDeadline = uint40(block.timestamp + 20 days);
        IApplicationBoard.BoardConfig memory config = openBoard();
        Model memory model = newModel(terms, config);

        for (uint256 step = 0; step < FUZZ_STEPS; ++step) {
            uint256 random = uint256(keccak256(abi.encode(seed, step)));
            uint256 t = (random >> 8) % FUZZ_TASKS;
            uint256 a = (random >> 16) % FUZZ_APPLICANTS;
            uint256 op = random % 4;
            if (op == 0) fuzzApply(model, terms, config, t, a);
            else if (op == 1) fuzzWithdraw(model, terms, t, a);
            else if (op == 2) fuzzAssign(model, terms, config, t, a);
            else vm.warp(block.timestamp + ((random >> 24) % 2 days));
            assertModel(model, terms);
        }
    }

    function newModel(
        TaskTerms memory terms,
        IApplicationBoard.BoardConfig memory config
    ) private returns (Model memory model) {
        model.applicants = new address[](FUZZ_APPLICANTS);
        model.deposited = new uint256[](FUZZ_APPLICANTS);
        model.withdrawn = new uint256[](FUZZ_APPLICANTS);
        model.startBalances = new uint256[](FUZZ_APPLICANTS);
        for (uint256 a = 0; a < FUZZ_APPLICANTS; ++a) {
            model.applicants[a] = newExecutor(string.concat("fuzzApplicant", vm.toString(a)));
            model.startBalances[a] = balanceOf(terms.token, model.applicants[a]);
        }
        model.taskIds = new uint256[](FUZZ_TASKS);
        model.live = new bool[][](FUZZ_TASKS);
        for (uint256 t = 0; t < FUZZ_TASKS; ++t) {
            model.taskIds[t] = createBoardTask(terms, config);
            model.live[t] = new bool[](FUZZ_APPLICANTS);
        }
    }

    function fuzzApply(
        Model memory model,
        TaskTerms memory terms,
        IApplicationBoard.BoardConfig memory config,
        uint256 t,
        uint256 a
    ) private {
        if (model.live[t][a] || market.statusOf(model.taskIds[t]) != TaskStatus.Posted) return;
        applyAs(model.applicants[a], model.taskIds[t], terms, config);
        model.live[t][a] = true;
        model.deposited[a] += terms.claimBond;
    }

    function fuzzWithdraw(Model memory model, TaskTerms memory terms, uint256 t, uint256 a) private {
        if (!model.live[t][a]) return;
        withdrawAs(model.applicants[a], model.taskIds[t], terms);
        model.live[t][a] = false;
        model.withdrawn[a] += terms.claimBond;
    }

    function fuzzAssign(
        Model memory model,
        TaskTerms memory terms,
        IApplicationBoard.BoardConfig memory config,
        uint256 t,
        uint256 a
    ) private {
        if (!model.live[t][a] || market.statusOf(model.taskIds[t]) != TaskStatus.Posted) return;
        assignAs(poster, model.taskIds[t], terms, config, model.applicants[a]);
        model.live[t][a] = false;
    }

    function assertModel(Model memory model, TaskTerms memory terms) private view {
        uint256 expectedTotal;
        for (uint256 t = 0; t < FUZZ_TASKS; ++t) {
            uint256 live;
            for (uint256 a = 0; a < FUZZ_APPLICANTS; ++a) {
                address applicant = model.applicants[a];
                assertEq(board.isApplicant(model.taskIds[t], applicant), model.live[t][a], "isApplicant");
                uint256 deposit = board.depositOf(model.taskIds[t], applicant);
                assertEq(deposit, model.live[t][a] ? terms.claimBond : 0, "depositOf");
                expectedTotal += deposit;
                if (model.live[t][a]) ++live;
            }
            assertEq(board.applicantCountOf(model.taskIds[t]), live, "applicantCountOf");
        }
        assertEq(balanceOf(terms.token, address(board)), expectedTotal, "module balance == live deposits");
        assertEq(board.totalDepositsOf(terms.token), expectedTotal, "books == live deposits");
        for (uint256 a = 0; a < FUZZ_APPLICANTS; ++a) {
            assertEq(
                balanceOf(terms.token, model.applicants[a]),
                model.startBalances[a] - model.deposited[a] + model.withdrawn[a],
                "applicant balance"
            );
        }
    }

    /// Whatever the bond, an application moves exactly the bond into the module, and its withdrawal moves it back.
    function testFuzz_SubmitApplication_DepositIsTheBond(uint128 bond, bool inToken) external {
        TaskTerms memory terms = inToken ? tokenTerms() : ethTerms();
        terms.claimBond = uint128(bound(bond, 0, 100 ether));
        IApplicationBoard.BoardConfig memory config = openBoard();
        uint256 taskId = createBoardTask(terms, config);
        uint256 humanBefore = balanceOf(terms.token, human);

        applyAs(human, taskId, terms, config);
        assertEq(balanceOf(terms.token, human), humanBefore - terms.claimBond, "deposited");
        assertEq(balanceOf(terms.token, address(board)), terms.claimBond, "held");
        assertEq(board.depositOf(taskId, human), terms.claimBond, "depositOf");

        withdrawAs(human, taskId, terms);
        assertEq(balanceOf(terms.token, human), humanBefore, "repaid");
        assertEq(balanceOf(terms.token, address(board)), 0, "module empty");
    }
}
