"""The documentation's JavaScript, Node.js and Python examples, copied verbatim.

Source: the public documentation (shared/seed/a-track-documentation.txt), in the order it
shows them: the three "Real-Life Examples" steps, then Init, Set Attributes and Track
Event. `test_doc_snippets.py` checks they are still the documentation's text, word for
word, and runs them against a live service with only the key and the endpoint changed.
"""

from __future__ import annotations

JS_SNIPPETS: dict[str, str] = {
    "real_life_1_init": """\
const sdk = createATrackSdk({
  publicKey: "your_public_key"
});

await sdk.init({
  context: {
    url: {
      href: "https://a-track.io/pricing?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&gclid=gclid_123&fbclid=fbclid_123",
      raw: "/pricing?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&gclid=gclid_123&fbclid=fbclid_123",
      source_url: "https://partner.example.com/blog/first-touch",
      referer: document.referrer
    }
  }
});
""",
    "real_life_2_read_uuid": """\
const initResult = await sdk.init({
  context: {
    url: {
      href: window.location.href,
      raw: window.location.pathname + window.location.search
    }
  }
});

const generatedUuid = initResult.uuid || sdk.getUserUuid();
localStorage.setItem("a_track_uuid", generatedUuid);
""",
    "real_life_3_track": """\
const savedUuid = localStorage.getItem("a_track_uuid");

await sdk.track("checkout_started", {
  cart_value: 129.99,
  currency: "USD",
  step: "payment"
}, savedUuid);
""",
    "init": """\
const sdk = createATrackSdk({
  publicKey: "your_public_key"
});

const result = await sdk.init({
  context: {
    url: {
      href: window.location.href,
      raw: window.location.pathname + window.location.search,
      source_url: document.referrer
    }
  }
});

console.log(result.uuid);
""",
    "set_attributes": """\
await sdk.setAttributes({
  plan: "pro",
  signup_step: "landing",
  custom_flags: { beta: true }
});
""",
    "track": """\
await sdk.track("checkout_started", {
  cart_value: 129.99,
  currency: "USD"
});
""",
}

NODE_SNIPPETS: dict[str, str] = {
    "real_life_1_init": """\
const sdk = createATrackNodeSdk({
  publicKey: "your_public_key"
});

await sdk.init({
  context: {
    url: {
      href: "https://a-track.io" + req.url,
      raw: req.url,
      source_url: "https://partner.example.com/blog/first-touch",
      referer: req.headers.referer
    },
    client: {
      ipAddress: req.ip,
      userAgent: req.headers["user-agent"]
    }
  }
});
""",
    "real_life_2_read_uuid": """\
const initResult = await sdk.init({
  context: {
    url: {
      href: "https://a-track.io" + req.url,
      raw: req.url
    }
  }
});

const generatedUuid = initResult.uuid || sdk.getUserUuid();
""",
    "real_life_3_track": """\
await sdk.track({
  uuid: savedUuid,
  event: "checkout_started",
  attributes: {
    cart_value: 129.99,
    currency: "USD",
    step: "payment"
  }
});
""",
    "init": """\
const sdk = createATrackNodeSdk({
  publicKey: "your_public_key"
});

const result = await sdk.init({
  uuid: req.userUuid,
  context: {
    url: {
      href: "https://a-track.io" + req.url,
      raw: req.url,
      referer: req.headers.referer
    },
    client: {
      ipAddress: req.ip,
      userAgent: req.headers["user-agent"]
    }
  }
});
""",
    "set_attributes": """\
await sdk.setAttributes({
  plan: "pro",
  signup_step: "landing"
}, false);
""",
    "track": """\
await sdk.track({
  event: "checkout_started",
  uuid: knownUuid,
  attributes: {
    cart_value: 129.99,
    currency: "USD"
  }
});
""",
}

PYTHON_SNIPPETS: dict[str, str] = {
    "real_life_1_init": """\
sdk = ATrackClient(public_key="your_public_key")

sdk.init({
    "context": {
        "url": {
            "href": "https://a-track.io/pricing?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&gclid=gclid_123&fbclid=fbclid_123",
            "raw": "/pricing?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&gclid=gclid_123&fbclid=fbclid_123",
            "source_url": "https://partner.example.com/blog/first-touch",
            "referer": "https://google.com/",
        }
    }
})
""",
    "real_life_2_read_uuid": """\
init_result = sdk.init({
    "context": {
        "url": {
            "href": full_url,
            "raw": raw_url,
        }
    }
})

generated_uuid = init_result["uuid"]
""",
    "real_life_3_track": """\
sdk.track({
    "uuid": generated_uuid,
    "event": "checkout_started",
    "attributes": {
        "cart_value": 129.99,
        "currency": "USD",
        "step": "payment",
    },
})
""",
    "init": """\
sdk = ATrackClient(public_key="your_public_key")

result = sdk.init({
    "uuid": known_uuid,
    "context": {
        "url": {
            "href": full_url,
            "raw": raw_url,
            "referer": referer,
        },
        "client": {
            "ipAddress": ip_address,
            "userAgent": user_agent,
        },
    },
})
""",
    "set_attributes": """\
sdk.set_attributes({
    "plan": "pro",
    "signup_step": "landing",
    "custom_flags": {"beta": True},
})
""",
    "track": """\
sdk.track({
    "event": "checkout_started",
    "uuid": known_uuid,
    "attributes": {
        "cart_value": 129.99,
        "currency": "USD",
    },
})
""",
}
