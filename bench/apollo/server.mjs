// Apollo Server 5 (standalone) serving one of the bench's APIs with the same schema and data as
// Syncline. Usage: node server.mjs PORT posts | node server.mjs PORT orders DATA.json
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

const [port, api = "posts", dataPath] = process.argv.slice(2);
const { typeDefs, resolvers } = await import(`./${api}.mjs`);

const server = new ApolloServer({ typeDefs, resolvers: resolvers(dataPath), introspection: false });
await startStandaloneServer(server, { listen: { host: "127.0.0.1", port: Number(port) } });
