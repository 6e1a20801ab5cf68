package awssetup

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	"go.yaml.in/yaml/v4"
)

// The templates are built as trees of these values and then encoded by a real YAML or HCL
// encoder, so quoting is never done by hand:
//
//	string, bool, int, []any, obj  plain values
//	cfnRef, cfnGetAtt              CloudFormation intrinsic functions (!Ref, !GetAtt)
//	tfRef                          a Terraform reference such as aws_sns_topic.x.arn

// field is one key of an object, in order.
type field struct {
	key string
	val any
}

// obj is an object whose keys keep their order.
type obj []field

type (
	cfnRef    string
	cfnGetAtt string
	tfRef     string
)

// tree returns the policy as a tree, keys in the order IAM documents usually show them.
func (p Policy) tree() obj {
	statements := make([]any, len(p.Statement))
	for i, s := range p.Statement {
		var o obj
		if s.Sid != "" {
			o = append(o, field{"Sid", s.Sid})
		}
		o = append(o, field{"Effect", s.Effect})
		if s.Principal != nil {
			var pr obj
			if s.Principal.AWS != "" {
				pr = append(pr, field{"AWS", s.Principal.AWS})
			}
			if s.Principal.Service != "" {
				pr = append(pr, field{"Service", s.Principal.Service})
			}
			o = append(o, field{"Principal", pr})
		}
		o = append(o, field{"Action", stringsTree(s.Action)})
		if len(s.Resource) > 0 {
			o = append(o, field{"Resource", stringsTree(s.Resource)})
		}
		if len(s.Condition) > 0 {
			var c obj
			for _, op := range sortedKeys(s.Condition) {
				var keys obj
				for _, k := range sortedKeys(s.Condition[op]) {
					var val any = stringsTree(s.Condition[op][k])
					if vals := s.Condition[op][k]; len(vals) == 1 {
						val = vals[0]
					}
					keys = append(keys, field{k, val})
				}
				c = append(c, field{op, keys})
			}
			o = append(o, field{"Condition", c})
		}
		statements[i] = o
	}
	return obj{{"Version", p.Version}, {"Statement", statements}}
}

// stringsTree is a list, always: templates are easier to read and to extend that way.
func stringsTree(s Strings) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// replaceStrings returns a copy of v where every string equal to a key of repl is replaced
// by its value (e.g. a literal topic ARN by a reference to the topic).
func replaceStrings(v any, repl map[string]any) any {
	switch t := v.(type) {
	case string:
		if r, ok := repl[t]; ok {
			return r
		}
		return t
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = replaceStrings(e, repl)
		}
		return out
	case obj:
		out := make(obj, len(t))
		for i, f := range t {
			out[i] = field{f.key, replaceStrings(f.val, repl)}
		}
		return out
	}
	return v
}

// dateLike matches strings a YAML 1.1 reader (cfn-lint, PyYAML) would take for a date. It
// is compiled on first use, like the patterns of input.go.
var dateLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}`) })

// yamlNode converts a tree to a YAML node.
func yamlNode(v any) *yaml.Node {
	switch t := v.(type) {
	case string:
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}
		if dateLike().MatchString(t) {
			n.Style = yaml.DoubleQuotedStyle
		}
		return n
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t)}
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(t)}
	case cfnRef:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!Ref", Value: string(t)}
	case cfnGetAtt:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!GetAtt", Value: string(t)}
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range t {
			n.Content = append(n.Content, yamlNode(e))
		}
		return n
	case obj:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, f := range t {
			n.Content = append(n.Content, yamlNode(f.key), yamlNode(f.val))
		}
		return n
	}
	panic(fmt.Sprintf("awssetup: no YAML form for %T", v))
}

// hclTokens converts a tree to HCL expression tokens.
func hclTokens(v any) hclwrite.Tokens {
	switch t := v.(type) {
	case string:
		return hclwrite.TokensForValue(cty.StringVal(t))
	case bool:
		return hclwrite.TokensForValue(cty.BoolVal(t))
	case int:
		return hclwrite.TokensForValue(cty.NumberIntVal(int64(t)))
	case tfRef:
		return hclwrite.TokensForTraversal(mustTraversal(string(t)))
	case []any:
		elems := make([]hclwrite.Tokens, len(t))
		for i, e := range t {
			elems[i] = hclTokens(e)
		}
		return hclwrite.TokensForTuple(elems)
	case obj:
		attrs := make([]hclwrite.ObjectAttrTokens, len(t))
		for i, f := range t {
			attrs[i] = hclwrite.ObjectAttrTokens{Name: hclwrite.TokensForValue(cty.StringVal(f.key)), Value: hclTokens(f.val)}
		}
		return hclwrite.TokensForObject(attrs)
	}
	panic(fmt.Sprintf("awssetup: no HCL form for %T", v))
}

// mustTraversal parses a reference such as aws_sns_topic.x.arn; the references are
// constants of this package.
func mustTraversal(s string) hcl.Traversal {
	tr, diags := hclsyntax.ParseTraversalAbs([]byte(s), "", hcl.InitialPos)
	if diags.HasErrors() {
		panic(fmt.Sprintf("awssetup: bad reference %q: %s", s, diags.Error()))
	}
	return tr
}
