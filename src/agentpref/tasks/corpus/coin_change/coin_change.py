"""Coin change by dynamic programming: fewest coins, which coins, and number of ways.

Coins are positive integer denominations, each available in unlimited supply. Listing a
denomination twice does not create a new kind of coin.
"""


def _validate(coins, amount):
    if amount < 0:
        raise ValueError("amount must be non-negative")
    if any(c <= 0 for c in coins):
        raise ValueError("coin values must be positive")
    return sorted(set(coins))


def coins_used(coins, amount):
    """A shortest list of coins (largest first) summing to ``amount``, or None if impossible."""
    denominations = _validate(coins, amount)
    INF = amount + 1
    fewest = [0] + [INF] * amount
    last = [0] * (amount + 1)
    for total in range(1, amount + 1):
        for coin in denominations:
            if coin > total:
                break
            if fewest[total - coin] + 1 < fewest[total]:
                fewest[total] = fewest[total - coin] + 1
                last[total] = coin
    if fewest[amount] >= INF:
        return None
    used = []
    total = amount
    while total > 0:
        used.append(last[total])
        total -= last[total]
    return sorted(used, reverse=True)


def min_coins(coins, amount):
    """Fewest coins summing to ``amount``; -1 when it cannot be made."""
    used = coins_used(coins, amount)
    return -1 if used is None else len(used)


def count_ways(coins, amount):
    """Number of multisets of coins summing to ``amount`` (order does not matter)."""
    denominations = _validate(coins, amount)
    ways = [1] + [0] * amount
    for coin in denominations:
        for total in range(coin, amount + 1):
            ways[total] += ways[total - coin]
    return ways[amount]


def greedy_is_optimal(coins, amount):
    """True when always taking the largest coin that fits gives a fewest-coin answer."""
    remaining, count = amount, 0
    for coin in sorted(set(coins), reverse=True):
        count += remaining // coin
        remaining %= coin
    return remaining == 0 and count == min_coins(coins, amount)
