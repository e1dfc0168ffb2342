"""Money rounding, tax and proportional allocation, all with Decimal."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value):
    """Round to whole cents, halves away from zero (0.125 -> 0.13)."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def tax_for(amount, rate):
    """Tax on ``amount`` at ``rate`` (0.08 for 8 %), rounded to cents."""
    rate = Decimal(str(rate))
    if rate < 0:
        raise ValueError("tax rate must not be negative")
    return to_money(Decimal(str(amount)) * rate)


def allocate(amount, weights):
    """Split ``amount`` into cent shares proportional to ``weights``; the shares sum to it exactly
    (the last share absorbs the rounding)."""
    amount = to_money(amount)
    if not weights:
        return []
    total = sum(weights, Decimal(0))
    if total == 0:
        return [ZERO for _ in weights]
    shares = [to_money(amount * weight / total) for weight in weights[:-1]]
    shares.append(amount - sum(shares, Decimal(0)))
    return shares
