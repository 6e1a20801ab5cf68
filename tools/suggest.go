package tools

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/panther-s3-mcp/panther-s3-mcp/rules"
	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// Arguments that are almost right get the exact corrected value in their fix, so an agent
// can retry once with it: an account id with dashes, a bucket given as a URL or an ARN, a
// stream type in the wrong case, a role given by name.

// suggestFixes rewrites the fixes of problems whose value can be corrected exactly.
func suggestFixes(raw []byte, problems []schema.Problem) {
	var args map[string]any
	if json.Unmarshal(raw, &args) != nil {
		return
	}
	for i, p := range problems {
		v, ok := valueAt(args, p.Path)
		if !ok {
			continue
		}
		s, ok := v.(string)
		if !ok {
			continue
		}
		if fixed := correct(fieldName(p.Path), s, args); fixed != "" && fixed != s {
			problems[i].Fix = fmt.Sprintf("use %q", fixed)
		} else if fixed := enumCase(p, s); fixed != "" {
			problems[i].Fix = fmt.Sprintf("use %q", fixed)
		}
	}
}

// correct returns the value s was meant to be for the field, or "".
func correct(field, s string, args map[string]any) string {
	s = strings.TrimSpace(s)
	switch field {
	case "awsAccountId", "accountId", "pantherAccountId":
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			if r == '-' || r == ' ' {
				return -1
			}
			return 'x'
		}, s)
		if rules.ValidAccountID(digits) {
			return digits
		}
	case "s3Bucket", "bucket":
		if b := bucketName(s); b != "" && rules.Compile().Bucket.MatchString(b) {
			return b
		}
	case "logStreamType":
		for _, t := range rules.StreamTypes() {
			if strings.EqualFold(t, s) {
				return t
			}
		}
	case "logProcessingRole":
		account, _ := args["awsAccountId"].(string)
		name := strings.TrimPrefix(s, "role/")
		if rules.ValidAccountID(account) && rules.Compile().RoleName.MatchString(name) {
			return "arn:aws:iam::" + account + ":role/" + name
		}
	}
	return ""
}

// enumCase returns the allowed value that s spells in another case, for an enum problem
// (whose fix lists the allowed values), or "".
func enumCase(p schema.Problem, s string) string {
	allowed, ok := strings.CutPrefix(p.Fix, "use one of: ")
	if p.Rule != "enum" || !ok {
		return ""
	}
	for _, v := range strings.Split(allowed, ", ") {
		if strings.EqualFold(v, strings.TrimSpace(s)) {
			return v
		}
	}
	return ""
}

// bucketName takes a bucket out of s3://bucket/key, arn:aws:s3:::bucket/key and the
// virtual-hosted https://bucket.s3[.region].amazonaws.com/ forms.
func bucketName(s string) string {
	for _, prefix := range []string{"s3://", "arn:aws:s3:::", "arn:aws-us-gov:s3:::", "arn:aws-cn:s3:::"} {
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			b, _, _ := strings.Cut(rest, "/")
			return b
		}
	}
	if rest, ok := strings.CutPrefix(s, "https://"); ok {
		host, _, _ := strings.Cut(rest, "/")
		if b, _, ok := strings.Cut(host, ".s3."); ok && strings.HasSuffix(host, ".amazonaws.com") {
			return b
		}
	}
	return ""
}

// fieldName is the last name in a path such as s3PrefixLogTypes[0].logTypes[1].
func fieldName(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	name, _, _ := strings.Cut(path, "[")
	return name
}

// valueAt returns the value at a path such as a.b[0].c in decoded JSON.
func valueAt(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for _, part := range strings.Split(path, ".") {
		name, rest, _ := strings.Cut(part, "[")
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[name]; !ok {
			return nil, false
		}
		for rest != "" {
			idx, after, _ := strings.Cut(rest, "]")
			n, err := strconv.Atoi(idx)
			list, ok := v.([]any)
			if err != nil || !ok || n < 0 || n >= len(list) {
				return nil, false
			}
			v = list[n]
			rest = strings.TrimPrefix(after, "[")
		}
	}
	return v, true
}
