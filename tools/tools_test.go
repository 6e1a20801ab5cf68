package tools

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// stubBackend is an in-memory Backend for the tools' unit tests; the end-to-end suites
// run the same tools against the fake Panther API over real transports.
type stubBackend struct {
	Backend   // the calls a test does not expect panic on the nil interface
	sources   map[string]pantherapi.S3Source
	createErr error
	listErr   error
	creates   int
	deletes   int
}

func newStub(sources ...pantherapi.S3Source) *stubBackend {
	b := &stubBackend{sources: map[string]pantherapi.S3Source{}}
	for _, s := range sources {
		b.sources[s.IntegrationID] = s
	}
	return b
}

func (b *stubBackend) Create(_ context.Context, in pantherapi.CreateS3Source) (pantherapi.S3Source, error) {
	b.creates++
	if b.createErr != nil {
		return pantherapi.S3Source{}, b.createErr
	}
	s := pantherapi.S3Source{IntegrationID: "new-id", IntegrationLabel: in.IntegrationLabel, AWSAccountID: in.AWSAccountID,
		S3Bucket: in.S3Bucket, LogProcessingRole: in.LogProcessingRole, LogStreamType: in.LogStreamType,
		KMSKey: in.KMSKey, ManagedBucketNotifications: in.ManagedBucketNotifications, S3PrefixLogTypes: in.S3PrefixLogTypes}
	b.sources[s.IntegrationID] = s
	return s, nil
}

func (b *stubBackend) Get(_ context.Context, id string) (pantherapi.S3Source, error) {
	s, ok := b.sources[id]
	if !ok {
		return s, &pantherapi.APIError{Code: pantherapi.CodeNotFound, StatusCode: 404, Method: "GET"}
	}
	return s.Clone(), nil
}

func (b *stubBackend) Update(_ context.Context, id string, in pantherapi.ModifyS3Source) (pantherapi.S3Source, error) {
	s := b.sources[id]
	s.IntegrationLabel, s.S3PrefixLogTypes, s.LogStreamType = in.IntegrationLabel, in.S3PrefixLogTypes, in.LogStreamType
	s.LogStreamTypeOptions, s.KMSKey, s.LogProcessingRole = in.LogStreamTypeOptions, in.KMSKey, in.LogProcessingRole
	b.sources[id] = s
	return s, nil
}

func (b *stubBackend) Delete(_ context.Context, id string) error {
	b.deletes++
	delete(b.sources, id)
	return nil
}

func (b *stubBackend) DeleteNoDataAlarm(context.Context, string) error { return nil }

func (b *stubBackend) ListSources(context.Context) (pantherapi.SourceList, error) {
	if b.listErr != nil {
		return pantherapi.SourceList{}, b.listErr
	}
	var list pantherapi.SourceList
	for _, s := range b.sources {
		list.Sources = append(list.Sources, pantherapi.SourceSummary{IntegrationID: s.IntegrationID, IntegrationLabel: s.IntegrationLabel,
			IntegrationType: pantherapi.IntegrationTypeS3, AWSAccountID: s.AWSAccountID, S3Bucket: s.S3Bucket, S3PrefixLogTypes: s.S3PrefixLogTypes})
	}
	return list, nil
}

func trail(id, label, bucket string, prefixes ...string) pantherapi.S3Source {
	s := pantherapi.S3Source{IntegrationID: id, IntegrationLabel: label, AWSAccountID: "123456789012", S3Bucket: bucket,
		LogProcessingRole: "arn:aws:iam::123456789012:role/Panther", LogStreamType: pantherapi.StreamAuto, ManagedBucketNotifications: true}
	for _, p := range prefixes {
		s.S3PrefixLogTypes = append(s.S3PrefixLogTypes, pantherapi.PrefixLogTypesMapping{Prefix: p, LogTypes: []string{"AWS.CloudTrail"}, ExcludedPrefixes: []string{}})
	}
	return s
}

