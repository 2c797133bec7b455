// Shared by the socket.io-client scenario scripts: the server and transport under test (from the
// environment), client creation with cleanup, and event waits with bounds (no bare sleeps).
// Env: SIO_URL (http://127.0.0.1:port), SIO_TRANSPORT (websocket | polling | upgrade).
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");

const URL = process.env.SIO_URL;
const MODE = process.env.SIO_TRANSPORT ?? "websocket";
const TRANSPORTS = { websocket: ["websocket"], polling: ["polling"], upgrade: ["polling", "websocket"] }[MODE];
assert.ok(URL && TRANSPORTS, "SIO_URL and SIO_TRANSPORT must be set");

// Every socket a test opens; the scripts disconnect them all after each test.
const open = [];

function client(nsp = "/", opts = {}) {
  const s = io(URL + nsp, { transports: TRANSPORTS, forceNew: true, reconnection: false, ...opts });
  open.push(s);
  return s;
}

// Resolves with the event's arguments; fails past `ms`.
function once(emitter, event, ms = 10000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no '${event}' within ${ms} ms`)), ms);
    emitter.once(event, (...args) => { clearTimeout(t); resolve(args); });
  });
}

// Watches for an `event` that must not come; create it before the action that might cause it. Then
// `await watch.confirmedBy(marker)`: `marker()` makes the server send this client something now (an
// ack, an echo) and resolves when it arrived. Packets on one connection keep their order, so what the
// server had sent before the marker has arrived by then: an absence observed without a time window.
function nothing(emitter, event) {
  let seen = null;
  const handler = (...args) => { if (!seen) seen = args; };
  emitter.on(event, handler);
  return {
    async confirmedBy(marker) {
      try {
        await marker();
      } finally {
        emitter.off(event, handler);
      }
      if (seen) throw new Error(`unexpected '${event}' ${JSON.stringify(seen)}`);
    },
  };
}

module.exports = { URL, MODE, TRANSPORTS, open, client, once, nothing };
