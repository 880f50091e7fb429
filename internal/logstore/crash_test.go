package logstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/eddy-streams/eddy/internal/clock"
	"github.com/eddy-streams/eddy/internal/vfs"
)

// memHarness opens stores on a crashFS and can crash them.
type memHarness struct {
	t     *testing.T
	set   *metrics.Set
	m     *machine
	fs    vfs.FS // m.gate
	clk   *clock.Fake
	tweak func(o *Options)
	s     *Store
}

func newMemHarness(t *testing.T, tweak func(o *Options)) *memHarness {
	h := &memHarness{t: t, m: newMachine(vfs.NewMem()), clk: clock.NewFake(epoch), tweak: tweak, set: metrics.NewSet()}
	h.fs = h.m.gate
	if err := h.open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.s.Close() })
	return h
}

func (h *memHarness) options() Options {
	o := Options{FS: h.fs, Dir: "/data", Clock: h.clk, Metrics: h.set}
	if h.tweak != nil {
		h.tweak(&o)
	}
	return o
}

func (h *memHarness) open() error {
	s, err := Open(h.options())
	if err != nil {
		return err
	}
	h.s = s
	return nil
}

// crash kills the machine: the store's later operations fail, and the
// filesystem is replaced by what survives (strict model: synced data and
// synced directory entries only).
func (h *memHarness) crash() { h.crashWith(vfs.CrashOptions{}) }

// crashWith crashes with options (torn tails: part of unsynced appends
// reaches the disk, possibly as zeros).
func (h *memHarness) crashWith(o vfs.CrashOptions) {
	h.m = h.m.crash(o)
	h.s.Close() // fails: the old machine is dead
	h.fs = h.m.gate
}

func (h *memHarness) mustOpen() {
	h.t.Helper()
	if err := h.open(); err != nil {
		h.t.Fatalf("Open after crash: %v", err)
	}
}

// ackLog records what appends were acknowledged.
type ackLog struct {
	mu    sync.Mutex
	got   map[LogID]map[uint64]Entry
	lossy bool // SyncInterval: acknowledged records may be lost, but nothing else may go wrong
}

func (a *ackLog) add(log LogID, first uint64, es []Entry) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.got == nil {
		a.got = map[LogID]map[uint64]Entry{}
	}
	if a.got[log] == nil {
		a.got[log] = map[uint64]Entry{}
	}
	for i, e := range es {
		if _, dup := a.got[log][first+uint64(i)]; dup && !a.lossy {
			panic(fmt.Sprintf("record %d of log %d acknowledged twice", first+uint64(i), log))
		}
		a.got[log][first+uint64(i)] = e
	}
}

// verify checks that every acknowledged record is present, once, in order
// and intact, and that the log is dense (no holes, nothing after a hole).
func (a *ackLog) verify(t *testing.T, s *Store) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	for log, m := range a.got {
		var all []Record
		start, err := s.TrimHorizon(log)
		if err != nil {
			t.Fatal(err)
		}
		from := start
		for {
			res, err := s.Read(log, from, 1000, 1<<20)
			if err != nil {
				t.Fatalf("read log %d from %d: %v", log, from, err)
			}
			if len(res.Records) == 0 {
				break
			}
			all = append(all, res.Records...)
			from = res.Next
		}
		for i, r := range all {
			if r.Number != start+uint64(i) {
				t.Fatalf("log %d: position %d holds record %d", log, start+uint64(i), r.Number)
			}
			if e, ok := m[r.Number]; ok && !sameEntry(r, e) && !a.lossy {
				t.Fatalf("log %d: record %d corrupted", log, r.Number)
			}
			if !strings.HasPrefix(string(r.Data), fmt.Sprintf("%d/", log)) {
				t.Fatalf("log %d: record %d is not ours: %q", log, r.Number, r.Data[:min(len(r.Data), 20)])
			}
		}
		for n := range m {
			if !a.lossy && n >= start && n >= start+uint64(len(all)) {
				t.Fatalf("log %d: acknowledged record %d lost (log has %d..%d)", log, n, start, start+uint64(len(all))-1)
			}
		}
	}
}

