package main

import (
	"fmt"
	"slices"
	"time"
)

// series is the outcome of one measured series of calls.
type series struct {
	mode    string // "raw GET", "stdio", "HTTP"
	clients int
	lat     []time.Duration // one per successful call
	wall    time.Duration   // summed over rounds
	errors  int
	note    string        // why the row is missing or partial
	cpu     time.Duration // CPU time (user+system) of the process serving the calls
	fakeCPU time.Duration // CPU time of the fake Panther, when it is not that process
}

func (r *series) merge(o series) {
	r.lat = append(r.lat, o.lat...)
	r.wall += o.wall
	r.errors += o.errors
	r.cpu += o.cpu
	r.fakeCPU += o.fakeCPU
	if r.note == "" {
		r.note = o.note
	}
}

func (r *series) percentile(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	s := slices.Clone(r.lat)
	slices.Sort(s)
	i := int(p * float64(len(s)-1))
	return s[i]
}

func (r *series) perSecond() float64 {
	if r.wall <= 0 {
		return 0
	}
	return float64(len(r.lat)) / r.wall.Seconds()
}

// cpuPerCall is the serving process's CPU time per call.
func (r *series) cpuPerCall() time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.cpu / time.Duration(len(r.lat))
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func micros(d time.Duration) string {
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}

func millis(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func mib(kib int64) string {
	return fmt.Sprintf("%.1f MiB", float64(kib)/1024)
}

// quantile returns the q-quantile of d (nearest rank), 0 for none.
func quantile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}

func medianFloat(f []float64) float64 {
	if len(f) == 0 {
		return 0
	}
	s := slices.Clone(f)
	slices.Sort(s)
	return s[len(s)/2]
}
