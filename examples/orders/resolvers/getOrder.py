"""Query.getOrder: DynamoDB GetItem on the Orders table."""

from syncline import ddb, util


def request(ctx):
    return ddb.get({"key": {"id": ctx.args["id"]}})


def response(ctx):
    if ctx.error:
        util.error(ctx.error.message, ctx.error.type)
    return ctx.result
