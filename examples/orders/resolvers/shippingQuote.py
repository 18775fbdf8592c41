"""Query.shippingQuote: carrier rates for a destination and weight."""

from syncline import util

CARRIERS = (("Ground", 5, 4.0, 1.2), ("Express", 2, 9.0, 2.5), ("Overnight", 1, 19.0, 4.0))


def request(ctx):
    weight = ctx.args["weightKg"]
    if weight <= 0:
        util.error("weightKg must be positive", "ValidationError")
    zone_surcharge = 0.0 if ctx.args["destination"].upper().startswith("US") else 7.5
    quotes = [
        {"carrier": name, "days": days, "price": round(base + per_kg * weight + zone_surcharge, 2)}
        for name, days, base, per_kg in CARRIERS
    ]
    return {"payload": quotes}


def response(ctx):
    return ctx.result
