// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IERC20 } from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import { SafeERC20 } from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import { NonReentrant } from "../abstracts/NonReentrant.sol";
import { IProofVerifier } from "../interfaces/IProofVerifier.sol";
import { ITaskMarket } from "../interfaces/ITaskMarket.sol";
import { IProofModule, ProofConfig } from "../interfaces/verification/IProofModule.sol";
import { Errors } from "../libraries/Errors.sol";
import { TaskTerms } from "../types/TaskTypes.sol";
import { VerificationModule } from "./VerificationModule.sol";

/// @title ProofModule
/// @notice See the documentation in {IProofModule}.
contract ProofModule is IProofModule, VerificationModule, NonReentrant {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IProofModule
    bytes32 public constant override UNPROVEN_REASON = keccak256("taskmarket.proof.unproven");

    /// @inheritdoc IProofModule
    uint256 public constant override ETH_PUSH_GAS = 100_000;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    mapping(address account => mapping(address token => uint256 amount)) private _credits;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    constructor(ITaskMarket market_) VerificationModule(market_) {}

    /// @dev The market pays verifier fees in ETH here. Nothing else may send ETH: it would be stuck.
    receive() external payable {
        if (msg.sender != address(market)) revert Errors.ProofModule_UnexpectedEth(msg.sender);
    }

    /*//////////////////////////////////////////////////////////////
                             READ FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IProofModule
    function configHash(ProofConfig calldata config) public pure override returns (bytes32) {
        return keccak256(abi.encode(config));
    }

    /// @inheritdoc IProofModule
    function creditOf(address account, address token) external view override returns (uint256) {
        return _credits[account][token];
    }

    /*//////////////////////////////////////////////////////////////
                            WRITE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IProofModule
    function publishConfig(ProofConfig calldata config) external override {
        emit ProofConfigPublished(configHash(config), config);
    }

    /// @inheritdoc IProofModule
    function submitWithProof(
        uint256 taskId,
        TaskTerms calldata terms,
        ProofConfig calldata config,
        bytes32 resultHash,
        string calldata resultURI,
        bytes calldata proof
    ) external override nonReentrant {
        address executor = market.stateOf(taskId).executor;
        if (msg.sender != executor) revert Errors.ProofModule_CallerNotExecutor(taskId, msg.sender);
        _checkTerms(taskId, terms, configHash(config));
        if (!_isValidProof(config, resultHash, proof)) {
            revert Errors.ProofModule_InvalidProof(taskId, address(config.proofVerifier));
        }
        uint256 balanceBefore = _feeTokenBalance(terms);

        emit ProofAccepted(taskId, executor, resultHash);

        market.submitVerified(taskId, terms, resultHash, resultURI);
        _forwardVerifierFee(taskId, terms, balanceBefore);
    }

    /// @inheritdoc IProofModule
    function rejectUnproven(
        uint256 taskId,
        TaskTerms calldata terms,
        ProofConfig calldata config
    ) external override nonReentrant {
        _checkTerms(taskId, terms, configHash(config));
        uint256 balanceBefore = _feeTokenBalance(terms);

        // A proven result is settled as it is submitted, so a submission under review was made without a proof.
        emit UnprovenSubmissionRejected(
            taskId,
            market.stateOf(taskId).executor,
            msg.sender,
            market.submissionOf(taskId)
        );

        market.reject(taskId, terms, UNPROVEN_REASON);
        _forwardVerifierFee(taskId, terms, balanceBefore);
    }

    /// @inheritdoc IProofModule
    function withdraw(address token, address to) external override nonReentrant {
        if (to == address(0)) revert Errors.ProofModule_ZeroAddress();
        uint256 amount = _credits[msg.sender][token];
        if (amount == 0) revert Errors.ProofModule_NothingToWithdraw(msg.sender, token);

        delete _credits[msg.sender][token];

        emit CreditWithdrawn(msg.sender, token, to, amount);

        if (token == address(0)) {
            (bool success, ) = to.call{ value: amount }("");
            if (!success) revert Errors.ProofModule_EthTransferFailed(to, amount);
        } else {
            IERC20(token).safeTransfer(to, amount);
        }
    }

    /*//////////////////////////////////////////////////////////////
                           PRIVATE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev Whether the task's proof verifier accepts `proof`. A verifier that reverts or runs out of gas rejects the
    /// proof; so does an address without code, whose empty answer would otherwise fail to decode outside the `try`.
    function _isValidProof(
        ProofConfig calldata config,
        bytes32 resultHash,
        bytes calldata proof
    ) private view returns (bool) {
        IProofVerifier proofVerifier = config.proofVerifier;
        if (address(proofVerifier).code.length == 0) return false;
        try proofVerifier.verifyProof(config.commitment, resultHash, proof) returns (bool valid) {
            return valid;
        } catch {
            return false;
        }
    }

    /// @dev The module's balance of the task's token, read only if the task carries a verifier fee to forward.
    function _feeTokenBalance(TaskTerms calldata terms) private view returns (uint256) {
        if (terms.verifierFee == 0) return 0;
        return terms.token == address(0) ? address(this).balance : IERC20(terms.token).balanceOf(address(this));
    }

    /// @dev Passes on to the caller the verifier fee the market paid during this call (it pays it once per task, for
    /// the verifier's first decision), or credits it if the payment fails. Every entry point that calls the market is
    /// locked, so nothing else moves the module's balance in between.
    function _forwardVerifierFee(uint256 taskId, TaskTerms calldata terms, uint256 balanceBefore) private {
        uint256 balanceAfter = _feeTokenBalance(terms);
        if (balanceAfter <= balanceBefore) return;
        uint256 amount = balanceAfter - balanceBefore;
        address token = terms.token;

        emit VerifierFeeForwarded(taskId, msg.sender, token, amount);

        bool success;
        if (token == address(0)) {
            address to = msg.sender;
            // Bounded gas and no return data copied, as the market pays: the caller can neither exhaust the gas
            // left to record a failure nor return-bomb.
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                success := call(ETH_PUSH_GAS, to, amount, 0, 0, 0, 0)
            }
        } else {
            success = IERC20(token).trySafeTransfer(msg.sender, amount);
        }
        if (!success) {
            _credits[msg.sender][token] += amount;
            emit PaymentCredited(msg.sender, token, amount);
        }
    }
}
