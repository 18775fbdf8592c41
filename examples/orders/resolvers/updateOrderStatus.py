"""Mutation.updateOrderStatus: UpdateItem on an existing order (null when it does not exist)."""

from syncline import util


def request(ctx):
    return {
        "operation": "UpdateItem",
        "key": util.dynamodb.to_map_values({"id": ctx.args["id"]}),
        "update": {
            "expression": "SET #status = :status, updatedAt = :now",
            "expressionNames": {"#status": "status"},
            "expressionValues": util.dynamodb.to_map_values(
                {":status": ctx.args["status"], ":now": util.time.now_iso8601()}
            ),
        },
        "condition": {"expression": "attribute_exists(id)"},
    }


def response(ctx):
    if ctx.error:
        if ctx.error.type == "DynamoDB:ConditionalCheckFailedException":
            return None
        util.error(ctx.error.message, ctx.error.type)
    return ctx.result
