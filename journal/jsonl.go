package journal

import (
	"context"
	"encoding/json"
	"io"
)

// WriteJSONLines writes the entries matching f to w, one JSON object a line, newest
// first, reading page after page. f.Limit caps the number of entries written (0: all);
// f.Cursor starts after a page already read.
func WriteJSONLines(ctx context.Context, w io.Writer, s Store, f Filter) error {
	total := f.Limit
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	written := 0
	for {
		page := MaxLimit
		if total > 0 {
			page = min(MaxLimit, total-written)
		}
		f.Limit = page
		p, err := s.List(ctx, f)
		if err != nil {
			return err
		}
		for _, e := range p.Entries {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		written += len(p.Entries)
		if p.NextCursor == "" || (total > 0 && written >= total) {
			return nil
		}
		f.Cursor = p.NextCursor
	}
}
