"""Discount rules. Each rule's ``amount(items)`` is the money it takes off a list of line items."""

from decimal import Decimal

from shopcart.pricing import ZERO, to_money


class PercentageDiscount:
    """``percent`` off every item, or only off the items with ``sku``."""

    def __init__(self, percent, sku=None):
        percent = Decimal(str(percent))
        if not 0 < percent <= 100:
            raise ValueError("percent must be in (0, 100]")
        self.percent = percent
        self.sku = sku

    def amount(self, items):
        base = sum((i.total for i in items if self.sku is None or i.product.sku == self.sku), ZERO)
        return to_money(base * self.percent / 100)


class BuyXGetY:
    """For every ``buy`` units of ``sku`` paid, the next ``free`` units are free."""

    def __init__(self, sku, buy, free):
        if buy < 1 or free < 1:
            raise ValueError("buy and free must be at least 1")
        self.sku = sku
        self.buy = buy
        self.free = free

    def amount(self, items):
        matching = [i for i in items if i.product.sku == self.sku]
        if not matching:
            return ZERO
        quantity = sum(i.quantity for i in matching)
        cycle = self.buy + self.free
        groups, rest = divmod(quantity, cycle)
        free_units = groups * self.free + max(0, rest - self.buy)
        return to_money(free_units * matching[0].product.price)


class Coupon:
    """A fixed amount off once the cart subtotal reaches ``min_spend``; never more than the
    subtotal. A cart accepts each coupon ``code`` only once."""

    def __init__(self, code, value, min_spend=0):
        value = Decimal(str(value))
        if value <= 0:
            raise ValueError("coupon value must be positive")
        self.code = code
        self.value = value
        self.min_spend = Decimal(str(min_spend))

    def amount(self, items):
        subtotal = sum((i.total for i in items), ZERO)
        if subtotal < self.min_spend:
            return ZERO
        return to_money(min(self.value, subtotal))
