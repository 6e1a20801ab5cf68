// Package disttest checks the artefacts `make dist` wrote: checksums, archives, the
// universal binary, the bundles, server.json and the OCI image, whose binary it runs.
//
// Its tests need a built dist/ and skip without one: run them with `make test-dist`, which
// builds dist/ first and sets PANTHER_S3_MCP_DIST (and PANTHER_S3_MCP_MCPB, the mcpb CLI,
// to validate each bundle again after unpacking it).
package disttest
