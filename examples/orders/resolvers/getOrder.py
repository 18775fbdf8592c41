"""Query.getOrder: DynamoDB GetItem on the Orders table."""

from syncline import util


def request(ctx):
    return {"operation": "GetItem", "key": util.dynamodb.to_map_values({"id": ctx.args["id"]})}


def response(ctx):
    if ctx.error:
        util.error(ctx.error.message, ctx.error.type)
    return ctx.result
