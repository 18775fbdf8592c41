// Apollo Server 5 (standalone) serving one of the bench's APIs with the same schema and data as
// Syncline. Usage: node server.mjs PORT posts | node server.mjs PORT orders DATA.json
// With BENCH_WS_PORT set, the same schema's subscriptions are served over graphql-transport-ws
// (graphql-ws on ws, as Apollo's docs set it up) at ws://127.0.0.1:BENCH_WS_PORT/graphql: the
// standalone server owns its HTTP server, so the WebSocket server listens on a port of its own.
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";

const [port, api = "posts", dataPath] = process.argv.slice(2);
const { typeDefs, resolvers } = await import(`./${api}.mjs`);
const schema = makeExecutableSchema({ typeDefs, resolvers: resolvers(dataPath) });

const wsPort = process.env.BENCH_WS_PORT;
if (wsPort) {
  const wsServer = new WebSocketServer({ host: "127.0.0.1", port: Number(wsPort), path: "/graphql" });
  useServer({ schema }, wsServer);
  await new Promise((resolve) => wsServer.once("listening", resolve));
}

const server = new ApolloServer({ schema, introspection: false });
await startStandaloneServer(server, { listen: { host: "127.0.0.1", port: Number(port) } });
