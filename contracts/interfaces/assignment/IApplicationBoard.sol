// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import { IAssignmentModule } from "./IAssignmentModule.sol";
import { Requirements } from "../../types/AssignmentTypes.sol";
import { TaskStatus, TaskTerms } from "../../types/TaskTypes.sol";

/// @title IApplicationBoard
/// @notice Hiring by application: executors apply to a task with a note (a cover letter, a portfolio) and a deposit
/// of the task's claim bond, and the poster picks one of them, whose deposit becomes its claim bond.
/// @dev Rules:
/// - A poster picks this method by naming the module as the task's `assigner` in `TaskOptions` and committing to a
///   `BoardConfig` in `assignerConfigHash` (see {configHash}). The module stores no configuration: every call passes
///   the terms and the configuration, checked against the task.
/// - Applications are open while the task is `Posted` and until the application deadline (see `BoardConfig`). An
///   applicant must be eligible and pass the gate when it applies, and again when it is assigned.
/// - Each applicant deposits exactly the task's claim bond: ETH in `msg.value`, or an ERC-20 allowance to this module.
///   The module holds the deposit until the applicant withdraws it — at any time, also after the task has ended —
///   or until the poster assigns the applicant, when the deposit is paid to the market as its claim bond.
/// - A claim that lapses leaves the task `Posted`: the poster may assign another live applicant, and applications
///   open again if the deadline allows.
/// - Deposit-taking tokens must move exact amounts: fee-on-transfer tokens are refused, rebasing tokens are not
///   supported.
interface IApplicationBoard is IAssignmentModule {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice A task's board; `TaskOptions.assignerConfigHash` commits to `keccak256(abi.encode(config))`.
    struct BoardConfig {
        /// @dev The gate every applicant must pass, and the dependencies that must be met before the assignment.
        Requirements requirements;
        /// @dev The last second at which an application is accepted; zero (or a time past the task's claim deadline)
        /// keeps applications open until the claim deadline.
        uint40 applicationDeadline;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice Applications to the task closed at `deadline`.
    error ApplicationBoard_ApplicationsClosed(uint256 taskId, uint40 deadline);

    /// @notice Applications are taken only while the task is `Posted`: not once it is claimed or has ended.
    error ApplicationBoard_TaskNotOpen(uint256 taskId, TaskStatus status);

    /// @notice The applicant already has a live application to the task.
    error ApplicationBoard_AlreadyApplied(uint256 taskId, address applicant);

    /// @notice The poster dismissed this applicant from the task: it may not apply to it again.
    error ApplicationBoard_Dismissed(uint256 taskId, address applicant);

    /// @notice The task already has `maximum` live applications.
    error ApplicationBoard_TooManyApplicants(uint256 taskId, uint256 maximum);

    /// @notice The account has no live application to the task (never applied, withdrew, or was assigned).
    error ApplicationBoard_NoApplication(uint256 taskId, address applicant);

    /// @notice Only the task's poster picks among the applicants.
    error ApplicationBoard_CallerNotPoster(uint256 taskId, address caller);

    /// @notice `index` does not point into the configuration's `count` dependencies.
    error ApplicationBoard_DependencyIndexOutOfRange(uint256 taskId, uint256 index, uint256 count);

