// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// The money of a contract that holds players' ETH (`Referee`, `Jobs`): free
/// balances, wei held (bonds, stakes, escrows) and wei burned, so that the
/// contract's balance is always `Σ balanceOf + held + burned`.
abstract contract Ledger {
    mapping(address => uint256) public balanceOf;
    /// Wei held for bonds, stakes and escrows, and wei burned (kept here, owned by nobody).
    uint256 public held;
    uint256 public burned;

    event Deposited(address indexed who, uint256 amount);
    event Withdrawn(address indexed who, uint256 amount);
    event Burned(uint256 amount);

    error InsufficientFunds(uint256 balance, uint256 needed);
    error TransferFailed();

    /// Adds the value sent to the sender's balance.
    function deposit() external payable {
        _credit();
    }

    function _credit() internal {
        if (msg.value > 0) {
            balanceOf[msg.sender] += msg.value;
            emit Deposited(msg.sender, msg.value);
        }
    }

    /// Sends `amount` of the sender's balance to the sender.
    function withdraw(uint256 amount) external {
        uint256 b = balanceOf[msg.sender];
        if (b < amount) revert InsufficientFunds(b, amount);
        balanceOf[msg.sender] = b - amount;
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    /// Moves `amount` of `who`'s balance into what is held.
    function _hold(address who, uint256 amount) internal {
        uint256 b = balanceOf[who];
        if (b < amount) revert InsufficientFunds(b, amount);
        balanceOf[who] = b - amount;
        held += amount;
    }

    /// Burns `amount` of what is held.
    function _burn(uint256 amount) internal {
        held -= amount;
        burned += amount;
        emit Burned(amount);
    }
}
