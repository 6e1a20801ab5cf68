package fake

// This file is longer than most: it is the fake's strict decoder, which names every wrong
// field the way Panther's 400 answers do, and splitting it would scatter one set of rules.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// logStreamTypes are the values the contract allows for logStreamType.
func logStreamTypes() []string {
	return []string{"Auto", "JSON", "JsonArray", "Lines", "XML", "CloudWatchLogs"}
}

// Field names of the contract's request schemas.
const (
	fAWSAccountID  = "awsAccountId"
	fS3Bucket      = "s3Bucket"
	fLabel         = "integrationLabel"
	fKMSKey        = "kmsKey"
	fRole          = "logProcessingRole"
	fStreamType    = "logStreamType"
	fStreamOptions = "logStreamTypeOptions"
	fManaged       = "managedBucketNotifications"
	fMappings      = "s3PrefixLogTypes"
)

// parseCreate decodes and checks a CreateS3Source body.
func parseCreate(body []byte) (Source, error) {
	obj, err := parseObject(body, "request body")
	if err != nil {
		return Source{}, err
	}
	if err := checkKnown(obj, "", fAWSAccountID, fS3Bucket, fLabel, fKMSKey, fRole, fStreamType, fStreamOptions, fManaged, fMappings); err != nil {
		return Source{}, err
	}
	if err := checkRequired(obj, "", fAWSAccountID, fS3Bucket, fLabel, fMappings, fManaged, fRole, fStreamType); err != nil {
		return Source{}, err
	}
	var src Source
	var errs []error
	src.AWSAccountID, errs = str(obj, "", fAWSAccountID, errs)
	src.S3Bucket, errs = str(obj, "", fS3Bucket, errs)
	if err := parseCommon(obj, &src, errs); err != nil {
		return Source{}, err
	}
	return src, nil
}

// parseModify decodes and checks a ModifyS3Source body. The returned source
// has no id, account or bucket.
func parseModify(body []byte) (Source, error) {
	obj, err := parseObject(body, "request body")
	if err != nil {
		return Source{}, err
	}
	for _, immutable := range []string{fAWSAccountID, fS3Bucket} {
		if _, ok := obj[immutable]; ok {
			return Source{}, fmt.Errorf("field %q cannot be changed and is not part of ModifyS3Source; remove it from the update body", immutable)
		}
	}
	if err := checkKnown(obj, "", fLabel, fKMSKey, fRole, fStreamType, fStreamOptions, fManaged, fMappings); err != nil {
		return Source{}, err
	}
	if err := checkRequired(obj, "", fLabel, fMappings, fManaged, fRole, fStreamType); err != nil {
		return Source{}, err
	}
	var src Source
	if err := parseCommon(obj, &src, nil); err != nil {
		return Source{}, err
	}
	return src, nil
}

// parseCommon decodes the fields shared by create and modify bodies into src
// and returns the first problem found, including any already in errs.
func parseCommon(obj map[string]json.RawMessage, src *Source, errs []error) error {
	src.IntegrationLabel, errs = str(obj, "", fLabel, errs)
	src.KMSKey, errs = str(obj, "", fKMSKey, errs)
	src.LogProcessingRole, errs = str(obj, "", fRole, errs)
	src.LogStreamType, errs = str(obj, "", fStreamType, errs)
	src.ManagedBucketNotifications, errs = boolean(obj, "", fManaged, errs)
	if raw, ok := obj[fStreamOptions]; ok {
		opts, err := parseOptions(raw, fStreamOptions)
		errs = appendErr(errs, err)
		src.LogStreamTypeOptions = opts
	}
	mappings, err := parseMappings(obj[fMappings], fMappings)
	errs = appendErr(errs, err)
	src.S3PrefixLogTypes = mappings
	if len(errs) > 0 {
		return errs[0]
	}
	if strings.TrimSpace(src.IntegrationLabel) == "" {
		return fmt.Errorf("field %q must not be empty", fLabel)
	}
	if !slices.Contains(logStreamTypes(), src.LogStreamType) {
		return fmt.Errorf("field %q has unsupported value %q (supported: %s)", fStreamType, src.LogStreamType, strings.Join(logStreamTypes(), ", "))
	}
	return nil
}

func parseOptions(raw json.RawMessage, path string) (*StreamOptions, error) {
	obj, err := parseObject(raw, fmt.Sprintf("field %q", path))
	if err != nil {
		return nil, err
	}
	const (
		envelope = "jsonArrayEnvelopeField"
		retain   = "retainEnvelopeFields"
		xmlRoot  = "xmlRootElement"
	)
	if err := checkKnown(obj, path, envelope, retain, xmlRoot); err != nil {
		return nil, err
	}
	var opts StreamOptions
	var errs []error
	opts.JSONArrayEnvelopeField, errs = str(obj, path, envelope, errs)
	opts.RetainEnvelopeFields, errs = boolean(obj, path, retain, errs)
	opts.XMLRootElement, errs = str(obj, path, xmlRoot, errs)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return &opts, nil
}

