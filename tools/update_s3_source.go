// This file is longer than most because Panther's PUT replaces every field: the patch
// merge and the diff of what changes belong to this tool alone, so they live with it.
package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// UpdateS3SourceName is the name of the tool that changes an S3 source.
const UpdateS3SourceName = "update_s3_source"

// UpdateArgs are the arguments of update_s3_source: the id and only the fields to change.
type UpdateArgs struct {
	ID                         string               `json:"id" jsonschema:"required,maxLength=128,pattern=^[A-Za-z0-9][A-Za-z0-9_-]*$" jsonschema_description:"Source id."`
	IntegrationLabel           *string              `json:"integrationLabel,omitempty" jsonschema:"maxLength=32,pattern=^[0-9a-zA-Z- ]+$" jsonschema_description:"New label."`
	LogProcessingRole          *string              `json:"logProcessingRole,omitempty" jsonschema:"pattern=^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=\\,.@_/-]+$" jsonschema_description:"New role ARN."`
	LogStreamType              *string              `json:"logStreamType,omitempty" jsonschema:"enum=Auto,enum=JSON,enum=JsonArray,enum=Lines,enum=XML,enum=CloudWatchLogs" jsonschema_description:"New stream type."`
	LogStreamTypeOptions       *StreamOptionsArgs   `json:"logStreamTypeOptions,omitempty" jsonschema_description:"{} clears."`
	ManagedBucketNotifications *bool                `json:"managedBucketNotifications,omitempty" jsonschema_description:"New value."`
	KMSKey                     *string              `json:"kmsKey,omitempty" jsonschema:"pattern=^$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_+=\\,.@-]+$" jsonschema_description:"\"\" removes."`
	S3PrefixLogTypes           *[]PrefixMappingArgs `json:"s3PrefixLogTypes,omitempty" jsonschema:"minItems=1,maxItems=100" jsonschema_description:"The whole new list."`
	DryRun                     bool                 `json:"dryRun,omitempty" jsonschema_description:"Change nothing."`
}

// UpdateResult is the result of update_s3_source.
type UpdateResult struct {
	Source         *pantherapi.S3Source `json:"source,omitempty"`
	Previous       *pantherapi.S3Source `json:"previous,omitempty"`
	ChangedFields  []string             `json:"changedFields"`
	MappingChanges []MappingChange      `json:"mappingChanges,omitempty"`
	DryRun         bool                 `json:"dryRun,omitempty"`
	Warnings       []string             `json:"warnings,omitempty"`
	journaled
}

// MappingChange is what an update adds to and removes from one prefix's mapping.
type MappingChange struct {
	Prefix            string   `json:"prefix"`
	Change            string   `json:"change" jsonschema:"enum=added,enum=removed,enum=changed"`
	AddedLogTypes     []string `json:"addedLogTypes,omitempty"`
	RemovedLogTypes   []string `json:"removedLogTypes,omitempty"`
	AddedExclusions   []string `json:"addedExclusions,omitempty"`
	RemovedExclusions []string `json:"removedExclusions,omitempty"`
}

func updateS3Source() Spec[UpdateArgs, UpdateResult] {
	return Spec[UpdateArgs, UpdateResult]{
		Name:             UpdateS3SourceName,
		Title:            "Update S3 log source",
		Description:      "Change only the given fields of an S3 source; s3PrefixLogTypes replaces the whole list. Use dryRun: true first.",
		Destructive:      true,
		Idempotent:       true,
		Check:            (*UpdateArgs).check,
		UnknownFieldHint: immutableFieldHint,
		Run: func(ctx context.Context, c *Call, a UpdateArgs) (UpdateResult, error) {
			var unchecked []string
			if a.S3PrefixLogTypes != nil {
				var err error
				if unchecked, err = c.checkLogTypes(ctx, UpdateS3SourceName, "s3PrefixLogTypes", *a.S3PrefixLogTypes); err != nil {
					return UpdateResult{}, err
				}
			}
			cur, err := c.Backend.Get(ctx, a.ID)
			if err != nil {
				return UpdateResult{}, err
			}
			next, warnings, problems := a.apply(cur)
			warnings = append(warnings, unchecked...)
			if len(problems) > 0 {
				return UpdateResult{}, failure.InvalidArguments(UpdateS3SourceName, problems)
			}
			proposed := cur.Clone()
			proposed.Apply(next)
			res := UpdateResult{
				Previous: &cur, ChangedFields: changedFields(cur.Modification(), next),
				MappingChanges: mappingChanges(cur.S3PrefixLogTypes, next.S3PrefixLogTypes), Warnings: warnings,
			}
			if a.S3PrefixLogTypes != nil {
				if list, err := c.Backend.ListSources(ctx); err == nil {
					res.Warnings = append(res.Warnings, overlappingSources(list.Sources, cur.IntegrationID, cur.S3Bucket, *a.S3PrefixLogTypes)...)
				}
			}
			switch {
			case a.DryRun:
				res.Source, res.DryRun = &proposed, true
				return res, nil
			case len(res.ChangedFields) == 0:
				res.Source = &cur
				return res, nil
			}
			var updated pantherapi.S3Source
			entry, jw, err := c.record(ctx, UpdateS3SourceName, change{op: journal.OpUpdate, sourceID: cur.IntegrationID, label: cur.IntegrationLabel,
				before: cur, after: proposed, changedFields: res.ChangedFields}, func() (applied, error) {
				var err error
				updated, err = c.Backend.Update(ctx, a.ID, next)
				return applied{after: updated}, err
			})
			res.entry, res.Warnings = entry, append(res.Warnings, jw...)
			if err != nil {
				return UpdateResult{}, err
			}
			res.Source = &updated
			return res, nil
		},
	}
}

