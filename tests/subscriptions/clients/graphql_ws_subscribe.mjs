// The npm graphql-ws client (graphql-transport-ws) as users run it: subscribe, print each result
// as a JSON line, exit after `count` results. Node 20 has no global WebSocket: `ws` is passed in.
// Usage: node graphql_ws_subscribe.mjs URL API_KEY QUERY COUNT TIMEOUT_MS
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, apiKey, query, countText, timeoutText] = process.argv.slice(2);
const count = Number(countText);
let received = 0;
const timer = setTimeout(() => {
  console.error(`timed out after ${received} of ${count} results`);
  process.exit(2);
}, Number(timeoutText));

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { 'x-api-key': apiKey },
  retryAttempts: 0,
  lazy: false,
});
client.on('connected', () => console.log(JSON.stringify({ connected: true })));
client.subscribe(
  { query },
  {
    next: (value) => {
      console.log(JSON.stringify(value));
      received += 1;
      if (received >= count) {
        clearTimeout(timer);
        client.dispose().then(() => process.exit(0));
      }
    },
    error: (error) => {
      console.error(JSON.stringify(error, Object.getOwnPropertyNames(error)));
      process.exit(1);
    },
    complete: () => {},
  },
);