func parseMappings(raw json.RawMessage, path string) ([]PrefixMapping, error) {
	items, err := array(raw, path)
	if err != nil {
		return nil, err
	}
	out := make([]PrefixMapping, 0, len(items))
	for i, item := range items {
		itemPath := fmt.Sprintf("%s[%d]", path, i)
		obj, err := parseObject(item, fmt.Sprintf("field %q", itemPath))
		if err != nil {
			return nil, err
		}
		if err := checkKnown(obj, itemPath, "prefix", "logTypes", "excludedPrefixes"); err != nil {
			return nil, err
		}
		var m PrefixMapping
		var errs []error
		m.Prefix, errs = str(obj, itemPath, "prefix", errs)
		m.LogTypes, errs = stringList(obj, itemPath, "logTypes", errs)
		m.ExcludedPrefixes, errs = stringList(obj, itemPath, "excludedPrefixes", errs)
		if len(errs) > 0 {
			return nil, errs[0]
		}
		out = append(out, m)
	}
	return out, nil
}

// parseObject decodes raw, which must be a JSON object; what names the value
// in error messages.
func parseObject(raw []byte, what string) (map[string]json.RawMessage, error) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%s is empty; expected a JSON object", what)
	}
	var probe any
	if err := json.Unmarshal(trimmed, &probe); err != nil {
		return nil, fmt.Errorf("%s is not valid JSON: %w", what, err)
	}
	if _, ok := probe.(map[string]any); !ok {
		return nil, fmt.Errorf("%s must be a JSON object, not %s", what, jsonKind(probe))
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &obj); err != nil {
		return nil, fmt.Errorf("%s is not valid JSON: %w", what, err)
	}
	return obj, nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// checkKnown rejects the first (in sorted order) field not in known.
func checkKnown(obj map[string]json.RawMessage, path string, known ...string) error {
	var unknown []string
	for name := range obj {
		if !slices.Contains(known, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	return fmt.Errorf("unknown field %q (known fields: %s)", join(path, unknown[0]), strings.Join(known, ", "))
}

// checkRequired rejects the first field of required that obj lacks.
func checkRequired(obj map[string]json.RawMessage, path string, required ...string) error {
	for _, name := range required {
		if _, ok := obj[name]; !ok {
			return fmt.Errorf("missing required field %q", join(path, name))
		}
	}
	return nil
}

func appendErr(errs []error, err error) []error {
	if err != nil {
		return append(errs, err)
	}
	return errs
}

// str decodes an optional string field; absent gives "".
func str(obj map[string]json.RawMessage, path, name string, errs []error) (string, []error) {
	raw, ok := obj[name]
	if !ok {
		return "", errs
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	s, ok := v.(string)
	if !ok {
		return "", append(errs, typeError(join(path, name), "a string", v))
	}
	return s, errs
}

// boolean decodes an optional boolean field; absent gives false.
func boolean(obj map[string]json.RawMessage, path, name string, errs []error) (bool, []error) {
	raw, ok := obj[name]
	if !ok {
		return false, errs
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	b, ok := v.(bool)
	if !ok {
		return false, append(errs, typeError(join(path, name), "a boolean", v))
	}
	return b, errs
}

// stringList decodes an optional array of strings; absent gives [].
func stringList(obj map[string]json.RawMessage, path, name string, errs []error) ([]string, []error) {
	raw, ok := obj[name]
	if !ok {
		return []string{}, errs
	}
	field := join(path, name)
	items, err := array(raw, field)
	if err != nil {
		return nil, append(errs, err)
	}
	out := make([]string, 0, len(items))
	for i, item := range items {
		var v any
		_ = json.Unmarshal(item, &v)
		s, ok := v.(string)
		if !ok {
			return nil, append(errs, typeError(fmt.Sprintf("%s[%d]", field, i), "a string", v))
		}
		out = append(out, s)
	}
	return out, errs
}

// array decodes a JSON array; null and other types are errors naming field.
func array(raw json.RawMessage, field string) ([]json.RawMessage, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("field %q is not valid JSON: %w", field, err)
	}
	if _, ok := v.([]any); !ok {
		return nil, typeError(field, "an array", v)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("field %q: %w", field, err)
	}
	return items, nil
}

func typeError(field, want string, got any) error {
	return fmt.Errorf("field %q must be %s, not %s", field, want, jsonKind(got))
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
