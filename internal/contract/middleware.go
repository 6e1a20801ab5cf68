package contract

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
)

// FaultHeader marks responses that a fake deliberately corrupted; Middleware
// does not validate them.
const FaultHeader = "X-Fake-Fault"

// maxCapture bounds how much of a request or response body Middleware keeps
// for validation. Larger bodies pass through untouched but are not validated.
const maxCapture = 16 << 20

// Violation is one contract violation observed by Middleware.
type Violation struct {
	Method string // request method
	Path   string // escaped request path
	// Response is false when the request violates the contract and true when
	// the response does.
	Response bool
	Status   int // response status; 0 for request violations
	Err      error
}

// Error describes the violation.
func (e *Violation) Error() string {
	side := "request"
	if e.Response {
		side = "response"
	}
	return fmt.Sprintf("contract violation (%s): %v", side, e.Err)
}

// Unwrap returns the underlying validation error.
func (e *Violation) Unwrap() error { return e.Err }

// Middleware wraps next so that every request and response covered by the
// contract is validated; each violation is passed to report as a *Violation.
// report may be called from several goroutines at once.
//
// The client sees next's response unchanged: status, headers and body are
// streamed through as written. Not validated are: requests whose path or
// method the contract does not describe (and their responses), request
// bodies over 16 MiB, hijacked connections, responses marked with
// "X-Fake-Fault: 1", responses with status 401, 403 or 413 (produced by
// gateways, absent from the contract), 404 responses to DELETE (real Panther
// may send them), response bodies over 16 MiB, and requests whose context
// ended before the handler wrote anything.
func (v *Validator) Middleware(next http.Handler, report func(error)) http.Handler {
	if report == nil {
		report = func(error) {}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, complete, err := bufferBody(r)
		if err != nil {
			// The client went away mid-body; let next see the same failure.
			next.ServeHTTP(w, r)
			return
		}
		_, _, routeErr := v.findRoute(r)
		covered := routeErr == nil
		if covered && complete {
			if err := v.ValidateRequest(r, body); err != nil {
				report(&Violation{Method: r.Method, Path: r.URL.EscapedPath(), Err: err})
			}
		}
		rec := &recorder{w: w, capture: covered && complete, skip: func(status int, h http.Header) bool {
			return skipResponse(r.Method, status, h)
		}}
		next.ServeHTTP(rec, r)
		if !rec.capture || rec.hijacked {
			return
		}
		if !rec.wroteHeader {
			if r.Context().Err() != nil {
				return // the client went away before any answer
			}
			rec.status = http.StatusOK
			rec.header = w.Header().Clone()
			if skipResponse(r.Method, rec.status, rec.header) {
				return
			}
		}
		if err := v.ValidateResponse(r, body, rec.status, rec.header, rec.buf.Bytes()); err != nil {
			report(&Violation{Method: r.Method, Path: r.URL.EscapedPath(), Response: true, Status: rec.status, Err: err})
		}
	})
}

// skipResponse reports whether a response is outside what Middleware checks.
func skipResponse(method string, status int, h http.Header) bool {
	if h.Get(FaultHeader) == "1" {
		return true
	}
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusRequestEntityTooLarge:
		return true
	case http.StatusNotFound:
		return method == http.MethodDelete
	}
	return false
}

// bufferBody reads up to maxCapture bytes of r's body and replaces r.Body so
// that the handler still reads the whole original stream. complete is false
// when the body was too large to keep entirely.
func bufferBody(r *http.Request) (body []byte, complete bool, err error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, true, nil
	}
	orig := r.Body
	body, err = io.ReadAll(io.LimitReader(orig, maxCapture+1))
	if err != nil {
		r.Body = readCloser{io.MultiReader(bytes.NewReader(body), errReader{err}), orig}
		return nil, false, fmt.Errorf("read request body: %w", err)
	}
	if len(body) > maxCapture {
		r.Body = readCloser{io.MultiReader(bytes.NewReader(body), orig), orig}
		return nil, false, nil
	}
	r.Body = readCloser{bytes.NewReader(body), orig}
	return body, true, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// recorder passes a response through to w while keeping the status, the
// headers as sent and a copy of the body.
type recorder struct {
	w           http.ResponseWriter
	capture     bool
	skip        func(status int, h http.Header) bool
	wroteHeader bool
	hijacked    bool
	status      int
	header      http.Header
	buf         bytes.Buffer
}

func (rw *recorder) Header() http.Header { return rw.w.Header() }

func (rw *recorder) WriteHeader(code int) {
	if rw.wroteHeader || (code >= 100 && code < 200 && code != http.StatusSwitchingProtocols) {
		rw.w.WriteHeader(code)
		return
	}
	rw.wroteHeader = true
	rw.status = code
	rw.header = rw.w.Header().Clone()
	if rw.capture && rw.skip(code, rw.header) {
		rw.capture = false
	}
	rw.w.WriteHeader(code)
}

func (rw *recorder) Write(p []byte) (int, error) {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	n, err := rw.w.Write(p)
	if rw.capture {
		if rw.buf.Len()+n > maxCapture {
			rw.capture = false
			rw.buf = bytes.Buffer{}
		} else {
			rw.buf.Write(p[:n])
		}
	}
	return n, err
}

// Flush sends buffered data to the client, if the underlying writer can.
func (rw *recorder) Flush() {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	_ = http.NewResponseController(rw.w).Flush()
}

// Hijack hands the connection over to the handler; the response is then no
// longer validated.
func (rw *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(rw.w).Hijack()
	if err != nil {
		return nil, nil, fmt.Errorf("hijack: %w", err)
	}
	rw.hijacked = true
	return conn, brw, nil
}

// Unwrap exposes the underlying writer to http.ResponseController.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.w }
