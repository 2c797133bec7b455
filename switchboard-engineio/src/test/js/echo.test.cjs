// The official engine.io-client against the echo program (EngineEcho), both transports.
'use strict';
const nodeTest = require('node:test');
const test = (name, fn) => nodeTest.test(name, { timeout: 20000 }, fn);
const assert = require('node:assert/strict');
const { Socket } = require('engine.io-client');

for (const transports of [['polling'], ['websocket'], ['polling', 'websocket']]) {
  test(`echo over ${transports.join('+')}`, async () => {
    const s = new Socket(process.env.EIO_URL, { path: process.env.EIO_PATH, transports });
    await new Promise((resolve, reject) => { s.once('open', resolve); s.once('error', reject); });
    const next = () => new Promise((resolve) => s.once('message', resolve));
    let m = next();
    s.send('ping?');
    assert.equal(await m, 'ping?');
    m = next();
    s.send(Buffer.from([1, 2, 3]));
    assert.deepEqual(Buffer.from(await m), Buffer.from([1, 2, 3]));
    s.close();
  });
}
