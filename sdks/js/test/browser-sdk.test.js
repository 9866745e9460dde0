"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { createATrackSdk, ATrackError } = require("../src/atrack.js");
const { response, fakeFetch, manualClock, settle, fakeWindow } = require("./helpers.js");

const ENDPOINT = "https://track.example";
const UUID = "b19412c6-6a91-4e18-890d-e2269a0d1249";

function browserSdk(fetch, { win = fakeWindow(), clock = manualClock(), ...extra } = {}) {
  const sdk = createATrackSdk({
    publicKey: "atk_pub_test",
    endpoint: ENDPOINT,
    fetch,
    window: win,
    timeoutMs: 0,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    ...extra,
  });
  return { sdk, win, clock };
}

function queued(win) {
  const keys = [...win.localStorage.map.keys()].filter((k) => k.startsWith("a_track_queue:"));
  return keys.flatMap((k) => JSON.parse(win.localStorage.getItem(k)).items);
}

test("init auto-captures every documented client field and the URL parts", async () => {
  const fetch = fakeFetch([undefined]);
  const { sdk, clock } = browserSdk(fetch);
  const pending = sdk.init();
  await clock.run();
  const result = await pending;
  const body = fetch.calls[0].body;
  assert.equal(fetch.calls[0].url, ENDPOINT + "/init");
  assert.equal(result.uuid, body.uuid);
  assert.deepEqual(body.context.url, {
    href: "https://shop.example/pricing?utm_source=google#plans",
    raw: "/pricing?utm_source=google",
    path: "/pricing",
    query: "?utm_source=google",
    hash: "#plans",
    referer: "https://google.com/",
  });
  const client = body.context.client;
  assert.deepEqual(Object.keys(client).sort(), [
    "colorDepth", "connectionDownlinkMbps", "connectionEffectiveType", "connectionRttMs",
    "connectionType", "cookiesEnabled", "deviceMemoryGb", "hardwareConcurrency", "language",
    "languages", "locale", "pixelRatio", "platform", "screenHeight", "screenWidth", "timezone",
    "timezoneOffsetMinutes", "touchPoints", "userAgent", "viewportHeight", "viewportWidth",
  ]);
  assert.equal(client.screenWidth, 1179); // physical pixels, as documented
  assert.equal(client.viewportWidth, 393);
  assert.equal(client.pixelRatio, 3);
  assert.equal(client.connectionType, "wifi");
  assert.deepEqual(client.languages, ["en-US", "en"]);
  assert.equal(typeof client.timezoneOffsetMinutes, "number");
});

test("what the caller passes wins over what is captured", async () => {
  const fetch = fakeFetch([undefined]);
  const { sdk, clock } = browserSdk(fetch);
  const pending = sdk.init({
    context: { url: { href: "https://a-track.io/x", source_url: "" }, client: { locale: "de-DE" } },
    custom_data: { v: 2 },
  });
  await clock.run();
  await pending;
  const body = fetch.calls[0].body;
  // The URL the caller names is the URL: its own parts, not the page's.
  assert.deepEqual(body.context.url, {
    href: "https://a-track.io/x",
    raw: "/x",
    path: "/x",
    source_url: "",
    referer: "https://google.com/",
  });
  assert.equal(body.context.client.locale, "de-DE");
  assert.deepEqual(body.custom_data, { v: 2 });
});

test("a raw path alone gives path and query; the caller's referer wins", async () => {
  const fetch = fakeFetch([undefined]);
  const { sdk, clock } = browserSdk(fetch);
  const pending = sdk.init({ context: { url: { raw: "/a/b?x=1", referer: "" } } });
  await clock.run();
  await pending;
  assert.deepEqual(fetch.calls[0].body.context.url, { raw: "/a/b?x=1", path: "/a/b", query: "?x=1", referer: "" });
});

