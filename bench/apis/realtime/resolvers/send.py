"""Mutation.send: echo the message (a counter id keeps it cheap and unique)."""

from syncline import util


def request(ctx):
    return {"payload": {"id": util.auto_id(), **ctx.args}}


def response(ctx):
    return ctx.result
