// The posts bench API (bench/apis/posts): same schema, same in-memory data, resolvers doing what
// Syncline's resolver code does.
import { appsyncTypeDefs } from "./appsync.mjs";

export const typeDefs = appsyncTypeDefs("../apis/posts/schema.graphql");

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

export function resolvers() {
  return {
    Query: {
      getPost: async () => POST,
      listPosts: async () => POSTS,
    },
    Mutation: {
      publishPost: async (_, args) => ({ ...args, body: POST.body, views: 0 }),
    },
    Post: {
      excerpt: async (post) => post.body.slice(0, 24),
    },
  };
}
