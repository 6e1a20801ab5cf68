package release

import (
	"crypto/x509"
	"encoding/pem"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCABundle: every block is a CA certificate, the set is the size of a real trust store,
// and it holds the roots Panther's API (on AWS) chains to.
func TestCABundle(t *testing.T) {
	b, err := CABundle()
	require.NoError(t, err)
	again, err := CABundle()
	require.NoError(t, err)
	assert.Equal(t, b, again, "the same bytes every time")

	subjects := map[string]bool{}
	rest := b
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		require.Equal(t, "CERTIFICATE", block.Type)
		c, err := x509.ParseCertificate(block.Bytes)
		require.NoError(t, err)
		assert.True(t, c.IsCA, c.Subject.String())
		subjects[c.Subject.CommonName] = true
	}
	assert.Greater(t, len(subjects), 100)
	for _, cn := range []string{"Amazon Root CA 1", "Starfield Services Root Certificate Authority - G2", "ISRG Root X1"} {
		assert.True(t, subjects[cn], cn)
	}
	pool := x509.NewCertPool()
	assert.True(t, pool.AppendCertsFromPEM(b))
}

func TestBaseFiles(t *testing.T) {
	files, err := BaseFiles()
	require.NoError(t, err)
	byPath := map[string]File{}
	for _, f := range files {
		byPath[f.Path] = f
	}
	assert.Contains(t, string(byPath["etc/passwd"].Data), "nonroot:x:65532:65532:")
	assert.Contains(t, string(byPath["etc/group"].Data), "nonroot:x:65532:")
	assert.NotEmpty(t, byPath["etc/ssl/certs/ca-certificates.crt"].Data)
	assert.True(t, byPath["usr/local/bin/"].Mode.IsDir())
}
