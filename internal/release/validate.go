package release

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed registry.schema.json
var registrySchema []byte

const registrySchemaURL = "https://github.com/panther-s3-mcp/panther-s3-mcp/internal/release/registry.schema.json"

// compileRegistrySchema compiles registry.schema.json, the rules of the official MCP
// registry for server.json as this project states them.
func compileRegistrySchema() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(registrySchema))
	if err != nil {
		return nil, fmt.Errorf("registry schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(registrySchemaURL, doc); err != nil {
		return nil, fmt.Errorf("registry schema: %w", err)
	}
	sch, err := c.Compile(registrySchemaURL)
	if err != nil {
		return nil, fmt.Errorf("registry schema: %w", err)
	}
	return sch, nil
}

// ValidateServerJSON checks a server.json against what the MCP registry requires
// (registry.schema.json) and what makes this project's entries consistent: a GitHub
// namespace (io.github.<owner>/…) that matches the repository, every package at the
// server's version, and the image tagged with it.
func ValidateServerJSON(data []byte) error {
	sch, err := compileRegistrySchema()
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("server.json: %w", err)
	}
	if err := sch.Validate(doc); err != nil {
		return fmt.Errorf("server.json does not meet the registry's rules: %w", err)
	}
	var s struct {
		Name       string `json:"name"`
		Version    string `json:"version"`
		Repository struct {
			URL string `json:"url"`
		} `json:"repository"`
		Packages []struct {
			RegistryType string `json:"registryType"`
			Identifier   string `json:"identifier"`
			Version      string `json:"version"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("server.json: %w", err)
	}
	var problems []string
	if owner, ok := strings.CutPrefix(s.Name, "io.github."); ok {
		owner, _, _ = strings.Cut(owner, "/")
		u, err := url.Parse(s.Repository.URL)
		if err != nil || u.Host != "github.com" || !strings.HasPrefix(u.Path, "/"+owner+"/") {
			problems = append(problems, fmt.Sprintf("name %q is in the GitHub namespace of %q, but the repository is %q", s.Name, owner, s.Repository.URL))
		}
	}
	for i, p := range s.Packages {
		switch p.RegistryType {
		case "oci":
			ref, _, _ := strings.Cut(p.Identifier, "@")
			if tag := ref[strings.LastIndex(ref, ":")+1:]; tag != s.Version {
				problems = append(problems, fmt.Sprintf("packages[%d]: image tag %q is not the server version %q", i, tag, s.Version))
			}
		case "mcpb":
			if p.Version != "" && p.Version != s.Version {
				problems = append(problems, fmt.Sprintf("packages[%d]: version %q is not the server version %q", i, p.Version, s.Version))
			}
			if !strings.Contains(p.Identifier, "/v"+s.Version+"/") {
				problems = append(problems, fmt.Sprintf("packages[%d]: %q is not the download of release v%s", i, p.Identifier, s.Version))
			}
		}
	}
	if len(problems) > 0 {
		return errors.New("server.json: " + strings.Join(problems, "; "))
	}
	return nil
}
