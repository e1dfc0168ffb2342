"""Stock ledger per SKU with reservations for orders.

Stock on hand is split into reserved units (held for open orders) and available units.
"""


class InsufficientStock(Exception):
    pass


class Inventory:
    def __init__(self):
        self._on_hand = {}
        self._reserved = {}  # sku -> units reserved by open orders
        self._orders = {}  # order id -> (sku, quantity)
        self.log = []  # (action, sku, quantity) for every movement of physical stock

    @staticmethod
    def _check_quantity(quantity):
        if not isinstance(quantity, int) or quantity <= 0:
            raise ValueError("quantity must be a positive integer")

    def on_hand(self, sku):
        return self._on_hand.get(sku, 0)

    def reserved(self, sku):
        return self._reserved.get(sku, 0)

    def available(self, sku):
        return self.on_hand(sku) - self.reserved(sku)

    def stock_in(self, sku, quantity):
        self._check_quantity(quantity)
        self._on_hand[sku] = self.on_hand(sku) + quantity
        self.log.append(("in", sku, quantity))

    def stock_out(self, sku, quantity):
        """Remove unreserved units (damaged, sold over the counter, ...)."""
        self._check_quantity(quantity)
        if quantity > self.available(sku):
            raise InsufficientStock(f"cannot remove {quantity} of {sku}: {self.available(sku)} available")
        self._on_hand[sku] -= quantity
        self.log.append(("out", sku, quantity))

    def reserve(self, order_id, sku, quantity):
        self._check_quantity(quantity)
        if order_id in self._orders:
            raise ValueError(f"order {order_id!r} already has a reservation")
        if quantity > self.available(sku):
            raise InsufficientStock(f"cannot reserve {quantity} of {sku}: {self.available(sku)} available")
        self._orders[order_id] = (sku, quantity)
        self._reserved[sku] = self.reserved(sku) + quantity

    def release(self, order_id):
        """Cancel a reservation (KeyError for an unknown order); returns the released quantity."""
        sku, quantity = self._orders.pop(order_id)
        self._reserved[sku] -= quantity
        return quantity

    def fulfill(self, order_id):
        """Ship a reserved order: its units leave the stock. Returns the shipped quantity."""
        sku, quantity = self._orders.pop(order_id)
        self._reserved[sku] -= quantity
        self._on_hand[sku] -= quantity
        self.log.append(("out", sku, quantity))
        return quantity

    def open_orders(self, sku):
        return sorted(order for order, (order_sku, _) in self._orders.items() if order_sku == sku)

    def low_stock(self, threshold):
        """Sorted SKUs whose available quantity is at or below ``threshold``."""
        return sorted(sku for sku in self._on_hand if self.available(sku) <= threshold)
