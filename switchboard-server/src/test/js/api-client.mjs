// A Socket.IO client (the official socket.io-client) that reports what it sees as JSON lines on stdout,
// for PackagedServerIT: {"type":"connect","id":..}, {"type":"event","event":..,"args":[..]},
// {"type":"disconnect","reason":..}. Env: SERVER_URL, NAMESPACE (default /), USER_NAME.
// ESM imports ignore NODE_PATH (where NodePeers puts the pinned peers); require() honours it.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { io } = require("socket.io-client");

const url = process.env.SERVER_URL + (process.env.NAMESPACE || "/");
const report = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const socket = io(url, {
  query: { user: process.env.USER_NAME || "anonymous" },
  reconnection: false,
});
socket.on("connect", () => {
  report({ type: "connect", id: socket.id, transport: socket.io.engine.transport.name });
  socket.io.engine.once("upgrade", (t) => report({ type: "upgrade", transport: t.name }));
});
socket.onAny((event, ...args) => report({ type: "event", event, args: args.filter((a) => typeof a !== "function") }));
// Answers a publish that asks for acknowledgements.
socket.on("ask", (data, callback) => callback({ from: process.env.USER_NAME, got: data }));
socket.on("disconnect", (reason) => {
  report({ type: "disconnect", reason });
  // Give the line time to flush, then end: the test waits for this process to exit.
  setTimeout(() => process.exit(0), 50);
});
socket.on("connect_error", (err) => report({ type: "connect_error", message: err.message }));
// Stop when the test closes our stdin (or dies), whatever happened.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
