package atrack

import (
	"errors"
	"fmt"
	"time"
)

// Error is an answer of the service with an error status (4xx, 5xx). Code is the
// service's error code (invalid_payload, rate_limited...), Fields its per-field messages.
// errors.Is(err, ErrRateLimited) and the other Err values test the kind.
type Error struct {
	Status        int                 // HTTP status
	Code          string              // e.g. "invalid_payload"; "http_<status>" when the body had none
	Message       string              // the service's message
	Fields        map[string][]string // per-field messages of a 400
	RetryAfter    time.Duration       // the Retry-After delay, when HasRetryAfter
	HasRetryAfter bool
	Body          []byte // the raw answer
}

func (e *Error) Error() string {
	return fmt.Sprintf("atrack: HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// Is matches the kind values ErrValidation, ErrUnauthorized... by status.
func (e *Error) Is(target error) bool {
	k, ok := target.(*kind)
	if !ok {
		return false
	}
	if k.status == 500 {
		return e.Status >= 500
	}
	return k.status == e.Status
}

// Retryable reports whether the SDK retries this answer: 408, 429 and 5xx.
func (e *Error) Retryable() bool {
	return e.Status == 408 || e.Status == 429 || e.Status >= 500
}

type kind struct {
	status int
	text   string
}

func (k *kind) Error() string { return k.text }

// Kinds of service errors, for errors.Is.
var (
	ErrValidation   error = &kind{400, "atrack: invalid input"}
	ErrUnauthorized error = &kind{401, "atrack: missing or unknown key"}
	ErrForbidden    error = &kind{403, "atrack: key not allowed here"}
	ErrNotFound     error = &kind{404, "atrack: not found"}
	ErrTooLarge     error = &kind{413, "atrack: payload too large"}
	ErrRateLimited  error = &kind{429, "atrack: rate limited"}
	ErrUnavailable  error = &kind{503, "atrack: service unavailable"}
	ErrServer       error = &kind{500, "atrack: server error"} // any 5xx
)

// TransportError means no HTTP answer came: connection refused or reset, DNS, timeout.
type TransportError struct {
	Timeout bool
	Err     error
}

func (e *TransportError) Error() string {
	if e.Timeout {
		return "atrack: the service did not answer in time: " + e.Err.Error()
	}
	return "atrack: request failed: " + e.Err.Error()
}

func (e *TransportError) Unwrap() error { return e.Err }

// Errors of the client itself.
var (
	ErrNoEndpoint = errors.New("atrack: no endpoint: set Options.Endpoint or ATRACK_ENDPOINT to the service's base URL")
	ErrNoKey      = errors.New("atrack: no key: set Options.PublicKey (or SecretKey)")
	ErrNoUUID     = errors.New("atrack: no session UUID: call Init first or pass a UUID")
	ErrQueueFull  = errors.New("atrack: the batching queue is full; the write was dropped")
	ErrClosed     = errors.New("atrack: the client is closed")
)
