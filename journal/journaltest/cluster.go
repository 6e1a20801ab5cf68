package journaltest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a throwaway PostgreSQL server: a fresh data directory under the system's
// temporary folder, listening on a free port of 127.0.0.1 only, with trust
// authentication for the superuser "postgres". Run as root, the server runs as the
// "postgres" (or "nobody") account, since PostgreSQL refuses to run as root.
type Cluster struct {
	// BinDir holds initdb and postgres.
	BinDir string
	// Dir holds the data directory ("data") and the server's socket.
	Dir string
	// Port is the TCP port on 127.0.0.1.
	Port int

	run  runAs
	mu   sync.Mutex
	cmd  *exec.Cmd
	exit chan struct{} // closed when cmd has exited
	logs *lockedBuffer
}

// Superuser is the role the cluster's URLs connect as.
const Superuser = "postgres"

// startTimeout bounds how long a server may take to accept connections.
const startTimeout = 60 * time.Second

// StartCluster creates and starts a cluster. Stop it with Remove.
func StartCluster(ctx context.Context) (*Cluster, error) {
	bin, err := FindPostgres()
	if err != nil {
		return nil, err
	}
	run, err := currentRunAs()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "journal-pg-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{BinDir: bin, Dir: dir, run: run, logs: &lockedBuffer{}}
	if err := run.own(dir); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", c.dataDir(), "-U", Superuser,
		"-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.Dir = dir
	initdb.Env = pgEnv()
	run.apply(initdb)
	if out, err := initdb.CombinedOutput(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %w\n%s", err, tail(out))
	}
	var lastErr error
	for range 3 { // a free port may be taken between finding it and binding it
		port, err := freePort()
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		c.Port = port
		if lastErr = c.Start(ctx); lastErr == nil {
			return c, nil
		}
	}
	_ = os.RemoveAll(dir)
	return nil, lastErr
}

func (c *Cluster) dataDir() string { return filepath.Join(c.Dir, "data") }

// Start starts the stopped server again, on the same port and data.
func (c *Cluster) Start(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd != nil {
		return errors.New("journaltest: the cluster is running")
	}
	cmd := exec.Command(filepath.Join(c.BinDir, "postgres"), "-D", c.dataDir(), "-k", c.Dir, //nolint:noctx // the server outlives ctx; Stop ends it
		"-h", "127.0.0.1", "-p", strconv.Itoa(c.Port),
		"-c", "max_connections=200", "-c", "log_min_messages=warning")
	cmd.Dir = c.Dir
	cmd.Env = pgEnv()
	cmd.Stdout, cmd.Stderr = c.logs, c.logs
	c.run.apply(cmd)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	exit := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exit) }()
	c.cmd, c.exit = cmd, exit
	if err := c.waitReady(ctx, exit); err != nil {
		c.stopLocked()
		return fmt.Errorf("postgres did not start: %w\n%s", err, tail(c.logs.Bytes()))
	}
	return nil
}

// waitReady polls until the server accepts a connection, it exits, or the deadline.
func (c *Cluster) waitReady(ctx context.Context, exit <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		attempt, stop := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(attempt, c.DSN("postgres"))
		stop()
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-exit:
			return errors.New("the server exited")
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %w)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// Stop shuts the server down (fast shutdown: connections are cut) and waits for it.
// The data stays: Start serves it again.
func (c *Cluster) Stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopLocked()
}

func (c *Cluster) stopLocked() {
	if c.cmd == nil {
		return
	}
	_ = c.cmd.Process.Signal(os.Interrupt) // SIGINT: fast shutdown
	select {
	case <-c.exit:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exit
	}
	c.cmd, c.exit = nil, nil
}

// Remove stops the server and deletes its files.
func (c *Cluster) Remove() error {
	c.Stop()
	return os.RemoveAll(c.Dir)
}

// Logs returns what the server has printed.
func (c *Cluster) Logs() string { return string(c.logs.Bytes()) }

// DSN is the URL of database db as the superuser.
func (c *Cluster) DSN(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", Superuser, c.Port, db)
}

// CreateDatabase creates an empty database with a random name and returns its name.
func (c *Cluster) CreateDatabase(ctx context.Context) (string, error) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "journal_" + hex.EncodeToString(b)
	return name, c.admin(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
}

// DropDatabase drops a database, cutting its connections.
func (c *Cluster) DropDatabase(ctx context.Context, name string) error {
	return c.admin(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}

func (c *Cluster) admin(ctx context.Context, stmt string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.DSN("postgres"))
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	_, err = conn.Exec(ctx, stmt)
	return err
}

func pgEnv() []string {
	env := []string{"LC_ALL=C", "LANG=C", "TZ=UTC"}
	if p := os.Getenv("PATH"); p != "" {
		env = append(env, "PATH="+p)
	}
	return env
}

func freePort() (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail is the end of a command's output, for an error message.
func tail(b []byte) string {
	const limit = 4000
	if len(b) > limit {
		b = b[len(b)-limit:]
	}
	return string(b)
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 { // keep the last MiB
		rest := append([]byte(nil), l.b.Bytes()[l.b.Len()-(1<<19):]...)
		l.b.Reset()
		l.b.Write(rest)
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]byte(nil), l.b.Bytes()...)
}
