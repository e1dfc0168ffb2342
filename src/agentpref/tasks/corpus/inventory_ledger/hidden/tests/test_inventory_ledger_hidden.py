import random

import pytest

from inventory_ledger import InsufficientStock, Inventory


def test_random_operations_keep_invariants():
    rng = random.Random(23)
    inv = Inventory()
    on_hand = {"a": 0, "b": 0}
    orders = {}
    next_order = 0
    for _ in range(300):
        sku = rng.choice("ab")
        qty = rng.randint(1, 5)
        reserved = sum(q for s, q in orders.values() if s == sku)
        available = on_hand[sku] - reserved
        op = rng.random()
        if op < 0.35:
            inv.stock_in(sku, qty)
            on_hand[sku] += qty
        elif op < 0.5:
            if qty > available:
                with pytest.raises(InsufficientStock):
                    inv.stock_out(sku, qty)
            else:
                inv.stock_out(sku, qty)
                on_hand[sku] -= qty
        elif op < 0.75:
            next_order += 1
            if qty > available:
                with pytest.raises(InsufficientStock):
                    inv.reserve(next_order, sku, qty)
            else:
                inv.reserve(next_order, sku, qty)
                orders[next_order] = (sku, qty)
        elif orders:
            order = rng.choice(sorted(orders))
            s, q = orders.pop(order)
            if op < 0.88:
                assert inv.release(order) == q
            else:
                assert inv.fulfill(order) == q
                on_hand[s] -= q
        for s in "ab":
            reserved = sum(q for o_s, q in orders.values() if o_s == s)
            assert inv.on_hand(s) == on_hand[s]
            assert inv.reserved(s) == reserved
            assert inv.available(s) >= 0


def test_reserve_unknown_sku():
    inv = Inventory()
    with pytest.raises(InsufficientStock):
        inv.reserve("o", "ghost", 1)


def test_failed_stock_out_is_not_logged():
    inv = Inventory()
    inv.stock_in("x", 1)
    with pytest.raises(InsufficientStock):
        inv.stock_out("x", 2)
    assert inv.log == [("in", "x", 1)]


def test_order_id_reusable_after_release_and_fully_reserved_is_low():
    inv = Inventory()
    inv.stock_in("x", 4)
    inv.reserve("o", "x", 4)
    assert inv.low_stock(0) == ["x"]
    inv.release("o")
    inv.reserve("o", "x", 2)
    assert inv.available("x") == 2
    assert inv.low_stock(1) == []
