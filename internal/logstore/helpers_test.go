package logstore

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/clock"
	"github.com/eddy-streams/eddy/internal/vfs"
)

// config is one store configuration the contract suite runs against.
type config struct {
	name  string
	fs    func(t *testing.T) (vfs.FS, string)
	tweak func(o *Options)
}

func osFS(t *testing.T) (vfs.FS, string) { return vfs.OS, t.TempDir() }

func small(o *Options) {
	o.SegmentBytes = 4 << 10
	o.IndexInterval = 256
	o.JournalSegmentBytes = 16 << 10
	o.CheckpointBytes = 48 << 10
	o.TailKeepBytes = 1 << 10
	o.MaxOpenFiles = 8
	o.IndexCacheBytes = 4 << 10
}

func memFS(t *testing.T) (vfs.FS, string) { return vfs.NewMem(), "/data" }

var configs = []config{
	{name: "fs=crashmem/durability=each", fs: memFS},
	{name: "fs=crashmem/segments=small", fs: memFS, tweak: small},
	{name: "fs=os/durability=each", fs: osFS},
	{name: "fs=os/durability=interval", fs: osFS, tweak: func(o *Options) { o.Durability = SyncInterval }},
	{name: "fs=os/segments=small", fs: osFS, tweak: small},
}

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

type harness struct {
	t     *testing.T
	fs    vfs.FS
	dir   string
	clk   *clock.Fake
	tweak func(o *Options)
	s     *Store
}

func newHarness(t *testing.T, c config) *harness {
	fsys, dir := c.fs(t)
	h := &harness{t: t, fs: fsys, dir: dir, clk: clock.NewFake(epoch), tweak: c.tweak}
	h.open()
	t.Cleanup(func() {
		if h.s != nil {
			h.s.Close()
		}
	})
	return h
}

func (h *harness) options() Options {
	o := Options{FS: h.fs, Dir: h.dir, Clock: h.clk}
	if h.tweak != nil {
		h.tweak(&o)
	}
	return o
}

func (h *harness) open() {
	h.t.Helper()
	s, err := Open(h.options())
	if err != nil {
		h.t.Fatalf("Open: %v", err)
	}
	h.s = s
}

func (h *harness) reopen() {
	h.t.Helper()
	if err := h.s.Close(); err != nil {
		h.t.Fatalf("Close: %v", err)
	}
	h.open()
}

func entry(log LogID, i int, size int) Entry {
	d := make([]byte, size)
	for j := range d {
		d[j] = byte(i + j)
	}
	copy(d, fmt.Sprintf("%d/%d", log, i))
	return Entry{PartitionKey: fmt.Appendf(nil, "pk-%d", i%7), Data: d, Flags: uint8(i)}
}

// appendN appends n records of size bytes to log in batches of batch and
// returns the entries in order.
func (h *harness) appendN(log LogID, start, n, batch, size int) []Entry {
	h.t.Helper()
	var all []Entry
	for i := 0; i < n; i += batch {
		var es []Entry
		for j := i; j < min(n, i+batch); j++ {
			es = append(es, entry(log, start+j, size))
		}
		res, err := h.s.Append(context.Background(), []Batch{{Log: log, Entries: es}})
		if err != nil {
			h.t.Fatalf("Append: %v", err)
		}
		if res[0].Err != nil {
			h.t.Fatalf("Append batch: %v", res[0].Err)
		}
		all = append(all, es...)
	}
	return all
}

// readAll reads a log from `from` to its tail.
func (h *harness) readAll(log LogID, from uint64) []Record {
	h.t.Helper()
	var out []Record
	for {
		res, err := h.s.Read(log, from, 1000, 1<<20)
		if err != nil {
			h.t.Fatalf("Read(%d, %d): %v", log, from, err)
		}
		out = append(out, res.Records...)
		if len(res.Records) == 0 {
			return out
		}
		from = res.Next
	}
}

func sameEntry(r Record, e Entry) bool {
	return bytes.Equal(r.PartitionKey, e.PartitionKey) && bytes.Equal(r.Data, e.Data) &&
		bytes.Equal(r.ExplicitHashKey, e.ExplicitHashKey) && r.Flags == e.Flags
}

func (h *harness) check(log LogID, first uint64, want []Entry) {
	h.t.Helper()
	h.checkAt(log, first, first, want)
}

// checkAt reads from `from` and expects want numbered from first.
func (h *harness) checkAt(log LogID, from, first uint64, want []Entry) {
	h.t.Helper()
	got := h.readAll(log, from)
	if len(got) != len(want) {
		h.t.Fatalf("log %d: read %d records from %d, want %d", log, len(got), first, len(want))
	}
	for i, r := range got {
		if r.Number != first+uint64(i) {
			h.t.Fatalf("log %d: record %d has number %d", log, first+uint64(i), r.Number)
		}
		if !sameEntry(r, want[i]) {
			h.t.Fatalf("log %d: record %d differs: got %q/%d bytes, want %q/%d bytes", log, r.Number, r.PartitionKey, len(r.Data), want[i].PartitionKey, len(want[i].Data))
		}
	}
}

func (h *harness) create(id LogID, ret time.Duration) {
	h.t.Helper()
	if err := h.s.CreateLog(id, LogConfig{Retention: ret}); err != nil {
		h.t.Fatalf("CreateLog(%d): %v", id, err)
	}
}

// abandon stops s as a crash would (no final flush or checkpoint) but
// leaves its files as they are on disk; the directory can then be reopened.
func (s *Store) abandon() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.quit)
		s.wg.Wait()
		s.jw.close()
		s.files.closeAll()
		s.lock.Close()
	})
}
