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
	// The GraphQL operations, for faults that hit one query only. A fault queued for
	// RouteGraphQL hits every query.
	RouteGraphQLSources Route = "POST /public/graphql sources"
	RouteGraphQLSchemas Route = "POST /public/graphql schemas"
	RouteGraphQLMetrics Route = "POST /public/graphql metrics"
	// The log-source alarm routes.
	RouteAlarmGet    Route = "GET /log-source-alarms/{sourceId}/{type}"
	RouteAlarmPut    Route = "PUT /log-source-alarms/{sourceId}/{type}"
	RouteAlarmDelete Route = "DELETE /log-source-alarms/{sourceId}/{type}"
	RouteAny         Route = "*"
)

const (
	sourcesPath = "/log-sources/s3"
	graphQLPath = "/public/graphql"
	alarmsPath  = "/log-source-alarms"
)

type op int

const (
	opNone op = iota
	opCreate
	opGet
	opUpdate
	opDelete
	opGraphQL
	opAlarmGet
	opAlarmPut
	opAlarmDelete
)

func (o op) permission() Permission {
	if o == opGet || o == opGraphQL || o == opAlarmGet {
		return PermView
	}
	return PermManage
}

// target is the outcome of routing a request.
type target struct {
	op    op
	route Route  // empty when no operation matched
	id    string // unescaped {id} or {sourceId}
	// subRoute names the GraphQL operation, for faults aimed at one query.
	subRoute Route
	// alarmType is the unescaped {type} of an alarm route.
	alarmType string
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
	case strings.HasPrefix(escapedPath, alarmsPath+"/"):
		return resolveAlarm(method, escapedPath)
	}
	return notFound(method, escapedPath)
}

// resolveAlarm maps /log-source-alarms/{sourceId}/{type}, each one escaped segment.
func resolveAlarm(method, escapedPath string) target {
	segs := strings.Split(strings.TrimPrefix(escapedPath, alarmsPath+"/"), "/")
	if len(segs) != 2 || segs[0] == "" || segs[1] == "" {
		return notFound(method, escapedPath)
	}
	id, err1 := url.PathUnescape(segs[0])
	typ, err2 := url.PathUnescape(segs[1])
	if err1 != nil || err2 != nil {
		return notFound(method, escapedPath)
	}
	t := target{id: id, alarmType: typ}
	switch method {
	case http.MethodGet:
		t.op, t.route = opAlarmGet, RouteAlarmGet
	case http.MethodPut:
		t.op, t.route = opAlarmPut, RouteAlarmPut
	case http.MethodDelete:
		t.op, t.route = opAlarmDelete, RouteAlarmDelete
	default:
		return notAllowed(method, escapedPath, "GET, PUT, DELETE")
	}
	return t
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
