"use strict";
// The browser SDK end to end in headless Chromium, against a live A-TRACK service.
// The page is served by the service on one origin (localhost) and loads the SDK from
// /sdk/atrack.js on another (127.0.0.1), so the API calls are real cross-origin requests.
const assert = require("node:assert/strict");
const { env, launch, reader, sessionOf, waitFor, eventNames } = require("./common.js");

const DOCUMENTED_CLIENT_FIELDS = [
  "locale", "language", "languages", "timezone", "timezoneOffsetMinutes", "platform",
  "screenWidth", "screenHeight", "viewportWidth", "viewportHeight", "pixelRatio", "colorDepth",
  "cookiesEnabled", "touchPoints", "deviceMemoryGb", "hardwareConcurrency", "connectionType",
  "connectionEffectiveType", "connectionDownlinkMbps", "connectionRttMs",
];

const key = env("ATRACK_PUBLIC_KEY");
const pageUrl = env("ATRACK_PAGE_URL"); // with ?sdk_host=... so the API is cross-origin
const read = reader();
const report = {};

function count(names, name) {
  return names.filter((n) => n === name).length;
}

async function landed(uuid, names) {
  return waitFor(async () => {
    const data = await sessionOf(read, uuid);
    const seen = eventNames(data);
    return names.every((name) => seen.includes(name)) ? data : null;
  }, `events ${names.join(", ")}`);
}

