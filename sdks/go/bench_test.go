package atrack_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	atrack "github.com/a-track-io/golang-sdk"
)

// BenchmarkTrackBatching is the SDK's own cost per event in batching mode (marshalling,
// queueing, /batch bodies, HTTP) against a server that answers at once; the service's
// side is measured by cmd/bench.
func BenchmarkTrackBatching(b *testing.B) {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"success":true,"queued":true,"results":[]}`)
	}))
	defer server.Close()
	sdk := atrack.New(atrack.Options{Endpoint: server.URL, PublicKey: "k", Batching: true,
		MaxQueueSize: b.N + 1, FlushInterval: 10 * time.Millisecond})
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			if err := sdk.Track(atrack.EventPayload{UUID: uuidA, Event: "page_view",
				Attributes: atrack.Attributes{"n": i, "path": "/pricing", "plan": "pro"}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	if err := sdk.Close(); err != nil {
		b.Fatal(err)
	}
}
