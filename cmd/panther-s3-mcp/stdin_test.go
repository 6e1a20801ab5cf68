package main

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLimitLines(t *testing.T) {
	long := strings.Repeat("x", 100)
	tests := []struct{ name, in, want string }{
		{"short lines pass", "a\nbb\n", "a\nbb\n"},
		{"last line without newline", "a\nbb", "a\nbb"},
		{"long line replaced", "a\n" + long + "\nb\n", "a\n" + oversizeLine + "b\n"},
		{"long last line", "a\n" + long, "a\n" + oversizeLine},
		{"exactly the limit", strings.Repeat("y", 9) + "\n", strings.Repeat("y", 9) + "\n"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := io.ReadAll(limitLines(iotest.OneByteReader(strings.NewReader(tt.in)), 10))
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(out))
		})
	}
	t.Run("a line far over the buffer size is dropped without being held", func(t *testing.T) {
		in := strings.Repeat("z", 1<<20) + "\n{}\n"
		out, err := io.ReadAll(limitLines(strings.NewReader(in), 1000))
		require.NoError(t, err)
		assert.Equal(t, oversizeLine+"{}\n", string(out))
	})
}
