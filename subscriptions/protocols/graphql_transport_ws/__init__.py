"""``graphql-transport-ws`` (the protocol of the npm ``graphql-ws`` library, PROTOCOL.md)."""
