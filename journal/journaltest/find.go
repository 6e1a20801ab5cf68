package journaltest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// FindPostgres returns the folder holding the initdb and postgres programs: $PG_BIN_DIR
// when set, else where initdb is on PATH, else the newest of Debian's
// /usr/lib/postgresql/N/bin and Homebrew's folders. scripts/ensure-postgres.sh installs
// PostgreSQL when none is found.
func FindPostgres() (string, error) {
	if d := os.Getenv("PG_BIN_DIR"); d != "" {
		if hasServer(d) {
			return d, nil
		}
		return "", fmt.Errorf("PG_BIN_DIR=%s holds no initdb and postgres", d)
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if resolved, err := filepath.EvalSymlinks(p); err == nil && hasServer(filepath.Dir(resolved)) {
			return filepath.Dir(resolved), nil
		}
	}
	var dirs []string
	for _, pattern := range []string{
		"/usr/lib/postgresql/*/bin",
		"/usr/pgsql-*/bin",
		"/opt/homebrew/opt/postgresql@*/bin",
		"/usr/local/opt/postgresql@*/bin",
	} {
		m, _ := filepath.Glob(pattern)
		dirs = append(dirs, m...)
	}
	sort.SliceStable(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if hasServer(d) {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL server programs (initdb, postgres) found: run `bash scripts/ensure-postgres.sh` or set PG_BIN_DIR")
}

func hasServer(dir string) bool {
	for _, p := range []string{"initdb", "postgres"} {
		if st, err := os.Stat(filepath.Join(dir, p)); err != nil || st.IsDir() {
			return false
		}
	}
	return true
}

// version is the major version a folder name carries (…/postgresql/15/bin, …@16/bin).
func version(dir string) int {
	for _, part := range strings.FieldsFunc(dir, func(r rune) bool { return r == '/' || r == '@' || r == '-' }) {
		if n, err := strconv.Atoi(part); err == nil {
			return n
		}
	}
	return 0
}
