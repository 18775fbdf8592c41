// Syncline's GraphiQL boot script. It is a static file (not inline in the page) so the page's
// Content-Security-Policy can be `script-src 'self'`; the server passes its settings in the
// <script type="application/json" id="syncline-graphiql-config"> block that web/graphiql.py renders.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("syncline-graphiql-config").textContent);

  // Relative endpoints resolve against the page, so GraphiQL works behind any host or proxy.
  var url = new URL(config.endpoint, window.location.href);
  var subscriptionUrl = new URL(config.subscriptionEndpoint || config.endpoint, window.location.href);
  if (subscriptionUrl.protocol === "http:") subscriptionUrl.protocol = "ws:";
  if (subscriptionUrl.protocol === "https:") subscriptionUrl.protocol = "wss:";

  // Queries and mutations are POSTed as JSON; subscriptions use graphql-transport-ws, with the
  // headers editor's JSON sent as the connection_init payload (GraphiQL's toolkit does that). The
  // WebSocket client is lazy: nothing connects until a subscription runs.
  var fetcher = GraphiQL.createFetcher({ url: url.href, subscriptionUrl: subscriptionUrl.href });

  var headers = config.headers || {};
  var headersText = Object.keys(headers).length ? JSON.stringify(headers, null, 2) : "";

  var plugins = [];
  if (window.GraphiQLPluginExplorer) plugins.push(window.GraphiQLPluginExplorer.explorerPlugin());

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.defaultQuery,
      // Every new tab starts with these headers; they are never written to localStorage.
      defaultHeaders: headersText,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: headersText ? "headers" : false,
      plugins: plugins,
    }),
  );
})();
