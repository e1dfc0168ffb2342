"""Products and cart line items."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: Decimal
    taxable: bool = True

    def __post_init__(self):
        price = Decimal(str(self.price))
        if price < 0:
            raise ValueError(f"price of {self.sku} must not be negative")
        object.__setattr__(self, "price", price)


@dataclass
class LineItem:
    product: Product
    quantity: int

    def __post_init__(self):
        if not isinstance(self.quantity, int) or self.quantity < 1:
            raise ValueError("quantity must be a positive integer")

    @property
    def total(self):
        return self.product.price * self.quantity
