package fake

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"
)

// IntegrationTypeS3 is the GraphQL integrationType of S3 sources.
const IntegrationTypeS3 = "aws-s3"

type graphQLError struct {
	Message string `json:"message"`
}

type graphQLErrors struct {
	Errors []graphQLError `json:"errors"`
}

// compactQuery drops whitespace and commas, which GraphQL ignores.
func compactQuery(q string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == ',' {
			return -1
		}
		return r
	}, q)
}

// graphQLRoute names the query a GraphQL request body asks for, for faults
// aimed at one query; "" when the body names none the fake knows.
func graphQLRoute(body []byte) Route {
	var req struct {
		Query string `json:"query"`
	}
	if json.Unmarshal(body, &req) != nil {
		return ""
	}
	switch compact := compactQuery(req.Query); {
	case strings.Contains(compact, "schemas("):
		return RouteGraphQLSchemas
	case strings.Contains(compact, "metrics("):
		return RouteGraphQLMetrics
	case strings.Contains(compact, "sources"):
		return RouteGraphQLSources
	}
	return ""
}

// graphQLFail answers 200 with GraphQL errors and no data, as Panther's
// GraphQL API does for a query it cannot run.
func graphQLFail(w http.ResponseWriter, msg string) int {
	return writeJSON(w, http.StatusOK, map[string]any{"data": nil, "errors": []graphQLError{{Message: msg}}})
}