// TestCrashRandom crashes the machine at random moments during concurrent
// appends, checkpoints, sealing and retention, and checks recovery.
func TestCrashRandom(t *testing.T) {
	for seed := range uint64(12) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			tweak := small
			if seed%3 == 1 {
				tweak = func(o *Options) { small(o); o.CheckpointBytes = 8 << 10; o.JournalSegmentBytes = 4 << 10 }
			}
			if seed%4 == 2 {
				tweak = func(o *Options) { small(o); o.Durability = SyncInterval }
			}
			h := newMemHarness(t, tweak)
			acks := ackLog{lossy: seed%4 == 2}
			const logs = 6
			for i := 1; i <= logs; i++ {
				ret := time.Duration(0)
				if i%2 == 0 {
					ret = 30 * time.Minute // expires during the test: trims race with crashes
				}
				if err := h.s.CreateLog(LogID(i), LogConfig{Retention: ret}); err != nil {
					t.Fatal(err)
				}
			}
			for round := range 4 {
				var stop atomic.Bool
				var wg sync.WaitGroup
				s := h.s
				// crash after a random number of acknowledged appends
				var nacks atomic.Int64
				target := int64(20 + rng.IntN(400))
				reached := make(chan struct{})
				var once sync.Once
				for w := range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := 0; !stop.Load(); i++ {
							log := LogID(1 + (w*7+i)%logs)
							var es []Entry
							for k := range 1 + i%5 {
								es = append(es, entry(log, round*100000+w*10000+i*10+k, 10+(i*37)%700))
							}
							res, err := s.Append(context.Background(), []Batch{{Log: log, Entries: es}})
							if err != nil {
								return
							}
							acks.add(log, res[0].First, es)
							if nacks.Add(1) == target {
								once.Do(func() { close(reached) })
							}
						}
					}()
				}
				wg.Add(1)
				prng := rand.New(rand.NewPCG(seed, uint64(round)))
				go func() { // checkpoints and sweeps race with the appends
					defer wg.Done()
					for !stop.Load() {
						s.Checkpoint()
						s.sweep()
						for range prng.IntN(50) {
							runtime.Gosched()
						}
					}
				}()
				<-reached
				// odd seeds: part of the unsynced appends reaches the disk,
				// sometimes as zeros
				h.crashWith(vfs.CrashOptions{TornTails: seed%2 == 1, ZeroTails: seed%4 == 3, Seed: seed*10 + uint64(round)})
				stop.Store(true)
				wg.Wait()
				h.mustOpen()
				acks.verify(t, h.s)
				if d := h.s.Damage(); len(d) != 0 {
					t.Fatalf("damage after a clean crash: %v", d[0])
				}
				h.clk.Advance(20 * time.Minute) // age sealing on the next sweep
			}
			h.s.Close()
			h.mustOpen()
			acks.verify(t, h.s)
			n := 0
			for _, m := range acks.got {
				n += len(m)
			}
			t.Logf("%d records acknowledged, %d checkpoints, %d segments deleted", n, int(h.s.m.checkpoints.Get()), int(h.s.m.segmentsDeleted.Get()))
		})
	}
}

