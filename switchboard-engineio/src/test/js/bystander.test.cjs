// One official engine.io-client session that keeps echoing while the Java test sends garbage to the
// same port; it stops when the server sends 'garbage-done'. Env: EIO_URL, EIO_PATH.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Socket } = require('engine.io-client');

test('a session keeps working while other connections send garbage', { timeout: 60000 }, async () => {
  const s = new Socket(process.env.EIO_URL, { path: process.env.EIO_PATH });
  await new Promise((resolve, reject) => { s.once('open', resolve); s.once('error', reject); });
  const inbox = [];
  let wake = null;
  s.on('message', (m) => { inbox.push(m); if (wake) { wake(); wake = null; } });
  const next = async () => {
    while (inbox.length === 0) await new Promise((r) => { wake = r; });
    return inbox.shift();
  };
  s.on('close', (reason) => { if (!stopped) throw new Error('closed early: ' + reason); });
  let stopped = false;
  s.send('tag:bystander');
  assert.equal(await next(), 'tagged');
  let n = 0;
  let done = false;
  while (!done) {
    s.send('echo-' + n);
    for (;;) {
      const m = await next();
      if (m === 'garbage-done') { done = true; continue; }
      assert.equal(m, 'echo-' + n);
      break;
    }
    n++;
  }
  assert.ok(n > 0);
  console.log('round trips during the garbage: ' + n);
  stopped = true;
  s.close();
});
