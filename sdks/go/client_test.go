package atrack_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	atrack "github.com/a-track-io/golang-sdk"
)

// A scripted service: each request is recorded and answered by the next scripted reply
// (then by `fallback`).

type reply struct {
	status     int
	body       string
	retryAfter string
	delay      time.Duration
	hangUp     bool // close the connection without answering
}

type recorded struct {
	path   string
	header http.Header
	body   map[string]any
}

type scripted struct {
	mu       sync.Mutex
	replies  []reply
	fallback reply
	requests []recorded
	server   *httptest.Server
}

func newScripted(t *testing.T, replies ...reply) *scripted {
	s := &scripted{replies: replies, fallback: reply{status: 200, body: `{"success":true,"uuid":"b19412c6-6a91-4e18-890d-e2269a0d1249","queued":false}`}}
	s.server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.server.Close)
	return s
}

func (s *scripted) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	s.mu.Lock()
	s.requests = append(s.requests, recorded{path: r.URL.Path, header: r.Header.Clone(), body: body})
	next := s.fallback
	if len(s.replies) > 0 {
		next, s.replies = s.replies[0], s.replies[1:]
	}
	s.mu.Unlock()
	time.Sleep(next.delay)
	if next.hangUp {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
		return
	}
	if next.retryAfter != "" {
		w.Header().Set("Retry-After", next.retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(next.status)
	_, _ = io.WriteString(w, next.body)
}

func (s *scripted) seen() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.requests...)
}

func (s *scripted) client(t *testing.T, opts atrack.Options) *atrack.Client {
	t.Helper()
	opts.Endpoint = s.server.URL
	if opts.PublicKey == "" {
		opts.PublicKey = "atk_pub_test"
	}
	if opts.RetryBackoff == 0 {
		opts.RetryBackoff = 5 * time.Millisecond
	}
	client, err := atrack.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return client
}

const uuidA = "b19412c6-6a91-4e18-890d-e2269a0d1249"

func TestNewNeedsAnEndpoint(t *testing.T) {
	t.Setenv("ATRACK_ENDPOINT", "")
	if _, err := atrack.NewClient(atrack.Options{PublicKey: "k"}); !errors.Is(err, atrack.ErrNoEndpoint) {
		t.Fatalf("NewClient without an endpoint: %v", err)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "ATRACK_ENDPOINT") {
			t.Fatalf("New without an endpoint should panic naming ATRACK_ENDPOINT, got %v", r)
		}
	}()
	atrack.New(atrack.Options{PublicKey: "k"})
}

func TestEndpointComesFromTheEnvironment(t *testing.T) {
	s := newScripted(t)
	t.Setenv("ATRACK_ENDPOINT", s.server.URL+"/")
	sdk := atrack.New(atrack.Options{PublicKey: "atk_pub_env"})
	if _, err := sdk.Init(nil); err != nil {
		t.Fatal(err)
	}
	if got := s.seen(); len(got) != 1 || got[0].path != "/init" {
		t.Fatalf("requests %+v", got)
	}
}

func TestBadOptionsAreRefused(t *testing.T) {
	for _, opts := range []atrack.Options{
		{Endpoint: "ftp://x", PublicKey: "k"},
		{Endpoint: "not a url", PublicKey: "k"},
		{Endpoint: "http://127.0.0.1:1"},
	} {
		if _, err := atrack.NewClient(opts); err == nil {
			t.Errorf("NewClient(%+v) accepted", opts)
		}
	}
}

func TestHeadersAndKeys(t *testing.T) {
	s := newScripted(t)
	sdk := s.client(t, atrack.Options{PublicKey: "atk_pub_w", SecretKey: "atk_sec_r"})
	if _, err := sdk.Init(&atrack.InitPayload{UUID: uuidA}); err != nil {
		t.Fatal(err)
	}
	s.fallback = reply{status: 200, body: `{"success":true,"data":{"session":{"id":1,"uuid":"` + uuidA + `","url_data":{"query_all":{}},"created_at":"2026-04-12T01:52:35.000000Z","updated_at":"2026-04-12T01:52:35.000000Z"},"attributes":{},"events":[],"meta":{"uuid":"` + uuidA + `","events_limit":100,"events_count":0,"sort":"desc"}}}`}
	shown, err := sdk.SessionShow("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if shown.Data.Session.CreatedAt.Year() != 2026 || shown.Data.Session.Source != nil {
		t.Errorf("decoded session %+v", shown.Data.Session)
	}
	got := s.seen()
	if got[0].header.Get("x-a-track-key") != "atk_pub_w" || got[1].header.Get("x-a-track-key") != "atk_sec_r" {
		t.Errorf("keys: write %q read %q", got[0].header.Get("x-a-track-key"), got[1].header.Get("x-a-track-key"))
	}
	if ua := got[0].header.Get("User-Agent"); ua != "atrack-sdk-go/"+atrack.Version {
		t.Errorf("user agent %q", ua)
	}
	if got[1].body["uuid"] != uuidA {
		t.Errorf("SessionShow(\"\") should read the current session, sent %v", got[1].body)
	}
}

