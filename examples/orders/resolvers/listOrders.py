"""Query.listOrders: DynamoDB Query on the byCustomer index, newest first, paginated."""

from syncline import util

DEFAULT_LIMIT = 20


def request(ctx):
    return {
        "operation": "Query",
        "index": "byCustomer",
        "query": {
            "expression": "customerId = :customerId",
            "expressionValues": util.dynamodb.to_map_values(
                {":customerId": ctx.args["customerId"]}
            ),
        },
        "scanIndexForward": False,
        "limit": ctx.args.get("limit") or DEFAULT_LIMIT,
        "nextToken": ctx.args.get("nextToken"),
    }


def response(ctx):
    if ctx.error:
        util.error(ctx.error.message, ctx.error.type)
    return {"items": ctx.result["items"], "nextToken": ctx.result.get("nextToken")}
