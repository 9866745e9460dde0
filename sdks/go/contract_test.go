package atrack_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	atrack "github.com/a-track-io/golang-sdk"
)

// The contract suite of sdks/contract (format: sdks/contract/README.md), played with
// this SDK against the launcher's live service.

const invalidKey = "atk_pub_0000000000000000000000000000000000000000"

var (
	placeholder = regexp.MustCompile(`\{\{(\w+)(?::([^}]*))?\}\}`)
	uuidRe      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	timestampRe = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)
)

type contractStep struct {
	Name     string            `json:"name"`
	HTTP     *httpRequest      `json:"http"`
	Call     *sdkCall          `json:"call"`
	Expect   expectation       `json:"expect"`
	Target   string            `json:"target"`
	Fault    json.RawMessage   `json:"fault"`
	Attempts int               `json:"attempts"`
	Key      string            `json:"key"`
	Retries  *int              `json:"retries"`
	Save     map[string]string `json:"save"`
}

type httpRequest struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
	RawBody *string           `json:"raw_body"`
}

type sdkCall struct {
	Op   string          `json:"op"`
	Args json.RawMessage `json:"args"`
}

type expectation struct {
	Status       int            `json:"status"`
	Error        string         `json:"error"`
	Fields       []string       `json:"fields"`
	RetryAfter   bool           `json:"retry_after"`
	Headers      map[string]any `json:"headers"`
	JSON         any            `json:"json"`
	MinElapsedMs float64        `json:"min_elapsed_ms"`
}

// answer is what a step got: a status, a JSON body, headers (http steps only).
type answer struct {
	status  int
	body    any
	headers map[string]string
}

func TestContract(t *testing.T) {
	svc := liveService(t)
	cases, err := filepath.Glob(filepath.Join(repoRoot(), "sdks", "contract", "cases", "*.json"))
	if err != nil || len(cases) < 14 {
		t.Fatalf("contract cases not found (%d): %v", len(cases), err)
	}
	sort.Strings(cases)
	for _, path := range cases {
		path := path
		t.Run(strings.TrimSuffix(filepath.Base(path), ".json"), func(t *testing.T) {
			expected, err := playCase(svc, path)
			switch {
			case err != nil && expected != "":
				t.Logf("fails as expected (%s): %v", expected, err)
			case err != nil:
				t.Fatal(err)
			case expected != "":
				t.Logf("marked expected_failure but passes through this SDK: %s", expected)
			}
		})
	}
}

func TestContractRunnerFailsOnAWrongExpectation(t *testing.T) {
	svc := liveService(t)
	wrong := `{"name": "wrong", "steps": [{"name": "init", "call": {"op": "init", "args": {"payload": {}}},
		"expect": {"status": 201, "json": {"queued": true}}}]}`
	path := filepath.Join(t.TempDir(), "wrong.json")
	if err := os.WriteFile(path, []byte(wrong), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := playCase(svc, path)
	if err == nil || !strings.Contains(err.Error(), "body.queued: false != true") {
		t.Fatalf("expected a mismatch on body.queued, got %v", err)
	}
}

type casePlay struct {
	svc   *service
	uuids map[string]string
	vars  map[string]any
}

// playCase plays one case file; it returns the case's expected_failure reason (if any)
// and the first failing step's error.
func playCase(svc *service, path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	var spec struct {
		ExpectedFailure string `json:"expected_failure"`
		Steps           []any  `json:"steps"`
	}
	if err := json.Unmarshal(data, &spec); err != nil {
		return "", err
	}
	play := &casePlay{svc: svc, uuids: map[string]string{}, vars: map[string]any{}}
	for i, raw := range spec.Steps {
		filled, _ := json.Marshal(play.fill(raw))
		var step contractStep
		if err := json.Unmarshal(filled, &step); err != nil {
			return spec.ExpectedFailure, fmt.Errorf("step %d: %w", i+1, err)
		}
		if err := play.step(&step); err != nil {
			return spec.ExpectedFailure, fmt.Errorf("step %d (%s): %w", i+1, step.Name, err)
		}
	}
	return spec.ExpectedFailure, nil
}

func (p *casePlay) fill(value any) any {
	switch v := value.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, item := range v {
			out[p.fill(k).(string)] = p.fill(item)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			out[i] = p.fill(item)
		}
		return out
	case string:
		return placeholder.ReplaceAllStringFunc(v, func(m string) string {
			parts := placeholder.FindStringSubmatch(m)
			name, arg := parts[1], parts[2]
			switch name {
			case "uuid", "UUID":
				if _, ok := p.uuids[arg]; !ok {
					p.uuids[arg] = atrack.NewUUID()
				}
				if name == "UUID" {
					return strings.ToUpper(p.uuids[arg])
				}
				return p.uuids[arg]
			case "var":
				return fmt.Sprint(p.vars[arg])
			case "pad":
				n, _ := strconv.Atoi(arg)
				return strings.Repeat("x", n)
			case "invalid_key":
				return invalidKey
			}
			return fmt.Sprint(p.svc.raw[name])
		})
	}
	return value
}

