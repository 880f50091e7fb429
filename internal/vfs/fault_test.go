package vfs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
)

func TestFaultFailNext(t *testing.T) {
	m := NewMem()
	f := NewFault(m)
	w := mustOpen(t, f, "/f", os.O_RDWR|os.O_CREATE)
	mustSyncDir(t, f, "/")

	f.FailNext(OpWrite, 2, nil)
	for i := range 2 {
		n, err := w.Write([]byte("abc"))
		if n != 0 || !errors.Is(err, syscall.EIO) || !errors.Is(err, ErrInjected) {
			t.Fatalf("write %d: n=%d err=%v, want 0, injected EIO", i, n, err)
		}
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Op != "write" || pe.Path != "/f" {
			t.Fatalf("write %d: error %#v is not a PathError naming the op and file", i, err)
		}
	}
	mustWrite(t, w, "abc") // the rule is used up

	f.FailNext(OpSync, 1, syscall.EROFS)
	if err := w.Sync(); !errors.Is(err, syscall.EROFS) {
		t.Fatalf("sync: %v, want EROFS", err)
	}
	// A failed sync did not reach the inner filesystem: nothing is durable.
	wantFile(t, m.CrashClone(), "/f", "")
	mustSync(t, w)
	wantFile(t, m.CrashClone(), "/f", "abc")

	f.FailNext(OpSyncDir|OpRename, 2, nil)
	if err := f.SyncDir("/"); !errors.Is(err, syscall.EIO) {
		t.Fatalf("syncdir: %v", err)
	}
	var le *os.LinkError
	if err := f.Rename("/f", "/g"); !errors.As(err, &le) || !errors.Is(err, ErrInjected) {
		t.Fatalf("rename: %v", err)
	}
	wantFile(t, f, "/f", "abc")
}

func TestFaultRuleMatchAfterPartial(t *testing.T) {
	f := NewFault(NewMem())
	remove := f.Inject(Rule{
		Ops:     OpWrite,
		Match:   func(name string) bool { return strings.HasSuffix(name, ".log") },
		After:   1,
		Times:   1,
		Partial: 4,
	})
	defer remove()
	other := mustOpen(t, f, "/data.idx", os.O_RDWR|os.O_CREATE)
	log := mustOpen(t, f, "/journal.log", os.O_RDWR|os.O_CREATE)
	mustWrite(t, other, "not matched")
	mustWrite(t, log, "first|") // After: let through
	n, err := log.Write([]byte("second|"))
	if n != 4 || !errors.Is(err, syscall.EIO) {
		t.Fatalf("partial write: n=%d err=%v, want 4, EIO", n, err)
	}
	mustWrite(t, log, "third") // Times used up; the offset moved by 4
	wantFile(t, f, "/journal.log", "first|secothird")
	if c := f.Counts("/journal.log"); c.Writes != 3 || c.WriteBytes != 6+4+5 {
		t.Fatalf("counts = %+v", c)
	}

	// A rule with Times 0 fires until removed.
	stop := f.Inject(Rule{Ops: OpRead})
	for range 3 {
		if _, err := log.ReadAt(make([]byte, 1), 0); !errors.Is(err, ErrInjected) {
			t.Fatalf("read: %v", err)
		}
	}
	stop()
	if _, err := log.ReadAt(make([]byte, 1), 0); err != nil {
		t.Fatal(err)
	}

	f.Inject(Rule{Ops: OpOpen | OpRemove | OpMkdir | OpReadDir | OpLock})
	if _, err := f.OpenFile("/x", os.O_RDWR|os.O_CREATE, 0o644); !errors.Is(err, ErrInjected) {
		t.Fatalf("open: %v", err)
	}
	if err := f.Remove("/data.idx"); !errors.Is(err, ErrInjected) {
		t.Fatalf("remove: %v", err)
	}
	if err := f.MkdirAll("/d", 0o755); !errors.Is(err, ErrInjected) {
		t.Fatalf("mkdir: %v", err)
	}
	if _, err := f.ReadDir("/"); !errors.Is(err, ErrInjected) {
		t.Fatalf("readdir: %v", err)
	}
	if _, err := f.Lock("/LOCK"); !errors.Is(err, ErrInjected) {
		t.Fatalf("lock: %v", err)
	}
	f.ClearRules()
	if err := f.Remove("/data.idx"); err != nil {
		t.Fatal(err)
	}
}

