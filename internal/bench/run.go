package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Run performs one run and returns its report. The report is returned with
// an error too when the run got far enough to measure something.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ep, err := parseEndpoint(cfg.Endpoint, cfg.Insecure)
	if err != nil {
		return nil, err
	}
	r := &runner{cfg: &cfg, ep: ep, live: newLive(), stop: &readStop{}}
	return r.run(ctx)
}

type runner struct {
	cfg  *Config
	ep   endpoint
	live *live
	stop *readStop
	info streamInfo

	tables    []*ackTable
	producers []*producer
	logs      []*shardLog
	pollers   []*poller
	subs      []*subscriber
	keep      runFilter
	runID     uint32
}

// keepTables says whether acknowledgements and reads are kept for a
// verification or an ack log (otherwise memory stays constant).
func (r *runner) keepTables() bool {
	return r.cfg.Verify || r.cfg.Mode == ModeVerify || r.cfg.AckLog != ""
}

func (r *runner) producing() bool { return r.cfg.Mode == ModePut || r.cfg.Mode == ModeMixed }

func (r *runner) readKind() string {
	switch r.cfg.Mode {
	case ModeGet, ModeVerify:
		return "poll"
	case ModeEFO:
		return "efo"
	case ModeMixed:
		return r.cfg.Consume
	}
	return ""
}

func (r *runner) run(ctx context.Context) (*Report, error) {
	cfg := r.cfg
	r.runID = cfg.Run
	for r.runID == 0 {
		r.runID = rand.Uint32()
	}
	ctl := &client{c: newConn(r.ep, newSigner(cfg.AccessKey, cfg.SecretKey, cfg.Region, r.ep.host), cfg.RequestTimeout)}
	defer ctl.c.Close()
	info, err := ctl.ensureStream(ctx, cfg.Stream, cfg.Shards, r.producing() && !cfg.NoCreate)
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", cfg.Stream, err)
	}
	r.info = info
	if len(info.Shards) == 0 {
		return nil, fmt.Errorf("stream %s has no shards", cfg.Stream)
	}
	if cfg.Mode == ModeVerify {
		for _, path := range cfg.AckLogs {
			t, err := ReadAckLog(path)
			if err != nil {
				return nil, err
			}
			r.tables = append(r.tables, t...)
		}
		runs := map[uint32]bool{}
		for _, t := range r.tables {
			runs[t.Run] = true
		}
		r.keep = func(run uint32) bool { return runs[run] }
	} else if cfg.Mode == ModeMixed {
		r.keep = func(run uint32) bool { return run == r.runID }
	} else {
		r.keep = func(uint32) bool { return true }
	}

	// Consumers get their starting positions before producers start, so
	// that a tailing consumer sees every record of the run.
	readCtx, cancelRead := context.WithCancel(ctx)
	defer cancelRead()
	if kind := r.readKind(); kind != "" {
		if err := r.setupReaders(ctx, ctl, kind); err != nil {
			return nil, err
		}
	}

	var srv *serverSampler
	if cfg.ServerPID > 0 {
		if srv, err = startServerSampler(cfg.ServerPID); err != nil {
			return nil, err
		}
		defer srv.close()
	}
	cpu0 := selfCPU()
	t0 := time.Now()
	var readWG sync.WaitGroup
	var readEnd atomic.Int64
	readersRunning := r.startReaders(readCtx, &readWG)
	readDone := make(chan struct{})
	go func() {
		readWG.Wait()
		readEnd.Store(time.Now().UnixNano())
		close(readDone)
	}()

	// Subscriptions fix their starting position when the server answers:
	// producers wait for that (at most a request timeout).
	wait := time.NewTimer(cfg.RequestTimeout)
	for _, s := range r.subs {
		select {
		case <-s.ready:
		case <-wait.C:
			cfg.Log.Warn("a fan-out subscription was not answered in time; producers start anyway")
		}
	}
	wait.Stop()
	stopProgress := r.startProgress(t0)
	var runErr error
	prodEnd := t0
	if r.producing() {
		runErr = r.runProducers(ctx)
		prodEnd = time.Now()
		r.stop.set(prodEnd)
		if readersRunning {
			r.drain(readDone, cancelRead)
		}
	} else {
		switch {
		case cfg.From == "trim_horizon":
			r.stop.set(t0) // read to the end
			if cfg.Duration > 0 {
				t := time.AfterFunc(cfg.Duration, cancelRead)
				defer t.Stop()
			}
		default: // tail for Duration
			t := time.AfterFunc(cfg.Duration, cancelRead)
			defer t.Stop()
		}
		<-readDone
	}
	cancelRead()
	<-readDone
	end := time.Now()
	stopProgress()

	rep := r.report(t0, prodEnd, time.Unix(0, readEnd.Load()), end, cpu0, srv)
	if cfg.AckLog != "" && r.producing() {
		if err := WriteAckLog(cfg.AckLog, r.tables); err != nil {
			return rep, err
		}
	}
	return rep, runErr
}

