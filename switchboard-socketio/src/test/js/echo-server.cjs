// The oracle: the official socket.io 4.8 server with the behaviour of `bin/switchboard echo`
// (see dev.switchboard.socketio.echo.SocketIoEcho). Prints "LISTENING <port>" once bound.
// Usage: node echo-server.mjs --port 0 --ping-interval 300 --ping-timeout 200 --max-payload 1000000
//        --connect-timeout 1000 --cors '*' [--recovery <ms>]
const { createServer } = require("node:http");
const { Server } = require("socket.io");

const opts = { port: 3000, pingInterval: 25000, pingTimeout: 20000, maxPayload: 1e6, connectTimeout: 45000, cors: null, recovery: 0 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const [k, v] = [argv[i], argv[i + 1]];
  if (k === "--port") opts.port = Number(v);
  else if (k === "--ping-interval") opts.pingInterval = Number(v);
  else if (k === "--ping-timeout") opts.pingTimeout = Number(v);
  else if (k === "--max-payload") opts.maxPayload = Number(v);
  else if (k === "--connect-timeout") opts.connectTimeout = Number(v);
  else if (k === "--cors") opts.cors = v;
  else if (k === "--recovery") opts.recovery = Number(v);
  else if (k === "--host") opts.host = v;
  else throw new Error("unknown option " + k);
}

const httpServer = createServer();
const io = new Server(httpServer, {
  pingInterval: opts.pingInterval,
  pingTimeout: opts.pingTimeout,
  maxHttpBufferSize: opts.maxPayload,
  connectTimeout: opts.connectTimeout,
  cors: opts.cors ? { origin: opts.cors === "*" ? "*" : opts.cors.split(",") } : undefined,
  connectionStateRecovery: opts.recovery ? { maxDisconnectionDuration: opts.recovery, skipMiddlewares: true } : undefined,
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

httpServer.listen(opts.port, opts.host ?? "127.0.0.1", () => {
  console.log("LISTENING " + httpServer.address().port);
});
process.on("SIGTERM", () => { io.close(); process.exit(0); });
