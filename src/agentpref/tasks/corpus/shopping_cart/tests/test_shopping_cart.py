from decimal import Decimal

import pytest

from shopcart.cart import Cart
from shopcart.discounts import BuyXGetY, Coupon, PercentageDiscount
from shopcart.models import LineItem, Product
from shopcart.pricing import allocate, tax_for, to_money

D = Decimal
APPLE = Product("apple", "Apple", "0.50")
BREAD = Product("bread", "Bread", "2.25", taxable=False)
WINE = Product("wine", "Wine", "12.00")


def test_product_price_is_decimal_and_validated():
    assert APPLE.price == D("0.50")
    assert isinstance(Product("x", "X", 3).price, Decimal)
    assert Product("free", "Free sample", "0").price == D("0")
    with pytest.raises(ValueError):
        Product("x", "X", "-0.01")


@pytest.mark.parametrize("quantity", [0, -1, 1.5])
def test_line_item_quantity_validated(quantity):
    with pytest.raises(ValueError):
        LineItem(APPLE, quantity)


@pytest.mark.parametrize(
    "value, expected",
    [("0.125", "0.13"), ("0.124", "0.12"), ("2.675", "2.68"), ("-0.125", "-0.13"), (1, "1.00"), ("0.005", "0.01")],
)
def test_to_money_rounds_half_up(value, expected):
    assert to_money(value) == D(expected)


def test_tax_for():
    assert tax_for(D("12.50"), "0.01") == D("0.13")
    assert tax_for(D("100"), "0.08") == D("8.00")
    assert tax_for(D("0"), "0.2") == D("0.00")
    assert tax_for(D("5"), 0) == D("0.00")
    with pytest.raises(ValueError):
        tax_for(D("1"), "-0.1")


def test_allocate():
    assert allocate(D("10.00"), [D(1), D(1), D(1)]) == [D("3.33"), D("3.33"), D("3.34")]
    assert allocate(D("1.00"), [D(3), D(1)]) == [D("0.75"), D("0.25")]
    assert allocate(D("5"), []) == []
    assert allocate(D("0.999"), [D(1)]) == [D("1.00")]
    assert allocate(D("5"), [D(0), D(0)]) == [D("0.00"), D("0.00")]
    assert sum(allocate(D("0.10"), [D(1)] * 7)) == D("0.10")


def test_empty_cart():
    cart = Cart("0.1")
    assert cart.subtotal() == D("0.00")
    assert cart.tax() == D("0.00")
    assert cart.total() == D("0.00")


def test_add_merges_lines():
    cart = Cart()
    cart.add(APPLE, 2)
    cart.add(BREAD)
    cart.add(APPLE, 3)
    assert [(i.product.sku, i.quantity) for i in cart.items()] == [("apple", 5), ("bread", 1)]
    assert cart.subtotal() == D("4.75")
    with pytest.raises(ValueError):
        cart.add(APPLE, 0)
    with pytest.raises(ValueError):
        cart.add(WINE, -1)
    cart.add(BREAD)
    assert cart.quantity("bread") == 2


def test_negative_cart_tax_rate():
    with pytest.raises(ValueError):
        Cart("-0.05")
    assert Cart().tax() == D("0.00")


def test_remove():
    cart = Cart()
    cart.add(APPLE, 5)
    cart.remove("apple", 2)
    assert cart.quantity("apple") == 3
    with pytest.raises(ValueError):
        cart.remove("apple", 0)
    cart.remove("apple", 1)
    assert cart.quantity("apple") == 2
    cart.remove("apple", 2)
    assert cart.quantity("apple") == 0
    cart.add(APPLE, 3)
    cart.remove("apple", 3)
    assert cart.quantity("apple") == 0
    assert cart.items() == []
    cart.add(WINE, 2)
    cart.remove("wine")
    assert cart.items() == []
    with pytest.raises(KeyError):
        cart.remove("wine")


