package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// measure runs total calls of f from clients goroutines and times each. A client stops
// after more than 10 errors, so a broken server cannot keep the run going.
func measure(mode string, clients, total int, f func() error) series {
	per := max(total/clients, 1)
	lats := make([][]time.Duration, clients)
	errs := make([]int, clients)
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	begin := time.Now()
	for c := range clients {
		wg.Go(func() {
			l := make([]time.Duration, 0, per)
			for range per {
				t := time.Now()
				if err := f(); err != nil {
					errs[c]++
					once.Do(func() { firstErr = err })
					if errs[c] > 10 {
						break
					}
					continue
				}
				l = append(l, time.Since(t))
			}
			lats[c] = l
		})
	}
	wg.Wait()
	r := series{mode: mode, clients: clients, wall: time.Since(begin)}
	for c := range clients {
		r.lat = append(r.lat, lats[c]...)
		r.errors += errs[c]
	}
	if firstErr != nil {
		r.note = firstErr.Error()
	}
	return r
}

// latencyMode is one way of getting a source: the raw GET, stdio or HTTP.
type latencyMode struct {
	name string
	f    func() error
	pid  int // the process whose CPU time a call of this mode costs
}

func measureLatency(ctx context.Context, r *report, o options, fakePID int, hc *http.Client, url, id, serverBin string, env []string) error {
	target := url + "/log-sources/s3/" + id
	raw := func() error { return rawGet(ctx, hc, target, token) }

	stdio, err := startStdio(ctx, serverBin, env, "--log-level", "warn")
	if err != nil {
		return err
	}
	defer stdio.close()
	if err := stdio.initialize(); err != nil {
		return err
	}
	if list, err := stdio.toolsList(); err == nil {
		r.toolsListWire = len(list)
	}
	stdioGet := getCall(id)
	viaStdio := func() error {
		resp, err := stdio.send(stdioGet)
		if err != nil {
			return err
		}
		return checkToolResult(resp)
	}

	var viaHTTP func() error
	httpSrv, err := startHTTP(ctx, serverBin, env, o.clients)
	if err != nil {
		r.httpMissing = err.Error()
		logf("HTTP transport not available: %v", err)
	} else {
		defer httpSrv.close()
		build := httpSrv.getCall(id)
		viaHTTP = func() error { return httpSrv.call(build) }
		r.httpModern = httpSrv.modern
		if err := viaHTTP(); err != nil {
			r.httpMissing = "the HTTP transport started but get_s3_source failed: " + err.Error()
			viaHTTP = nil
		}
	}

	modes := []latencyMode{{"raw GET", raw, fakePID}, {"stdio", viaStdio, stdio.pid()}}
	if viaHTTP != nil {
		modes = append(modes, latencyMode{"HTTP", viaHTTP, httpSrv.pid()})
	}
	// Warm up: connections, the server's pools, the runtime.
	for _, m := range modes {
		measure(m.name, 1, 200, m.f)
		measure(m.name, o.clients, o.clients*10, m.f)
	}
	r.runs = map[string]*series{}
	for round := range o.rounds {
		for _, clients := range []int{1, o.clients} {
			n := o.seq
			if clients > 1 {
				n = o.conc
			}
			for _, m := range modes {
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("latency: %w", err)
				}
				logf("round %d/%d: %s, %d client(s), %d calls", round+1, o.rounds, m.name, clients, n)
				before, _ := cpuTime(m.pid)
				fakeBefore, _ := cpuTime(fakePID)
				res := measure(m.name, clients, n, m.f)
				after, _ := cpuTime(m.pid)
				fakeAfter, _ := cpuTime(fakePID)
				res.cpu = after - before
				if m.pid != fakePID {
					res.fakeCPU = fakeAfter - fakeBefore
				}
				key := fmt.Sprintf("%s/%d", m.name, clients)
				if r.runs[key] == nil {
					r.runs[key] = &series{mode: m.name, clients: clients}
				}
				r.runs[key].merge(res)
			}
		}
	}
	if httpSrv != nil && viaHTTP != nil {
		if cur, _, err := rss(httpSrv.pid()); err == nil {
			r.httpRSSAfter = cur
		}
	}
	return nil
}

// measureMemory reads the RSS of a fresh stdio server: idle, then after two batches of
// calls from 8 clients.
func measureMemory(ctx context.Context, r *report, o options, serverBin string, env []string, id string) error {
	s, err := startStdio(ctx, serverBin, env, "--log-level", "warn")
	if err != nil {
		return err
	}
	defer s.close()
	if err := s.initialize(); err != nil {
		return err
	}
	// Let the start-up garbage settle; RSS has no event to wait on.
	time.Sleep(300 * time.Millisecond)
	if r.rssIdle, _, err = rss(s.pid()); err != nil {
		return err
	}
	get := getCall(id)
	call := func() error {
		resp, err := s.send(get)
		if err != nil {
			return err
		}
		return checkToolResult(resp)
	}
	for i := range 2 {
		res := measure("stdio", 8, o.mem, call)
		if res.errors > 0 {
			return fmt.Errorf("memory run: %d errors: %s", res.errors, res.note)
		}
		time.Sleep(300 * time.Millisecond)
		cur, peak, err := rss(s.pid())
		if err != nil {
			return err
		}
		r.rssAfter[i], r.rssPeak = cur, peak
	}
	return nil
}