// Summary says what changed, would change, or that nothing had to.
func (r UpdateResult) Summary() string {
	switch {
	case r.DryRun:
		return fmt.Sprintf("Dry run, nothing changed: would change %s of S3 source %s.", fieldList(r.ChangedFields), oneLine(*r.Previous))
	case len(r.ChangedFields) == 0:
		return "Nothing to change: S3 source " + oneLine(*r.Source) + " already has these values."
	}
	return fmt.Sprintf("Updated %s of S3 source %s.", fieldList(r.ChangedFields), oneLine(*r.Source)) + r.entryNote()
}

func (r UpdateResult) warningList() []string {
	out := slices.Clone(r.Warnings)
	for _, m := range r.MappingChanges {
		if len(m.RemovedLogTypes) > 0 || len(m.RemovedExclusions) > 0 || m.Change == "removed" {
			out = append(out, m.describe())
		}
	}
	return out
}

func (m MappingChange) describe() string {
	p := displayPrefix(m.Prefix)
	if m.Change == "removed" {
		return fmt.Sprintf("prefix %s is removed: its objects are no longer ingested", p)
	}
	var parts []string
	if len(m.RemovedLogTypes) > 0 {
		parts = append(parts, "log types "+strings.Join(m.RemovedLogTypes, ", ")+" are removed")
	}
	if len(m.RemovedExclusions) > 0 {
		parts = append(parts, "exclusions "+strings.Join(m.RemovedExclusions, ", ")+" are removed (those objects will be ingested)")
	}
	return fmt.Sprintf("prefix %s: %s", p, strings.Join(parts, "; "))
}

// mappingChanges lists, per prefix, what next adds to and removes from cur.
func mappingChanges(cur, next []pantherapi.PrefixLogTypesMapping) []MappingChange {
	find := func(list []pantherapi.PrefixLogTypesMapping, prefix string) *pantherapi.PrefixLogTypesMapping {
		for i := range list {
			if list[i].Prefix == prefix {
				return &list[i]
			}
		}
		return nil
	}
	var out []MappingChange
	for _, c := range cur {
		n := find(next, c.Prefix)
		if n == nil {
			out = append(out, MappingChange{Prefix: c.Prefix, Change: "removed", RemovedLogTypes: c.LogTypes, RemovedExclusions: nonEmpty(c.ExcludedPrefixes)})
			continue
		}
		ch := MappingChange{Prefix: c.Prefix, Change: "changed",
			AddedLogTypes: minus(n.LogTypes, c.LogTypes), RemovedLogTypes: minus(c.LogTypes, n.LogTypes),
			AddedExclusions: minus(n.ExcludedPrefixes, c.ExcludedPrefixes), RemovedExclusions: minus(c.ExcludedPrefixes, n.ExcludedPrefixes)}
		if ch.AddedLogTypes != nil || ch.RemovedLogTypes != nil || ch.AddedExclusions != nil || ch.RemovedExclusions != nil {
			out = append(out, ch)
		}
	}
	for _, n := range next {
		if find(cur, n.Prefix) == nil {
			out = append(out, MappingChange{Prefix: n.Prefix, Change: "added", AddedLogTypes: n.LogTypes, AddedExclusions: nonEmpty(n.ExcludedPrefixes)})
		}
	}
	return out
}

// minus returns the items of a that are not in b, or nil.
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func nonEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func immutableFieldHint(field string) string {
	switch field {
	case "awsAccountId", "s3Bucket":
		return fmt.Sprintf("the %s of a source cannot change: create a new source with %s, then delete this one", field, CreateS3SourceName)
	}
	return ""
}

func (a *UpdateArgs) check() []schema.Problem {
	p := checkLabel(a.IntegrationLabel)
	if a.LogStreamTypeOptions != nil && a.LogStreamType != nil {
		p = append(p, checkStreamOptions("logStreamTypeOptions", *a.LogStreamType, a.LogStreamTypeOptions)...)
	}
	if a.S3PrefixLogTypes != nil {
		p = append(p, checkMappings("s3PrefixLogTypes", *a.S3PrefixLogTypes)...)
	}
	p = append(p, checkKMSKey(a.KMSKey)...)
	if !a.changesSomething() {
		p = append(p, schema.Problem{Rule: "nothingToChange", Message: "no field to change was given",
			Fix: "add at least one of integrationLabel, logProcessingRole, logStreamType, logStreamTypeOptions, managedBucketNotifications, kmsKey, s3PrefixLogTypes"})
	}
	return p
}

func (a *UpdateArgs) changesSomething() bool {
	return a.IntegrationLabel != nil || a.LogProcessingRole != nil || a.LogStreamType != nil ||
		a.LogStreamTypeOptions != nil || a.ManagedBucketNotifications != nil || a.KMSKey != nil ||
		a.S3PrefixLogTypes != nil
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
		warnings = append(warnings, mappingWarnings("s3PrefixLogTypes", *a.S3PrefixLogTypes)...)
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
	dropped := kept.misplaced(string(t))
	for _, name := range dropped {
		kept.clear(name)
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
