// The official Socket.IO admin UI (@socket.io/admin-ui 0.5.1's built pages, served by Switchboard at
// /admin/) in headless Chromium (Debian's chromium, driven by the pinned playwright-core): log in, see
// the sockets of two clients and the room one of them is in, disconnect the other from the UI and see
// it go. Env: SERVER_URL, ALICE and BOB (socket ids of clients connected to "/"; ALICE is in room
// ROOM), PASSWORD, SCREENSHOT, CHROMIUM.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
// ESM imports ignore NODE_PATH (where NodePeers puts the pinned peers); require() honours it.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const base = process.env.SERVER_URL;
const { ALICE: alice, BOB: bob, ROOM: room } = process.env;
const timeout = 15000;
let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
});
after(async () => { await browser?.close(); });

const rowWith = (page, text) => page.locator("tbody tr", { hasText: text });

test("log in, see sockets and rooms, disconnect a socket from the UI", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // The UI's page asks two CDNs for fonts and icons; this machine has no internet: answer at once.
  await page.route((url) => !url.href.startsWith(base), (route) => route.abort());
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));

  await page.goto(base + "/admin/");
  // A wrong password first: the UI shows the server's refusal and stays on the login form.
  await page.getByLabel("Server URL").fill(base);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Connect" }).click();
  await page.getByText("invalid credentials").waitFor({ timeout });

  await page.getByLabel("Password").fill(process.env.PASSWORD);
  await page.getByRole("button", { name: "Connect" }).click();
  // The status chip in the header (upper-cased by CSS).
  await page.getByText(/^\s*connected\s*$/i).first().waitFor({ timeout });

  // Sockets of the main namespace: both clients, with their address and transport.
  await page.goto(base + "/admin/#/sockets/");
  await rowWith(page, alice).waitFor({ timeout });
  await rowWith(page, bob).waitFor({ timeout });
  assert.match(await rowWith(page, alice).innerText(), /127\.0\.0\.1/);

  // Rooms: alice's room, with one member.
  await page.goto(base + "/admin/#/rooms/");
  await rowWith(page, room).waitFor({ timeout });

  // Alice's details page lists her room.
  await page.goto(base + `/admin/#/n/${encodeURIComponent("/")}/sockets/${alice}`);
  await page.getByText(room, { exact: true }).first().waitFor({ timeout });

  // Disconnect bob with the button of his row; his row goes, alice's stays.
  await page.goto(base + "/admin/#/sockets/");
  await rowWith(page, bob).waitFor({ timeout });
  await rowWith(page, bob).locator("button").click();
  // (The click also opens the socket's details page, as a click on its row does.)
  await page.goto(base + "/admin/#/sockets/");
  await rowWith(page, alice).waitFor({ timeout });
  await page.waitForFunction((id) => ![...document.querySelectorAll("tbody tr")].some((tr) => tr.textContent.includes(id)),
    bob, { timeout });

  await page.screenshot({ path: process.env.SCREENSHOT });
  assert.deepEqual(errors, []);
});
