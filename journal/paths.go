package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// appDir is the folder the journal lives in under the platform's state directory.
const appDir = "panther-s3-mcp"

// DefaultFile is the journal's file name in its folder.
const DefaultFile = "journal.db"

// DefaultPath is where the journal lives when no path is given:
//   - Linux and other Unix: $XDG_STATE_HOME/panther-s3-mcp/journal.db, with
//     ~/.local/state when XDG_STATE_HOME is unset or not absolute;
//   - macOS: ~/Library/Application Support/panther-s3-mcp/journal.db;
//   - Windows: %LocalAppData%\panther-s3-mcp\journal.db.
func DefaultPath() (string, error) {
	home, herr := os.UserHomeDir()
	return defaultPath(runtime.GOOS, os.Getenv, home, herr)
}

func defaultPath(goos string, getenv func(string) string, home string, homeErr error) (string, error) {
	needHome := func() (string, error) {
		if homeErr != nil || home == "" {
			return "", fmt.Errorf("journal: no home directory for the default journal path (give a path with --journal): %w", errors.Join(homeErr, os.ErrNotExist))
		}
		return home, nil
	}
	switch goos {
	case "windows":
		if d := getenv("LocalAppData"); d != "" {
			return filepath.Join(d, appDir, DefaultFile), nil
		}
		h, err := needHome()
		if err != nil {
			return "", err
		}
		return filepath.Join(h, "AppData", "Local", appDir, DefaultFile), nil
	case "darwin", "ios":
		h, err := needHome()
		if err != nil {
			return "", err
		}
		return filepath.Join(h, "Library", "Application Support", appDir, DefaultFile), nil
	default:
		if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
			return filepath.Join(d, appDir, DefaultFile), nil
		}
		h, err := needHome()
		if err != nil {
			return "", err
		}
		return filepath.Join(h, ".local", "state", appDir, DefaultFile), nil
	}
}