func TestFaultCloseAndTruncate(t *testing.T) {
	m := NewMem()
	f := NewFault(m)
	w := mustOpen(t, f, "/f", os.O_RDWR|os.O_CREATE)
	mustWrite(t, w, "abcdef")
	f.FailNext(OpTruncate|OpPunchHole|OpPreallocate, 3, nil)
	for _, err := range []error{w.Truncate(1), w.PunchHole(0, 1), w.Preallocate(0, 10)} {
		if !errors.Is(err, ErrInjected) {
			t.Fatalf("got %v, want injected", err)
		}
	}
	f.FailNext(OpClose, 1, nil)
	if err := w.Close(); !errors.Is(err, ErrInjected) {
		t.Fatalf("close: %v", err)
	}
	if open := m.OpenFiles(); len(open) != 0 {
		t.Fatalf("a failed Close left %v open", open)
	}
}

func TestFaultCountsPerFile(t *testing.T) {
	f := NewFault(NewMem())
	a := mustOpen(t, f, "/a", os.O_RDWR|os.O_CREATE)
	b := mustOpen(t, f, "b", os.O_RDWR|os.O_CREATE)
	for range 3 {
		mustWrite(t, a, "xy")
	}
	mustSync(t, a)
	mustWrite(t, b, "z")
	mustSync(t, b)
	mustSync(t, b)
	mustSyncDir(t, f, "/")
	if _, err := a.ReadAt(make([]byte, 2), 0); err != nil {
		t.Fatal(err)
	}
	if c := f.Counts("/a"); c != (Counts{Reads: 1, Writes: 3, WriteBytes: 6, Syncs: 1}) {
		t.Fatalf("/a counts %+v", c)
	}
	if c := f.Counts("./b"); c != (Counts{Writes: 1, WriteBytes: 1, Syncs: 2}) {
		t.Fatalf("b counts %+v", c)
	}
	if c := f.Counts("/"); c.SyncDirs != 1 {
		t.Fatalf("/ counts %+v", c)
	}
	if c := f.TotalCounts(); c != (Counts{Reads: 1, Writes: 4, WriteBytes: 7, Syncs: 3, SyncDirs: 1}) {
		t.Fatalf("total %+v", c)
	}
	f.ResetCounts()
	if c := f.TotalCounts(); c != (Counts{}) {
		t.Fatalf("after reset %+v", c)
	}
}

// TestFaultHook takes a crash snapshot at an exact point: just before the
// second sync of a file.
func TestFaultHook(t *testing.T) {
	m := NewMem()
	f := NewFault(m)
	var snap *Mem
	syncs := 0
	remove := f.OnOp(OpSync, func(op Op, name string) {
		if syncs++; syncs == 2 {
			snap = m.CrashClone()
		}
	})
	w := mustOpen(t, f, "/f", os.O_RDWR|os.O_CREATE)
	mustSyncDir(t, f, "/")
	mustWrite(t, w, "one|")
	mustSync(t, w)
	mustWrite(t, w, "two|")
	mustSync(t, w)
	remove()
	mustWrite(t, w, "three")
	mustSync(t, w)
	wantFile(t, snap, "/f", "one|")
	if syncs != 2 {
		t.Fatalf("hook ran %d times after removal", syncs-2)
	}
}

