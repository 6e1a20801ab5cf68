//go:build schemagen

package schema

import (
	"maps"
	"sync"
)

// This file is built only into the generator of schemas_gen.go (go generate ./schema/):
// there the table is ignored, every schema is computed, and each one is recorded under
// its key.

// recorded is the generator's collection. The build tag keeps this state out of the
// server and its tests.
var recorded = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

func lookup(string) (string, bool) { return "", false }

func record(key string, b []byte) {
	if key == "" {
		return
	}
	recorded.Lock()
	defer recorded.Unlock()
	recorded.m[key] = string(b)
}

// Recorded returns every schema computed so far, by table key.
func Recorded() map[string]string {
	recorded.Lock()
	defer recorded.Unlock()
	return maps.Clone(recorded.m)
}
