package mcpb_test

import (
	"context"
	"encoding/json"
	"image"
	_ "image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/prompts"
)

// manifest is the part of manifest.json the tests check.
type manifest struct {
	ManifestVersion string `json:"manifest_version"`
	Name            string `json:"name"`
	Version         string `json:"version"`
	Author          struct {
		Name string `json:"name"`
	} `json:"author"`
	Homepage      string   `json:"homepage"`
	Documentation string   `json:"documentation"`
	Support       string   `json:"support"`
	Icon          string   `json:"icon"`
	Keywords      []string `json:"keywords"`
	License       string   `json:"license"`
	Compatibility struct {
		Platforms []string `json:"platforms"`
	} `json:"compatibility"`
	Server struct {
		Type       string `json:"type"`
		EntryPoint string `json:"entry_point"`
		MCPConfig  struct {
			Command           string            `json:"command"`
			Args              []string          `json:"args"`
			Env               map[string]string `json:"env"`
			PlatformOverrides map[string]struct {
				Command string `json:"command"`
			} `json:"platform_overrides"`
		} `json:"mcp_config"`
	} `json:"server"`
	Tools []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"tools"`
	Prompts []struct {
		Name        string   `json:"name"`
		Description string   `json:"description"`
		Arguments   []string `json:"arguments"`
		Text        string   `json:"text"`
	} `json:"prompts"`
	UserConfig map[string]struct {
		Type        string `json:"type"`
		Title       string `json:"title"`
		Description string `json:"description"`
		Required    bool   `json:"required"`
		Sensitive   bool   `json:"sensitive"`
		Default     any    `json:"default"`
	} `json:"user_config"`
}

func load(t *testing.T) manifest {
	t.Helper()
	raw, err := os.ReadFile("manifest.json")
	require.NoError(t, err)
	var m manifest
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

func TestManifestServer(t *testing.T) {
	m := load(t)
	assert.Equal(t, "0.3", m.ManifestVersion)
	assert.Equal(t, mcpserver.Name, m.Name)
	assert.Equal(t, "binary", m.Server.Type)
	assert.Equal(t, "server/panther-s3-mcp", m.Server.EntryPoint, "the release stamps .exe on Windows")
	assert.Equal(t, "${__dirname}/server/panther-s3-mcp", m.Server.MCPConfig.Command)
	assert.Equal(t, "${__dirname}/server/panther-s3-mcp.exe", m.Server.MCPConfig.PlatformOverrides["win32"].Command)
	assert.Empty(t, m.Server.MCPConfig.Args, "the server speaks stdio by default")
}

// TestManifestListing: what Claude Desktop shows about the extension.
func TestManifestListing(t *testing.T) {
	m := load(t)
	assert.Equal(t, "The panther-s3-mcp Authors", m.Author.Name)
	assert.Equal(t, "Apache-2.0", m.License)
	for field, v := range map[string]string{"homepage": m.Homepage, "documentation": m.Documentation, "support": m.Support} {
		assert.Regexp(t, `^https://github\.com/panther-s3-mcp/panther-s3-mcp`, v, field)
	}
	assert.NotEmpty(t, m.Keywords)
	assert.ElementsMatch(t, []string{"darwin", "win32", "linux"}, m.Compatibility.Platforms,
		"the template lists every platform; each bundle is stamped with its own")

	require.Equal(t, "icon.png", m.Icon)
	f, err := os.Open(m.Icon)
	require.NoError(t, err)
	defer f.Close()
	cfg, format, err := image.DecodeConfig(f)
	require.NoError(t, err)
	assert.Equal(t, "png", format)
	assert.Equal(t, 512, cfg.Width, "Claude Desktop's recommended size")
	assert.Equal(t, 512, cfg.Height)
}

func TestManifestEnvAndUserConfig(t *testing.T) {
	m := load(t)
	env := m.Server.MCPConfig.Env
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	assert.ElementsMatch(t, []string{mcpserver.EnvURL, mcpserver.EnvToken, "PANTHER_READ_ONLY"}, keys)
	assert.Equal(t, "PANTHER_API_URL", mcpserver.EnvURL)
	assert.Equal(t, "PANTHER_API_TOKEN", mcpserver.EnvToken)

	tests := []struct {
		env, key, typ       string
		required, sensitive bool
	}{
		{"PANTHER_API_URL", "panther_api_url", "string", true, false},
		{"PANTHER_API_TOKEN", "panther_api_token", "string", true, true},
		{"PANTHER_READ_ONLY", "read_only", "boolean", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			assert.Equal(t, "${user_config."+tt.key+"}", env[tt.env])
			uc, ok := m.UserConfig[tt.key]
			require.True(t, ok, "user_config.%s exists", tt.key)
			assert.Equal(t, tt.typ, uc.Type)
			assert.Equal(t, tt.required, uc.Required)
			assert.Equal(t, tt.sensitive, uc.Sensitive)
			assert.NotEmpty(t, uc.Title)
			assert.NotEmpty(t, uc.Description)
		})
	}
	assert.Len(t, m.UserConfig, len(tests), "every user_config entry reaches the server")
	assert.Equal(t, false, m.UserConfig["read_only"].Default)
}

