// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { IERC1271 } from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import { Address } from "@openzeppelin/contracts/utils/Address.sol";
import { ECDSA } from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice A minimal smart account: a signature is its own (ERC-1271) when it is a valid ECDSA signature of the hash by
/// its owner, an EOA. The owner can make it call other contracts, for example to post a verifier bond.
contract MockERC1271Wallet is IERC1271 {
    error MockERC1271Wallet_CallerNotOwner(address caller);

    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    /// @dev Accepts payments, such as a share of a verifier fee or a returned bond.
    receive() external payable {}

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view virtual returns (bytes4) {
        return _signedByOwner(hash, signature) ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }

    /// @notice Calls `target` with `data` and `value`, bubbling up its revert. Owner only.
    function execute(address target, uint256 value, bytes calldata data) external payable returns (bytes memory) {
        if (msg.sender != owner) revert MockERC1271Wallet_CallerNotOwner(msg.sender);
        return Address.functionCallWithValue(target, data, value);
    }

    function _signedByOwner(bytes32 hash, bytes calldata signature) internal view returns (bool) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        return err == ECDSA.RecoverError.NoError && recovered == owner;
    }
}

/// @notice A smart account that checks its owner's signature but answers with the wrong value: the magic value of the
/// pre-final ERC-1271 draft, `isValidSignature(bytes,bytes)`, instead of `isValidSignature(bytes32,bytes)`.
contract MockWrongMagicERC1271Wallet is MockERC1271Wallet {
    /// @dev `bytes4(keccak256("isValidSignature(bytes,bytes)"))`.
    bytes4 public constant LEGACY_MAGIC_VALUE = 0x20c13b0b;

    constructor(address owner_) MockERC1271Wallet(owner_) {}

    function isValidSignature(bytes32 hash, bytes calldata signature) external view override returns (bytes4) {
        return _signedByOwner(hash, signature) ? LEGACY_MAGIC_VALUE : bytes4(0xffffffff);
    }
}
