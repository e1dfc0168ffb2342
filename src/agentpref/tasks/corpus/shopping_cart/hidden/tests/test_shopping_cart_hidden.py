import random
from decimal import Decimal

from shopcart.cart import Cart
from shopcart.discounts import BuyXGetY, Coupon, PercentageDiscount
from shopcart.models import LineItem, Product
from shopcart.pricing import allocate, to_money

D = Decimal


def test_allocate_random_sums_and_proportions():
    rng = random.Random(59)
    for _ in range(200):
        amount = D(rng.randint(0, 5000)) / 100
        weights = [D(rng.randint(0, 2000)) / 100 for _ in range(rng.randint(1, 6))]
        shares = allocate(amount, weights)
        assert len(shares) == len(weights)
        if sum(weights) == 0:
            assert all(s == 0 for s in shares)
            continue
        assert sum(shares) == amount
        for share, weight in zip(shares[:-1], weights[:-1]):
            assert abs(share - amount * weight / sum(weights)) <= D("0.005")


def test_buy_x_get_y_against_brute_force():
    product = Product("p", "P", "1.10")
    for buy in range(1, 4):
        for free in range(1, 3):
            rule = BuyXGetY("p", buy, free)
            for quantity in range(1, 15):
                # units come in cycles of `buy` paid ones followed by `free` free ones
                free_units = sum(1 for unit in range(quantity) if unit % (buy + free) >= buy)
                expected = to_money(product.price * free_units)
                assert rule.amount([LineItem(product, quantity)]) == expected


def test_total_is_subtotal_minus_discounts_plus_tax():
    rng = random.Random(61)
    products = [Product(f"p{i}", f"P{i}", D(rng.randint(1, 3000)) / 100, taxable=bool(i % 2))
                for i in range(5)]
    for _ in range(50):
        cart = Cart(rng.choice(["0", "0.07", "0.2"]))
        for product in rng.sample(products, rng.randint(1, 5)):
            cart.add(product, rng.randint(1, 4))
        if rng.random() < 0.5:
            cart.add_discount(PercentageDiscount(rng.randint(1, 100)))
        if rng.random() < 0.5:
            cart.add_discount(Coupon("C", rng.randint(1, 40)))
        assert D(0) <= cart.discount_total() <= cart.subtotal()
        assert cart.tax() >= 0
        assert cart.total() == cart.subtotal() - cart.discount_total() + cart.tax()


def test_rounding_half_up_on_line_totals():
    cart = Cart()
    cart.add(Product("x", "X", "0.005"), 1)
    assert cart.subtotal() == D("0.01")


def test_remove_more_than_held_removes_line():
    cart = Cart()
    cart.add(Product("x", "X", "1"), 2)
    cart.remove("x", 5)
    assert cart.quantity("x") == 0
    assert cart.items() == []
