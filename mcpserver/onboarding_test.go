package mcpserver_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

func TestHealthDiagnoses(t *testing.T) {
	p := testkit.StartPanther(t)
	fake.SeedDemo(p.Server, time.Now())
	c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token), "2025-11-25")
	for _, tc := range []struct {
		id, diagnosis string
		bytes         bool
		alarm         bool
		step          string
	}{
		{fake.DemoHealthyID, tools.DiagnosisHealthy, true, false, tools.SetS3SourceAlarmName},
		{fake.DemoStalledID, tools.DiagnosisStalled, false, true, "no event received for 3 days"},
		{fake.DemoUnhealthyID, tools.DiagnosisUnhealthy, false, false, "trust policy"},
	} {
		t.Run(tc.diagnosis, func(t *testing.T) {
			res := testkit.Call(t, c, tools.GetS3SourceHealthName, map[string]any{"id": tc.id})
			require.False(t, res.IsError, testkit.Text(res))
			sc := testkit.Structured(t, res)
			assert.Equal(t, tc.diagnosis, sc["diagnosis"])
			volume := sc["volume"].(map[string]any)
			assert.EqualValues(t, 24, volume["windowHours"])
			assert.Equal(t, tc.bytes, volume["totalBytes"].(float64) > 0, "volume: %v", volume)
			assert.Equal(t, tc.alarm, sc["noDataAlarm"] != nil)
			assert.Contains(t, testkit.Text(res), tc.step)
		})
	}
	e := testkit.ErrorOf(t, testkit.Call(t, c, tools.GetS3SourceHealthName, map[string]any{"id": "0b8f5a52-0000-4000-8000-000000000000"}))
	assert.Equal(t, "not_found", e["code"])

	// A brand-new source has received nothing yet.
	created := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("fresh")))
	res := testkit.Call(t, c, tools.GetS3SourceHealthName, map[string]any{"id": created["integrationId"], "windowHours": 2})
	assert.Equal(t, tools.DiagnosisNoDataYet, testkit.Structured(t, res)["diagnosis"], testkit.Text(res))
}

func TestLogTypesAreCheckedBeforeAnythingIsSent(t *testing.T) {
	p := testkit.StartPanther(t)
	c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token), "2025-11-25")

	list := testkit.Structured(t, testkit.Call(t, c, tools.ListLogTypesName, map[string]any{"contains": "cloudtrail"}))
	names := []string{}
	for _, lt := range list["logTypes"].([]any) {
		names = append(names, lt.(map[string]any)["name"].(string))
	}
	assert.Contains(t, names, "AWS.CloudTrail")

	args := testkit.ValidCreate("typo")
	args["s3PrefixLogTypes"] = []any{map[string]any{"prefix": "", "logTypes": []any{"AWS.CloudTrial"}}}
	p.ResetRequests()
	res := testkit.Call(t, c, tools.CreateS3SourceName, args)
	e := testkit.ErrorOf(t, res)
	assert.Equal(t, "invalid_arguments", e["code"])
	assert.Contains(t, testkit.Text(res), "did you mean AWS.CloudTrail?")
	for _, r := range p.Requests() {
		assert.NotEqual(t, "/log-sources/s3", r.Path, "nothing was sent to create")
	}
	assert.Empty(t, p.Sources())

	args["s3PrefixLogTypes"] = []any{map[string]any{"prefix": "", "logTypes": []any{"Custom.LegacyApp"}}}
	res = testkit.Call(t, c, tools.CreateS3SourceName, args)
	assert.Contains(t, testkit.Text(res), "archived", testkit.Text(res))

	// With the catalogue unreadable the create goes ahead, saying the names were not checked.
	p.InjectFault(fake.RouteGraphQLSchemas, fake.Fault{Times: 100, Status: 500, Body: `{"message":"down"}`})
	fresh := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token), "2025-11-25")
	args["s3PrefixLogTypes"] = []any{map[string]any{"prefix": "", "logTypes": []any{"AWS.CloudTrail"}}}
	res = testkit.Call(t, fresh, tools.CreateS3SourceName, args)
	require.False(t, res.IsError, testkit.Text(res))
	assert.Contains(t, testkit.Text(res), "Warning: log type names were not checked")
}

