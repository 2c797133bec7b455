// Compression with the official socket.io-client 4.8 against a Java server that has permessage-deflate
// on (threshold 1024 B) and HTTP compression on (threshold 1024 B). The server's events: "echo" answers
// "echoed" with the same text; "echo-plain" answers "echoed" with compress(false).
// Env: SIO_URL; SIO_TRANSPORT is fixed per test here.
const { test } = require("node:test");
const assert = require("node:assert/strict");
const { io } = require("socket.io-client");
const { Fetch } = require("engine.io-client");
const { URL, once } = require("./sio-test-support.cjs");

const open = [];
test.afterEach(() => { while (open.length) open.pop().disconnect(); });

function connect(opts) {
  const s = io(URL, { forceNew: true, reconnection: false, ...opts });
  open.push(s);
  return once(s, "connect").then(() => s);
}

// 32 KiB of JSON-ish text that deflates well, different for every call
let n = 0;
const bigText = () => `${n++}:` + '{"user":"ada","room":"lobby","text":"hello there"}'.repeat(640);

async function bytesReadFor(s, event, text) {
  const socket = s.io.engine.transport.ws._socket; // the client's TCP socket under ws
  const before = socket.bytesRead;
  const answer = once(s, "echoed");
  s.emit(event, text);
  const [got] = await answer;
  assert.equal(got, text, "the text came back intact");
  return socket.bytesRead - before;
}

test("websocket: permessage-deflate is negotiated and large messages travel compressed both ways", async () => {
  const s = await connect({ transports: ["websocket"] });
  const ws = s.io.engine.transport.ws;
  assert.match(ws.extensions, /permessage-deflate/, "negotiated: " + ws.extensions);
  const text = bigText();
  const compressed = await bytesReadFor(s, "echo", text);
  assert.ok(compressed < text.length / 4, `a ${text.length} B echo arrived in ${compressed} B`);
  // the client compressed its request too (engine.io-client does above 1 KiB): the server inflated it
  const plain = await bytesReadFor(s, "echo-plain", bigText());
  assert.ok(plain > text.length, `compress(false): ${plain} B on the wire for ${text.length} B`);
});

test("websocket: messages under the threshold go uncompressed and still arrive", async () => {
  const s = await connect({ transports: ["websocket"] });
  const small = "x".repeat(200);
  const read = await bytesReadFor(s, "echo", small);
  assert.ok(read > small.length, `${read} B on the wire for ${small.length} B`);
});

test("websocket: a client without permessage-deflate still talks to the server", async () => {
  const s = await connect({ transports: ["websocket"], perMessageDeflate: false });
  assert.equal(s.io.engine.transport.ws.extensions, "");
  const text = bigText();
  const read = await bytesReadFor(s, "echo", text);
  assert.ok(read > text.length, `${read} B on the wire for ${text.length} B`);
});

test("polling: answers arrive intact with the fetch transport (Accept-Encoding: gzip, deflate)", async () => {
  const s = await connect({ transports: [Fetch] });
  assert.equal(s.io.engine.transport.name, "polling");
  const text = bigText();
  const answer = once(s, "echoed");
  s.emit("echo", text);
  assert.equal((await answer)[0], text);
});

test("polling: answers arrive intact with the XHR transport", async () => {
  const s = await connect({ transports: ["polling"] });
  const text = bigText();
  const answer = once(s, "echoed");
  s.emit("echo", text);
  assert.equal((await answer)[0], text);
});
