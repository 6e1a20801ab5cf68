package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// UpdateResult is the structuredContent of update_s3_source.
type UpdateResult struct {
	Source        *pantherapi.S3Source `json:"source,omitempty" jsonschema_description:"The source after the change (with dryRun: as it would be)."`
	Previous      *pantherapi.S3Source `json:"previous,omitempty" jsonschema_description:"The source before the change."`
	ChangedFields []string             `json:"changedFields,omitempty" jsonschema_description:"The fields whose value changes."`
	DryRun        bool                 `json:"dryRun,omitempty" jsonschema_description:"true when nothing was sent to Panther because dryRun was requested."`
	Warnings      []string             `json:"warnings,omitempty" jsonschema_description:"Likely mistakes Panther accepted, and adjustments made."`
	Error         *ErrorInfo           `json:"error,omitempty" jsonschema_description:"Set when the call failed."`
}

// UpdateS3Source changes some fields of a source (patch semantics over Panther's PUT).
func UpdateS3Source(d *Deps) Tool {
	return build(d, spec[UpdateArgs]{
		name:  "update_s3_source",
		title: "Update S3 log source",
		description: "Change some fields of a Panther S3 log source: give the id and only the fields to change; the others keep their values. " +
			"s3PrefixLogTypes, when given, replaces the whole list. The AWS account and bucket cannot change. " +
			"Use dryRun: true first to see the changed fields without applying them. Needs the token permission \"Manage Log Sources\".",
		destructive:      true,
		idempotent:       true,
		output:           UpdateResult{},
		check:            (*UpdateArgs).check,
		unknownFieldHint: immutableFieldHint,
		run: func(ctx context.Context, a UpdateArgs, _ mcp.CallToolRequest) *mcp.CallToolResult {
			cur, err := d.Backend.Get(ctx, a.ID)
			if err != nil {
				return d.apiErrorResult(err)
			}
			next, warnings, problems := a.apply(cur)
			if len(problems) > 0 {
				return invalidArgumentsResult("update_s3_source", problems)
			}
			proposed := cur.Clone()
			proposed.IntegrationLabel = next.IntegrationLabel
			proposed.KMSKey = next.KMSKey
			proposed.LogProcessingRole = next.LogProcessingRole
			proposed.LogStreamType = next.LogStreamType
			proposed.LogStreamTypeOptions = next.LogStreamTypeOptions
			proposed.ManagedBucketNotifications = next.ManagedBucketNotifications
			proposed.S3PrefixLogTypes = next.S3PrefixLogTypes
			changed := changedFields(cur.Modification(), next)
			res := UpdateResult{Previous: &cur, ChangedFields: changed, Warnings: warnings}
			switch {
			case a.DryRun:
				res.Source, res.DryRun = &proposed, true
				return sourceResult(res, withWarnings(fmt.Sprintf("Dry run, nothing changed. Would change %s of S3 source %s",
					fieldList(changed), describe(proposed)), warnings))
			case len(changed) == 0:
				res.Source = &cur
				return sourceResult(res, withWarnings("Nothing to change: S3 source "+describe(cur)+" already has these values.", warnings))
			}
			updated, err := d.Backend.Update(ctx, a.ID, next)
			if err != nil {
				return d.apiErrorResult(err)
			}
			res.Source = &updated
			return sourceResult(res, withWarnings(fmt.Sprintf("Updated %s of S3 source %s", fieldList(changed), describe(updated)), warnings))
		},
	})
}

func immutableFieldHint(field string) string {
	switch field {
	case "awsAccountId":
		return "the AWS account of a source cannot change: create a new source with create_s3_source for the other account, then delete this one"
	case "s3Bucket":
		return "the bucket of a source cannot change: create a new source with create_s3_source for the other bucket, then delete this one"
	}
	return ""
}