// run builds def against b and calls it with args, as a transport would.
func run[A any, R Result](t *testing.T, spec Spec[A, R], b Backend, args map[string]any) (*mcp.CallToolResult, map[string]any) {
	t.Helper()
	tool := spec.build(&Deps{Backend: b, DeleteConfirmation: ConfirmClient})
	req := mcp.CallToolRequest{}
	req.Params.Name = spec.Name
	req.Params.Arguments = args
	res, err := tool.Handler(context.Background(), req)
	require.NoError(t, err)
	raw, err := json.Marshal(res.StructuredContent)
	require.NoError(t, err)
	var sc map[string]any
	require.NoError(t, json.Unmarshal(raw, &sc))
	return res, sc
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func createArgs(label, bucket string, prefixes ...string) map[string]any {
	var mappings []any
	for _, p := range prefixes {
		mappings = append(mappings, map[string]any{"prefix": p, "logTypes": []any{"AWS.CloudTrail"}})
	}
	return map[string]any{"integrationLabel": label, "awsAccountId": "123456789012", "s3Bucket": bucket,
		"logProcessingRole": "arn:aws:iam::123456789012:role/Panther", "logStreamType": "Auto",
		"managedBucketNotifications": true, "s3PrefixLogTypes": mappings}
}

func TestSuccessTextCarriesTheStructuredContent(t *testing.T) {
	b := newStub(trail("id-1", "prod", "logs", "AWSLogs/"))
	b.sources["id-1"] = func() pantherapi.S3Source {
		s := b.sources["id-1"]
		s.KMSKey = "arn:aws:kms:us-east-1:123456789012:key/k-1"
		return s
	}()
	res, sc := run(t, getS3Source(), b, map[string]any{"id": "id-1"})
	require.False(t, res.IsError)
	first, body, ok := strings.Cut(text(res), "\n")
	require.True(t, ok, "a summary line, then the JSON")
	assert.Contains(t, first, `"prod" (id id-1)`)
	var fromText map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &fromText), "the rest of the text is the structured content")
	assert.Equal(t, sc, fromText)
	assert.Contains(t, body, "arn:aws:kms:us-east-1:123456789012:key/k-1")
}

func TestCreateRetryThatAlreadyLandedIsASuccess(t *testing.T) {
	b := newStub(trail("id-1", "prod", "logs", "AWSLogs/"))
	b.createErr = &pantherapi.APIError{Code: pantherapi.CodeExists, StatusCode: 409, Method: "POST"}
	res, sc := run(t, createS3Source(), b, createArgs("prod", "logs", "AWSLogs/"))
	require.False(t, res.IsError, text(res))
	assert.Equal(t, true, sc["alreadyExisted"])
	assert.Equal(t, "id-1", sc["source"].(map[string]any)["integrationId"])
	assert.Contains(t, text(res), "already existed")

	// The same label with another configuration stays an error naming the other source.
	res, sc = run(t, createS3Source(), b, createArgs("prod", "logs", "other/"))
	require.True(t, res.IsError)
	e := sc["error"].(map[string]any)
	assert.Equal(t, "exists", e["code"])
	assert.Contains(t, e["message"], "id-1")
}

func TestWarningsBeforeMistakesLand(t *testing.T) {
	b := newStub(trail("id-1", "other", "shared-logs", "AWSLogs/"))
	tests := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"overlapping mappings", createArgs("a", "mine", "a/", "a/b/"), []string{`s3PrefixLogTypes[0].prefix "a/" and s3PrefixLogTypes[1].prefix "a/b/" overlap`}},
		{"another source reads the bucket", createArgs("b", "shared-logs", "AWSLogs/123/"), []string{`source "other" (id id-1) already reads s3://shared-logs`}},
		{"legacy bucket name", createArgs("c", "Legacy_Bucket", ""), []string{`s3Bucket "Legacy_Bucket" is a legacy bucket name`}},
		{"read-only field ignored", func() map[string]any {
			a := createArgs("d", "mine2", "")
			a["integrationId"] = "old-id"
			return a
		}(), []string{"integrationId old-id was ignored"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, sc := run(t, createS3Source(), b, tt.args)
			require.False(t, res.IsError, text(res))
			require.NotEmpty(t, sc["warnings"])
			for _, w := range tt.want {
				assert.Contains(t, text(res), "Warning: "+w)
			}
		})
	}
}

func TestKMSAliasIsRefusedWithTheFix(t *testing.T) {
	b := newStub()
	args := createArgs("a", "mine", "")
	args["kmsKey"] = "arn:aws:kms:us-east-1:123456789012:alias/logs"
	res, sc := run(t, createS3Source(), b, args)
	require.True(t, res.IsError)
	assert.Equal(t, "invalid_arguments", sc["error"].(map[string]any)["code"])
	assert.Contains(t, text(res), "arn:aws:kms:us-east-1:123456789012:key/<key-id>")
	assert.Zero(t, b.creates, "nothing was sent")
}

