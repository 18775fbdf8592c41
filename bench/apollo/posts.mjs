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

/** In-process pub/sub: each subscription is an async iterator fed by publishPost. */
function channel(listeners) {
  const queue = [];
  let wake = null;
  const push = (post) => {
    queue.push(post);
    if (wake) wake();
  };
  listeners.add(push);
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      while (queue.length === 0) await new Promise((resolve) => (wake = resolve));
      return { value: queue.shift(), done: false };
    },
    async return() {
      listeners.delete(push);
      return { value: undefined, done: true };
    },
  };
}

export function resolvers() {
  const listeners = new Set();
  return {
    Query: {
      getPost: async () => POST,
      listPosts: async () => POSTS,
    },
    Mutation: {
      publishPost: async (_, args) => {
        const post = { ...args, body: POST.body, views: 0 };
        for (const push of listeners) push(post);
        return post;
      },
    },
    Subscription: {
      onPostPublished: {
        subscribe: () => channel(listeners),
        resolve: (post) => post,
      },
    },
    Post: {
      excerpt: async (post) => post.body.slice(0, 24),
    },
  };
}
