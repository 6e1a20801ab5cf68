package tools

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// The per-call work of the tools, without any I/O: decoding and validating arguments,
// computing an update's changed fields, and encoding a result.

const (
	benchValidCreate = `{"integrationLabel":"prod trail","awsAccountId":"123456789012","s3Bucket":"acme-cloudtrail-logs",` +
		`"logProcessingRole":"arn:aws:iam::123456789012:role/PantherLogProcessingRole","logStreamType":"Auto",` +
		`"managedBucketNotifications":true,"s3PrefixLogTypes":[{"prefix":"AWSLogs/","logTypes":["AWS.CloudTrail"],` +
		`"excludedPrefixes":["AWSLogs/*/CloudTrail-Digest/"]}]}`
	benchInvalidCreate = `{"integrationLabel":"prod/trail!","awsAccountId":"12345","s3Bucket":"acme-cloudtrail-logs",` +
		`"logProcessingRole":"arn:aws:iam::123456789012:role/PantherLogProcessingRole","logStreamType":"Yaml",` +
		`"managedBucketNotifications":true,"region":"us-east-1","s3PrefixLogTypes":[{"prefix":"AWSLogs/","logTypes":[]}]}`
	benchID = `{"id":"6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b"}`
)

func benchSource() pantherapi.S3Source {
	return pantherapi.S3Source{
		IntegrationID:              "6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b",
		IntegrationLabel:           "prod trail",
		AWSAccountID:               "123456789012",
		S3Bucket:                   "acme-cloudtrail-logs",
		LogProcessingRole:          "arn:aws:iam::123456789012:role/PantherLogProcessingRole",
		LogStreamType:              pantherapi.StreamAuto,
		ManagedBucketNotifications: true,
		S3PrefixLogTypes: []pantherapi.PrefixLogTypesMapping{{
			Prefix: "AWSLogs/", LogTypes: []string{"AWS.CloudTrail"}, ExcludedPrefixes: []string{"AWSLogs/*/CloudTrail-Digest/"},
		}},
	}
}

// wireRequest is a tools/call request as it arrives over a transport: the arguments
// are kept as raw JSON.
func wireRequest(b testing.TB, args string) mcp.CallToolRequest {
	var req mcp.CallToolRequest
	msg := `{"method":"tools/call","params":{"name":"x","arguments":` + args + `}}`
	if err := json.Unmarshal([]byte(msg), &req); err != nil {
		b.Fatal(err)
	}
	return req
}

// mapRequest is a tools/call request as the in-process client builds it: the arguments
// are a Go map.
func mapRequest(b testing.TB, args string) mcp.CallToolRequest {
	var m map[string]any
	if err := json.Unmarshal([]byte(args), &m); err != nil {
		b.Fatal(err)
	}
	var req mcp.CallToolRequest
	req.Params.Name = "x"
	req.Params.Arguments = m
	return req
}

func benchDecode[T any](b *testing.B, args string, check func(*T) []schema.Problem, problems int, mk func(testing.TB, string) mcp.CallToolRequest) {
	var zero T
	v := schema.MustValidator(schema.Reflect(&zero))
	req := mk(b, args)
	if _, _, p := decode[T](req, v, check); len(p) != problems {
		b.Fatalf("%d problems, want %d: %v", len(p), problems, p)
	}
	b.ReportAllocs()
	for b.Loop() {
		_, _, _ = decode[T](req, v, check)
	}
}

// BenchmarkDecode is what every call does before its handler runs: read the raw
// arguments, validate them against the compiled schema, decode them into the argument
// struct and apply the rules a schema cannot say.
func BenchmarkDecode(b *testing.B) {
	b.Run("get_id/wire", func(b *testing.B) { benchDecode[IDArgs](b, benchID, nil, 0, wireRequest) })
	b.Run("create_valid/wire", func(b *testing.B) {
		benchDecode(b, benchValidCreate, (*CreateArgs).check, 0, wireRequest)
	})
	b.Run("create_invalid/wire", func(b *testing.B) {
		benchDecode(b, benchInvalidCreate, (*CreateArgs).check, 5, wireRequest)
	})
	b.Run("create_valid/map", func(b *testing.B) {
		benchDecode(b, benchValidCreate, (*CreateArgs).check, 0, mapRequest)
	})
}

