package main

import (
	"encoding/json"
	"fmt"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
)

// toolsListBudget is the most bytes of JSON tools/list may send for the tools the server
// exposes by default (issue 12; mcpserver's TestToolsListBudget enforces it).
const toolsListBudget = 12288

// toolSize is one tool's share of tools/list.
type toolSize struct {
	name              string
	bytes, in, output int
}

// budgetReport is the size of tools/list as the server builds it.
type budgetReport struct {
	tools []toolSize
	total int // the JSON array of every tool, as in mcpserver's budget test
}

// measureBudget builds the server as the binary does with its defaults (mcpserver.New)
// and marshals its tools, one by one and all together.
func measureBudget() (*budgetReport, error) {
	s, err := mcpserver.New(mcpserver.Config{})
	if err != nil {
		return nil, fmt.Errorf("build the server: %w", err)
	}
	defs := make([]mcp.Tool, len(s.Tools))
	b := &budgetReport{}
	for i, t := range s.Tools {
		defs[i] = t.Def
		one, err := json.Marshal(t.Def)
		if err != nil {
			return nil, fmt.Errorf("marshal %s: %w", t.Def.Name, err)
		}
		b.tools = append(b.tools, toolSize{name: t.Def.Name, bytes: len(one), in: len(t.Def.RawInputSchema), output: len(t.Def.RawOutputSchema)})
	}
	all, err := json.Marshal(defs)
	if err != nil {
		return nil, fmt.Errorf("marshal the tools: %w", err)
	}
	b.total = len(all)
	return b, nil
}

// tokens estimates the tokens of n bytes of JSON (about four bytes a token).
func tokens(n int) int { return (n + 2) / 4 }
