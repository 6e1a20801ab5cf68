package logtypes

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// MaxSuggestions is how many close names an unknown one gets at most.
const MaxSuggestions = 3

// ArchivedReason says why an archived log type is refused.
const ArchivedReason = "the log type is archived in Panther: its schema is kept for data already stored, but a source cannot send new data to it; use a current log type or restore the schema in Panther"

// Result is the outcome of Check.
type Result struct {
	// Unknown are the names Panther does not know, in the order given, each with the
	// closest known names.
	Unknown []Unknown `json:"unknown,omitempty"`
	// Archived are the names of archived log types (see ArchivedReason).
	Archived []string `json:"archived,omitempty"`
	// Unchecked is true when Panther's catalogue could not be read: nothing was checked.
	Unchecked bool `json:"unchecked,omitempty"`
	// Warning says why the names were not checked; empty when they were.
	Warning string `json:"warning,omitempty"`
}

// OK reports whether every name is a current log type, or the names were not checked.
func (r Result) OK() bool { return len(r.Unknown) == 0 && len(r.Archived) == 0 }

// Unknown is a log type name Panther does not know.
type Unknown struct {
	Name string `json:"name"`
	// Suggestions are the closest current log types, best first (at most
	// MaxSuggestions); empty when none is close.
	Suggestions []string `json:"suggestions"`
}

// Check looks each name up in the catalogue of ctx's credential. It fails only when ctx
// ends while waiting; a catalogue that cannot be read gives Unchecked with a Warning.
func (c *Catalog) Check(ctx context.Context, names []string) (Result, error) {
	if len(names) == 0 {
		return Result{}, nil
	}
	e, err := c.get(ctx)
	if err != nil {
		return Result{}, err
	}
	if e.err != nil {
		return Result{Unchecked: true, Warning: uncheckedWarning(e.err)}, nil //nolint:nilerr // an unreadable catalogue is a warning in the result, not a failure
	}
	var r Result
	seen := make(map[string]bool, len(names))
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		if i, ok := e.byName[name]; ok {
			if e.types[i].IsArchived {
				r.Archived = append(r.Archived, name)
			}
			continue
		}
		r.Unknown = append(r.Unknown, Unknown{Name: name, Suggestions: suggest(name, e)})
	}
	return r, nil
}

// reason is a short description of a failed read, without the token (APIError messages
// are redacted).
func reason(err error) string {
	var b strings.Builder
	if code := pantherapi.CodeOf(err); code != "" {
		b.WriteString(string(code))
		b.WriteString(": ")
	}
	b.WriteString(err.Error())
	return b.String()
}

// suggest returns the current log types closest to name: the one that differs only in
// case if there is one; else those within a small edit distance (Damerau-Levenshtein,
// case-insensitive) or whose part after the namespace is name itself, best first.
func suggest(name string, e *entry) []string {
	lower := strings.ToLower(name)
	if i, ok := e.byLower[lower]; ok {
		return []string{e.types[i].Name}
	}
	limit := min(3, max(1, len([]rune(name))/4))
	type cand struct {
		name string
		dist int
	}
	var cands []cand
	for _, t := range e.types {
		if t.IsArchived {
			continue
		}
		tl := strings.ToLower(t.Name)
		d := distance(lower, tl)
		if _, short, ok := strings.Cut(tl, "."); ok && (short == lower || strings.HasSuffix(lower, "."+short)) {
			d = min(d, 1) // CloudTrail for AWS.CloudTrail, Amazon.CloudTrail for AWS.CloudTrail
		}
		if d <= limit {
			cands = append(cands, cand{t.Name, d})
		}
	}
	slices.SortFunc(cands, func(a, b cand) int { return cmp.Or(cmp.Compare(a.dist, b.dist), strings.Compare(a.name, b.name)) })
	out := []string{}
	for _, c := range cands[:min(len(cands), MaxSuggestions)] {
		out = append(out, c.name)
	}
	return out
}

// distance is the optimal string alignment (restricted Damerau-Levenshtein) distance
// between a and b, in runes: insertions, deletions, substitutions and transpositions of
// neighbours each cost 1.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 || len(rb) == 0 {
		return max(len(ra), len(rb))
	}
	// Three rows: two back (for transpositions), previous, current.
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// uncheckedWarning says why names were not checked: the catalogue could not be read.
func uncheckedWarning(err error) string {
	return fmt.Sprintf("the log types were not checked: Panther's list of log types could not be read (%s)", reason(err))
}