func fill(t *testing.T, s *Store, log LogID, n, size int) []Entry {
	t.Helper()
	var es []Entry
	for i := range n {
		e := entry(log, i, size)
		if _, err := s.Append(context.Background(), []Batch{{Log: log, Entries: []Entry{e}}}); err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	return es
}

func journalFiles(t *testing.T, fs vfs.FS) []string {
	seqs, err := listJournal(fs, "/data/journal")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, q := range seqs {
		out = append(out, path.Join("/data/journal", journalName(q)))
	}
	return out
}

func fileBytes(t *testing.T, fs vfs.FS, name string) []byte {
	b, err := readFileAll(fs, name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeBytes(t *testing.T, fs vfs.FS, name string, b []byte) {
	if err := writeFileSync(fs, name, b); err != nil {
		t.Fatal(err)
	}
}

// journalWithData returns the journal file holding frames (the newest
// non-empty one).
func journalWithData(t *testing.T, fs vfs.FS) string {
	files := journalFiles(t, fs)
	for i := len(files) - 1; i >= 0; i-- {
		if len(fileBytes(t, fs, files[i])) > journalHeaderLen {
			return files[i]
		}
	}
	t.Fatal("no journal data")
	return ""
}

func TestTornJournalTail(t *testing.T) {
	for _, cut := range []int{1, 7, 19, 40, -1} {
		t.Run(fmt.Sprintf("cut=%d", cut), func(t *testing.T) {
			h := newMemHarness(t, nil)
			h.s.CreateLog(1, LogConfig{})
			es := fill(t, h.s, 1, 20, 50)
			h.crash()
			j := journalWithData(t, h.fs)
			b := fileBytes(t, h.fs, j)
			// a torn last frame: the beginning of a copy of the last frame,
			// or garbage
			var tail []byte
			if cut > 0 {
				tail = append([]byte(nil), b[len(b)-200:len(b)-200+cut]...)
				copy(tail, frameMagic)
			} else {
				tail = []byte("\x00\x00\x00garbage")
			}
			writeBytes(t, h.fs, j, append(b, tail...))
			h.mustOpen()
			var acks ackLog
			acks.add(1, 1, es)
			acks.verify(t, h.s)
			if got := len(fileBytes(t, h.fs, j)); got != len(b) {
				t.Fatalf("torn tail not truncated: %d bytes, want %d", got, len(b))
			}
			if d := h.s.Damage(); len(d) != 0 {
				t.Fatalf("torn tail reported as damage: %v", d)
			}
			more := fill(t, h.s, 1, 3, 10)
			acks.add(1, 21, more)
			h.crash()
			h.mustOpen()
			acks.verify(t, h.s)
		})
	}
}

func TestMidJournalCorruption(t *testing.T) {
	h := newMemHarness(t, nil)
	h.s.CreateLog(1, LogConfig{})
	h.s.CreateLog(2, LogConfig{})
	fill(t, h.s, 1, 10, 100)
	fill(t, h.s, 2, 5, 100) // records 1..5 of log 2
	fill(t, h.s, 1, 10, 100)
	fill(t, h.s, 2, 5, 100)
	h.crash()
	j := journalWithData(t, h.fs)
	b := fileBytes(t, h.fs, j)
	// damage the frame holding log 2's record 3: find it by its data
	i := strings.Index(string(b), "2/2")
	if i < 0 {
		t.Fatal("record not found in journal")
	}
	b[i] ^= 0xff
	writeBytes(t, h.fs, j, b)

	err := h.open()
	var jc *JournalCorruptionError
	if !errors.As(err, &jc) {
		t.Fatalf("Open: %v, want *JournalCorruptionError", err)
	}
	if !strings.HasSuffix(jc.File, path.Base(j)) || jc.Offset <= 0 {
		t.Fatalf("error names %s@%d", jc.File, jc.Offset)
	}
	found := false
	for _, a := range jc.Affected {
		if a.Log == 2 && a.FirstLost == 3 && a.LastLost == 3 {
			found = true
		}
	}
	if !found {
		t.Fatalf("affected ranges %v do not name log 2 record 3", err)
	}
	t.Log(err)

	h.tweak = func(o *Options) { o.Salvage = true }
	h.mustOpen()
	if len(h.s.Damage()) == 0 {
		t.Fatal("salvaged damage not listed")
	}
	if _, err := h.s.Read(2, 3, 10, 1000); !isCorruption(err, 2, 3, 3) {
		t.Fatalf("read of lost record: %v", err)
	}
	r, err := h.s.Read(2, 1, 10, 1<<20)
	if err != nil || len(r.Records) != 2 {
		t.Fatalf("read before the loss: %d records, %v", len(r.Records), err)
	}
	r, err = h.s.Read(2, 4, 100, 1<<20)
	if err != nil || len(r.Records) != 7 || r.Records[0].Number != 4 {
		t.Fatalf("read after the loss: %+v %v", r, err)
	}
	if r, _ := h.s.Read(1, 1, 100, 1<<20); len(r.Records) != 20 {
		t.Fatalf("log 1 damaged: %d", len(r.Records))
	}
	// the damage survives checkpoints and restarts; new appends work
	fill(t, h.s, 2, 2, 10)
	h.s.Close()
	h.tweak = nil
	h.mustOpen()
	if _, err := h.s.Read(2, 3, 10, 1000); !isCorruption(err, 2, 3, 3) {
		t.Fatalf("after restart: %v", err)
	}
	if info, _ := h.s.Info(2); info.Tail != 13 || len(info.Damage) != 1 {
		t.Fatalf("info %+v", info)
	}
}

func isCorruption(err error, log LogID, first, last uint64) bool {
	var c *CorruptionError
	return errors.As(err, &c) && c.Log == log && c.FirstLost == first && c.LastLost == last
}

// segmentFiles lists a log's segment files (after a checkpoint).
func segmentFiles(t *testing.T, fs vfs.FS, log LogID, ext string) []string {
	ents, _ := fs.ReadDir("/data/logs")
	var out []string
	for _, d := range ents {
		if strings.HasPrefix(d.Name(), fmt.Sprintf("%016x-", uint64(log))) {
			files, _ := fs.ReadDir("/data/logs/" + d.Name())
			for _, f := range files {
				if strings.HasSuffix(f.Name(), ext) {
					out = append(out, "/data/logs/"+d.Name()+"/"+f.Name())
				}
			}
		}
	}
	return out
}

func TestSegmentDamage(t *testing.T) {
	setup := func(t *testing.T) (*memHarness, []Entry) {
		h := newMemHarness(t, small)
		h.s.CreateLog(1, LogConfig{})
		es := fill(t, h.s, 1, 60, 300) // about 20 KiB: several 4 KiB segments
		h.s.Close()
		if n := len(segmentFiles(t, h.fs, 1, ".seg")); n < 3 {
			t.Fatalf("only %d segments", n)
		}
		return h, es
	}
	t.Run("bad-crc", func(t *testing.T) {
		h, es := setup(t)
		seg := segmentFiles(t, h.fs, 1, ".seg")[1]
		b := fileBytes(t, h.fs, seg)
		b[len(b)/2] ^= 1
		writeBytes(t, h.fs, seg, b)
		h.mustOpen()
		var firstErr error
		var got int
		for from := uint64(1); from <= 60; from++ {
			r, err := h.s.Read(1, from, 1, 1<<20)
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			if !sameEntry(r.Records[0], es[from-1]) {
				t.Fatalf("record %d wrong", from)
			}
			got++
		}
		var c *CorruptionError
		if !errors.As(firstErr, &c) || c.Log != 1 || c.FirstLost == 0 || c.File != seg {
			t.Fatalf("read error %v", firstErr)
		}
		if got < 50 || len(h.s.Damage()) == 0 {
			t.Fatalf("%d records readable, damage %v", got, h.s.Damage())
		}
	})
	t.Run("missing-segment", func(t *testing.T) {
		h, es := setup(t)
		segs := segmentFiles(t, h.fs, 1, ".seg")
		h.fs.Remove(segs[1])
		h.mustOpen()
		d := h.s.Damage()
		if len(d) != 1 || d[0].Log != 1 || d[0].FirstLost == 0 || d[0].LastLost < d[0].FirstLost {
			t.Fatalf("damage %v", d)
		}
		if _, err := h.s.Read(1, d[0].FirstLost, 10, 1<<20); !isCorruption(err, 1, d[0].FirstLost, d[0].LastLost) {
			t.Fatalf("read lost: %v", err)
		}
		r, err := h.s.Read(1, 1, 100, 1<<20)
		if err != nil || uint64(len(r.Records)) != d[0].FirstLost-1 {
			t.Fatalf("read before: %d %v", len(r.Records), err)
		}
		r, err = h.s.Read(1, d[0].LastLost+1, 100, 1<<20)
		if err != nil || r.Records[0].Number != d[0].LastLost+1 || !sameEntry(r.Records[0], es[d[0].LastLost]) {
			t.Fatalf("read after: %v", err)
		}
	})
	t.Run("damaged-index", func(t *testing.T) {
		h, es := setup(t)
		for _, idx := range segmentFiles(t, h.fs, 1, ".idx") {
			b := fileBytes(t, h.fs, idx)
			b[len(b)-5] ^= 0xff
			writeBytes(t, h.fs, idx, b)
		}
		h.mustOpen()
		var acks ackLog
		acks.add(1, 1, es)
		acks.verify(t, h.s)
		if len(h.s.Damage()) != 0 {
			t.Fatalf("index rebuild reported as damage: %v", h.s.Damage())
		}
		if n, _ := h.s.SeekTimestamp(1, epoch.UnixMilli()); n != 1 {
			t.Fatal(n)
		}
	})
}

func TestDiskFull(t *testing.T) {
	h := newMemHarness(t, small)
	h.s.CreateLog(1, LogConfig{})
	var acks ackLog
	es := fill(t, h.s, 1, 10, 100)
	acks.add(1, 1, es)
	h.m.fault.SetSpace(3000)
	var full error
	for i := range 100 {
		e := entry(1, 1000+i, 400)
		res, err := h.s.Append(context.Background(), []Batch{{Log: 1, Entries: []Entry{e}}})
		if err != nil {
			full = err
			break
		}
		acks.add(1, res[0].First, []Entry{e})
	}
	if !errors.Is(full, ErrDiskFull) || !errors.Is(full, syscall.ENOSPC) {
		t.Fatalf("appends on a full disk: %v", full)
	}
	acks.verify(t, h.s) // still readable
	h.m.fault.SetSpace(-1)
	e := entry(1, 5000, 10)
	res, err := h.s.Append(context.Background(), []Batch{{Log: 1, Entries: []Entry{e}}})
	if err != nil {
		t.Fatalf("append after space freed: %v", err)
	}
	acks.add(1, res[0].First, []Entry{e})
	acks.verify(t, h.s)
	h.crash()
	h.mustOpen()
	acks.verify(t, h.s)
	if len(h.s.Damage()) != 0 {
		t.Fatal(h.s.Damage())
	}
}

func TestFsyncFailure(t *testing.T) {
	h := newMemHarness(t, nil)
	h.s.CreateLog(1, LogConfig{})
	var acks ackLog
	acks.add(1, 1, fill(t, h.s, 1, 5, 100))
	h.m.fault.Inject(vfs.Rule{Ops: vfs.OpSync, Times: 1, Match: suffix(".jnl"), LoseUnsynced: true})
	_, err := h.s.Append(context.Background(), []Batch{{Log: 1, Entries: []Entry{entry(1, 99, 10)}}})
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("append with failing fsync: %v", err)
	}
	// not retried: the store stays read-only, reads work
	if _, err := h.s.Append(context.Background(), []Batch{{Log: 1, Entries: []Entry{entry(1, 98, 10)}}}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("second append: %v", err)
	}
	acks.verify(t, h.s)
	h.crash()
	h.mustOpen()
	acks.verify(t, h.s)
	acks.add(1, 7, fill(t, h.s, 1, 1, 10)[:0])
}

func TestWriteFailureRollsBack(t *testing.T) {
	h := newMemHarness(t, nil)
	h.s.CreateLog(1, LogConfig{})
	var acks ackLog
	acks.add(1, 1, fill(t, h.s, 1, 3, 10))
	h.m.fault.Inject(vfs.Rule{Ops: vfs.OpWrite, Times: 1, Match: suffix(".jnl")})
	_, err := h.s.Append(context.Background(), []Batch{{Log: 1, Entries: []Entry{entry(1, 9, 10)}}})
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("write error: %v", err)
	}
	if info, _ := h.s.Info(1); info.Tail != 4 {
		t.Fatalf("failed append visible: tail %d", info.Tail)
	}
}

func TestFormatVersion(t *testing.T) {
	h := newMemHarness(t, nil)
	h.s.CreateLog(1, LogConfig{})
	fill(t, h.s, 1, 3, 10)
	h.s.Close()
	b := fileBytes(t, h.fs, "/data/CHECKPOINT")
	le.PutUint16(b[8:], checkpointVersion+1)
	writeBytes(t, h.fs, "/data/CHECKPOINT", b)
	err := h.open()
	var fv *FormatVersionError
	if !errors.As(err, &fv) || fv.Found != checkpointVersion+1 || fv.Supported != checkpointVersion {
		t.Fatalf("Open: %v", err)
	}
	if !strings.Contains(err.Error(), "version 2") || !strings.Contains(err.Error(), "version 1") {
		t.Fatalf("message does not name both versions: %v", err)
	}
	le.PutUint16(b[8:], checkpointVersion)
	writeBytes(t, h.fs, "/data/CHECKPOINT", b)
	j := journalFiles(t, h.fs)
	jb := fileBytes(t, h.fs, j[len(j)-1])
	le.PutUint16(jb[8:], journalVersion+1)
	writeBytes(t, h.fs, j[len(j)-1], jb)
	if err := h.open(); !errors.As(err, &fv) {
		t.Fatalf("Open with a newer journal: %v", err)
	}
}

// TestCheckpointFsyncFailure: a failed segment fsync is not retried; the
// store goes read-only, and restarting recovers from the journal.
func TestCheckpointFsyncFailure(t *testing.T) {
	h := newMemHarness(t, nil)
	h.s.CreateLog(1, LogConfig{})
	var acks ackLog
	acks.add(1, 1, fill(t, h.s, 1, 20, 100))
	h.m.fault.Inject(vfs.Rule{Ops: vfs.OpSync, Times: 1, Match: suffix(".seg"), LoseUnsynced: true})
	if err := h.s.Checkpoint(); err == nil {
		t.Fatal("checkpoint succeeded with a failing fsync")
	}
	if _, err := h.s.Append(context.Background(), []Batch{{Log: 1, Entries: []Entry{entry(1, 0, 1)}}}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("append after failed checkpoint: %v", err)
	}
	if err := h.s.Checkpoint(); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("second checkpoint: %v", err)
	}
	acks.verify(t, h.s)
	h.crash()
	h.mustOpen()
	acks.verify(t, h.s)
}