func TestFaultSpace(t *testing.T) {
	m := NewMem()
	f := NewFault(m)
	if f.Space() != -1 {
		t.Fatalf("default space = %d, want -1 (unlimited)", f.Space())
	}
	f.SetSpace(10)
	w := mustOpen(t, f, "/a", os.O_RDWR|os.O_CREATE)
	mustWrite(t, w, "0123456")
	// 7 used, 3 free: a 5-byte write lands 3 bytes, then ENOSPC.
	n, err := w.Write([]byte("abcde"))
	if n != 3 || !errors.Is(err, syscall.ENOSPC) || errors.Is(err, ErrInjected) {
		t.Fatalf("write = %d, %v; want 3, ENOSPC (not marked injected)", n, err)
	}
	if f.Space() != 0 {
		t.Fatalf("space = %d", f.Space())
	}
	if n, err := w.Write([]byte("x")); n != 0 || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("write on a full disk = %d, %v", n, err)
	}
	// Overwriting allocated bytes needs no space.
	if _, err := w.WriteAt([]byte("OVER"), 0); err != nil {
		t.Fatalf("overwrite on a full disk: %v", err)
	}
	wantFile(t, f, "/a", "OVER456abc")

	// Truncate gives space back.
	if err := w.Truncate(6); err != nil {
		t.Fatal(err)
	}
	if f.Space() != 4 {
		t.Fatalf("space after truncate = %d, want 4", f.Space())
	}
	// PunchHole gives space back once; refilling the hole costs again.
	if err := w.PunchHole(0, 2); err != nil {
		t.Fatal(err)
	}
	if err := w.PunchHole(0, 2); err != nil {
		t.Fatal(err)
	}
	if f.Space() != 6 {
		t.Fatalf("space after punch = %d, want 6", f.Space())
	}
	if _, err := w.WriteAt([]byte("ab"), 1); err != nil {
		t.Fatal(err)
	}
	if f.Space() != 5 {
		t.Fatalf("space after refilling half the hole = %d, want 5", f.Space())
	}
	// Preallocate is all or nothing.
	if err := w.Preallocate(0, 100); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("preallocate past the budget: %v", err)
	}
	if err := w.Preallocate(6, 5); err != nil {
		t.Fatal(err)
	}
	if f.Space() != 0 {
		t.Fatalf("space after preallocate = %d", f.Space())
	}
	// Writing into preallocated space needs nothing more.
	if _, err := w.WriteAt([]byte("12345"), 6); err != nil {
		t.Fatalf("write into preallocated space: %v", err)
	}
	w.Close()

	// Remove gives back everything the file held.
	if err := f.Remove("/a"); err != nil {
		t.Fatal(err)
	}
	if f.Space() != 10 {
		t.Fatalf("space after remove = %d, want 10", f.Space())
	}

	// Rename over a file frees the replaced one and moves the accounting.
	f.SetSpace(100)
	for _, n := range []string{"/x", "/y"} {
		w := mustOpen(t, f, n, os.O_RDWR|os.O_CREATE)
		mustWrite(t, w, strings.Repeat("z", 20))
		w.Close()
	}
	if err := f.Rename("/x", "/y"); err != nil {
		t.Fatal(err)
	}
	if f.Space() != 80 {
		t.Fatalf("space after rename over = %d, want 80", f.Space())
	}
	if err := f.MkdirAll("/dir/sub", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := f.Rename("/y", "/dir/sub/y"); err != nil {
		t.Fatal(err)
	}
	if err := f.Rename("/dir", "/dir2"); err != nil {
		t.Fatal(err)
	}
	w = mustOpen(t, f, "/dir2/sub/y", os.O_RDWR|os.O_TRUNC)
	w.Close()
	if f.Space() != 100 {
		t.Fatalf("space after O_TRUNC of the moved file = %d, want 100", f.Space())
	}

	// RemoveAll gives back everything below; files already there before the
	// Fault saw them count at their size.
	pre, _ := m.OpenFile("/dir2/pre", os.O_RDWR|os.O_CREATE, 0o644)
	pre.Write(bytes.Repeat([]byte{1}, 30))
	pre.Close()
	w = mustOpen(t, f, "/dir2/sub/new", os.O_RDWR|os.O_CREATE)
	mustWrite(t, w, strings.Repeat("n", 50))
	w.Close()
	if err := f.RemoveAll("/dir2"); err != nil {
		t.Fatal(err)
	}
	if f.Space() != 130 {
		t.Fatalf("space after RemoveAll = %d, want 130", f.Space())
	}

	// Lifting the limit.
	f.SetSpace(-1)
	w = mustOpen(t, f, "/big", os.O_RDWR|os.O_CREATE)
	if _, err := w.Write(make([]byte, 1<<16)); err != nil {
		t.Fatal(err)
	}
}

// TestFaultSpaceOS checks that the budget works the same over the real
// filesystem, append mode included.
func TestFaultSpaceOS(t *testing.T) {
	f := NewFault(OS)
	dir := t.TempDir()
	f.SetSpace(8)
	w := mustOpen(t, f, dir+"/f", os.O_WRONLY|os.O_CREATE|os.O_APPEND)
	defer w.Close()
	mustWrite(t, w, "12345")
	n, err := w.Write([]byte("6789"))
	if n != 3 || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("write = %d, %v", n, err)
	}
	wantFile(t, f, dir+"/f", "12345678")
}

