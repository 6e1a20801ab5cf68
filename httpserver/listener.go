package httpserver

import (
	"net"
	"sync"
)

// Connection caps. A connection costs a goroutine and a few kilobytes of buffers; the caps
// bound what many idle, slow or abandoned clients can hold.
const (
	// DefaultMaxConns caps open connections in total. Past it, new connections wait in the
	// kernel's accept queue until one closes.
	DefaultMaxConns = 1024
	// DefaultMaxConnsPerIP caps open connections from one remote address. Past it, a new
	// connection from that address is closed at once.
	DefaultMaxConnsPerIP = 256
)

// connLimiter is a listener that holds at most max connections open at once (Accept
// waits for one to close, as golang.org/x/net/netutil.LimitListener does) and at most
// perIP from one remote address (a connection past that is closed as soon as it is
// accepted). It is written here rather than imported because the per-address count has
// to share the connection's Close with the total.
type connLimiter struct {
	net.Listener
	sem      chan struct{} // one slot per open connection
	perIP    int           // <= 0: no per-address cap
	refused  func()        // called for each connection closed over the per-address cap
	done     chan struct{}
	doneOnce sync.Once

	mu   sync.Mutex
	open map[string]int // by remote IP
}

func limitConns(ln net.Listener, limit, perIP int, refused func()) *connLimiter {
	if refused == nil {
		refused = func() {}
	}
	return &connLimiter{
		Listener: ln, sem: make(chan struct{}, limit), perIP: perIP, refused: refused,
		done: make(chan struct{}), open: map[string]int{},
	}
}

// Accept returns the next connection within both caps.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		select {
		case l.sem <- struct{}{}:
		case <-l.done:
			return nil, net.ErrClosed
		}
		c, err := l.Listener.Accept()
		if err != nil {
			<-l.sem
			return nil, err
		}
		ip := remoteIP(c)
		if !l.admit(ip) {
			_ = c.Close()
			<-l.sem
			l.refused()
			continue
		}
		return &limitedConn{Conn: c, release: func() { l.release(ip) }}, nil
	}
}

// Close stops Accept, including one waiting for a free slot.
func (l *connLimiter) Close() error {
	l.doneOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

func (l *connLimiter) admit(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perIP > 0 && l.open[ip] >= l.perIP {
		return false
	}
	l.open[ip]++
	return true
}

func (l *connLimiter) release(ip string) {
	l.mu.Lock()
	if l.open[ip] <= 1 {
		delete(l.open, ip)
	} else {
		l.open[ip]--
	}
	l.mu.Unlock()
	<-l.sem
}

func remoteIP(c net.Conn) string {
	addr := c.RemoteAddr()
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return host
}

// limitedConn gives its slot back once, on the first Close.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
