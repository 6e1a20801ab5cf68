package fake

import "time"

// The ids of the sources SeedDemo stores.
const (
	DemoHealthyID   = "0b8f5a52-6c3e-4d1a-9f27-3e5d8c1a7b01"
	DemoStalledID   = "5d2e9c14-8a7b-4f3e-b6d1-2c9a0e4f8b02"
	DemoUnhealthyID = "a7c4e1f9-3b2d-4e8a-9c5f-6d1b8e2a4c03"
)

// The labels of the sources SeedDemo stores.
const (
	DemoHealthyLabel   = "demo cloudtrail"
	DemoStalledLabel   = "demo vpc flow"
	DemoUnhealthyLabel = "demo app logs"
)

// DemoStalledAlarmMinutes is the no-data alarm threshold SeedDemo sets on the
// stalled source (a day): its last event is older, so the alarm is in ALARM.
const DemoStalledAlarmMinutes = 1440

// SeedDemo stores three S3 sources that show the states a source can be in,
// relative to now:
//   - DemoHealthyID "demo cloudtrail": healthy, events a minute ago, CloudTrail
//     and S3 access-log volume;
//   - DemoStalledID "demo vpc flow": healthy by Panther's checks but its last
//     event was three days ago, with a one-day no-data alarm (state ALARM);
//   - DemoUnhealthyID "demo app logs": Panther cannot read it (isHealthy
//     false) and it has never received an event.
func SeedDemo(s *Server, now time.Time) {
	s.Put(Source{
		IntegrationID:              DemoHealthyID,
		IntegrationLabel:           DemoHealthyLabel,
		AWSAccountID:               "123456789012",
		S3Bucket:                   "demo-cloudtrail-logs",
		LogProcessingRole:          "arn:aws:iam::123456789012:role/PantherLogProcessingRole-demo",
		LogStreamType:              "Auto",
		ManagedBucketNotifications: true,
		S3PrefixLogTypes: []PrefixMapping{
			{Prefix: "AWSLogs/", LogTypes: []string{"AWS.CloudTrail"}, ExcludedPrefixes: []string{"AWSLogs/*/CloudTrail-Digest/"}},
			{Prefix: "s3-access/", LogTypes: []string{"AWS.S3ServerAccess"}, ExcludedPrefixes: []string{}},
		},
	})
	s.SetHealth(DemoHealthyID, Health{
		IsHealthy:          true,
		LastEventReceived:  now.Add(-time.Minute),
		LastEventProcessed: now.Add(-30 * time.Second),
		BytesPerHour:       map[string]int64{"AWS.CloudTrail": 52 << 20, "AWS.S3ServerAccess": 7 << 20},
		FlowingSince:       now.Add(-90 * 24 * time.Hour),
	})

	s.Put(Source{
		IntegrationID:              DemoStalledID,
		IntegrationLabel:           DemoStalledLabel,
		AWSAccountID:               "123456789012",
		S3Bucket:                   "demo-vpc-flow-logs",
		LogProcessingRole:          "arn:aws:iam::123456789012:role/PantherLogProcessingRole-vpc",
		LogStreamType:              "Lines",
		ManagedBucketNotifications: true,
		S3PrefixLogTypes: []PrefixMapping{
			{Prefix: "AWSLogs/", LogTypes: []string{"AWS.VPCFlow"}, ExcludedPrefixes: []string{}},
		},
	})
	stalledAt := now.Add(-72 * time.Hour)
	s.SetHealth(DemoStalledID, Health{
		IsHealthy:          true,
		LastEventReceived:  stalledAt,
		LastEventProcessed: stalledAt.Add(time.Minute),
		BytesPerHour:       map[string]int64{"AWS.VPCFlow": 180 << 20},
		FlowingSince:       now.Add(-60 * 24 * time.Hour),
	})
	s.SetAlarm(DemoStalledID, DemoStalledAlarmMinutes)

	s.Put(Source{
		IntegrationID:              DemoUnhealthyID,
		IntegrationLabel:           DemoUnhealthyLabel,
		AWSAccountID:               "210987654321",
		S3Bucket:                   "demo-app-logs",
		KMSKey:                     "arn:aws:kms:us-east-1:210987654321:key/1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b",
		LogProcessingRole:          "arn:aws:iam::210987654321:role/PantherLogProcessingRole-app",
		LogStreamType:              "JSON",
		ManagedBucketNotifications: false,
		S3PrefixLogTypes: []PrefixMapping{
			{Prefix: "", LogTypes: []string{"Custom.MyApp"}, ExcludedPrefixes: []string{}},
		},
	})
	s.SetHealth(DemoUnhealthyID, Health{IsHealthy: false})
}
