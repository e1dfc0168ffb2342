import random
from functools import lru_cache

from coin_change import coins_used, count_ways, min_coins


def brute(coins, amount):
    coins = tuple(sorted(set(coins)))

    @lru_cache(maxsize=None)
    def fewest(total):
        if total == 0:
            return 0
        options = [fewest(total - c) for c in coins if c <= total]
        options = [o for o in options if o is not None]
        return min(options) + 1 if options else None

    @lru_cache(maxsize=None)
    def ways(total, index):
        if total == 0:
            return 1
        if index == len(coins):
            return 0
        c = coins[index]
        return ways(total, index + 1) + (ways(total - c, index) if c <= total else 0)

    return fewest(amount), ways(amount, 0)


def test_random_matches_recursion():
    rng = random.Random(81)
    for _ in range(60):
        coins = [rng.randint(1, 12) for _ in range(rng.randint(0, 4))]
        amount = rng.randint(0, 40)
        fewest, ways = brute(coins, amount)
        assert min_coins(coins, amount) == (-1 if fewest is None else fewest)
        assert count_ways(coins, amount) == ways
        used = coins_used(coins, amount)
        if fewest is None:
            assert used is None
        else:
            assert sum(used) == amount and len(used) == fewest and all(c in coins for c in used)


def test_input_not_modified():
    coins = [5, 1, 2]
    min_coins(coins, 9)
    count_ways(coins, 9)
    assert coins == [5, 1, 2]
