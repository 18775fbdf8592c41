"""Pipeline function validateOrder: reject empty orders, bad quantities and large totals."""

from syncline import util

MAX_TOTAL = 10000


def request(ctx):
    items = ctx.args["input"]["items"]
    if not items:
        util.error("An order needs at least one item", "ValidationError")
    for item in items:
        if item["quantity"] < 1:
            util.error(f"Quantity of {item['sku']} must be at least 1", "ValidationError")
    if ctx.stash["total"] > MAX_TOTAL:
        util.error(f"Order total {ctx.stash['total']} exceeds {MAX_TOTAL}", "ValidationError")
    return {"payload": {"valid": True}}


def response(ctx):
    return ctx.result
