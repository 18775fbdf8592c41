"""The SDK that Syncline resolver code imports: the Python twin of ``@aws-appsync/utils``.

A resolver ``code:`` file is a Python module with ``request(ctx)`` and ``response(ctx)``::

    from syncline import runtime, util

    def request(ctx):
        if not ctx.args.get("id"):
            util.error("id is required", "ValidationError")
        return {"operation": "GetItem", "key": util.dynamodb.to_map_values({"id": ctx.args["id"]})}

    def response(ctx):
        return ctx.result

- ``util``: ids (``auto_id``, ``auto_ulid``, ``auto_ksuid``), errors (``error``,
  ``append_error``, ``unauthorized``), encoding, type checks, ``util.str``, ``util.time`` and
  ``util.dynamodb``; AppSync's camelCase names become snake_case.
- ``runtime``: ``early_return(value, skip_to=None)``.
- ``extensions``: ``set_subscription_filter``, ``set_subscription_invalidation_filter`` and
  ``invalidate_subscriptions`` (see ``docs/subscriptions.md``).

The reference, with every deviation from APPSYNC_JS, is ``docs/resolver-sdk.md``; the code lives
in the ``sdk`` package, one module per concern.
- ``ddb``: the DynamoDB request builders (``ddb.get``, ``ddb.put``, ``ddb.update``,
  ``ddb.operations.increment`` ...), the twin of ``@aws-appsync/utils/dynamodb`` (see
  ``docs/dynamodb.md``).
"""

from resolvers.dynamodb import helpers as ddb
from sdk import extensions, runtime, util

__all__ = ["ddb", "extensions", "runtime", "util"]
