package journal_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal/journaltest"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// crashChildEnv makes the test binary act as a server that writes an intent and then
// hangs, as if waiting on Panther, until it is killed.
const crashChildEnv = "JOURNAL_CRASH_CHILD_SPEC"

func crashChild(spec string) int {
	ctx := context.Background()
	st, err := journal.Open(ctx, spec, journal.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 2
	}
	id, err := st.Begin(ctx, journal.Intent{Tool: tools.DeleteS3SourceName, Operation: journal.OpDelete, SourceID: "src-crash"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "begin:", err)
		return 2
	}
	fmt.Println("BEGUN", id)
	// The change is "in flight" until the process is killed. Reading stdin, which the
	// test holds open, blocks without looking like a deadlock to the runtime (which
	// would end the process first), and ends should the test itself die.
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 3
}

// TestCrashBetweenIntentAndOutcome kills (SIGKILL) a process after it wrote an intent
// and before the outcome: the entry survives, and reads as outcome unknown.
func TestCrashBetweenIntentAndOutcome(t *testing.T) {
	for _, b := range []journaltest.Backend{sqliteBackend(), postgresBackend()} {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			spec := b.NewSpec(t)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), crashChildEnv+"="+spec)
			cmd.Stderr = os.Stderr
			stdin, err := cmd.StdinPipe() // held open: the child waits on it
			require.NoError(t, err)
			defer func() { _ = stdin.Close() }()
			out, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			line, err := bufio.NewReader(out).ReadString('\n')
			require.NoError(t, err, "the child wrote no intent")
			id, ok := strings.CutPrefix(strings.TrimSpace(line), "BEGUN ")
			require.True(t, ok, line)
			require.NoError(t, cmd.Process.Kill())
			_ = cmd.Wait()

			st := journaltest.Open(t, spec, journal.Options{})
			e, err := st.Get(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, journal.OutcomeUnknown, e.Outcome)
			assert.True(t, e.Pending)
			assert.Equal(t, "src-crash", e.SourceID)
			p, err := st.List(ctx, journal.Filter{SourceID: "src-crash", Outcome: journal.OutcomeUnknown})
			require.NoError(t, err)
			require.Len(t, p.Entries, 1)
			assert.Equal(t, id, p.Entries[0].ID)
		})
	}
}