def test_percentage_discount():
    items = [LineItem(APPLE, 4), LineItem(WINE, 1)]
    assert PercentageDiscount(10).amount(items) == D("1.40")
    assert PercentageDiscount("12.5", sku="wine").amount(items) == D("1.50")
    assert PercentageDiscount(100, sku="apple").amount(items) == D("2.00")
    assert PercentageDiscount(1).amount(items) == D("0.14")
    assert PercentageDiscount("0.5", sku="wine").amount(items) == D("0.06")
    for bad in (0, -5, 101):
        with pytest.raises(ValueError):
            PercentageDiscount(bad)


@pytest.mark.parametrize("quantity, free_units", [(1, 0), (2, 0), (3, 1), (5, 1), (6, 2), (7, 2), (9, 3)])
def test_buy_two_get_one(quantity, free_units):
    rule = BuyXGetY("apple", buy=2, free=1)
    assert rule.amount([LineItem(APPLE, quantity)]) == to_money(APPLE.price * free_units)


def test_buy_x_get_y_other_items_and_validation():
    rule = BuyXGetY("wine", buy=1, free=1)
    assert rule.amount([LineItem(APPLE, 10)]) == D("0.00")
    assert rule.amount([LineItem(WINE, 4)]) == D("24.00")
    assert rule.amount([LineItem(WINE, 3)]) == D("12.00")
    two_two = BuyXGetY("apple", buy=2, free=2)
    assert [two_two.amount([LineItem(APPLE, q)]) for q in range(1, 7)] == [
        D("0.00"), D("0.00"), D("0.50"), D("1.00"), D("1.00"), D("1.00")
    ]
    assert rule.amount([LineItem(APPLE, 3), LineItem(WINE, 2)]) == D("12.00")
    with pytest.raises(ValueError):
        BuyXGetY("wine", buy=0, free=1)
    with pytest.raises(ValueError):
        BuyXGetY("wine", buy=1, free=0)


def test_coupon_min_spend_and_cap():
    items = [LineItem(WINE, 1)]
    assert Coupon("SAVE5", 5, min_spend=12).amount(items) == D("5.00")
    assert Coupon("SAVE5", 5, min_spend="12.01").amount(items) == D("0.00")
    assert Coupon("BIG", 50).amount(items) == D("12.00")
    assert Coupon("TINY", 5).amount([LineItem(APPLE, 1)]) == D("0.50")
    assert Coupon("HALF", "2.50").amount(items) == D("2.50")
    assert Coupon("ONE", 1).amount(items) == D("1.00")
    with pytest.raises(ValueError):
        Coupon("ZERO", 0)


def test_coupon_code_only_once():
    cart = Cart()
    cart.add_discount(Coupon("SAVE5", 5))
    with pytest.raises(ValueError):
        cart.add_discount(Coupon("SAVE5", 3))
    cart.add_discount(Coupon("OTHER", 1))


def test_total_with_tax_and_non_taxable_items():
    cart = Cart("0.10")
    cart.add(WINE, 1)
    cart.add(BREAD, 2)
    assert cart.subtotal() == D("16.50")
    assert cart.tax() == D("1.20")
    assert cart.total() == D("17.70")


def test_discount_reduces_taxable_base():
    cart = Cart("0.10")
    cart.add(WINE, 1)
    cart.add(BREAD, 4)
    cart.add_discount(Coupon("TEN", 10))
    assert cart.discount_total() == D("10.00")
    assert cart.tax() == D("0.63")
    assert cart.total() == D("11.63")


def test_discounts_never_exceed_subtotal():
    cart = Cart("0.2")
    cart.add(APPLE, 2)
    cart.add_discount(PercentageDiscount(100))
    cart.add_discount(Coupon("MORE", 5))
    assert cart.discount_total() == D("1.00")
    assert cart.tax() == D("0.00")
    assert cart.total() == D("0.00")


def test_full_checkout():
    cart = Cart("0.08")
    cart.add(APPLE, 6)
    cart.add(WINE, 2)
    cart.add(BREAD)
    cart.add_discount(BuyXGetY("apple", buy=2, free=1))
    cart.add_discount(PercentageDiscount(10, sku="wine"))
    assert cart.subtotal() == D("29.25")
    assert cart.discount_total() == D("3.40")
    # the discounts are shared out over all lines by value: wine and apples carry 2.79 + 0.35
    assert cart.tax() == D("1.91")
    assert cart.total() == D("27.76")
