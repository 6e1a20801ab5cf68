package awssetup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// NotificationIDPrefix starts the Id of every bucket notification entry this package adds,
// so that running the step again replaces them instead of adding more.
const NotificationIDPrefix = "panther-s3-source"

// ErrNotificationOverlap is wrapped when the bucket already sends s3:ObjectCreated events
// for overlapping prefixes elsewhere: S3 refuses a second, overlapping configuration.
var ErrNotificationOverlap = errors.New("the bucket already sends overlapping s3:ObjectCreated notifications")

// ErrNotificationConfig is wrapped when an existing notification configuration is not JSON
// of the S3 API's shape.
var ErrNotificationConfig = errors.New("not a bucket notification configuration")

// TopicConfiguration is one entry of a bucket's TopicConfigurations, in the S3 API's JSON
// shape (what `aws s3api get-bucket-notification-configuration` prints).
type TopicConfiguration struct {
	ID       string              `json:"Id,omitempty"`
	TopicARN string              `json:"TopicArn"`
	Events   []string            `json:"Events"`
	Filter   *NotificationFilter `json:"Filter,omitempty"`
}

// NotificationFilter filters a notification by key.
type NotificationFilter struct {
	Key KeyFilter `json:"Key"`
}

// KeyFilter holds the key filter rules.
type KeyFilter struct {
	FilterRules []FilterRule `json:"FilterRules"`
}

// FilterRule is a prefix or suffix rule (S3 takes the names in either case).
type FilterRule struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// NotificationEntries are the entries that send the bucket's s3:ObjectCreated:* events to
// the topic: one per prefix (see CoveringPrefixes), or one without a filter for the whole bucket.
func NotificationEntries(topicARN string, prefixes []string) []TopicConfiguration {
	prefixes = CoveringPrefixes(prefixes)
	if len(prefixes) == 0 {
		return []TopicConfiguration{{ID: NotificationIDPrefix, TopicARN: topicARN, Events: []string{ObjectCreatedEvent}}}
	}
	out := make([]TopicConfiguration, len(prefixes))
	for i, p := range prefixes {
		out[i] = TopicConfiguration{
			ID: fmt.Sprintf("%s-%d", NotificationIDPrefix, i+1), TopicARN: topicARN, Events: []string{ObjectCreatedEvent},
			Filter: &NotificationFilter{Key: KeyFilter{FilterRules: []FilterRule{{Name: "prefix", Value: p}}}},
		}
	}
	return out
}

// MergeNotification adds the Panther entries (NotificationEntries) to a bucket's existing
// notification configuration and returns the configuration to put back. existing is the
// configuration as JSON (empty for none). Everything else in it is kept as it was; earlier
// Panther entries (Id starting with NotificationIDPrefix) are replaced. An existing entry
// that sends s3:ObjectCreated events for an overlapping prefix makes it fail with
// ErrNotificationOverlap, as S3 would. The notification step's jq filter does the same merge.
func MergeNotification(existing []byte, topicARN string, prefixes []string) ([]byte, error) {
	config := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(existing)) > 0 {
		if err := json.Unmarshal(existing, &config); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNotificationConfig, err)
		}
	}
	entries := NotificationEntries(topicARN, prefixes)
	var kept []json.RawMessage
	var conflicts []string
	for _, kind := range []string{"TopicConfigurations", "QueueConfigurations", "LambdaFunctionConfigurations"} {
		var list []json.RawMessage
		if raw, ok := config[kind]; ok {
			if err := json.Unmarshal(raw, &list); err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrNotificationConfig, kind, err)
			}
		}
		for _, raw := range list {
			var e notificationEntry
			if err := json.Unmarshal(raw, &e); err != nil {
				return nil, fmt.Errorf("%w: %s: %w", ErrNotificationConfig, kind, err)
			}
			if kind == "TopicConfigurations" {
				if strings.HasPrefix(e.ID, NotificationIDPrefix) {
					continue
				}
				kept = append(kept, raw)
			}
			if c := e.overlap(entries); c != "" {
				conflicts = append(conflicts, kind+" "+c)
			}
		}
	}
	if len(conflicts) > 0 {
		return nil, fmt.Errorf("%w: %s; S3 refuses overlapping configurations for one event type: "+
			"fan the events out instead (point that entry at an SNS topic and subscribe both consumers), "+
			"or let Panther read other prefixes", ErrNotificationOverlap, strings.Join(conflicts, "; "))
	}
	for _, e := range entries {
		raw, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("encoding a notification entry: %w", err)
		}
		kept = append(kept, raw)
	}
	topics, err := json.Marshal(kept)
	if err != nil {
		return nil, fmt.Errorf("encoding the notification entries: %w", err)
	}
	config["TopicConfigurations"] = topics
	var b bytes.Buffer
	if err := json.Indent(&b, mustMarshal(config), "", "  "); err != nil {
		return nil, fmt.Errorf("encoding the notification configuration: %w", err)
	}
	return b.Bytes(), nil
}