func suffix(sfx string) func(string) bool {
	return func(name string) bool { return strings.HasSuffix(name, sfx) }
}

// TestSegmentWriteFailure: when segments cannot be written (disk full) the
// journal keeps the records; appends stop with ErrDiskFull once the memory
// budget is used, and resume when space frees.
func TestSegmentWriteFailure(t *testing.T) {
	h := newMemHarness(t, func(o *Options) { small(o); o.TailMemoryBytes = 32 << 10 })
	h.s.CreateLog(1, LogConfig{})
	var acks ackLog
	acks.add(1, 1, fill(t, h.s, 1, 5, 100))
	remove := h.m.fault.Inject(vfs.Rule{Ops: vfs.OpWrite, Match: suffix(".seg"), Err: syscall.ENOSPC})
	var err error
	for i := range 1000 {
		e := entry(1, 100+i, 500)
		var res []Appended
		if res, err = h.s.Append(context.Background(), []Batch{{Log: 1, Entries: []Entry{e}}}); err != nil {
			break
		}
		acks.add(1, res[0].First, []Entry{e})
	}
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("appends with segments failing: %v", err)
	}
	acks.verify(t, h.s) // readable from memory
	remove()
	e := entry(1, 5000, 10)
	res, err := h.s.Append(context.Background(), []Batch{{Log: 1, Entries: []Entry{e}}})
	if err != nil {
		t.Fatalf("append after space freed: %v", err)
	}
	acks.add(1, res[0].First, []Entry{e})
	if err := h.s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	h.crash()
	h.mustOpen()
	acks.verify(t, h.s)
}

