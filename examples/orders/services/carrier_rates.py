"""The example's carrier-rates service: a small HTTP API the ``shippingQuote`` resolver calls.

``GET /rates?destination=US-CA&weightKg=2`` answers ``{"quotes": [{carrier, days, price}]}``.
Syncline serves it at ``/services/carrierRates`` (the ``services:`` block of ``syncline.yml``),
so the example needs nothing else running; in production the HTTP data source's ``endpoint``
points at the real carrier API instead.
"""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

# carrier, days in transit, base price, price per kg
CARRIERS = (("Ground", 5, 4.0, 1.2), ("Express", 2, 9.0, 2.5), ("Overnight", 1, 19.0, 4.0))
INTERNATIONAL_SURCHARGE = 7.5


async def rates(request: Request) -> JSONResponse:
    destination = request.query_params.get("destination", "")
    try:
        weight = float(request.query_params["weightKg"])
    except (KeyError, ValueError):
        return JSONResponse({"message": "weightKg must be a number"}, status_code=400)
    if weight <= 0:
        return JSONResponse({"message": "weightKg must be positive"}, status_code=400)
    surcharge = 0.0 if destination.upper().startswith("US") else INTERNATIONAL_SURCHARGE
    quotes = [
        {"carrier": name, "days": days, "price": round(base + per_kg * weight + surcharge, 2)}
        for name, days, base, per_kg in CARRIERS
    ]
    return JSONResponse({"destination": destination, "quotes": quotes})


app = Starlette(routes=[Route("/rates", rates, methods=["GET"])])
