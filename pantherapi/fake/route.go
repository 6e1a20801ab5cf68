package fake

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Route names an operation for fault injection.
type Route string

// The routes faults can target.
const (
	RouteCreate  Route = "POST /log-sources/s3"
	RouteGet     Route = "GET /log-sources/s3/{id}"
	RouteUpdate  Route = "PUT /log-sources/s3/{id}"
	RouteDelete  Route = "DELETE /log-sources/s3/{id}"
	RouteGraphQL Route = "POST /public/graphql"
	RouteAny     Route = "*"
)

const (
	sourcesPath = "/log-sources/s3"
	graphQLPath = "/public/graphql"
)

type op int

const (
	opNone op = iota
	opCreate
	opGet
	opUpdate
	opDelete
	opGraphQL
)

func (o op) permission() Permission {
	if o == opGet || o == opGraphQL {
		return PermView
	}
	return PermManage
}

// target is the outcome of routing a request.
type target struct {
	op    op
	route Route  // empty when no operation matched
	id    string // unescaped {id}
	// For op == opNone: the error status, message and Allow header.
	status  int
	message string
	allow   string
}

// resolve maps a method and an escaped path to an operation. The {id} is
// exactly one escaped path segment, unescaped: "a%2Fb" is the id "a/b".
func resolve(method, escapedPath string) target {
	switch {
	case escapedPath == sourcesPath:
		if method != http.MethodPost {
			return notAllowed(method, escapedPath, http.MethodPost)
		}
		return target{op: opCreate, route: RouteCreate}
	case strings.HasPrefix(escapedPath, sourcesPath+"/"):
		seg := strings.TrimPrefix(escapedPath, sourcesPath+"/")
		if seg == "" || strings.Contains(seg, "/") {
			return notFound(method, escapedPath)
		}
		id, err := url.PathUnescape(seg)
		if err != nil {
			return notFound(method, escapedPath)
		}
		switch method {
		case http.MethodGet:
			return target{op: opGet, route: RouteGet, id: id}
		case http.MethodPut:
			return target{op: opUpdate, route: RouteUpdate, id: id}
		case http.MethodDelete:
			return target{op: opDelete, route: RouteDelete, id: id}
		}
		return notAllowed(method, escapedPath, "GET, PUT, DELETE")
	case escapedPath == graphQLPath:
		if method != http.MethodPost {
			return notAllowed(method, escapedPath, http.MethodPost)
		}
		return target{op: opGraphQL, route: RouteGraphQL}
	}
	return notFound(method, escapedPath)
}

func notFound(method, path string) target {
	return target{status: http.StatusNotFound, message: fmt.Sprintf("route not found: %s %s", method, path)}
}

func notAllowed(method, path, allow string) target {
	return target{
		status:  http.StatusMethodNotAllowed,
		message: fmt.Sprintf("method %s not allowed on %s (allowed: %s)", method, path, allow),
		allow:   allow,
	}
}