// TestDamageAtTheHorizon: when the trim horizon falls inside a missing
// segment, reads past the loss still work and reads of it report it.
func TestDamageAtTheHorizon(t *testing.T) {
	h := newMemHarness(t, small)
	h.s.CreateLog(1, LogConfig{Retention: time.Hour})
	var es []Entry
	for range 60 {
		es = append(es, fill(t, h.s, 1, 1, 300)...)
		h.clk.Advance(time.Minute)
	}
	h.s.Close()
	segs := segmentFiles(t, h.fs, 1, ".seg")
	h.fs.Remove(segs[1])
	h.clk.Advance(15 * time.Minute) // the horizon moves into the missing segment
	h.mustOpen()
	d := h.s.Damage()
	if len(d) != 1 {
		t.Fatalf("damage %v", d)
	}
	th, err := h.s.TrimHorizon(1)
	if err != nil || th < d[0].FirstLost || th > d[0].LastLost {
		t.Fatalf("trim horizon %d (%v), lost %d..%d", th, err, d[0].FirstLost, d[0].LastLost)
	}
	if _, err := h.s.Read(1, th, 10, 1<<20); !isCorruption(err, 1, d[0].FirstLost, d[0].LastLost) {
		t.Fatalf("read at the horizon: %v", err)
	}
	r, err := h.s.Read(1, d[0].LastLost+1, 100, 1<<20)
	if err != nil || len(r.Records) == 0 || !sameEntry(r.Records[0], es[d[0].LastLost]) {
		t.Fatalf("read past the loss: %v", err)
	}
	if n, err := h.s.SeekTimestamp(1, r.Records[0].Timestamp); err != nil || n != r.Records[0].Number {
		t.Fatalf("seek past the loss: %d %v", n, err)
	}
}

