// Apollo Server 5 (standalone) serving the bench API: the same schema and in-memory data as
// bench/apis/posts, resolvers doing what Syncline's resolver code does. Usage: node server.mjs PORT
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";

const typeDefs = readFileSync(new URL("../apis/posts/schema.graphql", import.meta.url), "utf8");

const POST = {
  id: "1",
  title: "Benchmarking a GraphQL server",
  author: "Ada",
  body: "Measure the request path against a ceiling that does no GraphQL work at all.",
  views: 42,
};
const POSTS = Array.from({ length: 100 }, (_, i) => {
  const n = i + 1;
  return {
    id: String(n),
    title: `Post number ${n}`,
    author: `author-${n % 7}`,
    body: `Body of post ${n}: a short paragraph of text that stands in for real content.`,
    views: n * 10,
  };
});

const resolvers = {
  Query: {
    getPost: async () => POST,
    listPosts: async () => POSTS,
  },
  Post: {
    excerpt: async (post) => post.body.slice(0, 24),
  },
};

const server = new ApolloServer({ typeDefs, resolvers, introspection: false });
const port = Number(process.argv[2]);
await startStandaloneServer(server, { listen: { host: "127.0.0.1", port } });
