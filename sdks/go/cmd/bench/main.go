// Command bench measures the Go SDK's batching mode against a live A-TRACK service:
// events/s accepted (every Track answered by the service through /batch, Close
// returned) and the time until every one of them is stored (read back through
// /event/show's total).
//
//	go run ./cmd/bench -endpoint URL -public-key K -secret-key S [-events 200000]
//
// bench/sdk_batching_bench.py starts the service with the queue (sdks/contract/serve.py
// --queue) and runs this next to the Python SDK. One JSON line is printed.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	atrack "github.com/a-track-io/golang-sdk"
)

type result struct {
	SDK               string  `json:"sdk"`
	Events            int     `json:"events"`
	Sessions          int     `json:"sessions"`
	AcceptedSeconds   float64 `json:"accepted_seconds"`
	AcceptedPerSecond float64 `json:"accepted_per_second"`
	StoredSeconds     float64 `json:"stored_seconds"`
	Stored            int     `json:"stored"`
	Errors            int64   `json:"errors"`
}

func main() {
	endpoint := flag.String("endpoint", os.Getenv("ATRACK_ENDPOINT"), "service base URL")
	publicKey := flag.String("public-key", os.Getenv("ATRACK_PUBLIC_KEY"), "public key")
	secretKey := flag.String("secret-key", os.Getenv("ATRACK_SECRET_KEY"), "secret key (to count what was stored)")
	events := flag.Int("events", 200000, "events to track")
	sessions := flag.Int("sessions", 1000, "sessions the events are spread over")
	producers := flag.Int("producers", 8, "goroutines calling Track")
	senders := flag.Int("senders", 16, "concurrent /batch requests (Options.Senders)")
	storeTimeout := flag.Duration("store-timeout", 5*time.Minute, "how long to wait for every event to be stored")
	flag.Parse()
	if *endpoint == "" || *publicKey == "" || *secretKey == "" {
		fmt.Fprintln(os.Stderr, "bench: -endpoint, -public-key and -secret-key are required")
		os.Exit(2)
	}
	out, err := run(*endpoint, *publicKey, *secretKey, *events, *sessions, *producers, *senders, *storeTimeout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}

func run(endpoint, publicKey, secretKey string, events, sessions, producers, senders int, storeTimeout time.Duration) (*result, error) {
	reader := atrack.New(atrack.Options{Endpoint: endpoint, PublicKey: publicKey, SecretKey: secretKey})
	uuids, err := initSessions(reader, sessions)
	if err != nil {
		return nil, err
	}
	name := "bench_go_" + atrack.NewUUID()[:8] // this run's events alone carry this name
	var failures int64
	sdk := atrack.New(atrack.Options{
		Endpoint: endpoint, PublicKey: publicKey,
		Batching: true, BatchSize: 100, Senders: senders, MaxQueueSize: events,
		FlushInterval: 50 * time.Millisecond, ShutdownTimeout: 10 * time.Minute,
		OnError: func(err error, _ atrack.BatchItem) {
			if atomic.AddInt64(&failures, 1) <= 5 {
				fmt.Fprintln(os.Stderr, "bench: refused:", err)
			}
		},
	})
	started := time.Now()
	var wg sync.WaitGroup
	var next int64 = -1
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(atomic.AddInt64(&next, 1)); i < events; i = int(atomic.AddInt64(&next, 1)) {
				err := sdk.Track(atrack.EventPayload{
					UUID:       uuids[i%len(uuids)],
					Event:      name,
					Attributes: atrack.Attributes{"n": i, "path": "/pricing", "plan": "pro"},
				})
				if err != nil {
					atomic.AddInt64(&failures, 1)
				}
			}
		}()
	}
	wg.Wait()
	if err := sdk.Close(); err != nil {
		return nil, err
	}
	accepted := time.Since(started)
	stored, err := waitStored(reader, name, events, storeTimeout)
	if err != nil {
		return nil, err
	}
	return &result{
		SDK: "go", Events: events, Sessions: sessions,
		AcceptedSeconds:   accepted.Seconds(),
		AcceptedPerSecond: float64(events) / accepted.Seconds(),
		StoredSeconds:     time.Since(started).Seconds(),
		Stored:            stored,
		Errors:            atomic.LoadInt64(&failures),
	}, nil
}

// initSessions creates the sessions (through /batch) and waits until they are stored,
// so the run measures events on known sessions.
func initSessions(client *atrack.Client, n int) ([]string, error) {
	uuids := make([]string, n)
	for start := 0; start < n; start += 100 {
		var items []atrack.BatchItem
		for i := start; i < start+100 && i < n; i++ {
			uuids[i] = atrack.NewUUID()
			items = append(items, atrack.InitItem(&atrack.InitPayload{UUID: uuids[i]}))
		}
		if _, err := client.Batch(items); err != nil {
			return nil, err
		}
	}
	deadline := time.Now().Add(2 * time.Minute)
	for _, uuid := range []string{uuids[0], uuids[n-1]} {
		for {
			_, err := client.SessionShow(uuid, nil)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("session %s not stored: %w", uuid, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	return uuids, nil
}

func waitStored(client *atrack.Client, name string, want int, timeout time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		page, err := client.EventShowContext(ctx, atrack.EventQuery{Name: name, PerPage: 1})
		if err != nil {
			return 0, err
		}
		if page.Meta.Total >= want {
			return page.Meta.Total, nil
		}
		select {
		case <-ctx.Done():
			return page.Meta.Total, fmt.Errorf("only %d of %d events stored after %v", page.Meta.Total, want, timeout)
		case <-time.After(250 * time.Millisecond):
		}
	}
}
