package tools

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// CreateS3SourceName is the name of the tool that creates an S3 source.
const CreateS3SourceName = "create_s3_source"

// CreateArgs are the arguments of create_s3_source. A source as get_s3_source returns it
// is accepted too: its read-only integrationId is ignored, with a warning.
type CreateArgs struct {
	IntegrationLabel           string              `json:"integrationLabel" jsonschema:"required,maxLength=32,pattern=^[0-9a-zA-Z- ]+$" jsonschema_description:"Unique name."`
	AWSAccountID               string              `json:"awsAccountId" jsonschema:"required,pattern=^[0-9]{12}$" jsonschema_description:"Account owning the bucket."`
	S3Bucket                   string              `json:"s3Bucket" jsonschema:"required,pattern=^[A-Za-z0-9][A-Za-z0-9._-]{1\\,253}[A-Za-z0-9]$" jsonschema_description:"Bucket name, not an ARN or URL."`
	LogProcessingRole          string              `json:"logProcessingRole" jsonschema:"required,pattern=^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=\\,.@_/-]+$" jsonschema_description:"Role Panther assumes."`
	LogStreamType              string              `json:"logStreamType" jsonschema:"required,enum=Auto,enum=JSON,enum=JsonArray,enum=Lines,enum=XML,enum=CloudWatchLogs" jsonschema_description:"Auto detects."`
	LogStreamTypeOptions       *StreamOptionsArgs  `json:"logStreamTypeOptions,omitempty" jsonschema_description:"For that stream type."`
	ManagedBucketNotifications bool                `json:"managedBucketNotifications" jsonschema:"required" jsonschema_description:"false: you wire S3→SNS→Panther."`
	KMSKey                     string              `json:"kmsKey,omitempty" jsonschema:"pattern=^$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_+=\\,.@-]+$" jsonschema_description:"Key ARN if SSE-KMS."`
	S3PrefixLogTypes           []PrefixMappingArgs `json:"s3PrefixLogTypes" jsonschema:"required,minItems=1,maxItems=100" jsonschema_description:"Prefix → log types."`
	IntegrationID              string              `json:"integrationId,omitempty" jsonschema:"maxLength=128" jsonschema_description:"Ignored."`
	NoDataAlarmMinutes         int                 `json:"noDataAlarmMinutes,omitempty" jsonschema:"minimum=15,maximum=43200" jsonschema_description:"Also set a no-data alarm."`
}

// CreateResult is the result of create_s3_source.
type CreateResult struct {
	Source *pantherapi.S3Source `json:"source,omitempty"`
	// AlreadyExisted is true when Panther already had this exact source (a retried create
	// whose first attempt landed): nothing new was created.
	AlreadyExisted bool              `json:"alreadyExisted,omitempty"`
	NoDataAlarm    *pantherapi.Alarm `json:"noDataAlarm,omitempty"`
	Warnings       []string          `json:"warnings,omitempty"`
	journaled
}

func createS3Source() Spec[CreateArgs, CreateResult] {
	return Spec[CreateArgs, CreateResult]{
		Name:        CreateS3SourceName,
		Title:       "Create S3 log source",
		Description: "Create an S3 log source. The AWS side must exist first (" + GetS3SourceAWSSetupName + " writes it). Labels are unique.",
		Check:       (*CreateArgs).check,
		Run: func(ctx context.Context, c *Call, a CreateArgs) (CreateResult, error) {
			res := CreateResult{Warnings: a.warnings()}
			unchecked, err := c.checkLogTypes(ctx, CreateS3SourceName, "s3PrefixLogTypes", a.S3PrefixLogTypes)
			if err != nil {
				return res, err
			}
			res.Warnings = append(res.Warnings, unchecked...)
			var src pantherapi.S3Source
			entry, jw, err := c.record(ctx, CreateS3SourceName, change{op: journal.OpCreate, label: a.IntegrationLabel, after: a.toAPI()},
				func() (applied, error) {
					var err error
					src, err = c.Backend.Create(ctx, a.toAPI())
					return applied{after: src, sourceID: src.IntegrationID}, err
				})
			res.entry, res.Warnings = entry, append(res.Warnings, jw...)
			if errors.Is(err, pantherapi.ErrExists) {
				return res, c.sameSourceOrExists(ctx, a, err, &res)
			}
			if err != nil {
				return res, err
			}
			res.Source = &src
			if a.NoDataAlarmMinutes > 0 {
				// The source exists now: a failed second step is a warning, never an error
				// that would invite a second create.
				alarm, _, err := c.setAlarm(ctx, CreateS3SourceName, src.IntegrationID, src.IntegrationLabel, a.NoDataAlarmMinutes)
				if err == nil {
					res.NoDataAlarm = &alarm
				} else {
					res.Warnings = append(res.Warnings, fmt.Sprintf("the source was created, but setting its no-data alarm failed (%s); retry that step alone with %s {\"id\": %q, \"minutesThreshold\": %d}",
						firstLine(APIFailure(c.log(), c.Host, err)), SetS3SourceAlarmName, src.IntegrationID, a.NoDataAlarmMinutes))
				}
			}
			// Other sources of the same bucket are looked up once the source exists, so the
			// lookup never delays or disturbs the create itself.
			if existing, err := c.Backend.ListSources(ctx); err == nil {
				res.Warnings = append(res.Warnings, overlappingSources(existing.Sources, src.IntegrationID, a.S3Bucket, a.S3PrefixLogTypes)...)
			} else {
				res.Warnings = append(res.Warnings, "could not check other sources for the same bucket and prefixes: "+firstLine(err))
			}
			return res, nil
		},
	}
}

