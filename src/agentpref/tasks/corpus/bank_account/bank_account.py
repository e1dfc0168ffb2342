"""Bank accounts with an overdraft limit, transfers and a transaction history.

Amounts are integers in cents. Every successful operation appends ``(kind, amount, balance)``
to the account's history, ``balance`` being the balance right after the operation.
"""


class InsufficientFunds(Exception):
    pass


class AccountFrozen(Exception):
    pass


class Account:
    def __init__(self, owner, balance=0, overdraft_limit=0):
        if overdraft_limit < 0:
            raise ValueError("overdraft limit must not be negative")
        if balance < -overdraft_limit:
            raise ValueError("opening balance is below the overdraft limit")
        self.owner = owner
        self.balance = balance
        self.overdraft_limit = overdraft_limit
        self.frozen = False
        self.history = []

    @staticmethod
    def _check_amount(amount):
        if not isinstance(amount, int) or amount <= 0:
            raise ValueError("amount must be a positive integer number of cents")

    def _ensure_active(self):
        if self.frozen:
            raise AccountFrozen(f"account of {self.owner} is frozen")

    def _record(self, kind, amount):
        self.history.append((kind, amount, self.balance))

    def available(self):
        """How much can still be withdrawn, overdraft included."""
        return self.balance + self.overdraft_limit

    def deposit(self, amount):
        self._ensure_active()
        self._check_amount(amount)
        self.balance += amount
        self._record("deposit", amount)
        return self.balance

    def _take(self, amount, kind):
        self._ensure_active()
        self._check_amount(amount)
        if amount > self.available():
            raise InsufficientFunds(f"{self.owner} cannot pay {amount}: {self.available()} available")
        self.balance -= amount
        self._record(kind, amount)

    def withdraw(self, amount):
        self._take(amount, "withdraw")
        return self.balance

    def transfer(self, other, amount):
        """Move ``amount`` to ``other``; nothing changes when any check fails."""
        if other is self:
            raise ValueError("cannot transfer to the same account")
        other._ensure_active()
        self._take(amount, "transfer_out")
        other.balance += amount
        other._record("transfer_in", amount)

    def set_overdraft_limit(self, limit):
        if limit < 0:
            raise ValueError("overdraft limit must not be negative")
        if self.balance < -limit:
            raise ValueError("balance is already below the new overdraft limit")
        self.overdraft_limit = limit

    def total(self, kind):
        """Sum of the amounts of all history entries of ``kind``."""
        return sum(amount for entry_kind, amount, _ in self.history if entry_kind == kind)