// runProducers runs the producers until Duration or Records.
func (r *runner) runProducers(ctx context.Context) error {
	cfg := r.cfg
	pctx := ctx
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		pctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	n := cfg.Producers
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		limit := int64(0)
		if cfg.Records > 0 {
			limit = cfg.Records / int64(n)
			if int64(i) < cfg.Records%int64(n) {
				limit++
			}
			if limit == 0 {
				continue
			}
		}
		p := newProducer(cfg, r.live, r.ep, r.runID, cfg.ProducerBase+uint32(i), limit, cfg.Rate/float64(n))
		p.table.discard = !r.keepTables()
		r.producers = append(r.producers, p)
		r.tables = append(r.tables, p.table)
	}
	// A fatal error (a missing stream, a bad request) stops every producer.
	fctx, fatal := context.WithCancel(pctx)
	defer fatal()
	for i, p := range r.producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if errs[i] = p.run(fctx); errs[i] != nil {
				fatal()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// drain lets consumers finish reading what was acknowledged, within Drain.
func (r *runner) drain(readDone <-chan struct{}, cancel context.CancelFunc) {
	deadline := time.NewTimer(r.cfg.Drain)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-readDone:
			return
		case <-deadline.C:
			r.cfg.Log.Warn("consumers did not catch up within the drain time", "drain", r.cfg.Drain)
			cancel()
			return
		case <-tick.C:
			// Every acknowledged record read, and no response was lost
			// (which could make extra copies stand in for missing ones):
			// nothing more to wait for.
			if r.live.ambiguousRec.Load() == 0 && r.live.readRecords.Load() >= r.live.putRecords.Load() && r.stop.reached(time.Now().Add(-efoSettle)) {
				cancel()
				return
			}
		}
	}
}

// setupReaders makes the shard logs and the pollers or subscribers.
func (r *runner) setupReaders(ctx context.Context, ctl *client, kind string) error {
	cfg := r.cfg
	for _, s := range r.info.Shards {
		if s.Closed && cfg.From == "latest" {
			continue
		}
		r.logs = append(r.logs, &shardLog{Shard: s.ID, discard: !r.keepTables()})
	}
	if kind == "poll" {
		n := min(cfg.Consumers, len(r.logs))
		for i := range n {
			r.pollers = append(r.pollers, newPoller(cfg, r.live, r.ep, r.stop, r.keep))
			_ = i
		}
		for i, l := range r.logs {
			p := r.pollers[i%n]
			p.shards = append(p.shards, &pollShard{log: l})
		}
		for _, p := range r.pollers {
			if err := p.init(ctx); err != nil {
				return fmt.Errorf("starting consumers: %w", err)
			}
		}
		return nil
	}
	arn, err := ctl.registerConsumer(ctx, r.info.ARN, cfg.ConsumerName)
	if err != nil {
		return fmt.Errorf("registering fan-out consumer: %w", err)
	}
	hc := newEFOClient(cfg, r.ep)
	scheme := "http://"
	if r.ep.tls {
		scheme = "https://"
	}
	for _, l := range r.logs {
		r.subs = append(r.subs, &subscriber{cfg: cfg, live: r.live, hc: hc, url: scheme + r.ep.host + "/",
			signer: newSigner(cfg.AccessKey, cfg.SecretKey, cfg.Region, r.ep.host), consumerARN: arn, log: l, stop: r.stop, keep: r.keep,
			ready: make(chan struct{})})
	}
	return nil
}

func (r *runner) startReaders(ctx context.Context, wg *sync.WaitGroup) bool {
	for _, p := range r.pollers {
		wg.Add(1)
		go func() { defer wg.Done(); p.run(ctx) }()
	}
	for _, s := range r.subs {
		wg.Add(1)
		go func() { defer wg.Done(); s.run(ctx) }()
	}
	return len(r.pollers)+len(r.subs) > 0
}
