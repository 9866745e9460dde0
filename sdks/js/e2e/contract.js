"use strict";
// Plays the contract cases (sdks/contract/cases, format in sdks/contract/README.md) with the
// Node.js SDK against a service started by sdks/contract/serve.py. Prints one JSON line:
// {"passed": [files], "failures": {file: message}, "expected_failures": {file: message}}
// (a case marked "expected_failure" that fails is listed there, not under failures).
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const { createATrackNodeSdk } = require("../src/node.js");

const service = JSON.parse(process.env.ATRACK_CONTRACT_SERVICE);
const casesDir = process.env.ATRACK_CONTRACT_CASES;
const INVALID_KEY = "atk_pub_0000000000000000000000000000000000000000";
const TARGETS = { service: "endpoint", limited: "limited_endpoint", proxy: "proxy_endpoint" };
// The mechanical HTTP form of an SDK call, for calls this SDK has no method for.
const OP_PATHS = { batch: "/batch" };

function fill(value, state) {
  if (Array.isArray(value)) return value.map((v) => fill(v, state));
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[fill(k, state)] = fill(v, state);
    return out;
  }
  if (typeof value !== "string") return value;
  return value.replace(/\{\{(\w+)(?::([^}]*))?\}\}/g, (_, name, arg) => {
    if (name === "uuid" || name === "UUID") {
      if (!state.uuids[arg]) state.uuids[arg] = crypto.randomUUID();
      return name === "UUID" ? state.uuids[arg].toUpperCase() : state.uuids[arg];
    }
    if (name === "var") return String(state.vars[arg]);
    if (name === "pad") return "x".repeat(Number(arg));
    if (name === "invalid_key") return INVALID_KEY;
    return String(service[name]);
  });
}

async function post(url, body, headers) {
  const response = await fetch(url, { method: "POST", body, headers });
  const text = await response.text();
  const got = {};
  response.headers.forEach((v, k) => (got[k.toLowerCase()] = v));
  return { status: response.status, body: text ? JSON.parse(text) : null, headers: got };
}

async function call(endpoint, step) {
  const key = step.key || "both";
  const sdk = createATrackNodeSdk({
    publicKey: key === "invalid" ? INVALID_KEY : service.public_key,
    secretKey: key === "both" ? service.secret_key : undefined,
    endpoint,
    maxRetries: step.retries == null ? 4 : step.retries,
  });
  const { op, args = {} } = step.call;
  try {
    let result;
    if (op === "init" || op === "track") result = await sdk[op](args.payload);
    else if (op === "set_attributes") result = await sdk.setAttributes(args.attributes, args.replace, args.uuid);
    else if (op === "session_show") result = await sdk.sessionShow(args.uuid, { events_limit: args.events_limit, sort: args.sort });
    else if (op === "event_show") result = await sdk.eventShow(args);
    else if (op === "delete_session") result = await sdk.deleteSession(args.uuid);
    else {
      const raw = await post(endpoint + OP_PATHS[op], JSON.stringify({ batch: args.items }), {
        "content-type": "application/json",
        "x-a-track-key": service.public_key,
      });
      return raw.status < 300 ? { status: 200, body: raw.body, headers: {} } : {
        status: raw.status, headers: {}, body: { code: raw.body.error.code, fields: raw.body.error.fields, retry_after: raw.headers["retry-after"] },
      };
    }
    return { status: 200, body: result, headers: {} };
  } catch (error) {
    if (error.name !== "ATrackError") throw error;
    return { status: error.status, headers: {}, body: { code: error.code, fields: error.fields, retry_after: error.retryAfter } };
  }
}

const MATCHERS = {
  "<any>": () => true,
  "<string>": (v) => typeof v === "string",
  "<int>": (v) => Number.isInteger(typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v),
  "<number>": (v) => typeof v === "number",
  "<uuid>": (v) => typeof v === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v),
  "<timestamp>": (v) => typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(v),
};

