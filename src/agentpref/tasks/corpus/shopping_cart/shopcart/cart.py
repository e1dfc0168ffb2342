"""The cart: line items, discounts, tax and the final total."""

from decimal import Decimal

from shopcart.models import LineItem
from shopcart.pricing import ZERO, allocate, tax_for, to_money


class Cart:
    def __init__(self, tax_rate="0"):
        self.tax_rate = Decimal(str(tax_rate))
        if self.tax_rate < 0:
            raise ValueError("tax rate must not be negative")
        self._items = {}  # sku -> LineItem, in the order products were first added
        self._discounts = []
        self._codes = set()

    def add(self, product, quantity=1):
        item = self._items.get(product.sku)
        if item is None:
            self._items[product.sku] = LineItem(product, quantity)
        else:
            if quantity < 1:
                raise ValueError("quantity must be a positive integer")
            item.quantity += quantity

    def remove(self, sku, quantity=None):
        """Remove ``quantity`` units of ``sku`` (all of them by default); KeyError if absent."""
        item = self._items[sku]
        if quantity is None or quantity >= item.quantity:
            del self._items[sku]
        elif quantity < 1:
            raise ValueError("quantity must be a positive integer")
        else:
            item.quantity -= quantity

    def items(self):
        return list(self._items.values())

    def quantity(self, sku):
        item = self._items.get(sku)
        return 0 if item is None else item.quantity

    def add_discount(self, discount):
        code = getattr(discount, "code", None)
        if code is not None:
            if code in self._codes:
                raise ValueError(f"coupon {code!r} was already applied")
            self._codes.add(code)
        self._discounts.append(discount)

    def subtotal(self):
        return to_money(sum((item.total for item in self._items.values()), ZERO))

    def discount_total(self):
        """All discounts together, never more than the subtotal."""
        items = self.items()
        total = sum((d.amount(items) for d in self._discounts), ZERO)
        return min(to_money(total), self.subtotal())

    def tax(self):
        """Tax on the taxable items after their share of the discounts."""
        items = self.items()
        shares = allocate(self.discount_total(), [item.total for item in items])
        taxable = sum(
            (item.total - share for item, share in zip(items, shares) if item.product.taxable), ZERO
        )
        return tax_for(taxable, self.tax_rate)

    def total(self):
        return self.subtotal() - self.discount_total() + self.tax()