async function main() {
  const browser = await launch();
  const context = await browser.newContext({
    locale: "de-DE",
    timezoneId: "Europe/Berlin",
    viewport: { width: 1280, height: 720 },
    deviceScaleFactor: 2,
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));

  try {
    // 1. init: a session whose auto-captured fields are on /session/show.
    const landing = pageUrl + "&utm_source=newsletter&utm_medium=email&gclid=g_123#pricing";
    await page.goto(landing, { referer: "https://www.google.com/" });
    const first = await page.evaluate(async (publicKey) => {
      window.sdk = createATrackSdk({ publicKey });
      const result = await sdk.init();
      const nav = navigator;
      const conn = nav.connection || {};
      const ratio = window.devicePixelRatio;
      const browserSays = JSON.parse(JSON.stringify({
        locale: nav.language,
        language: nav.language,
        languages: Array.from(nav.languages),
        timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        timezoneOffsetMinutes: new Date().getTimezoneOffset(),
        platform: (nav.userAgentData && nav.userAgentData.platform) || nav.platform,
        screenWidth: Math.round(screen.width * ratio),
        screenHeight: Math.round(screen.height * ratio),
        viewportWidth: window.innerWidth,
        viewportHeight: window.innerHeight,
        pixelRatio: ratio,
        colorDepth: screen.colorDepth,
        cookiesEnabled: nav.cookieEnabled,
        touchPoints: nav.maxTouchPoints,
        deviceMemoryGb: nav.deviceMemory,
        hardwareConcurrency: nav.hardwareConcurrency,
        connectionType: conn.type,
        connectionEffectiveType: conn.effectiveType,
        connectionDownlinkMbps: conn.downlink,
        connectionRttMs: conn.rtt,
      }));
      return {
        result,
        browserSays,
        userAgent: nav.userAgent,
        href: location.href,
        referrer: document.referrer,
        stored: localStorage.getItem("a_track_uuid"),
        cookie: document.cookie,
        sdkSrc: document.scripts[0].src,
      };
    }, key);
    const uuid = first.result.uuid;
    assert.equal(first.result.success, true);
    assert.equal(first.stored, uuid);
    assert.ok(first.cookie.includes("a_track_uuid=" + uuid), "the uuid cookie");
    assert.notEqual(new URL(first.sdkSrc).origin, new URL(first.href).origin, "cross-origin API");
    const data = await sessionOf(read, uuid);
    assert.ok(data, "the session exists");
    const session = data.session;
    assert.deepEqual(session.client_attributes, first.browserSays);
    assert.equal(session.client_attributes.locale, "de-DE");
    assert.equal(session.client_attributes.timezone, "Europe/Berlin");
    assert.equal(session.client_attributes.viewportWidth, 1280);
    assert.equal(session.client_attributes.pixelRatio, 2);
    assert.equal(session.client_attributes.screenWidth, 2560);
    assert.equal(session.url_data.href, first.href);
    assert.equal(session.url_data.raw, new URL(first.href).pathname + new URL(first.href).search);
    assert.equal(session.url_data.path, "/sdk-test/page");
    assert.equal(session.url_data.query, new URL(first.href).search);
    assert.equal(session.url_data.hash, "#pricing");
    assert.equal(session.referer, "https://www.google.com/");
    assert.equal(first.referrer, "https://www.google.com/");
    assert.equal(session.utm_data.utm_source, "newsletter");
    assert.equal(session.click_ids.gclid, "g_123");
    assert.match(session.device_data.client.name, /Chrom/);
    report.uuid = uuid;
    report.captured = Object.keys(session.client_attributes).sort();
    report.notExposedByThisBrowser = DOCUMENTED_CLIENT_FIELDS.filter((f) => !(f in first.browserSays));

    // 2. A reload keeps the UUID (localStorage), and so does the cookie without it.
    await page.reload();
    const again = await page.evaluate((publicKey) => createATrackSdk({ publicKey }).getUserUuid(), key);
    assert.equal(again, uuid);
    await page.evaluate(() => localStorage.removeItem("a_track_uuid"));
    await page.reload();
    const fromCookie = await page.evaluate((publicKey) => {
      const uuid = createATrackSdk({ publicKey }).getUserUuid();
      return { uuid, stored: localStorage.getItem("a_track_uuid") };
    }, key);
    assert.deepEqual(fromCookie, { uuid, stored: uuid });

    // 3. track and setAttributes land.
    const tracked = await page.evaluate(async (publicKey) => {
      window.sdk = createATrackSdk({ publicKey });
      await sdk.setAttributes({ plan: "pro", flags: { beta: true } });
      return sdk.track("checkout_started", { cart_value: 129.99, currency: "EUR" });
    }, key);
    assert.equal(tracked.success, true);
    assert.equal(tracked.queued, false);
    let shown = await landed(uuid, ["checkout_started"]);
    const checkout = shown.events.find((e) => e.name === "checkout_started");
    assert.deepEqual(checkout.attributes, { cart_value: 129.99, currency: "EUR" });
    assert.deepEqual(shown.attributes, { plan: "pro", flags: { beta: true } });

    // 4. Offline, then online: nothing is lost, nothing doubled.
    await context.setOffline(true);
    const offline = await page.evaluate(async () => {
      const a = await sdk.track("offline_1", { n: 1 });
      const b = await sdk.track("offline_2", { n: 2 });
      return { a, b, pending: sdk.pending(), onLine: navigator.onLine };
    });
    assert.equal(offline.onLine, false);
    assert.equal(offline.a.pending, true);
    assert.equal(offline.pending, 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(eventNames(await sessionOf(read, uuid)).filter((n) => n.startsWith("offline")).length, 0);
    await context.setOffline(false);
    shown = await landed(uuid, ["offline_1", "offline_2"]);
    assert.equal(await page.evaluate(() => sdk.pending()), 0);

    // 4b. Offline when the page is left: the next page sends what was stored.
    await context.setOffline(true);
    await page.evaluate(() => sdk.track("offline_across_pages"));
    await page.goto("about:blank");
    await context.setOffline(false);
    await page.goto(pageUrl);
    await page.evaluate((publicKey) => {
      window.sdk = createATrackSdk({ publicKey });
    }, key);
    shown = await landed(uuid, ["offline_across_pages"]);

    // 5. pagehide: what is still queued is sent with sendBeacon as the page goes away.
    const before = await page.evaluate((publicKey) => {
      // Record beacons in sessionStorage, which outlives the page within this tab.
      const send = navigator.sendBeacon.bind(navigator);
      navigator.sendBeacon = (url, data) => {
        const ok = send(url, data);
        const seen = JSON.parse(sessionStorage.getItem("beacons") || "[]");
        sessionStorage.setItem("beacons", JSON.stringify(seen.concat([{ url, ok }])));
        return ok;
      };
      window.lazy = createATrackSdk({ publicKey, flushInterval: 60000 });
      lazy.track("left_the_page", { via: "pagehide" });
      lazy.setAttributes({ last_page: "pricing" });
      return lazy.pending();
    }, key);
    assert.equal(before, 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(!eventNames(await sessionOf(read, uuid)).includes("left_the_page"));
    await page.goto("about:blank");
    shown = await landed(uuid, ["left_the_page"]);
    assert.equal(shown.attributes.last_page, "pricing");
    await page.goto(pageUrl);
    const sent = await page.evaluate(() => JSON.parse(sessionStorage.getItem("beacons") || "[]"));
    assert.ok(sent.length >= 1 && sent.every((b) => b.ok), "sendBeacon carried the flush");
    assert.ok(sent[0].url.endsWith("/batch?key=" + encodeURIComponent(key)));

    const names = eventNames(shown);
    for (const name of ["checkout_started", "offline_1", "offline_2", "offline_across_pages", "left_the_page"]) {
      assert.equal(count(names, name), 1, `${name} stored once`);
    }
    report.events = names;
    report.beacons = sent.length;
    assert.deepEqual(errors, []);
    console.log(JSON.stringify(report));
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  console.error(JSON.stringify(report));
  process.exit(1);
});
