// The official engine.io-client (pinned in node/package-lock.json) against the Java server under test.
// Env: EIO_URL, EIO_PATH, PING_INTERVAL, MAX_PAYLOAD. The server echoes, and obeys tag:/close/binary:N.
'use strict';
const nodeTest = require('node:test');
// every test gets a deadline, so a hang is reported by name instead of killing the whole run
const test = (name, fn) => nodeTest.test(name, { timeout: 20000 }, fn);
const assert = require('node:assert/strict');
const { Socket } = require('engine.io-client');

const URL_ = process.env.EIO_URL;
const path = process.env.EIO_PATH;
const MAX = Number(process.env.MAX_PAYLOAD);
const PING_INTERVAL = Number(process.env.PING_INTERVAL);

function open(opts = {}) {
  return new Promise((resolve, reject) => {
    const s = new Socket(URL_, { path, ...opts });
    s.once('open', () => resolve(s));
    s.once('error', reject);
  });
}
const nextMessage = (s) => new Promise((resolve) => s.once('message', resolve));
const closed = (s) => new Promise((resolve) => s.once('close', (reason) => resolve(reason)));
async function roundTrip(s, data) {
  const got = nextMessage(s);
  s.send(data);
  return got;
}
async function tag(s, name) {
  assert.equal(await roundTrip(s, 'tag:' + name), 'tagged');
}
const bytes = (n) => Buffer.from(Array.from({ length: n }, (_, i) => i % 256));
const asBuffer = (d) => (Buffer.isBuffer(d) ? d : Buffer.from(d));

for (const transport of ['polling', 'websocket']) {
  test(`${transport} only: text echo, order kept, client close`, async () => {
    const s = await open({ transports: [transport] });
    assert.equal(s.transport.name, transport);
    assert.equal(s.id.length, 20);
    await tag(s, `client-close-${transport}`);
    assert.equal(await roundTrip(s, 'hello'), 'hello');
    assert.equal(await roundTrip(s, 'héllo wörld ✓ 😀'), 'héllo wörld ✓ 😀');
    assert.equal(await roundTrip(s, 'fanout:encoded once ✓'), 'encoded once ✓');
    const got = [];
    const all = new Promise((resolve) => s.on('message', (m) => { got.push(m); if (got.length === 20) resolve(); }));
    for (let i = 0; i < 20; i++) s.send('m' + i);
    await all;
    assert.deepEqual(got, Array.from({ length: 20 }, (_, i) => 'm' + i));
    const c = closed(s);
    s.close();
    assert.equal(await c, 'forced close');
  });

  test(`${transport}: binary both ways`, async () => {
    const s = await open({ transports: [transport] });
    const sent = bytes(256);
    assert.deepEqual(asBuffer(await roundTrip(s, sent)), sent);
    assert.deepEqual(asBuffer(await roundTrip(s, 'binary:1000')), bytes(1000));
    assert.deepEqual(asBuffer(await roundTrip(s, new Uint8Array([]))), Buffer.alloc(0));
    s.close();
  });

  test(`${transport}: messages of 1 byte up to maxPayload`, async () => {
    const s = await open({ transports: [transport] });
    // A text packet is '4' + data, so MAX - 1 characters fill maxPayload exactly.
    for (const n of [1, 125, 126, 65535, 65536, MAX - 1]) {
      const text = 'x'.repeat(n);
      assert.equal(await roundTrip(s, text), text, `text of ${n}`);
    }
    // Binary: a WebSocket frame carries the bytes; polling carries 'b' + base64.
    const maxBinary = transport === 'websocket' ? MAX : Math.floor((MAX - 1) / 4) * 3;
    for (const n of [1, 126, 65536, maxBinary]) {
      const b = bytes(n);
      assert.deepEqual(asBuffer(await roundTrip(s, b)), b, `binary of ${n}`);
    }
    s.close();
  });

  test(`${transport}: a message over maxPayload closes the session`, async () => {
    const s = await open({ transports: [transport] });
    await tag(s, `oversize-${transport}`);
    const c = closed(s);
    s.send('x'.repeat(MAX)); // '4' + MAX characters = MAX + 1 bytes
    // the client sees its failed request or the close packet first; the Java side checks the server's reason
    assert.ok(['transport error', 'transport close'].includes(await c));
  });

  test(`${transport}: server-initiated close`, async () => {
    const s = await open({ transports: [transport] });
    await tag(s, `server-close-${transport}`);
    const c = closed(s);
    s.send('close');
    assert.equal(await c, 'transport close');
  });

  test(`${transport}: heartbeat keeps a live client open`, async () => {
    const s = await open({ transports: [transport] });
    let pings = 0;
    s.on('ping', () => pings++);
    await new Promise((resolve) => { const check = () => (pings >= 2 ? resolve() : setTimeout(check, PING_INTERVAL / 3)); check(); });
    assert.equal(s.readyState, 'open');
    assert.equal(await roundTrip(s, 'still here'), 'still here');
    s.close();
  });
}

test('polling upgraded to websocket, nothing lost or reordered', async () => {
  const s = new Socket(URL_, { path });
  // listen before anything else: the upgrade can complete during the first round trip
  const upgraded = new Promise((resolve, reject) => { s.once('upgrade', resolve); s.once('upgradeError', reject); });
  await new Promise((resolve, reject) => { s.once('open', resolve); s.once('error', reject); });
  assert.equal(s.transport.name, 'polling');
  await tag(s, 'upgrade');
  const got = [];
  const all = new Promise((resolve) => s.on('message', (m) => { got.push(m); if (got.length === 50) resolve(); }));
  for (let i = 0; i < 50; i++) s.send('u' + i);
  const t = await upgraded;
  assert.equal(t.name, 'websocket');
  assert.equal(s.transport.name, 'websocket');
  await all;
  assert.deepEqual(got, Array.from({ length: 50 }, (_, i) => 'u' + i));
  s.removeAllListeners('message');
  assert.equal(await roundTrip(s, 'over ws'), 'over ws');
  assert.equal(await roundTrip(s, 'fanout:' + 'y'.repeat(70000)), 'y'.repeat(70000));
  assert.deepEqual(asBuffer(await roundTrip(s, bytes(70000))), bytes(70000));
  s.close();
});

test('a refused handshake (allowRequest) reaches the client as an error', async () => {
  await assert.rejects(open({ transports: ['polling'], query: { deny: '1' } }));
});
