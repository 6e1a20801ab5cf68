package pantherapi

import (
	"context"
	"net/http"
	"strings"
)

// The REST API has no list operation; Panther's GraphQL API does. This is the one query the
// client sends: every source, with the S3 fields for S3 sources.
const sourcesQuery = `query ListSources {
  sources {
    edges {
      node {
        integrationId
        integrationLabel
        integrationType
        isEditable
        isHealthy
        lastEventProcessedAtTime
        lastEventReceivedAtTime
        lastModified
        logTypes
        ... on S3LogIntegration {
          awsAccountId
          kmsKey
          logProcessingRole
          logStreamType
          logStreamTypeOptions { jsonArrayEnvelopeField }
          managedBucketNotifications
          s3Bucket
          s3Prefix
          s3PrefixLogTypes { prefix logTypes excludedPrefixes }
          stackName
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`

// IntegrationTypeS3 is the integrationType of S3 sources in Panther's GraphQL API.
const IntegrationTypeS3 = "aws-s3"

const graphQLRoute = "/public/graphql"

// SourceSummary is one log source as Panther's GraphQL listing returns it. The S3 fields
// are empty for other integration types.
type SourceSummary struct {
	IntegrationID            string   `json:"integrationId"`
	IntegrationLabel         string   `json:"integrationLabel"`
	IntegrationType          string   `json:"integrationType"`
	IsEditable               *bool    `json:"isEditable"`
	IsHealthy                *bool    `json:"isHealthy"`
	LastEventProcessedAtTime *string  `json:"lastEventProcessedAtTime"`
	LastEventReceivedAtTime  *string  `json:"lastEventReceivedAtTime"`
	LastModified             *string  `json:"lastModified"`
	LogTypes                 []string `json:"logTypes"`

	AWSAccountID               string                  `json:"awsAccountId"`
	KMSKey                     string                  `json:"kmsKey"`
	LogProcessingRole          string                  `json:"logProcessingRole"`
	LogStreamType              LogStreamType           `json:"logStreamType"`
	ManagedBucketNotifications *bool                   `json:"managedBucketNotifications"`
	S3Bucket                   string                  `json:"s3Bucket"`
	S3PrefixLogTypes           []PrefixLogTypesMapping `json:"s3PrefixLogTypes"`
}

// SourceList is the result of ListSources.
type SourceList struct {
	Sources []SourceSummary
	// MorePages is true when Panther reported further pages, which were not read (Panther
	// documents that every source comes in the first page).
	MorePages bool
}

// ListSources lists every log source through Panther's GraphQL API. It is read-only and
// retried like a GET. GraphQL errors are returned as *APIError with CodeBadRequest.
func (c *Client) ListSources(ctx context.Context) (SourceList, error) {
	var out struct {
		Data *struct {
			Sources *struct {
				Edges []struct {
					Node SourceSummary `json:"node"`
				} `json:"edges"`
				PageInfo struct {
					HasNextPage bool `json:"hasNextPage"`
				} `json:"pageInfo"`
			} `json:"sources"`
		} `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	path := strings.TrimPrefix(c.gqlURL, c.restURL)
	err := c.do(ctx, request{
		method: http.MethodPost, path: path, route: graphQLRoute,
		in:   map[string]any{"query": sourcesQuery, "operationName": "ListSources"},
		want: http.StatusOK, out: &out, idempotent: true,
	})
	if err != nil {
		return SourceList{}, err
	}
	if len(out.Errors) > 0 || out.Data == nil || out.Data.Sources == nil {
		msgs := make([]string, 0, len(out.Errors))
		for _, e := range out.Errors {
			msgs = append(msgs, e.Message)
		}
		msg := strings.Join(msgs, "; ")
		callToken, _ := ctx.Value(tokenKey{}).(string)
		if msg == "" {
			msg = "the GraphQL answer had no sources"
		}
		return SourceList{}, &APIError{StatusCode: http.StatusOK, Code: CodeBadRequest, Method: http.MethodPost,
			Path: path, Message: clean("GraphQL: " + c.redact(msg, callToken))}
	}
	list := SourceList{MorePages: out.Data.Sources.PageInfo.HasNextPage}
	list.Sources = make([]SourceSummary, 0, len(out.Data.Sources.Edges))
	for _, e := range out.Data.Sources.Edges {
		n := e.Node
		n.LogTypes = nonNil(n.LogTypes)
		n.S3PrefixLogTypes = nonNil(n.S3PrefixLogTypes)
		list.Sources = append(list.Sources, n)
	}
	return list, nil
}