// apply merges the requested changes into the current source. Options of the old stream
// type that do not fit a new one are dropped, with a warning.
func (a UpdateArgs) apply(cur pantherapi.S3Source) (pantherapi.ModifyS3Source, []string, []schema.Problem) {
	next := cur.Modification()
	var warnings []string
	if a.IntegrationLabel != nil {
		next.IntegrationLabel = *a.IntegrationLabel
	}
	if a.LogProcessingRole != nil {
		next.LogProcessingRole = *a.LogProcessingRole
		warnings = append(warnings, roleAccountWarning(next.LogProcessingRole, cur.AWSAccountID)...)
	}
	if a.ManagedBucketNotifications != nil {
		next.ManagedBucketNotifications = *a.ManagedBucketNotifications
	}
	if a.KMSKey != nil {
		next.KMSKey = *a.KMSKey
	}
	if a.S3PrefixLogTypes != nil {
		next.S3PrefixLogTypes = mappingsToAPI(*a.S3PrefixLogTypes)
		warnings = append(warnings, mappingWarnings(*a.S3PrefixLogTypes)...)
	}
	if a.LogStreamType != nil {
		next.LogStreamType = pantherapi.LogStreamType(*a.LogStreamType)
	}
	var problems []schema.Problem
	if a.LogStreamTypeOptions != nil {
		next.LogStreamTypeOptions = a.LogStreamTypeOptions.toAPI()
		problems = checkStreamOptions("logStreamTypeOptions", string(next.LogStreamType), a.LogStreamTypeOptions)
	} else if next.LogStreamTypeOptions != nil {
		kept, dropped := pruneOptions(*next.LogStreamTypeOptions, next.LogStreamType)
		next.LogStreamTypeOptions = kept.toAPI()
		if len(dropped) > 0 {
			warnings = append(warnings, fmt.Sprintf("dropped logStreamTypeOptions %s: they do not apply to logStreamType %s",
				strings.Join(dropped, ", "), next.LogStreamType))
		}
	}
	return next, warnings, problems
}

// pruneOptions keeps the options that apply to stream type t.
func pruneOptions(o pantherapi.S3LogStreamTypeOptions, t pantherapi.LogStreamType) (*StreamOptionsArgs, []string) {
	kept := StreamOptionsArgs(o)
	var dropped []string
	if kept.JSONArrayEnvelopeField != "" && t != pantherapi.StreamJSONArray {
		kept.JSONArrayEnvelopeField, dropped = "", append(dropped, "jsonArrayEnvelopeField")
	}
	if kept.RetainEnvelopeFields && t != pantherapi.StreamCloudWatchLogs {
		kept.RetainEnvelopeFields, dropped = false, append(dropped, "retainEnvelopeFields")
	}
	if kept.XMLRootElement != "" && t != pantherapi.StreamXML {
		kept.XMLRootElement, dropped = "", append(dropped, "xmlRootElement")
	}
	return &kept, dropped
}

// changedFields lists, by JSON name and in field order, the fields of b that differ from a
// (with reflect.DeepEqual's notion of equality, without its per-call reflection).
func changedFields(a, b pantherapi.ModifyS3Source) []string {
	changed := []string{}
	add := func(differ bool, name string) {
		if differ {
			changed = append(changed, name)
		}
	}
	add(a.IntegrationLabel != b.IntegrationLabel, "integrationLabel")
	add(a.KMSKey != b.KMSKey, "kmsKey")
	add(a.LogProcessingRole != b.LogProcessingRole, "logProcessingRole")
	add(a.LogStreamType != b.LogStreamType, "logStreamType")
	add((a.LogStreamTypeOptions == nil) != (b.LogStreamTypeOptions == nil) ||
		(a.LogStreamTypeOptions != nil && *a.LogStreamTypeOptions != *b.LogStreamTypeOptions), "logStreamTypeOptions")
	add(a.ManagedBucketNotifications != b.ManagedBucketNotifications, "managedBucketNotifications")
	add(!sameSlice(a.S3PrefixLogTypes, b.S3PrefixLogTypes, func(x, y pantherapi.PrefixLogTypesMapping) bool {
		return x.Prefix == y.Prefix && sameSlice(x.LogTypes, y.LogTypes, eq) && sameSlice(x.ExcludedPrefixes, y.ExcludedPrefixes, eq)
	}), "s3PrefixLogTypes")
	return changed
}

// The conversions below stop compiling when a field is added to ModifyS3Source or
// PrefixLogTypesMapping, so changedFields cannot silently miss it.
var (
	_ = modifyFields(pantherapi.ModifyS3Source{})
	_ = mappingFields(pantherapi.PrefixLogTypesMapping{})
)

type modifyFields struct {
	IntegrationLabel           string
	KMSKey                     string
	LogProcessingRole          string
	LogStreamType              pantherapi.LogStreamType
	LogStreamTypeOptions       *pantherapi.S3LogStreamTypeOptions
	ManagedBucketNotifications bool
	S3PrefixLogTypes           []pantherapi.PrefixLogTypesMapping
}

type mappingFields struct {
	Prefix           string
	LogTypes         []string
	ExcludedPrefixes []string
}

// sameSlice is reflect.DeepEqual for slices: nil differs from empty.
func sameSlice[T any](x, y []T, eq func(T, T) bool) bool {
	return (x == nil) == (y == nil) && slices.EqualFunc(x, y, eq)
}

func eq[T comparable](x, y T) bool { return x == y }

func fieldList(fields []string) string {
	if len(fields) == 0 {
		return "nothing"
	}
	return strings.Join(fields, ", ")
}
