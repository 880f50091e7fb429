package vfs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"syscall"
	"testing"
)

func TestMemDiskUsage(t *testing.T) {
	const bs = MemBlockSize
	m := NewMem()
	if m.DiskUsage() != 0 {
		t.Fatalf("empty usage %d", m.DiskUsage())
	}
	f := mustOpen(t, m, "/seg", os.O_RDWR|os.O_CREATE)
	if _, err := f.Write(make([]byte, 10*bs)); err != nil {
		t.Fatal(err)
	}
	if got := m.DiskUsage(); got != 10*bs {
		t.Fatalf("usage %d, want %d", got, 10*bs)
	}
	// Punching frees whole blocks only; the partial ends are zeroed.
	if err := f.PunchHole(100, 4*bs); err != nil {
		t.Fatal(err)
	}
	if got, want := m.PunchedBytes(), int64(3*bs); got != want {
		t.Fatalf("punched %d, want %d", got, want)
	}
	if got := m.DiskUsage(); got != 7*bs {
		t.Fatalf("usage after punch %d, want %d", got, 7*bs)
	}
	// Punching a hole again frees nothing more.
	if err := f.PunchHole(bs, 3*bs); err != nil {
		t.Fatal(err)
	}
	if m.PunchedBytes() != 3*bs {
		t.Fatalf("punched %d after re-punch", m.PunchedBytes())
	}
	// Sparse: writing far past the end allocates only the written block.
	if _, err := f.WriteAt([]byte("x"), 100*bs); err != nil {
		t.Fatal(err)
	}
	if got := m.DiskUsage(); got != 8*bs {
		t.Fatalf("usage after sparse write %d, want %d", got, 8*bs)
	}
	// Preallocation counts, without changing the size.
	if err := f.Preallocate(200*bs, 2*bs); err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	if m.DiskUsage() != 10*bs || fi.Size() != 100*bs+1 {
		t.Fatalf("after preallocate: usage %d size %d", m.DiskUsage(), fi.Size())
	}
	// Truncate frees everything past the new end, preallocation included.
	if err := f.Truncate(5 * bs); err != nil {
		t.Fatal(err)
	}
	if got := m.DiskUsage(); got != 2*bs { // blocks 0 and 4 survived the punch
		t.Fatalf("usage after truncate %d, want %d", got, 2*bs)
	}
	// A removed file still open holds its space until closed.
	if err := m.Remove("/seg"); err != nil {
		t.Fatal(err)
	}
	if got := m.DiskUsage(); got != 2*bs {
		t.Fatalf("usage of an open removed file %d", got)
	}
	f.Close()
	if got := m.DiskUsage(); got != 0 {
		t.Fatalf("usage after close %d", got)
	}
}

func TestMemLimitsAndMisuse(t *testing.T) {
	m := NewMem()
	f := mustOpen(t, m, "/f", os.O_RDWR|os.O_CREATE)
	defer f.Close()
	if _, err := f.WriteAt([]byte("x"), MemMaxFileSize); !errors.Is(err, syscall.EFBIG) {
		t.Fatalf("write past the max size: %v", err)
	}
	if _, err := f.WriteAt([]byte("x"), 1<<62); !errors.Is(err, syscall.EFBIG) {
		t.Fatalf("write at a huge offset: %v", err)
	}
	if err := f.Truncate(MemMaxFileSize + 1); !errors.Is(err, syscall.EFBIG) {
		t.Fatalf("truncate past the max size: %v", err)
	}
	if err := f.Preallocate(1<<62, 1<<62); !errors.Is(err, syscall.EFBIG) {
		t.Fatalf("huge preallocate: %v", err)
	}
	if err := f.PunchHole(1<<62, 1<<62); err != nil {
		t.Fatalf("punching nothing: %v", err)
	}
	if _, err := f.Seek(0, 7); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("bad whence: %v", err)
	}
	if err := m.Remove("/"); err == nil {
		t.Fatal("removed the root")
	}
	if err := m.RemoveAll("/"); err == nil {
		t.Fatal("removed all from the root")
	}
	if err := m.Rename("/", "/x"); err == nil {
		t.Fatal("renamed the root")
	}
	if err := m.SyncDir("/f"); !errors.Is(err, syscall.ENOTDIR) {
		t.Fatalf("SyncDir of a file: %v", err)
	}
	d := mustOpen(t, m, "/", os.O_RDONLY)
	if _, err := d.Read(make([]byte, 1)); !errors.Is(err, syscall.EISDIR) {
		t.Fatalf("read of a directory: %v", err)
	}
	d.Close()
	if got := m.OpenFiles(); len(got) != 1 || got[0] != "/f" {
		t.Fatalf("open files %v", got)
	}
}

