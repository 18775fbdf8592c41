// The example API (examples/orders) for its getOrder and listOrders cases: same schema, the
// orders the bench seeds into Syncline's store (bench/orders.py, written to a JSON file) held in
// memory, resolvers answering as the example's DynamoDB resolvers do (GetItem by id; Query on the
// byCustomer index, newest first, `limit` items).
import { readFileSync } from "node:fs";
import { appsyncTypeDefs } from "./appsync.mjs";

export const typeDefs = appsyncTypeDefs("../../examples/orders/schema.graphql");

export function resolvers(dataPath) {
  const orders = JSON.parse(readFileSync(dataPath, "utf8"));
  const byId = new Map(orders.map((order) => [order.id, order]));
  const byCustomer = new Map();
  for (const order of orders) {
    const mine = byCustomer.get(order.customerId) ?? [];
    mine.push(order);
    byCustomer.set(order.customerId, mine);
  }
  for (const mine of byCustomer.values()) {
    mine.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }
  return {
    Query: {
      getOrder: async (_, { id }) => byId.get(id) ?? null,
      listOrders: async (_, { customerId, limit }) => ({
        items: (byCustomer.get(customerId) ?? []).slice(0, limit ?? 20),
        nextToken: null,
      }),
    },
  };
}
