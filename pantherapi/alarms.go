package pantherapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/panther-s3-mcp/panther-s3-mcp/rules"
)

// AlarmTypeNoData is the one log-source alarm a user can set: it fires when the source
// receives no events for longer than its threshold.
const AlarmTypeNoData = "SOURCE_NO_DATA"

// The states Panther reports for an alarm.
const (
	AlarmStateOK               = "OK"
	AlarmStateAlarm            = "ALARM"
	AlarmStateInsufficientData = "INSUFFICIENT_DATA"
)

// Alarm is a log-source alarm as Panther returns it. State is set only by reads.
type Alarm struct {
	Type             string `json:"type"`
	MinutesThreshold int    `json:"minutesThreshold"`
	State            string `json:"state,omitempty"`
}

func (a *Alarm) missingFields() []string {
	var missing []string
	if a.Type == "" {
		missing = append(missing, "type")
	}
	if a.MinutesThreshold <= 0 {
		missing = append(missing, "minutesThreshold")
	}
	return missing
}

// setAlarm is the body of a PUT.
type setAlarm struct {
	MinutesThreshold int `json:"minutesThreshold"`
}

const alarmRoute = "/log-source-alarms/{sourceId}/{type}"

func alarmPath(sourceID, alarmType string) string {
	return "/log-source-alarms/" + url.PathEscape(sourceID) + "/" + url.PathEscape(alarmType)
}

// GetNoDataAlarm reads the source's no-data alarm. No alarm set is an *APIError with
// CodeNotFound (errors.Is(err, ErrNotFound)).
func (c *Client) GetNoDataAlarm(ctx context.Context, sourceID string) (Alarm, error) {
	var out Alarm
	if err := ValidateID(sourceID); err != nil {
		return Alarm{}, err
	}
	err := c.do(ctx, request{method: http.MethodGet, path: alarmPath(sourceID, AlarmTypeNoData), route: alarmRoute,
		want: http.StatusOK, out: &out, idempotent: true})
	if err != nil {
		return Alarm{}, err
	}
	return out, nil
}

// SetNoDataAlarm creates or replaces the source's no-data alarm with a threshold in
// minutes (rules.MinAlarmMinutes to rules.MaxAlarmMinutes; others are refused before
// anything is sent). It is idempotent and retried.
func (c *Client) SetNoDataAlarm(ctx context.Context, sourceID string, minutes int) (Alarm, error) {
	if err := ValidateID(sourceID); err != nil {
		return Alarm{}, err
	}
	if err := ValidateAlarmMinutes(minutes); err != nil {
		return Alarm{}, err
	}
	var out Alarm
	err := c.do(ctx, request{method: http.MethodPut, path: alarmPath(sourceID, AlarmTypeNoData), route: alarmRoute,
		in: setAlarm{MinutesThreshold: minutes}, want: http.StatusOK, out: &out, idempotent: true})
	if err != nil {
		return Alarm{}, err
	}
	return out, nil
}

// DeleteNoDataAlarm removes the source's no-data alarm. An alarm that is not set counts
// as removed. It is idempotent and retried.
func (c *Client) DeleteNoDataAlarm(ctx context.Context, sourceID string) error {
	if err := ValidateID(sourceID); err != nil {
		return err
	}
	err := c.do(ctx, request{method: http.MethodDelete, path: alarmPath(sourceID, AlarmTypeNoData), route: alarmRoute,
		want: http.StatusNoContent, alsoOK: http.StatusOK, idempotent: true})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// ValidateAlarmMinutes checks a no-data alarm threshold against Panther's bounds.
func ValidateAlarmMinutes(minutes int) error {
	if minutes < rules.MinAlarmMinutes || minutes > rules.MaxAlarmMinutes {
		return fmt.Errorf("%w: minutesThreshold must be between %d and %d minutes (30 days); got %d",
			ErrInvalidArgument, rules.MinAlarmMinutes, rules.MaxAlarmMinutes, minutes)
	}
	return nil
}

// TokenFingerprint returns a short hash of the token a call with ctx would send (the one
// set with WithToken, else the client's), or "" when there is none. It tells credentials
// apart, e.g. to key a cache per caller, without keeping the token itself.
func (c *Client) TokenFingerprint(ctx context.Context) string {
	t := c.effectiveToken(ctx)
	if t == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("panther-s3-mcp token fingerprint\x00" + t))
	return hex.EncodeToString(sum[:16])
}
