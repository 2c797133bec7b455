// The demo page in headless Chromium (Debian's chromium, driven by the pinned playwright-core): two
// people join the same room, see each other's presence, messages and typing; one reloads and is back
// in the room; a direct message; a screenshot for the build. Rooms go through the switchboard: client
// protocol (subscribe, publish, presence). Env: SERVER_URL, SCREENSHOT, CHROMIUM.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
// ESM imports ignore NODE_PATH (where NodePeers puts the pinned peers); require() honours it.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const base = process.env.SERVER_URL;
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

async function person(name) {
  // One context per person, as two browsers would be (the page keeps its name per tab).
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => { throw e; });
  await page.goto(base + "/");
  await page.fill("#name", name);
  await page.click("#connect");
  await page.waitForSelector('#status[data-state="online"]', { timeout });
  return page;
}

async function join(page, room) {
  await page.fill("#room", room);
  await page.click("#join");
  await page.waitForSelector(`#rooms li[data-room="${room}"].active`, { timeout });
}

const members = (page) => page.$$eval("#members li", (els) => els.map((e) => e.textContent));
async function waitMembers(page, expected) {
  await page.waitForFunction((exp) => {
    const names = [...document.querySelectorAll("#members li")].map((e) => e.textContent);
    return JSON.stringify(names) === JSON.stringify(exp);
  }, expected, { timeout });
}
async function send(page, text) {
  await page.fill("#text", text);
  await page.click("#send");
}
async function waitMessage(page, from, text) {
  await page.waitForFunction(([f, t]) => [...document.querySelectorAll("#messages li")].some((li) =>
    li.querySelector(".from")?.textContent === f && li.querySelector(".text")?.textContent === t), [from, text], { timeout });
}

test("two people chat in a room, one reloads and rejoins", async () => {
  const ada = await person("Ada");
  const bob = await person("Bob");
  await join(ada, "lobby");
  await join(bob, "lobby");

  // Presence on both sides.
  await waitMembers(ada, ["Ada (you)", "Bob"]);
  await waitMembers(bob, ["Ada", "Bob (you)"]);

  // The page speaks the switchboard: protocol on /demo: its presence lists both, by the names they gave.
  const presence = await ada.evaluate(() => window.switchboardDemo.socket.emitWithAck("switchboard:presence", "lobby"));
  assert.equal(presence.ok, true);
  assert.deepEqual(presence.members.map((m) => m.user).sort(), ["Ada", "Bob"]);
  await bob.evaluate(() => {
    window.outgoing = [];
    window.switchboardDemo.socket.onAnyOutgoing((event) => window.outgoing.push(event));
  });

  // Messages both ways.
  await send(bob, "hello from Bob");
  await waitMessage(ada, "Bob", "hello from Bob");
  assert.ok((await bob.evaluate(() => window.outgoing)).includes("switchboard:publish"), "a room message is a switchboard:publish");
  await send(ada, "hi Bob");
  await waitMessage(bob, "Ada", "hi Bob");

  // Typing indicator.
  await bob.type("#text", "typing something");
  await ada.waitForFunction(() => document.querySelector("#typing").textContent === "Bob is typing…", null, { timeout });
  await bob.fill("#text", "");

  // Ada reloads: she is gone for Bob, then back in the same room, signed in with the same name.
  await ada.reload();
  await ada.waitForSelector('#status[data-state="online"]', { timeout });
  await ada.waitForSelector('#rooms li[data-room="lobby"]', { timeout });
  await waitMembers(ada, ["Ada (you)", "Bob"]);
  await waitMembers(bob, ["Ada", "Bob (you)"]);
  await send(ada, "back after a reload");
  await waitMessage(bob, "Ada", "back after a reload");
  await send(bob, "welcome back, Ada");
  await waitMessage(ada, "Bob", "welcome back, Ada");
  assert.deepEqual(await members(bob), ["Ada", "Bob (you)"]);

  // A direct message: Bob clicks Ada in the member list.
  await bob.click('#members li:not(.me)');
  await bob.waitForFunction(() => document.querySelector("#target").textContent === "Direct to Ada", null, { timeout });
  await send(bob, "just for you");
  await ada.waitForSelector("#rooms li[data-direct]", { timeout });
  await ada.click("#rooms li[data-direct]");
  await waitMessage(ada, "Bob", "just for you");
  await ada.click('#rooms li[data-room="lobby"]');
  await waitMessage(ada, "Ada", "back after a reload");

  await bob.type("#text", "writing a reply");
  if (process.env.SCREENSHOT) {
    await bob.click('#rooms li[data-room="lobby"]');
    await bob.type("#text", "…");
    await ada.waitForFunction(() => document.querySelector("#typing").textContent !== "", null, { timeout });
    await ada.screenshot({ path: process.env.SCREENSHOT, fullPage: true });
  }
});
