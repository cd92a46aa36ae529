"""THE rule of a stock item's quantity after parts are used (docs/parts.md), mirrored by
static/js/parts.js on the phone and held together by tests/part_vectors.json: a use takes what
the stock holds, never more; what it did not hold is counted short. Pure: no database."""

from __future__ import annotations

from collections.abc import Iterable


def _whole(value, low: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be a whole number of at least {low}")
    return value


def take(quantity: int, used: int) -> tuple[int, int]:
    """(taken from the stock, short) for one use of `used` parts from `quantity` in stock."""
    quantity = _whole(quantity, 0, "quantity")
    used = _whole(used, 1, "used")
    taken = min(used, quantity)
    return taken, used - taken


def after(quantity: int, uses: Iterable[int]) -> dict[str, int]:
    """The stock left and the shortfall after these uses, one after the other."""
    short = 0
    for used in uses:
        taken, missing = take(quantity, used)
        quantity -= taken
        short += missing
    return {"left": _whole(quantity, 0, "quantity"), "short": short}
