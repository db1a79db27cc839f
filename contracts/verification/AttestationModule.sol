// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { ECDSA } from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import { SignatureChecker } from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import { ITaskMarket } from "../interfaces/ITaskMarket.sol";
import { IAttestationModule } from "../interfaces/verification/IAttestationModule.sol";
import { Errors } from "../libraries/Errors.sol";
import { TaskState, TaskStatus, TaskTerms } from "../types/TaskTypes.sol";
import { DisputableModule } from "./DisputableModule.sol";

/// @title AttestationModule
/// @notice See the documentation in {IAttestationModule}.
contract AttestationModule is DisputableModule, IAttestationModule {
    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IAttestationModule
    bytes32 public constant override ATTESTATION_TYPEHASH = keccak256(
        "Attestation(uint256 taskId,uint8 milestone,bytes32 submissionHash,uint40 reviewDeadline,bool approved,"
        "uint16 scoreBps,bytes32 methodId,bytes32 evidenceHash,uint64 deadline,uint256 nonce)"
    );

    /// @inheritdoc IAttestationModule
    uint256 public constant override MAX_QUORUM = 16;

    /// @inheritdoc IAttestationModule
    /// @dev Longer than the longest contest (window, fee payment, ruling and execution periods).
    uint256 public constant override UNBONDING_PERIOD = 90 days;

    /// @dev The reason recorded in the market for a quorum's rejection.
    bytes32 private constant QUORUM_REJECTION_REASON = keccak256("taskmarket.attestation.rejected");

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Who signed a held verdict, so that they can be slashed if an arbitrator overturns it.
    struct HeldVerdict {
        uint64 verifierSetId;
        uint16 slashBps;
        address[] signers;
    }

    /// @dev What the signers of one verdict all attest to.
    struct Round {
        uint256 taskId;
        uint8 milestone;
        bytes32 submissionHash;
        uint40 reviewDeadline;
        bool approved;
        bytes32 methodId;
        address poster;
        address executor;
        uint64 verifierSetId;
        uint128 minBond;
    }

    uint64 private _nextVerifierSetId = 1;
    mapping(uint64 setId => VerifierSet set) private _verifierSets;
    mapping(uint64 setId => mapping(address verifier => Member member)) private _members;
    mapping(uint256 taskId => HeldVerdict verdict) private _heldVerdicts;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    constructor(
        ITaskMarket market_,
        string memory metaEvidenceURI
    ) DisputableModule(market_, "TaskMarket AttestationModule", metaEvidenceURI) {}

    /*//////////////////////////////////////////////////////////////
                             READ FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IAttestationModule
    function verifierSetOf(uint64 setId) external view override returns (VerifierSet memory) {
        return _verifierSets[setId];
    }

    /// @inheritdoc IAttestationModule
    function memberOf(uint64 setId, address verifier) external view override returns (Member memory) {
        return _members[setId][verifier];
    }

    /// @inheritdoc IAttestationModule
    function isActiveVerifier(uint64 setId, address verifier, uint128 minBond) external view override returns (bool) {
        Member memory member = _members[setId][verifier];
        return member.active && member.bond >= minBond;
    }

    /// @inheritdoc IAttestationModule
    function configHash(AttestationConfig calldata config) public pure override returns (bytes32) {
        return keccak256(abi.encode(config));
    }

    /// @inheritdoc IAttestationModule
    function attestationDigest(
        uint256 taskId,
        uint8 milestone,
        bytes32 submissionHash,
        uint40 reviewDeadline,
        bool approved,
        uint16 scoreBps,
        bytes32 methodId,
        bytes32 evidenceHash,
        uint64 deadline,
        uint256 nonce
    ) public view override returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        ATTESTATION_TYPEHASH,
                        taskId,
                        milestone,
                        submissionHash,
                        reviewDeadline,
                        approved,
                        scoreBps,
                        methodId,
                        evidenceHash,
                        deadline,
                        nonce
                    )
                )
            );
    }

    /*//////////////////////////////////////////////////////////////
                        WRITE FUNCTIONS: VERDICTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IAttestationModule
    function publishConfig(AttestationConfig calldata config) external override {
        _checkConfig(config);
        emit AttestationConfigPublished(configHash(config), config);
    }

    /// @inheritdoc IAttestationModule
    function submitVerdict(
        uint256 taskId,
        TaskTerms calldata terms,
        AttestationConfig calldata config,
        Verdict calldata verdict,
        SignedAttestation[] calldata attestations
    ) external override nonReentrant {
        _checkTerms(taskId, terms, configHash(config));
        uint256 count = attestations.length;
        if (config.quorum == 0 || config.quorum > MAX_QUORUM) {
            revert Errors.AttestationModule_InvalidQuorum(config.quorum, MAX_QUORUM);
        }
        if (count < config.quorum || count > MAX_QUORUM) {
            revert Errors.AttestationModule_QuorumNotMet(taskId, count, config.quorum);
        }
        if (config.methodId != bytes32(0) && verdict.methodId != config.methodId) {
            revert Errors.AttestationModule_WrongMethod(config.methodId, verdict.methodId);
        }

        Round memory round = _roundOf(taskId, terms, config, verdict);
        uint16 medianScore = _checkAttestations(round, config.scored, attestations);
        uint16 executorShareBps =
            !verdict.approved
                ? 0
                : config.scored
                    ? medianScore
                    : BPS;
        bool contested = config.contestWindow != 0;
        if (contested) _closeStaleContest(taskId);
        uint256 balanceBefore = terms.verifierFee == 0 ? 0 : _tokenBalance(terms);

        if (contested) {
            _checkConfig(config);
            HeldVerdict storage held = _heldVerdicts[taskId];
            held.verifierSetId = config.verifierSetId;
            held.slashBps = config.slashBps;
            delete held.signers;
            for (uint256 i = 0; i < count; ++i) {
                held.signers.push(attestations[i].signer);
            }
            _openContest(taskId, terms, executorShareBps, !verdict.approved, config.contestWindow);
        } else if (!verdict.approved) {
            market.reject(taskId, terms, QUORUM_REJECTION_REASON);
        } else if (executorShareBps == BPS) {
            market.approve(taskId, terms);
        } else {
            market.resolve(taskId, terms, executorShareBps);
        }

        if (terms.verifierFee != 0) _shareVerifierFee(terms, attestations, balanceBefore);
    }

    /// @inheritdoc IAttestationModule
    function dispute(
        uint256 taskId,
        TaskTerms calldata terms,
        AttestationConfig calldata config
    ) external payable override nonReentrant {
        _checkTerms(taskId, terms, configHash(config));
        _disputeDecision(taskId, terms, config.arbitrator);
    }

    /// @inheritdoc IAttestationModule
    function acceptRejection(uint256 taskId, TaskTerms calldata terms) external override nonReentrant {
        _checkVerifier(taskId, terms);
        _acceptRejection(taskId, terms);
    }

    /*//////////////////////////////////////////////////////////////
                      WRITE FUNCTIONS: VERIFIER SETS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IAttestationModule
    function createVerifierSet(address admin) external override returns (uint64 setId) {
        if (admin == address(0)) revert Errors.VerificationModule_ZeroAddress();
        setId = _nextVerifierSetId++;
        _verifierSets[setId] = VerifierSet({ admin: admin, memberCount: 0 });
        emit VerifierSetCreated(setId, admin);
    }

    /// @inheritdoc IAttestationModule
    function transferVerifierSetAdmin(uint64 setId, address newAdmin) external override {
        _checkAdmin(setId);
        if (newAdmin == address(0)) revert Errors.VerificationModule_ZeroAddress();
        emit VerifierSetAdminTransferred(setId, msg.sender, newAdmin);
        _verifierSets[setId].admin = newAdmin;
    }

    /// @inheritdoc IAttestationModule
    function addVerifier(uint64 setId, address verifier) external override {
        _checkAdmin(setId);
        _add(setId, verifier);
    }

    /// @inheritdoc IAttestationModule
    function revokeVerifier(uint64 setId, address verifier) external override {
        _checkAdmin(setId);
        _remove(setId, verifier, true);
    }

    /// @inheritdoc IAttestationModule
    function rotateVerifier(uint64 setId, address oldVerifier, address newVerifier) external override {
        _checkAdmin(setId);
        _remove(setId, oldVerifier, true);
        _add(setId, newVerifier);
    }

    /// @inheritdoc IAttestationModule
    function bond(uint64 setId) external payable override {
        if (_verifierSets[setId].admin == address(0)) revert Errors.AttestationModule_UnknownVerifierSet(setId);
        if (msg.value == 0) revert Errors.AttestationModule_ZeroBond();
        Member storage member = _members[setId][msg.sender];
        uint256 total = member.bond + msg.value;
        member.bond = uint128(total);
        emit VerifierBonded(setId, msg.sender, msg.value, total);
    }

    /// @inheritdoc IAttestationModule
    function leave(uint64 setId) external override {
        Member storage member = _members[setId][msg.sender];
        if (member.active) {
            _remove(setId, msg.sender, false);
        } else {
            if (member.bond == 0 || member.leftAt != 0) revert Errors.AttestationModule_NotMember(setId, msg.sender);
            member.leftAt = uint40(block.timestamp);
        }
    }

    /// @inheritdoc IAttestationModule
    function withdrawBond(uint64 setId) external override nonReentrant {
        Member memory member = _members[setId][msg.sender];
        if (member.active) revert Errors.AttestationModule_StillActive(setId, msg.sender);
        if (member.bond == 0) revert Errors.DisputableModule_NothingToWithdraw(msg.sender);
        // A verifier that never joined the set never signed for it: nothing can be slashed.
        uint256 unlocksAt = member.leftAt == 0 ? 0 : uint256(member.leftAt) + UNBONDING_PERIOD;
        if (block.timestamp < unlocksAt) revert Errors.AttestationModule_BondLocked(setId, msg.sender, unlocksAt);

        _members[setId][msg.sender].bond = 0;
        emit VerifierBondWithdrawn(setId, msg.sender, member.bond);

        (bool success, ) = msg.sender.call{ value: member.bond }("");
        if (!success) revert Errors.DisputableModule_TransferFailed(msg.sender, member.bond);
    }

    /*//////////////////////////////////////////////////////////////
                           PRIVATE FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev Slashes the signers of a verdict that the arbitrator overturned — the side that won is not the side the
    /// verdict favoured — and pays the slashed bonds to the side the ruling favoured, the one the verdict wronged
    /// (which is not always the side that disputed: a party may dispute a verdict in its favour and lose).
    function _afterDispute(
        uint256 taskId,
        Contest memory contest,
        ContestOutcome outcome,
        uint16 executorShareBps
    ) internal override {
        HeldVerdict memory held = _heldVerdicts[taskId];
        delete _heldVerdicts[taskId];
        if (outcome != ContestOutcome.Ruled) return;
        bool verdictForExecutor = 2 * uint256(contest.decisionShareBps) >= BPS;
        bool rulingForExecutor = 2 * uint256(executorShareBps) >= BPS;
        if (verdictForExecutor == rulingForExecutor) return;

        uint256 slashed;
        for (uint256 i = 0; i < held.signers.length; ++i) {
            Member storage member = _members[held.verifierSetId][held.signers[i]];
            uint256 amount = (uint256(member.bond) * held.slashBps) / BPS;
            member.bond -= uint128(amount);
            slashed += amount;
            emit VerifierSlashed(held.verifierSetId, held.signers[i], taskId, amount);
        }
        address wronged = rulingForExecutor == contest.claimantForExecutor ? contest.claimant : contest.respondent;
        _pay(wronged, slashed);
    }

    /// @dev Reads what the attestations must bind to: the submission under review, its round and its parties.
    function _roundOf(
        uint256 taskId,
        TaskTerms calldata terms,
        AttestationConfig calldata config,
        Verdict calldata verdict
    ) private view returns (Round memory round) {
        TaskState memory state = market.stateOf(taskId);
        // A verdict is given on a submission under review; a held one is already being contested.
        if (state.status != TaskStatus.Submitted || block.timestamp > state.reviewDeadline) {
            revert Errors.AttestationModule_NotUnderReview(taskId);
        }
        round.taskId = taskId;
        if (terms.milestoneShares != bytes32(0)) {
            (round.milestone, , ) = market.progressOf(taskId);
        }
        round.submissionHash = market.submissionOf(taskId);
        round.reviewDeadline = state.reviewDeadline;
        round.approved = verdict.approved;
        round.methodId = verdict.methodId;
        round.poster = terms.poster;
        round.executor = state.executor;
        round.verifierSetId = config.verifierSetId;
        round.minBond = config.minBond;
    }

    /// @dev Checks every attestation and returns the median score (the lower middle one).
    function _checkAttestations(
        Round memory round,
        bool scored,
        SignedAttestation[] calldata attestations
    ) private returns (uint16 medianScore) {
        uint256 count = attestations.length;
        uint16[] memory scores = new uint16[](scored ? count : 0);
        address previous;
        for (uint256 i = 0; i < count; ++i) {
            SignedAttestation calldata attestation = attestations[i];
            // Ascending order makes distinct signers a single comparison.
            if (attestation.signer <= previous) revert Errors.AttestationModule_SignersNotAscending(i);
            previous = attestation.signer;
            _checkAttestation(round, attestation);
            if (scored) _insertSorted(scores, i, attestation.scoreBps);
            emit AttestationAccepted(
                round.taskId,
                attestation.signer,
                round.approved,
                attestation.scoreBps,
                attestation.evidenceHash
            );
        }
        if (scored) medianScore = scores[(count - 1) / 2];
    }

    function _checkAttestation(Round memory round, SignedAttestation calldata attestation) private view {
        address signer = attestation.signer;
        if (block.timestamp > attestation.deadline) {
            revert Errors.AttestationModule_AttestationExpired(signer, attestation.deadline);
        }
        if (attestation.scoreBps > BPS) revert Errors.DisputableModule_InvalidShare(attestation.scoreBps);
        if (signer == round.poster || signer == round.executor) {
            revert Errors.AttestationModule_SignerIsParty(round.taskId, signer);
        }
        Member memory member = _members[round.verifierSetId][signer];
        if (!member.active || member.bond < round.minBond) {
            revert Errors.AttestationModule_NotActiveVerifier(round.verifierSetId, signer);
        }
        bytes32 digest = attestationDigest(
            round.taskId,
            round.milestone,
            round.submissionHash,
            round.reviewDeadline,
            round.approved,
            attestation.scoreBps,
            round.methodId,
            attestation.evidenceHash,
            attestation.deadline,
            attestation.nonce
        );
        // ECDSA first (recovery rejects high-s and malformed signatures), which spares an EOA signer the cold code
        // lookup; anything else is asked of the signer through ERC-1271, so smart accounts can attest.
        (address recovered, ECDSA.RecoverError error, ) = ECDSA.tryRecoverCalldata(digest, attestation.signature);
        if (error == ECDSA.RecoverError.NoError && recovered == signer) return;
        if (!SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, attestation.signature)) {
            revert Errors.AttestationModule_InvalidSignature(signer);
        }
    }

    function _insertSorted(uint16[] memory sorted, uint256 filled, uint16 value) private pure {
        uint256 j = filled;
        while (j > 0 && sorted[j - 1] > value) {
            sorted[j] = sorted[j - 1];
            --j;
        }
        sorted[j] = value;
    }

    /// @dev Shares the verifier fee the market paid for this verdict evenly between its signers (the first gets the
    /// remainder of the division).
    function _shareVerifierFee(
        TaskTerms calldata terms,
        SignedAttestation[] calldata attestations,
        uint256 balanceBefore
    ) private {
        uint256 earned = _tokenBalance(terms) - balanceBefore;
        if (earned == 0) return;
        uint256 count = attestations.length;
        uint256 each = earned / count;
        for (uint256 i = 0; i < count; ++i) {
            uint256 amount = i == 0 ? earned - each * (count - 1) : each;
            address signer = attestations[i].signer;
            emit VerifierFeeForwarded(terms.token, signer, amount);
            _payToken(terms.token, signer, amount);
        }
    }

    function _checkConfig(AttestationConfig calldata config) private pure {
        if (config.quorum == 0 || config.quorum > MAX_QUORUM) {
            revert Errors.AttestationModule_InvalidQuorum(config.quorum, MAX_QUORUM);
        }
        if (config.slashBps > BPS) revert Errors.DisputableModule_InvalidShare(config.slashBps);
        if (config.contestWindow > MAX_CONTEST_WINDOW) {
            revert Errors.DisputableModule_ContestWindowTooLong(config.contestWindow, MAX_CONTEST_WINDOW);
        }
        if (config.contestWindow != 0 && address(config.arbitrator) == address(0)) {
            revert Errors.VerificationModule_ZeroAddress();
        }
    }

    function _checkAdmin(uint64 setId) private view {
        if (msg.sender != _verifierSets[setId].admin) {
            revert Errors.AttestationModule_CallerNotAdmin(setId, msg.sender);
        }
    }

    function _add(uint64 setId, address verifier) private {
        if (verifier == address(0)) revert Errors.VerificationModule_ZeroAddress();
        Member storage member = _members[setId][verifier];
        if (member.active) revert Errors.AttestationModule_AlreadyMember(setId, verifier);
        member.active = true;
        member.leftAt = 0;
        _verifierSets[setId].memberCount += 1;
        emit VerifierAdded(setId, verifier);
    }

    function _remove(uint64 setId, address verifier, bool byAdmin) private {
        Member storage member = _members[setId][verifier];
        if (!member.active) revert Errors.AttestationModule_NotMember(setId, verifier);
        member.active = false;
        member.leftAt = uint40(block.timestamp);
        _verifierSets[setId].memberCount -= 1;
        emit VerifierRemoved(setId, verifier, byAdmin);
    }
}