// TestTrimDurableBeforeDelete: segments deleted by retention are gone for
// good only after their trim entry is durable, in SyncInterval mode too. The
// crash image is taken inside a checkpoint, after it synced the log
// directory (making the deletions durable) and before it replaced CHECKPOINT.
func TestTrimDurableBeforeDelete(t *testing.T) {
	h := newMemHarness(t, func(o *Options) {
		small(o)
		o.Durability, o.SyncInterval, o.JournalSpares = SyncInterval, time.Hour, -1
		o.CheckpointInterval, o.SweepInterval = 1000*time.Hour, 1000*time.Hour // only the test's
	})
	h.s.CreateLog(1, LogConfig{Retention: time.Hour})
	for range 60 {
		fill(t, h.s, 1, 1, 300)
		h.clk.Advance(time.Minute)
	}
	if err := h.s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	h.clk.Advance(30 * time.Minute)
	h.s.sweep() // seals by age
	h.s.sweep() // trims: journal entry, then the files go
	if h.s.m.segmentsDeleted.Get() == 0 {
		t.Fatal("nothing trimmed")
	}
	var img *vfs.Mem
	h.m.fault.OnOp(vfs.OpRename, func(op vfs.Op, name string) {
		if strings.HasSuffix(name, ckptFile+".tmp") && img == nil {
			img = h.m.mem.CrashClone()
		}
	})
	if err := h.s.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	if img == nil {
		t.Fatal("hook did not run")
	}
	h.s.Close()
	h.m = newMachine(img)
	h.fs = h.m.gate
	h.mustOpen()
	if d := h.s.Damage(); len(d) != 0 {
		t.Fatalf("trimmed segments reported lost: %v", d[0])
	}
}
