package awssetup

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tfBlock is a parsed top-level block: its type, labels and the references it makes.
type tfBlock struct {
	typ    string
	labels []string
	body   *hclsyntax.Body
}

func (b tfBlock) name() string { return b.typ + " " + strings.Join(b.labels, ".") }

// references lists every variable reference in the block, e.g. aws_sns_topic.x.arn.
func (b tfBlock) references() []string {
	var out []string
	var walk func(body *hclsyntax.Body)
	walk = func(body *hclsyntax.Body) {
		for _, a := range body.Attributes {
			for _, tr := range a.Expr.Variables() {
				var parts []string
				for _, step := range tr {
					switch s := step.(type) {
					case hcl.TraverseRoot:
						parts = append(parts, s.Name)
					case hcl.TraverseAttr:
						parts = append(parts, s.Name)
					}
				}
				out = append(out, strings.Join(parts, "."))
			}
		}
		for _, blk := range body.Blocks {
			walk(blk.Body)
		}
	}
	walk(b.body)
	slices.Sort(out)
	return slices.Compact(out)
}

func parseTerraform(t *testing.T, src string) []tfBlock {
	t.Helper()
	f, diags := hclparse.NewParser().ParseHCL([]byte(src), "main.tf")
	require.False(t, diags.HasErrors(), "valid HCL: %s", diags.Error())
	var out []tfBlock
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		out = append(out, tfBlock{typ: b.Type, labels: b.Labels, body: b.Body})
	}
	return out
}

func TestTerraformParsesWithExpectedBlocks(t *testing.T) {
	for _, v := range allVariants() {
		t.Run(v.name(), func(t *testing.T) {
			out, err := Generate(v.input("acme-logs"), FormatTerraform)
			require.NoError(t, err)
			blocks := parseTerraform(t, out.Template)
			refs := map[string][]string{}
			var names []string
			for _, b := range blocks {
				names = append(names, b.name())
				refs[b.name()] = b.references()
			}
			want := []string{"terraform ", "provider aws", "resource aws_iam_role.panther_log_processing", "resource aws_iam_role_policy.read_data"}
			if v.managed {
				want = append(want, "resource aws_iam_role_policy.manage_notifications", "output role_arn")
			} else {
				want = append(want, "resource aws_sns_topic.panther_notifications", "resource aws_sns_topic_policy.panther_notifications",
					"resource aws_sns_topic_subscription.panther_queue", "resource aws_s3_bucket_notification.panther",
					"output role_arn", "output topic_arn")
			}
			assert.Equal(t, want, names)

			role := []string{"aws_iam_role.panther_log_processing.id"}
			assert.Equal(t, role, refs["resource aws_iam_role_policy.read_data"])
			assert.Equal(t, []string{"aws_iam_role.panther_log_processing.arn"}, refs["output role_arn"])
			if v.managed {
				assert.Equal(t, role, refs["resource aws_iam_role_policy.manage_notifications"])
				assert.NotContains(t, out.Template, "aws_s3_bucket_notification")
				return
			}
			topic := "aws_sns_topic.panther_notifications.arn"
			assert.Equal(t, []string{topic}, refs["resource aws_sns_topic_policy.panther_notifications"])
			assert.Equal(t, []string{topic}, refs["resource aws_sns_topic_subscription.panther_queue"])
			assert.Equal(t, []string{"aws_sns_topic.panther_notifications.arn", "aws_sns_topic_policy.panther_notifications"},
				refs["resource aws_s3_bucket_notification.panther"])
			assert.Contains(t, out.Template, "REPLACES the bucket's WHOLE notification configuration")
			filters := 0
			for _, b := range blocks {
				if b.name() == "resource aws_s3_bucket_notification.panther" {
					for _, topicBlock := range b.body.Blocks {
						if _, ok := topicBlock.Body.Attributes["filter_prefix"]; ok {
							filters++
						}
					}
					if v.prefixes {
						assert.Len(t, b.body.Blocks, 2, "one topic block per covering prefix")
					} else {
						assert.Len(t, b.body.Blocks, 1)
					}
				}
			}
			assert.Equal(t, map[bool]int{true: 2, false: 0}[v.prefixes], filters)
			assert.Contains(t, strings.Join(out.Notes, "\n"), "terraform validate")
		})
	}
}

// TestTerraformValidate runs terraform validate on the fullest variant when terraform and a local
// copy of the aws provider are at hand (TF_PLUGIN_DIR, default /opt/tf-plugins): the
// provider cannot be downloaded here. It is a bonus check, skipped elsewhere, even in CI,
// and slow (loading the provider takes seconds): it runs with PANTHER_S3_MCP_SLOW_AWS=1.
func TestTerraformValidate(t *testing.T) {
	t.Parallel()
	requireSlow(t)
	bin := requireTools(t, "terraform validate is the user's next step; it is checked here only where terraform is installed", true, "terraform")[0]
	plugins := os.Getenv("TF_PLUGIN_DIR")
	if plugins == "" {
		plugins = "/opt/tf-plugins"
	}
	if _, err := os.Stat(filepath.Join(plugins, "registry.terraform.io", "hashicorp", "aws")); err != nil {
		t.Skipf("no local aws provider under %s (set TF_PLUGIN_DIR)", plugins)
	}
	dir := t.TempDir()
	run := func(args ...string) string {
		cmd := exec.CommandContext(t.Context(), bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE="+os.DevNull)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "terraform %s:\n%s", strings.Join(args, " "), out)
		return string(out)
	}
	// One variant: loading the provider takes seconds, and this one has every resource type.
	out, err := Generate(variant{kms: true, prefixes: true}.input("acme-logs"), FormatTerraform)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(out.Template), 0o600))
	run("init", "-backend=false", "-input=false", "-no-color", "-plugin-dir="+plugins)
	assert.Contains(t, run("validate", "-no-color"), "The configuration is valid")
}
