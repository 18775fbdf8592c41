"""Mutation.updateOrderStatus: UpdateItem on an existing order (null when it does not exist)."""

from syncline import ddb, util


def request(ctx):
    return ddb.update(
        {
            "key": {"id": ctx.args["id"]},
            "update": {"status": ctx.args["status"], "updatedAt": util.time.now_iso8601()},
            "condition": {"id": {"attributeExists": True}},
        }
    )


def response(ctx):
    if ctx.error:
        if ctx.error.type == "DynamoDB:ConditionalCheckFailedException":
            return None
        util.error(ctx.error.message, ctx.error.type)
    return ctx.result
