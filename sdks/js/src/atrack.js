/*! A-TRACK SDK v0.1.0 | browser and Node.js | one file, no dependencies | MIT */
/*
 * Browser:  <script src="https://YOUR-A-TRACK-HOST/sdk/atrack.js"></script>
 *           const sdk = createATrackSdk({ publicKey: "atk_pub_..." });
 * Node.js:  const { createATrackNodeSdk } = require("@a-track/sdk");
 *           const sdk = createATrackNodeSdk({ publicKey: "atk_pub_...", endpoint: "https://..." });
 *
 * The same file is the package's CommonJS entry and the script the service serves at
 * /sdk/atrack.js: loaded by a <script> tag it defines `createATrackSdk`,
 * `createATrackNodeSdk` and `ATrack` on the page.
 */
(function (root, factory) {
  "use strict";
  var api = factory(root);
  if (typeof module === "object" && module && module.exports) {
    module.exports = api;
  } else if (root) {
    root.ATrack = api;
    root.createATrackSdk = api.createATrackSdk;
    root.createATrackNodeSdk = api.createATrackNodeSdk;
  }
})(
  typeof globalThis !== "undefined" ? globalThis : typeof self !== "undefined" ? self : this,
  function (root) {
    "use strict";

    var VERSION = "0.1.0";
    var UUID_KEY = "a_track_uuid";
    var QUEUE_PREFIX = "a_track_queue:";
    var UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    var MAX_BATCH_ITEMS = 100;
    var MAX_BATCH_BYTES = 500 * 1024; // the service takes 512 KiB per /batch
    var MAX_BEACON_BYTES = 60 * 1024; // browsers cap beacons/keepalive at 64 KiB in flight
    var ORPHAN_MS = 5 * 60 * 1000; // a queue whose page has not touched it for this long is adopted
    var HEARTBEAT_MS = 30 * 1000;

    // The endpoint a browser page loaded this script from (the service serves it itself).
    var SCRIPT_ORIGIN = (function () {
      try {
        var script = root.document && root.document.currentScript;
        if (script && script.src) return new URL(script.src, root.location.href).origin;
      } catch (e) {
        /* not in a browser */
      }
      return null;
    })();

    // ---------------------------------------------------------------- helpers

    function ATrackError(message, details) {
      var error = new Error(message);
      Object.setPrototypeOf(error, ATrackError.prototype);
      details = details || {};
      error.name = "ATrackError";
      error.status = details.status || 0; // 0: no HTTP answer (network error, timeout)
      error.code = details.code || "error";
      error.fields = details.fields || null;
      error.retryAfter = details.retryAfter == null ? null : details.retryAfter; // seconds
      error.retryable = !!details.retryable;
      error.body = details.body == null ? null : details.body;
      return error;
    }
    ATrackError.prototype = Object.create(Error.prototype);
    ATrackError.prototype.constructor = ATrackError;

    function assign(target) {
      for (var i = 1; i < arguments.length; i++) {
        var source = arguments[i];
        if (source) {
          for (var key in source) {
            if (Object.prototype.hasOwnProperty.call(source, key) && source[key] !== undefined) {
              target[key] = source[key];
            }
          }
        }
      }
      return target;
    }

    function isObject(value) {
      return value !== null && typeof value === "object" && !Array.isArray(value);
    }

    function uuid4() {
      var c = root.crypto;
      if (c && typeof c.randomUUID === "function") {
        try {
          return c.randomUUID();
        } catch (e) {
          /* insecure context: fall through */
        }
      }
      var bytes = new Array(16);
      var random = null;
      if (c && typeof c.getRandomValues === "function") random = c.getRandomValues(new Uint8Array(16));
      for (var i = 0; i < 16; i++) bytes[i] = random ? random[i] : Math.floor(Math.random() * 256);
      bytes[6] = (bytes[6] & 0x0f) | 0x40;
      bytes[8] = (bytes[8] & 0x3f) | 0x80;
      var hex = bytes.map(function (b) {
        return (b + 0x100).toString(16).slice(1);
      });
      return (
        hex.slice(0, 4).join("") + "-" + hex.slice(4, 6).join("") + "-" + hex.slice(6, 8).join("") +
        "-" + hex.slice(8, 10).join("") + "-" + hex.slice(10, 16).join("")
      );
    }

    function isUuid(value) {
      return typeof value === "string" && UUID_RE.test(value);
    }

    function nowIso() {
      return new Date().toISOString();
    }

    function hash(text) {
      var h = 5381;
      for (var i = 0; i < text.length; i++) h = ((h << 5) + h + text.charCodeAt(i)) | 0;
      return (h >>> 0).toString(36);
    }

    /** Retry-After (delta seconds or an HTTP date) in seconds, or null. */
    function parseRetryAfter(value) {
      if (value == null || value === "") return null;
      var seconds = Number(value);
      if (!isNaN(seconds)) return Math.max(0, seconds);
      var date = Date.parse(value);
      if (!isNaN(date)) return Math.max(0, (date - Date.now()) / 1000);
      return null;
    }

    function retryableStatus(status) {
      return status === 408 || status === 429 || status >= 500;
    }

    /** Exponential back-off with jitter (half fixed, half random), in ms. */
    function backoffMs(attempt, baseMs, maxMs) {
      var ceiling = Math.min(maxMs, baseMs * Math.pow(2, Math.max(0, attempt - 1)));
      return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    }

    function config(options, defaultEndpoint) {
      options = options || {};
      var endpoint = options.endpoint || defaultEndpoint;
      if (!options.publicKey && !options.secretKey) {
        throw new TypeError("A-TRACK: publicKey is required.");
      }
      if (!endpoint) {
        throw new TypeError(
          "A-TRACK: endpoint is required (the base URL of your A-TRACK service)."
        );
      }
      var fetchImpl = options.fetch || (typeof root.fetch === "function" ? root.fetch.bind(root) : null);
      if (!fetchImpl) throw new TypeError("A-TRACK: no fetch() here; pass options.fetch.");
      return {
        publicKey: options.publicKey || null,
        secretKey: options.secretKey || null,
        endpoint: String(endpoint).replace(/\/+$/, ""),
        fetch: fetchImpl,
        timeoutMs: options.timeoutMs == null ? 10000 : options.timeoutMs,
        maxRetries: options.maxRetries == null ? 4 : options.maxRetries,
        retryBaseMs: options.retryBaseMs == null ? 500 : options.retryBaseMs,
        retryMaxMs: options.retryMaxMs == null ? 30000 : options.retryMaxMs,
        maxRetryAfterMs: options.maxRetryAfterMs == null ? 5 * 60 * 1000 : options.maxRetryAfterMs,
        synchronous: options.synchronous === true,
        headers: options.headers || null,
        setTimeout: options.setTimeout || root.setTimeout.bind(root),
        clearTimeout: options.clearTimeout || root.clearTimeout.bind(root),
        onError: typeof options.onError === "function" ? options.onError : null,
      };
    }

    /**
     * One HTTP attempt. Resolves {status, data, retryAfter} for any HTTP answer; rejects
     * an ATrackError with status 0 when there was none (network error, timeout).
     */
    function httpPost(cfg, path, body, key) {
      var controller = typeof AbortController === "function" ? new AbortController() : null;
      var timer = null;
      var headers = assign({ "content-type": "application/json" }, cfg.headers);
      headers["x-a-track-key"] = key;
      var init = { method: "POST", headers: headers, body: JSON.stringify(body) };
      if (controller) init.signal = controller.signal;
      if (typeof window !== "undefined") init.credentials = "omit";
      var attempt = new Promise(function (resolve) {
        resolve(cfg.fetch(cfg.endpoint + path, init));
      });
      var timeout = new Promise(function (_, reject) {
        if (!cfg.timeoutMs) return;
        timer = cfg.setTimeout(function () {
          if (controller) controller.abort();
          reject(ATrackError("A-TRACK request timed out.", { code: "timeout", retryable: true }));
        }, cfg.timeoutMs);
      });
      return Promise.race([attempt, timeout])
        .then(
          function (response) {
            return Promise.resolve(response.text ? response.text() : "").then(function (text) {
              var data = null;
              try {
                data = text ? JSON.parse(text) : null;
              } catch (e) {
                data = null;
              }
              var get = response.headers && response.headers.get;
              return {
                status: response.status,
                data: data,
                retryAfter: parseRetryAfter(get ? response.headers.get("retry-after") : null),
              };
            });
          },
          function (error) {
            if (error && error.name === "ATrackError") throw error;
            throw ATrackError("A-TRACK request failed: " + ((error && error.message) || error), {
              code: "network_error",
              retryable: true,
            });
          }
        )
        .then(
          function (result) {
            if (timer !== null) cfg.clearTimeout(timer);
            return result;
          },
          function (error) {
            if (timer !== null) cfg.clearTimeout(timer);
            throw error;
          }
        );
    }

    /** The ATrackError an unsuccessful HTTP answer stands for. */
    function errorFrom(result) {
      var error = (result.data && result.data.error) || {};
      return ATrackError(error.message || "A-TRACK answered HTTP " + result.status + ".", {
        status: result.status,
        code: error.code || "http_" + result.status,
        fields: error.fields || null,
        retryAfter: result.retryAfter,
        retryable: retryableStatus(result.status),
        body: result.data,
      });
    }

    function sleep(cfg, ms) {
      return new Promise(function (resolve) {
        cfg.setTimeout(resolve, ms);
      });
    }

    function retryDelayMs(cfg, attempt, retryAfter) {
      if (retryAfter != null) return Math.min(cfg.maxRetryAfterMs, Math.ceil(retryAfter * 1000));
      return backoffMs(attempt, cfg.retryBaseMs, cfg.retryMaxMs);
    }

    /** POST with retries on network errors, 408, 429 and 5xx; the parsed body or an ATrackError. */
    function postWithRetry(cfg, path, bodyFor, key) {
      var attempt = 0;
      function run() {
        attempt += 1;
        return httpPost(cfg, path, bodyFor(), key).then(
          function (result) {
            if (result.status >= 200 && result.status < 300) return result.data;
            var error = errorFrom(result);
            if (error.retryable && attempt <= cfg.maxRetries) {
              return sleep(cfg, retryDelayMs(cfg, attempt, result.retryAfter)).then(run);
            }
            throw error;
          },
          function (error) {
            if (error.retryable && attempt <= cfg.maxRetries) {
              return sleep(cfg, retryDelayMs(cfg, attempt, null)).then(run);
            }
            throw error;
          }
        );
      }
      return run();
    }

    function eventBody(args, currentUuid) {
      var payload;
      if (isObject(args[0])) {
        payload = assign({}, args[0]);
      } else {
        payload = { event: args[0], attributes: args[1] };
        if (args[2]) payload.uuid = args[2];
      }
      if (!payload.uuid) payload.uuid = currentUuid();
      if (payload.attributes == null) delete payload.attributes;
      if (!payload.timestamp) payload.timestamp = nowIso();
      if (payload.id == null) payload.id = uuid4(); // the service stores one event per id
      return payload;
    }

    function readsApi(cfg, currentUuid) {
      function read(path, body) {
        var key = cfg.secretKey || cfg.publicKey;
        return postWithRetry(cfg, path, function () {
          return body;
        }, key);
      }
      return {
        /** POST /session/show (needs the secret key). */
        sessionShow: function (uuid, options) {
          if (isObject(uuid)) return read("/session/show", assign({}, uuid));
          return read("/session/show", assign({ uuid: uuid || currentUuid() }, options));
        },
        /** POST /event/show (needs the secret key). */
        eventShow: function (nameOrQuery, options) {
          var body = isObject(nameOrQuery) ? assign({}, nameOrQuery) : assign({ name: nameOrQuery }, options);
          return read("/event/show", body);
        },
        /** POST /session/delete (needs the secret key). */
        deleteSession: function (uuid) {
          return read("/session/delete", { uuid: uuid || currentUuid() });
        },
      };
    }

    // ------------------------------------------------------------------- Node

    /**
     * The server-side SDK: every call is one HTTP request (retried on network errors,
     * 408, 429 honouring Retry-After, and 5xx) that resolves with the service's answer.
     */
    var CLIENT_HINT_HEADERS = [
      "sec-ch-ua",
      "sec-ch-ua-mobile",
      "sec-ch-ua-platform",
      "sec-ch-ua-platform-version",
      "sec-ch-ua-model",
      "sec-ch-ua-full-version-list",
    ];

    /**
     * The visitor's client-hint headers (Sec-CH-UA-*) out of a server's incoming request
     * headers (Node's lower-case `req.headers`, or a Fetch `Headers`), for
     * `context.client.clientHints`. Undefined when there are none.
     */
    function clientHintsFrom(headers) {
      if (!headers) return undefined;
      var out = {};
      CLIENT_HINT_HEADERS.forEach(function (name) {
        var value = typeof headers.get === "function" ? headers.get(name) : headers[name];
        if (Array.isArray(value)) value = value.join(", ");
        if (typeof value === "string" && value) out[name] = value;
      });
      return Object.keys(out).length ? out : undefined;
    }

    function createATrackNodeSdk(options) {
      var env = typeof process !== "undefined" && process.env ? process.env : {};
      var cfg = config(options, env.ATRACK_ENDPOINT);
      // Says this is a server, so the service never takes it for the visitor's browser.
      cfg.headers = assign({ "user-agent": "atrack-sdk-node/" + VERSION }, cfg.headers);
      var state = { uuid: (options && options.uuid) || null };
      function currentUuid() {
        return state.uuid;
      }
      function write(path, body) {
        if (cfg.synchronous && body.synchronous === undefined) body.synchronous = true;
        return postWithRetry(cfg, path, function () {
          if (path === "/event") body.sent_at = nowIso(); // lets the service correct clock skew
          return body;
        }, cfg.publicKey || cfg.secretKey);
      }
      var sdk = {
        version: VERSION,
        /** POST /init. Without a uuid one is generated here, so a retried init is one session. */
        init: function (payload) {
          var body = assign({}, payload);
          if (!body.uuid) body.uuid = uuid4();
          return write("/init", body).then(function (data) {
            state.uuid = data && isUuid(data.uuid) ? data.uuid : body.uuid;
            return data;
          });
        },
        /** POST /attributes for the current (or the given) session. */
        setAttributes: function (attributes, replace, uuid) {
          return write("/attributes", {
            uuid: uuid || state.uuid,
            attributes: attributes || {},
            replace: replace === true,
          });
        },
        /** POST /event: track({uuid, event, attributes}) or track(event, attributes, uuid). */
        track: function () {
          return write("/event", eventBody(arguments, currentUuid));
        },
        /** The UUID of the last init (or of the `uuid` option). */
        getUserUuid: function () {
          return state.uuid;
        },
        setUserUuid: function (uuid) {
          state.uuid = uuid;
        },
        flush: function () {
          return Promise.resolve();
        },
        shutdown: function () {
          return Promise.resolve();
        },
      };
      return assign(sdk, readsApi(cfg, currentUuid));
    }

    // ---------------------------------------------------------------- browser

    function safeStorage(win) {
      try {
        var storage = win && win.localStorage;
        if (!storage) return null;
        var probe = "a_track_probe";
        storage.setItem(probe, "1");
        storage.removeItem(probe);
        return storage;
      } catch (e) {
        return null; // disabled, full, or a sandboxed frame
      }
    }

    function readCookie(doc, name) {
      try {
        var parts = String(doc.cookie || "").split(/;\s*/);
        for (var i = 0; i < parts.length; i++) {
          var eq = parts[i].indexOf("=");
          if (eq > 0 && parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
        }
      } catch (e) {
        /* no cookies */
      }
      return null;
    }

    function writeCookie(doc, win, name, value, domain) {
      try {
        var secure = win.location && win.location.protocol === "https:" ? "; Secure" : "";
        var scope = domain ? "; Domain=" + domain : "";
        doc.cookie =
          name + "=" + encodeURIComponent(value) + "; Path=/; Max-Age=63072000; SameSite=Lax" + scope + secure;
      } catch (e) {
        /* no cookies */
      }
    }

    function definedOnly(source) {
      var out = {};
      for (var key in source) {
        var value = source[key];
        if (value !== undefined && value !== null && value !== "" && !(typeof value === "number" && isNaN(value))) {
          out[key] = value;
        }
      }
      return out;
    }

    // User-Agent Client Hints asked of navigator.userAgentData (Chromium browsers): what the
    // reduced UA string no longer says (Windows 11, the Android model, the full version).
    var HIGH_ENTROPY_HINTS = ["platformVersion", "model", "fullVersionList"];
    var HINTS_WAIT_MS = 500;

    /** userAgentData's fields as the service reads them (brands, mobile, platform, ...). */
    function userAgentData(data) {
      if (!data) return undefined;
      var brandList = function (list) {
        if (!list || typeof list.length !== "number") return undefined;
        return Array.prototype.map.call(list, function (b) {
          return { brand: String(b.brand), version: String(b.version) };
        });
      };
      var out = definedOnly({
        brands: brandList(data.brands),
        mobile: typeof data.mobile === "boolean" ? data.mobile : undefined,
        platform: data.platform,
        platformVersion: data.platformVersion,
        model: data.model,
        fullVersionList: brandList(data.fullVersionList),
      });
      return Object.keys(out).length ? out : undefined;
    }

    /**
     * Client hints: the low-entropy ones at once; the high-entropy ones when the browser
     * answers (within HINTS_WAIT_MS; sending waits for them that long at most).
     */
    function clientHints(nav, setTimer) {
      var hints = { value: userAgentData(nav.userAgentData), pending: null };
      var uad = nav.userAgentData;
      if (!uad || typeof uad.getHighEntropyValues !== "function") return hints;
      try {
        var asked = Promise.resolve(uad.getHighEntropyValues(HIGH_ENTROPY_HINTS)).then(
          function (values) {
            hints.value = userAgentData(values) || hints.value;
          },
          function () {
            /* refused: keep the low-entropy values */
          }
        );
        var timeout = new Promise(function (resolve) {
          setTimer(resolve, HINTS_WAIT_MS);
        });
        hints.pending = Promise.race([asked, timeout]).then(function () {
          hints.pending = null;
        });
      } catch (e) {
        hints.pending = null;
      }
      return hints;
    }

    /** The client fields and URL parts the documentation lists as auto-captured. */
    function captureContext(win) {
      var nav = win.navigator || {};
      var scr = win.screen || {};
      var loc = win.location || {};
      var doc = win.document || {};
      var conn = nav.connection || nav.mozConnection || nav.webkitConnection || {};
      var intl = {};
      try {
        intl = Intl.DateTimeFormat().resolvedOptions();
      } catch (e) {
        intl = {};
      }
      var ratio = typeof win.devicePixelRatio === "number" ? win.devicePixelRatio : undefined;
      var physical = function (css) {
        return typeof css === "number" ? Math.round(css * (ratio || 1)) : undefined;
      };
      var platform = nav.userAgentData && nav.userAgentData.platform ? nav.userAgentData.platform : nav.platform;
      var client = definedOnly({
        userAgent: nav.userAgent,
        locale: nav.language || intl.locale,
        language: nav.language,
        languages: nav.languages && nav.languages.length ? Array.prototype.slice.call(nav.languages) : undefined,
        timezone: intl.timeZone,
        timezoneOffsetMinutes: new Date().getTimezoneOffset(),
        platform: platform,
        screenWidth: physical(scr.width),
        screenHeight: physical(scr.height),
        viewportWidth: win.innerWidth,
        viewportHeight: win.innerHeight,
        pixelRatio: ratio,
        colorDepth: scr.colorDepth,
        cookiesEnabled: typeof nav.cookieEnabled === "boolean" ? nav.cookieEnabled : undefined,
        touchPoints: typeof nav.maxTouchPoints === "number" ? nav.maxTouchPoints : undefined,
        deviceMemoryGb: nav.deviceMemory,
        hardwareConcurrency: nav.hardwareConcurrency,
        connectionType: conn.type,
        connectionEffectiveType: conn.effectiveType,
        connectionDownlinkMbps: conn.downlink,
        connectionRttMs: conn.rtt,
      });
      var url = definedOnly({
        href: loc.href,
        raw: (loc.pathname || "") + (loc.search || ""),
        path: loc.pathname,
        query: loc.search,
        hash: loc.hash,
        referer: doc.referrer,
      });
      return { url: url, client: client };
    }

    /** path, query, hash (and raw) of the URL the caller gave, parsed against the page's. */
    function urlParts(given, win) {
      try {
        var base = (win.location && win.location.href) || "http://localhost/";
        var parsed = new URL(String(given.href || given.raw), base);
        return definedOnly({
          raw: parsed.pathname + parsed.search,
          path: parsed.pathname,
          query: parsed.search,
          hash: parsed.hash,
        });
      } catch (e) {
        return {};
      }
    }

    /**
     * The browser SDK. Writes go through a queue kept in memory and in localStorage: they
     * are sent in order (several at once through /batch), retried with back-off on network
     * errors, 408, 429 (honouring Retry-After) and 5xx, held while the browser is offline,
     * and flushed with sendBeacon (or a keepalive fetch) when the page is hidden or left.
     */
    function createATrackSdk(options) {
      options = options || {};
      var win = options.window || (typeof window !== "undefined" ? window : root);
      var cfg = config(options, (win && win.ATRACK_ENDPOINT) || SCRIPT_ORIGIN);
      var storage = options.storage === undefined ? safeStorage(win) : options.storage;
      var doc = win.document || null;
      var nav = win.navigator || {};
      var useCookie = options.cookie !== false && !!doc;
      var autoCapture = options.autoCapture !== false;
      var batchSize = Math.min(MAX_BATCH_ITEMS, Math.max(1, options.batchSize || 50));
      var flushInterval = options.flushInterval == null ? 0 : options.flushInterval;
      var maxQueue = options.maxQueue || 1000;
      var tag = hash(cfg.endpoint + "|" + cfg.publicKey);
      var queueKey = QUEUE_PREFIX + tag + ":" + uuid4();
      var hints = autoCapture ? clientHints(nav, cfg.setTimeout) : { value: undefined, pending: null };

      var state = {
        uuid: null,
        items: [], // {qid, type, body, t}
        waiters: {}, // qid -> {resolve, reject}: settled on delivery, or when parked for a retry
        sending: false,
        attempt: 0, // consecutive failed attempts of the head of the queue
        retryTimer: null,
        flushTimer: null,
        heartbeat: null,
        splitBatches: false,
        idle: [], // resolvers of flush() promises
        closed: false,
        listeners: [],
      };

      function report(error) {
        if (cfg.onError) {
          try {
            cfg.onError(error);
          } catch (e) {
            /* the callback's own error */
          }
        }
      }

      // ----- identity
      function persistUuid(uuid) {
        if (storage) {
          try {
            storage.setItem(UUID_KEY, uuid);
          } catch (e) {
            /* full or disabled: the cookie keeps it */
          }
        }
        if (useCookie) writeCookie(doc, win, UUID_KEY, uuid, options.cookieDomain);
      }

      function storedUuid() {
        var value = null;
        if (storage) {
          try {
            value = storage.getItem(UUID_KEY);
          } catch (e) {
            value = null;
          }
        }
        if (!isUuid(value) && useCookie) value = readCookie(doc, UUID_KEY);
        return isUuid(value) ? value.toLowerCase() : null;
      }

      function getUserUuid() {
        if (!state.uuid) {
          state.uuid = options.uuid && isUuid(options.uuid) ? options.uuid.toLowerCase() : storedUuid();
          if (!state.uuid) state.uuid = uuid4();
          persistUuid(state.uuid);
        }
        return state.uuid;
      }

      function setUserUuid(uuid) {
        if (!isUuid(uuid)) throw new TypeError("A-TRACK: not a UUID: " + uuid);
        state.uuid = uuid.toLowerCase();
        persistUuid(state.uuid);
        return state.uuid;
      }

      // ----- durable queue
      function snapshot(closed) {
        return JSON.stringify({
          hb: Date.now(),
          closed: !!closed,
          items: state.items.map(function (item) {
            return { qid: item.qid, type: item.type, body: item.body, t: item.t };
          }),
        });
      }

      function persist(closed) {
        if (!storage) return;
        try {
          if (state.items.length) storage.setItem(queueKey, snapshot(closed));
          else storage.removeItem(queueKey);
        } catch (e) {
          /* storage full: the memory queue still holds the items */
        }
      }

      /** Take over the queues of pages that were closed or died, so nothing is lost. */
      function adoptOrphans() {
        if (!storage) return;
        var prefix = QUEUE_PREFIX + tag + ":";
        var keys = [];
        try {
          for (var i = 0; i < storage.length; i++) {
            var key = storage.key(i);
            if (key && key.indexOf(prefix) === 0 && key !== queueKey) keys.push(key);
          }
        } catch (e) {
          return;
        }
        var adopted = [];
        keys.forEach(function (key) {
          try {
            var record = JSON.parse(storage.getItem(key) || "null");
            if (!record || !(record.closed || Date.now() - record.hb > ORPHAN_MS)) return;
            storage.removeItem(key);
            (record.items || []).forEach(function (item) {
              if (item && item.type && isObject(item.body)) adopted.push(item);
            });
          } catch (e) {
            /* a broken record: leave it */
          }
        });
        adopted.sort(function (a, b) {
          return (a.t || 0) - (b.t || 0);
        });
        state.items = adopted.concat(state.items);
      }

      function settle(qid, ok, value) {
        var waiter = state.waiters[qid];
        if (!waiter) return;
        delete state.waiters[qid];
        if (ok) waiter.resolve(value);
        else waiter.reject(value);
      }

      function remove(qids) {
        var drop = {};
        qids.forEach(function (qid) {
          drop[qid] = true;
        });
        state.items = state.items.filter(function (item) {
          return !drop[item.qid];
        });
      }

      function enqueue(type, body, wantsHints) {
        if (cfg.synchronous && body.synchronous === undefined) body.synchronous = true;
        var item = { qid: uuid4(), type: type, body: body, t: Date.now() };
        if (wantsHints) item.hints = true;
        var promise = new Promise(function (resolve, reject) {
          state.waiters[item.qid] = { resolve: resolve, reject: reject };
        });
        state.items.push(item);
        while (state.items.length > maxQueue) {
          var dropped = state.items.shift();
          var error = ATrackError("A-TRACK queue is full; the oldest item was dropped.", { code: "queue_full" });
          report(error);
          settle(dropped.qid, false, error);
        }
        persist(false);
        scheduleFlush();
        return promise;
      }

      function scheduleFlush() {
        if (state.flushTimer !== null || state.retryTimer !== null || state.closed) return;
        state.flushTimer = cfg.setTimeout(function () {
          state.flushTimer = null;
          flush();
        }, flushInterval);
      }

      function wire(item) {
        var body = assign({}, item.body);
        if (item.type === "event") body.sent_at = nowIso(); // lets the service correct clock skew
        if (item.type === "init" && item.hints && hints.value) {
          // Sent with the high-entropy hints that arrived after init() was called.
          var client = assign({ userAgentData: hints.value }, body.context.client);
          body.context = assign(assign({}, body.context), { client: client });
        }
        return body;
      }

      function takeBatch(limitBytes, limitItems) {
        var picked = [];
        var size = 20;
        for (var i = 0; i < state.items.length && picked.length < limitItems; i++) {
          var item = state.items[i];
          var entry = assign({ type: item.type }, wire(item));
          var bytes = JSON.stringify(entry).length + 1;
          if (picked.length && size + bytes > limitBytes) break;
          picked.push({ item: item, entry: entry });
          size += bytes;
        }
        return picked;
      }

      function offline() {
        return nav && nav.onLine === false;
      }

      function notifyIdle() {
        if (state.items.length && !state.closed) return;
        var idle = state.idle;
        state.idle = [];
        idle.forEach(function (resolve) {
          resolve();
        });
      }

      function parkForRetry(picked, retryAfter, error) {
        state.attempt += 1;
        var delay = retryDelayMs(cfg, state.attempt, retryAfter);
        picked.forEach(function (p) {
          // The write is safe in the durable queue: the caller need not wait for the network.
          settle(p.item.qid, true, { success: true, uuid: p.item.body.uuid, queued: true, pending: true });
        });
        report(error);
        if (state.retryTimer !== null) cfg.clearTimeout(state.retryTimer);
        state.retryTimer = cfg.setTimeout(function () {
          state.retryTimer = null;
          flush();
        }, delay);
        var idle = state.idle;
        state.idle = [];
        idle.forEach(function (resolve) {
          resolve();
        });
      }

      function deliverOne(picked) {
        var item = picked[0].item;
        var path = "/" + item.type;
        return httpPost(cfg, path, wire(item), cfg.publicKey).then(function (result) {
          if (result.status >= 200 && result.status < 300) {
            remove([item.qid]);
            settle(item.qid, true, result.data);
            return true;
          }
          var error = errorFrom(result);
          if (error.retryable) return parkForRetry(picked, result.retryAfter, error);
          remove([item.qid]);
          report(error);
          settle(item.qid, false, error);
          return true;
        });
      }

      function deliverBatch(picked) {
        var body = {
          batch: picked.map(function (p) {
            return p.entry;
          }),
        };
        if (cfg.synchronous) body.synchronous = true;
        return httpPost(cfg, "/batch", body, cfg.publicKey).then(function (result) {
          var qids = picked.map(function (p) {
            return p.item.qid;
          });
          if (result.status >= 200 && result.status < 300) {
            var results = (result.data && result.data.results) || [];
            remove(qids);
            picked.forEach(function (p, i) {
              var outcome = results[i] || { success: true, uuid: p.item.body.uuid, queued: !!result.data.queued };
              if (outcome.success) {
                settle(p.item.qid, true, outcome);
              } else {
                var error = errorFrom({ status: 400, data: outcome, retryAfter: null });
                report(error);
                settle(p.item.qid, false, error);
              }
            });
            return true;
          }
          if (result.status === 413) {
            state.splitBatches = true; // send these one by one
            return true;
          }
          var error = errorFrom(result);
          if (error.retryable) return parkForRetry(picked, result.retryAfter, error);
          remove(qids);
          report(error);
          picked.forEach(function (p) {
            settle(p.item.qid, false, error);
          });
          return true;
        });
      }

      /** Send what is queued; resolves when the queue is empty or waiting to retry. */
      function flush() {
        var done = new Promise(function (resolve) {
          state.idle.push(resolve);
        });
        pump();
        return done;
      }

      function pump() {
        if (state.sending || state.closed) return notifyIdle();
        if (!state.items.length) return notifyIdle();
        if (hints.pending) {
          hints.pending.then(pump);
          return;
        }
        if (state.retryTimer !== null) {
          var idle = state.idle;
          state.idle = [];
          idle.forEach(function (resolve) {
            resolve();
          });
          return;
        }
        if (offline()) {
          return parkForRetry(takeBatch(MAX_BATCH_BYTES, batchSize), null,
            ATrackError("A-TRACK: the browser is offline.", { code: "offline", retryable: true }));
        }
        var limit = state.splitBatches ? 1 : batchSize;
        var picked = takeBatch(MAX_BATCH_BYTES, limit);
        state.sending = true;
        var send = picked.length === 1 ? deliverOne(picked) : deliverBatch(picked);
        send
          .then(
            function (progressed) {
              if (progressed === true) state.attempt = 0;
            },
            function (error) {
              parkForRetry(picked, null, error);
            }
          )
          .then(function () {
            state.sending = false;
            if (!state.items.length) state.splitBatches = false;
            persist(false);
            pump();
          });
      }

      function retryNow() {
        if (state.retryTimer !== null) {
          cfg.clearTimeout(state.retryTimer);
          state.retryTimer = null;
        }
        state.attempt = 0;
        flush();
      }

      /** Hand what is queued to sendBeacon (or a keepalive fetch): the page is going away. */
      function flushWithBeacon() {
        if (!state.items.length || offline()) {
          persist(true);
          return;
        }
        var url = cfg.endpoint + "/batch?key=" + encodeURIComponent(cfg.publicKey);
        var rounds = 0;
        while (state.items.length && rounds < 10) {
          rounds += 1;
          var picked = takeBatch(MAX_BEACON_BYTES, MAX_BATCH_ITEMS);
          var json = JSON.stringify({
            batch: picked.map(function (p) {
              return p.entry;
            }),
          });
          if (json.length > MAX_BEACON_BYTES) break; // one item too big: keep it for next time
          var sent = false;
          try {
            if (typeof nav.sendBeacon === "function" && typeof Blob === "function") {
              sent = nav.sendBeacon(url, new Blob([json], { type: "text/plain;charset=UTF-8" }));
            }
          } catch (e) {
            sent = false;
          }
          if (!sent) {
            try {
              cfg.fetch(url, {
                method: "POST",
                body: json,
                keepalive: true,
                credentials: "omit",
                headers: { "content-type": "text/plain;charset=UTF-8" },
              }).catch(function () {});
              sent = true;
            } catch (e) {
              sent = false;
            }
          }
          if (!sent) break;
          remove(
            picked.map(function (p) {
              return p.item.qid;
            })
          );
          picked.forEach(function (p) {
            settle(p.item.qid, true, { success: true, uuid: p.item.body.uuid, queued: true, beacon: true });
          });
        }
        persist(true);
      }

      function listen(target, type, handler) {
        if (!target || typeof target.addEventListener !== "function") return;
        target.addEventListener(type, handler);
        state.listeners.push(function () {
          target.removeEventListener(type, handler);
        });
      }

      // ----- start up
      adoptOrphans();
      persist(false);
      if (state.items.length) scheduleFlush();
      listen(win, "pagehide", flushWithBeacon);
      listen(doc, "visibilitychange", function () {
        if (doc.visibilityState === "hidden") flushWithBeacon();
        else persist(false); // visible again: the stored queue is this page's again
      });
      listen(win, "pageshow", function (event) {
        if (event && event.persisted) persist(false); // back from the bfcache: the queue is ours again
      });
      listen(win, "online", retryNow);
      if (storage && typeof win.setInterval === "function") {
        state.heartbeat = win.setInterval(function () {
          if (state.items.length) persist(false);
        }, HEARTBEAT_MS);
      }

      var sdk = {
        version: VERSION,
        /**
         * POST /init with the page's URL and client context auto-captured (what you pass
         * wins). Uses (or creates and stores) the visitor's UUID.
         */
        init: function (payload) {
          var body = assign({}, payload);
          if (body.uuid) setUserUuid(body.uuid);
          body.uuid = getUserUuid();
          var context = assign({}, body.context);
          if (autoCapture) {
            var auto = captureContext(win);
            var given = isObject(context.url) ? context.url : {};
            // A URL the caller names (href or raw) is the URL: its parts, not the page's.
            var url = given.href || given.raw ? urlParts(given, win) : auto.url;
            if (auto.url.referer) url.referer = auto.url.referer;
            context.url = assign(url, given);
            context.client = assign(auto.client, context.client);
          }
          body.context = context;
          var wantsHints = autoCapture && !(isObject(context.client) && context.client.userAgentData);
          return enqueue("init", body, wantsHints);
        },
        /** POST /attributes: merge (or with replace=true, replace) the session's attributes. */
        setAttributes: function (attributes, replace, uuid) {
          return enqueue("attributes", {
            uuid: uuid || getUserUuid(),
            attributes: attributes || {},
            replace: replace === true,
          });
        },
        /** POST /event: track(event, attributes, uuidOverride) or track({event, attributes, uuid}). */
        track: function () {
          return enqueue("event", eventBody(arguments, getUserUuid));
        },
        getUserUuid: getUserUuid,
        setUserUuid: setUserUuid,
        /** Forget the visitor (on log-out): the next call starts a new UUID. */
        reset: function () {
          state.uuid = null;
          if (storage) {
            try {
              storage.removeItem(UUID_KEY);
            } catch (e) {
              /* ignore */
            }
          }
          if (useCookie) {
            try {
              doc.cookie = UUID_KEY + "=; Path=/; Max-Age=0";
            } catch (e) {
              /* ignore */
            }
          }
        },
        /** Send what is queued now (a pending retry is brought forward). */
        flush: function () {
          if (state.retryTimer !== null) {
            cfg.clearTimeout(state.retryTimer);
            state.retryTimer = null;
            state.attempt = 0;
          }
          return flush();
        },
        /** How many writes wait in the queue. */
        pending: function () {
          return state.items.length;
        },
        /** Stop timers and listeners; what is queued stays stored for the next page. */
        shutdown: function () {
          state.closed = true;
          if (state.flushTimer !== null) cfg.clearTimeout(state.flushTimer);
          if (state.retryTimer !== null) cfg.clearTimeout(state.retryTimer);
          if (state.heartbeat !== null) win.clearInterval(state.heartbeat);
          state.listeners.forEach(function (off) {
            off();
          });
          state.listeners = [];
          persist(true);
          notifyIdle();
        },
        _flushWithBeacon: flushWithBeacon,
      };
      return assign(sdk, readsApi(cfg, getUserUuid));
    }

    return {
      VERSION: VERSION,
      version: VERSION,
      createATrackSdk: createATrackSdk,
      createATrackNodeSdk: createATrackNodeSdk,
      clientHintsFrom: clientHintsFrom,
      ATrackError: ATrackError,
      _internals: {
        captureContext: captureContext,
        parseRetryAfter: parseRetryAfter,
        backoffMs: backoffMs,
        uuid4: uuid4,
      },
    };
  }
);