func (p *casePlay) step(s *contractStep) error {
	endpoint := map[string]string{
		"": p.svc.Endpoint, "service": p.svc.Endpoint,
		"limited": p.svc.LimitedEndpoint, "proxy": p.svc.ProxyEndpoint,
	}[s.Target]
	if len(s.Fault) > 0 {
		resp, err := http.Post(p.svc.FaultURL, "application/json", bytes.NewReader(s.Fault))
		if err != nil {
			return err
		}
		resp.Body.Close()
	}
	wanted := s.Expect.Status
	if s.Call != nil && wanted < 300 {
		wanted = 200
	}
	var got answer
	var elapsed time.Duration
	for attempt := 0; attempt < max(s.Attempts, 1); attempt++ {
		started := time.Now()
		var err error
		if s.HTTP != nil {
			got, err = rawRequest(endpoint, s.HTTP)
		} else {
			got, err = p.call(endpoint, s)
		}
		if err != nil {
			return err
		}
		elapsed = time.Since(started)
		if got.status == wanted {
			break
		}
	}
	if err := check(s, wanted, got, elapsed); err != nil {
		return err
	}
	for name, path := range s.Save {
		value := got.body
		for _, part := range strings.Split(path, ".") {
			if list, ok := value.([]any); ok {
				n, _ := strconv.Atoi(part)
				value = list[n]
			} else {
				value = value.(map[string]any)[part]
			}
		}
		p.vars[name] = value
	}
	return nil
}

func rawRequest(endpoint string, r *httpRequest) (answer, error) {
	body := []byte(r.Body)
	if r.RawBody != nil {
		body = []byte(*r.RawBody)
	}
	req, err := http.NewRequest(r.Method, endpoint+r.Path, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	for k, v := range r.Headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	got := answer{status: resp.StatusCode, headers: map[string]string{}}
	for k := range resp.Header {
		got.headers[strings.ToLower(k)] = resp.Header.Get(k)
	}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &got.body); err != nil {
			return answer{}, fmt.Errorf("HTTP %d, not JSON: %q", resp.StatusCode, data)
		}
	}
	return got, nil
}

func (p *casePlay) call(endpoint string, s *contractStep) (answer, error) {
	opts := atrack.Options{Endpoint: endpoint, PublicKey: p.svc.PublicKey}
	switch s.Key {
	case "", "both":
		opts.SecretKey = p.svc.SecretKey
	case "invalid":
		opts.PublicKey = invalidKey
	}
	if s.Retries != nil {
		opts.MaxRetries = *s.Retries
		if *s.Retries == 0 {
			opts.MaxRetries = atrack.NoRetries
		}
	}
	client, err := atrack.NewClient(opts)
	if err != nil {
		return answer{}, err
	}
	defer client.Close()
	result, err := dispatch(client, s.Call)
	var apiErr *atrack.Error
	if errors.As(err, &apiErr) {
		body := map[string]any{"code": apiErr.Code, "fields": apiErr.Fields, "retry_after": nil}
		if apiErr.HasRetryAfter {
			body["retry_after"] = apiErr.RetryAfter.Seconds()
		}
		return answer{status: apiErr.Status, body: body}, nil
	}
	if err != nil {
		return answer{}, err
	}
	got := answer{status: 200}
	data, _ := json.Marshal(result)
	return got, json.Unmarshal(data, &got.body)
}

