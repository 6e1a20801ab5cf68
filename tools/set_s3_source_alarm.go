package tools

import (
	"context"
	"fmt"

	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/rules"
	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// SetS3SourceAlarmName is the name of the tool that sets or removes a no-data alarm.
const SetS3SourceAlarmName = "set_s3_source_alarm"

// AlarmArgs are the arguments of set_s3_source_alarm: a threshold, or remove.
type AlarmArgs struct {
	ID               string `json:"id" jsonschema:"required,maxLength=128,pattern=^[A-Za-z0-9][A-Za-z0-9_-]*$" jsonschema_description:"Source id."`
	MinutesThreshold int    `json:"minutesThreshold,omitempty" jsonschema:"minimum=15,maximum=43200" jsonschema_description:"15-43200."`
	Remove           bool   `json:"remove,omitempty" jsonschema_description:"Remove it."`
}

// AlarmResult is the result of set_s3_source_alarm.
type AlarmResult struct {
	ID      string            `json:"id" jsonschema:"required"`
	Alarm   *pantherapi.Alarm `json:"alarm,omitempty"`
	Removed bool              `json:"removed,omitempty"`
	journaled
}

func setS3SourceAlarm() Spec[AlarmArgs, AlarmResult] {
	return Spec[AlarmArgs, AlarmResult]{
		Name:        SetS3SourceAlarmName,
		Title:       "Set S3 source no-data alarm",
		Description: "Set or remove the alarm that fires when a source gets no data for minutesThreshold minutes.",
		Idempotent:  true,
		Check:       (*AlarmArgs).check,
		Run: func(ctx context.Context, c *Call, a AlarmArgs) (AlarmResult, error) {
			if a.Remove {
				entry, err := c.removeAlarm(ctx, SetS3SourceAlarmName, a.ID, "")
				if err != nil {
					return AlarmResult{}, err
				}
				return AlarmResult{ID: a.ID, Removed: true, journaled: journaled{entry}}, nil
			}
			alarm, entry, err := c.setAlarm(ctx, SetS3SourceAlarmName, a.ID, "", a.MinutesThreshold)
			if err != nil {
				return AlarmResult{}, err
			}
			return AlarmResult{ID: a.ID, Alarm: &alarm, journaled: journaled{entry}}, nil
		},
	}
}

// setAlarm sets a source's no-data alarm as one journaled change (create uses it too);
// it returns the alarm and the journal entry.
func (c *Call) setAlarm(ctx context.Context, tool, id, label string, minutes int) (pantherapi.Alarm, string, error) {
	var alarm pantherapi.Alarm
	entry, _, err := c.record(ctx, tool, change{op: journal.OpAlarmSet, sourceID: id, label: label,
		after: pantherapi.Alarm{Type: pantherapi.AlarmTypeNoData, MinutesThreshold: minutes}}, func() (applied, error) {
		var err error
		alarm, err = c.Backend.SetNoDataAlarm(ctx, id, minutes)
		return applied{after: alarm}, err
	})
	return alarm, entry, err
}

// removeAlarm removes a source's no-data alarm as one journaled change (delete uses it
// too); none being set is fine.
func (c *Call) removeAlarm(ctx context.Context, tool, id, label string) (string, error) {
	entry, _, err := c.record(ctx, tool, change{op: journal.OpAlarmRemove, sourceID: id, label: label},
		func() (applied, error) { return applied{}, c.Backend.DeleteNoDataAlarm(ctx, id) })
	return entry, err
}

func (a *AlarmArgs) check() []schema.Problem {
	switch {
	case a.Remove && a.MinutesThreshold != 0:
		return []schema.Problem{{Path: "remove", Rule: "oneOf", Message: "remove and minutesThreshold were both given",
			Fix: "give minutesThreshold to set the alarm, or remove: true to remove it"}}
	case !a.Remove && a.MinutesThreshold == 0:
		return []schema.Problem{{Path: "minutesThreshold", Rule: "required", Message: "is required unless remove is true",
			Fix: fmt.Sprintf("give the minutes without data (%d-%d) after which the alarm fires, e.g. 1440 for a day", rules.MinAlarmMinutes, rules.MaxAlarmMinutes)}}
	}
	return nil
}

// Summary says what the alarm now is.
func (r AlarmResult) Summary() string {
	if r.Removed {
		return fmt.Sprintf("Removed the no-data alarm of S3 source %s (if it had one).", r.ID) + r.entryNote()
	}
	return fmt.Sprintf("S3 source %s alarms after %d minutes without data.", r.ID, r.Alarm.MinutesThreshold) + r.entryNote()
}
