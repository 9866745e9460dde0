"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { createATrackNodeSdk, ATrackError } = require("../src/node.js");
const { response, fakeFetch, manualClock } = require("./helpers.js");

const UUID = "b19412c6-6a91-4e18-890d-e2269a0d1249";
const ENDPOINT = "https://track.example";

function sdkWith(fetch, extra = {}) {
  const clock = manualClock();
  const sdk = createATrackNodeSdk({
    publicKey: "atk_pub_test",
    endpoint: ENDPOINT + "/",
    fetch,
    timeoutMs: 0,
    setTimeout: (fn, ms) => {
      clock.delays.push(ms);
      return setImmediate(fn);
    },
    clearTimeout: () => {},
    ...extra,
  });
  return { sdk, clock };
}

test("init posts /init with the key header and a generated uuid, and remembers it", async () => {
  const fetch = fakeFetch([undefined]);
  const { sdk } = sdkWith(fetch);
  const result = await sdk.init({ context: { url: { href: "https://a-track.io/x", raw: "/x" } } });
  const [call] = fetch.calls;
  assert.equal(call.url, ENDPOINT + "/init");
  assert.equal(call.init.method, "POST");
  assert.equal(call.init.headers["x-a-track-key"], "atk_pub_test");
  assert.equal(call.init.headers["content-type"], "application/json");
  assert.match(call.body.uuid, /^[0-9a-f-]{36}$/);
  assert.equal(call.body.context.url.raw, "/x");
  assert.equal(result.uuid, call.body.uuid);
  assert.equal(sdk.getUserUuid(), call.body.uuid);
});

test("init keeps a known uuid and drops undefined fields", async () => {
  const fetch = fakeFetch([undefined]);
  const { sdk } = sdkWith(fetch);
  await sdk.init({ uuid: UUID, context: { url: { referer: undefined, raw: "/" } } });
  assert.equal(fetch.calls[0].body.uuid, UUID);
  assert.deepEqual(fetch.calls[0].body.context.url, { raw: "/" });
});

test("track takes the documented object shape and adds an id, timestamp and sent_at", async () => {
  const fetch = fakeFetch([undefined, undefined]);
  const { sdk } = sdkWith(fetch);
  await sdk.track({ uuid: UUID, event: "checkout_started", attributes: { cart_value: 129.99 } });
  await sdk.track("signup", { plan: "pro" }, UUID);
  const [first, second] = fetch.calls.map((c) => c.body);
  assert.equal(fetch.calls[0].url, ENDPOINT + "/event");
  assert.equal(first.uuid, UUID);
  assert.equal(first.event, "checkout_started");
  assert.deepEqual(first.attributes, { cart_value: 129.99 });
  assert.ok(first.id && first.id !== second.id);
  assert.ok(!Number.isNaN(Date.parse(first.timestamp)));
  assert.ok(!Number.isNaN(Date.parse(first.sent_at)));
  assert.equal(second.event, "signup");
  assert.equal(second.uuid, UUID);
});

test("setAttributes uses the uuid of the last init, with replace", async () => {
  const fetch = fakeFetch([undefined, undefined, undefined]);
  const { sdk } = sdkWith(fetch);
  await sdk.init({ uuid: UUID });
  await sdk.setAttributes({ plan: "pro" }, false);
  await sdk.setAttributes({ plan: "team" }, true);
  assert.deepEqual(fetch.calls[1].body, { uuid: UUID, attributes: { plan: "pro" }, replace: false });
  assert.equal(fetch.calls[2].body.replace, true);
  assert.equal(fetch.calls[1].url, ENDPOINT + "/attributes");
});

test("5xx and network errors are retried with back-off, keeping the event id", async () => {
  const fetch = fakeFetch([
    response(503, { success: false, error: { code: "unavailable", message: "later" } }),
    new TypeError("fetch failed"),
    undefined,
  ]);
  const { sdk, clock } = sdkWith(fetch, { retryBaseMs: 100, retryMaxMs: 1000 });
  const result = await sdk.track({ uuid: UUID, event: "e" });
  assert.equal(result.success, true);
  assert.equal(fetch.calls.length, 3);
  const ids = new Set(fetch.calls.map((c) => c.body.id));
  assert.equal(ids.size, 1);
  assert.ok(clock.delays[0] >= 50 && clock.delays[0] <= 100, `first delay ${clock.delays[0]}`);
  assert.ok(clock.delays[1] >= 100 && clock.delays[1] <= 200, `second delay ${clock.delays[1]}`);
});

