package pantherapi

import (
	"context"
	"fmt"
	"net/http"
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

// SourceSummary is one log source as Panther's GraphQL listing returns it. The S3 fields
// are empty for other integration types. IsHealthy, LastEventReceivedAtTime and
// LastEventProcessedAtTime tell whether data flows (see Client.GetSourceSummary).
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

// Find returns the source with the given id.
func (l SourceList) Find(id string) (SourceSummary, bool) {
	for _, s := range l.Sources {
		if s.IntegrationID == id {
			return s, true
		}
	}
	return SourceSummary{}, false
}

// sourcesData is the data of the ListSources answer.
type sourcesData struct {
	Sources *struct {
		Edges []*struct {
			Node *SourceSummary `json:"node"`
		} `json:"edges"`
		PageInfo struct {
			HasNextPage bool `json:"hasNextPage"`
		} `json:"pageInfo"`
	} `json:"sources"`
}

// missingFields requires the listing and, in every edge, a node with an id, a label and
// an integration type.
func (d *sourcesData) missingFields() []string {
	if d.Sources == nil {
		return []string{"sources"}
	}
	for i, e := range d.Sources.Edges {
		if e == nil || e.Node == nil {
			return []string{fmt.Sprintf("sources.edges[%d].node", i)}
		}
		var missing []string
		for _, f := range []struct{ name, value string }{
			{"integrationId", e.Node.IntegrationID},
			{"integrationLabel", e.Node.IntegrationLabel},
			{"integrationType", e.Node.IntegrationType},
		} {
			if f.value == "" {
				missing = append(missing, fmt.Sprintf("sources.edges[%d].node.%s", i, f.name))
			}
		}
		if len(missing) > 0 {
			return missing
		}
	}
	return nil
}

// ListSources lists every log source through Panther's GraphQL API. It is read-only and
// retried like a GET. GraphQL errors are returned as *APIError with CodeBadRequest; an
// answer without the listing, or with a source lacking its id, label or type, is a
// CodeService error.
func (c *Client) ListSources(ctx context.Context) (SourceList, error) {
	var data sourcesData
	if err := c.graphQL(ctx, "ListSources", sourcesQuery, nil, &data); err != nil {
		return SourceList{}, err
	}
	list := SourceList{MorePages: data.Sources.PageInfo.HasNextPage}
	list.Sources = make([]SourceSummary, 0, len(data.Sources.Edges))
	for _, e := range data.Sources.Edges {
		n := *e.Node
		n.LogTypes = nonNil(n.LogTypes)
		n.S3PrefixLogTypes = nonNil(n.S3PrefixLogTypes)
		list.Sources = append(list.Sources, n)
	}
	return list, nil
}

// GetSourceSummary returns the source with the given id from the GraphQL listing, with
// its health fields (isHealthy, last event received and processed). A source that is not
// listed is an *APIError with CodeNotFound.
func (c *Client) GetSourceSummary(ctx context.Context, id string) (SourceSummary, error) {
	if err := ValidateID(id); err != nil {
		return SourceSummary{}, err
	}
	list, err := c.ListSources(ctx)
	if err != nil {
		return SourceSummary{}, err
	}
	s, ok := list.Find(id)
	if !ok {
		return SourceSummary{}, &APIError{StatusCode: http.StatusOK, Code: CodeNotFound, Method: http.MethodPost,
			Path: c.graphQLPath(), Message: "no log source with that id is listed"}
	}
	return s, nil
}
