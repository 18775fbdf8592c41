"""The WebSocket protocols, one package each (``types.py`` + ``handlers.py``), on one engine.

``WS /graphql``: ``graphql-transport-ws`` (the npm ``graphql-ws`` client, GraphiQL, Apollo) and the
legacy ``graphql-ws`` of subscriptions-transport-ws. ``WS /graphql/realtime``: AppSync's realtime
protocol (Amplify, ``gql``'s AppSync transport). ``base`` holds what they share: the ASGI
connection, connection authorization and the per-connection bookkeeping.
"""
