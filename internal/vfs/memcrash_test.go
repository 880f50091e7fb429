package vfs

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"testing"
)

// helpers shared by the Mem and Fault tests.

func mustOpen(t *testing.T, fsys FS, name string, flag int) File {
	t.Helper()
	f, err := fsys.OpenFile(name, flag, 0o644)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	return f
}

func mustWrite(t *testing.T, f File, s string) {
	t.Helper()
	if n, err := f.Write([]byte(s)); err != nil || n != len(s) {
		t.Fatalf("write %s: n=%d err=%v", f.Name(), n, err)
	}
}

func mustSync(t *testing.T, f File) {
	t.Helper()
	if err := f.Sync(); err != nil {
		t.Fatalf("sync %s: %v", f.Name(), err)
	}
}

func mustSyncDir(t *testing.T, fsys FS, name string) {
	t.Helper()
	if err := fsys.SyncDir(name); err != nil {
		t.Fatalf("syncdir %s: %v", name, err)
	}
}

func mustMkdir(t *testing.T, fsys FS, name string) {
	t.Helper()
	if err := fsys.MkdirAll(name, 0o755); err != nil {
		t.Fatal(err)
	}
}

// readFile returns the contents of name, or reports that it does not exist.
func readFile(t *testing.T, fsys FS, name string) (string, bool) {
	t.Helper()
	f, err := fsys.OpenFile(name, os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return "", false
	}
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return string(b), true
}

func wantFile(t *testing.T, fsys FS, name, want string) {
	t.Helper()
	got, ok := readFile(t, fsys, name)
	if !ok {
		t.Fatalf("%s: missing, want %q", name, want)
	}
	if got != want {
		t.Fatalf("%s = %q, want %q", name, got, want)
	}
}

func wantMissing(t *testing.T, fsys FS, name string) {
	t.Helper()
	if got, ok := readFile(t, fsys, name); ok {
		t.Fatalf("%s exists (%q), want missing", name, got)
	}
}

// TestCrashStrict walks through what survives the strict model.
func TestCrashStrict(t *testing.T) {
	m := NewMem()
	mustMkdir(t, m, "/d")
	mustSyncDir(t, m, "/")

	// Synced data in a synced directory survives; the unsynced rest does not.
	f := mustOpen(t, m, "/d/a", os.O_RDWR|os.O_CREATE)
	mustWrite(t, f, "hello")
	mustSync(t, f)
	mustWrite(t, f, " world")
	mustSyncDir(t, m, "/d")

	// A file in a directory that is durable but never synced survives empty.
	h := mustOpen(t, m, "/d/c", os.O_RDWR|os.O_CREATE)
	mustSyncDir(t, m, "/d")
	mustWrite(t, h, "unsynced")

	// Synced data whose directory entry was never synced does not survive.
	g := mustOpen(t, m, "/d/b", os.O_RDWR|os.O_CREATE)
	mustWrite(t, g, "lost")
	mustSync(t, g)

	c := m.CrashClone()
	wantFile(t, c, "/d/a", "hello")
	wantMissing(t, c, "/d/b")
	wantFile(t, c, "/d/c", "")

	// The original is untouched by CrashClone.
	wantFile(t, m, "/d/a", "hello world")
	wantFile(t, m, "/d/b", "lost")

	// In-place crash: the same result, and handles die.
	m.Crash()
	wantFile(t, m, "/d/a", "hello")
	wantMissing(t, m, "/d/b")
	if _, err := f.Write([]byte("x")); !errors.Is(err, ErrCrashed) {
		t.Fatalf("write after crash: %v, want ErrCrashed", err)
	}
	if _, err := f.ReadAt(make([]byte, 1), 0); !errors.Is(err, ErrCrashed) {
		t.Fatalf("read after crash: %v, want ErrCrashed", err)
	}
	if err := f.Close(); err != nil {
		t.Fatalf("close after crash: %v", err)
	}
	if n := len(m.OpenFiles()); n != 0 {
		t.Fatalf("open files after crash: %d", n)
	}
}

