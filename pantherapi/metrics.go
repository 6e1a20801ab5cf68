package pantherapi

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"
)

const metricsQuery = `query SourceVolume($input: MetricsInput!) {
  metrics(input: $input) {
    bytesProcessedPerSource {
      label
      value
      breakdown
    }
  }
}`

// VolumeSeries is the bytes Panther processed for one log type over a window: in total
// and per source. Breakdown keys are whatever Panther uses to name a source (its id or
// its label).
type VolumeSeries struct {
	LogType    string
	TotalBytes int64
	Breakdown  map[string]int64
}

// Volume is Panther's bytes-processed metric over a window.
type Volume struct {
	From, To time.Time
	Series   []VolumeSeries
}

// LogTypeBytes is the bytes processed for one log type.
type LogTypeBytes struct {
	LogType string `json:"logType"`
	Bytes   int64  `json:"bytes"`
}

// ForSource returns the bytes processed per log type for one source, matching the
// breakdown's keys against the source's id or its label. Log types without bytes for it
// are left out; the result is sorted by bytes, largest first, then by name, and never nil.
func (v Volume) ForSource(id, label string) []LogTypeBytes {
	out := []LogTypeBytes{}
	for _, s := range v.Series {
		var n int64
		for key, bytes := range s.Breakdown {
			if (id != "" && key == id) || (label != "" && key == label) {
				n += bytes
			}
		}
		if n > 0 {
			out = append(out, LogTypeBytes{LogType: s.LogType, Bytes: n})
		}
	}
	slices.SortFunc(out, func(a, b LogTypeBytes) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.LogType, b.LogType))
	})
	return out
}

type metricsData struct {
	Metrics *struct {
		BytesProcessedPerSource []*struct {
			Label     string             `json:"label"`
			Value     *float64           `json:"value"`
			Breakdown map[string]float64 `json:"breakdown"`
		} `json:"bytesProcessedPerSource"`
	} `json:"metrics"`
}

func (d *metricsData) missingFields() []string {
	if d.Metrics == nil {
		return []string{"metrics"}
	}
	if d.Metrics.BytesProcessedPerSource == nil {
		return []string{"metrics.bytesProcessedPerSource"}
	}
	for i, s := range d.Metrics.BytesProcessedPerSource {
		switch {
		case s == nil:
			return []string{fmt.Sprintf("metrics.bytesProcessedPerSource[%d]", i)}
		case s.Label == "":
			return []string{fmt.Sprintf("metrics.bytesProcessedPerSource[%d].label", i)}
		case s.Value == nil:
			return []string{fmt.Sprintf("metrics.bytesProcessedPerSource[%d].value", i)}
		}
	}
	return nil
}

// Metrics reads the bytes Panther processed per log type and source between from and to
// (GraphQL "metrics", bytesProcessedPerSource), at the given interval (at least a minute;
// whole minutes). It is read-only and retried like a GET.
func (c *Client) Metrics(ctx context.Context, from, to time.Time, interval time.Duration) (Volume, error) {
	minutes := int(interval / time.Minute)
	switch {
	case from.IsZero() || to.IsZero():
		return Volume{}, fmt.Errorf("%w: the window needs a start and an end", ErrInvalidArgument)
	case !from.Before(to):
		return Volume{}, fmt.Errorf("%w: the window's start must be before its end", ErrInvalidArgument)
	case minutes < 1:
		return Volume{}, fmt.Errorf("%w: the interval must be at least one minute", ErrInvalidArgument)
	}
	input := map[string]any{
		"fromDate":          from.UTC().Format(time.RFC3339),
		"toDate":            to.UTC().Format(time.RFC3339),
		"intervalInMinutes": minutes,
	}
	var data metricsData
	if err := c.graphQL(ctx, "SourceVolume", metricsQuery, map[string]any{"input": input}, &data); err != nil {
		return Volume{}, err
	}
	v := Volume{From: from, To: to, Series: make([]VolumeSeries, 0, len(data.Metrics.BytesProcessedPerSource))}
	for _, s := range data.Metrics.BytesProcessedPerSource {
		series := VolumeSeries{LogType: s.Label, TotalBytes: toBytes(*s.Value), Breakdown: make(map[string]int64, len(s.Breakdown))}
		for k, b := range s.Breakdown {
			series.Breakdown[k] = toBytes(b)
		}
		v.Series = append(v.Series, series)
	}
	return v, nil
}

// SourceVolume returns the bytes Panther processed per log type for the source with
// the given id and label between from and to (see Metrics and Volume.ForSource).
func (c *Client) SourceVolume(ctx context.Context, id, label string, from, to time.Time, interval time.Duration) ([]LogTypeBytes, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	v, err := c.Metrics(ctx, from, to, interval)
	if err != nil {
		return nil, err
	}
	return v.ForSource(id, label), nil
}

// toBytes rounds a metric to whole bytes; negative, NaN and infinite values count as 0,
// and values beyond int64 are capped.
func toBytes(f float64) int64 {
	switch {
	case math.IsNaN(f) || f <= 0:
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	}
	return int64(math.Round(f))
}
