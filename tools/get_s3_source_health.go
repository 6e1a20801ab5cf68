package tools

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// GetS3SourceHealthName is the name of the tool that tells whether data flows.
const GetS3SourceHealthName = "get_s3_source_health"

// HealthArgs are the arguments of get_s3_source_health.
type HealthArgs struct {
	ID          string `json:"id" jsonschema:"required,maxLength=128,pattern=^[A-Za-z0-9][A-Za-z0-9_-]*$" jsonschema_description:"Source id."`
	WindowHours int    `json:"windowHours,omitempty" jsonschema:"minimum=1,maximum=720" jsonschema_description:"Default 24."`
}

// Diagnoses of a source's health.
const (
	DiagnosisHealthy   = "healthy"
	DiagnosisNoDataYet = "no_data_yet"
	DiagnosisStalled   = "stalled"
	DiagnosisUnhealthy = "unhealthy"
	DiagnosisUnknown   = "unknown"
)

// HealthResult is the result of get_s3_source_health.
type HealthResult struct {
	ID          string            `json:"id" jsonschema:"required"`
	Label       string            `json:"label"`
	Diagnosis   string            `json:"diagnosis" jsonschema:"required,enum=healthy,enum=no_data_yet,enum=stalled,enum=unhealthy,enum=unknown"`
	NextSteps   []string          `json:"nextSteps"`
	Panther     Verdict           `json:"panther"`
	Volume      Volume            `json:"volume"`
	NoDataAlarm *pantherapi.Alarm `json:"noDataAlarm,omitempty"`
	Warnings    []string          `json:"warnings,omitempty"`
}

// Verdict is what Panther says of a source: its health and its last events.
type Verdict struct {
	Healthy              *bool   `json:"healthy,omitempty"`
	LastEventReceivedAt  *string `json:"lastEventReceivedAt,omitempty"`
	LastEventProcessedAt *string `json:"lastEventProcessedAt,omitempty"`
}

// Volume is what Panther processed for a source over a window.
type Volume struct {
	WindowHours int                       `json:"windowHours"`
	TotalBytes  int64                     `json:"totalBytes"`
	ByLogType   []pantherapi.LogTypeBytes `json:"byLogType"`
}

const defaultWindowHours = 24

func getS3SourceHealth() Spec[HealthArgs, HealthResult] {
	return Spec[HealthArgs, HealthResult]{
		Name:        GetS3SourceHealthName,
		Title:       "Get S3 source health",
		Description: "Is data flowing? Health, last events, volume per log type, the no-data alarm, and a diagnosis with next steps.",
		ReadOnly:    true,
		Idempotent:  true,
		Run: func(ctx context.Context, c *Call, a HealthArgs) (HealthResult, error) {
			src, err := c.Backend.GetSourceSummary(ctx, a.ID)
			if err != nil {
				return HealthResult{}, err
			}
			res := HealthResult{ID: src.IntegrationID, Label: src.IntegrationLabel, Panther: Verdict{Healthy: src.IsHealthy,
				LastEventReceivedAt: src.LastEventReceivedAtTime, LastEventProcessedAt: src.LastEventProcessedAtTime},
				Volume: Volume{WindowHours: a.WindowHours, ByLogType: []pantherapi.LogTypeBytes{}}}
			if res.Volume.WindowHours == 0 {
				res.Volume.WindowHours = defaultWindowHours
			}
			now := c.now()
			window := time.Duration(res.Volume.WindowHours) * time.Hour
			volume, err := c.Backend.SourceVolume(ctx, src.IntegrationID, src.IntegrationLabel, now.Add(-window), now, volumeInterval(window))
			if err == nil {
				res.Volume.ByLogType = volume
				for _, v := range volume {
					res.Volume.TotalBytes += v.Bytes
				}
			} else {
				res.Warnings = append(res.Warnings, "the volume could not be read: "+firstLine(APIFailure(c.log(), c.Host, err)))
			}
			alarm, err := c.Backend.GetNoDataAlarm(ctx, src.IntegrationID)
			switch {
			case err == nil:
				res.NoDataAlarm = &alarm
			case !errors.Is(err, pantherapi.ErrNotFound):
				res.Warnings = append(res.Warnings, "the no-data alarm could not be read: "+firstLine(APIFailure(c.log(), c.Host, err)))
			}
			res.Diagnosis, res.NextSteps = diagnose(res, now, window)
			return res, nil
		},
	}
}

