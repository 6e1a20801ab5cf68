package tools

import (
	"fmt"
	"strings"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// describe summarises a source in one paragraph for the text content of a result.
func describe(s pantherapi.S3Source) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q (id %s): bucket s3://%s in account %s, stream type %s",
		s.IntegrationLabel, s.IntegrationID, s.S3Bucket, s.AWSAccountID, s.LogStreamType)
	if s.KMSKey != "" {
		b.WriteString(", KMS-encrypted")
	}
	if s.ManagedBucketNotifications {
		b.WriteString(", notifications managed by Panther")
	}
	b.WriteString(".")
	for _, m := range s.S3PrefixLogTypes {
		prefix := m.Prefix
		if prefix == "" {
			prefix = "(whole bucket)"
		}
		fmt.Fprintf(&b, "\n- %s → %s", prefix, strings.Join(m.LogTypes, ", "))
		if len(m.ExcludedPrefixes) > 0 {
			fmt.Fprintf(&b, " (excluding %s)", strings.Join(m.ExcludedPrefixes, ", "))
		}
	}
	return b.String()
}

func withWarnings(text string, warnings []string) string {
	for _, w := range warnings {
		text += "\nWarning: " + w
	}
	return text
}
