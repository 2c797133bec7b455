// Socket.IO scenarios run with the official socket.io-client 4.8 against an echo server (the Java one
// or the official Node one, the oracle): the same script, the same expectations.
// Env: SIO_URL (http://127.0.0.1:port), SIO_TRANSPORT (websocket | polling | upgrade), SIO_RECOVERY (1 when
// the server runs with connection state recovery).
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");
const { URL, MODE, TRANSPORTS, open, client, once, nothing } = require("./sio-test-support.cjs");
const RECOVERY = process.env.SIO_RECOVERY === "1";

// Connected (and, in upgrade mode, upgraded to WebSocket) socket; resolves with the 'auth' event args.
async function connected(nsp = "/", opts = {}) {
  const s = client(nsp, opts);
  const auth = once(s, "auth");
  await once(s, "connect");
  if (MODE === "upgrade" && s.io.engine.transport.name !== "websocket") {
    await once(s.io.engine, "upgrade");
  }
  assert.equal(s.io.engine.transport.name, MODE === "polling" ? "polling" : "websocket");
  return { s, auth: (await auth)[0] };
}

// Simulates a network drop: the client's transport closes without the Engine.IO close packet.
function dropTransport(s) {
  const t = s.io.engine.transport;
  if (t.name === "websocket") t.ws.close();
  else t.onClose({ description: "dropped by the test" });
}

// Binary arrives as Buffer or ArrayBuffer depending on the transport: compare bytes.
function plain(v) {
  if (v instanceof ArrayBuffer) return { bytes: [...new Uint8Array(v)] };
  if (ArrayBuffer.isView(v)) return { bytes: [...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)] };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

// With recovery on, each eligible event carries its offset as an extra last argument.
function withoutOffset(args, n) {
  return RECOVERY ? args.slice(0, n) : args;
}

test.afterEach(() => { while (open.length) open.pop().disconnect(); });

test("connect with auth", async () => {
  const { s, auth } = await connected("/", { auth: { token: "abc", n: 1, nested: { list: [true, null] } } });
  assert.deepEqual(auth, { token: "abc", n: 1, nested: { list: [true, null] } });
  assert.equal(typeof s.id, "string");
  assert.equal(Boolean(s.recovered), false);
});

test("custom namespace, multiplexed, and disconnecting one namespace leaves the other", async () => {
  const main = client("/", { forceNew: false });
  await once(main, "connect");
  const custom = io(URL + "/custom", { transports: TRANSPORTS, reconnection: false, auth: { x: [1] } });
  open.push(custom);
  assert.equal(custom.io, main.io, "one manager, one connection");
  const [auth] = await once(custom, "auth");
  assert.deepEqual(auth, { x: [1] });
  custom.disconnect();
  const back = once(main, "message-back");
  main.emit("message", "still here");
  assert.deepEqual(withoutOffset(await back, 1), ["still here"]);
});

test("unknown namespace is refused", async () => {
  const s = client("/nope");
  const [err] = await once(s, "connect_error");
  assert.equal(err.message, "Invalid namespace");
});

test("events with every JSON type", async () => {
  const { s } = await connected();
  const payload = [1, -2.5, 0, 9007199254740991, 1.5e-7, "str", "", "üñí©ødé \u2028 \"q\" \\", true, false, null,
    [1, [2, {}]], { a: { b: [null] }, z: 1, y: 2 }];
  const back = once(s, "message-back");
  s.emit("message", ...payload);
  const got = withoutOffset(await back, payload.length);
  assert.deepEqual(got, payload);
  assert.deepEqual(Object.keys(got[12]), ["a", "z", "y"], "key order kept");
});

test("binary attachments, several and nested, both directions", async () => {
  const { s } = await connected();
  const payload = [Buffer.from([1, 2, 3]), { nested: [Buffer.from("x"), { deep: Buffer.from([255, 0]) }] }, "text"];
  const back = once(s, "message-back");
  s.emit("message", ...payload);
  assert.deepEqual(plain(withoutOffset(await back, 3)), plain(payload));
});

test("acknowledgements with arguments, binary included", async () => {
  const { s } = await connected();
  const res = await new Promise((resolve) => s.emit("message-with-ack", 1, { a: "b" }, Buffer.from([9]), (...r) => resolve(r)));
  assert.deepEqual(plain(res), plain([1, { a: "b" }, Buffer.from([9])]));
  const first = await s.timeout(2000).emitWithAck("message-with-ack", "only");
  assert.equal(first, "only");
});

test("an acknowledgement that never comes times out", async () => {
  const { s } = await connected();
  const err = await new Promise((resolve) => s.timeout(300).emit("message", 1, (e) => resolve(e)));
  assert.equal(err.message, "operation has timed out");
});

test("rooms and broadcasts", async () => {
  const a = (await connected()).s;
  const b = (await connected()).s;
  const c = (await connected()).s;
  await a.timeout(2000).emitWithAck("join", "r");
  await b.timeout(2000).emitWithAck("join", "r");
  const toA = once(a, "broadcast");
  const toB = once(b, "broadcast");
  const notC = nothing(c, "broadcast");
  a.emit("broadcast", "r", 1, "x", { k: [Buffer.from([7])] });
  assert.deepEqual(plain(withoutOffset(await toA, 3)), plain([1, "x", { k: [Buffer.from([7])] }]));
  assert.deepEqual(plain(withoutOffset(await toB, 3)), plain([1, "x", { k: [Buffer.from([7])] }]));
  await notC.confirmedBy(() => c.timeout(10000).emitWithAck("message-with-ack", "marker"));
  await b.timeout(2000).emitWithAck("leave", "r");
  const again = once(a, "broadcast");
  const notB = nothing(b, "broadcast");
  a.emit("broadcast", "r", 2);
  assert.deepEqual(withoutOffset(await again, 1), [2]);
  await notB.confirmedBy(() => b.timeout(10000).emitWithAck("message-with-ack", "marker"));
});

test("client disconnect reason", async () => {
  const { s } = await connected();
  const reason = once(s, "disconnect");
  s.disconnect();
  assert.equal((await reason)[0], "io client disconnect");
});

test("reconnection after the transport closes", async () => {
  const { s } = await connected("/", { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 100, auth: { again: 1 } });
  const reason = once(s, "disconnect");
  dropTransport(s);
  assert.equal((await reason)[0], "transport close");
  const [auth] = await once(s, "auth");
  assert.deepEqual(auth.again, 1);
  assert.equal(s.connected, true);
  s.disconnect();
});

test("connection state recovery restores the session and the missed packets", { skip: !RECOVERY }, async () => {
  // The reconnection waits long enough for the server to notice the drop (over polling only the heartbeat
  // tells it: pingInterval + pingTimeout = 2 s here).
  const { s: a } = await connected("/", { reconnection: true, reconnectionDelay: 4000, reconnectionDelayMax: 4000, randomizationFactor: 0 });
  const { s: b } = await connected();
  const idBefore = a.id;
  await a.timeout(2000).emitWithAck("join", "r");
  const gone = once(a, "disconnect");
  dropTransport(a);
  await gone;
  b.emit("broadcast", "r", "missed", 1);
  const missed = once(a, "broadcast", 15000);
  await once(a, "connect", 15000);
  assert.equal(a.recovered, true);
  assert.equal(a.id, idBefore);
  assert.deepEqual((await missed).slice(0, 2), ["missed", 1]);
  const live = once(a, "broadcast");
  b.emit("broadcast", "r", "live");
  assert.deepEqual((await live).slice(0, 1), ["live"], "rooms restored");
  a.disconnect();
});
