package bench

import (
	"fmt"
	"sync"
	"time"
)

// serverSampler measures a server process over the run: CPU time from
// /proc/PID/stat at both ends, and RSS sampled every 100 ms (plus the
// kernel's VmHWM, reset at the start when permitted).
type serverSampler struct {
	pid      int
	cpu0     time.Duration
	hwmReset bool
	mu       sync.Mutex
	maxRSS   int64
	done     chan struct{}
	wg       sync.WaitGroup
}

func startServerSampler(pid int) (*serverSampler, error) {
	cpu, err := procCPU(pid)
	if err != nil {
		return nil, fmt.Errorf("--server-pid %d: %w", pid, err)
	}
	s := &serverSampler{pid: pid, cpu0: cpu, hwmReset: resetPeakRSS(pid), done: make(chan struct{})}
	s.sample()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
	return s, nil
}

func (s *serverSampler) sample() {
	if rss, _, err := procMem(s.pid); err == nil {
		s.mu.Lock()
		s.maxRSS = max(s.maxRSS, rss)
		s.mu.Unlock()
	}
}

func (s *serverSampler) close() {
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	s.wg.Wait()
}

// result stops sampling and returns the figures for records records.
func (s *serverSampler) result(records int64) *ProcStats {
	s.close()
	s.sample()
	ps := &ProcStats{PID: s.pid, HWMReset: s.hwmReset}
	if cpu, err := procCPU(s.pid); err == nil {
		ps.CPUSeconds = round((cpu - s.cpu0).Seconds(), 3)
		if records > 0 {
			ps.CPUMicrosPerRec = round(float64(cpu-s.cpu0)/1e3/float64(records), 3)
		}
	}
	if _, hwm, err := procMem(s.pid); err == nil {
		ps.HWMMB = round(float64(hwm)/1e6, 1)
	}
	s.mu.Lock()
	ps.PeakRSSMB = round(float64(s.maxRSS)/1e6, 1)
	s.mu.Unlock()
	return ps
}

// report assembles the figures of the run.
func (r *runner) report(t0, prodEnd, readEnd, end time.Time, cpu0 time.Duration, srv *serverSampler) *Report {
	cfg := r.cfg
	rep := &Report{
		Mode: cfg.Mode, Endpoint: cfg.Endpoint, Stream: cfg.Stream, Shards: len(r.info.Shards), Run: fmt.Sprintf("%08x", r.runID),
		Batch: cfg.Batch, RecordSize: cfg.RecordSize, Keys: cfg.Keys.String(), TargetRate: cfg.Rate,
		Errors: r.live.errorMap(),
	}
	var records int64
	if r.producing() {
		rep.Producers = len(r.producers)
		secs := prodEnd.Sub(t0).Seconds()
		rep.Seconds = round(secs, 3)
		var h Histogram
		var unacked int64
		for _, p := range r.producers {
			h.Merge(&p.hist)
			for _, st := range p.table.State {
				if st&stSent != 0 && st&stAcked == 0 {
					unacked++
				}
			}
		}
		ps := &PutStats{
			Requests: r.live.putRequests.Load(), Records: r.live.putRecords.Load(), Bytes: r.live.putBytes.Load(),
			Latency: h.Summary(), ThrottledRequests: r.live.throttledReq.Load(), ThrottledRecords: r.live.throttledRec.Load(),
			FailedRecords: r.live.failedRec.Load(), AmbiguousRecords: r.live.ambiguousRec.Load(), Unacknowledged: unacked,
		}
		if secs > 0 {
			ps.RecordsPerSec = round(float64(ps.Records)/secs, 1)
			ps.RequestsPerSec = round(float64(ps.Requests)/secs, 1)
			ps.MBPerSec = round(float64(ps.Bytes)/1e6/secs, 2)
		}
		rep.Put = ps
		records = ps.Records
	}
	if kind := r.readKind(); kind != "" {
		secs := readEnd.Sub(t0).Seconds()
		if !r.producing() {
			rep.Seconds = round(secs, 3)
		}
		rep.Consumers = fmt.Sprintf("%d shards on %d pollers", len(r.logs), len(r.pollers))
		if kind == "efo" {
			rep.Consumers = fmt.Sprintf("%d subscriptions as %s", len(r.subs), cfg.ConsumerName)
		}
		var h Histogram
		for _, l := range r.logs {
			h.Merge(&l.hist)
		}
		rs := &ReadStats{Kind: kind, Requests: r.live.getRequests.Load(), Records: r.live.readRecords.Load(), Bytes: r.live.readBytes.Load(),
			Foreign: r.live.foreign.Load(), Seconds: round(secs, 3)}
		if cfg.From == "latest" {
			// Only a tailing read measures delivery; reading old records
			// would measure their age.
			rs.EndToEnd = h.Summary()
		}
		if kind == "efo" {
			rs.Requests = 0
			for _, s := range r.subs {
				rs.Requests += int64(s.subscribes)
			}
		}
		if secs > 0 {
			rs.RecordsPerSec = round(float64(rs.Records)/secs, 1)
			rs.MBPerSec = round(float64(rs.Bytes)/1e6/secs, 2)
		}
		rep.Read = rs
		records = max(records, rs.Records)
	}
	cpu := selfCPU() - cpu0
	rep.Client = ProcStats{CPUSeconds: round(cpu.Seconds(), 3), PeakRSSMB: round(float64(selfMaxRSS())/1e6, 1)}
	if records > 0 {
		rep.Client.CPUMicrosPerRec = round(float64(cpu)/1e3/float64(records), 3)
	}
	if srv != nil {
		rep.Server = srv.result(records)
	}
	switch {
	case cfg.Mode == ModeVerify || cfg.Mode == ModeMixed && cfg.Verify:
		rep.Verify = Verify(r.tables, r.logs, r.live.foreign.Load())
	case r.readKind() != "":
		// No acknowledgements to compare with: report what reading alone
		// can prove (damage, order of sequence numbers).
		rep.Verify = checkReads(r.logs, r.live.readRecords.Load(), r.live.foreign.Load())
	}
	return rep
}

// checkReads reports the violations found while reading, for runs without
// acknowledgement tables.
func checkReads(logs []*shardLog, read, foreign int64) *Verification {
	v := &Verification{Read: read, Foreign: foreign, Counts: map[string]int64{}}
	for _, l := range logs {
		for _, x := range l.Violations {
			v.add(x)
		}
	}
	v.OK = len(v.Counts) == 0
	return v
}

// startProgress prints a live line every second to cfg.Progress.
func (r *runner) startProgress(t0 time.Time) (stop func()) {
	w := r.cfg.Progress
	if w == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		var lastPut, lastRead int64
		last := t0
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\033[K")
				return
			case now := <-t.C:
				secs := now.Sub(last).Seconds()
				put, read := r.live.putRecords.Load(), r.live.readRecords.Load()
				line := fmt.Sprintf("%5.0fs", now.Sub(t0).Seconds())
				if r.producing() {
					line += fmt.Sprintf("  put %s rec/s %.1f MB/s", commas(float64(put-lastPut)/secs), float64(put-lastPut)*float64(r.cfg.RecordSize)/1e6/secs)
				}
				if r.readKind() != "" {
					line += fmt.Sprintf("  read %s rec/s (%d total)", commas(float64(read-lastRead)/secs), read)
				}
				line += fmt.Sprintf("  throttled %d  errors %d", r.live.throttledReq.Load()+r.live.throttledRec.Load(), r.live.errorCount())
				fmt.Fprintf(w, "\r\033[K%s", line)
				lastPut, lastRead, last = put, read, now
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