func TestCrashDirectoryEntries(t *testing.T) {
	m := NewMem()
	f := mustOpen(t, m, "/old", os.O_RDWR|os.O_CREATE)
	mustWrite(t, f, "v1")
	mustSync(t, f)
	f.Close()
	mustSyncDir(t, m, "/")

	// An unsynced remove is undone by a crash.
	if err := m.Remove("/old"); err != nil {
		t.Fatal(err)
	}
	wantFile(t, m.CrashClone(), "/old", "v1")

	// Write-to-temp then rename: until the directory is synced the crash
	// shows the old state; after, the new one.
	tmp := mustOpen(t, m, "/new.tmp", os.O_RDWR|os.O_CREATE)
	mustWrite(t, tmp, "v2")
	mustSync(t, tmp)
	tmp.Close()
	if err := m.Rename("/new.tmp", "/old"); err != nil {
		t.Fatal(err)
	}
	c := m.CrashClone()
	wantFile(t, c, "/old", "v1")
	wantMissing(t, c, "/new.tmp")
	mustSyncDir(t, m, "/")
	c = m.CrashClone()
	wantFile(t, c, "/old", "v2")
	wantMissing(t, c, "/new.tmp")

	// A directory made by MkdirAll is lost with its contents unless its
	// parent is synced; syncing the parent alone keeps it but empty.
	mustMkdir(t, m, "/x/y")
	g := mustOpen(t, m, "/x/y/f", os.O_RDWR|os.O_CREATE)
	mustWrite(t, g, "data")
	mustSync(t, g)
	mustSyncDir(t, m, "/x/y")
	c = m.CrashClone()
	if _, err := c.Stat("/x"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stat /x after crash: %v, want not exist", err)
	}
	mustSyncDir(t, m, "/")
	c = m.CrashClone()
	if _, err := c.Stat("/x/y"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stat /x/y after crash: %v, want not exist", err)
	}
	mustSyncDir(t, m, "/x")
	wantFile(t, m.CrashClone(), "/x/y/f", "data")
}

func TestCrashCrossDirectoryRename(t *testing.T) {
	m := NewMem()
	mustMkdir(t, m, "/a")
	mustMkdir(t, m, "/b")
	f := mustOpen(t, m, "/a/f", os.O_RDWR|os.O_CREATE)
	mustWrite(t, f, "x")
	mustSync(t, f)
	mustSyncDir(t, m, "/a")
	mustSyncDir(t, m, "/")
	if err := m.Rename("/a/f", "/b/f"); err != nil {
		t.Fatal(err)
	}
	mustSyncDir(t, m, "/b")
	// Only the destination was synced: the file is durable in both places
	// (a strict model gives no atomicity across directories).
	c := m.CrashClone()
	wantFile(t, c, "/a/f", "x")
	wantFile(t, c, "/b/f", "x")

	// Directories moved back and forth without syncing every parent must not
	// come back as a cycle or as a directory with two parents.
	mustMkdir(t, m, "/x")
	mustMkdir(t, m, "/y")
	mustSyncDir(t, m, "/")
	if err := m.Rename("/x", "/y/x"); err != nil {
		t.Fatal(err)
	}
	mustSyncDir(t, m, "/y")
	if err := m.Rename("/y/x", "/x"); err != nil {
		t.Fatal(err)
	}
	if err := m.Rename("/y", "/x/y"); err != nil {
		t.Fatal(err)
	}
	mustSyncDir(t, m, "/x")
	c = m.CrashClone()
	seen := 0
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		if depth > 10 {
			t.Fatalf("directory cycle under %s", dir)
		}
		ents, err := c.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if e.IsDir() {
				seen++
				walk(dir+"/"+e.Name(), depth+1)
			}
		}
	}
	walk("/", 0)
	if seen != 4 { // a, b, x, y once each
		t.Fatalf("saw %d directories after crash, want 4", seen)
	}
	if err := c.RemoveAll("/x"); err != nil {
		t.Fatal(err)
	}
}

