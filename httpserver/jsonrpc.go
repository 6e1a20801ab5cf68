package httpserver

import (
	"bytes"
	"encoding/json"
)

// What the transport needs to know of a JSON-RPC message, read without copying its
// params or result.

// Message is a JSON-RPC message's kind and ids, as the transports' cancellation
// handling (here and over stdio) needs them.
type Message struct {
	Method    string
	ID        string // compact id, "" when absent or null
	Cancelled string // compact params.requestId of a notifications/cancelled
}

// IsRequest reports whether m is a request (a method and an id).
func (m Message) IsRequest() bool { return m.Method != "" && m.ID != "" }

func (m Message) isResponse() bool { return m.Method == "" && m.ID != "" }

// ParseMessage reads the first JSON value of b (as mcp-go does, trailing bytes ignored).
func ParseMessage(b []byte) Message {
	var raw struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params struct {
			RequestID json.RawMessage `json:"requestId"`
		} `json:"params"`
	}
	if json.NewDecoder(bytes.NewReader(b)).Decode(&raw) != nil {
		return Message{}
	}
	m := Message{Method: raw.Method, ID: CompactID(raw.ID)}
	if m.Method == "notifications/cancelled" {
		m.Cancelled = CompactID(raw.Params.RequestID)
	}
	return m
}

// parseEvent returns the id of the JSON-RPC response an SSE event ("event: message\ndata:
// {…}\n\n") carries, as a message of kind response; anything else is an empty message.
func parseEvent(ev []byte) Message {
	i := bytes.Index(ev, []byte("data:"))
	if i < 0 {
		return Message{}
	}
	if id, ok := PeekResponseID(ev[i+len("data:"):]); ok {
		return Message{ID: id}
	}
	return Message{}
}

// PeekResponseID returns the id of a JSON-RPC response (a message with an id and a result
// or an error, no method), reading only as far as it needs: mcp-go writes the id before
// the result, which may be large. A response whose id comes after its result is not
// recognised.
func PeekResponseID(msg []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(msg))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", false
	}
	id := ""
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		key, _ := tok.(string)
		switch key {
		case "method":
			return "", false
		case "result", "error":
			return id, id != ""
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return "", false
		}
		if key == "id" {
			id = CompactID(raw)
		}
	}
	return "", false
}

// CompactID returns a JSON-RPC id as compact JSON ("7", "\"abc\""), or "" for an absent
// or null id.
func CompactID(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return ""
	}
	return b.String()
}
