// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { SignatureChecker } from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import { ITaskMarket } from "../interfaces/ITaskMarket.sol";
import { IAttestationModule } from "../interfaces/verification/IAttestationModule.sol";
import { Errors } from "../libraries/Errors.sol";
import { TASK_TERMS_ENCODED_SIZE, TaskStatus, TaskTerms } from "../types/TaskTypes.sol";
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

    /// @dev `AttestationConfig` has only static fields, so its ABI encoding is 32 bytes per field: 8 fields.
    uint256 private constant CONFIG_ENCODED_SIZE = 8 * 32;

    /// @dev The ABI encoding of an `Attestation` struct for EIP-712: its typehash and its ten fields, one word each.
    uint256 private constant ATTESTATION_ENCODED_SIZE = 11 * 32;

    /// @dev The largest `s` of a signature accepted: half the order of secp256k1, as OpenZeppelin's `ECDSA` requires.
    uint256 private constant MAX_LOW_S = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Who signed a held verdict, so that they can be slashed if an arbitrator overturns it.
    struct HeldVerdict {
        uint64 verifierSetId;
        uint16 slashBps;
        address[] signers;
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
        bytes32 hash;
        // The calldata as it is, which costs a fraction of re-encoding it: clean calldata is byte-for-byte the
        // canonical `abi.encode(config)`, and a configuration with dirty bits simply matches no task's commitment.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let scratch := mload(0x40)
            calldatacopy(scratch, config, CONFIG_ENCODED_SIZE)
            hash := keccak256(scratch, CONFIG_ENCODED_SIZE)
        }
        return hash;
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
        uint256 encoded = _encodeRound(taskId, milestone, submissionHash, reviewDeadline, approved, methodId);
        return _attestationDigest(encoded, _domainSeparatorV4(), scoreBps, evidenceHash, deadline, nonce);
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
        uint8 quorum = config.quorum;
        if (quorum == 0 || quorum > MAX_QUORUM) {
            revert Errors.AttestationModule_InvalidQuorum(quorum, MAX_QUORUM);
        }
        if (count < quorum || count > MAX_QUORUM) {
            revert Errors.AttestationModule_QuorumNotMet(taskId, count, quorum);
        }
        bytes32 requiredMethodId = config.methodId;
        if (requiredMethodId != bytes32(0) && verdict.methodId != requiredMethodId) {
            revert Errors.AttestationModule_WrongMethod(requiredMethodId, verdict.methodId);
        }

        uint16 medianScore = _checkAttestations(taskId, terms, config, verdict, attestations);
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
            _approveInMarket(taskId, terms);
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

    /// @dev Checks every attestation against the submission under review and returns the median score (the lower
    /// middle one). The attestations bind the round (task, milestone, result hash, review deadline) read from the
    /// market, and the verdict; the part of the signed struct they share is encoded once for all of them.
    function _checkAttestations(
        uint256 taskId,
        TaskTerms calldata terms,
        AttestationConfig calldata config,
        Verdict calldata verdict,
        SignedAttestation[] calldata attestations
    ) private returns (uint16 medianScore) {
        (uint256 encodedRound, address executor) = _encodeVerdictRound(taskId, terms, verdict);
        bool approved = verdict.approved;
        bytes32 domainSeparator = _domainSeparatorV4();

        uint64 verifierSetId = config.verifierSetId;
        mapping(address verifier => Member member) storage members = _members[verifierSetId];
        uint128 minBond = config.minBond;
        address poster = terms.poster;
        bool scored = config.scored;
        uint256 count = attestations.length;
        uint16[] memory scores = new uint16[](scored ? count : 0);
        address previous;
        for (uint256 i = 0; i < count; ++i) {
            SignedAttestation calldata attestation = attestations[i];
            address signer = attestation.signer;
            // Ascending order makes distinct signers a single comparison.
            if (signer <= previous) revert Errors.AttestationModule_SignersNotAscending(i);
            previous = signer;
            uint64 deadline = attestation.deadline;
            if (block.timestamp > deadline) revert Errors.AttestationModule_AttestationExpired(signer, deadline);
            uint16 scoreBps = attestation.scoreBps;
            if (scoreBps > BPS) revert Errors.DisputableModule_InvalidShare(scoreBps);
            if (signer == poster || signer == executor) revert Errors.AttestationModule_SignerIsParty(taskId, signer);
            Member memory member = members[signer];
            if (!member.active || member.bond < minBond) {
                revert Errors.AttestationModule_NotActiveVerifier(verifierSetId, signer);
            }
            bytes32 evidenceHash = attestation.evidenceHash;
            bytes32 digest = _attestationDigest(
                encodedRound,
                domainSeparator,
                scoreBps,
                evidenceHash,
                deadline,
                attestation.nonce
            );
            _checkSignature(signer, digest, attestation.signature);
            if (scored) _insertSorted(scores, i, scoreBps);
            emit AttestationAccepted(taskId, signer, approved, scoreBps, evidenceHash);
        }
        if (scored) medianScore = scores[(count - 1) / 2];
    }

    /// @dev Reads the round of the submission under review from the market and encodes it with the verdict (see
    /// {_encodeRound}); returns the encoding and the executor, who may not attest.
    function _encodeVerdictRound(
        uint256 taskId,
        TaskTerms calldata terms,
        Verdict calldata verdict
    ) private view returns (uint256 encodedRound, address executor) {
        uint40 reviewDeadline;
        bytes32 submissionHash;
        (executor, reviewDeadline, submissionHash) = _submissionUnderReview(taskId);
        uint8 milestone;
        if (terms.milestoneShares != bytes32(0)) {
            (milestone, , ) = market.progressOf(taskId);
        }
        encodedRound = _encodeRound(
            taskId,
            milestone,
            submissionHash,
            reviewDeadline,
            verdict.approved,
            verdict.methodId
        );
    }

    /// @dev The executor, the review deadline and the result hash of the task's submission, which must be under
    /// review: a verdict is given on a submission in its review window; a held one is already being contested. Reads
    /// `market.stateOf` and `market.submissionOf` with static calls decoded by hand, checking each word used as the
    /// ABI decoder would.
    function _submissionUnderReview(
        uint256 taskId
    ) private view returns (address executor, uint40 reviewDeadline, bytes32 submissionHash) {
        address target = address(market);
        bytes4 stateSelector = ITaskMarket.stateOf.selector;
        bytes4 submissionSelector = ITaskMarket.submissionOf.selector;
        uint256 executorWord;
        uint256 statusWord;
        uint256 reviewDeadlineWord;
        bool malformed;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let data := mload(0x40)
            mstore(data, stateSelector)
            mstore(add(data, 0x04), taskId)
            // `TaskState` is returned as five words: executor, status, execution deadline, review deadline, flags.
            let success := staticcall(gas(), target, data, 0x24, data, 0xa0)
            if success {
                malformed := lt(returndatasize(), 0xa0)
                executorWord := mload(data)
                statusWord := mload(add(data, 0x20))
                reviewDeadlineWord := mload(add(data, 0x60))
                mstore(data, submissionSelector)
                mstore(add(data, 0x04), taskId)
                success := staticcall(gas(), target, data, 0x24, data, 0x20)
                malformed := or(malformed, lt(returndatasize(), 0x20))
                submissionHash := mload(data)
            }
            if iszero(success) {
                returndatacopy(data, 0, returndatasize())
                revert(data, returndatasize())
            }
        }
        if (malformed || executorWord > type(uint160).max || reviewDeadlineWord > type(uint40).max) revert();
        if (statusWord != uint256(TaskStatus.Submitted) || block.timestamp > reviewDeadlineWord) {
            revert Errors.AttestationModule_NotUnderReview(taskId);
        }
        executor = address(uint160(executorWord));
        reviewDeadline = uint40(reviewDeadlineWord);
    }

    /// @dev Accepts a 65-byte ECDSA signature of `signer` with a low `s`, or else one its ERC-1271 `isValidSignature`
    /// accepts. The ECDSA part is OpenZeppelin's `ECDSA.tryRecoverCalldata` written out, without its error values.
    function _checkSignature(address signer, bytes32 digest, bytes calldata signature) private view {
        // ECDSA first, which spares an EOA signer the cold code lookup; anything else is asked of the signer through
        // ERC-1271, so smart accounts can attest.
        if (signature.length == 65) {
            bytes32 r;
            bytes32 s;
            uint8 v;
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                r := calldataload(signature.offset)
                s := calldataload(add(signature.offset, 0x20))
                v := byte(0, calldataload(add(signature.offset, 0x40)))
            }
            // Only the lower half order of `s` (EIP-2): the high-s twin of a signature, which ecrecover accepts too,
            // is not a second valid signature. ecrecover returns zero for any other malformed signature, and the
            // signer is never zero (signers are strictly ascending from zero).
            if (uint256(s) <= MAX_LOW_S && ecrecover(digest, v, r, s) == signer) return;
        }
        if (!SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, signature)) {
            revert Errors.AttestationModule_InvalidSignature(signer);
        }
    }

    /// @dev Allocates and fills the EIP-712 encoding of an attestation of the round, with the fields that differ
    /// between the signers of a verdict (score, evidence, deadline, nonce) left for {_attestationDigest}; returns
    /// its memory address.
    function _encodeRound(
        uint256 taskId,
        uint8 milestone,
        bytes32 submissionHash,
        uint40 reviewDeadline,
        bool approved,
        bytes32 methodId
    ) private pure returns (uint256 encoded) {
        // Widened in Solidity, so that every word written below is the clean ABI encoding of its field.
        uint256 milestoneWord = milestone;
        uint256 reviewDeadlineWord = reviewDeadline;
        uint256 approvedWord = approved ? 1 : 0;
        bytes32 typehash = ATTESTATION_TYPEHASH;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            encoded := mload(0x40)
            mstore(0x40, add(encoded, ATTESTATION_ENCODED_SIZE))
            mstore(encoded, typehash)
            mstore(add(encoded, 0x20), taskId)
            mstore(add(encoded, 0x40), milestoneWord)
            mstore(add(encoded, 0x60), submissionHash)
            mstore(add(encoded, 0x80), reviewDeadlineWord)
            mstore(add(encoded, 0xa0), approvedWord)
            mstore(add(encoded, 0xe0), methodId)
        }
    }

    /// @dev The EIP-712 digest of one attestation: writes its own fields into the round's encoding from
    /// {_encodeRound} and hashes it, the same as `keccak256(abi.encode(ATTESTATION_TYPEHASH, ...))` in field order.
    function _attestationDigest(
        uint256 encodedRound,
        bytes32 domainSeparator,
        uint16 scoreBps,
        bytes32 evidenceHash,
        uint64 deadline,
        uint256 nonce
    ) private pure returns (bytes32 digest) {
        uint256 scoreWord = scoreBps;
        uint256 deadlineWord = deadline;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(add(encodedRound, 0xc0), scoreWord)
            mstore(add(encodedRound, 0x100), evidenceHash)
            mstore(add(encodedRound, 0x120), deadlineWord)
            mstore(add(encodedRound, 0x140), nonce)
            let structHash := keccak256(encodedRound, ATTESTATION_ENCODED_SIZE)
            // keccak256("\x19\x01" ‖ domainSeparator ‖ structHash), as MessageHashUtils.toTypedDataHash computes it.
            let typedData := mload(0x40)
            mstore(typedData, hex"1901")
            mstore(add(typedData, 0x02), domainSeparator)
            mstore(add(typedData, 0x22), structHash)
            digest := keccak256(typedData, 0x42)
        }
    }

    /// @dev `market.approve(taskId, terms)`, with the terms copied from calldata as they are rather than re-encoded
    /// field by field: the market hashes them against the task's commitment, so terms with dirty bits do not match.
    /// The market has code (its `stateOf` answered for this verdict), so no code-size check is needed either.
    function _approveInMarket(uint256 taskId, TaskTerms calldata terms) private {
        address target = address(market);
        bytes4 selector = ITaskMarket.approve.selector;
        uint256 termsSize = TASK_TERMS_ENCODED_SIZE;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let data := mload(0x40)
            mstore(data, selector)
            mstore(add(data, 0x04), taskId)
            calldatacopy(add(data, 0x24), terms, termsSize)
            if iszero(call(gas(), target, 0, data, add(0x24, termsSize), 0, 0)) {
                returndatacopy(data, 0, returndatasize())
                revert(data, returndatasize())
            }
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
