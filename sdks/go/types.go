package atrack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Attributes is a flat map of attribute names to JSON values (strings, numbers, booleans,
// nil, maps and slices of those).
type Attributes map[string]any

// ---------------------------------------------------------------- request payloads

// InitPayload is the body of POST /init. Without a UUID the SDK makes one, so that a
// retried init is still one session.
type InitPayload struct {
	UUID        string     `json:"uuid,omitempty"`
	Context     *Context   `json:"context,omitempty"`
	CustomData  Attributes `json:"custom_data,omitempty"`
	Synchronous bool       `json:"synchronous,omitempty"`
}

// Context is what a client knows about the visit: the URL, the client and the user.
type Context struct {
	URL    *URLContext    `json:"url,omitempty"`
	Client *ClientContext `json:"client,omitempty"`
	User   *UserContext   `json:"user,omitempty"`
}

// URLContext is context.url of POST /init (the documentation's "Init Context Reference").
type URLContext struct {
	Href      string `json:"href,omitempty"`
	Raw       string `json:"raw,omitempty"`
	Path      string `json:"path,omitempty"`
	Query     string `json:"query,omitempty"`
	Hash      string `json:"hash,omitempty"`
	Referer   string `json:"referer,omitempty"`
	SourceURL string `json:"source_url,omitempty"`
}

// ClientContext is context.client of POST /init; a server usually sets IPAddress and
// UserAgent from the incoming request. Zero values are left out, except where a
// pointer tells "unset" from zero.
type ClientContext struct {
	IPAddress               string   `json:"ipAddress,omitempty"`
	UserAgent               string   `json:"userAgent,omitempty"`
	Locale                  string   `json:"locale,omitempty"`
	Language                string   `json:"language,omitempty"`
	Languages               []string `json:"languages,omitempty"`
	Timezone                string   `json:"timezone,omitempty"`
	TimezoneOffsetMinutes   *int     `json:"timezoneOffsetMinutes,omitempty"`
	Platform                string   `json:"platform,omitempty"`
	ScreenWidth             int      `json:"screenWidth,omitempty"`
	ScreenHeight            int      `json:"screenHeight,omitempty"`
	ViewportWidth           int      `json:"viewportWidth,omitempty"`
	ViewportHeight          int      `json:"viewportHeight,omitempty"`
	PixelRatio              float64  `json:"pixelRatio,omitempty"`
	ColorDepth              int      `json:"colorDepth,omitempty"`
	CookiesEnabled          *bool    `json:"cookiesEnabled,omitempty"`
	TouchPoints             *int     `json:"touchPoints,omitempty"`
	DeviceMemoryGb          float64  `json:"deviceMemoryGb,omitempty"`
	HardwareConcurrency     int      `json:"hardwareConcurrency,omitempty"`
	ConnectionType          string   `json:"connectionType,omitempty"`
	ConnectionEffectiveType string   `json:"connectionEffectiveType,omitempty"`
	ConnectionDownlinkMbps  float64  `json:"connectionDownlinkMbps,omitempty"`
	ConnectionRttMs         *int     `json:"connectionRttMs,omitempty"`
}

// UserContext is context.user: attributes already known at init time.
type UserContext struct {
	Attributes Attributes `json:"attributes,omitempty"`
}

// AttributesPayload is the body of POST /attributes.
type AttributesPayload struct {
	UUID        string     `json:"uuid"`
	Attributes  Attributes `json:"attributes"`
	Replace     bool       `json:"replace"`
	Synchronous bool       `json:"synchronous,omitempty"`
}

// EventPayload is the body of POST /event. The SDK fills in ID (a client event id, so
// that a retry is stored once), Timestamp (now) and, per attempt, sent_at; UUID
// defaults to the client's current session.
type EventPayload struct {
	UUID        string        `json:"uuid"`
	Event       string        `json:"event"`
	Attributes  Attributes    `json:"attributes,omitempty"`
	Timestamp   time.Time     `json:"-"`
	ID          string        `json:"id,omitempty"`
	Context     *EventContext `json:"context,omitempty"`
	Synchronous bool          `json:"synchronous,omitempty"`
}

// EventContext is the context of one event: its client's address and user agent
// (default: the session's).
type EventContext struct {
	Client *EventClient `json:"client,omitempty"`
}

// EventClient is context.client of POST /event.
type EventClient struct {
	IPAddress string `json:"ipAddress,omitempty"`
	UserAgent string `json:"userAgent,omitempty"`
}

// MarshalJSON writes the event as the API takes it (timestamp as ISO 8601).
func (p EventPayload) MarshalJSON() ([]byte, error) {
	return appendEvent(nil, &p, false)
}

// UnmarshalJSON reads an event body as the API takes it.
func (p *EventPayload) UnmarshalJSON(data []byte) error {
	type plain EventPayload
	wire := struct {
		*plain
		Timestamp *time.Time `json:"timestamp"`
	}{plain: (*plain)(p)}
	if err := json.Unmarshal(data, &wire); err != nil {
		return err
	}
	if wire.Timestamp != nil {
		p.Timestamp = *wire.Timestamp
	}
	return nil
}

// BatchItem is one item of POST /batch: exactly one of Init, Attributes and Event.
type BatchItem struct {
	Init       *InitPayload
	Attributes *AttributesPayload
	Event      *EventPayload
}

// InitItem, AttributesItem and EventItem make batch items.
func InitItem(p *InitPayload) BatchItem             { return BatchItem{Init: p} }
func AttributesItem(p *AttributesPayload) BatchItem { return BatchItem{Attributes: p} }
func EventItem(p *EventPayload) BatchItem           { return BatchItem{Event: p} }

// Type is the item's "type" on the wire: init, attributes or event.
func (b BatchItem) Type() string {
	switch {
	case b.Init != nil:
		return "init"
	case b.Attributes != nil:
		return "attributes"
	case b.Event != nil:
		return "event"
	}
	return ""
}

func (b BatchItem) payload() any {
	switch {
	case b.Init != nil:
		return b.Init
	case b.Attributes != nil:
		return b.Attributes
	}
	return b.Event
}

// MarshalJSON writes the item as {"type": ..., ...the payload's fields}.
func (b BatchItem) MarshalJSON() ([]byte, error) {
	kind := b.Type()
	if kind == "event" {
		return appendEvent(make([]byte, 0, 256), b.Event, true)
	}
	if kind == "" {
		return nil, fmt.Errorf("atrack: a BatchItem needs one of Init, Attributes or Event")
	}
	body, err := json.Marshal(b.payload())
	if err != nil {
		return nil, err
	}
	return withFields(body, `"type":"`+kind+`"`), nil
}

// UnmarshalJSON reads {"type": ..., ...}.
func (b *BatchItem) UnmarshalJSON(data []byte) error {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return err
	}
	*b = BatchItem{}
	switch head.Type {
	case "init":
		b.Init = &InitPayload{}
		return json.Unmarshal(data, b.Init)
	case "attributes":
		b.Attributes = &AttributesPayload{}
		return json.Unmarshal(data, b.Attributes)
	case "event":
		b.Event = &EventPayload{}
		return json.Unmarshal(data, b.Event)
	}
	return fmt.Errorf("atrack: unknown batch item type %q", head.Type)
}

