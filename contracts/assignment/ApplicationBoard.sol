// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { SafeERC20 } from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import { NonReentrant } from "../abstracts/NonReentrant.sol";
import { IApplicationBoard } from "../interfaces/assignment/IApplicationBoard.sol";
import { ITaskMarket } from "../interfaces/ITaskMarket.sol";
import { Errors } from "../libraries/Errors.sol";
import { TaskStatus, TaskTerms } from "../types/TaskTypes.sol";
import { AssignmentModule } from "./AssignmentModule.sol";

/// @title ApplicationBoard
/// @notice See the documentation in {IApplicationBoard}.
/// @dev Solvency: every deposit taken is recorded in its application and in `_totalDeposits` before the call
/// returns, and leaves the module only when its application is deleted (withdrawn, or paid to the market as the
/// claim bond), so the module's balance of each token is at least `_totalDeposits[token]`.
contract ApplicationBoard is AssignmentModule, NonReentrant, IApplicationBoard {
    using SafeERC20 for IERC20;

    /// @dev One slot per application. `live` tells a live application with a zero deposit (a task without a claim
    /// bond) from no application; `dismissed` marks an applicant the poster dismissed, whose deposit stays here until
    /// it withdraws it and who may not apply to the task again.
    struct Application {
        bool live;
        bool dismissed;
        uint128 deposit;
    }

    /// @inheritdoc IApplicationBoard
    uint256 public constant override MAX_APPLICANTS = 32;

    /// @dev Deleted when the application is withdrawn or its applicant assigned, so an applicant may apply again.
    mapping(uint256 taskId => mapping(address applicant => Application application)) private _applications;
    /// @dev Live applications per task, at most `MAX_APPLICANTS`.
    mapping(uint256 taskId => uint256 count) private _applicantCounts;
    /// @dev The sum of the live deposits in each token, across tasks.
    mapping(address token => uint256 amount) private _totalDeposits;

    /// @param market_ The market whose tasks this module gives out.
    constructor(ITaskMarket market_) AssignmentModule(market_) {}

    /*//////////////////////////////////////////////////////////////
                             READ FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IApplicationBoard
    function configHash(BoardConfig calldata config) public pure override returns (bytes32) {
        return keccak256(abi.encode(config));
    }

    /// @inheritdoc IApplicationBoard
    function isApplicant(uint256 taskId, address applicant) external view override returns (bool) {
        return _applications[taskId][applicant].live;
    }

    /// @inheritdoc IApplicationBoard
    function depositOf(uint256 taskId, address applicant) external view override returns (uint256) {
        return _applications[taskId][applicant].deposit;
    }

    /// @inheritdoc IApplicationBoard
    function applicantCountOf(uint256 taskId) external view override returns (uint256) {
        return _applicantCounts[taskId];
    }

    /// @inheritdoc IApplicationBoard
    function totalDepositsOf(address token) external view override returns (uint256) {
        return _totalDeposits[token];
    }

    /*//////////////////////////////////////////////////////////////
                            WRITE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IApplicationBoard
    function publishConfig(uint256 taskId, TaskTerms calldata terms, BoardConfig calldata config) external override {
        bytes32 hash = configHash(config);
        _checkTask(taskId, terms, hash);
        _checkRequirements(taskId, config.requirements);
        emit BoardConfigPublished(taskId, hash, config);
    }

    /// @inheritdoc IApplicationBoard
    function submitApplication(
        uint256 taskId,
        TaskTerms calldata terms,
        BoardConfig calldata config,
        string calldata noteURI,
        bytes32 noteHash,
        bytes32[] calldata capabilities
    ) external payable override nonReentrant {
        _checkTask(taskId, terms, configHash(config));
        // A malformed configuration can never lead to an assignment: taking deposits for it would only lock them.
        _checkRequirements(taskId, config.requirements);
        _checkOpen(taskId, terms, config.applicationDeadline);
        _checkCandidate(taskId, terms, config.requirements, msg.sender, capabilities);

        Application storage application = _applications[taskId][msg.sender];
        if (application.live) revert ApplicationBoard_AlreadyApplied(taskId, msg.sender);
        if (application.dismissed) revert ApplicationBoard_Dismissed(taskId, msg.sender);
        uint256 count = _applicantCounts[taskId];
        if (count >= MAX_APPLICANTS) revert ApplicationBoard_TooManyApplicants(taskId, MAX_APPLICANTS);

        // The deposit is the claim bond, which the terms fix for the task's lifetime: what an applicant deposits is
        // exactly what its assignment pays the market.
        application.live = true;
        application.deposit = terms.claimBond;
        _applicantCounts[taskId] = count + 1;
        _totalDeposits[terms.token] += terms.claimBond;

        emit Applied(taskId, msg.sender, noteURI, noteHash);

        _takeDeposit(terms, terms.claimBond);
    }

    /// @inheritdoc IApplicationBoard
    function withdrawApplication(uint256 taskId, TaskTerms calldata terms) external override nonReentrant {
        // The terms name the token the deposit is returned in; any other task's terms would name the wrong one.
        if (!market.matchesTerms(taskId, terms)) revert Errors.AssignmentModule_TermsMismatch(taskId);
        uint256 deposit = _removeApplication(taskId, terms.token, msg.sender);

        emit ApplicationWithdrawn(taskId, msg.sender, deposit);

        _payOut(terms.token, msg.sender, deposit);
    }

    /// @inheritdoc IApplicationBoard
    function dismissApplication(uint256 taskId, TaskTerms calldata terms, address applicant) external override {
        if (!market.matchesTerms(taskId, terms)) revert Errors.AssignmentModule_TermsMismatch(taskId);
        if (msg.sender != terms.poster) revert ApplicationBoard_CallerNotPoster(taskId, msg.sender);
        Application storage application = _applications[taskId][applicant];
        if (!application.live) revert ApplicationBoard_NoApplication(taskId, applicant);

        // The place is freed at once; the deposit stays the applicant's, withdrawn when it likes.
        application.live = false;
        application.dismissed = true;
        _applicantCounts[taskId] -= 1;

        emit ApplicationDismissed(taskId, applicant);
    }

    /// @inheritdoc IApplicationBoard
    function assign(
        uint256 taskId,
        TaskTerms calldata terms,
        BoardConfig calldata config,
        address applicant,
        bytes32[] calldata capabilities
    ) external override nonReentrant {
        _checkTask(taskId, terms, configHash(config));
        if (msg.sender != terms.poster) revert ApplicationBoard_CallerNotPoster(taskId, msg.sender);
        if (!_applications[taskId][applicant].live) revert ApplicationBoard_NoApplication(taskId, applicant);
        // The applicant passed these checks when it applied, but its registration or its record may have changed
        // since (a lost dispute, a deactivation).
        _checkCandidate(taskId, terms, config.requirements, applicant, capabilities);
        // The deposit, equal to the claim bond, leaves the module as the bond in `_assign`.
        _removeApplication(taskId, terms.token, applicant);

        emit ApplicantAssigned(taskId, applicant);

        _assign(taskId, terms, config.requirements, applicant, _currentPrice(taskId, terms), capabilities);
    }

    /// @inheritdoc IApplicationBoard
    function cancelForFailedDependency(
        uint256 taskId,
        TaskTerms calldata terms,
        BoardConfig calldata config,
        uint256 index
    ) external override nonReentrant {
        _checkTask(taskId, terms, configHash(config));
        uint256 count = config.requirements.dependencies.length;
        // Checked here so that a wrong index reverts with a reason rather than an out-of-bounds panic.
        if (index >= count) revert ApplicationBoard_DependencyIndexOutOfRange(taskId, index, count);
        _cancelForFailedDependency(taskId, terms, config.requirements, index);
    }

    /*//////////////////////////////////////////////////////////////
                           PRIVATE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev Checks that applications to the task are open: the application deadline (capped by the claim deadline,
    /// after which no one can be assigned) has not passed, and the task is neither claimed nor ended.
    function _checkOpen(uint256 taskId, TaskTerms calldata terms, uint40 applicationDeadline) private view {
        uint40 deadline =
            applicationDeadline == 0 || applicationDeadline > terms.claimDeadline
                ? terms.claimDeadline
                : applicationDeadline;
        if (block.timestamp > deadline) revert ApplicationBoard_ApplicationsClosed(taskId, deadline);
        TaskStatus status = market.statusOf(taskId);
        if (status != TaskStatus.Posted) revert ApplicationBoard_TaskNotOpen(taskId, status);
    }

    /// @dev Deletes `applicant`'s live application to the task and takes its deposit off the books; returns the
    /// deposit, which the caller pays out.
    function _removeApplication(uint256 taskId, address token, address applicant) private returns (uint256 deposit) {
        Application memory application = _applications[taskId][applicant];
        // A dismissed applicant still holds its deposit here, but no longer an application.
        if (!application.live && (!application.dismissed || application.deposit == 0)) {
            revert ApplicationBoard_NoApplication(taskId, applicant);
        }
        deposit = application.deposit;

        if (application.dismissed) {
            _applications[taskId][applicant].deposit = 0;
        } else {
            delete _applications[taskId][applicant];
            // A live application is counted, so the count cannot underflow.
            unchecked {
                _applicantCounts[taskId] -= 1;
            }
        }
        // Every deposit held is counted in the total of its token.
        unchecked {
            _totalDeposits[token] -= deposit;
        }
    }

    /// @dev Pays a deposit back. A failure reverts: the applicant pulls its own deposit, so only it can be blocked,
    /// and its application stays live for another try.
    function _payOut(address token, address to, uint256 amount) private {
        if (amount == 0) return;
        if (token == address(0)) {
            (bool success, ) = to.call{ value: amount }("");
            if (!success) revert ApplicationBoard_EthTransferFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }
}
