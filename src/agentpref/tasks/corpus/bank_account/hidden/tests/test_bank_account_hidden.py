import random

import pytest

from bank_account import Account, InsufficientFunds


def test_random_operations_keep_history_consistent():
    rng = random.Random(17)
    for _ in range(20):
        limit = rng.randint(0, 200)
        acc = Account("ann", overdraft_limit=limit)
        other = Account("bob")
        balance = 0
        for _ in range(40):
            amount = rng.randint(1, 300)
            op = rng.random()
            if op < 0.4:
                acc.deposit(amount)
                balance += amount
            elif balance - amount < -limit:
                with pytest.raises(InsufficientFunds):
                    (acc.withdraw if op < 0.7 else lambda x: acc.transfer(other, x))(amount)
            elif op < 0.7:
                acc.withdraw(amount)
                balance -= amount
            else:
                acc.transfer(other, amount)
                balance -= amount
            assert acc.balance == balance
            assert acc.balance >= -limit
        assert acc.total("deposit") - acc.total("withdraw") - acc.total("transfer_out") == balance
        assert other.balance == acc.total("transfer_out")


def test_transfer_into_overdrawn_account():
    a = Account("ann", 100)
    b = Account("bob", -40, overdraft_limit=50)
    a.transfer(b, 60)
    assert b.balance == 20


def test_frozen_sender_cannot_transfer():
    from bank_account import AccountFrozen

    a = Account("ann", 100)
    b = Account("bob")
    a.frozen = True
    with pytest.raises(AccountFrozen):
        a.transfer(b, 10)
    assert b.balance == 0


def test_chain_of_transfers_and_failed_operations_leave_history():
    a, b, c = Account("a", 300), Account("b"), Account("c", overdraft_limit=10)
    a.transfer(b, 100)
    b.transfer(c, 100)
    c.withdraw(110)
    with pytest.raises(InsufficientFunds):
        c.withdraw(1)
    assert (a.balance, b.balance, c.balance) == (200, 0, -10)
    assert c.history == [("transfer_in", 100, 100), ("withdraw", 110, -10)]
    assert b.history == [("transfer_in", 100, 100), ("transfer_out", 100, 0)]