function match(expected, actual, where) {
  const fail = (what) => { throw new Error(`${where}: ${what}`); };
  if (typeof expected === "string" && MATCHERS[expected]) {
    if (!MATCHERS[expected](actual)) fail(`${JSON.stringify(actual)} is not ${expected}`);
  } else if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) fail(`expected an array, got ${JSON.stringify(actual)}`);
    if (actual.length !== expected.length) fail(`${actual.length} items, not ${expected.length}`);
    expected.forEach((want, i) => match(want, actual[i], `${where}[${i}]`));
  } else if (expected && typeof expected === "object") {
    if (!actual || typeof actual !== "object") fail(`expected an object, got ${JSON.stringify(actual)}`);
    for (const [k, v] of Object.entries(expected)) {
      if (v === "<absent>") { if (k in actual) fail(`${k} should be absent`); continue; }
      if (!(k in actual)) fail(`${k} is missing`);
      match(v, actual[k], `${where}.${k}`);
    }
  } else if (where.startsWith("header")) {
    if (String(actual).split(";")[0].trim() !== expected) fail(`${actual} != ${expected}`);
  } else if (expected !== actual) {
    fail(`${JSON.stringify(actual)} != ${JSON.stringify(expected)}`);
  }
}

function check(expect, got, elapsedMs, isCall) {
  const wanted = isCall && expect.status < 300 ? 200 : expect.status;
  if (got.status !== wanted) throw new Error(`expected ${wanted}, got ${got.status} ${JSON.stringify(got.body)}`);
  const error = isCall ? got.body : got.body && got.body.error;
  if (expect.error && error.code !== expect.error) throw new Error(`expected error ${expect.error}, got ${error.code}`);
  for (const field of expect.fields || []) {
    if (!(error.fields && field in error.fields)) throw new Error(`no message for field ${field}`);
  }
  if (expect.retry_after && got.body.retry_after == null) throw new Error("no retry_after on the error");
  for (const [name, pattern] of Object.entries(expect.headers || {})) {
    if (!(name in got.headers)) throw new Error(`no header ${name}`);
    match(pattern, got.headers[name], `header ${name}`);
  }
  if ("json" in expect) match(expect.json, got.body, "body");
  if (elapsedMs < (expect.min_elapsed_ms || 0)) throw new Error(`took only ${elapsedMs} ms`);
}

async function playCase(spec) {
  const state = { uuids: {}, vars: {} };
  for (const [index, raw] of spec.steps.entries()) {
    const step = fill(raw, state);
    try {
      const endpoint = service[TARGETS[step.target || "service"]];
      if (step.fault) await post(service.fault_url, JSON.stringify(step.fault), {});
      let got, elapsedMs;
      for (let attempt = 0; attempt < (step.attempts || 1); attempt++) {
        const started = Date.now();
        if (step.http) {
          const body = step.http.raw_body != null ? step.http.raw_body : JSON.stringify(step.http.body);
          got = await post(endpoint + step.http.path, body, step.http.headers || {});
        } else {
          got = await call(endpoint, step);
        }
        elapsedMs = Date.now() - started;
        if (got.status === (step.call && step.expect.status < 300 ? 200 : step.expect.status)) break;
      }
      check(step.expect, got, elapsedMs, !!step.call);
      for (const [name, p] of Object.entries(step.save || {})) {
        state.vars[name] = p.split(".").reduce((v, part) => v[part], got.body);
      }
    } catch (error) {
      throw new Error(`step ${index + 1} (${step.name}): ${error.message}`);
    }
  }
}

(async () => {
  const out = { passed: [], failures: {}, expected_failures: {} };
  for (const file of fs.readdirSync(casesDir).filter((f) => f.endsWith(".json")).sort()) {
    const spec = JSON.parse(fs.readFileSync(path.join(casesDir, file), "utf8"));
    try {
      await playCase(spec);
      out.passed.push(file);
    } catch (error) {
      if (spec.expected_failure) out.expected_failures[file] = error.message;
      else out.failures[file] = error.message;
    }
  }
  console.log(JSON.stringify(out));
})();
