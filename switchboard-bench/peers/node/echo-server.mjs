// The echo application of `bin/switchboard echo` (issue 3, "The echo command") on the official
// Node socket.io server, pinned in node/package.json. Started by the benchmark harness in its own
// process; prints "listening <port>" once it accepts connections.
//
//   node echo-server.mjs --port 0 --ping-interval 25000 --ping-timeout 20000 \
//        --max-payload 1000000 --connect-timeout 45000 --cors '*' [--host 127.0.0.1]
//
// BENCH_STATS=1 adds GET /__bench/stats: runs a full GC when node was started with --expose-gc,
// then answers process.memoryUsage() as JSON (the harness reads heapUsed from it).
import { createServer } from "node:http";
import { createRequire } from "node:module";

// ESM ignores NODE_PATH; CommonJS resolution honours it, so the pinned peers in node/node_modules
// (NODE_PATH, set by the harness and NodePeers) are loaded through require.
const require = createRequire(import.meta.url);
const { Server } = require("socket.io");

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(option("port", "3000"));
const host = option("host", "127.0.0.1");
const cors = option("cors", "*");

const httpServer = createServer();
if (process.env.BENCH_STATS === "1") {
  httpServer.prependListener("request", (req, res) => {
    if (req.url === "/__bench/stats") {
      if (typeof globalThis.gc === "function") globalThis.gc();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ...process.memoryUsage(), gc: typeof globalThis.gc === "function" }));
    }
  });
}

const io = new Server(httpServer, {
  pingInterval: Number(option("ping-interval", "25000")),
  pingTimeout: Number(option("ping-timeout", "20000")),
  maxHttpBufferSize: Number(option("max-payload", "1000000")),
  connectTimeout: Number(option("connect-timeout", "45000")),
  cors: { origin: cors },
  serveClient: false,
});

io.on("connection", (socket) => {
  socket.emit("auth", socket.handshake.auth);
  socket.on("message", (...args) => socket.emit("message-back", ...args));
  socket.on("message-with-ack", (...args) => {
    const ack = args.pop();
    if (typeof ack === "function") ack(...args);
  });
  socket.on("join", (room, ack) => {
    socket.join(room);
    if (typeof ack === "function") ack();
  });
  socket.on("leave", (room, ack) => {
    socket.leave(room);
    if (typeof ack === "function") ack();
  });
  socket.on("broadcast", (room, ...args) => io.to(room).emit("broadcast", ...args));
});

io.of("/custom").on("connection", (socket) => socket.emit("auth", socket.handshake.auth));

httpServer.listen(port, host, () => {
  console.log(`listening ${httpServer.address().port}`);
});

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    io.close();
    process.exit(0);
  });
}
