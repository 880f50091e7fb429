package logstore

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/vfs"
)

// TestSyncIntervalMode: acknowledged before the fsync, synced by the timer;
// what was synced survives a crash.
func TestSyncIntervalMode(t *testing.T) {
	h := newMemHarness(t, func(o *Options) { o.Durability = SyncInterval; o.SyncInterval = time.Second })
	h.s.CreateLog(1, LogConfig{})
	var acks ackLog
	before := h.s.m.fsyncs.Get()
	acks.add(1, 1, fill(t, h.s, 1, 10, 100))
	if h.s.m.fsyncs.Get() != before {
		t.Fatal("SyncInterval fsynced on the append path")
	}
	h.clk.Advance(time.Second)
	deadline := time.Now().Add(5 * time.Second)
	for h.s.m.fsyncs.Get() == before {
		if time.Now().After(deadline) {
			t.Fatal("journal not fsynced after SyncInterval")
		}
		time.Sleep(time.Millisecond)
	}
	h.crash()
	h.mustOpen()
	acks.verify(t, h.s)
}

// TestMetrics checks that the documented metrics are exported.
func TestMetrics(t *testing.T) {
	h := newMemHarness(t, nil)
	h.s.CreateLog(1, LogConfig{})
	fill(t, h.s, 1, 3, 10)
	h.s.Checkpoint()
	var b bytes.Buffer
	h.set.WritePrometheus(&b)
	for _, name := range []string{
		"eddy_logstore_appends_total", "eddy_logstore_appended_records_total", "eddy_logstore_appended_bytes_total",
		"eddy_logstore_journal_fsyncs_total", "eddy_logstore_group_commit_batches_bucket", "eddy_logstore_journal_fsync_seconds_bucket",
		"eddy_logstore_checkpoints_total", "eddy_logstore_corruptions_total", "eddy_logstore_open_files",
		"eddy_logstore_tail_memory_bytes", "eddy_logstore_unflushed_bytes",
	} {
		if !strings.Contains(b.String(), name) {
			t.Errorf("metric %s missing", name)
		}
	}
}

// TestBackPressure: a tiny tail memory budget makes appends wait for the
// flusher instead of growing memory; everything still arrives.
func TestBackPressure(t *testing.T) {
	h := newMemHarness(t, func(o *Options) { small(o); o.TailMemoryBytes = 16 << 10; o.TailKeepBytes = 0 })
	h.s.CreateLog(1, LogConfig{})
	es := makeBatch(50, 1000)
	for range 20 {
		if _, err := h.s.Append(context.Background(), []Batch{{Log: 1, Entries: es}}); err != nil {
			t.Fatal(err)
		}
	}
	if n := h.s.unflushed.Load(); n > 16<<10+60<<10 {
		t.Fatalf("unflushed %d bytes beyond the budget", n)
	}
	if info, _ := h.s.Info(1); info.Tail != 1001 {
		t.Fatalf("tail %d", info.Tail)
	}
}

// TestJournalRecycling: old journal files are reused; their stale frames
// never come back, through restarts and crashes with torn tails.
func TestJournalRecycling(t *testing.T) {
	h := newMemHarness(t, func(o *Options) { small(o); o.JournalSegmentBytes = 8 << 10; o.CheckpointBytes = 16 << 10 })
	waitSpares(t, h.s)
	h.s.CreateLog(1, LogConfig{})
	h.s.CreateLog(2, LogConfig{})
	var acks ackLog
	for round := range 6 {
		for i := range 40 {
			log := LogID(1 + i%2)
			e := entry(log, round*1000+i, 50+i*13%400)
			res, err := h.s.Append(context.Background(), []Batch{{Log: log, Entries: []Entry{e}}})
			if err != nil {
				t.Fatal(err)
			}
			acks.add(log, res[0].First, []Entry{e})
		}
		switch round % 3 {
		case 0:
			if err := h.s.Close(); err != nil {
				t.Fatal(err)
			}
			h.mustOpen()
		case 1:
			h.crashWith(vfs.CrashOptions{TornTails: true, ZeroTails: round%2 == 0, Seed: uint64(round)})
			h.mustOpen()
		}
		acks.verify(t, h.s)
		if len(h.s.Damage()) != 0 {
			t.Fatalf("round %d: %v", round, h.s.Damage()[0])
		}
	}
	if h.set.GetOrCreateCounter("eddy_logstore_journal_files_recycled_total").Get() == 0 {
		t.Fatal("no journal file was recycled")
	}
}