test("the uuid is stored in localStorage and a cookie, and reused after a reload", async () => {
  const win = fakeWindow();
  const first = browserSdk(fakeFetch([]), { win }).sdk.getUserUuid();
  assert.equal(win.localStorage.getItem("a_track_uuid"), first);
  assert.match(win.document.cookie, new RegExp("a_track_uuid=" + first));
  assert.equal(browserSdk(fakeFetch([]), { win }).sdk.getUserUuid(), first);
  // localStorage cleared (or unavailable): the cookie still knows the visitor.
  win.localStorage.removeItem("a_track_uuid");
  assert.equal(browserSdk(fakeFetch([]), { win, storage: null }).sdk.getUserUuid(), first);
});

test("init with a known uuid adopts and stores it; reset forgets it", async () => {
  const { sdk, win, clock } = browserSdk(fakeFetch([undefined]));
  const pending = sdk.init({ uuid: UUID.toUpperCase() });
  await clock.run();
  await pending;
  assert.equal(sdk.getUserUuid(), UUID);
  assert.equal(win.localStorage.getItem("a_track_uuid"), UUID);
  sdk.reset();
  assert.notEqual(sdk.getUserUuid(), UUID);
});

test("calls in one tick go out together through /batch, in order", async () => {
  const fetch = fakeFetch([undefined]);
  const { sdk, clock } = browserSdk(fetch);
  const all = Promise.all([
    sdk.init(),
    sdk.setAttributes({ plan: "pro" }),
    sdk.track("checkout_started", { cart_value: 129.99 }),
    sdk.track({ event: "other", uuid: UUID }),
  ]);
  await clock.run();
  const results = await all;
  assert.equal(fetch.calls.length, 1);
  const call = fetch.calls[0];
  assert.equal(call.url, ENDPOINT + "/batch");
  assert.deepEqual(call.body.batch.map((i) => i.type), ["init", "attributes", "event", "event"]);
  const uuid = sdk.getUserUuid();
  assert.equal(call.body.batch[1].uuid, uuid);
  assert.equal(call.body.batch[1].replace, false);
  assert.equal(call.body.batch[2].uuid, uuid);
  assert.equal(call.body.batch[3].uuid, UUID); // the uuid override
  assert.ok(call.body.batch[2].id && call.body.batch[2].sent_at && call.body.batch[2].timestamp);
  assert.ok(results.every((r) => r.success));
});

test("track(event, attrs, null) falls back to the visitor's uuid", async () => {
  const fetch = fakeFetch([undefined]);
  const { sdk, clock } = browserSdk(fetch);
  const pending = sdk.track("checkout_started", { step: "payment" }, null);
  await clock.run();
  await pending;
  assert.equal(fetch.calls[0].body.uuid, sdk.getUserUuid());
});

test("an item the service refuses rejects alone", async () => {
  const fetch = fakeFetch([
    (call) =>
      response(200, {
        success: false,
        queued: false,
        results: [
          { success: true, uuid: call.body.batch[0].uuid, queued: false },
          { success: false, error: { code: "invalid_payload", message: "bad", fields: { event: ["required"] } } },
        ],
      }),
  ]);
  const errors = [];
  const { sdk, clock } = browserSdk(fetch, { onError: (e) => errors.push(e) });
  const ok = sdk.track("fine");
  const bad = sdk.track("");
  const checked = assert.rejects(bad, (error) => error instanceof ATrackError && error.fields.event[0] === "required");
  await clock.run();
  assert.equal((await ok).success, true);
  await checked;
  assert.equal(errors.length, 1);
  assert.equal(sdk.pending(), 0);
});

test("network errors park the queue in localStorage and retry with back-off; ids stay", async () => {
  const fetch = fakeFetch([new TypeError("Failed to fetch"), response(502, "bad gateway"), undefined]);
  const { sdk, win, clock } = browserSdk(fetch, { retryBaseMs: 1000 });
  const result = sdk.track("checkout_started");
  await clock.run(0);
  assert.deepEqual(await result, { success: true, uuid: sdk.getUserUuid(), queued: true, pending: true });
  assert.equal(queued(win).length, 1);
  assert.equal(fetch.calls.length, 1);
  const [delay] = clock.pending();
  assert.ok(delay >= 500 && delay <= 1000, `delay ${delay}`);
  await clock.run(1000);
  assert.equal(fetch.calls.length, 2);
  const [second] = clock.pending();
  assert.ok(second >= 1000 && second <= 2000, `second delay ${second}`);
  await clock.run();
  assert.equal(fetch.calls.length, 3);
  assert.equal(new Set(fetch.calls.map((c) => c.body.id)).size, 1);
  assert.equal(queued(win).length, 0);
  assert.equal(sdk.pending(), 0);
});

