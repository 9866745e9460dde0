package atrack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// maxAnswerBytes bounds what is read of an answer (a full /session/show is far smaller).
const maxAnswerBytes = 16 << 20

// post sends body (made afresh per attempt by bodyFor, so sent_at is current) to path,
// retrying network errors, 408, 429 and 5xx with back-off and jitter or after
// Retry-After; it decodes a 2xx answer into out (when not nil).
func (c *Client) post(ctx context.Context, path, key string, bodyFor func() ([]byte, error), out any) error {
	for attempt := 1; ; attempt++ {
		body, err := bodyFor()
		if err != nil {
			return err
		}
		status, answer, header, err := c.send(ctx, path, key, body)
		if err == nil && status >= 200 && status < 300 {
			if out == nil || len(answer) == 0 {
				return nil
			}
			return json.Unmarshal(answer, out)
		}
		var wait time.Duration
		if err == nil {
			apiErr := errorFrom(status, answer, header)
			if !apiErr.Retryable() || attempt > c.opts.MaxRetries {
				return apiErr
			}
			err, wait = apiErr, c.backoff(attempt)
			if apiErr.HasRetryAfter {
				wait = min(apiErr.RetryAfter, c.opts.MaxRetryAfter)
			}
		} else {
			if ctx.Err() != nil || attempt > c.opts.MaxRetries {
				return err
			}
			wait = c.backoff(attempt)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return err // the last failure says more than "context canceled"
		case <-timer.C:
		}
	}
}

// send makes one attempt: the status, the answer and its headers, or a TransportError.
func (c *Client) send(ctx context.Context, path, key string, body []byte) (int, []byte, http.Header, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("x-a-track-key", key)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, transportError(ctx, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return 0, nil, nil, transportError(ctx, err)
	}
	return resp.StatusCode, answer, resp.Header, nil
}

func transportError(ctx context.Context, err error) error {
	timeout := errors.Is(ctx.Err(), context.DeadlineExceeded)
	var netErr interface{ Timeout() bool }
	if errors.As(err, &netErr) && netErr.Timeout() {
		timeout = true
	}
	return &TransportError{Timeout: timeout, Err: err}
}

// errorFrom reads the service's error body and Retry-After.
func errorFrom(status int, answer []byte, header http.Header) *Error {
	var body struct {
		Error ErrorBody `json:"error"`
	}
	_ = json.Unmarshal(answer, &body) // a body that is not the service's still gives an Error
	e := &Error{
		Status:  status,
		Code:    body.Error.Code,
		Message: body.Error.Message,
		Fields:  body.Error.Fields,
		Body:    answer,
	}
	if e.Code == "" {
		e.Code = "http_" + strconv.Itoa(status)
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	e.RetryAfter, e.HasRetryAfter = parseRetryAfter(header.Get("Retry-After"))
	return e
}

// parseRetryAfter reads delta seconds or an HTTP date.
func parseRetryAfter(value string) (time.Duration, bool) {
	if value == "" {
		return 0, false
	}
	if seconds, err := strconv.ParseFloat(value, 64); err == nil {
		if seconds < 0 {
			seconds = 0
		}
		return time.Duration(seconds * float64(time.Second)), true
	}
	if at, err := http.ParseTime(value); err == nil {
		wait := time.Until(at)
		if wait < 0 {
			wait = 0
		}
		return wait, true
	}
	return 0, false
}

var (
	jitterMu sync.Mutex
	jitter   = rand.New(rand.NewSource(time.Now().UnixNano())) //nolint:gosec // jitter, not secrets
)

// backoff is RetryBackoff × 2^(attempt-1), at most MaxBackoff: half of it fixed, half random.
func (c *Client) backoff(attempt int) time.Duration {
	ceiling := c.opts.RetryBackoff << uint(min(attempt-1, 30))
	if ceiling > c.opts.MaxBackoff || ceiling <= 0 {
		ceiling = c.opts.MaxBackoff
	}
	jitterMu.Lock()
	random := time.Duration(jitter.Int63n(int64(ceiling/2) + 1))
	jitterMu.Unlock()
	return ceiling/2 + random
}

func min[T int | time.Duration](a, b T) T {
	if a < b {
		return a
	}
	return b
}