// TestMemRelativeNames: relative names resolve against the root.
func TestMemRelativeNames(t *testing.T) {
	m := NewMem()
	mustMkdir(t, m, "a/b")
	f := mustOpen(t, m, "a/b/../b/f", os.O_RDWR|os.O_CREATE)
	mustWrite(t, f, "x")
	f.Close()
	wantFile(t, m, "/a/b/f", "x")
	if f.Name() != "a/b/../b/f" {
		t.Fatalf("Name() = %q, want the name as opened", f.Name())
	}
}

// TestMemMatchesModel runs random operations against a Mem file and a plain
// byte slice, syncing and crashing at random, and compares the contents.
func TestMemMatchesModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := NewMem()
	f := mustOpen(t, m, "/f", os.O_RDWR|os.O_CREATE)
	mustSyncDir(t, m, "/")
	var cur, durable []byte
	// Block-aligned values half the time: the edge cases live there.
	pick := func(n int) int {
		v := rng.IntN(n)
		if rng.IntN(2) == 0 {
			v -= v % MemBlockSize
		}
		return v
	}
	grow := func(b []byte, n int) []byte {
		if n > len(b) {
			b = append(b, make([]byte, n-len(b))...)
		}
		return b
	}
	for i := range 5000 {
		switch op := rng.IntN(10); {
		case op < 4:
			off := pick(6 * MemBlockSize)
			p := make([]byte, pick(2*MemBlockSize))
			for j := range p {
				p[j] = byte(rng.IntN(255) + 1)
			}
			if _, err := f.WriteAt(p, int64(off)); err != nil {
				t.Fatal(err)
			}
			if len(p) > 0 {
				cur = grow(cur, off+len(p))
				copy(cur[off:], p)
			}
		case op == 4:
			size := pick(7 * MemBlockSize)
			if err := f.Truncate(int64(size)); err != nil {
				t.Fatal(err)
			}
			if size < len(cur) {
				cur = cur[:size]
			} else {
				cur = grow(cur, size)
			}
		case op == 5:
			off, n := pick(6*MemBlockSize), pick(3*MemBlockSize)+MemBlockSize
			if err := f.PunchHole(int64(off), int64(n)); err != nil {
				t.Fatal(err)
			}
			if off < len(cur) {
				clear(cur[off:min(len(cur), off+n)])
			}
		case op == 6:
			if err := f.Preallocate(int64(rng.IntN(8*MemBlockSize)), int64(rng.IntN(MemBlockSize)+1)); err != nil {
				t.Fatal(err)
			}
		case op < 9:
			mustSync(t, f)
			durable = bytes.Clone(cur)
		default:
			if rng.IntN(2) == 0 {
				m.Crash()
			} else {
				m = m.CrashClone()
			}
			f = mustOpen(t, m, "/f", os.O_RDWR)
			cur = bytes.Clone(durable)
		}
		got, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<30))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, cur) {
			t.Fatalf("step %d: contents differ from the model (len %d vs %d)", i, len(got), len(cur))
		}
	}
}

// TestMemConcurrent hammers one Mem from several goroutines (run with -race).
func TestMemConcurrent(t *testing.T) {
	m := NewMem()
	mustMkdir(t, m, "/d")
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			name := fmt.Sprintf("/d/f%d", g)
			for i := range 200 {
				f, err := m.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
				if err != nil {
					t.Error(err)
					return
				}
				f.Write([]byte("record"))
				if i%10 == 0 {
					f.Sync()
					m.SyncDir("/d")
					m.CrashClone()
				}
				f.Close()
				m.ReadDir("/d")
				m.DiskUsage()
			}
		})
	}
	wg.Wait()
	for g := range 4 {
		fi, err := m.Stat(fmt.Sprintf("/d/f%d", g))
		if err != nil || fi.Size() != 200*6 {
			t.Fatalf("f%d: %v, %v", g, fi, err)
		}
	}
}

func BenchmarkMemAppendSync(b *testing.B) {
	for _, size := range []int{100, 4096} {
		b.Run(fmt.Sprintf("record=%d", size), func(b *testing.B) {
			m := NewMem()
			f, _ := m.OpenFile("/j", os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
			p := make([]byte, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				f.Write(p)
				f.Sync()
			}
		})
	}
}
