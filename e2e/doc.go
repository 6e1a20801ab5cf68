// Package e2e holds the reliability and security tests of the whole server: faults
// injected into a fake Panther and seen through real MCP clients, hostile bytes on the
// built binary's stdin, cancellation, load over stdio and streamable HTTP, and a canary
// token followed through every output. It has no code besides its tests.
package e2e
