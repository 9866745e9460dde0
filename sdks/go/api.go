package atrack

import (
	"context"
	"encoding/json"
	"time"
)

// ---------------------------------------------------------------- writes

// Init creates or continues a session (POST /init). Without p.UUID the SDK makes one, so
// a retried init stays one session; it becomes the current session (GetUserUUID).
func (c *Client) Init(p *InitPayload) (*WriteResult, error) {
	return c.InitContext(context.Background(), p)
}

// InitContext is Init with a context.
func (c *Client) InitContext(ctx context.Context, p *InitPayload) (*WriteResult, error) {
	body := InitPayload{}
	if p != nil {
		body = *p
	}
	if body.UUID == "" {
		body.UUID = NewUUID()
	}
	body.Synchronous = body.Synchronous || c.opts.Synchronous
	c.SetUserUUID(body.UUID)
	if c.batcher != nil {
		return c.batcher.enqueue(InitItem(&body), body.UUID)
	}
	result := &WriteResult{}
	if err := c.postJSON(ctx, "/init", c.writeKey(), &body, result); err != nil {
		return nil, err
	}
	if result.UUID != "" {
		c.SetUserUUID(result.UUID)
	}
	return result, nil
}

// SetAttributes merges attributes into the current session's (replace false: existing
// keys overwritten, others kept) or replaces the whole set (replace true).
func (c *Client) SetAttributes(attributes Attributes, replace bool) (*WriteResult, error) {
	return c.SetAttributesForContext(context.Background(), c.GetUserUUID(), attributes, replace)
}

// SetAttributesContext is SetAttributes with a context.
func (c *Client) SetAttributesContext(ctx context.Context, attributes Attributes, replace bool) (*WriteResult, error) {
	return c.SetAttributesForContext(ctx, c.GetUserUUID(), attributes, replace)
}

// SetAttributesFor is SetAttributes on the session uuid.
func (c *Client) SetAttributesFor(uuid string, attributes Attributes, replace bool) (*WriteResult, error) {
	return c.SetAttributesForContext(context.Background(), uuid, attributes, replace)
}

// SetAttributesForContext is SetAttributesFor with a context.
func (c *Client) SetAttributesForContext(ctx context.Context, uuid string, attributes Attributes, replace bool) (*WriteResult, error) {
	if uuid == "" {
		return nil, ErrNoUUID
	}
	if attributes == nil {
		attributes = Attributes{}
	}
	body := AttributesPayload{UUID: uuid, Attributes: attributes, Replace: replace, Synchronous: c.opts.Synchronous}
	if c.batcher != nil {
		return c.batcher.enqueue(AttributesItem(&body), uuid)
	}
	result := &WriteResult{}
	if err := c.postJSON(ctx, "/attributes", c.writeKey(), &body, result); err != nil {
		return nil, err
	}
	return result, nil
}

// Track records an event (POST /event) on p.UUID, or on the current session when it is
// empty. The SDK adds an event ID (so a retry is stored once) and the Timestamp (now)
// when they are unset.
func (c *Client) Track(p EventPayload) error {
	return c.TrackContext(context.Background(), p)
}

// TrackContext is Track with a context.
func (c *Client) TrackContext(ctx context.Context, p EventPayload) error {
	_, err := c.TrackResultContext(ctx, p)
	return err
}

// TrackResultContext is Track that also returns the service's answer.
func (c *Client) TrackResultContext(ctx context.Context, p EventPayload) (*WriteResult, error) {
	if p.UUID == "" {
		p.UUID = c.GetUserUUID()
	}
	if p.UUID == "" {
		return nil, ErrNoUUID
	}
	c.completeEvent(&p)
	if c.batcher != nil {
		return c.batcher.enqueue(EventItem(&p), p.UUID)
	}
	raw, err := appendEvent(nil, &p, false)
	if err != nil {
		return nil, err
	}
	result := &WriteResult{}
	err = c.post(ctx, "/event", c.writeKey(), func() ([]byte, error) { return withSentAt(raw), nil }, result)
	if err != nil {
		return nil, err
	}
	return result, nil
}

func (c *Client) completeEvent(p *EventPayload) {
	if p.ID == "" {
		p.ID = NewUUID()
	}
	if p.Timestamp.IsZero() {
		p.Timestamp = time.Now()
	}
	p.Synchronous = p.Synchronous || c.opts.Synchronous
}

