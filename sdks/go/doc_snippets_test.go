package atrack_test

// The documentation's Go examples, copied verbatim from the public documentation
// (shared/seed/a-track-documentation.txt) in the order it shows them: the three
// "Real-Life Examples" steps, then Init, Set Attributes and Track Event.
// TestDocSnippetsAreTheDocumentationsText checks they are still its text, word for word.
var docSnippets = map[string]string{
	"real_life_1_init": `sdk := atrack.New(atrack.Options{
    PublicKey: "your_public_key",
})

_, err := sdk.Init(&atrack.InitPayload{
    Context: &atrack.Context{
        URL: &atrack.URLContext{
            Href:      "https://a-track.io/pricing?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&gclid=gclid_123&fbclid=fbclid_123",
            Raw:       "/pricing?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&gclid=gclid_123&fbclid=fbclid_123",
            SourceURL: "https://partner.example.com/blog/first-touch",
        },
    },
})`,
	"real_life_2_read_uuid": `result, err := sdk.Init(&atrack.InitPayload{
    Context: &atrack.Context{
        URL: &atrack.URLContext{
            Href: fullURL,
            Raw:  rawURL,
        },
    },
})

generatedUUID := result.UUID`,
	"real_life_3_track": `err := sdk.Track(atrack.EventPayload{
    UUID:  generatedUUID,
    Event: "checkout_started",
    Attributes: atrack.Attributes{
        "cart_value": 129.99,
        "currency":   "USD",
        "step":       "payment",
    },
})`,
	"init": `sdk := atrack.New(atrack.Options{
    PublicKey: "your_public_key",
})

result, err := sdk.Init(&atrack.InitPayload{
    UUID: knownUUID,
    Context: &atrack.Context{
        URL: &atrack.URLContext{
            Href: fullURL,
            Raw:  rawURL,
        },
    },
})`,
	"set_attributes": `_, err := sdk.SetAttributes(atrack.Attributes{
    "plan":        "pro",
    "signup_step": "landing",
}, false)`,
	"track": `err := sdk.Track(atrack.EventPayload{
    UUID:  knownUUID,
    Event: "checkout_started",
    Attributes: atrack.Attributes{
        "cart_value": 129.99,
        "currency":   "USD",
    },
})`,
}
