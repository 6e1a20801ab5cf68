package prompts

import "strings"

// troubleshootData is what troubleshoot_s3_source.md is rendered with.
type troubleshootData struct {
	ID      string
	Symptom string
	// Focus names the checklist steps to start with, or "" to go in order.
	Focus string
	// Checklist is what to check when Panther says the source is unhealthy: the same list
	// get_s3_source_health gives as next steps.
	Checklist []string
}

// focusFor returns the steps to start with for symptom, or "" when no rule applies.
func focusFor(symptom string) string {
	// The first group with a word in the symptom wins.
	groups := []struct {
		words []string
		focus string
	}{
		{[]string{"denied", "permission", "assume", "forbidden", "unauthori", "403", "401", "kms", "decrypt", "token"},
			"steps 1 (the tools' error codes), 3 (role trust), 4 (role permissions) and 5 (KMS)"},
		{[]string{"classif", "pars", "schema", "log type", "logtype", "malformed", "unknown"},
			"steps 2 (health), 8 (log type and stream type) and 7 (prefixes and exclusions)"},
		{[]string{"no data", "nothing", "missing", "no event", "no log", "not receiv", "stale", "stopped", "empty", "delay"},
			"steps 2 (health), 6 (notifications), 3 to 5 (role and KMS) and 7 (prefixes)"},
	}
	s := strings.ToLower(symptom)
	for _, f := range groups {
		for _, w := range f.words {
			if strings.Contains(s, w) {
				return f.focus
			}
		}
	}
	return ""
}
