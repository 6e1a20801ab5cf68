package tools

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
)

// ConfirmationMode is how a destructive call is confirmed by the client's user.
type ConfirmationMode string

const (
	// ConfirmElicit (the default) asks the user through elicitation when the client can
	// answer; when the client declared elicitation but the transport cannot carry it, or
	// the transport hides what the client declared, the call is refused with
	// confirmation_unavailable rather than run unconfirmed.
	ConfirmElicit ConfirmationMode = "elicit"
	// ConfirmClient asks through elicitation when possible and otherwise trusts the
	// client's own approval of destructive tools.
	ConfirmClient ConfirmationMode = "client"
)

// ParseConfirmationMode reads a --delete-confirmation value; "" is ConfirmElicit.
func ParseConfirmationMode(s string) (ConfirmationMode, error) {
	switch m := ConfirmationMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return ConfirmElicit, nil
	case ConfirmElicit, ConfirmClient:
		return m, nil
	}
	return "", fmt.Errorf("invalid delete confirmation mode %q: use elicit or client", s)
}

// confirmationTTL bounds how long a confirmation round may take.
const confirmationTTL = 10 * time.Minute

// Confirmer makes the state that carries a confirmation across the rounds of a call. The
// state is an HMAC, under a key made when the process starts, of the action, the subject
// (a source id), the caller's session and a nonce, so a client cannot forge an answer
// without having been asked.
type Confirmer struct {
	key [32]byte
	now func() time.Time
}

// NewConfirmer returns a Confirmer with a fresh random key.
func NewConfirmer() *Confirmer {
	c := &Confirmer{now: time.Now}
	_, _ = rand.Read(c.key[:])
	return c
}

// issue returns a new state for action on subject by the caller of ctx.
func (c *Confirmer) issue(ctx context.Context, action, subject string) string {
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	payload := strconv.FormatInt(c.now().Unix(), 10) + "." + base64.RawURLEncoding.EncodeToString(nonce[:])
	return "v1." + payload + "." + base64.RawURLEncoding.EncodeToString(c.mac(payload, action, subject, callerBinding(ctx)))
}

// valid reports whether state was issued by c for action on subject by the same caller,
// within confirmationTTL.
func (c *Confirmer) valid(ctx context.Context, state, action, subject string) bool {
	parts := strings.Split(state, ".")
	if len(parts) != 4 || parts[0] != "v1" {
		return false
	}
	unix, err1 := strconv.ParseInt(parts[1], 10, 64)
	sum, err2 := base64.RawURLEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false
	}
	if !hmac.Equal(sum, c.mac(parts[1]+"."+parts[2], action, subject, callerBinding(ctx))) {
		return false
	}
	issued := time.Unix(unix, 0)
	age := c.now().Sub(issued)
	return age >= -time.Minute && age <= confirmationTTL
}

func (c *Confirmer) mac(payload, action, subject, binding string) []byte {
	h := hmac.New(sha256.New, c.key[:])
	for _, part := range []string{action, subject, binding} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write([]byte(payload))
	return h.Sum(nil)
}

// callerBinding names the caller of ctx: its MCP session when it has one, and the
// credentials it called with (hashes, as the journal records them), so a state issued to
// one caller is worth nothing to another.
func callerBinding(ctx context.Context) string {
	b := "caller:" + journal.CallerFrom(ctx)
	if s := server.ClientSessionFromContext(ctx); s != nil {
		b += "|session:" + s.SessionID()
	}
	return b
}

// elicitation is what the client and transport of a call allow.
type elicitation int

const (
	// elicitNotDeclared: the client said it cannot ask its user; its own approval of
	// destructive tools is what guards the call.
	elicitNotDeclared elicitation = iota
	// elicitAvailable: the user can be asked.
	elicitAvailable
	// elicitUnavailable: the client declared elicitation, or what it declared is not
	// known, but the transport cannot carry the request.
	elicitUnavailable
)

// elicitationFor tells whether the caller of ctx can be asked to confirm.
func elicitationFor(ctx context.Context) elicitation {
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		if info.ClientCapabilities != nil && info.ClientCapabilities.Elicitation != nil {
			return elicitAvailable
		}
		return elicitNotDeclared
	}
	session := server.ClientSessionFromContext(ctx)
	caps, known := session.(interface {
		GetClientCapabilities() mcp.ClientCapabilities
	})
	if v, ok := session.(interface{ ProtocolVersion() string }); ok && v.ProtocolVersion() == "" {
		// A stateless HTTP request in the initialize era: the session lives for one
		// request and never saw the client's initialize.
		known = false
	}
	if !known {
		return elicitUnavailable
	}
	if caps.GetClientCapabilities().Elicitation == nil {
		return elicitNotDeclared
	}
	if _, ok := session.(server.SessionWithElicitation); ok {
		return elicitAvailable
	}
	return elicitUnavailable
}

// confirmID keys the confirmation asked of the user.
const confirmID = "confirm"

// question is a destructive change to confirm with the user.
type question struct {
	action, subject string // bound into the state that carries the answer
	what            string // "the deletion of S3 source \"x\"", for messages
	params          mcp.ElicitationParams
}

// confirm returns nil when the change may go ahead: the user confirmed, or the client
// cannot ask and its own approval is trusted. Otherwise it returns the request that asks
// the user, or the failure saying why nothing was changed.
func (c *Call) confirm(ctx context.Context, q question) error {
	confirmer := c.Confirm
	if confirmer == nil {
		confirmer = NewConfirmer()
	}
	answer := server.ElicitationResponse(c.Request.Params.InputResponses, confirmID)
	if answer != nil && !confirmer.valid(ctx, c.Request.Params.RequestState, q.action, q.subject) {
		answer = nil // not an answer to a question this server asked about this subject
	}
	if answer != nil {
		if confirmed(answer) {
			return nil
		}
		return declined(q.what, answer.Action)
	}
	switch elicitationFor(ctx) {
	case elicitAvailable:
		return askUser(server.NewInputRequestBuilder(confirmer.issue(ctx, q.action, q.subject)).
			Elicit(confirmID, q.params).ToolResult())
	case elicitUnavailable:
		if c.DeleteConfirmation == ConfirmClient {
			return nil
		}
		return failure.New(failure.CodeConfirmationUnavailable,
			q.what+" needs the user's confirmation, which this connection cannot carry; nothing was changed",
			"connect over stdio or stateful HTTP (--stateful) so the user can be asked, or have the operator start the server with --delete-confirmation=client to trust the client's own approval")
	}
	return nil
}

// confirmSchema is the form of every confirmation: one box to tick.
func confirmSchema(label string) map[string]any {
	return map[string]any{
		"type": "object",
		"properties": map[string]any{
			"confirm": map[string]any{"type": "boolean", "title": label},
		},
		"required": []string{"confirm"},
	}
}

// confirmed reports whether the user accepted and ticked the confirmation.
func confirmed(r *mcp.ElicitationResult) bool {
	if r.Action != mcp.ElicitationResponseActionAccept {
		return false
	}
	content, ok := r.Content.(map[string]any)
	if !ok {
		return false
	}
	yes, _ := content["confirm"].(bool)
	return yes
}

func declined(what string, action mcp.ElicitationResponseAction) *failure.Error {
	how := "declined"
	switch action {
	case mcp.ElicitationResponseActionCancel:
		how = "cancelled"
	case mcp.ElicitationResponseActionAccept:
		how = "did not confirm"
	}
	return failure.New(failure.CodeDeclined, "the user "+how+" "+what+"; nothing was changed",
		"do not retry unless the user asks again")
}