// notificationEntry is what MergeNotification reads of any existing entry.
type notificationEntry struct {
	ID     string              `json:"Id"`
	Events []string            `json:"Events"`
	Filter *NotificationFilter `json:"Filter"`
}

// overlap describes the first Panther entry e overlaps, or returns "".
func (e notificationEntry) overlap(ours []TopicConfiguration) string {
	created := false
	for _, ev := range e.Events {
		created = created || strings.HasPrefix(ev, "s3:ObjectCreated:")
	}
	if !created {
		return ""
	}
	prefix := e.Filter.rule("prefix")
	for _, o := range ours {
		p := o.Filter.rule("prefix")
		// The Panther entries have no suffix, which overlaps any suffix.
		if strings.HasPrefix(p, prefix) || strings.HasPrefix(prefix, p) {
			return fmt.Sprintf("%q sends %s for prefix %q", e.ID, strings.Join(e.Events, ","), prefix)
		}
	}
	return ""
}

// rule returns the value of the filter's rule name (case-insensitive), or "".
func (f *NotificationFilter) rule(name string) string {
	if f == nil {
		return ""
	}
	for _, r := range f.Key.FilterRules {
		if strings.EqualFold(r.Name, name) {
			return r.Value
		}
	}
	return ""
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of raw JSON that was just decoded or encoded
	}
	return b
}

// notificationJQ is the jq program of the notification step: the same merge as
// MergeNotification (without the overlap check, which S3 then makes). Its input is the
// slurped output of get-bucket-notification-configuration; $panther holds the entries.
const notificationJQ = `(.[0] // {}) as $c | $c + {TopicConfigurations: ([($c.TopicConfigurations // [])[] | select((.Id // "") | startswith("` +
	NotificationIDPrefix + `") | not)] + $panther)}`

// notificationStep is the shell step that merges the Panther entries into the bucket's
// notification configuration.
func (pl plan) notificationStep() string {
	entries := encodeJSON(NotificationEntries(pl.topicARN, pl.prefixes), "")
	bucket := "--region " + pl.region + " --bucket " + shellQuote(pl.bucket) + " --expected-bucket-owner " + pl.accountID
	lines := []string{
		"# Bucket notification: s3://" + pl.bucket + " sends " + ObjectCreatedEvent + " to " + pl.topicARN + ".",
		"# put-bucket-notification-configuration replaces the bucket's WHOLE notification configuration,",
		"# so these commands read it, merge the Panther entries into it with jq, and put the merged result.",
		"# S3 refuses the put if another entry already sends s3:ObjectCreated events for an overlapping prefix.",
		"aws s3api get-bucket-notification-configuration " + bucket + " > notification-before.json",
		"jq -s --argjson panther " + shellQuote(entries) + " " + shellQuote(notificationJQ) + " notification-before.json > notification-after.json",
		"aws s3api put-bucket-notification-configuration " + bucket + " --notification-configuration file://notification-after.json",
		"# notification-before.json is the previous configuration: put it back the same way to undo.",
	}
	return strings.Join(lines, "\n") + "\n"
}

// shellQuote quotes s for a POSIX shell, leaving plain words as they are.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && !strings.ContainsRune("._/:=@%+,-", r)
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}