func TestManifestToolsMatchServer(t *testing.T) {
	srv, err := mcpserver.New(mcpserver.Config{})
	require.NoError(t, err)
	var served []string
	for _, tool := range srv.Tools {
		served = append(served, tool.Def.Name)
	}
	var listed []string
	for _, tool := range load(t).Tools {
		listed = append(listed, tool.Name)
		assert.NotEmpty(t, tool.Description, tool.Name)
	}
	assert.ElementsMatch(t, served, listed, "manifest tools = server tools")
}

func TestManifestPromptsMatchServer(t *testing.T) {
	served := map[string][]string{}
	for _, p := range prompts.All() {
		args := []string{}
		for _, a := range p.Prompt.Arguments {
			args = append(args, a.Name)
		}
		served[p.Prompt.Name] = args
	}
	listed := map[string][]string{}
	ref := regexp.MustCompile(`\$\{arguments\.([A-Za-z0-9_]+)\}`)
	for _, p := range load(t).Prompts {
		listed[p.Name] = append([]string{}, p.Arguments...)
		assert.NotEmpty(t, p.Description, p.Name)
		require.NotEmpty(t, p.Text, p.Name)
		for _, r := range ref.FindAllStringSubmatch(p.Text, -1) {
			assert.Contains(t, p.Arguments, r[1], "%s: text uses a declared argument", p.Name)
		}
	}
	assert.Equal(t, served, listed, "manifest prompts and their arguments = server prompts")
}

// TestValidateOnly runs the real mcpb validator through scripts/mcpb.sh. It runs only when
// what the script needs is already installed (make test and make mcpb install it into
// .tools/), so that go test never downloads: otherwise it skips, saying so. Set
// PANTHER_S3_MCP_SKIP_NODE=1 to skip it anyway.
func TestValidateOnly(t *testing.T) {
	if os.Getenv("PANTHER_S3_MCP_SKIP_NODE") == "1" {
		t.Skip("PANTHER_S3_MCP_SKIP_NODE=1")
	}
	testkit.SkipIfShort(t, "runs Node.js")
	if missing := missingNodeTools(t, filepath.Join("..", "..")); missing != "" {
		t.Skipf("%s; make test (or make mcpb) installs it into .tools/", missing)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join("..", "..", "scripts", "mcpb.sh"), "validate-only")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "scripts/mcpb.sh validate-only:\n%s", out)
	assert.Contains(t, string(out), "Manifest schema validation passes!")
}

// missingNodeTools says what scripts/mcpb.sh would have to download before it could run
// in the repository at root, or "" when nothing: Node.js 22 or newer (on PATH or in
// .tools/node, as scripts/ensure-node.sh looks for it) and the mcpb CLI at the version the
// script pins, in .tools/mcpb.
func missingNodeTools(t *testing.T, root string) string {
	t.Helper()
	script, err := os.ReadFile(filepath.Join(root, "scripts", "mcpb.sh"))
	require.NoError(t, err)
	pin := regexp.MustCompile(`(?m)^MCPB_VERSION=(\S+)$`).FindSubmatch(script)
	require.NotNil(t, pin, "scripts/mcpb.sh pins MCPB_VERSION")
	var installed struct {
		Version string `json:"version"`
	}
	raw, err := os.ReadFile(filepath.Join(root, ".tools", "mcpb", "node_modules", "@anthropic-ai", "mcpb", "package.json"))
	if err != nil || json.Unmarshal(raw, &installed) != nil || installed.Version != string(pin[1]) {
		return "the mcpb CLI " + string(pin[1]) + " is not installed in .tools/mcpb"
	}
	if _, err := os.Stat(filepath.Join(root, ".tools", "node", "node_modules", ".bin", "node")); err == nil {
		return ""
	}
	if nodeMajor(t) >= 22 {
		return ""
	}
	return "Node.js 22 or newer is neither on PATH nor in .tools/node"
}

// nodeMajor returns the major version of the node on PATH, or 0.
func nodeMajor(t *testing.T) int {
	out, err := exec.CommandContext(t.Context(), "node", "--version").Output()
	if err != nil {
		return 0
	}
	major, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), ".")
	n, _ := strconv.Atoi(major)
	return n
}