test("429 waits for Retry-After", async () => {
  const fetch = fakeFetch([
    response(429, { success: false, error: { code: "rate_limited", message: "slow" } }, { "Retry-After": "3" }),
    undefined,
  ]);
  const { sdk, clock } = browserSdk(fetch);
  sdk.track("a");
  await clock.run(0);
  assert.deepEqual(clock.pending(), [3000]);
  await clock.run();
  assert.equal(fetch.calls.length, 2);
});

test("offline: nothing is sent until the browser is back online", async () => {
  const fetch = fakeFetch([undefined]);
  const win = fakeWindow();
  win.navigator.onLine = false;
  const { sdk, clock } = browserSdk(fetch, { win });
  const results = [sdk.track("a"), sdk.track("b")];
  await clock.run(0);
  assert.equal(fetch.calls.length, 0);
  assert.ok((await results[0]).pending);
  win.navigator.onLine = true;
  win.dispatch("online");
  await clock.run(0);
  assert.equal(fetch.calls.length, 1);
  assert.deepEqual(fetch.calls[0].body.batch.map((i) => i.event), ["a", "b"]);
  assert.equal(sdk.pending(), 0);
});

test("a page that closed with a queue hands it to the next page", async () => {
  const win = fakeWindow();
  win.navigator.onLine = false;
  const first = browserSdk(fakeFetch([]), { win });
  first.sdk.track("kept");
  await first.clock.run(0);
  win.dispatch("pagehide"); // offline: no beacon, the queue stays stored (closed)
  assert.equal(win.navigator.beacons.length, 0);
  const id = queued(win)[0].body.id;
  win.navigator.onLine = true;
  const fetch = fakeFetch([undefined]);
  const second = browserSdk(fetch, { win });
  await second.clock.run();
  assert.equal(fetch.calls.length, 1);
  assert.equal(fetch.calls[0].body.id, id);
  assert.equal(fetch.calls[0].body.event, "kept");
  assert.equal(queued(win).length, 0);
});

test("pagehide hands the queue to sendBeacon with the key in the URL", async () => {
  const fetch = fakeFetch([]);
  const { sdk, win } = browserSdk(fetch, { flushInterval: 60000 });
  const results = [sdk.track("a", { n: 1 }), sdk.setAttributes({ plan: "pro" })];
  await settle();
  win.dispatch("pagehide");
  assert.equal(fetch.calls.length, 0);
  assert.equal(win.navigator.beacons.length, 1);
  const { url, blob } = win.navigator.beacons[0];
  assert.equal(url, ENDPOINT + "/batch?key=atk_pub_test");
  assert.match(blob.type, /^text\/plain/);
  const body = JSON.parse(await blob.text());
  assert.deepEqual(body.batch.map((i) => i.type), ["event", "attributes"]);
  assert.ok((await results[0]).beacon);
  assert.equal(sdk.pending(), 0);
  assert.equal(queued(win).length, 0);
});

test("without sendBeacon a keepalive fetch carries the flush", async () => {
  const fetch = fakeFetch([undefined]);
  const win = fakeWindow();
  delete win.navigator.sendBeacon;
  const { sdk } = browserSdk(fetch, { win, flushInterval: 60000 });
  sdk.track("a");
  await settle();
  win.document.visibilityState = "hidden";
  win.document.dispatch("visibilitychange");
  assert.equal(fetch.calls.length, 1);
  assert.equal(fetch.calls[0].init.keepalive, true);
  assert.equal(fetch.calls[0].url, ENDPOINT + "/batch?key=atk_pub_test");
  assert.equal(fetch.calls[0].init.headers["content-type"], "text/plain;charset=UTF-8");
});