// withFields inserts `fields` (`"a":1,"b":2`) at the start of a JSON object.
func withFields(object []byte, fields string) []byte {
	var out bytes.Buffer
	out.Grow(len(object) + len(fields) + 1)
	out.WriteByte('{')
	out.WriteString(fields)
	if rest := bytes.TrimSpace(object[1:]); len(rest) > 0 && rest[0] != '}' {
		out.WriteByte(',')
	}
	out.Write(object[1:])
	return out.Bytes()
}

// ---------------------------------------------------------------- responses

// WriteResult is the answer of /init, /attributes and /event (and of each batch item).
type WriteResult struct {
	Success bool   `json:"success"`
	UUID    string `json:"uuid"`
	Queued  bool   `json:"queued"`
}

// BatchResult is the answer of POST /batch: a result per item, in order.
type BatchResult struct {
	Success bool              `json:"success"`
	Queued  bool              `json:"queued"`
	Results []BatchItemResult `json:"results"`
}

// BatchItemResult is one item's result: a WriteResult, or Error when it was refused.
type BatchItemResult struct {
	Success bool       `json:"success"`
	UUID    string     `json:"uuid,omitempty"`
	Queued  bool       `json:"queued"`
	Error   *ErrorBody `json:"error,omitempty"`
}

// ErrorBody is the service's error object.
type ErrorBody struct {
	Code    string              `json:"code"`
	Message string              `json:"message"`
	Fields  map[string][]string `json:"fields,omitempty"`
}

// SessionShowOptions are the optional inputs of POST /session/show.
type SessionShowOptions struct {
	EventsLimit *int   // 0-1000, default 100
	Sort        string // "desc" (default) or "asc", on occurred_at
}

// SessionShowResponse is the answer of POST /session/show.
type SessionShowResponse struct {
	Success bool        `json:"success"`
	Data    SessionData `json:"data"`
}

// SessionData holds the enriched session, its attributes, recent events and meta.
type SessionData struct {
	Session    Session        `json:"session"`
	Attributes Attributes     `json:"attributes"`
	Events     []SessionEvent `json:"events"`
	Meta       SessionMeta    `json:"meta"`
}

