package journal

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A cursor is the position of the last entry of a page: its time (microseconds) and id,
// the keys List orders by. It is opaque to callers (base64url) and carries no secret.
type cursor struct {
	micros int64
	id     string
}

const cursorVersion = "v1"

func (c cursor) encode() string {
	raw := cursorVersion + ":" + strconv.FormatInt(c.micros, 10) + ":" + c.id
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeCursor(s string) (cursor, error) {
	bad := fmt.Errorf("%w: the cursor is not one List returned", ErrInvalid)
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, bad
	}
	parts := strings.SplitN(string(raw), ":", 3)
	if len(parts) != 3 || parts[0] != cursorVersion || parts[2] == "" {
		return cursor{}, bad
	}
	micros, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return cursor{}, bad
	}
	return cursor{micros: micros, id: parts[2]}, nil
}

func (c cursor) time() time.Time { return time.UnixMicro(c.micros).UTC() }