func TestNoDataAlarm(t *testing.T) {
	p := testkit.StartPanther(t)
	c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token), "2025-11-25")
	args := testkit.ValidCreate("alarmed")
	args["noDataAlarmMinutes"] = 60
	res := testkit.Call(t, c, tools.CreateS3SourceName, args)
	id := testkit.SourceOf(t, res)["integrationId"].(string)
	assert.EqualValues(t, 60, testkit.Structured(t, res)["noDataAlarm"].(map[string]any)["minutesThreshold"])
	alarm, ok := p.Alarm(id)
	require.True(t, ok)
	assert.Equal(t, 60, alarm.MinutesThreshold)

	res = testkit.Call(t, c, tools.SetS3SourceAlarmName, map[string]any{"id": id, "minutesThreshold": 1440})
	require.False(t, res.IsError, testkit.Text(res))
	alarm, _ = p.Alarm(id)
	assert.Equal(t, 1440, alarm.MinutesThreshold)

	for _, bad := range []map[string]any{{"id": id, "minutesThreshold": 10}, {"id": id}, {"id": id, "minutesThreshold": 60, "remove": true}} {
		assert.Equal(t, "invalid_arguments", testkit.ErrorOf(t, testkit.Call(t, c, tools.SetS3SourceAlarmName, bad))["code"], "%v", bad)
	}

	require.False(t, testkit.Call(t, c, tools.SetS3SourceAlarmName, map[string]any{"id": id, "remove": true}).IsError)
	_, ok = p.Alarm(id)
	assert.False(t, ok, "removed")

	// A failed alarm step after a create is a warning on a successful create, never an error.
	p.InjectFault(fake.RouteAlarmPut, fake.Fault{Times: 10, Status: 500, Body: `{"message":"boom"}`})
	args = testkit.ValidCreate("alarm fails")
	args["s3Bucket"], args["noDataAlarmMinutes"] = "other-bucket", 60
	res = testkit.Call(t, c, tools.CreateS3SourceName, args)
	newID := testkit.SourceOf(t, res)["integrationId"].(string)
	assert.Contains(t, testkit.Text(res), "setting its no-data alarm failed")
	assert.Contains(t, testkit.Text(res), tools.SetS3SourceAlarmName+` {"id": "`+newID+`"`)

	// Deleting a source removes its alarm.
	p.SetAlarm(newID, 30)
	require.False(t, testkit.Call(t, c, tools.DeleteS3SourceName, map[string]any{"id": newID}).IsError)
	_, ok = p.Alarm(newID)
	assert.False(t, ok)
}

func TestAWSSetup(t *testing.T) {
	p := testkit.StartPanther(t)
	c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token, func(cfg *mcpserver.Config) {
		cfg.PantherAWSAccountID = "999988887777"
	}), "2025-11-25")

	res := testkit.Call(t, c, tools.GetS3SourceAWSSetupName, map[string]any{
		"s3Bucket": "acme-logs", "awsAccountId": "123456789012", "prefixes": []any{"AWSLogs/"}, "logTypes": []any{"AWS.CloudTrail"},
	})
	require.False(t, res.IsError, testkit.Text(res))
	sc := testkit.Structured(t, res)["setup"].(map[string]any)
	assert.Equal(t, "cloudformation", sc["format"])
	assert.Contains(t, sc["template"], "AWS::IAM::Role")
	assert.Contains(t, sc["template"], "999988887777", "the role trusts Panther's account")
	args := sc["createArguments"].(map[string]any)
	assert.Equal(t, sc["roleArn"], args["logProcessingRole"])

	// The create arguments it returns are accepted as they are.
	created := testkit.Call(t, c, tools.CreateS3SourceName, args)
	require.False(t, created.IsError, testkit.Text(created))
	id := testkit.SourceOf(t, created)["integrationId"]

	// For an existing source, as Terraform.
	res = testkit.Call(t, c, tools.GetS3SourceAWSSetupName, map[string]any{"id": id, "format": "terraform"})
	require.False(t, res.IsError, testkit.Text(res))
	assert.Contains(t, testkit.Structured(t, res)["setup"].(map[string]any)["template"], `resource "aws_iam_role"`)

	// Without Panther's account there is no template, and the fix says where to find it.
	bare := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token), "2025-11-25")
	e := testkit.ErrorOf(t, testkit.Call(t, bare, tools.GetS3SourceAWSSetupName, map[string]any{"s3Bucket": "acme-logs", "awsAccountId": "123456789012"}))
	assert.Equal(t, "invalid_arguments", e["code"])
	assert.Contains(t, e["hint"], "PANTHER_AWS_ACCOUNT_ID")

	e = testkit.ErrorOf(t, testkit.Call(t, c, tools.GetS3SourceAWSSetupName, map[string]any{"s3Bucket": "acme-logs"}))
	assert.Equal(t, "invalid_arguments", e["code"], "id, or bucket and account")
}
