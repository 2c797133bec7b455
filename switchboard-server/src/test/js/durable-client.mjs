// The official socket.io-client driven line by line from a JUnit test (durable rooms and inboxes).
// Reports JSON lines on stdout: {"type":"connect","id","recovered"}, {"type":"event","event","args"},
// {"type":"disconnect","reason"}, {"type":"connect_error","message"}.
// Commands on stdin, one JSON object a line: {"cmd":"drop"} closes the transport (a network drop: the
// socket keeps its pid and offset), {"cmd":"connect"} reconnects (sending pid + offset),
// {"cmd":"ack","on":bool} whether inbox events are acknowledged, {"cmd":"emit","event","args":[..]} emits,
// {"cmd":"emitack","event","args":[..],"timeout"} emits asking for an ack and reports {"type":"ack","event","error","answer"}. Env: SERVER_URL, NAMESPACE, AUTH (JSON),
// ACK ("on" default, or "off").
import { createRequire } from "node:module";
import readline from "node:readline";
const require = createRequire(import.meta.url);
const { io } = require("socket.io-client");

const report = (o) => process.stdout.write(JSON.stringify(o) + "\n");
let ack = (process.env.ACK || "on") === "on";
const socket = io(process.env.SERVER_URL + (process.env.NAMESPACE || "/"), {
  auth: JSON.parse(process.env.AUTH || "{}"),
  reconnection: false,
  transports: ["websocket"],
});
socket.on("connect", () => report({ type: "connect", id: socket.id, recovered: socket.recovered }));
socket.onAny((event, ...args) => {
  const cb = args.find((a) => typeof a === "function");
  report({ type: "event", event, args: args.filter((a) => typeof a !== "function"), acked: !!(cb && ack) });
  if (cb && ack) cb("ok");
});
socket.on("disconnect", (reason) => report({ type: "disconnect", reason }));
socket.on("connect_error", (err) => report({ type: "connect_error", message: err.message }));

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const c = JSON.parse(line);
  if (c.cmd === "drop") socket.io.engine.close();
  else if (c.cmd === "connect") socket.connect();
  else if (c.cmd === "ack") ack = !!c.on;
  else if (c.cmd === "emit") socket.emit(c.event, ...(c.args || []));
  else if (c.cmd === "emitack") socket.timeout(c.timeout || 20000).emit(c.event, ...(c.args || []),
    (err, answer) => report({ type: "ack", event: c.event, error: err ? err.message : null, answer }));
  report({ type: "done", cmd: c.cmd });
});
process.stdin.on("end", () => process.exit(0));
