// Switchboard demo chat. Talks to the /demo namespace with the official socket.io-client. Rooms go
// through the switchboard: client protocol (docs/security.md, "Rooms from clients"): subscribe,
// unsubscribe, publish, presence, history; the namespace's own events (server side: ChatDemo.java) do
// what the protocol does not: the name (hello), direct messages, typing hints, presence pushed when a
// member goes. The name and the joined rooms are kept in sessionStorage (per tab), so a reload (or a
// reconnection) signs in again and rejoins the same rooms, while two tabs can be two people.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const store = {
    get name() { return sessionStorage.getItem("switchboard.name") || ""; },
    set name(v) { sessionStorage.setItem("switchboard.name", v); },
    get rooms() { try { return JSON.parse(sessionStorage.getItem("switchboard.rooms") || "[]"); } catch (e) { return []; } },
    set rooms(v) { sessionStorage.setItem("switchboard.rooms", JSON.stringify(v)); },
  };

  const state = {
    me: null,            // {id, name} once the server accepted our hello
    rooms: new Map(),    // room -> {members: [{id,name}], messages: [], unread: 0, typing: Map(id -> name)}
    directs: new Map(),  // peer id -> {name, messages: [], unread: 0}
    target: null,        // {kind: "room", room} | {kind: "direct", id, name}
  };

  const socket = io("/demo", { autoConnect: false });

  function setStatus(kind, text) {
    const el = $("status");
    el.className = "status " + kind;
    el.dataset.state = kind;
    el.textContent = text;
  }

  function ack(event, payload) {
    return new Promise((resolve) => socket.timeout(5000).emit(event, payload, (err, res) => {
      resolve(err ? { ok: false, error: "no answer from the server" } : res);
    }));
  }

  // The switchboard: protocol answers {ok: true, ...} or {error}.
  const sb = (action, payload) => ack("switchboard:" + action, payload);

  const byName = (a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

  // Members of a room from switchboard:presence ({id, user}; the user is the name given in hello).
  async function refreshPresence(room) {
    const res = await sb("presence", room);
    const r = state.rooms.get(room);
    if (!res.ok || !r) return;
    r.members = res.members.filter((m) => m.user).map((m) => ({ id: m.id, name: m.user })).sort(byName);
    render();
  }

  // ---- connection ----

  socket.on("connect", async () => {
    setStatus("online", socket.recovered ? "connected (recovered)" : "connected");
    const res = await ack("hello", { name: store.name });
    if (!res.ok) { system("Could not sign in: " + res.error); return; }
    state.me = { id: res.id, name: res.name };
    $("me").textContent = res.name;
    for (const room of store.rooms) { await join(room, false); }
    render();
  });
  socket.on("disconnect", (reason) => {
    if (reason === "io server disconnect") {
      // The server said goodbye on purpose (it is shutting down, or an operator disconnected us).
      // socket.io does not retry after that by itself; this page does, a little later.
      setStatus("offline", "disconnected by the server — retrying in 3 s");
      system("The server closed the connection (" + reason + "); retrying in 3 s");
      setTimeout(() => { if (!socket.connected) socket.connect(); }, 3000);
      return;
    }
    const kind = socket.active ? "reconnecting" : "offline";
    setStatus(kind, kind === "reconnecting" ? "reconnecting… (" + reason + ")" : "disconnected: " + reason);
    system("Disconnected: " + reason + (socket.active ? " — reconnecting" : ""));
  });
  socket.io.on("reconnect_attempt", (n) => setStatus("reconnecting", "reconnecting… attempt " + n));
  socket.on("connect_error", (err) => {
    setStatus(socket.active ? "reconnecting" : "offline", "cannot connect: " + err.message);
  });

  // ---- server events ----

  socket.on("presence", ({ room, members }) => {
    const r = state.rooms.get(room);
    if (!r) return;
    r.members = members;
    for (const id of [...r.typing.keys()]) { if (!members.some((m) => m.id === id)) r.typing.delete(id); }
    render();
  });
  socket.on("message", (m) => {
    if (m.room) {
      const r = state.rooms.get(m.room);
      if (!r) return;
      r.messages.push(m);
      r.typing.delete(m.fromId);
      if (!isTarget("room", m.room)) r.unread++;
    } else {
      const peerId = m.fromId === state.me?.id ? m.to : m.fromId;
      const peerName = m.fromId === state.me?.id ? (state.directs.get(m.to)?.name || nameOf(m.to)) : m.from;
      const d = direct(peerId, peerName);
      d.messages.push(m);
      if (!isTarget("direct", peerId)) d.unread++;
    }
    render();
  });
  // Published to a room by a member that joined or is leaving it: the others read its presence again.
  socket.on("member", ({ room }) => { if (state.rooms.has(room)) refreshPresence(room); });
  socket.on("typing", ({ room, id, name, typing }) => {
    const r = state.rooms.get(room);
    if (!r) return;
    if (typing) r.typing.set(id, name); else r.typing.delete(id);
    renderTyping();
  });

  // ---- actions ----

  async function join(room, select = true) {
    const res = await sb("subscribe", room);
    if (!res.ok) { system("Could not join " + room + ": " + res.error); return; }
    if (!state.rooms.has(room)) state.rooms.set(room, { members: [], messages: [], unread: 0, typing: new Map() });
    if (!store.rooms.includes(room)) store.rooms = [...store.rooms, room];
    if (select || !state.target) state.target = { kind: "room", room };
    // A durable room (switchboard.durable.rooms) shows what was said before; others answer an error.
    const history = await sb("history", { room, from: 0, limit: 50 });
    if (history.ok && state.rooms.get(room).messages.length === 0) {
      state.rooms.get(room).messages = history.messages.filter((h) => h.event === "message").map((h) => h.args[0]);
    }
    await refreshPresence(room);
    sb("publish", { room, event: "member", data: { room, id: socket.id } });
    render();
  }

  async function leave(room) {
    await sb("unsubscribe", room);
    sb("publish", { room, event: "member", data: { room, id: socket.id } });
    state.rooms.delete(room);
    store.rooms = store.rooms.filter((r) => r !== room);
    if (isTarget("room", room)) {
      const next = state.rooms.keys().next();
      state.target = next.done ? null : { kind: "room", room: next.value };
    }
    render();
  }

  async function send(text) {
    const t = state.target;
    if (!t) return;
    const res = t.kind === "room"
      ? await sb("publish", { room: t.room, event: "message", data: {
        id: socket.id + "-" + Date.now(), from: state.me.name, fromId: state.me.id, room: t.room, text, ts: Date.now() } })
      : await ack("message", { to: t.id, text });
    if (!res.ok) system("Not sent: " + res.error);
  }

  let typingTimer = null;
  let typingSent = false;
  function typing() {
    const t = state.target;
    if (!t || t.kind !== "room") return;
    if (!typingSent) { socket.emit("typing", { room: t.room, typing: true }); typingSent = true; }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 2000);
  }
  function stopTyping() {
    const t = state.target;
    clearTimeout(typingTimer);
    if (typingSent && t && t.kind === "room") socket.emit("typing", { room: t.room, typing: false });
    typingSent = false;
  }

  // ---- helpers ----

  function direct(id, name) {
    if (!state.directs.has(id)) state.directs.set(id, { name, messages: [], unread: 0 });
    return state.directs.get(id);
  }
  function nameOf(id) {
    for (const r of state.rooms.values()) { const m = r.members.find((x) => x.id === id); if (m) return m.name; }
    return id;
  }
  function isTarget(kind, key) {
    const t = state.target;
    return !!t && t.kind === kind && (kind === "room" ? t.room === key : t.id === key);
  }
  function system(text) {
    const li = document.createElement("li");
    li.className = "system";
    li.textContent = text;
    $("messages").appendChild(li);
  }
  const time = (ts) => new Date(ts).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

  // ---- rendering ----

  function render() {
    const t = state.target;
    const rooms = $("rooms");
    rooms.replaceChildren();
    for (const [room, r] of state.rooms) {
      const li = document.createElement("li");
      li.dataset.room = room;
      if (isTarget("room", room)) { li.className = "active"; r.unread = 0; }
      const label = document.createElement("span");
      label.textContent = "# " + room;
      if (r.unread) { const b = document.createElement("span"); b.className = "badge"; b.textContent = r.unread; label.appendChild(b); }
      const x = document.createElement("button");
      x.className = "leave"; x.title = "Leave " + room; x.textContent = "×";
      x.onclick = (e) => { e.stopPropagation(); leave(room); };
      li.append(label, x);
      li.onclick = () => { stopTyping(); state.target = { kind: "room", room }; render(); };
      rooms.appendChild(li);
    }
    for (const [id, d] of state.directs) {
      const li = document.createElement("li");
      li.dataset.direct = id;
      if (isTarget("direct", id)) { li.className = "active"; d.unread = 0; }
      li.textContent = "@ " + d.name + (d.unread ? " (" + d.unread + ")" : "");
      li.onclick = () => { stopTyping(); state.target = { kind: "direct", id, name: d.name }; render(); };
      rooms.appendChild(li);
    }

    const memberRoom = t && t.kind === "room" ? t.room : null;
    $("members-room").textContent = memberRoom ? "# " + memberRoom : "—";
    const members = $("members");
    members.replaceChildren();
    for (const m of memberRoom ? state.rooms.get(memberRoom).members : []) {
      const li = document.createElement("li");
      li.dataset.id = m.id;
      li.textContent = m.name + (m.id === state.me?.id ? " (you)" : "");
      if (m.id === state.me?.id) li.className = "me";
      else li.onclick = () => { direct(m.id, m.name); stopTyping(); state.target = { kind: "direct", id: m.id, name: m.name }; render(); };
      members.appendChild(li);
    }

    $("target").textContent = !t ? "Join a room to start." : t.kind === "room" ? "# " + t.room : "Direct to " + t.name;
    const list = $("messages");
    list.replaceChildren();
    const messages = !t ? [] : t.kind === "room" ? state.rooms.get(t.room)?.messages || [] : state.directs.get(t.id)?.messages || [];
    for (const m of messages) {
      const li = document.createElement("li");
      li.className = (m.fromId === state.me?.id ? "mine " : "") + (m.room ? "" : "direct");
      const from = document.createElement("span"); from.className = "from"; from.textContent = m.from;
      const text = document.createElement("span"); text.className = "text"; text.textContent = m.text;
      const when = document.createElement("span"); when.className = "time"; when.textContent = time(m.ts);
      li.append(from, text, when);
      list.appendChild(li);
    }
    list.scrollTop = list.scrollHeight;
    $("text").disabled = $("send").disabled = !t || !socket.connected;
    renderTyping();
  }

  function renderTyping() {
    const t = state.target;
    const names = t && t.kind === "room" ? [...(state.rooms.get(t.room)?.typing.values() || [])] : [];
    $("typing").textContent = names.length === 0 ? "" : names.join(", ") + (names.length === 1 ? " is typing…" : " are typing…");
  }

  // ---- wiring ----

  function start(name) {
    store.name = name;
    $("login").hidden = true;
    $("chat").hidden = false;
    setStatus("reconnecting", "connecting…");
    socket.connect();
  }

  $("login-form").onsubmit = (e) => { e.preventDefault(); const n = $("name").value.trim(); if (n) start(n); };
  $("join-form").onsubmit = (e) => { e.preventDefault(); const r = $("room").value.trim(); if (r) { join(r); $("room").value = ""; } };
  $("send-form").onsubmit = (e) => {
    e.preventDefault();
    const text = $("text").value.trim();
    if (!text) return;
    stopTyping();
    send(text);
    $("text").value = "";
  };
  $("text").oninput = typing;

  if (store.name) { $("name").value = store.name; start(store.name); }
  window.switchboardDemo = { socket, state };
})();