// TestFaultPartialWriteThenCrash is the journal's torn-write scenario: a write
// fails halfway, the process dies; what reached the file but was never
// synced may or may not survive.
func TestFaultPartialWriteThenCrash(t *testing.T) {
	m := NewMem()
	f := NewFault(m)
	w := mustOpen(t, f, "/j", os.O_RDWR|os.O_CREATE)
	mustSyncDir(t, f, "/")
	mustWrite(t, w, "rec1|")
	mustSync(t, w)
	f.Inject(Rule{Ops: OpWrite, Times: 1, Partial: 3})
	if _, err := w.Write([]byte("rec2|")); err == nil {
		t.Fatal("write did not fail")
	}
	got := map[string]bool{}
	for seed := range uint64(32) {
		s, _ := readFile(t, m.CrashCloneWith(CrashOptions{TornTails: true, Seed: seed}), "/j")
		got[s] = true
	}
	for s := range got {
		if s != "rec1|" && s != "rec1|r" && s != "rec1|re" && s != "rec1|rec" {
			t.Fatalf("unexpected post-crash contents %q", s)
		}
	}
	if !got["rec1|"] || !got["rec1|rec"] {
		t.Fatalf("32 seeds did not reach both extremes: %v", got)
	}
}

// TestFaultConcurrent writes through a Fault with a budget from several
// goroutines (run with -race): the budget is never overspent.
func TestFaultConcurrent(t *testing.T) {
	m := NewMem()
	f := NewFault(m)
	const budget = 10000
	f.SetSpace(budget)
	stop := f.OnOp(OpSync, func(Op, string) {})
	defer stop()
	var wg sync.WaitGroup
	written := make([]int64, 4)
	for g := range 4 {
		wg.Go(func() {
			w, err := f.OpenFile(fmt.Sprintf("/f%d", g), os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
			if err != nil {
				t.Error(err)
				return
			}
			defer w.Close()
			for range 200 {
				n, err := w.Write(make([]byte, 17))
				written[g] += int64(n)
				if err != nil && !errors.Is(err, syscall.ENOSPC) {
					t.Error(err)
				}
				w.Sync()
			}
		})
	}
	wg.Wait()
	var total int64
	for g, n := range written {
		total += n
		if fi, err := m.Stat(fmt.Sprintf("/f%d", g)); err != nil || fi.Size() != n {
			t.Fatalf("f%d: size %v, wrote %d (%v)", g, fi.Size(), n, err)
		}
	}
	if total != budget || f.Space() != 0 {
		t.Fatalf("wrote %d with a budget of %d; %d left", total, budget, f.Space())
	}
	if c := f.TotalCounts(); c.Syncs != 800 || c.Writes != 800 || c.WriteBytes != budget {
		t.Fatalf("counts %+v", c)
	}
}

// TestFaultLoseUnsynced models fsync after a writeback error: retrying the
// sync "succeeds" but the data written before the failure is not durable.
func TestFaultLoseUnsynced(t *testing.T) {
	m := NewMem()
	f := NewFault(m)
	w := mustOpen(t, f, "/j", os.O_RDWR|os.O_CREATE|os.O_APPEND)
	mustSyncDir(t, f, "/")
	mustWrite(t, w, "ok|")
	mustSync(t, w)
	// A block-sized record, so the next one starts in a block of its own.
	lost := strings.Repeat("L", MemBlockSize-3)
	mustWrite(t, w, lost)
	f.Inject(Rule{Ops: OpSync, Times: 1, LoseUnsynced: true})
	if err := w.Sync(); !errors.Is(err, syscall.EIO) {
		t.Fatalf("sync: %v", err)
	}
	// Still readable before a crash.
	wantFile(t, f, "/j", "ok|"+lost)
	// Retrying the sync reports success but makes nothing durable.
	mustSync(t, w)
	wantFile(t, m.CrashClone(), "/j", "ok|")
	// Data written after the failure is made durable by the next sync; the
	// lost bytes below it come back as zeros.
	mustWrite(t, w, "after")
	mustSync(t, w)
	wantFile(t, m.CrashClone(), "/j", "ok|"+strings.Repeat("\x00", len(lost))+"after")
	if s := (OpWrite | OpSync).String(); s != "write|sync" {
		t.Fatalf("Op.String() = %q", s)
	}
}
