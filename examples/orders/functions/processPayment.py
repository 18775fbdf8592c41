"""Pipeline function processPayment: charge the card through the payments Lambda."""

from syncline import util


def request(ctx):
    order = ctx.args["input"]
    return {
        "operation": "Invoke",
        "payload": {
            "customerId": order["customerId"],
            "cardToken": order["cardToken"],
            "amount": ctx.stash["total"],
        },
    }


def response(ctx):
    if ctx.error:
        util.error(ctx.error.message, ctx.error.type)
    ctx.stash["payment"] = ctx.result
    return ctx.result
