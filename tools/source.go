package tools

import (
	"fmt"
	"slices"
	"strings"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/rules"
)

// The argument types more than one tool takes, and how a source is summarised in a
// result's first line.

// IDArgs names one source.
type IDArgs struct {
	ID string `json:"id" jsonschema:"required,maxLength=128,pattern=^[A-Za-z0-9][A-Za-z0-9_-]*$" jsonschema_description:"Source id."`
}

// PrefixMappingArgs maps an S3 key prefix to log types.
type PrefixMappingArgs struct {
	Prefix           string   `json:"prefix" jsonschema:"required,maxLength=1024" jsonschema_description:"e.g. AWSLogs/; \"\" = all."`
	LogTypes         []string `json:"logTypes" jsonschema:"required,minItems=1,maxItems=100,uniqueItems=true,pattern=^[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z0-9_-]+)+$" jsonschema_description:"e.g. AWS.CloudTrail."`
	ExcludedPrefixes []string `json:"excludedPrefixes,omitempty" jsonschema:"maxItems=100,uniqueItems=true" jsonschema_description:"To skip; * = one segment."`
}

// StreamOptionsArgs are options of one stream type each.
type StreamOptionsArgs struct {
	JSONArrayEnvelopeField string `json:"jsonArrayEnvelopeField,omitempty" jsonschema:"maxLength=256" jsonschema_description:"JsonArray: records field."`
	RetainEnvelopeFields   bool   `json:"retainEnvelopeFields,omitempty" jsonschema_description:"CloudWatchLogs only."`
	XMLRootElement         string `json:"xmlRootElement,omitempty" jsonschema:"maxLength=256" jsonschema_description:"XML: root element."`
}

func (m PrefixMappingArgs) toAPI() pantherapi.PrefixLogTypesMapping {
	return pantherapi.PrefixLogTypesMapping{
		Prefix:           m.Prefix,
		LogTypes:         append([]string{}, m.LogTypes...),
		ExcludedPrefixes: append([]string{}, m.ExcludedPrefixes...),
	}
}

func mappingsToAPI(in []PrefixMappingArgs) []pantherapi.PrefixLogTypesMapping {
	out := make([]pantherapi.PrefixLogTypesMapping, len(in))
	for i, m := range in {
		out[i] = m.toAPI()
	}
	return out
}

func (o *StreamOptionsArgs) toAPI() *pantherapi.S3LogStreamTypeOptions {
	if o == nil {
		return nil
	}
	opts := pantherapi.S3LogStreamTypeOptions(*o)
	if opts.IsZero() {
		return nil
	}
	return &opts
}

// setOptions returns the JSON names of the options that are set, in field order.
func (o StreamOptionsArgs) setOptions() []string {
	var out []string
	if o.JSONArrayEnvelopeField != "" {
		out = append(out, rules.OptionJSONArrayEnvelopeField)
	}
	if o.RetainEnvelopeFields {
		out = append(out, rules.OptionRetainEnvelopeFields)
	}
	if o.XMLRootElement != "" {
		out = append(out, rules.OptionXMLRootElement)
	}
	return out
}

// misplaced returns the options that are set but do not apply to stream type t.
func (o StreamOptionsArgs) misplaced(t string) []string {
	var out []string
	for _, name := range o.setOptions() {
		if rules.OptionStreamType(name) != t {
			out = append(out, name)
		}
	}
	return out
}

// clear unsets the option of that JSON name.
func (o *StreamOptionsArgs) clear(name string) {
	switch name {
	case rules.OptionJSONArrayEnvelopeField:
		o.JSONArrayEnvelopeField = ""
	case rules.OptionRetainEnvelopeFields:
		o.RetainEnvelopeFields = false
	case rules.OptionXMLRootElement:
		o.XMLRootElement = ""
	}
}

// oneLine summarises a source: label, id, bucket and account, and what it parses.
func oneLine(s pantherapi.S3Source) string {
	var types []string
	for _, m := range s.S3PrefixLogTypes {
		for _, lt := range m.LogTypes {
			if !slices.Contains(types, lt) {
				types = append(types, lt)
			}
		}
	}
	return fmt.Sprintf("%q (id %s): s3://%s in account %s, %d prefix mapping(s) → %s",
		s.IntegrationLabel, s.IntegrationID, s.S3Bucket, s.AWSAccountID, len(s.S3PrefixLogTypes), strings.Join(types, ", "))
}