// BenchmarkChangedFields is the diff update_s3_source computes between the current and
// the proposed source, next to the reflect.DeepEqual definition it replaces.
func BenchmarkChangedFields(b *testing.B) {
	cur := benchSource()
	next := cur.Modification()
	next.IntegrationLabel = "prod trail 2"
	a := cur.Modification()
	for _, c := range []struct {
		name string
		f    func(a, b pantherapi.ModifyS3Source) []string
	}{{"direct", changedFields}, {"reflect_reference", deepEqualChangedFields}} {
		f := c.f
		b.Run(c.name, func(b *testing.B) {
			if got := f(a, next); len(got) != 1 || got[0] != "integrationLabel" {
				b.Fatalf("changed %v", got)
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = f(a, next)
			}
		})
	}
}

// deepEqualChangedFields is the reflection-based definition changedFields must match.
func deepEqualChangedFields(a, b pantherapi.ModifyS3Source) []string {
	changed := []string{}
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			name, _, _ := strings.Cut(va.Type().Field(i).Tag.Get("json"), ",")
			changed = append(changed, name)
		}
	}
	return changed
}

// TestChangedFieldsMatchesDeepEqual keeps the hand-written comparison the benchmark
// above measures equal to the reflect.DeepEqual definition, field by field.
func TestChangedFieldsMatchesDeepEqual(t *testing.T) {
	base := benchSource().Modification()
	opts := &pantherapi.S3LogStreamTypeOptions{XMLRootElement: "Events"}
	edits := map[string]func(*pantherapi.ModifyS3Source){
		"none":               func(*pantherapi.ModifyS3Source) {},
		"label":              func(m *pantherapi.ModifyS3Source) { m.IntegrationLabel = "other" },
		"kms":                func(m *pantherapi.ModifyS3Source) { m.KMSKey = "arn:aws:kms:us-east-1:123456789012:key/k" },
		"role":               func(m *pantherapi.ModifyS3Source) { m.LogProcessingRole += "2" },
		"stream type":        func(m *pantherapi.ModifyS3Source) { m.LogStreamType = pantherapi.StreamXML },
		"options set":        func(m *pantherapi.ModifyS3Source) { m.LogStreamTypeOptions = opts },
		"options same value": func(m *pantherapi.ModifyS3Source) { o := *opts; m.LogStreamTypeOptions = &o },
		"options empty":      func(m *pantherapi.ModifyS3Source) { m.LogStreamTypeOptions = &pantherapi.S3LogStreamTypeOptions{} },
		"notifications":      func(m *pantherapi.ModifyS3Source) { m.ManagedBucketNotifications = false },
		"mappings nil":       func(m *pantherapi.ModifyS3Source) { m.S3PrefixLogTypes = nil },
		"mappings empty":     func(m *pantherapi.ModifyS3Source) { m.S3PrefixLogTypes = []pantherapi.PrefixLogTypesMapping{} },
		"prefix":             func(m *pantherapi.ModifyS3Source) { m.S3PrefixLogTypes[0].Prefix = "other/" },
		"log types":          func(m *pantherapi.ModifyS3Source) { m.S3PrefixLogTypes[0].LogTypes = []string{"AWS.VPCFlow"} },
		"log types nil":      func(m *pantherapi.ModifyS3Source) { m.S3PrefixLogTypes[0].LogTypes = nil },
		"exclusions empty":   func(m *pantherapi.ModifyS3Source) { m.S3PrefixLogTypes[0].ExcludedPrefixes = []string{} },
		"one more mapping": func(m *pantherapi.ModifyS3Source) {
			m.S3PrefixLogTypes = append(m.S3PrefixLogTypes, pantherapi.PrefixLogTypesMapping{Prefix: "x/", LogTypes: []string{"A.B"}})
		},
		"several": func(m *pantherapi.ModifyS3Source) {
			m.IntegrationLabel, m.LogStreamType, m.LogStreamTypeOptions = "x", pantherapi.StreamXML, opts
		},
	}
	variants := map[string]pantherapi.ModifyS3Source{}
	for name, edit := range edits {
		m := benchSource().Modification()
		edit(&m)
		variants[name] = m
	}
	variants["base with options"] = func() pantherapi.ModifyS3Source { m := base; m.LogStreamTypeOptions = opts; return m }()
	for an, a := range variants {
		for bn, b := range variants {
			got, want := changedFields(a, b), deepEqualChangedFields(a, b)
			if !slices.Equal(got, want) {
				t.Errorf("%s → %s: changedFields %v, reflect.DeepEqual %v", an, bn, got, want)
			}
		}
	}
}

// BenchmarkResultEncode builds and encodes the result of get_s3_source as a transport
// writes it (the text summary included).
func BenchmarkResultEncode(b *testing.B) {
	src := benchSource()
	b.ReportAllocs()
	for b.Loop() {
		res := successResult(SourceResult{Source: &src})
		if _, err := json.Marshal(res); err != nil {
			b.Fatal(err)
		}
	}
}
