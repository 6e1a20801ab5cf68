package resources

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// ChangesURI is the resource with the latest entries of the change journal.
const ChangesURI = "panther://s3-sources/changes"

// changesShown is how many entries the resource holds.
const changesShown = 50

// Changes returns the resource panther://s3-sources/changes: the latest journal entries
// (newest first) as JSON, for clients that show resources. A nil store says the journal
// is off.
func Changes(store journal.Store) server.ServerResource {
	return server.ServerResource{
		Resource: mcp.NewResource(ChangesURI, "s3-source-changes",
			mcp.WithResourceTitle("Latest changes to S3 sources"),
			mcp.WithResourceDescription(fmt.Sprintf("The latest %d entries of this server's change journal, newest first: "+
				"who changed which source, when, the outcome, and the source before and after.", changesShown)),
			mcp.WithMIMEType("application/json"),
		),
		Handler: func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			if store == nil {
				return nil, failure.RPC(tools.JournalOff())
			}
			page, err := store.List(ctx, journal.Filter{Limit: changesShown})
			if err != nil {
				return nil, failure.RPC(tools.JournalFailure(err))
			}
			if page.Entries == nil {
				page.Entries = []journal.Entry{}
			}
			body, err := json.MarshalIndent(page.Entries, "", "  ")
			if err != nil {
				return nil, fmt.Errorf("encoding the change journal: %w", err)
			}
			return []mcp.ResourceContents{mcp.TextResourceContents{URI: ChangesURI, MIMEType: "application/json", Text: string(body)}}, nil
		},
	}
}
