package release

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"

	"golang.org/x/crypto/x509roots/fallback/bundle"
)

// CABundle returns the image's CA certificates as PEM: Mozilla's NSS root store as the Go
// project packages it (golang.org/x/crypto/x509roots/fallback/bundle, pinned in go.mod).
// Taking them from a pinned module rather than the build machine's /etc/ssl makes the
// image the same wherever it is built. Roots that NSS trusts only with extra constraints
// (a distrust-after date) are left out, since a PEM file cannot carry the constraint.
//
// To refresh the roots, update that module: `go get golang.org/x/crypto/x509roots/fallback@latest`.
func CABundle() ([]byte, error) {
	var buf bytes.Buffer
	n := 0
	for root := range bundle.Roots() {
		if root.Constraint != nil {
			continue
		}
		sum := sha256.Sum256(root.Certificate)
		fmt.Fprintf(&buf, "# sha256 %s\n", hex.EncodeToString(sum[:]))
		if err := pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: root.Certificate}); err != nil {
			return nil, fmt.Errorf("CA bundle: %w", err)
		}
		n++
	}
	if n == 0 {
		return nil, errors.New("CA bundle: no roots")
	}
	return buf.Bytes(), nil
}
