// Publishes numbered chat messages to a room of the demo namespace with the official socket.io-client,
// one at a time, each after the previous one was acknowledged; reports {"acked":n} for each ok answer.
// Env: SERVER_URL, ROOM, START (first number). Ends when the connection goes (the server is killed).
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { io } = require("socket.io-client");

const report = (o) => process.stdout.write(JSON.stringify(o) + "\n");
const socket = io(process.env.SERVER_URL + "/demo", { reconnection: false, transports: ["websocket"] });
let n = Number(process.env.START || "1");
const room = process.env.ROOM;

function next() {
  const mine = n++;
  socket.timeout(10000).emit("message", { room, text: String(mine) }, (err, answer) => {
    if (!err && answer && answer.ok) report({ acked: mine });
    if (socket.connected) next();
  });
}
socket.on("connect", () => {
  socket.emit("hello", { name: "publisher" }, () => {
    socket.emit("join", { room }, () => { report({ joined: room }); next(); });
  });
});
socket.on("disconnect", () => process.exit(0));
socket.on("connect_error", () => process.exit(0));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
