// Syncline's live orders demo: graphql-transport-ws over the browser's WebSocket (no library),
// GraphQL over HTTP for the mutations. Settings come from the page's JSON config block.
"use strict";

const config = JSON.parse(document.getElementById("syncline-demo-config").textContent);
const FIELDS = "id customerId total status createdAt updatedAt";
const SUBSCRIPTION = `subscription Orders($customerId: ID) { onOrderUpdated(customerId: $customerId) { ${FIELDS} } }`;
const PLACE = `mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation Update($id: ID!, $status: OrderStatus!) { updateOrderStatus(id: $id, status: $status) { ${FIELDS} } }`;

const rows = new Map();
let socket = null;
let nextId = 1;

function credentials() {
  const token = document.getElementById("admin-token").value.trim();
  const headers = {};
  if (config.apiKey) headers["x-api-key"] = config.apiKey;
  return { headers, token };
}

async function graphql(query, variables, useToken) {
  const { headers, token } = credentials();
  const sent = { "content-type": "application/json", ...headers };
  if (useToken && token) {
    delete sent["x-api-key"];
    sent.authorization = token;
  }
  const response = await fetch(config.graphqlPath, {
    method: "POST",
    headers: sent,
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

function render(order) {
  let row = rows.get(order.id);
  if (!row) {
    row = document.createElement("tr");
    row.dataset.orderId = order.id;
    for (const name of ["id", "customer", "total", "status", "actions"]) {
      const cell = document.createElement("td");
      cell.className = name;
      row.appendChild(cell);
    }
    for (const status of ["FULFILLED", "CANCELLED"]) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = status === "FULFILLED" ? "Fulfil" : "Cancel";
      button.addEventListener("click", () => setStatus(order.id, status));
      row.querySelector(".actions").appendChild(button);
    }
    rows.set(order.id, row);
    document.getElementById("orders").prepend(row);
  }
  row.querySelector(".id").textContent = order.id.slice(0, 8);
  if (order.customerId) row.querySelector(".customer").textContent = order.customerId;
  if (order.total != null) row.querySelector(".total").textContent = Number(order.total).toFixed(2);
  row.querySelector(".status").textContent = order.status;
  row.classList.remove("fresh");
  void row.offsetWidth;
  row.classList.add("fresh");
}

async function setStatus(id, status) {
  const result = await graphql(UPDATE, { id, status }, true);
  const note = document.getElementById("place-result");
  note.textContent = result.errors ? `${result.errors[0].errorType}: ${result.errors[0].message}` : `order ${id.slice(0, 8)} is ${status}`;
}

function setConnection(state, text) {
  const node = document.getElementById("connection");
  node.dataset.state = state;
  node.textContent = text;
}

function subscribe() {
  if (socket) socket.close(1000);
  const customer = document.getElementById("watch").value.trim();
  document.getElementById("watching").textContent = customer || "every customer";
  const url = new URL(config.graphqlPath, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url, "graphql-transport-ws");
  socket = ws;
  const id = String(nextId++);
  ws.addEventListener("open", () => {
    ws.send(JSON.stringify({ type: "connection_init", payload: credentials().headers }));
  });
  ws.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "connection_ack") {
      ws.send(JSON.stringify({ id, type: "subscribe", payload: { query: SUBSCRIPTION, variables: { customerId: customer || null } } }));
      setConnection("open", "live");
      document.body.dataset.subscribed = "true";
    } else if (message.type === "next" && message.payload.data && message.payload.data.onOrderUpdated) {
      render(message.payload.data.onOrderUpdated);
    } else if (message.type === "ping") {
      ws.send(JSON.stringify({ type: "pong" }));
    } else if (message.type === "error") {
      setConnection("closed", `subscription refused: ${JSON.stringify(message.payload)}`);
    }
  });
  ws.addEventListener("close", (event) => {
    if (socket === ws) setConnection("closed", `disconnected (${event.code}); reload to reconnect`);
  });
}

document.getElementById("place").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const input = {
    customerId: form.get("customerId"),
    cardToken: form.get("cardToken"),
    items: [{ sku: form.get("sku"), quantity: Number(form.get("quantity")), price: Number(form.get("price")) }],
  };
  const result = await graphql(PLACE, { input }, false);
  const note = document.getElementById("place-result");
  if (result.errors) {
    note.textContent = `${result.errors[0].errorType || "Error"}: ${result.errors[0].message}`;
  } else {
    note.textContent = `placed order ${result.data.placeOrder.id.slice(0, 8)} (${result.data.placeOrder.status})`;
  }
});
document.getElementById("watch").addEventListener("change", subscribe);
subscribe();