func dispatch(client *atrack.Client, call *sdkCall) (any, error) {
	var args struct {
		Payload     json.RawMessage    `json:"payload"`
		UUID        string             `json:"uuid"`
		Attributes  atrack.Attributes  `json:"attributes"`
		Replace     bool               `json:"replace"`
		Items       []atrack.BatchItem `json:"items"`
		EventsLimit *int               `json:"events_limit"`
		Sort        string             `json:"sort"`
	}
	if err := json.Unmarshal(call.Args, &args); err != nil {
		return nil, err
	}
	switch call.Op {
	case "init":
		var payload atrack.InitPayload
		if err := json.Unmarshal(args.Payload, &payload); err != nil {
			return nil, err
		}
		return client.Init(&payload)
	case "set_attributes":
		return client.SetAttributesFor(args.UUID, args.Attributes, args.Replace)
	case "track":
		var payload atrack.EventPayload
		if err := json.Unmarshal(args.Payload, &payload); err != nil {
			return nil, err
		}
		return nil, client.Track(payload)
	case "batch":
		return client.Batch(args.Items)
	case "session_show":
		return client.SessionShow(args.UUID, &atrack.SessionShowOptions{EventsLimit: args.EventsLimit, Sort: args.Sort})
	case "event_show":
		var query atrack.EventQuery
		if err := json.Unmarshal(call.Args, &query); err != nil {
			return nil, err
		}
		return client.EventShow(query)
	case "delete_session":
		return client.DeleteSession(args.UUID)
	}
	return nil, fmt.Errorf("unknown op %q", call.Op)
}

func check(s *contractStep, wanted int, got answer, elapsed time.Duration) error {
	if got.status != wanted {
		return fmt.Errorf("expected %d, got %d %v", wanted, got.status, got.body)
	}
	e := s.Expect
	errBody, _ := got.body.(map[string]any)
	if s.HTTP != nil && errBody != nil {
		errBody, _ = errBody["error"].(map[string]any)
	}
	if e.Error != "" && (errBody == nil || errBody["code"] != e.Error) {
		return fmt.Errorf("expected error %s, got %v", e.Error, got.body)
	}
	for _, field := range e.Fields {
		fields, _ := errBody["fields"].(map[string]any)
		if _, ok := fields[field]; !ok {
			if typed, ok := errBody["fields"].(map[string][]string); !ok || typed[field] == nil {
				return fmt.Errorf("no message for field %s in %v", field, errBody["fields"])
			}
		}
	}
	if e.RetryAfter && errBody["retry_after"] == nil {
		return fmt.Errorf("no retry_after on the error")
	}
	for name, pattern := range e.Headers {
		value, ok := got.headers[name]
		if !ok {
			return fmt.Errorf("no header %s", name)
		}
		if err := match(pattern, value, "header "+name); err != nil {
			return err
		}
	}
	if e.JSON != nil && s.Call != nil && got.status >= 300 {
		return nil // a failing call's JSON is not checked
	}
	if e.JSON != nil {
		if err := match(e.JSON, got.body, "body"); err != nil {
			return err
		}
	}
	if ms := float64(elapsed.Milliseconds()); ms < e.MinElapsedMs {
		return fmt.Errorf("took only %.0f ms", ms)
	}
	return nil
}

func match(expected, actual any, where string) error {
	if pattern, ok := expected.(string); ok && strings.HasPrefix(pattern, "<") && strings.HasSuffix(pattern, ">") {
		if !matches(pattern, actual) {
			return fmt.Errorf("%s: %#v is not %s", where, actual, pattern)
		}
		return nil
	}
	switch want := expected.(type) {
	case map[string]any:
		have, ok := actual.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: expected an object, got %#v", where, actual)
		}
		for key, value := range want {
			got, present := have[key]
			if value == "<absent>" {
				if present {
					return fmt.Errorf("%s.%s should be absent", where, key)
				}
				continue
			}
			if !present {
				return fmt.Errorf("%s.%s is missing", where, key)
			}
			if err := match(value, got, where+"."+key); err != nil {
				return err
			}
		}
		return nil
	case []any:
		have, ok := actual.([]any)
		if !ok || len(have) != len(want) {
			return fmt.Errorf("%s: expected %d items, got %#v", where, len(want), actual)
		}
		for i := range want {
			if err := match(want[i], have[i], fmt.Sprintf("%s[%d]", where, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if text, ok := actual.(string); ok && strings.HasPrefix(where, "header") {
		actual = strings.TrimSpace(strings.Split(text, ";")[0])
	}
	if !reflect.DeepEqual(expected, actual) {
		return fmt.Errorf("%s: %v != %v", where, actual, expected)
	}
	return nil
}

func matches(pattern string, v any) bool {
	switch pattern {
	case "<any>":
		return true
	case "<string>":
		_, ok := v.(string)
		return ok
	case "<int>":
		if text, ok := v.(string); ok {
			_, err := strconv.Atoi(text)
			return err == nil
		}
		n, ok := v.(float64)
		return ok && n == float64(int64(n))
	case "<number>":
		_, ok := v.(float64)
		return ok
	case "<uuid>":
		text, ok := v.(string)
		return ok && uuidRe.MatchString(text)
	case "<timestamp>":
		text, ok := v.(string)
		return ok && timestampRe.MatchString(text)
	}
	return false
}

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}
