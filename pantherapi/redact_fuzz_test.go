package pantherapi

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzRedact plants a secret, in one of its forms, at any place in any text: no form of
// it survives, and text that held none comes back unchanged.
func FuzzRedact(f *testing.F) {
	f.Add("", uint16(0), uint8(0))
	f.Add(`{"message":"key  rejected"}`, uint16(14), uint8(3))
	f.Add(`\\\\`, uint16(1), uint8(7))
	f.Add("%%%&#&#x", uint16(3), uint8(11))
	f.Add(strings.Repeat("A", 40), uint16(20), uint8(20))
	f.Fuzz(func(t *testing.T, text string, at uint16, pick uint8) {
		if len(text) > 4096 {
			return
		}
		secret := secretsUnderTest[int(pick)%len(secretsUnderTest)]
		forms := tokenForms(secret)
		names := make([]string, 0, len(forms))
		for n := range forms {
			names = append(names, n)
		}
		// Map iteration order is random: sort for a reproducible pick.
		slices.Sort(names)
		form := forms[names[int(pick/4)%len(names)]]
		pos := int(at) % (len(text) + 1)
		planted := text[:pos] + form + text[pos:]
		got := Redact(planted, secret)
		require.NotContains(t, got, secret)
		require.Empty(t, leaks(got, secret), "%q -> %q", planted, got)
		if Redact(text, secret) == text && !strings.Contains(text, Redacted) {
			require.Contains(t, got, Redacted)
		}
	})
}
