"""Mutation.placeOrder, a pipeline: validateOrder → processPayment → saveOrder.

The before step computes the order total once and shares it through the stash.
"""


def request(ctx):
    items = ctx.args["input"]["items"]
    ctx.stash["total"] = round(sum(i["quantity"] * i["price"] for i in items), 2)
    return {}


def response(ctx):
    return ctx.prev.result
