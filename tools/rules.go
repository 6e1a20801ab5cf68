package tools

import (
	"regexp"
)

// The argument rules, shared with the prompts and resources that take the same values.
// The struct tags in args.go repeat the patterns (a tag cannot name a constant);
// TestRulesMatchSchemaTags keeps the two equal.
const (
	SourceIDPattern   = `^[A-Za-z0-9][A-Za-z0-9_-]*$`
	MaxSourceIDLength = 128
	AccountIDPattern  = `^[0-9]{12}$`
	BucketPattern     = `^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`
	KMSKeyPattern     = `^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_+=,.@-]+$`
	LogTypePattern    = `^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)+$`
)

// Rules are the compiled patterns; build them once with NewRules and share them.
type Rules struct {
	SourceID, AccountID, Bucket, KMSKey, LogType *regexp.Regexp
}

// NewRules compiles the argument patterns.
func NewRules() *Rules {
	return &Rules{
		SourceID:  regexp.MustCompile(SourceIDPattern),
		AccountID: regexp.MustCompile(AccountIDPattern),
		Bucket:    regexp.MustCompile(BucketPattern),
		KMSKey:    regexp.MustCompile(KMSKeyPattern),
		LogType:   regexp.MustCompile(LogTypePattern),
	}
}

// ValidSourceID reports whether id follows the id rule of the tools.
func (r *Rules) ValidSourceID(id string) bool {
	return id != "" && len(id) <= MaxSourceIDLength && r.SourceID.MatchString(id)
}
