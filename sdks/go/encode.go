package atrack

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// Events are the hot path of batching: they are written here by appending, without the
// reflection and re-validation encoding/json spends on nested Marshalers (about a third
// of the SDK's CPU per event). Values other than the common scalar types go through
// encoding/json.

// appendEvent writes p as the API takes it, with "type":"event" first when withType.
func appendEvent(buf []byte, p *EventPayload, withType bool) ([]byte, error) {
	buf = append(buf, '{')
	if withType {
		buf = append(buf, `"type":"event",`...)
	}
	buf = append(buf, `"uuid":`...)
	buf = appendString(buf, p.UUID)
	buf = append(buf, `,"event":`...)
	buf = appendString(buf, p.Event)
	if p.ID != "" {
		buf = append(buf, `,"id":`...)
		buf = appendString(buf, p.ID)
	}
	if !p.Timestamp.IsZero() {
		buf = append(buf, `,"timestamp":`...)
		buf = appendTimestamp(buf, p.Timestamp)
	}
	if p.Attributes != nil {
		buf = append(buf, `,"attributes":`...)
		var err error
		if buf, err = appendValue(buf, map[string]any(p.Attributes)); err != nil {
			return nil, err
		}
	}
	if p.Context != nil {
		raw, err := json.Marshal(p.Context)
		if err != nil {
			return nil, err
		}
		buf = append(append(buf, `,"context":`...), raw...)
	}
	if p.Synchronous {
		buf = append(buf, `,"synchronous":true`...)
	}
	return append(buf, '}'), nil
}

func appendTimestamp(buf []byte, t time.Time) []byte {
	buf = append(buf, '"')
	buf = t.UTC().AppendFormat(buf, timestampLayout)
	return append(buf, '"')
}

func appendValue(buf []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...), nil
	case string:
		return appendString(buf, x), nil
	case bool:
		return strconv.AppendBool(buf, x), nil
	case int:
		return strconv.AppendInt(buf, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(buf, x, 10), nil
	case int32:
		return strconv.AppendInt(buf, int64(x), 10), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			break // encoding/json's error: the service refuses NaN and Infinity too
		}
		format := byte('f')
		if abs := math.Abs(x); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
			format = 'e'
		}
		return strconv.AppendFloat(buf, x, format, -1, 64), nil
	case map[string]any:
		buf = append(buf, '{')
		first := true
		for key, item := range x {
			if !first {
				buf = append(buf, ',')
			}
			first = false
			buf = append(appendString(buf, key), ':')
			var err error
			if buf, err = appendValue(buf, item); err != nil {
				return nil, err
			}
		}
		return append(buf, '}'), nil
	case Attributes:
		return appendValue(buf, map[string]any(x))
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(buf, raw...), nil
}

// appendString writes s as a JSON string; invalid UTF-8 goes through encoding/json,
// which replaces it as the service would.
func appendString(buf []byte, s string) []byte {
	if !utf8.ValidString(s) {
		raw, _ := json.Marshal(s)
		return append(buf, raw...)
	}
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		buf = append(buf, s[start:i]...)
		switch c {
		case '"', '\\':
			buf = append(buf, '\\', c)
		case '\n':
			buf = append(buf, '\\', 'n')
		case '\r':
			buf = append(buf, '\\', 'r')
		case '\t':
			buf = append(buf, '\\', 't')
		default:
			buf = append(buf, `\u00`...)
			buf = append(buf, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		}
		start = i + 1
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

// Random bytes for event ids come from crypto/rand a few kilobytes at a time, not one
// system call per event.
var (
	randomMu  sync.Mutex
	randomBuf [4096]byte
	randomPos = len(randomBuf)
)

// NewUUID returns a random (version 4) UUID in lower case.
func NewUUID() string {
	var b [16]byte
	randomMu.Lock()
	if randomPos+16 > len(randomBuf) {
		if _, err := rand.Read(randomBuf[:]); err != nil {
			randomMu.Unlock()
			panic("atrack: no randomness: " + err.Error())
		}
		randomPos = 0
	}
	copy(b[:], randomBuf[randomPos:randomPos+16])
	randomPos += 16
	randomMu.Unlock()
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
