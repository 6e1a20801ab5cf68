package journal

import (
	"context"
	"time"
)

// startRetention prunes once now (so a store opens already trimmed) and then every
// interval until Close, in the background.
func (s *sqlStore) startRetention(ctx context.Context, keep, interval time.Duration) error {
	if _, err := s.prune(ctx, keep); err != nil {
		return err
	}
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.bg.Done():
				return
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(s.bg, time.Minute)
			if _, err := s.prune(ctx, keep); err != nil && s.bg.Err() == nil {
				s.log.Warn("journal retention failed; retrying later", "err", err)
			}
			cancel()
		}
	}()
	return nil
}

func (s *sqlStore) prune(ctx context.Context, keep time.Duration) (int, error) {
	n, err := s.Prune(ctx, s.now().Add(-keep))
	if err == nil && n > 0 {
		s.log.Info("journal retention pruned entries", "deleted", n, "keep", keep.String())
	}
	return n, err
}
