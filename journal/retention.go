package journal

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseRetention reads a retention period: "90d" (days), "12w" (weeks), or any Go
// duration ("2160h", "30m"). "", "0", "forever", "off" and "none" mean keep everything
// (0). Negative periods are refused.
func ParseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	switch s {
	case "", "0", "forever", "off", "none":
		return 0, nil
	}
	unit := time.Duration(0)
	switch {
	case strings.HasSuffix(s, "d"):
		unit = 24 * time.Hour
	case strings.HasSuffix(s, "w"):
		unit = 7 * 24 * time.Hour
	}
	if unit != 0 {
		n, err := strconv.ParseUint(s[:len(s)-1], 10, 32)
		if err != nil || n == 0 {
			return 0, fmt.Errorf("%w: retention %q: want a positive whole number of days (90d) or weeks (12w), or a duration (2160h)", ErrInvalid, s)
		}
		return time.Duration(n) * unit, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%w: retention %q: want 90d, 12w, a positive duration such as 2160h, or forever", ErrInvalid, s)
	}
	return d, nil
}