// Batch sends up to 100 writes in one request (POST /batch); each item gets its own
// result. Event items get an ID and Timestamp as in Track.
func (c *Client) Batch(items []BatchItem) (*BatchResult, error) {
	return c.BatchContext(context.Background(), items)
}

// BatchContext is Batch with a context.
func (c *Client) BatchContext(ctx context.Context, items []BatchItem) (*BatchResult, error) {
	raws := make([]rawItem, 0, len(items))
	for _, item := range items {
		if item.Event != nil {
			event := *item.Event
			c.completeEvent(&event)
			item = EventItem(&event)
		}
		raw, err := item.MarshalJSON()
		if err != nil {
			return nil, err
		}
		raws = append(raws, rawItem{item: item, raw: raw})
	}
	return c.sendBatch(ctx, raws)
}

type rawItem struct {
	item BatchItem
	raw  []byte
}

func (c *Client) sendBatch(ctx context.Context, items []rawItem) (*BatchResult, error) {
	result := &BatchResult{}
	size := 16
	for _, it := range items {
		size += len(it.raw) + 48
	}
	err := c.post(ctx, "/batch", c.writeKey(), func() ([]byte, error) {
		// sent_at is the same for every event of one attempt.
		sentAt := appendTimestamp(append(make([]byte, 0, 48), `{"sent_at":`...), time.Now())
		body := append(make([]byte, 0, size), `{"batch":[`...)
		for i, it := range items {
			if i > 0 {
				body = append(body, ',')
			}
			if it.item.Event != nil {
				body = append(append(append(body, sentAt...), ','), it.raw[1:]...)
			} else {
				body = append(body, it.raw...)
			}
		}
		return append(body, "]}"...), nil
	}, result)
	if err != nil {
		return nil, err
	}
	return result, nil
}

// withSentAt adds the client's clock at sending, so the service corrects clock skew.
func withSentAt(event []byte) []byte {
	return withFields(event, `"sent_at":`+string(appendTimestamp(nil, time.Now())))
}

// ---------------------------------------------------------------- reads (secret key)

// SessionShow reads the enriched session with its attributes and recent events (POST
// /session/show; needs the secret key). uuid "" means the current session.
func (c *Client) SessionShow(uuid string, opts *SessionShowOptions) (*SessionShowResponse, error) {
	return c.SessionShowContext(context.Background(), uuid, opts)
}

// SessionShowContext is SessionShow with a context.
func (c *Client) SessionShowContext(ctx context.Context, uuid string, opts *SessionShowOptions) (*SessionShowResponse, error) {
	body := map[string]any{"uuid": c.orCurrent(uuid)}
	if opts != nil && opts.EventsLimit != nil {
		body["events_limit"] = *opts.EventsLimit
	}
	if opts != nil && opts.Sort != "" {
		body["sort"] = opts.Sort
	}
	out := &SessionShowResponse{}
	if err := c.postJSON(ctx, "/session/show", c.readKey(), body, out); err != nil {
		return nil, err
	}
	return out, nil
}

// EventShow reads one page of the events named q.Name (POST /event/show; secret key).
func (c *Client) EventShow(q EventQuery) (*EventShowResponse, error) {
	return c.EventShowContext(context.Background(), q)
}

// EventShowContext is EventShow with a context.
func (c *Client) EventShowContext(ctx context.Context, q EventQuery) (*EventShowResponse, error) {
	out := &EventShowResponse{}
	if err := c.postJSON(ctx, "/event/show", c.readKey(), q, out); err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteSession erases a session with its attributes and events (POST /session/delete;
// secret key). uuid "" means the current session.
func (c *Client) DeleteSession(uuid string) (*DeleteResult, error) {
	return c.DeleteSessionContext(context.Background(), uuid)
}

// DeleteSessionContext is DeleteSession with a context.
func (c *Client) DeleteSessionContext(ctx context.Context, uuid string) (*DeleteResult, error) {
	out := &DeleteResult{}
	body := map[string]string{"uuid": c.orCurrent(uuid)}
	if err := c.postJSON(ctx, "/session/delete", c.readKey(), body, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *Client) orCurrent(uuid string) string {
	if uuid == "" {
		return c.GetUserUUID()
	}
	return uuid
}

func (c *Client) postJSON(ctx context.Context, path, key string, body, out any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return c.post(ctx, path, key, func() ([]byte, error) { return raw, nil }, out)
}
