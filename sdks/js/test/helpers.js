"use strict";
// Test doubles: a scripted fetch, a manual clock, a memory localStorage and a fake window.

function response(status, body, headers) {
  const map = new Map(Object.entries(headers || {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return {
    status,
    ok: status >= 200 && status < 300,
    headers: { get: (name) => (map.has(name.toLowerCase()) ? map.get(name.toLowerCase()) : null) },
    text: async () => (body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body)),
  };
}

/** A fetch that answers from `script` (functions of the call, or responses) in turn. */
function fakeFetch(script) {
  const calls = [];
  const queue = Array.isArray(script) ? script.slice() : null;
  async function fetch(url, init) {
    const call = { url, init, body: init && init.body ? JSON.parse(init.body) : null };
    calls.push(call);
    const next = queue ? queue.shift() : script;
    const answer = typeof next === "function" ? await next(call) : next;
    if (answer instanceof Error) throw answer;
    if (answer === undefined) return defaultAnswer(call);
    return answer;
  }
  fetch.calls = calls;
  return fetch;
}

function defaultAnswer(call) {
  const path = new URL(call.url).pathname;
  if (path === "/batch") {
    const results = call.body.batch.map((item) => ({ success: true, uuid: item.uuid, queued: false }));
    return response(200, { success: true, queued: false, results });
  }
  return response(200, { success: true, uuid: call.body.uuid || "generated", queued: false });
}

/** setTimeout/clearTimeout that only fire when the test says so, recording each delay. */
function manualClock() {
  let next = 1;
  const timers = new Map();
  const delays = [];
  return {
    delays,
    setTimeout(fn, ms) {
      const id = next++;
      timers.set(id, { fn, ms });
      delays.push(ms);
      return id;
    },
    clearTimeout(id) {
      timers.delete(id);
    },
    pending() {
      return [...timers.values()].map((t) => t.ms);
    },
    /** Fire timers due within `upTo` ms (again for the ones they start), letting promises run. */
    async run(upTo = Infinity, rounds = 50) {
      for (let i = 0; i < rounds; i++) {
        await settle();
        const due = [...timers.entries()].filter(([, t]) => t.ms <= upTo);
        if (!due.length) return;
        for (const [id, t] of due) {
          timers.delete(id);
          t.fn();
        }
      }
      await settle();
    },
  };
}

async function settle() {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

class MemoryStorage {
  constructor() {
    this.map = new Map();
  }
  get length() {
    return this.map.size;
  }
  key(i) {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(k) {
    return this.map.has(k) ? this.map.get(k) : null;
  }
  setItem(k, v) {
    this.map.set(k, String(v));
  }
  removeItem(k) {
    this.map.delete(k);
  }
}

class Target {
  constructor() {
    this.handlers = {};
  }
  addEventListener(type, fn) {
    (this.handlers[type] = this.handlers[type] || []).push(fn);
  }
  removeEventListener(type, fn) {
    this.handlers[type] = (this.handlers[type] || []).filter((h) => h !== fn);
  }
  dispatch(type, event) {
    (this.handlers[type] || []).slice().forEach((fn) => fn(event || { type }));
  }
}

/** A browser-like window: navigator, screen, location, document (with cookies), storage. */
function fakeWindow(overrides = {}) {
  const win = new Target();
  const doc = new Target();
  let cookieJar = "";
  Object.defineProperty(doc, "cookie", {
    get: () => cookieJar,
    set: (value) => {
      const [pair] = value.split(";");
      const name = pair.split("=")[0];
      const kept = cookieJar.split(/;\s*/).filter((c) => c && !c.startsWith(name + "="));
      if (!/Max-Age=0/.test(value)) kept.push(pair);
      cookieJar = kept.join("; ");
    },
  });
  doc.referrer = "https://google.com/";
  doc.visibilityState = "visible";
  win.document = doc;
  win.navigator = {
    userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2_1 like Mac OS X)",
    language: "en-US",
    languages: ["en-US", "en"],
    platform: "iPhone",
    cookieEnabled: true,
    maxTouchPoints: 5,
    deviceMemory: 8,
    hardwareConcurrency: 6,
    onLine: true,
    connection: { type: "wifi", effectiveType: "4g", downlink: 10.2, rtt: 50 },
    beacons: [],
    sendBeacon(url, blob) {
      this.beacons.push({ url, blob });
      return true;
    },
  };
  win.screen = { width: 393, height: 852, colorDepth: 24 };
  win.innerWidth = 393;
  win.innerHeight = 852;
  win.devicePixelRatio = 3;
  win.location = {
    href: "https://shop.example/pricing?utm_source=google#plans",
    pathname: "/pricing",
    search: "?utm_source=google",
    hash: "#plans",
    protocol: "https:",
  };
  win.localStorage = new MemoryStorage();
  return Object.assign(win, overrides);
}

module.exports = { response, fakeFetch, manualClock, settle, MemoryStorage, fakeWindow };
