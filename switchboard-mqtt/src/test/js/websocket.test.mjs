// MQTT.js over WebSocket (subprotocol "mqtt") on the HTTP listener: a browser-style client subscribes over
// WebSocket and gets what a client on the TCP port publishes, and the other way round, for MQTT 3.1.1 and 5.0.
// Env: WS_URL (ws://host:port/path), MQTT_URL (mqtt://host:port).
import { test } from "node:test";
import assert from "node:assert/strict";
// ESM imports ignore NODE_PATH (where NodePeers puts the pinned peers); require() honours it.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const mqtt = require("mqtt");

function connect(url, options) {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 10000, ...options });
    client.once("connect", () => resolve(client));
    client.once("error", reject);
  });
}

function nextMessage(client) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no message within 10 s")), 10000);
    client.once("message", (topic, payload, packet) => {
      clearTimeout(timer);
      resolve({ topic, payload: payload.toString(), qos: packet.qos });
    });
  });
}

for (const protocolVersion of [4, 5]) {
  test(`WebSocket and TCP clients meet in one topic space (protocol ${protocolVersion})`, async () => {
    const ws = await connect(process.env.WS_URL, { protocolVersion });
    const tcp = await connect(process.env.MQTT_URL, { protocolVersion });
    try {
      await ws.subscribeAsync(`ws/${protocolVersion}/+`, { qos: 1 });
      await tcp.subscribeAsync(`tcp/${protocolVersion}/+`, { qos: 1 });
      const toWs = nextMessage(ws);
      await tcp.publishAsync(`ws/${protocolVersion}/a`, "from-tcp", { qos: 1 });
      assert.deepEqual(await toWs, { topic: `ws/${protocolVersion}/a`, payload: "from-tcp", qos: 1 });
      const toTcp = nextMessage(tcp);
      // Larger than one typical frame's worth: the gateway reassembles packets from frames.
      const big = "x".repeat(200000);
      await ws.publishAsync(`tcp/${protocolVersion}/b`, big, { qos: 1 });
      const got = await toTcp;
      assert.equal(got.topic, `tcp/${protocolVersion}/b`);
      assert.equal(got.payload.length, big.length);
    } finally {
      await new Promise((r) => ws.end(false, {}, r));
      await new Promise((r) => tcp.end(false, {}, r));
    }
  });
}
