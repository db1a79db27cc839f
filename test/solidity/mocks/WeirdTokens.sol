// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import { MockERC20 } from "./MockERC20.sol";

/// @notice A USDT-like token: `transfer`, `transferFrom` and `approve` return nothing, and failures revert.
/// Written from scratch, since a standard ERC-20 base always returns a bool.
contract NoReturnToken {
    error NoReturnToken_InsufficientBalance(address account, uint256 balance, uint256 needed);
    error NoReturnToken_InsufficientAllowance(address spender, uint256 allowance, uint256 needed);

    function name() external pure returns (string memory) {
        return "No Return USD";
    }

    function symbol() external pure returns (string memory) {
        return "NRUSD";
    }

    function decimals() external pure returns (uint8) {
        return 6;
    }

    uint256 public totalSupply;
    mapping(address account => uint256 balance) public balanceOf;
    mapping(address owner => mapping(address spender => uint256 amount)) public allowance;

    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
    }

    function approve(address spender, uint256 amount) external {
        allowance[msg.sender][spender] = amount;
    }

    function transfer(address to, uint256 amount) external {
        _move(msg.sender, to, amount);
    }

    function transferFrom(address from, address to, uint256 amount) external {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < amount) revert NoReturnToken_InsufficientAllowance(msg.sender, allowed, amount);
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        _move(from, to, amount);
    }

    function _move(address from, address to, uint256 amount) private {
        uint256 balance = balanceOf[from];
        if (balance < amount) revert NoReturnToken_InsufficientBalance(from, balance, amount);
        balanceOf[from] = balance - amount;
        balanceOf[to] += amount;
    }
}

/// @notice A token that reports failure by returning `false` instead of reverting: on a missing balance or allowance,
/// and on any transfer to an account it refuses. In `alwaysFalse` mode it moves the tokens and still returns `false`.
contract FalseReturningToken {
    function name() external pure returns (string memory) {
        return "False USD";
    }

    function symbol() external pure returns (string memory) {
        return "FUSD";
    }

    function decimals() external pure returns (uint8) {
        return 18;
    }

    uint256 public totalSupply;
    bool public alwaysFalse;
    mapping(address account => uint256 balance) public balanceOf;
    mapping(address owner => mapping(address spender => uint256 amount)) public allowance;
    mapping(address account => bool refused) public isRefused;

    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
    }

    function setAlwaysFalse(bool value) external {
        alwaysFalse = value;
    }

    function setRefused(address account, bool refused) external {
        isRefused[account] = refused;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        return _move(msg.sender, to, amount);
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < amount) return false;
        if (!_move(from, to, amount)) return false;
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - amount;
        return !alwaysFalse;
    }

    function _move(address from, address to, uint256 amount) private returns (bool) {
        if (isRefused[to] || balanceOf[from] < amount) return false;
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        return !alwaysFalse;
    }
}

/// @notice A fee-on-transfer token: every transfer between holders burns 1 % (at least one unit) of the amount.
contract TransferFeeToken is MockERC20 {
    constructor() MockERC20("Transfer Fee USD", "TFUSD", 18) {}

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0) || value == 0) {
            super._update(from, to, value);
            return;
        }
        uint256 fee = value / 100 == 0 ? 1 : value / 100;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}

/// @notice A USDC-like token whose admin can block holders: any transfer from or to a blocked account reverts.
contract BlockableToken is MockERC20 {
    error BlockableToken_Blocked(address account);

    mapping(address account => bool blocked) public isBlocked;

    constructor(uint8 decimals_) MockERC20("Blockable USD", "BLUSD", decimals_) {}

    function setBlocked(address account, bool blocked) external {
        isBlocked[account] = blocked;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (isBlocked[from]) revert BlockableToken_Blocked(from);
        if (isBlocked[to]) revert BlockableToken_Blocked(to);
        super._update(from, to, value);
    }
}

/// @notice A token whose admin can pause every transfer.
contract PausableToken is MockERC20 {
    error PausableToken_Paused();

    bool public paused;

    constructor() MockERC20("Pausable USD", "PUSD", 6) {}

    function setPaused(bool paused_) external {
        paused = paused_;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (paused) revert PausableToken_Paused();
        super._update(from, to, value);
    }
}

/// @notice A token whose balances can change without a transfer, as with a rebasing token: `rebaseDown` takes
/// units from a holder and `rebaseUp` adds units to one.
contract ElasticToken is MockERC20 {
    constructor() MockERC20("Elastic USD", "EUSD", 18) {}

    function rebaseDown(address holder, uint256 amount) external {
        _burn(holder, amount);
    }

    function rebaseUp(address holder, uint256 amount) external {
        _mint(holder, amount);
    }
}

/// @notice A token that behaves normally until its fee is switched on, then burns 1 % of every transfer.
contract SwitchableFeeToken is MockERC20 {
    bool public feeOn;

    constructor() MockERC20("Switchable Fee", "SWF", 18) {}

    function setFeeOn(bool on) external {
        feeOn = on;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (!feeOn || from == address(0) || to == address(0)) {
            super._update(from, to, value);
            return;
        }
        uint256 fee = value / 100;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
