// The correctness scenario run with the official socket.io-client (pinned in node/package.json);
// EchoScenarioTest runs the same steps with the bench load generator and compares the observations.
// Env: PORT of an echo server on 127.0.0.1. Prints one line: RESULT {"a":[...],"b":[...]}, each a list
// of [event, ...args] in arrival order, acks recorded as ["ack", ...args].
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { io } = require("socket.io-client");

const url = `http://127.0.0.1:${process.env.PORT}`;
const seen = { a: [], b: [] };

function client(name) {
  const socket = io(url, { transports: ["websocket"], auth: { name }, reconnection: false, forceNew: true });
  socket.onAny((event, ...args) => seen[name].push([event, ...args]));
  return socket;
}

function until(predicate, what) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (predicate()) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - started > 5000) {
        clearInterval(timer);
        reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(seen)}`));
      }
    }, 5);
  });
}

const count = (name, event) => seen[name].filter((e) => e[0] === event).length;

const a = client("a");
const b = client("b");
await until(() => count("a", "auth") === 1 && count("b", "auth") === 1, "auth");
await a.timeout(5000).emitWithAck("join", "r1");
await b.timeout(5000).emitWithAck("join", "r1");
a.emit("broadcast", "r1", { n: 1, s: "x" }, [1, 2]);
await until(() => count("a", "broadcast") === 1 && count("b", "broadcast") === 1, "broadcast");
// emitWithAck resolves with the first ack argument only; a callback sees all of them.
const ack = await new Promise((resolve, reject) =>
  a.timeout(5000).emit("message-with-ack", "hello", 42, { k: [true, null] }, (err, ...args) =>
    err ? reject(err) : resolve(args)));
seen.a.push(["ack", ...ack]);
a.emit("message", 1, "two", { 3: 3.5 });
await until(() => count("a", "message-back") === 1, "message-back");
console.log("RESULT " + JSON.stringify(seen));
a.close();
b.close();
