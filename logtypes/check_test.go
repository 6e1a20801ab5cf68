package logtypes

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

func TestSuggestions(t *testing.T) {
	c := New(&stub{types: catalogue()})
	tests := []struct {
		name string
		want []string
	}{
		{"AWS.CloudTrial", []string{"AWS.CloudTrail"}},
		{"aws.cloudtrail", []string{"AWS.CloudTrail"}},
		{"AWS.Cloudtrail", []string{"AWS.CloudTrail"}},
		{"CloudTrail", []string{"AWS.CloudTrail"}},
		{"Amazon.VPCFlow", []string{"AWS.VPCFlow"}},
		{"AWS.VPCFlows", []string{"AWS.VPCFlow"}},
		{"AWS.VPCFolw", []string{"AWS.VPCFlow"}},
		{"Okta.SytemLog", []string{"Okta.SystemLog"}},
		{"Custom.MyAp", []string{"Custom.MyApp"}},
		{"AWS.ALX", []string{"AWS.ALB"}},
		{"Totally.Different", []string{}},
		{"Custom.LegacyAp", []string{}}, // archived types are never suggested
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := c.Check(context.Background(), []string{tt.name})
			require.NoError(t, err)
			require.Len(t, r.Unknown, 1)
			assert.Equal(t, tt.name, r.Unknown[0].Name)
			assert.Equal(t, tt.want, r.Unknown[0].Suggestions)
			assert.LessOrEqual(t, len(r.Unknown[0].Suggestions), MaxSuggestions)
		})
	}
}

func TestCheckSorts(t *testing.T) {
	c := New(&stub{types: catalogue()})
	r, err := c.Check(context.Background(), []string{"AWS.CloudTrail", "Custom.LegacyApp", "Nope.X", "AWS.CloudTrail", "Nope.X", "Custom.MyApp"})
	require.NoError(t, err)
	assert.False(t, r.OK())
	assert.Equal(t, []string{"Custom.LegacyApp"}, r.Archived, "archived types are refused")
	require.Len(t, r.Unknown, 1, "each name once")
	assert.Equal(t, "Nope.X", r.Unknown[0].Name)
	assert.False(t, r.Unchecked)
	assert.Empty(t, r.Warning)

	r, err = c.Check(context.Background(), nil)
	require.NoError(t, err)
	assert.True(t, r.OK())
	assert.NotEmpty(t, ArchivedReason)
}

func TestSuggestionsAreCappedAndOrdered(t *testing.T) {
	types := catalogue()
	for _, n := range []string{"Custom.Log1", "Custom.Log2", "Custom.Log3", "Custom.Log4", "Custom.Lg"} {
		types = append(types, stubType(n))
	}
	c := New(&stub{types: types})
	r, err := c.Check(context.Background(), []string{"Custom.Log"})
	require.NoError(t, err)
	require.Len(t, r.Unknown, 1)
	assert.Equal(t, []string{"Custom.Lg", "Custom.Log1", "Custom.Log2"}, r.Unknown[0].Suggestions, "by distance, then name, at most 3")
}

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"abc", "abc", 0},
		{"cloudtrial", "cloudtrail", 1}, {"ca", "abc", 3}, {"kitten", "sitting", 3},
		{"ab", "ba", 1}, {"ωμέγα", "ωμέαγ", 1},
	} {
		assert.Equal(t, tt.want, distance(tt.a, tt.b), "%q %q", tt.a, tt.b)
		assert.Equal(t, tt.want, distance(tt.b, tt.a), "symmetric: %q %q", tt.b, tt.a)
	}
}

func stubType(name string) pantherapi.LogType { return pantherapi.LogType{Name: name} }
