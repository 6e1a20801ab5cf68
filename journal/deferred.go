package journal

import (
	"context"
	"fmt"
	"time"
)

// Deferred is a Store opened in the background, so that a server answers its first
// request without waiting for the journal's file or database. Every call waits for the
// open to finish (or for its own context); a failed open makes every call fail with an
// error wrapping ErrUnavailable, so no change goes ahead unjournaled unnoticed.
type Deferred struct {
	done  chan struct{}
	store Store
	err   error
}

// OpenDeferred starts opening spec and returns at once. ctx bounds the open only.
func OpenDeferred(ctx context.Context, spec string, opts Options) *Deferred {
	d := &Deferred{done: make(chan struct{})}
	go func() {
		defer close(d.done)
		d.store, d.err = Open(ctx, spec, opts)
	}()
	return d
}

// Wait returns the opened store, or why it could not be opened.
func (d *Deferred) Wait(ctx context.Context) (Store, error) {
	select {
	case <-d.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: waiting for the journal to open: %w", ErrUnavailable, ctx.Err())
	}
	if d.err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, d.err)
	}
	return d.store, nil
}

// Begin implements Store.
func (d *Deferred) Begin(ctx context.Context, in Intent) (string, error) {
	s, err := d.Wait(ctx)
	if err != nil {
		return "", err
	}
	return s.Begin(ctx, in)
}

// Complete implements Store.
func (d *Deferred) Complete(ctx context.Context, id string, r Result) error {
	s, err := d.Wait(ctx)
	if err != nil {
		return err
	}
	return s.Complete(ctx, id, r)
}

// Get implements Store.
func (d *Deferred) Get(ctx context.Context, id string) (Entry, error) {
	s, err := d.Wait(ctx)
	if err != nil {
		return Entry{}, err
	}
	return s.Get(ctx, id)
}

// List implements Store.
func (d *Deferred) List(ctx context.Context, f Filter) (Page, error) {
	s, err := d.Wait(ctx)
	if err != nil {
		return Page{}, err
	}
	return s.List(ctx, f)
}

// Prune implements Store.
func (d *Deferred) Prune(ctx context.Context, olderThan time.Time) (int, error) {
	s, err := d.Wait(ctx)
	if err != nil {
		return 0, err
	}
	return s.Prune(ctx, olderThan)
}

// Close waits for the open, then closes the store.
func (d *Deferred) Close() error {
	<-d.done
	if d.store == nil {
		return nil
	}
	return d.store.Close()
}
