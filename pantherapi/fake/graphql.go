package fake

import (
	"cmp"
	"encoding/json"
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

// graphQL answers the "sources" listing query. Only the shape is checked:
// the query must select the field sources and the inline fragment
// "... on S3LogIntegration"; every field the listing knows is returned.
func (s *Server) graphQL(w http.ResponseWriter, body []byte) int {
	var req struct {
		Query     *string         `json:"query"`
		Variables json.RawMessage `json:"variables"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return writeJSON(w, http.StatusBadRequest, graphQLErrors{Errors: []graphQLError{{Message: "request body must be a JSON object with a query string: " + err.Error()}}})
	}
	if req.Query == nil {
		return writeJSON(w, http.StatusBadRequest, graphQLErrors{Errors: []graphQLError{{Message: "missing query"}}})
	}
	compact := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == ',' {
			return -1
		}
		return r
	}, *req.Query)
	if !strings.Contains(*req.Query, "sources") || !strings.Contains(compact, "...onS3LogIntegration") {
		return writeJSON(w, http.StatusOK, graphQLErrors{Errors: []graphQLError{{
			Message: `unsupported query: this server answers only the "sources" query with an inline fragment "... on S3LogIntegration"`,
		}}})
	}

	type edge struct {
		Node map[string]any `json:"node"`
	}
	var edges []edge
	s.mu.Lock()
	for _, rec := range s.sources {
		edges = append(edges, edge{Node: s3Node(rec)})
	}
	for _, o := range s.others {
		edges = append(edges, edge{Node: baseNode(o.id, o.label, o.integrationType, o.modified, []string{})})
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

func baseNode(id, label, integrationType string, modified time.Time, logTypes []string) map[string]any {
	return map[string]any{
		"integrationId":            id,
		"integrationLabel":         label,
		"integrationType":          integrationType,
		"isEditable":               true,
		"isHealthy":                true,
		"lastEventProcessedAtTime": nil,
		"lastEventReceivedAtTime":  nil,
		"lastModified":             modified.Format(time.RFC3339),
		"logTypes":                 logTypes,
	}
}

func s3Node(rec *record) map[string]any {
	src := rec.src.wire()
	node := baseNode(src.IntegrationID, src.IntegrationLabel, IntegrationTypeS3, rec.modified, src.logTypes())
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