test("429 honours Retry-After", async () => {
  const fetch = fakeFetch([
    response(429, { success: false, error: { code: "rate_limited", message: "slow down" } }, { "Retry-After": "2" }),
    undefined,
  ]);
  const { sdk, clock } = sdkWith(fetch);
  await sdk.track({ uuid: UUID, event: "e" });
  assert.deepEqual(clock.delays, [2000]);
});

test("gives up after maxRetries with a typed error", async () => {
  const fetch = fakeFetch(() => new TypeError("offline"));
  const { sdk } = sdkWith(fetch, { maxRetries: 2, retryBaseMs: 1 });
  await assert.rejects(sdk.track({ uuid: UUID, event: "e" }), (error) => {
    assert.ok(error instanceof ATrackError);
    assert.equal(error.status, 0);
    assert.equal(error.code, "network_error");
    return true;
  });
  assert.equal(fetch.calls.length, 3);
});

test("a 400 is not retried and carries the field errors", async () => {
  const body = {
    success: false,
    error: { code: "invalid_payload", message: "bad", fields: { uuid: ["This field is required."] } },
  };
  const fetch = fakeFetch([response(400, body)]);
  const { sdk } = sdkWith(fetch);
  await assert.rejects(sdk.setAttributes({ a: 1 }), (error) => {
    assert.equal(error.status, 400);
    assert.equal(error.code, "invalid_payload");
    assert.deepEqual(error.fields, { uuid: ["This field is required."] });
    assert.equal(error.retryable, false);
    return true;
  });
  assert.equal(fetch.calls.length, 1);
});

test("a timeout aborts the request and is retried", async () => {
  let aborted = 0;
  const hang = (call) =>
    new Promise((_, reject) => call.init.signal.addEventListener("abort", () => (aborted++, reject(new Error("aborted")))));
  const fetch = fakeFetch([hang, undefined]);
  const sdk = createATrackNodeSdk({ publicKey: "k", endpoint: ENDPOINT, fetch, timeoutMs: 20, retryBaseMs: 1 });
  const result = await sdk.track({ uuid: UUID, event: "e" });
  assert.equal(result.success, true);
  assert.equal(aborted, 1);
});

test("the endpoint defaults to $ATRACK_ENDPOINT and is required", () => {
  const saved = process.env.ATRACK_ENDPOINT;
  try {
    delete process.env.ATRACK_ENDPOINT;
    assert.throws(() => createATrackNodeSdk({ publicKey: "k", fetch: fakeFetch([]) }), /endpoint/);
    process.env.ATRACK_ENDPOINT = "http://127.0.0.1:9";
    assert.ok(createATrackNodeSdk({ publicKey: "k", fetch: fakeFetch([]) }));
  } finally {
    if (saved === undefined) delete process.env.ATRACK_ENDPOINT;
    else process.env.ATRACK_ENDPOINT = saved;
  }
});

test("reads use the secret key", async () => {
  const fetch = fakeFetch([response(200, { success: true, data: {} }), response(200, { success: true, data: [] }), undefined]);
  const { sdk } = sdkWith(fetch, { secretKey: "atk_sec_x" });
  await sdk.sessionShow(UUID, { events_limit: 5 });
  await sdk.eventShow("checkout_started", { per_page: 10 });
  await sdk.deleteSession(UUID);
  assert.deepEqual(fetch.calls.map((c) => new URL(c.url).pathname), ["/session/show", "/event/show", "/session/delete"]);
  assert.ok(fetch.calls.every((c) => c.init.headers["x-a-track-key"] === "atk_sec_x"));
  assert.deepEqual(fetch.calls[0].body, { uuid: UUID, events_limit: 5 });
  assert.deepEqual(fetch.calls[1].body, { name: "checkout_started", per_page: 10 });
});

test("the ES module entry exports the same functions", async () => {
  const esm = await import("../src/index.mjs");
  assert.equal(esm.createATrackNodeSdk, createATrackNodeSdk);
  assert.equal(typeof esm.createATrackSdk, "function");
});