func TestUpdateListsMappingChanges(t *testing.T) {
	cur := trail("id-1", "prod", "logs", "a/", "b/")
	cur.S3PrefixLogTypes[0].ExcludedPrefixes = []string{"a/digest/"}
	cur.S3PrefixLogTypes[0].LogTypes = []string{"AWS.CloudTrail", "AWS.VPCFlow"}
	b := newStub(cur)
	args := map[string]any{"id": "id-1", "dryRun": true, "s3PrefixLogTypes": []any{
		map[string]any{"prefix": "a/", "logTypes": []any{"AWS.CloudTrail"}},
		map[string]any{"prefix": "c/", "logTypes": []any{"AWS.ALB"}},
	}}
	res, sc := run(t, updateS3Source(), b, args)
	require.False(t, res.IsError, text(res))
	changes, _ := json.Marshal(sc["mappingChanges"])
	assert.JSONEq(t, `[
		{"prefix":"a/","change":"changed","removedLogTypes":["AWS.VPCFlow"],"removedExclusions":["a/digest/"]},
		{"prefix":"b/","change":"removed","removedLogTypes":["AWS.CloudTrail"]},
		{"prefix":"c/","change":"added","addedLogTypes":["AWS.ALB"]}]`, string(changes))
	assert.Contains(t, text(res), "Warning: prefix a/: log types AWS.VPCFlow are removed; exclusions a/digest/ are removed")
	assert.Contains(t, text(res), "Warning: prefix b/ is removed")
	assert.Equal(t, cur.S3PrefixLogTypes, b.sources["id-1"].S3PrefixLogTypes, "a dry run changes nothing")
}

func TestDeleteWithoutAWayToAskIsRefused(t *testing.T) {
	b := newStub(trail("id-1", "prod", "logs", ""))
	tool := deleteS3Source().build(&Deps{Backend: b})
	req := mcp.CallToolRequest{}
	req.Params.Name = DeleteS3SourceName
	req.Params.Arguments = map[string]any{"id": "id-1"}
	res, err := tool.Handler(context.Background(), req) // no session: the caller cannot be asked
	require.NoError(t, err)
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "confirm")
	assert.Equal(t, "confirmation_unavailable", res.StructuredContent.(map[string]any)["error"].(*failure.Error).Code)
	assert.Zero(t, b.deletes, "nothing was deleted")
}

func TestEnumInTheWrongCaseGetsTheRightOne(t *testing.T) {
	res, sc := run(t, getS3SourceAWSSetup(), newStub(), map[string]any{"s3Bucket": "b-1", "awsAccountId": "123456789012", "format": "Terraform"})
	require.True(t, res.IsError)
	problems := sc["error"].(map[string]any)["problems"].([]any)
	require.Len(t, problems, 1, text(res))
	assert.Equal(t, `use "terraform"`, problems[0].(map[string]any)["fix"])
}

func TestAlmostRightInputsGetTheExactFix(t *testing.T) {
	tests := []struct {
		name, field string
		value       any
		fix         string
	}{
		{"account id with dashes", "awsAccountId", "1234-5678-9012", `use "123456789012"`},
		{"bucket as an s3 URL", "s3Bucket", "s3://acme-logs/AWSLogs/", `use "acme-logs"`},
		{"bucket as an ARN", "s3Bucket", "arn:aws:s3:::acme-logs", `use "acme-logs"`},
		{"stream type in the wrong case", "logStreamType", "jsonarray", `use "JsonArray"`},
		{"role by name", "logProcessingRole", "PantherReadRole", `use "arn:aws:iam::123456789012:role/PantherReadRole"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newStub()
			args := createArgs("a", "acme-logs", "")
			args[tt.field] = tt.value
			res, sc := run(t, createS3Source(), b, args)
			require.True(t, res.IsError)
			problems := sc["error"].(map[string]any)["problems"].([]any)
			require.Len(t, problems, 1, text(res))
			assert.Equal(t, tt.field, problems[0].(map[string]any)["path"])
			assert.Equal(t, tt.fix, problems[0].(map[string]any)["fix"])
			assert.Zero(t, b.creates)
		})
	}
}

// TestConfirmationStateIsBoundToTheCaller checks that a state issued to one caller does
// not confirm the same action for another.
func TestConfirmationStateIsBoundToTheCaller(t *testing.T) {
	c := NewConfirmer()
	alice := journal.WithCaller(context.Background(), "bearer:alice")
	bob := journal.WithCaller(context.Background(), "bearer:bob")
	state := c.issue(alice, "delete", "id-1")
	assert.True(t, c.valid(alice, state, "delete", "id-1"))
	assert.False(t, c.valid(bob, state, "delete", "id-1"), "another caller")
	assert.False(t, c.valid(alice, state, "delete", "id-2"), "another source")
	assert.False(t, c.valid(alice, state, "restore", "id-1"), "another action")
	c.now = func() time.Time { return time.Now().Add(confirmationTTL + time.Minute) }
	assert.False(t, c.valid(alice, state, "delete", "id-1"), "expired")
}
