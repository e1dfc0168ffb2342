"""Shopping cart with products, Decimal money handling, tax and stackable discounts."""

from shopcart.cart import Cart
from shopcart.discounts import BuyXGetY, Coupon, PercentageDiscount
from shopcart.models import LineItem, Product

__all__ = ["BuyXGetY", "Cart", "Coupon", "LineItem", "PercentageDiscount", "Product"]
