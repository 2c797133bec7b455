// Speaks the admin UI's protocol as @socket.io/admin-ui 0.5.1's UI does (ui/src/App.vue: io(serverUrl +
// "/admin", { forceNew, reconnection: false, withCredentials, transports, auth })), with the official
// socket.io-client. Reports every event as a JSON line on stdout: {"type":"connect"|"connect_error"|
// "disconnect"|"event", ...}. Reads commands as JSON lines on stdin: ["emit", event, ...args] sends an
// event (the UI's actions: "join", "leave", "_disconnect", "emit"); ["close"] disconnects.
// Env: SERVER_URL, ADMIN_AUTH (JSON: {username, password} or {sessionId}), WS_ONLY ("true": websocket only).
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
const require = createRequire(import.meta.url);
const { io } = require("socket.io-client");

const report = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const socket = io(process.env.SERVER_URL + "/admin", {
  forceNew: true,
  reconnection: false,
  withCredentials: true,
  transports: process.env.WS_ONLY === "true" ? ["websocket"] : ["polling", "websocket"],
  auth: JSON.parse(process.env.ADMIN_AUTH || "{}"),
});
socket.on("connect", () => report({ type: "connect", id: socket.id }));
socket.on("connect_error", (err) => report({ type: "connect_error", message: err.message }));
socket.on("disconnect", (reason) => report({ type: "disconnect", reason }));
socket.onAny((event, ...args) => report({ type: "event", event, args }));

createInterface({ input: process.stdin }).on("line", (line) => {
  const [command, ...rest] = JSON.parse(line);
  if (command === "emit") {
    socket.emit(...rest);
  } else if (command === "close") {
    socket.disconnect();
  }
});
process.stdin.on("end", () => process.exit(0));