func TestInitWithoutUUIDMakesOneAndSetAttributesUsesIt(t *testing.T) {
	s := newScripted(t)
	sdk := s.client(t, atrack.Options{})
	if _, err := sdk.SetAttributes(atrack.Attributes{"plan": "pro"}, false); !errors.Is(err, atrack.ErrNoUUID) {
		t.Fatalf("SetAttributes before Init: %v", err)
	}
	s.fallback.body = `{"success":true,"queued":false}` // no uuid: the client's stays current
	_, _ = sdk.Init(&atrack.InitPayload{})
	made := s.seen()[0].body["uuid"].(string)
	if len(made) != 36 || sdk.GetUserUUID() == "" {
		t.Fatalf("init sent uuid %q, current %q", made, sdk.GetUserUUID())
	}
	if _, err := sdk.SetAttributes(atrack.Attributes{"plan": "pro"}, true); err != nil {
		t.Fatal(err)
	}
	body := s.seen()[1].body
	if body["uuid"] != sdk.GetUserUUID() || body["replace"] != true {
		t.Errorf("attributes body %v", body)
	}
}

func TestRetriesKeepTheEventIDAndHonourRetryAfter(t *testing.T) {
	s := newScripted(t,
		reply{status: 503, body: `{"success":false,"error":{"code":"unavailable","message":"busy"}}`, retryAfter: "1"},
		reply{hangUp: true},
		reply{status: 500, body: `oops`},
	)
	sdk := s.client(t, atrack.Options{})
	started := time.Now()
	if err := sdk.Track(atrack.EventPayload{UUID: uuidA, Event: "checkout_started"}); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(started); elapsed < time.Second {
		t.Errorf("retried after %v, before Retry-After (1 s)", elapsed)
	}
	got := s.seen()
	if len(got) != 4 {
		t.Fatalf("%d attempts, want 4", len(got))
	}
	for _, r := range got {
		if r.path != "/event" || (r.body["id"] != got[0].body["id"] || r.body["sent_at"] == nil || r.body["timestamp"] == nil) {
			t.Errorf("attempt body %v: want the same id, a timestamp and sent_at", r.body)
		}
	}
}

func TestErrorsAreTypedAndNotRetried(t *testing.T) {
	s := newScripted(t, reply{status: 400, body: `{"success":false,"error":{"code":"invalid_payload","message":"bad","fields":{"uuid":["Must be a valid UUID."]}}}`})
	sdk := s.client(t, atrack.Options{})
	err := sdk.Track(atrack.EventPayload{UUID: "nope", Event: "x"})
	var apiErr *atrack.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, atrack.ErrValidation) || errors.Is(err, atrack.ErrServer) {
		t.Fatalf("error %v", err)
	}
	if apiErr.Code != "invalid_payload" || apiErr.Message != "bad" || apiErr.Fields["uuid"][0] != "Must be a valid UUID." {
		t.Errorf("error fields %+v", apiErr)
	}
	if len(s.seen()) != 1 {
		t.Errorf("a 400 was retried: %d requests", len(s.seen()))
	}
}

func TestRetriesRunOut(t *testing.T) {
	s := newScripted(t)
	s.fallback = reply{status: 429, body: `{"success":false,"error":{"code":"rate_limited","message":"slow down"}}`, retryAfter: "0"}
	sdk := s.client(t, atrack.Options{MaxRetries: 2})
	err := sdk.Track(atrack.EventPayload{UUID: uuidA, Event: "x"})
	var apiErr *atrack.Error
	if !errors.As(err, &apiErr) || !errors.Is(err, atrack.ErrRateLimited) || !apiErr.HasRetryAfter {
		t.Fatalf("error %v", err)
	}
	if n := len(s.seen()); n != 3 {
		t.Errorf("%d attempts, want 1 + 2 retries", n)
	}
}

func TestTimeoutIsATransportError(t *testing.T) {
	s := newScripted(t, reply{status: 200, body: `{}`, delay: 300 * time.Millisecond})
	sdk := s.client(t, atrack.Options{Timeout: 50 * time.Millisecond, MaxRetries: atrack.NoRetries})
	_, err := sdk.Init(nil)
	var transport *atrack.TransportError
	if !errors.As(err, &transport) || !transport.Timeout {
		t.Fatalf("error %v, want a timeout", err)
	}
}