test("a 413 on a batch sends the items one by one", async () => {
  const fetch = fakeFetch([response(413, { success: false, error: { code: "payload_too_large", message: "big" } })]);
  const { sdk, clock } = browserSdk(fetch);
  const all = Promise.all([sdk.track("a"), sdk.track("b")]);
  await clock.run();
  await all;
  assert.deepEqual(fetch.calls.map((c) => new URL(c.url).pathname), ["/batch", "/event", "/event"]);
});

test("a full queue drops the oldest item", async () => {
  const { sdk, clock } = browserSdk(fakeFetch([]), { maxQueue: 2, flushInterval: 60000 });
  const first = sdk.track("1");
  sdk.track("2");
  sdk.track("3");
  await assert.rejects(first, (e) => e.code === "queue_full");
  assert.equal(sdk.pending(), 2);
  sdk.shutdown();
  await clock.run(0);
});

test("flush() resolves once the queue is empty", async () => {
  const fetch = fakeFetch([undefined]);
  const { sdk } = browserSdk(fetch, { flushInterval: 60000, setTimeout, clearTimeout });
  sdk.track("a");
  await sdk.flush();
  assert.equal(fetch.calls.length, 1);
  assert.equal(sdk.pending(), 0);
  sdk.shutdown();
});

test("init sends the high-entropy client hints navigator.userAgentData gives", async () => {
  const win = fakeWindow();
  const asked = [];
  win.navigator.userAgentData = {
    brands: [{ brand: "Google Chrome", version: "124" }],
    mobile: true,
    platform: "Android",
    getHighEntropyValues(names) {
      asked.push(...names);
      return Promise.resolve({
        brands: this.brands, mobile: true, platform: "Android", platformVersion: "14.0.0",
        model: "Pixel 8", fullVersionList: [{ brand: "Google Chrome", version: "124.0.6367.179" }],
      });
    },
  };
  const fetch = fakeFetch([undefined]);
  const { sdk, clock } = browserSdk(fetch, { win });
  const pending = sdk.init();
  await clock.run();
  await pending;
  assert.deepEqual(asked, ["platformVersion", "model", "fullVersionList"]);
  assert.deepEqual(fetch.calls[0].body.context.client.userAgentData, {
    brands: [{ brand: "Google Chrome", version: "124" }],
    mobile: true,
    platform: "Android",
    platformVersion: "14.0.0",
    model: "Pixel 8",
    fullVersionList: [{ brand: "Google Chrome", version: "124.0.6367.179" }],
  });
});

test("a browser that never answers the hints request still sends init, with the low-entropy hints", async () => {
  const win = fakeWindow();
  win.navigator.userAgentData = {
    brands: [{ brand: "Chromium", version: "124" }], mobile: false, platform: "Windows",
    getHighEntropyValues: () => new Promise(() => {}),
  };
  const fetch = fakeFetch([undefined]);
  const { sdk, clock } = browserSdk(fetch, { win });
  const pending = sdk.init();
  await clock.run();
  await pending;
  assert.deepEqual(fetch.calls[0].body.context.client.userAgentData, {
    brands: [{ brand: "Chromium", version: "124" }], mobile: false, platform: "Windows",
  });
});

test("clientHintsFrom picks the Sec-CH-UA headers out of a server request", () => {
  const { clientHintsFrom } = require("../src/atrack.js");
  const hints = clientHintsFrom({
    "user-agent": "x", "sec-ch-ua-platform": '"Windows"', "sec-ch-ua-platform-version": '"15.0.0"',
  });
  assert.deepEqual(hints, { "sec-ch-ua-platform": '"Windows"', "sec-ch-ua-platform-version": '"15.0.0"' });
  assert.equal(clientHintsFrom({ "user-agent": "x" }), undefined);
});
