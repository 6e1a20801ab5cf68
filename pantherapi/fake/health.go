package fake

import (
	"cmp"
	"maps"
	"slices"
	"time"
)

// Health is what the fake reports about data flowing into a source: the
// GraphQL fields isHealthy, lastEventReceivedAtTime and
// lastEventProcessedAtTime, and the bytes it processes per log type.
//
// A source without a Health set is healthy and has received nothing yet.
type Health struct {
	// IsHealthy is Panther's verdict (false when it cannot read the bucket).
	IsHealthy bool
	// LastEventReceived and LastEventProcessed are zero when no event came.
	LastEventReceived  time.Time
	LastEventProcessed time.Time
	// BytesPerHour is the volume per log type while data flows: from
	// FlowingSince (zero: 30 days before LastEventReceived) until
	// LastEventReceived.
	BytesPerHour map[string]int64
	FlowingSince time.Time
}

func (h Health) clone() Health {
	h.BytesPerHour = maps.Clone(h.BytesPerHour)
	return h
}

// SetHealth sets the health of the source with the given id (S3 or other).
func (s *Server) SetHealth(id string, h Health) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.health[id] = h.clone()
}

// Health returns the health of a source, and whether one was set.
func (s *Server) Health(id string) (Health, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.health[id]
	return h.clone(), ok
}

// healthLocked returns the health of a source, defaulting to a healthy
// source that has received nothing.
func (s *Server) healthLocked(id string) Health {
	if h, ok := s.health[id]; ok {
		return h
	}
	return Health{IsHealthy: true}
}

// bytesIn returns the bytes per log type a source with health h processed
// between from and to.
func (h Health) bytesIn(from, to time.Time) map[string]int64 {
	if h.LastEventReceived.IsZero() || len(h.BytesPerHour) == 0 {
		return nil
	}
	start := h.FlowingSince
	if start.IsZero() {
		start = h.LastEventReceived.Add(-30 * 24 * time.Hour)
	}
	lo, hi := later(from, start), earlier(to, h.LastEventReceived)
	if !lo.Before(hi) {
		return nil
	}
	hours := hi.Sub(lo).Hours()
	out := make(map[string]int64, len(h.BytesPerHour))
	for lt, rate := range h.BytesPerHour {
		if n := int64(float64(rate) * hours); n > 0 {
			out[lt] = n
		}
	}
	return out
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// volumeSeries is one entry of bytesProcessedPerSource.
type volumeSeries struct {
	Label     string           `json:"label"`
	Value     int64            `json:"value"`
	Breakdown map[string]int64 `json:"breakdown"`
}

// volume returns bytesProcessedPerSource between from and to: one series per
// log type with data, its breakdown keyed by source label, sorted by log type.
func (s *Server) volume(from, to time.Time) []volumeSeries {
	s.mu.Lock()
	defer s.mu.Unlock()
	byType := map[string]*volumeSeries{}
	add := func(label string, h Health) {
		for lt, n := range h.bytesIn(from, to) {
			vs := byType[lt]
			if vs == nil {
				vs = &volumeSeries{Label: lt, Breakdown: map[string]int64{}}
				byType[lt] = vs
			}
			vs.Value += n
			vs.Breakdown[label] += n
		}
	}
	for id, rec := range s.sources {
		add(rec.src.IntegrationLabel, s.healthLocked(id))
	}
	for id, o := range s.others {
		add(o.label, s.healthLocked(id))
	}
	out := make([]volumeSeries, 0, len(byType))
	for _, vs := range byType {
		out = append(out, *vs)
	}
	slices.SortFunc(out, func(a, b volumeSeries) int { return cmp.Compare(a.Label, b.Label) })
	return out
}