// Session is the enriched session. Keys the service does not know are null (nil).
type Session struct {
	ID               int64          `json:"id"`
	UUID             string         `json:"uuid"`
	URLData          URLData        `json:"url_data"`
	UTMData          map[string]any `json:"utm_data"`
	QueryParams      map[string]any `json:"query_params"`
	ClickIDs         map[string]any `json:"click_ids"`
	Source           *string        `json:"source"`
	Medium           *string        `json:"medium"`
	Channel          *string        `json:"channel"`
	Referer          *string        `json:"referer"`
	FirstTouch       map[string]any `json:"first_touch"`
	IPAddress        *string        `json:"ip_address"`
	IPData           map[string]any `json:"ip_data"`
	DeviceData       map[string]any `json:"device_data"`
	ClientAttributes map[string]any `json:"client_attributes"`
	UserAttributes   map[string]any `json:"user_attributes"`
	CustomData       map[string]any `json:"custom_data"`
	CreatedAt        Timestamp      `json:"created_at"`
	UpdatedAt        Timestamp      `json:"updated_at"`
}

// URLData is the session's parsed URL; a part the service does not know is nil.
type URLData struct {
	Href      *string        `json:"href"`
	Raw       *string        `json:"raw"`
	Path      *string        `json:"path"`
	Query     *string        `json:"query"`
	Hash      *string        `json:"hash,omitempty"`
	SourceURL *string        `json:"source_url"`
	QueryAll  map[string]any `json:"query_all"`
}

// SessionEvent is an event as /session/show lists it.
type SessionEvent struct {
	ID         int64      `json:"id"`
	UUID       string     `json:"uuid"`
	Name       string     `json:"name"`
	Attributes Attributes `json:"attributes"`
	OccurredAt Timestamp  `json:"occurred_at"`
}

// SessionMeta describes the events returned.
type SessionMeta struct {
	UUID        string `json:"uuid"`
	EventsLimit int    `json:"events_limit"`
	EventsCount int    `json:"events_count"`
	Sort        string `json:"sort"`
}

// EventQuery is the body of POST /event/show. Zero values are left out.
type EventQuery struct {
	Name    string    `json:"name"`
	Page    int       `json:"page,omitempty"`
	PerPage int       `json:"per_page,omitempty"`
	Sort    string    `json:"sort,omitempty"`
	UUID    string    `json:"uuid,omitempty"`
	From    time.Time `json:"-"`
	To      time.Time `json:"-"`
}

// MarshalJSON writes the query with From/To as ISO 8601 when set.
func (q EventQuery) MarshalJSON() ([]byte, error) {
	type plain EventQuery
	wire := struct {
		plain
		From *Timestamp `json:"from,omitempty"`
		To   *Timestamp `json:"to,omitempty"`
	}{plain: plain(q)}
	if !q.From.IsZero() {
		wire.From = &Timestamp{q.From}
	}
	if !q.To.IsZero() {
		wire.To = &Timestamp{q.To}
	}
	return json.Marshal(wire)
}

// EventShowResponse is the answer of POST /event/show: one page of events.
type EventShowResponse struct {
	Success bool          `json:"success"`
	Data    []Event       `json:"data"`
	Meta    EventShowMeta `json:"meta"`
}

// Event is an event as /event/show lists it.
type Event struct {
	ID         int64      `json:"id"`
	SessionID  int64      `json:"session_id"`
	UUID       string     `json:"uuid"`
	Name       string     `json:"name"`
	Attributes Attributes `json:"attributes"`
	IPAddress  *string    `json:"ip_address"`
	UserAgent  *string    `json:"user_agent"`
	OccurredAt Timestamp  `json:"occurred_at"`
	CreatedAt  Timestamp  `json:"created_at"`
	UpdatedAt  Timestamp  `json:"updated_at"`
}

// EventShowMeta is the paginator: From and To are the 1-based positions of the first
// and last item on the page, nil when the page is empty.
type EventShowMeta struct {
	Name        string `json:"name"`
	Sort        string `json:"sort"`
	PerPage     int    `json:"per_page"`
	CurrentPage int    `json:"current_page"`
	LastPage    int    `json:"last_page"`
	From        *int   `json:"from"`
	To          *int   `json:"to"`
	Total       int    `json:"total"`
}

// DeleteResult is the answer of POST /session/delete.
type DeleteResult struct {
	Success bool          `json:"success"`
	UUID    string        `json:"uuid"`
	Deleted DeletedCounts `json:"deleted"`
}

// DeletedCounts says what an erasure removed: the stored session, attributes and
// events, and items of parked failed work. Sessions is 0 when nothing was stored yet
// (the writes may all have been queued); the erasure covers those too, and later
// writes for the UUID fail with the code "erased" (HTTP 410).
type DeletedCounts struct {
	Sessions   int `json:"sessions"`
	Attributes int `json:"attributes"`
	Events     int `json:"events"`
	Parked     int `json:"parked"`
}

// Timestamp is a time in the service's format: UTC, microseconds, "Z"
// (2026-04-12T01:52:35.000000Z).
type Timestamp struct{ time.Time }

const timestampLayout = "2006-01-02T15:04:05.000000Z"

// MarshalJSON writes the service's format.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(timestampLayout) + `"`), nil
}

// UnmarshalJSON reads any RFC 3339 time.
func (t *Timestamp) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	return t.Time.UnmarshalJSON(data)
}