func TestContextCancelStopsTheRetryWait(t *testing.T) {
	s := newScripted(t)
	s.fallback = reply{status: 503, body: `{}`, retryAfter: "30"}
	sdk := s.client(t, atrack.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	started := time.Now()
	err := sdk.TrackContext(ctx, atrack.EventPayload{UUID: uuidA, Event: "x"})
	if !errors.Is(err, atrack.ErrUnavailable) || time.Since(started) > 5*time.Second {
		t.Fatalf("error %v after %v", err, time.Since(started))
	}
}

func batchReply(n int) reply {
	results := make([]string, n)
	for i := range results {
		results[i] = `{"success":true,"uuid":"` + uuidA + `","queued":true}`
	}
	return reply{status: 200, body: `{"success":true,"queued":true,"results":[` + strings.Join(results, ",") + `]}`}
}

func batchSizes(got []recorded) []int {
	var sizes []int
	for _, r := range got {
		sizes = append(sizes, len(r.body["batch"].([]any)))
	}
	return sizes
}

func TestBatchingFlushesOnSizeAndOnClose(t *testing.T) {
	s := newScripted(t)
	s.fallback = batchReply(0)
	sdk := s.client(t, atrack.Options{Batching: true, BatchSize: 10, Senders: 1, FlushInterval: time.Hour})
	for i := 0; i < 25; i++ {
		result, err := sdk.Init(&atrack.InitPayload{})
		if err != nil || !result.Queued || result.UUID == "" {
			t.Fatalf("queued init: %+v %v", result, err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(s.seen()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if sizes := batchSizes(s.seen()); len(sizes) != 2 || sizes[0] != 10 || sizes[1] != 10 {
		t.Fatalf("batches before Close %v, want [10 10]", sizes)
	}
	if err := sdk.Close(); err != nil {
		t.Fatal(err)
	}
	if sizes := batchSizes(s.seen()); len(sizes) != 3 || sizes[2] != 5 {
		t.Fatalf("batches after Close %v, want the last 5 sent", sizes)
	}
	if err := sdk.Track(atrack.EventPayload{UUID: uuidA, Event: "late"}); !errors.Is(err, atrack.ErrClosed) {
		t.Errorf("Track after Close: %v", err)
	}
}

func TestBatchingFlushesOnInterval(t *testing.T) {
	s := newScripted(t)
	s.fallback = batchReply(1)
	sdk := s.client(t, atrack.Options{Batching: true, FlushInterval: 20 * time.Millisecond})
	if err := sdk.Track(atrack.EventPayload{UUID: uuidA, Event: "x"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for sdk.Pending() != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	got := s.seen()
	if len(got) != 1 || got[0].path != "/batch" {
		t.Fatalf("requests %+v, want one /batch within the interval", got)
	}
	item := got[0].body["batch"].([]any)[0].(map[string]any)
	if item["type"] != "event" || item["id"] == nil || item["sent_at"] == nil {
		t.Errorf("batch item %v", item)
	}
}

func TestBatchingReportsRefusedItemsAndSplitsOn413(t *testing.T) {
	s := newScripted(t,
		reply{status: 413, body: `{"success":false,"error":{"code":"payload_too_large","message":"big"}}`},
		reply{status: 200, body: `{"success":true,"queued":true,"results":[{"success":true,"uuid":"` + uuidA + `","queued":true}]}`},
		reply{status: 200, body: `{"success":false,"queued":true,"results":[{"success":false,"error":{"code":"invalid_payload","message":"no","fields":{"event":["required"]}}}]}`},
	)
	var mu sync.Mutex
	var refused []error
	sdk := s.client(t, atrack.Options{Batching: true, Senders: 1, FlushInterval: time.Hour, OnError: func(err error, item atrack.BatchItem) {
		mu.Lock()
		refused = append(refused, err)
		mu.Unlock()
	}})
	_ = sdk.Track(atrack.EventPayload{UUID: uuidA, Event: "ok"})
	_ = sdk.Track(atrack.EventPayload{UUID: uuidA, Event: "bad"})
	if err := sdk.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sizes := batchSizes(s.seen()); len(sizes) != 3 || sizes[0] != 2 || sizes[1] != 1 || sizes[2] != 1 {
		t.Fatalf("batches %v, want [2 1 1] (a 413 splits)", sizes)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(refused) != 1 || !errors.Is(refused[0], atrack.ErrValidation) {
		t.Fatalf("OnError got %v, want one validation error", refused)
	}
}

func TestConcurrentTracksAreEachSentOnce(t *testing.T) {
	var mu sync.Mutex
	ids := map[string]int{}
	var requests int64
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt64(&requests, 1)
		var body struct {
			Batch []map[string]any `json:"batch"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		for _, item := range body.Batch {
			ids[item["id"].(string)]++
		}
		mu.Unlock()
		_, _ = io.WriteString(w, `{"success":true,"queued":true,"results":[]}`)
	}))
	defer server.Close()
	sdk := atrack.New(atrack.Options{Endpoint: server.URL, PublicKey: "k", Batching: true, FlushInterval: 5 * time.Millisecond})
	var wg sync.WaitGroup
	for g := 0; g < 20; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 250; i++ {
				if err := sdk.Track(atrack.EventPayload{UUID: uuidA, Event: "x"}); err != nil {
					t.Error(err)
					return
				}
				sdk.SetUserUUID(uuidA)
				_ = sdk.GetUserUUID()
			}
		}()
	}
	wg.Wait()
	if err := sdk.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ids) != 5000 {
		t.Fatalf("%d distinct events delivered, want 5000", len(ids))
	}
	for id, n := range ids {
		if n != 1 {
			t.Fatalf("event %s delivered %d times", id, n)
		}
	}
	if atomic.LoadInt64(&requests) > 200 {
		t.Errorf("%d requests for 5000 events: not batched", requests)
	}
}
