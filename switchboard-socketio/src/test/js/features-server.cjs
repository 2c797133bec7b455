// The oracle for the feature scenarios (features.test.cjs): the official socket.io 4.8 server with
// middleware, a dynamic namespace and events that drive the server API. The Java twin is
// dev.switchboard.socketio.interop.FeatureServer. Prints "LISTENING <port>".
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const httpServer = createServer();
const io = new Server(httpServer, { pingInterval: 1000, pingTimeout: 1000, connectTimeout: 10000 });

io.of("/guarded").use((socket, next) => {
  if (socket.handshake.auth.token === "letmein") return next();
  const err = new Error("not authorized");
  err.data = { code: 4001, hint: "send a token" };
  next(err);
}).on("connection", (socket) => socket.emit("welcome", "/guarded"));

io.of(/^\/dyn-\d+$/).on("connection", (socket) => socket.emit("welcome", socket.nsp.name));

function target(socket, spec) {
  let op = spec.fromSender ? socket.to(spec.to ?? []) : io.to(spec.to ?? []);
  if (spec.except) op = op.except(spec.except);
  if (spec.volatile) op = op.volatile;
  return op;
}

io.on("connection", (socket) => {
  socket.emit("welcome", "/");
  socket.use(([event], next) => (event === "forbidden" ? next(new Error("forbidden")) : next()));
  socket.on("error", (err) => socket.emit("packet-error", err.message));
  socket.on("join", (room, ack) => { socket.join(room); ack(); });
  socket.on("rooms", (ack) => ack([...socket.rooms].filter((r) => r !== socket.id).sort()));
  socket.on("op", (spec, ...args) => { const ack = args.pop(); target(socket, spec).emit("op", ...args); ack(); });
  socket.on("ask", (ms, ack) => socket.timeout(ms).emit("question", "q?", (err, answer) => ack(err ? "error: " + err.message : answer)));
  socket.on("ask-all", (room, ms, ack) => io.to(room).timeout(ms).emit("question", "all?", (err, responses) =>
    ack({ error: err ? err.message : null, responses: responses.map(String).sort() })));
  socket.on("fetch", async (room, ack) => ack((await io.in(room).fetchSockets()).map((s) => s.id).sort()));
  socket.on("sockets-join", (room, other, ack) => { io.in(room).socketsJoin(other); ack(); });
  socket.on("sockets-leave", (room, other, ack) => { io.in(room).socketsLeave(other); ack(); });
  socket.on("disconnect-room", (room, close) => io.in(room).disconnectSockets(close));
  socket.on("kick", (close) => socket.disconnect(close));
});

httpServer.listen(0, "127.0.0.1", () => console.log("LISTENING " + httpServer.address().port));
process.on("SIGTERM", () => { io.close(); process.exit(0); });