func TestCrashTornTails(t *testing.T) {
	m := NewMem()
	f := mustOpen(t, m, "/log", os.O_RDWR|os.O_CREATE)
	mustSyncDir(t, m, "/")
	mustWrite(t, f, "durable|")
	mustSync(t, f)
	tail := bytes.Repeat([]byte("0123456789"), 1000) // spans several blocks
	if _, err := f.Write(tail); err != nil {
		t.Fatal(err)
	}
	lengths := map[int]bool{}
	for seed := range uint64(64) {
		c := m.CrashCloneWith(CrashOptions{TornTails: true, Seed: seed})
		got, _ := readFile(t, c, "/log")
		if len(got) < 8 || got[:8] != "durable|" {
			t.Fatalf("seed %d: durable prefix lost: %q", seed, got[:min(len(got), 20)])
		}
		if rest := got[8:]; !bytes.HasPrefix(tail, []byte(rest)) {
			t.Fatalf("seed %d: tail is not a prefix of what was written", seed)
		}
		lengths[len(got)] = true
		// Repeatable.
		again, _ := readFile(t, m.CrashCloneWith(CrashOptions{TornTails: true, Seed: seed}), "/log")
		if again != got {
			t.Fatalf("seed %d: not deterministic", seed)
		}
		// The tail that survived is durable in the clone.
		wantFile(t, c.CrashClone(), "/log", got)
	}
	if len(lengths) < 32 {
		t.Fatalf("only %d distinct torn lengths over 64 seeds", len(lengths))
	}

	zeroSeen := false
	for seed := range uint64(64) {
		c := m.CrashCloneWith(CrashOptions{TornTails: true, ZeroTails: true, Seed: seed})
		got, _ := readFile(t, c, "/log")
		rest := []byte(got[8:])
		i := 0
		for i < len(rest) && rest[i] == tail[i] {
			i++
		}
		if i < len(rest) {
			zeroSeen = true
			if bytes.ContainsFunc(rest[i:], func(r rune) bool { return r != 0 }) {
				t.Fatalf("seed %d: torn tail is neither data nor zeros", seed)
			}
		}
	}
	if !zeroSeen {
		t.Fatal("ZeroTails never produced zeros")
	}

	// Overwrites below the durable size are lost even with torn tails.
	if _, err := f.WriteAt([]byte("DURABLE"), 0); err != nil {
		t.Fatal(err)
	}
	got, _ := readFile(t, m.CrashCloneWith(CrashOptions{TornTails: true, Seed: 1}), "/log")
	if got[:8] != "durable|" {
		t.Fatalf("unsynced overwrite survived: %q", got[:8])
	}
}

func TestCrashLocksReleased(t *testing.T) {
	m := NewMem()
	l, err := m.Lock("/data/LOCK")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lock("/data/LOCK"); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: %v, want ErrLocked", err)
	}
	m.Crash()
	l2, err := m.Lock("/data/LOCK")
	if err != nil {
		t.Fatalf("lock after crash: %v", err)
	}
	// Closing the dead lock must not release the new holder.
	l.Close()
	if _, err := m.Lock("/data/LOCK"); !errors.Is(err, ErrLocked) {
		t.Fatalf("lock while held after crash: %v, want ErrLocked", err)
	}
	if err := l2.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCrashSharesPagesSafely checks that a clone and its source can both be
// written after the clone was taken without seeing each other's writes.
func TestCrashSharesPagesSafely(t *testing.T) {
	m := NewMem()
	f := mustOpen(t, m, "/f", os.O_RDWR|os.O_CREATE)
	mustSyncDir(t, m, "/")
	mustWrite(t, f, "aaaa")
	mustSync(t, f)
	c := m.CrashClone()
	g := mustOpen(t, c, "/f", os.O_RDWR)
	if _, err := g.WriteAt([]byte("bb"), 0); err != nil {
		t.Fatal(err)
	}
	mustSync(t, g)
	if _, err := f.WriteAt([]byte("cc"), 2); err != nil {
		t.Fatal(err)
	}
	wantFile(t, m, "/f", "aacc")
	wantFile(t, c, "/f", "bbaa")
	wantFile(t, m.CrashClone(), "/f", "aaaa")
}
