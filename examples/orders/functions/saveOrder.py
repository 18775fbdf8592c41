"""Pipeline function saveOrder: PutItem of the new order, PAID or PAYMENT_FAILED."""

from syncline import ddb, util


def request(ctx):
    order = ctx.args["input"]
    approved = ctx.stash["payment"]["status"] == "APPROVED"
    return ddb.put(
        {
            "key": {"id": util.auto_id()},
            "item": {
                "customerId": order["customerId"],
                "items": order["items"],
                "total": ctx.stash["total"],
                "status": "PAID" if approved else "PAYMENT_FAILED",
                "createdAt": util.time.now_iso8601(),
            },
            "condition": {"id": {"attributeExists": False}},
        }
    )


def response(ctx):
    if ctx.error:
        util.error(ctx.error.message, ctx.error.type)
    return ctx.result