// TestTornNewJournalFile: the process died while creating the next journal
// file (empty, no header); the reused file before it, with stale bytes past
// its frames, is then the newest one, and recovery loses nothing.
func TestTornNewJournalFile(t *testing.T) {
	h := newMemHarness(t, func(o *Options) { small(o); o.JournalSegmentBytes = 4 << 10; o.CheckpointBytes = 6 << 10 })
	waitSpares(t, h.s)
	h.s.CreateLog(1, LogConfig{})
	var acks ackLog
	for i := range 200 {
		e := entry(1, i, 100)
		res, err := h.s.Append(context.Background(), []Batch{{Log: 1, Entries: []Entry{e}}})
		if err != nil {
			t.Fatal(err)
		}
		acks.add(1, res[0].First, []Entry{e})
	}
	if h.set.GetOrCreateCounter("eddy_logstore_journal_files_recycled_total").Get() == 0 {
		t.Fatal("no journal file was reused")
	}
	h.s.abandon() // a crash of the process: no checkpoint
	files := journalFiles(t, h.fs)
	last := files[len(files)-1]
	seq, _ := strconv.ParseUint(strings.TrimSuffix(path.Base(last), ".jnl"), 16, 64)
	writeBytes(t, h.fs, path.Join(path.Dir(last), journalName(seq+1)), nil)
	h.mustOpen()
	acks.verify(t, h.s)
	if len(h.s.Damage()) != 0 {
		t.Fatal(h.s.Damage()[0])
	}
}

// TestTailsDoNotPinGroups: a small log's records kept for tail reads are
// copied out of the group buffers they shared with a big log, so those can
// be freed.
func TestTailsDoNotPinGroups(t *testing.T) {
	h := newMemHarness(t, nil)
	h.s.CreateLog(1, LogConfig{})
	h.s.CreateLog(2, LogConfig{})
	big := makeBatch(100, 10<<10)
	for i := range 20 {
		_, err := h.s.Append(context.Background(), []Batch{{Log: 1, Entries: []Entry{entry(1, i, 100)}}, {Log: 2, Entries: big}})
		if err != nil {
			t.Fatal(err)
		}
	}
	h.s.flushDirty()
	h.s.sweep()
	l := h.s.getLog(1)
	l.mu.RLock()
	defer l.mu.RUnlock()
	if len(l.chunks) == 0 {
		t.Fatal("no tail kept")
	}
	for _, c := range l.chunks {
		if c.mem != nil && 2*c.mem.live.Load() < c.mem.size {
			t.Fatalf("chunk of record %d still pins a %d-byte group (%d live) for %d bytes", c.first, c.mem.size, c.mem.live.Load(), len(c.data))
		}
	}
}

// TestSyncIntervalCheckpointPastDurableEnd: in SyncInterval mode a checkpoint
// can name a journal position past what reached the disk; recoveries after
// that must agree on where the journal file ends.
func TestSyncIntervalCheckpointPastDurableEnd(t *testing.T) {
	h := newMemHarness(t, func(o *Options) { o.Durability = SyncInterval; o.SyncInterval = time.Hour; o.JournalSpares = -1 })
	h.s.CreateLog(1, LogConfig{})
	acks := ackLog{lossy: true}
	acks.add(1, 1, fill(t, h.s, 1, 20, 100))
	if err := h.s.Checkpoint(); err != nil { // the journal itself was never fsynced
		t.Fatal(err)
	}
	for round := range 3 {
		h.crash()
		h.mustOpen()
		if d := h.s.Damage(); len(d) != 0 {
			t.Fatalf("round %d: %v", round, d[0])
		}
		acks.verify(t, h.s)
		fill(t, h.s, 1, 3, 10)
	}
	if info, _ := h.s.Info(1); info.Tail < 21 {
		t.Fatalf("checkpointed records lost: tail %d", info.Tail)
	}
}

// waitSpares waits for the background zero-filling of spare journal files.
func waitSpares(t *testing.T, s *Store) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		s.sparesMu.Lock()
		n := len(s.spares)
		s.sparesMu.Unlock()
		if n >= s.opts.JournalSpares {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("spare journal files not prepared")
		}
	}
}

// wbFile records the ranges handed to StartWriteback.
type wbFile struct {
	vfsFile
	ranges [][2]int64
}

func (f *wbFile) StartWriteback(off, n int64) error {
	f.ranges = append(f.ranges, [2]int64{off, n})
	return nil
}

func TestStartWritebackSteps(t *testing.T) {
	f := &wbFile{}
	seg := &segment{}
	for end := int64(0); end <= 3*writebackStep; end += writebackStep / 4 {
		startWriteback(f, seg, end)
	}
	want := [][2]int64{{0, writebackStep}, {writebackStep, writebackStep}, {2 * writebackStep, writebackStep}}
	if fmt.Sprint(f.ranges) != fmt.Sprint(want) {
		t.Errorf("writeback ranges %v, want %v", f.ranges, want)
	}
	// A file without the method is left alone, and the offset still advances.
	seg2 := &segment{}
	startWriteback(struct{ vfsFile }{}, seg2, writebackStep)
	if seg2.writebackOff != writebackStep {
		t.Errorf("writebackOff %d", seg2.writebackOff)
	}
}
