package atrack

import (
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// Version of this SDK, sent in the User-Agent header.
const Version = "0.1.0"

// NoRetries as Options.MaxRetries turns retries off.
const NoRetries = -1

// Options configure a Client. Only PublicKey (or SecretKey) is required; Endpoint
// defaults to $ATRACK_ENDPOINT. Zero values mean the defaults given.
type Options struct {
	PublicKey string // writes: /init, /attributes, /event, /batch
	SecretKey string // reads and erasure (server side only); also writes when PublicKey is empty
	Endpoint  string // the service's base URL, e.g. https://track.example.com

	Timeout       time.Duration // per attempt; default 10 s
	MaxRetries    int           // retries after the first attempt; default 3; NoRetries for none
	RetryBackoff  time.Duration // first back-off; doubles per retry, half of it random; default 500 ms
	MaxBackoff    time.Duration // default 30 s
	MaxRetryAfter time.Duration // a longer Retry-After is cut to this; default 5 min
	HTTPClient    *http.Client  // default: a client with keep-alive to the endpoint
	UserAgent     string        // default "atrack-sdk-go/<Version>"

	UUID        string // the current session at start (see Init)
	Synchronous bool   // ask the service to process each write in the request

	// Batching: writes are queued in memory and sent through /batch by background
	// goroutines; Init, SetAttributes and Track return at once with Queued true.
	Batching        bool
	BatchSize       int                             // items per /batch, at most 100; default 100
	FlushInterval   time.Duration                   // longest wait for a batch to fill; default 500 ms
	MaxQueueSize    int                             // default 10,000; ErrQueueFull beyond
	Senders         int                             // concurrent /batch requests; default 4
	ShutdownTimeout time.Duration                   // Close waits this long for the queue; default 10 s
	OnError         func(err error, item BatchItem) // items given up on (refused or retries spent)
}

// Client talks to one A-TRACK project. It is safe for concurrent use; make one per
// process and reuse it.
type Client struct {
	opts     Options
	endpoint string
	http     *http.Client

	mu   sync.RWMutex
	uuid string

	batcher *batcher
}

// New makes a Client. It panics with a clear message when the options cannot work (no
// endpoint in Options or $ATRACK_ENDPOINT, no key, a bad URL), so a misconfigured
// process stops at start-up; NewClient returns that error instead.
func New(opts Options) *Client {
	client, err := NewClient(opts)
	if err != nil {
		panic(err)
	}
	return client
}

// NewClient makes a Client, or says why the options cannot work.
func NewClient(opts Options) (*Client, error) {
	if opts.Endpoint == "" {
		opts.Endpoint = os.Getenv("ATRACK_ENDPOINT")
	}
	if opts.Endpoint == "" {
		return nil, ErrNoEndpoint
	}
	parsed, err := url.Parse(opts.Endpoint)
	if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
		return nil, &configError{"endpoint must be an http(s) URL, not " + opts.Endpoint}
	}
	if opts.PublicKey == "" && opts.SecretKey == "" {
		return nil, ErrNoKey
	}
	applyDefaults(&opts)
	c := &Client{
		opts:     opts,
		endpoint: strings.TrimRight(opts.Endpoint, "/"),
		http:     opts.HTTPClient,
		uuid:     strings.ToLower(opts.UUID),
	}
	if c.http == nil {
		transport := http.DefaultTransport.(*http.Transport).Clone()
		transport.MaxIdleConnsPerHost = 64 // concurrent callers keep their connections
		c.http = &http.Client{Transport: transport}
	}
	if opts.Batching {
		c.batcher = startBatcher(c)
	}
	return c, nil
}

type configError struct{ text string }

func (e *configError) Error() string { return "atrack: " + e.text }

func applyDefaults(o *Options) {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Timeout, 10*time.Second)
	def(&o.RetryBackoff, 500*time.Millisecond)
	def(&o.MaxBackoff, 30*time.Second)
	def(&o.MaxRetryAfter, 5*time.Minute)
	def(&o.FlushInterval, 500*time.Millisecond)
	def(&o.ShutdownTimeout, 10*time.Second)
	switch {
	case o.MaxRetries == 0:
		o.MaxRetries = 3
	case o.MaxRetries < 0:
		o.MaxRetries = 0
	}
	if o.BatchSize <= 0 || o.BatchSize > maxBatchItems {
		o.BatchSize = maxBatchItems
	}
	if o.MaxQueueSize <= 0 {
		o.MaxQueueSize = 10000
	}
	if o.Senders <= 0 {
		o.Senders = 4
	}
	if o.UserAgent == "" {
		o.UserAgent = "atrack-sdk-go/" + Version
	}
}

// GetUserUUID is the current session's UUID: that of the last Init (or Options.UUID),
// used by calls that name none.
func (c *Client) GetUserUUID() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.uuid
}

// SetUserUUID makes uuid the current session.
func (c *Client) SetUserUUID(uuid string) {
	c.mu.Lock()
	c.uuid = strings.ToLower(uuid)
	c.mu.Unlock()
}

func (c *Client) writeKey() string {
	if c.opts.PublicKey != "" {
		return c.opts.PublicKey
	}
	return c.opts.SecretKey
}

func (c *Client) readKey() string {
	if c.opts.SecretKey != "" {
		return c.opts.SecretKey
	}
	return c.opts.PublicKey
}
