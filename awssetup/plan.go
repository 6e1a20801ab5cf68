package awssetup

import (
	"fmt"
	"slices"
	"strings"

	"github.com/panther-s3-mcp/panther-s3-mcp/rules"
)

// plan is a checked input with every default resolved: what the generators render.
type plan struct {
	partition, region, pantherRegion string
	bucket, bucketARN, accountID     string
	roleName, roleARN                string
	kmsKey                           string
	createTool                       string
	mappings                         []PrefixLogTypes
	// prefixes covers the mapped prefixes; nil is the whole bucket.
	prefixes                      []string
	managed                       bool
	pantherAccountID              string
	label, streamType             string
	topicName, topicARN, queueARN string
	// notes are facts about the input the user should know, whatever the format.
	notes []string
}

// newPlan checks in and resolves its defaults. The error is an *InputError.
func newPlan(in Input) (plan, error) {
	var p problems
	var pl plan
	pl.createTool = in.CreateTool
	if pl.createTool == "" {
		pl.createTool = "the create tool"
	}
	pl.bucket = p.bucket(in.Bucket)
	pl.accountID = p.accountID("accountId", in.AccountID)
	if strings.TrimSpace(in.PantherAccountID) == "" {
		p.add("pantherAccountId", "required: the role trusts Panther's AWS account and Panther's queue lives in it; "+
			"copy it from the Panther console (Settings → General, \"AWS Account ID\") or set PANTHER_AWS_ACCOUNT_ID")
		p.e.missingPanther = true
	} else {
		pl.pantherAccountID = p.accountID("pantherAccountId", in.PantherAccountID)
	}
	pl.region = p.region("region", in.Region, DefaultRegion)
	pl.pantherRegion = p.region("pantherRegion", in.PantherRegion, pl.region)
	pl.partition = Partition(pl.region)
	if Partition(pl.pantherRegion) != pl.partition {
		p.add("pantherRegion", "%s is in partition %s, the bucket's region %s in %s: they must be in one partition",
			pl.pantherRegion, Partition(pl.pantherRegion), pl.region, pl.partition)
	}
	pl.kmsKey = p.kmsKey(in.KMSKeyARN, pl.partition)

	pl.roleName = strings.TrimSpace(in.RoleName)
	if pl.roleName == "" {
		pl.roleName = truncate("PantherLogProcessingRole-"+pl.bucket, 64)
	} else if !rules.Compile().RoleName.MatchString(pl.roleName) {
		p.add("roleName", "must be an IAM role name: 1-64 letters, digits and +=,.@_-")
	}
	pl.topicName = strings.TrimSpace(in.TopicName)
	if pl.topicName == "" {
		pl.topicName = truncate("panther-notifications-"+strings.ReplaceAll(pl.bucket, ".", "-"), 256)
	} else if !topicNameRE().MatchString(pl.topicName) {
		p.add("topicName", "must be an SNS topic name: 1-256 letters, digits, '_' and '-'")
	}
	pl.label = strings.TrimSpace(in.Label)
	if pl.label == "" {
		pl.label = defaultLabel(pl.bucket)
	} else if len(pl.label) > rules.MaxLabelLength || !rules.Compile().Label.MatchString(pl.label) {
		p.add("label", "must be letters, digits, spaces and hyphens, at most %d characters", rules.MaxLabelLength)
	}
	pl.streamType = strings.TrimSpace(in.LogStreamType)
	if pl.streamType == "" {
		pl.streamType = rules.StreamAuto
	} else if !slices.Contains(rules.StreamTypes(), pl.streamType) {
		p.add("logStreamType", "must be one of %s", strings.Join(rules.StreamTypes(), ", "))
	}
	pl.mappings = p.mappings(in)
	pl.managed = in.ManagedBucketNotifications
	if err := p.err(); err != nil {
		return plan{}, err
	}

	prefixes := make([]string, len(pl.mappings))
	for i, m := range pl.mappings {
		prefixes[i] = m.Prefix
	}
	pl.prefixes = CoveringPrefixes(prefixes)
	pl.bucketARN = BucketARN(pl.partition, pl.bucket)
	pl.roleARN = RoleARN(pl.partition, pl.accountID, pl.roleName)
	pl.topicARN = TopicARN(pl.partition, pl.region, pl.accountID, pl.topicName)
	pl.queueARN = PantherQueueARN(pl.partition, pl.pantherRegion, pl.pantherAccountID)
	pl.notes = pl.inputNotes(in)
	return pl, nil
}

// inputNotes are the facts about the input worth telling, in a stable order.
func (pl plan) inputNotes(in Input) []string {
	var notes []string
	if !rules.Compile().DNSBucket.MatchString(pl.bucket) {
		notes = append(notes, fmt.Sprintf("The bucket name %s does not follow today's S3 naming rules (3-63 lower-case letters, digits, dots and hyphens): %s may refuse it.", pl.bucket, pl.createTool))
	}
	if r := arnRegion(pl.kmsKey); r != "" && r != pl.region {
		notes = append(notes, fmt.Sprintf("The KMS key is in %s but the bucket's region is given as %s: S3 encrypts with keys of the bucket's region; check both.", r, pl.region))
	}
	if pl.kmsKey != "" {
		notes = append(notes, "The KMS key's own key policy must also let the role use the key (directly, or by delegating to IAM policies in account "+pl.accountID+").")
	}
	if len(pl.prefixes) > 0 && len(pl.prefixes) < len(pl.mappings) {
		notes = append(notes, "Some mapped prefixes lie below others: the policy and the notification filters use the covering prefixes "+strings.Join(quoteAll(pl.prefixes), ", ")+".")
	}
	if len(pl.prefixes) > 0 {
		notes = append(notes, "The role may list and read only below the mapped prefixes; mapping a new prefix later means widening the ReadData policy.")
	}
	missing := false
	for _, m := range pl.mappings {
		missing = missing || len(m.LogTypes) == 0
	}
	if missing {
		notes = append(notes, "No log types were given: fill in logTypes in createArguments (e.g. AWS.CloudTrail) before calling "+pl.createTool+".")
	}
	if !pl.managed && strings.TrimSpace(in.PantherRegion) == "" {
		notes = append(notes, "Panther's queue "+pl.queueARN+" is assumed to be in the bucket's region "+pl.pantherRegion+
			": if your Panther instance runs in another region (Panther console, Settings → General), give pantherRegion.")
	}
	return notes
}

// defaultLabel derives an integrationLabel from a bucket name.
func defaultLabel(bucket string) string {
	label := strings.Map(func(r rune) rune {
		if r == '.' || r == '_' {
			return '-'
		}
		return r
	}, bucket)
	return strings.Trim(truncate(label, rules.MaxLabelLength), "-")
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
