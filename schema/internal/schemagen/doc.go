//go:build !schemagen

// Command schemagen writes schema/schemas_gen.go: the input and output schemas of every
// tool, computed ahead of time so the server does not reflect them at start. It must be
// built with -tags schemagen; run it as `go generate ./schema/`.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "schemagen: build with -tags schemagen, or run `go generate ./schema/`")
	os.Exit(2)
}
