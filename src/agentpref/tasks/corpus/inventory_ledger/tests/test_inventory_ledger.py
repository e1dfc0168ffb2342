import pytest

from inventory_ledger import InsufficientStock, Inventory


@pytest.fixture
def inv():
    inventory = Inventory()
    inventory.stock_in("apple", 10)
    inventory.stock_in("pear", 3)
    return inventory


def test_unknown_sku_is_empty():
    inventory = Inventory()
    assert inventory.on_hand("x") == 0
    assert inventory.available("x") == 0
    assert inventory.reserved("x") == 0


def test_stock_in_accumulates(inv):
    inv.stock_in("apple", 5)
    assert inv.on_hand("apple") == 15
    assert inv.log == [("in", "apple", 10), ("in", "pear", 3), ("in", "apple", 5)]


@pytest.mark.parametrize("quantity", [0, -2, 1.5])
def test_invalid_quantities(inv, quantity):
    with pytest.raises(ValueError):
        inv.stock_in("apple", quantity)
    with pytest.raises(ValueError):
        inv.stock_out("apple", quantity)
    with pytest.raises(ValueError):
        inv.reserve("o1", "apple", quantity)
    assert inv.on_hand("apple") == 10


def test_stock_out(inv):
    inv.stock_out("apple", 4)
    assert inv.on_hand("apple") == 6
    assert inv.log[-1] == ("out", "apple", 4)
    inv.stock_out("apple", 6)
    assert inv.on_hand("apple") == 0
    with pytest.raises(InsufficientStock):
        inv.stock_out("apple", 1)


def test_reserve_reduces_available_not_on_hand(inv):
    inv.reserve("o1", "apple", 4)
    assert inv.on_hand("apple") == 10
    assert inv.reserved("apple") == 4
    assert inv.available("apple") == 6


def test_stock_out_cannot_touch_reserved_units(inv):
    inv.reserve("o1", "apple", 8)
    with pytest.raises(InsufficientStock):
        inv.stock_out("apple", 3)
    inv.stock_out("apple", 2)
    assert inv.available("apple") == 0
    assert inv.on_hand("apple") == 8


def test_reserve_exactly_available(inv):
    inv.reserve("o1", "pear", 3)
    assert inv.available("pear") == 0
    with pytest.raises(InsufficientStock):
        inv.reserve("o2", "pear", 1)


def test_duplicate_order_id(inv):
    inv.reserve("o1", "apple", 1)
    with pytest.raises(ValueError):
        inv.reserve("o1", "pear", 1)
    assert inv.reserved("pear") == 0


def test_release(inv):
    inv.reserve("o1", "apple", 4)
    assert inv.release("o1") == 4
    assert inv.available("apple") == 10
    assert inv.reserved("apple") == 0
    with pytest.raises(KeyError):
        inv.release("o1")


def test_fulfill(inv):
    inv.reserve("o1", "apple", 4)
    inv.reserve("o2", "apple", 2)
    assert inv.fulfill("o1") == 4
    assert inv.on_hand("apple") == 6
    assert inv.reserved("apple") == 2
    assert inv.available("apple") == 4
    assert inv.log[-1] == ("out", "apple", 4)
    with pytest.raises(KeyError):
        inv.fulfill("o1")


def test_open_orders(inv):
    inv.reserve("b", "apple", 1)
    inv.reserve("a", "apple", 1)
    inv.reserve("c", "pear", 1)
    assert inv.open_orders("apple") == ["a", "b"]
    inv.fulfill("a")
    assert inv.open_orders("apple") == ["b"]
    assert inv.open_orders("kiwi") == []


def test_low_stock(inv):
    inv.stock_in("kiwi", 5)
    assert inv.low_stock(3) == ["pear"]
    inv.reserve("o1", "apple", 8)
    assert inv.low_stock(2) == ["apple"]
    assert inv.low_stock(5) == ["apple", "kiwi", "pear"]
    assert inv.low_stock(-1) == []
