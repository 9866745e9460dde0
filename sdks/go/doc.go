// Package atrack is the official Go SDK of A-TRACK: sessions, attributes, events and the
// read API of an A-TRACK service, with retries, typed errors and an optional batching mode.
//
//	sdk := atrack.New(atrack.Options{PublicKey: "atk_pub_..."}) // endpoint: $ATRACK_ENDPOINT
//	result, err := sdk.Init(&atrack.InitPayload{
//		Context: &atrack.Context{URL: &atrack.URLContext{Href: fullURL, Raw: rawURL}},
//	})
//	err = sdk.Track(atrack.EventPayload{UUID: result.UUID, Event: "checkout_started"})
//
// Every call has a variant taking a context.Context (InitContext, TrackContext...).
// A Client is safe for concurrent use by many goroutines; reuse one per process.
// The package uses the standard library only.
package atrack
