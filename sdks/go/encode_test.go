package atrack_test

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"

	atrack "github.com/a-track-io/golang-sdk"
)

func TestEventJSONIsWhatEncodingJSONWouldWrite(t *testing.T) {
	at := time.Date(2026, 4, 12, 2, 10, 0, 123456789, time.FixedZone("x", 3600))
	attributes := atrack.Attributes{
		"quote": `say "hi" \ <b>&`, "control": "a\nb\tc\rd\x01e", "unicode": "Zürich ✓ 🚀",
		"invalid": "bad\xffbyte", "float": 129.99, "big": 1e21, "small": 1e-7, "int": 42,
		"int64": int64(-7), "bool": true, "nil": nil, "nested": map[string]any{"a": []any{1, "two", false}},
		"list": []string{"x", "y"}, "typed": atrack.Attributes{"k": "v"},
	}
	p := atrack.EventPayload{UUID: uuidA, Event: "checkout \"started\"", Attributes: attributes, ID: "e1",
		Timestamp: at, Context: &atrack.EventContext{Client: &atrack.EventClient{IPAddress: "50.89.98.90"}}, Synchronous: true}
	raw, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var got, want map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("not JSON: %s: %v", raw, err)
	}
	reference, _ := json.Marshal(map[string]any{
		"uuid": uuidA, "event": p.Event, "attributes": map[string]any(attributes), "id": "e1",
		"timestamp": "2026-04-12T01:10:00.123456Z", "context": p.Context, "synchronous": true,
	})
	_ = json.Unmarshal(reference, &want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("event JSON\n got %v\nwant %v", got, want)
	}
	var back atrack.EventPayload
	if err := json.Unmarshal(raw, &back); err != nil || !back.Timestamp.Equal(at.Truncate(time.Microsecond)) {
		t.Fatalf("round trip: %v %v", back.Timestamp, err)
	}
	if _, err := json.Marshal(atrack.EventPayload{UUID: uuidA, Event: "x", Attributes: atrack.Attributes{"v": math.NaN()}}); err == nil {
		t.Error("NaN was encoded")
	}
	item, _ := json.Marshal(atrack.EventItem(&p))
	var typed map[string]any
	if err := json.Unmarshal(item, &typed); err != nil || typed["type"] != "event" || typed["uuid"] != uuidA {
		t.Errorf("batch item %s: %v", item, err)
	}
}

func TestNewUUIDIsAVersion4UUID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := atrack.NewUUID()
		if !uuidRe.MatchString(id) || id[14] != '4' || !(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') || seen[id] {
			t.Fatalf("bad or repeated UUID %s", id)
		}
		seen[id] = true
	}
}
