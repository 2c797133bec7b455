// Hand-written Engine.IO v4 exchanges for what the official client never does on purpose:
// exact open packet, error codes, overlapping GETs, malformed bodies, a peer that never pongs,
// a manual upgrade. Uses fetch (Node 20) and the ws package the official client depends on.
'use strict';
const nodeTest = require('node:test');
// every test gets a deadline, so a hang is reported by name instead of killing the whole run
const test = (name, fn) => nodeTest.test(name, { timeout: 20000 }, fn);
const assert = require('node:assert/strict');
const WebSocket = require('ws');

const BASE = process.env.EIO_URL + process.env.EIO_PATH;
const WS_BASE = BASE.replace(/^http/, 'ws');
const PING_INTERVAL = Number(process.env.PING_INTERVAL);
const PING_TIMEOUT = Number(process.env.PING_TIMEOUT);
const MAX = Number(process.env.MAX_PAYLOAD);
const poll = (q = '') => `${BASE}?EIO=4&transport=polling${q}`;

async function get(url) {
  const r = await fetch(url);
  return { status: r.status, body: await r.text(), headers: r.headers };
}
async function post(url, body, headers = {}) {
  const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers } });
  return { status: r.status, body: await r.text() };
}
async function handshake() {
  const r = await get(poll());
  assert.equal(r.status, 200);
  assert.equal(r.body[0], '0');
  return JSON.parse(r.body.slice(1));
}
const error = (code, message) => JSON.stringify({ code, message });
// a polling payload without the server pings the 300 ms heartbeat may have slipped in
const withoutPings = (body) => body.split('\x1e').filter((p) => p !== '2').join('\x1e');

function wsOpen(url) {
  const ws = new WebSocket(url);
  const messages = [];
  let waiter = null;
  ws.on('message', (data, isBinary) => {
    messages.push(isBinary ? data : data.toString());
    if (waiter) { const w = waiter; waiter = null; w(); }
  });
  ws.next = async () => {
    while (messages.length === 0) await new Promise((resolve) => { waiter = resolve; });
    return messages.shift();
  };
  // the next packet that is not a server ping; pings met on the way are answered, as a client does
  ws.nextData = async () => {
    for (;;) {
      const m = await ws.next();
      if (m !== '2') return m;
      ws.send('3');
    }
  };
  ws.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => { ws.on('open', () => resolve(ws)); ws.on('error', reject); });
}

