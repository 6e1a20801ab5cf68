package pantherapi

import (
	"context"
	"fmt"
)

// LogType is one log type (schema) Panther knows, as its GraphQL "schemas" query returns
// it. An archived log type cannot take new data.
type LogType struct {
	Name         string `json:"name"`
	Description  string `json:"description,omitempty"`
	IsArchived   bool   `json:"isArchived"`
	IsManaged    bool   `json:"isManaged"`
	ReferenceURL string `json:"referenceURL,omitempty"`
}

const schemasQuery = `query ListSchemas($input: SchemasInput!) {
  schemas(input: $input) {
    edges {
      node {
        name
        description
        isArchived
        isManaged
        referenceURL
      }
    }
  }
}`

type schemasData struct {
	Schemas *struct {
		Edges []*struct {
			Node *struct {
				Name         string  `json:"name"`
				Description  *string `json:"description"`
				IsArchived   bool    `json:"isArchived"`
				IsManaged    bool    `json:"isManaged"`
				ReferenceURL *string `json:"referenceURL"`
			} `json:"node"`
		} `json:"edges"`
	} `json:"schemas"`
}

func (d *schemasData) missingFields() []string {
	if d.Schemas == nil {
		return []string{"schemas"}
	}
	for i, e := range d.Schemas.Edges {
		if e == nil || e.Node == nil {
			return []string{fmt.Sprintf("schemas.edges[%d].node", i)}
		}
		if e.Node.Name == "" {
			return []string{fmt.Sprintf("schemas.edges[%d].node.name", i)}
		}
	}
	return nil
}

// ListLogTypes lists Panther's log types (GraphQL "schemas"), archived ones included,
// in Panther's order. contains, when not empty, keeps the names that contain it (Panther
// filters). It is read-only and retried like a GET.
func (c *Client) ListLogTypes(ctx context.Context, contains string) ([]LogType, error) {
	input := map[string]any{}
	if contains != "" {
		input["contains"] = contains
	}
	var data schemasData
	if err := c.graphQL(ctx, "ListSchemas", schemasQuery, map[string]any{"input": input}, &data); err != nil {
		return nil, err
	}
	out := make([]LogType, 0, len(data.Schemas.Edges))
	for _, e := range data.Schemas.Edges {
		n := e.Node
		lt := LogType{Name: n.Name, IsArchived: n.IsArchived, IsManaged: n.IsManaged}
		if n.Description != nil {
			lt.Description = *n.Description
		}
		if n.ReferenceURL != nil {
			lt.ReferenceURL = *n.ReferenceURL
		}
		out = append(out, lt)
	}
	return out, nil
}
