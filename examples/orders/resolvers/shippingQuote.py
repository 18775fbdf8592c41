"""Query.shippingQuote: carrier rates from the carrier-rates service (HTTP data source)."""

import json

from syncline import util


def request(ctx):
    weight = ctx.args["weightKg"]
    if weight <= 0:
        util.error("weightKg must be positive", "ValidationError")
    return {
        "method": "GET",
        "resourcePath": "/rates",
        "params": {
            "query": {"destination": ctx.args["destination"], "weightKg": str(weight)},
            "headers": {"accept": "application/json"},
        },
    }


def response(ctx):
    if ctx.error:  # refused, timed out, reset, too large: the data source's errorType
        util.error(ctx.error.message, ctx.error.type)
    status = ctx.result["statusCode"]
    if status != 200:  # AppSync leaves the status to the response handler
        util.error(
            f"carrier-rates answered {status}: {ctx.result['body']}", f"CarrierRates:{status}"
        )
    return json.loads(ctx.result["body"])["quotes"]