test('open packet has exactly sid, upgrades, pingInterval, pingTimeout, maxPayload', async () => {
  const open = await handshake();
  assert.deepEqual(Object.keys(open).sort(), ['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
  assert.deepEqual(open.upgrades, ['websocket']);
  assert.equal(open.pingInterval, PING_INTERVAL);
  assert.equal(open.pingTimeout, PING_TIMEOUT);
  assert.equal(open.maxPayload, MAX);
  assert.match(open.sid, /^[A-Za-z0-9_-]{20}$/);
  assert.equal((await post(poll('&sid=' + open.sid), '1')).body, 'ok');
});

test('over a direct WebSocket the open packet offers no upgrades', async () => {
  const ws = await wsOpen(`${WS_BASE}?EIO=4&transport=websocket`);
  const first = await ws.next();
  assert.equal(first[0], '0');
  const open = JSON.parse(first.slice(1));
  assert.deepEqual(open.upgrades, []);
  assert.deepEqual(Object.keys(open).sort(), ['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
  ws.close();
  await ws.closed;
});

test('refusals carry the official codes and messages', async () => {
  let r = await get(`${BASE}?EIO=4&transport=carrier-pigeon`);
  assert.equal(r.status, 400);
  assert.equal(r.body, error(0, 'Transport unknown'));
  assert.match(r.headers.get('content-type'), /application\/json/);
  r = await get(poll('&sid=AAAAAAAAAAAAAAAAAAAA'));
  assert.deepEqual([r.status, r.body], [400, error(1, 'Session ID unknown')]);
  r = await post(poll(), '4hello');
  assert.deepEqual([r.status, r.body], [400, error(2, 'Bad handshake method')]);
  r = await get(`${BASE}?EIO=4&transport=websocket`);
  assert.deepEqual([r.status, r.body], [400, error(3, 'Bad request')]);
  r = await get(`${BASE}?EIO=4&transport=polling&deny=1`);
  assert.deepEqual([r.status, r.body], [403, error(4, 'Forbidden')]);
  r = await get(`${BASE}?transport=polling`);
  assert.deepEqual([r.status, r.body], [400, error(5, 'Unsupported protocol version')]);
  r = await get(`${BASE}?EIO=3&transport=polling`);
  assert.deepEqual([r.status, r.body], [400, error(5, 'Unsupported protocol version')]);
});

test('several packets in one POST, several in one GET, binary as b+base64', async () => {
  const { sid } = await handshake();
  const r = await post(poll('&sid=' + sid), '4one\x1e4two\x1ebAAEC/w==');
  assert.equal(r.body, 'ok');
  const g = await get(poll('&sid=' + sid));
  assert.equal(withoutPings(g.body), '4one\x1e4two\x1ebAAEC/w==');
  assert.match(g.headers.get('content-type'), /text\/plain; charset=UTF-8/);
  await post(poll('&sid=' + sid), '1');
});

test('a malformed POST body answers 400 and closes the session', async () => {
  // (that other sessions stay untouched is checked with manual time in PollingSessionTest: here the
  // 300 ms heartbeat would make a bystander's answers timing-dependent)
  const { sid } = await handshake();
  await post(poll('&sid=' + sid), '4tag:malformed');
  const r = await post(poll('&sid=' + sid), '4fine\x1ez-not-a-packet');
  assert.deepEqual([r.status, r.body], [400, error(3, 'Bad request')]);
  assert.deepEqual(await get(poll('&sid=' + sid)).then((x) => [x.status, x.body]), [400, error(1, 'Session ID unknown')]);
  for (const bad of ['', 'b!!!notbase64', '9', '4a\x1e']) {
    const s = await handshake();
    const x = await post(poll('&sid=' + s.sid), bad);
    assert.equal(x.status, 400, JSON.stringify(bad));
  }
  const bin = await handshake();
  assert.equal((await post(poll('&sid=' + bin.sid), '4x', { 'content-type': 'application/octet-stream' })).status, 400);
});

test('a POST over maxPayload answers 413 and closes the session', async () => {
  const { sid } = await handshake();
  const r = await post(poll('&sid=' + sid), '4' + 'x'.repeat(MAX));
  assert.equal(r.status, 413);
  assert.equal((await get(poll('&sid=' + sid))).status, 400);
});

test('polling: no pong within pingTimeout closes the session', async () => {
  const { sid } = await handshake();
  await post(poll('&sid=' + sid), '4tag:ping-timeout-polling');
  assert.equal((await get(poll('&sid=' + sid))).body, '4tagged');
  assert.equal((await get(poll('&sid=' + sid))).body, '2'); // the ping; never answered
  const started = Date.now();
  let r;
  do {
    r = await get(poll('&sid=' + sid)); // held until the timeout closes the session ('1'), or 400 after
  } while (r.status === 200 && r.body !== '1');
  assert.ok(Date.now() - started < PING_TIMEOUT + 5000); // closed by the timeout, with seconds of slack for a loaded machine
  assert.equal((await get(poll('&sid=' + sid))).status, 400);
});

test('websocket: a peer that never pongs is closed after pingTimeout', async () => {
  const ws = await wsOpen(`${WS_BASE}?EIO=4&transport=websocket`);
  assert.equal((await ws.next())[0], '0');
  ws.send('4tag:ping-timeout-ws');
  assert.equal(await ws.next(), '4tagged'); // sent right after the open packet, well before the first ping
  assert.equal(await ws.next(), '2');
  const pinged = Date.now();
  await ws.closed;
  const waited = Date.now() - pinged;
  assert.ok(waited >= PING_TIMEOUT - 50, `closed ${waited} ms after the ping`);
});

test('websocket: answering pongs keeps the session; a client ping is refused', async () => {
  const ws = await wsOpen(`${WS_BASE}?EIO=4&transport=websocket`);
  await ws.next();
  for (let i = 0; i < 3; i++) {
    assert.equal(await ws.next(), '2');
    ws.send('3');
  }
  ws.send('4alive');
  assert.equal(await ws.nextData(), '4alive');
  ws.send('2'); // wrong heartbeat direction in v4
  await ws.closed;
});

test('manual upgrade: probe, noop to the waiting GET, 5, then polling is refused and a second WebSocket closed', async () => {
  const { sid } = await handshake();
  const pending = get(poll('&sid=' + sid)); // answered 6 once the probe is accepted, whichever arrives first
  const ws = await wsOpen(`${WS_BASE}?EIO=4&transport=websocket&sid=${sid}`);
  ws.send('2probe');
  assert.equal(await ws.next(), '3probe');
  let answered = await pending;
  while (answered.body === '2') { // a heartbeat ping got there first: answer it and poll again
    await post(poll('&sid=' + sid), '3');
    answered = await get(poll('&sid=' + sid));
  }
  assert.equal(answered.body, '6');
  ws.send('5');
  ws.send('4after upgrade');
  assert.equal(await ws.nextData(), '4after upgrade');
  const r = await get(poll('&sid=' + sid));
  assert.deepEqual([r.status, r.body], [400, error(3, 'Bad request')]);
  const second = await wsOpen(`${WS_BASE}?EIO=4&transport=websocket&sid=${sid}`);
  await second.closed;
  ws.send('4still fine');
  assert.equal(await ws.nextData(), '4still fine');
  ws.close();
  await ws.closed;
});

test('an upgrade request for an unknown sid is refused', async () => {
  const ws = new WebSocket(`${WS_BASE}?EIO=4&transport=websocket&sid=AAAAAAAAAAAAAAAAAAAA`);
  const status = await new Promise((resolve) => ws.on('unexpected-response', (req, res) => resolve(res.statusCode)));
  assert.equal(status, 400);
});
