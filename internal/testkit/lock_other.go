//go:build !unix

package testkit

import "errors"

// lockFile is not available here; BuildServer then builds into each test's own directory.
func lockFile(string) (func(), error) {
	return nil, errors.New("no file locks on this platform")
}
