package awssetup

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Accounts and keys of the test inputs. The bucket owner is moto's default account, so the
// same inputs deploy in the emulator.
const (
	testAccount        = "123456789012"
	testPantherAccount = "210987654321"
	testKMSKey         = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// variant is one shape of set-up: every combination is deployed and linted.
type variant struct {
	managed, kms, prefixes bool
}

func (v variant) name() string {
	n := "unmanaged"
	if v.managed {
		n = "managed"
	}
	if v.kms {
		n += "-kms"
	}
	if v.prefixes {
		n += "-prefixes"
	} else {
		n += "-whole"
	}
	return n
}

// testPrefixes are the prefixes of the prefix variants; the third lies below the first.
var testPrefixes = []string{"AWSLogs/", "vpc/flow logs/", "AWSLogs/111111111111/"}

func (v variant) input(bucket string) Input {
	in := Input{
		Bucket:                     bucket,
		AccountID:                  testAccount,
		PantherAccountID:           testPantherAccount,
		ManagedBucketNotifications: v.managed,
		LogTypes:                   []string{"AWS.CloudTrail", "AWS.VPCFlow"},
	}
	if v.kms {
		in.KMSKeyARN = testKMSKey
	}
	if v.prefixes {
		in.Prefixes = testPrefixes
	}
	return in
}

func allVariants() []variant {
	var out []variant
	for _, managed := range []bool{false, true} {
		for _, kms := range []bool{false, true} {
			for _, prefixes := range []bool{false, true} {
				out = append(out, variant{managed, kms, prefixes})
			}
		}
	}
	return out
}

var extensions = map[Format]string{FormatCloudFormation: ".yml", FormatTerraform: ".tf", FormatCLI: ".sh"}

func TestGolden(t *testing.T) {
	for _, v := range []variant{{managed: true}, {kms: true, prefixes: true}} {
		for _, f := range Formats() {
			name := v.name() + "." + string(f)
			t.Run(name, func(t *testing.T) {
				out, err := Generate(v.input("acme-logs"), f)
				require.NoError(t, err)
				template := out.Template
				out.Template = "(in " + v.name() + extensions[f] + ")"
				meta, err := json.MarshalIndent(out, "", "  ")
				require.NoError(t, err)
				golden(t, v.name()+extensions[f], template)
				golden(t, name+".json", string(meta)+"\n")
			})
		}
	}
}

// golden compares got with testdata/name, or writes it there with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./awssetup -run TestGolden -update to create it")
	assert.Equal(t, string(want), got, "%s differs: check the change and rerun with -update", path)
}

func TestGenerateIsDeterministic(t *testing.T) {
	for _, v := range allVariants() {
		for _, f := range Formats() {
			a, err := Generate(v.input("acme-logs"), f)
			require.NoError(t, err)
			b, err := Generate(v.input("acme-logs"), f)
			require.NoError(t, err)
			assert.Equal(t, a, b, "%s %s", v.name(), f)
		}
	}
}