// graphQL answers the queries "sources", "schemas" and "metrics". Only the
// shape is checked (the root field, its input variable, and for sources the
// inline fragment "... on S3LogIntegration"); every field the fake knows is
// returned.
func (s *Server) graphQL(w http.ResponseWriter, body []byte) int {
	var req struct {
		Query     *string                    `json:"query"`
		Variables map[string]json.RawMessage `json:"variables"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return writeJSON(w, http.StatusBadRequest, graphQLErrors{Errors: []graphQLError{{Message: "request body must be a JSON object with a query string: " + err.Error()}}})
	}
	if req.Query == nil {
		return writeJSON(w, http.StatusBadRequest, graphQLErrors{Errors: []graphQLError{{Message: "missing query"}}})
	}
	compact := compactQuery(*req.Query)
	switch graphQLRoute(body) {
	case RouteGraphQLSchemas:
		return s.graphQLSchemas(w, compact, req.Variables)
	case RouteGraphQLMetrics:
		return s.graphQLMetrics(w, compact, req.Variables)
	}
	if !strings.Contains(*req.Query, "sources") || !strings.Contains(compact, "...onS3LogIntegration") {
		return writeJSON(w, http.StatusOK, graphQLErrors{Errors: []graphQLError{{
			Message: `unsupported query: this server answers "schemas(input: $input)", "metrics(input: $input)" and the "sources" query with an inline fragment "... on S3LogIntegration"`,
		}}})
	}
	return s.graphQLSources(w)
}

// graphQLSources answers the sources listing.
func (s *Server) graphQLSources(w http.ResponseWriter) int {
	type edge struct {
		Node map[string]any `json:"node"`
	}
	var edges []edge
	s.mu.Lock()
	for id, rec := range s.sources {
		edges = append(edges, edge{Node: s3Node(rec, s.healthLocked(id))})
	}
	for id, o := range s.others {
		edges = append(edges, edge{Node: baseNode(o.id, o.label, o.integrationType, o.modified, []string{}, s.healthLocked(id))})
	}
	s.mu.Unlock()
	slices.SortFunc(edges, func(a, b edge) int {
		return cmp.Or(
			cmp.Compare(a.Node["integrationLabel"].(string), b.Node["integrationLabel"].(string)),
			cmp.Compare(a.Node["integrationId"].(string), b.Node["integrationId"].(string)),
		)
	})
	if edges == nil {
		edges = []edge{}
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"data": map[string]any{
			"sources": map[string]any{
				"edges": edges,
				"pageInfo": map[string]any{
					"hasNextPage":     false,
					"hasPreviousPage": false,
					"startCursor":     nil,
					"endCursor":       nil,
				},
			},
		},
	})
}

func baseNode(id, label, integrationType string, modified time.Time, logTypes []string, h Health) map[string]any {
	return map[string]any{
		"integrationId":            id,
		"integrationLabel":         label,
		"integrationType":          integrationType,
		"isEditable":               true,
		"isHealthy":                h.IsHealthy,
		"lastEventProcessedAtTime": timeOrNil(h.LastEventProcessed),
		"lastEventReceivedAtTime":  timeOrNil(h.LastEventReceived),
		"lastModified":             modified.Format(time.RFC3339),
		"logTypes":                 logTypes,
	}
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func s3Node(rec *record, h Health) map[string]any {
	src := rec.src.wire()
	node := baseNode(src.IntegrationID, src.IntegrationLabel, IntegrationTypeS3, rec.modified, src.logTypes(), h)
	var envelope any
	if f := src.LogStreamTypeOptions.JSONArrayEnvelopeField; f != "" {
		envelope = f
	}
	prefix := ""
	if len(src.S3PrefixLogTypes) > 0 {
		prefix = src.S3PrefixLogTypes[0].Prefix
	}
	node["awsAccountId"] = src.AWSAccountID
	node["kmsKey"] = src.KMSKey
	node["logProcessingRole"] = src.LogProcessingRole
	node["logStreamType"] = src.LogStreamType
	node["logStreamTypeOptions"] = map[string]any{"jsonArrayEnvelopeField": envelope}
	node["managedBucketNotifications"] = src.ManagedBucketNotifications
	node["s3Bucket"] = src.S3Bucket
	node["s3Prefix"] = prefix
	node["s3PrefixLogTypes"] = src.S3PrefixLogTypes
	node["stackName"] = "panther-log-processing-role-" + strings.ReplaceAll(src.IntegrationLabel, " ", "-")
	return node
}

// graphQLInput returns the object passed as the root field's input: the
// query must read "(input:$input)" and the variables must hold "input".
func graphQLInput(field, compact string, vars map[string]json.RawMessage) (map[string]json.RawMessage, error) {
	if !strings.Contains(compact, field+"(input:$input)") {
		return nil, fmt.Errorf("%s must be called as %s(input: $input)", field, field)
	}
	raw, ok := vars["input"]
	if !ok {
		return nil, errors.New(`variable "$input" of required type was not provided`)
	}
	var input map[string]json.RawMessage
	if err := json.Unmarshal(raw, &input); err != nil || input == nil {
		return nil, errors.New(`variable "$input" must be an object`)
	}
	return input, nil
}

// graphQLSchemas answers schemas(input: {contains}).
func (s *Server) graphQLSchemas(w http.ResponseWriter, compact string, vars map[string]json.RawMessage) int {
	input, err := graphQLInput("schemas", compact, vars)
	if err != nil {
		return graphQLFail(w, err.Error())
	}
	var contains string
	for k, v := range input {
		switch k {
		case "contains":
			if err := json.Unmarshal(v, &contains); err != nil {
				return graphQLFail(w, `SchemasInput.contains must be a string`)
			}
		default:
			return graphQLFail(w, fmt.Sprintf("field %q is not defined by type SchemasInput", k))
		}
	}
	type edge struct {
		Node LogType `json:"node"`
	}
	edges := []edge{}
	for _, lt := range s.schemasMatching(contains) {
		edges = append(edges, edge{Node: lt})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"schemas": map[string]any{"edges": edges}}})
}

// graphQLMetrics answers metrics(input: {fromDate, toDate, intervalInMinutes})
// with bytesProcessedPerSource.
func (s *Server) graphQLMetrics(w http.ResponseWriter, compact string, vars map[string]json.RawMessage) int {
	input, err := graphQLInput("metrics", compact, vars)
	if err != nil {
		return graphQLFail(w, err.Error())
	}
	if !strings.Contains(compact, "bytesProcessedPerSource{") {
		return graphQLFail(w, "this server answers metrics with bytesProcessedPerSource { label value breakdown } only")
	}
	var in struct {
		FromDate          *string `json:"fromDate"`
		ToDate            *string `json:"toDate"`
		IntervalInMinutes *int    `json:"intervalInMinutes"`
	}
	raw, _ := json.Marshal(input)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return graphQLFail(w, "invalid MetricsInput: "+err.Error())
	}
	if in.FromDate == nil || in.ToDate == nil || in.IntervalInMinutes == nil {
		return graphQLFail(w, "MetricsInput requires fromDate, toDate and intervalInMinutes")
	}
	from, err1 := time.Parse(time.RFC3339, *in.FromDate)
	to, err2 := time.Parse(time.RFC3339, *in.ToDate)
	switch {
	case err1 != nil || err2 != nil:
		return graphQLFail(w, "fromDate and toDate must be ISO-8601 date-times")
	case !from.Before(to):
		return graphQLFail(w, "fromDate must be before toDate")
	case *in.IntervalInMinutes < 1:
		return graphQLFail(w, "intervalInMinutes must be at least 1")
	}
	return writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{
		"metrics": map[string]any{"bytesProcessedPerSource": s.volume(from, to)},
	}})
}
