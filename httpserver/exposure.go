package httpserver

import (
	"fmt"
	"net"
)

// LoopbackAddr reports whether a listen address is reachable from this host only: its host
// is "localhost" or a loopback IP. An empty host (":8080") listens on every interface.
func LoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	return isLoopbackName(splitHost(host))
}

// CheckExposure refuses to listen beyond loopback without a bearer token, unless the
// operator said that something in front of the server authenticates (insecureNoAuth).
func CheckExposure(addr, authToken string, insecureNoAuth bool) error {
	if LoopbackAddr(addr) || authToken != "" || insecureNoAuth {
		return nil
	}
	return fmt.Errorf("refusing to listen on %s without authentication: anyone who can reach it could manage "+
		"your Panther log sources. Set MCP_AUTH_TOKEN (clients then send \"Authorization: Bearer <token>\"), "+
		"listen on 127.0.0.1, or, if a proxy in front of this server authenticates every request, pass "+
		"--insecure-no-auth (MCP_INSECURE_NO_AUTH=true)", addr)
}
