// Feature scenarios with the official socket.io-client 4.8, run against the Java FeatureServer and the
// official Node features-server.cjs (the oracle), expecting the same observations.
// Env: SIO_URL, SIO_TRANSPORT (websocket | polling | upgrade).
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { URL, MODE, TRANSPORTS, open, client, once, nothing } = require("./sio-test-support.cjs");

async function connected(nsp = "/", opts = {}) {
  const s = client(nsp, opts);
  const welcome = once(s, "welcome");
  await once(s, "connect");
  if (MODE === "upgrade" && s.io.engine.transport.name !== "websocket") await once(s.io.engine, "upgrade");
  assert.equal((await welcome)[0], nsp);
  return s;
}
const ack = (s, ...args) => s.timeout(10000).emitWithAck(...args);

test.afterEach(() => { while (open.length) open.pop().disconnect(); });

test("middleware rejection carries message and data", async () => {
  const refused = client("/guarded", { auth: { token: "wrong" } });
  const [err] = await once(refused, "connect_error");
  assert.equal(err.message, "not authorized");
  assert.deepEqual(err.data, { code: 4001, hint: "send a token" });
  await connected("/guarded", { auth: { token: "letmein" } });
});

test("dynamic namespaces", async () => {
  await connected("/dyn-42");
  const bad = client("/dyn-x");
  assert.equal((await once(bad, "connect_error"))[0].message, "Invalid namespace");
});

test("per-packet middleware stops an event and reports the error", async () => {
  const s = await connected();
  const e = once(s, "packet-error");
  s.emit("forbidden", 1);
  assert.deepEqual(await e, ["forbidden"]);
  assert.deepEqual(await ack(s, "rooms"), []);
});

test("server to client acknowledgement, and its timeout", async () => {
  const s = await connected();
  s.once("question", (q, cb) => cb("answer to " + q));
  assert.equal(await ack(s, "ask", 2000), "answer to q?");
  s.once("question", () => {});
  assert.equal(await ack(s, "ask", 200), "error: operation has timed out");
});

test("broadcast with acknowledgements, aggregated, with timeout", async () => {
  const a = await connected();
  const b = await connected();
  await ack(a, "join", "r");
  await ack(b, "join", "r");
  a.once("question", (q, cb) => cb("a"));
  b.once("question", (q, cb) => cb("b"));
  assert.deepEqual(await ack(a, "ask-all", "r", 2000), { error: null, responses: ["a", "b"] });
  a.once("question", (q, cb) => cb("a"));
  b.once("question", () => {});
  // a answers at once, b never: 2 s leave a loaded machine time to carry a's answer before the timeout.
  assert.deepEqual(await ack(a, "ask-all", "r", 2000), { error: "operation has timed out", responses: ["a"] });
});

test("every broadcast operator", async () => {
  const [a, b, c] = [await connected(), await connected(), await connected()];
  await ack(a, "join", "red");
  await ack(b, "join", "red");
  await ack(b, "join", "blue");
  await ack(c, "join", "blue");
  // A volatile packet over polling reaches a client only if its GET is waiting at that moment (as in
  // engine.io): there, only "nobody else receives it" is certain.
  const expect = async (spec, arg, receivers) => {
    const mayDrop = spec.volatile && MODE === "polling";
    const quiet = [a, b, c].filter((s) => !receivers.includes(s)).map((s) => [s, nothing(s, "op")]);
    const waits = receivers.map((s) => (mayDrop ? Promise.resolve(null) : once(s, "op")));
    await ack(a, "op", spec, arg);
    const got = await Promise.all(waits);
    if (!mayDrop) got.forEach((g) => assert.deepEqual(g, [arg]));
    // Nobody else got it: the answer to a request sent now follows anything the server sent them before.
    for (const [s, watch] of quiet) await watch.confirmedBy(() => ack(s, "rooms"));
  };
  await expect({ to: ["red"] }, 1, [a, b]);
  await expect({ to: ["red"], except: ["blue"] }, 2, [a]);
  await expect({ to: ["red", "blue"] }, 3, [a, b, c]);
  await expect({ to: ["red", "blue"], fromSender: true }, 4, [b, c]);
  await expect({ fromSender: true }, 5, [b, c]);
  await expect({ except: ["red"] }, 6, [c]);
  await expect({ to: ["red"], volatile: true }, 7, [a, b]);
  await expect({ to: [c.id] }, 8, [c]);
});

test("fetchSockets, socketsJoin, socketsLeave, disconnectSockets", async () => {
  const [a, b, c] = [await connected(), await connected(), await connected()];
  await ack(a, "join", "red");
  await ack(b, "join", "red");
  assert.deepEqual(await ack(c, "fetch", "red"), [a.id, b.id].sort());
  await ack(c, "sockets-join", "red", "green");
  assert.deepEqual(await ack(b, "rooms"), ["green", "red"]);
  await ack(c, "sockets-leave", "green", "red");
  assert.deepEqual(await ack(a, "rooms"), ["green"]);
  const aGone = once(a, "disconnect");
  const bGone = once(b, "disconnect");
  c.emit("disconnect-room", "green", false);
  assert.equal((await aGone)[0], "io server disconnect");
  assert.equal((await bGone)[0], "io server disconnect");
  assert.equal(c.connected, true);
});

test("server disconnect reasons", async () => {
  const s = await connected();
  const gone = once(s, "disconnect");
  s.emit("kick", false);
  assert.equal((await gone)[0], "io server disconnect");
  const t = await connected();
  const closed = once(t, "disconnect");
  t.emit("kick", true);
  assert.equal((await closed)[0], "io server disconnect");
});
