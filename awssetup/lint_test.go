package awssetup

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloudFormationLint runs cfn-lint once over every CloudFormation variant and fails on
// any error it reports (warnings are logged). The same run lints a template with a
// misspelt property, which must be reported: the check can fail.
func TestCloudFormationLint(t *testing.T) {
	t.Parallel()
	bin := requireTools(t, installHint, false, "cfn-lint")[0]
	dir := t.TempDir()
	var files []string
	for _, v := range allVariants() {
		out, err := Generate(v.input("acme-logs"), FormatCloudFormation)
		require.NoError(t, err)
		path := filepath.Join(dir, v.name()+".yml")
		require.NoError(t, os.WriteFile(path, []byte(out.Template), 0o600))
		files = append(files, path)
	}
	out, err := Generate(variant{}.input("acme-logs"), FormatCloudFormation)
	require.NoError(t, err)
	broken := strings.Replace(out.Template, "AssumeRolePolicyDocument:", "AssumeRolePolicyDocumnt:", 1)
	require.NotEqual(t, out.Template, broken)
	brokenPath := filepath.Join(dir, "broken.yml")
	require.NoError(t, os.WriteFile(brokenPath, []byte(broken), 0o600))

	cmd := exec.CommandContext(t.Context(), bin, append([]string{"--format", "parseable", "--"}, append(files, brokenPath)...)...)
	res, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		require.NoError(t, err, "running cfn-lint")
	}
	// cfn-lint's exit code is a bit set: 2 errors, 4 warnings, 8 informational; 1 its own failure.
	require.NotNil(t, exit, "the broken template makes cfn-lint report errors")
	require.Zero(t, exit.ExitCode()&1, "cfn-lint failed: %s", exit.Stderr)
	byFile := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(res)), "\n") {
		if line == "" {
			continue
		}
		// file:line:col:endline:endcol:rule:message
		parts := strings.SplitN(line, ":", 7)
		require.Len(t, parts, 7, "parseable line %q", line)
		byFile[parts[0]] = append(byFile[parts[0]], parts[5]+" "+parts[6])
	}
	errorsIn := func(f string) []string {
		var errs []string
		for _, finding := range byFile[f] {
			if strings.HasPrefix(finding, "E") {
				errs = append(errs, finding)
			} else {
				t.Logf("%s: %s", filepath.Base(f), finding)
			}
		}
		return errs
	}
	for _, f := range files {
		assert.Empty(t, errorsIn(f), "cfn-lint errors in %s", filepath.Base(f))
	}
	assert.NotEmpty(t, errorsIn(brokenPath), "cfn-lint reports the misspelt property")
}
