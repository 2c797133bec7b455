// Official socket.io-client instances through a load balancer in front of a cluster, checking what a
// user of a cluster relies on. Exit 0 and a last line {"ok":true,...} when all holds, else exit 1 with
// {"ok":false,"error":..}. Env: PROXY_URL (HAProxy), NODE_URLS (each node, comma-separated),
// WS_CLIENTS (WebSocket clients: round-robin), POLLING_CLIENTS (long-polling clients: sticky cookie).
// ESM imports ignore NODE_PATH (where NodePeers puts the pinned peers); require() honours it.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { io } = require("socket.io-client");

const proxy = process.env.PROXY_URL;
const nodes = process.env.NODE_URLS.split(",");
const wsCount = Number(process.env.WS_CLIENTS || 6);
const pollingCount = Number(process.env.POLLING_CLIENTS || 2);
const report = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const fail = (error) => {
  report({ ok: false, error });
  process.exit(1);
};
const within = (ms, what, promise) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))]);

async function api(base, method, path, body) {
  const r = await fetch(base + path, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (r.status !== 200) {
    throw new Error(`${method} ${base}${path}: HTTP ${r.status} ${await r.text()}`);
  }
  return r.json();
}

function connect(i, polling) {
  // withCredentials: the Node client keeps the load balancer's cookie, as a browser would.
  const socket = io(proxy, {
    transports: polling ? ["polling"] : ["websocket"],
    withCredentials: true,
    reconnection: false,
    forceNew: true,
  });
  socket.news = [];
  socket.on("news", (data) => socket.news.push(data.from));
  socket.on("ask", (data, callback) => callback({ client: i }));
  return within(30000, `client ${i} connected`, new Promise((resolve, reject) => {
    socket.on("connect", () => resolve(socket));
    socket.on("connect_error", (e) => reject(new Error(`client ${i}: ${e.message}`)));
  }));
}

async function until(ms, what, check) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last === true) {
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within ${ms} ms (last: ${JSON.stringify(last)})`);
}

try {
  const clients = [];
  for (let i = 0; i < wsCount + pollingCount; i++) {
    clients.push(await connect(i, i >= wsCount));
  }
  const total = clients.length;
  // Every node holds some of the clients (round-robin), as its own namespace count says.
  const perNode = [];
  for (const n of nodes) {
    const ns = await api(n, "GET", "/api/namespaces");
    perNode.push(ns.namespaces.find((x) => x.name === "/")?.sockets ?? 0);
  }
  if (perNode.some((c) => c === 0) || perNode.reduce((a, b) => a + b, 0) !== total) {
    fail(`clients per node ${JSON.stringify(perNode)}, expected all ${nodes.length} nodes used, ${total} in all`);
  }
  // A broadcast from any node reaches every client.
  for (let k = 0; k < nodes.length; k++) {
    await api(nodes[k], "POST", "/api/publish", { event: "news", data: { from: k } });
    await until(15000, `broadcast from node ${k} reached all`, () =>
      clients.every((c) => c.news.includes(k)) || clients.map((c) => c.news.length));
  }
  // Broadcast acks count every client, whichever node asks.
  const acked = await api(nodes[nodes.length - 1], "POST", "/api/publish",
    { event: "ask", data: "?", ackTimeout: 15000 });
  if (acked.acks.expected !== total || acked.acks.received !== total || acked.acks.timedOut) {
    fail(`acks ${JSON.stringify(acked.acks)}, expected ${total} of ${total}`);
  }
  // Presence: every node lists every socket.
  const ids = clients.map((c) => c.id).sort();
  for (let k = 0; k < nodes.length; k++) {
    await until(10000, `node ${k} lists every socket`, async () => {
      const s = await api(nodes[k], "GET", "/api/sockets");
      const seen = s.sockets.map((x) => x.id).sort();
      return JSON.stringify(seen) === JSON.stringify(ids) || seen.length;
    });
  }
  // Polling clients stayed on their node (sticky cookie): still connected, still polling.
  const polling = clients.slice(wsCount);
  if (polling.some((c) => !c.connected || c.io.engine.transport.name !== "polling")) {
    fail("a long-polling client lost its session behind the load balancer");
  }
  clients.forEach((c) => c.close());
  report({ ok: true, clients: total, perNode, acks: acked.acks.received });
  process.exit(0);
} catch (e) {
  fail(String(e && e.message || e));
}