// volumeInterval picks the metric's bucket size: about a day's worth of points or fewer.
func volumeInterval(window time.Duration) time.Duration {
	if window <= 24*time.Hour {
		return time.Hour
	}
	return 24 * time.Hour
}

// diagnose reads Panther's verdict, the last event and the alarm into one diagnosis and
// the next steps for it.
func diagnose(r HealthResult, now time.Time, window time.Duration) (string, []string) {
	received, hasReceived := parseTime(r.Panther.LastEventReceivedAt)
	silentFor := now.Sub(received)
	stallAfter := window
	if r.NoDataAlarm != nil && r.NoDataAlarm.MinutesThreshold > 0 {
		stallAfter = time.Duration(r.NoDataAlarm.MinutesThreshold) * time.Minute
	}
	switch {
	case r.Panther.Healthy != nil && !*r.Panther.Healthy:
		return DiagnosisUnhealthy, UnhealthyChecklist()
	case !hasReceived && r.Panther.LastEventReceivedAt == nil && r.Volume.TotalBytes == 0:
		return DiagnosisNoDataYet, []string{
			"a new source receives nothing until objects land under its prefixes: check that the bucket gets new objects there",
			"check the bucket notifications reach Panther (managedBucketNotifications, or the SNS topic subscription); " + GetS3SourceAWSSetupName + " shows the wiring",
			"allow a few minutes after the first object, then call " + GetS3SourceHealthName + " again",
		}
	case (r.NoDataAlarm != nil && r.NoDataAlarm.State == pantherapi.AlarmStateAlarm) || (hasReceived && silentFor > stallAfter):
		return DiagnosisStalled, []string{
			fmt.Sprintf("no event received for %s: check that objects still land under the source's prefixes", roundDuration(silentFor)),
			"check nothing changed on the AWS side: the role's trust and read policies, the KMS key, the bucket notifications",
			"if the silence is expected, set a no-data alarm threshold that fits with " + SetS3SourceAlarmName,
		}
	case hasReceived || r.Volume.TotalBytes > 0:
		steps := []string{"nothing to do: data is flowing"}
		if r.NoDataAlarm == nil {
			steps = append(steps, "to hear when it stops, set a no-data alarm with "+SetS3SourceAlarmName)
		}
		return DiagnosisHealthy, steps
	}
	return DiagnosisUnknown, []string{"Panther gives no health verdict or event times for this source yet; call " + GetS3SourceHealthName + " again later"}
}

// UnhealthyChecklist is what to check when Panther says a source is unhealthy; the
// troubleshoot prompt walks through the same list.
func UnhealthyChecklist() []string {
	return []string{
		"the role's trust policy: it must let Panther's AWS account assume it (sts:AssumeRole, with aws:SecureTransport true)",
		"the role's read policy: s3:GetBucketLocation and s3:ListBucket on the bucket, s3:GetObject on its objects under the prefixes",
		"KMS: with a KMS-encrypted bucket, kms:Decrypt and kms:DescribeKey on the key, and a key policy that allows the role",
		"notifications: with managedBucketNotifications the role needs s3:GetBucketNotification and s3:PutBucketNotification; otherwise S3 → SNS → Panther's queue must be wired",
		"compare the source with " + GetS3SourceName + " and the AWS side with what " + GetS3SourceAWSSetupName + " writes for it",
	}
}

func parseTime(s *string) (time.Time, bool) {
	if s == nil || *s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, *s)
	return t, err == nil
}

func roundDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d minutes", int(d.Minutes()))
}

// Summary gives the diagnosis and the volume.
func (r HealthResult) Summary() string {
	return fmt.Sprintf("S3 source %q (id %s) is %s: %s processed in the last %d h.", r.Label, r.ID, r.Diagnosis, humanBytes(r.Volume.TotalBytes), r.Volume.WindowHours)
}

func (r HealthResult) warningList() []string { return r.Warnings }

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
