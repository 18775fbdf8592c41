"""Query.listOrders: DynamoDB Query on the byCustomer index, newest first, paginated."""

from syncline import ddb, util

DEFAULT_LIMIT = 20


def request(ctx):
    return ddb.query(
        {
            "query": {"customerId": {"eq": ctx.args["customerId"]}},
            "index": "byCustomer",
            "scan_index_forward": False,
            "limit": ctx.args.get("limit") or DEFAULT_LIMIT,
            "next_token": ctx.args.get("nextToken"),
        }
    )


def response(ctx):
    if ctx.error:
        util.error(ctx.error.message, ctx.error.type)
    return {"items": ctx.result["items"], "nextToken": ctx.result["nextToken"]}
