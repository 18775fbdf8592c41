"""Legacy ``graphql-ws`` (Apollo's subscriptions-transport-ws protocol)."""
