"use strict";
// Shared by the end-to-end scripts that tests/sdks runs against a live A-TRACK service.
const { chromium } = require("playwright-core");
const { createATrackNodeSdk } = require("../src/node.js");

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

/** Debian's chromium, headless, with the flags that keep it quiet in a sandbox. */
function launch() {
  return chromium.launch({
    executablePath: process.env.ATRACK_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** A secret-key reader of the service, to see what landed. */
function reader() {
  return createATrackNodeSdk({
    publicKey: env("ATRACK_PUBLIC_KEY"),
    secretKey: env("ATRACK_SECRET_KEY"),
    endpoint: env("ATRACK_ENDPOINT"),
    maxRetries: 0,
  });
}

async function sessionOf(read, uuid) {
  try {
    return (await read.sessionShow(uuid, { events_limit: 1000, sort: "asc" })).data;
  } catch (error) {
    if (error.status === 404) return null;
    throw error;
  }
}

async function waitFor(check, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function eventNames(data) {
  return data ? data.events.map((e) => e.name) : [];
}

module.exports = { env, launch, reader, sessionOf, waitFor, eventNames };
