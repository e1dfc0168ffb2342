import pytest

from bank_account import Account, AccountFrozen, InsufficientFunds


def test_opening_balance_and_validation():
    assert Account("ann", 500).balance == 500
    assert Account("ann", -100, overdraft_limit=100).balance == -100
    with pytest.raises(ValueError):
        Account("ann", overdraft_limit=-1)
    with pytest.raises(ValueError):
        Account("ann", 500, overdraft_limit=-1)
    acc = Account("carl", 0, overdraft_limit=30)
    assert acc.owner == "carl"
    assert acc.overdraft_limit == 30
    assert acc.history == []
    with pytest.raises(ValueError):
        Account("ann", -101, overdraft_limit=100)


def test_deposit_and_withdraw():
    acc = Account("ann")
    assert acc.deposit(1000) == 1000
    assert acc.withdraw(300) == 700
    assert acc.history == [("deposit", 1000, 1000), ("withdraw", 300, 700)]


@pytest.mark.parametrize("amount", [0, -5, 2.5, "10"])
def test_invalid_amounts(amount):
    acc = Account("ann", 100)
    with pytest.raises(ValueError):
        acc.deposit(amount)
    with pytest.raises(ValueError):
        acc.withdraw(amount)
    assert acc.balance == 100
    assert acc.history == []


def test_withdraw_exact_balance():
    acc = Account("ann", 250)
    assert acc.withdraw(250) == 0


def test_withdraw_more_than_balance_fails():
    acc = Account("ann", 250)
    with pytest.raises(InsufficientFunds):
        acc.withdraw(251)
    assert acc.balance == 250
    assert acc.history == []


def test_overdraft_limit():
    acc = Account("ann", 100, overdraft_limit=50)
    assert acc.available() == 150
    assert acc.withdraw(150) == -50
    assert acc.available() == 0
    with pytest.raises(InsufficientFunds):
        acc.withdraw(1)


def test_transfer_moves_money_and_records_both_sides():
    a = Account("ann", 500)
    b = Account("bob", 20)
    a.transfer(b, 200)
    assert a.balance == 300
    assert b.balance == 220
    assert a.history == [("transfer_out", 200, 300)]
    assert b.history == [("transfer_in", 200, 220)]


def test_transfer_insufficient_changes_nothing():
    a = Account("ann", 100)
    b = Account("bob")
    with pytest.raises(InsufficientFunds):
        a.transfer(b, 101)
    assert (a.balance, b.balance) == (100, 0)
    assert a.history == [] and b.history == []


def test_transfer_to_self_rejected():
    a = Account("ann", 100)
    with pytest.raises(ValueError):
        a.transfer(a, 10)


def test_frozen_account():
    a = Account("ann", 100)
    a.frozen = True
    with pytest.raises(AccountFrozen):
        a.deposit(10)
    with pytest.raises(AccountFrozen):
        a.withdraw(10)
    assert a.balance == 100


def test_transfer_to_frozen_account_changes_nothing():
    a = Account("ann", 100)
    b = Account("bob", 0)
    b.frozen = True
    with pytest.raises(AccountFrozen):
        a.transfer(b, 50)
    assert (a.balance, b.balance) == (100, 0)
    assert a.history == []


def test_set_overdraft_limit():
    acc = Account("ann", 0, overdraft_limit=100)
    acc.withdraw(80)
    acc.set_overdraft_limit(80)
    assert acc.available() == 0
    with pytest.raises(ValueError):
        acc.set_overdraft_limit(79)
    with pytest.raises(ValueError):
        acc.set_overdraft_limit(-1)
    assert acc.overdraft_limit == 80


def test_set_overdraft_limit_with_positive_balance():
    acc = Account("ann", 100, overdraft_limit=50)
    acc.set_overdraft_limit(0)
    assert acc.available() == 100
    with pytest.raises(ValueError):
        acc.set_overdraft_limit(-1)
    assert acc.overdraft_limit == 0


def test_totals_by_kind():
    a = Account("ann")
    b = Account("bob")
    a.deposit(100)
    a.deposit(50)
    a.withdraw(30)
    a.transfer(b, 20)
    assert a.total("deposit") == 150
    assert a.total("withdraw") == 30
    assert a.total("transfer_out") == 20
    assert a.total("transfer_in") == 0
    assert b.total("transfer_in") == 20
