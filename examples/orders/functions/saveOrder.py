"""Pipeline function saveOrder: PutItem of the new order, PAID or PAYMENT_FAILED."""

from syncline import util


def request(ctx):
    order = ctx.args["input"]
    approved = ctx.stash["payment"]["status"] == "APPROVED"
    item = {
        "id": util.auto_id(),
        "customerId": order["customerId"],
        "items": order["items"],
        "total": ctx.stash["total"],
        "status": "PAID" if approved else "PAYMENT_FAILED",
        "createdAt": util.time.now_iso8601(),
    }
    return {
        "operation": "PutItem",
        "key": util.dynamodb.to_map_values({"id": item.pop("id")}),
        "attributeValues": util.dynamodb.to_map_values(item),
        "condition": {"expression": "attribute_not_exists(id)"},
    }


def response(ctx):
    if ctx.error:
        util.error(ctx.error.message, ctx.error.type)
    return ctx.result