    /// @notice Returning a deposit of `amount` ETH to `to` failed.
    error ApplicationBoard_EthTransferFailed(address to, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Emitted by {publishConfig}: task `taskId` commits to `config`, whose hash is `configHash`.
    event BoardConfigPublished(uint256 indexed taskId, bytes32 indexed configHash, BoardConfig config);

    /// @notice Emitted when `applicant` applies to task `taskId`, depositing the task's claim bond, with a note at
    /// `noteURI` whose hash is `noteHash`.
    event Applied(uint256 indexed taskId, address indexed applicant, string noteURI, bytes32 noteHash);

    /// @notice Emitted when the poster dismisses `applicant`, freeing its place; its deposit stays withdrawable.
    event ApplicationDismissed(uint256 indexed taskId, address indexed applicant);

    /// @notice Emitted when `applicant` withdraws its application and is paid back its `deposit`.
    event ApplicationWithdrawn(uint256 indexed taskId, address indexed applicant, uint256 deposit);

    /// @notice Emitted when the poster gives task `taskId` to `applicant`, whose deposit becomes the claim bond; the
    /// market emits {ITaskMarket-TaskClaimed} after it.
    event ApplicantAssigned(uint256 indexed taskId, address indexed applicant);

    /*//////////////////////////////////////////////////////////////
                             READ FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice The most live applications a task may have. A person reviews them; the cap keeps the list a poster,
    /// a user interface or an indexer has to go through bounded, and no function of the module loops over it.
    /// An applicant that withdraws frees its place.
    function MAX_APPLICANTS() external view returns (uint256);

    /// @notice The hash a task's options commit to for `config`: `keccak256(abi.encode(config))`.
    function configHash(BoardConfig calldata config) external pure returns (bytes32);

    /// @notice Whether `applicant` has a live application to task `taskId`.
    function isApplicant(uint256 taskId, address applicant) external view returns (bool);

    /// @notice What the module holds for `applicant`'s live application to task `taskId`, in the task's token; zero
    /// without one.
    function depositOf(uint256 taskId, address applicant) external view returns (uint256);

    /// @notice How many live applications task `taskId` has.
    function applicantCountOf(uint256 taskId) external view returns (uint256);

    /// @notice The sum of every live deposit in `token` (`address(0)` for ETH): the module always holds at least
    /// this much of it.
    function totalDepositsOf(address token) external view returns (uint256);

    /*//////////////////////////////////////////////////////////////
                            WRITE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice Emits the configuration of task `taskId` after checking it against the task, so that executors and
    /// indexers learn the gate, the dependencies and the deadline before anyone applies. Anyone may call it; it
    /// changes nothing.
    /// @dev Emits {BoardConfigPublished}.
    ///
    /// Requirements:
    /// - `terms` are the task's terms, the task names this module as its assigner and commits to `config`.
    /// - `config.requirements` is well formed: at most `MAX_DEPENDENCIES` strictly ascending dependencies, each below
    ///   `taskId`, and `maxDisputesLostBps` at most 10,000.
    function publishConfig(uint256 taskId, TaskTerms calldata terms, BoardConfig calldata config) external;

    /// @notice Applies to task `taskId`, depositing its claim bond. (Named so because `apply` is a reserved word.)
    /// @dev Emits {Applied}.
    ///
    /// Requirements:
    /// - As {publishConfig} for the terms and the configuration.
    /// - The application deadline has not passed and the task is `Posted`.
    /// - `capabilities` is the task's list of required capabilities.
    /// - The caller is neither the poster nor the verifier, is registered and eligible for the task's kind and
    ///   capabilities, and passes the gate.
    /// - The caller has no live application to the task, and the task has fewer than `MAX_APPLICANTS`.
    /// - For ETH, `msg.value` is the claim bond; for an ERC-20, `msg.value` is zero and the caller allowed this module
    ///   to pull the claim bond.
    /// @param noteURI Where the application's note is published; only emitted.
    /// @param noteHash The hash of the note; only emitted.
    function submitApplication(
        uint256 taskId,
        TaskTerms calldata terms,
        BoardConfig calldata config,
        string calldata noteURI,
        bytes32 noteHash,
        bytes32[] calldata capabilities
    ) external payable;

    /// @notice Dismisses a live application to the poster's task: the place is freed (so that accounts squatting on
    /// the board cannot keep others out), the applicant may not apply to the task again, and its deposit stays
    /// withdrawable with {withdrawApplication}.
    /// @dev Emits {ApplicationDismissed}. Requirements: `terms` are the task's; caller its poster; a live application.
    function dismissApplication(uint256 taskId, TaskTerms calldata terms, address applicant) external;

    /// @notice Withdraws the caller's application to task `taskId` and pays its deposit back to it. Open at any
    /// time, also after the task has ended: it is how an applicant the poster did not pick recovers its deposit.
    /// @dev Emits {ApplicationWithdrawn}.
    ///
    /// Requirements:
    /// - `terms` are the task's terms (they name the token of the deposit).
    /// - The caller has a live application to the task, or was dismissed and has not withdrawn its deposit yet; an
    ///   assigned applicant has none, its deposit being the bond.
    function withdrawApplication(uint256 taskId, TaskTerms calldata terms) external;

    /// @notice Gives task `taskId` to `applicant` at the task's current price, paying its deposit to the market as
    /// its claim bond.
    /// @dev Emits {ApplicantAssigned}, and {DependenciesMet} when the task has dependencies; the market emits
    /// {ITaskMarket-TaskClaimed}.
    ///
    /// Requirements:
    /// - As {publishConfig} for the terms and the configuration; the caller is the poster.
    /// - `applicant` has a live application, and is still eligible with `capabilities` and through the gate.
    /// - Every dependency is `Verified` or `Settled`.
    /// - The task is `Posted` (never claimed, or its last claim lapsed).
    function assign(
        uint256 taskId,
        TaskTerms calldata terms,
        BoardConfig calldata config,
        address applicant,
        bytes32[] calldata capabilities
    ) external;

    /// @notice Cancels task `taskId` because its dependency at `index` was cancelled or expired, refunding the
    /// poster. Anyone may call it. Applicants then withdraw their deposits.
    /// @dev Emits {DependencyFailed}; the market emits {ITaskMarket-TaskCancelled}.
    ///
    /// Requirements:
    /// - As {publishConfig} for the terms and the configuration (the shape of the requirements aside).
    /// - `index` points into `config.requirements.dependencies`, and that dependency is `Cancelled` or `Expired`.
    /// - The task is `Posted`.
    function cancelForFailedDependency(
        uint256 taskId,
        TaskTerms calldata terms,
        BoardConfig calldata config,
        uint256 index
    ) external;
}