// sameSourceOrExists handles a create refused with exists: when Panther's source of that
// label has the same account, bucket and mappings, the create had already landed (a
// retry) and that source is the result; otherwise the failure names the other source.
func (c *Call) sameSourceOrExists(ctx context.Context, a CreateArgs, createErr error, res *CreateResult) error {
	list, err := c.Backend.ListSources(ctx)
	if err != nil {
		return createErr
	}
	for _, s := range list.Sources {
		if s.IntegrationType != pantherapi.IntegrationTypeS3 || s.IntegrationLabel != a.IntegrationLabel {
			continue
		}
		if s.AWSAccountID == a.AWSAccountID && s.S3Bucket == a.S3Bucket && sameMappings(s.S3PrefixLogTypes, mappingsToAPI(a.S3PrefixLogTypes)) {
			src, err := c.Backend.Get(ctx, s.IntegrationID)
			if err != nil {
				return err
			}
			res.Source, res.AlreadyExisted = &src, true
			return nil
		}
		f := APIFailure(c.log(), c.Host, createErr)
		f.Message = fmt.Sprintf("a different source already has the label %q (id %s, s3://%s in account %s)",
			s.IntegrationLabel, s.IntegrationID, s.S3Bucket, s.AWSAccountID)
		f.Hint = "choose another integrationLabel, or change that source with " + UpdateS3SourceName + " (id " + s.IntegrationID + ")"
		return f
	}
	return createErr
}

// sameMappings compares prefix mappings regardless of order.
func sameMappings(a, b []pantherapi.PrefixLogTypesMapping) bool {
	if len(a) != len(b) {
		return false
	}
	key := func(m pantherapi.PrefixLogTypesMapping) string {
		lt, ex := slices.Clone(m.LogTypes), slices.Clone(m.ExcludedPrefixes)
		slices.Sort(lt)
		slices.Sort(ex)
		return m.Prefix + "\x00" + strings.Join(lt, ",") + "\x00" + strings.Join(ex, ",")
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i], kb[i] = key(a[i]), key(b[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

func (a *CreateArgs) check() []schema.Problem {
	p := checkStreamOptions("logStreamTypeOptions", a.LogStreamType, a.LogStreamTypeOptions)
	p = append(p, checkLabel(&a.IntegrationLabel)...)
	p = append(p, checkMappings("s3PrefixLogTypes", a.S3PrefixLogTypes)...)
	p = append(p, checkKMSKey(&a.KMSKey)...)
	return append(p, checkBucket(a.S3Bucket)...)
}

func (a *CreateArgs) warnings() []string {
	w := roleAccountWarning(a.LogProcessingRole, a.AWSAccountID)
	w = append(w, mappingWarnings("s3PrefixLogTypes", a.S3PrefixLogTypes)...)
	w = append(w, bucketWarnings(a.S3Bucket)...)
	if a.IntegrationID != "" {
		w = append(w, fmt.Sprintf("integrationId %s was ignored: Panther gives the new source its own id", a.IntegrationID))
	}
	return w
}

func (a CreateArgs) toAPI() pantherapi.CreateS3Source {
	return pantherapi.CreateS3Source{
		AWSAccountID:               a.AWSAccountID,
		IntegrationLabel:           a.IntegrationLabel,
		KMSKey:                     a.KMSKey,
		LogProcessingRole:          a.LogProcessingRole,
		LogStreamType:              pantherapi.LogStreamType(a.LogStreamType),
		LogStreamTypeOptions:       a.LogStreamTypeOptions.toAPI(),
		ManagedBucketNotifications: a.ManagedBucketNotifications,
		S3Bucket:                   a.S3Bucket,
		S3PrefixLogTypes:           mappingsToAPI(a.S3PrefixLogTypes),
	}
}

// Summary says what was created, or that it already existed.
func (r CreateResult) Summary() string {
	if r.AlreadyExisted {
		return "S3 source " + oneLine(*r.Source) + " already existed with this configuration (an earlier attempt created it); nothing new was created."
	}
	return "Created S3 source " + oneLine(*r.Source) + "." + r.entryNote()
}

func (r CreateResult) warningList() []string { return r.Warnings }

// firstLine is the first line of err's text.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// overlappingSources warns about other S3 sources reading the same bucket with an
// overlapping prefix: objects would be ingested twice, and managed notifications clash.
func overlappingSources(all []pantherapi.SourceSummary, selfID, bucket string, mappings []PrefixMappingArgs) []string {
	var out []string
	for _, s := range all {
		if s.IntegrationType != pantherapi.IntegrationTypeS3 || s.IntegrationID == selfID || s.S3Bucket != bucket {
			continue
		}
		if p, q, ok := overlap(s.S3PrefixLogTypes, mappings); ok {
			out = append(out, fmt.Sprintf("source %q (id %s) already reads s3://%s with prefix %s, which overlaps %s: objects would be ingested twice, and managed bucket notifications would clash",
				s.IntegrationLabel, s.IntegrationID, bucket, displayPrefix(p), displayPrefix(q)))
		}
	}
	return out
}

func overlap(theirs []pantherapi.PrefixLogTypesMapping, ours []PrefixMappingArgs) (string, string, bool) {
	if len(theirs) == 0 {
		theirs = []pantherapi.PrefixLogTypesMapping{{Prefix: ""}}
	}
	for _, t := range theirs {
		for _, o := range ours {
			if strings.HasPrefix(t.Prefix, o.Prefix) || strings.HasPrefix(o.Prefix, t.Prefix) {
				return t.Prefix, o.Prefix, true
			}
		}
	}
	return "", "", false
}
