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

// Resolves when `event` did NOT happen within `ms` (the only way to observe an absence).
function nothing(emitter, event, ms = 300) {
  return new Promise((resolve, reject) => {
    const handler = (...args) => reject(new Error(`unexpected '${event}' ${JSON.stringify(args)}`));
    emitter.once(event, handler);
    setTimeout(() => { emitter.off(event, handler); resolve(); }, ms);
  });
}

module.exports = { URL, MODE, TRANSPORTS, open, client, once, nothing };
