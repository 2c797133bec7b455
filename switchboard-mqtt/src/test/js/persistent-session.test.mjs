// MQTT.js (npm mqtt, pinned in node/package.json) against the gateway: a session with clean: false keeps
// its subscription and the QoS 1 publications sent while the client was away, for MQTT 3.1.1 and 5.0.
// Env: MQTT_URL (mqtt://host:port).
import { test } from "node:test";
import assert from "node:assert/strict";
// ESM imports ignore NODE_PATH (where NodePeers puts the pinned peers); require() honours it.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const mqtt = require("mqtt");

const url = process.env.MQTT_URL;

function connect(options) {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 10000, ...options });
    client.once("connect", (connack) => resolve({ client, connack }));
    client.once("error", reject);
  });
}

const end = (client) => new Promise((resolve) => client.end(false, {}, resolve));

for (const protocolVersion of [4, 5]) {
  test(`clean: false keeps subscriptions and queued QoS 1 publications (protocol ${protocolVersion})`, async () => {
    const clientId = `js-${protocolVersion}-${Date.now()}`;
    const topic = `js/${protocolVersion}/cmd`;
    const v5 = protocolVersion === 5 ? { properties: { sessionExpiryInterval: 300 } } : {};
    const first = await connect({ clientId, clean: false, protocolVersion, ...v5 });
    assert.equal(first.connack.sessionPresent, false);
    await first.client.subscribeAsync(topic, { qos: 1 });
    await end(first.client);

    const pub = await connect({ protocolVersion });
    await pub.client.publishAsync(topic, "while-away-1", { qos: 1 });
    await pub.client.publishAsync(topic, "while-away-2", { qos: 1 });
    await end(pub.client);

    const received = [];
    const again = await new Promise((resolve, reject) => {
      const client = mqtt.connect(url, { clientId, clean: false, protocolVersion, reconnectPeriod: 0, ...v5 });
      client.on("message", (t, payload, packet) => {
        received.push({ topic: t, payload: payload.toString(), qos: packet.qos });
      });
      client.once("connect", (connack) => resolve({ client, connack }));
      client.once("error", reject);
    });
    assert.equal(again.connack.sessionPresent, true);
    const deadline = Date.now() + 10000;
    while (received.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(received, [
      { topic, payload: "while-away-1", qos: 1 },
      { topic, payload: "while-away-2", qos: 1 },
    ]);
    await end(again.client);
  });
}
