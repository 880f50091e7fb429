package vfs

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// fsUnderTest makes a fresh filesystem and a directory in it to work in.
type fsUnderTest struct {
	name string
	make func(t *testing.T) (FS, string)
}

func allFS() []fsUnderTest {
	return []fsUnderTest{
		{"os", func(t *testing.T) (FS, string) { return OS, t.TempDir() }},
		{"mem", func(t *testing.T) (FS, string) {
			m := NewMem()
			if err := m.MkdirAll("/work", 0o755); err != nil {
				t.Fatal(err)
			}
			return m, "/work"
		}},
		{"fault-os", func(t *testing.T) (FS, string) { return NewFault(OS), t.TempDir() }},
		{"fault-mem", func(t *testing.T) (FS, string) {
			m := NewMem()
			if err := m.MkdirAll("/work", 0o755); err != nil {
				t.Fatal(err)
			}
			f := NewFault(m)
			f.SetSpace(1 << 30) // accounting on, never short
			return f, "/work"
		}},
	}
}

// TestConformance runs the same checks of ordinary (non-crash) behaviour over
// every filesystem so that code tested on Mem behaves the same on OS.
func TestConformance(t *testing.T) {
	for _, u := range allFS() {
		t.Run("fs="+u.name, func(t *testing.T) {
			for _, c := range conformanceCases {
				t.Run(c.name, func(t *testing.T) {
					fsys, dir := u.make(t)
					c.run(t, fsys, dir)
				})
			}
		})
	}
}

var conformanceCases = []struct {
	name string
	run  func(t *testing.T, fsys FS, dir string)
}{
	{"open-missing", func(t *testing.T, fsys FS, dir string) {
		_, err := fsys.OpenFile(filepath.Join(dir, "nope"), os.O_RDONLY, 0)
		wantErr(t, err, fs.ErrNotExist)
		_, err = fsys.OpenFile(filepath.Join(dir, "nodir", "f"), os.O_RDWR|os.O_CREATE, 0o644)
		wantErr(t, err, fs.ErrNotExist)
		_, err = fsys.Stat(filepath.Join(dir, "nope"))
		wantErr(t, err, fs.ErrNotExist)
		wantErr(t, fsys.Remove(filepath.Join(dir, "nope")), fs.ErrNotExist)
		if err := fsys.RemoveAll(filepath.Join(dir, "nope")); err != nil {
			t.Fatalf("RemoveAll of a missing name: %v", err)
		}
		_, err = fsys.ReadDir(filepath.Join(dir, "nope"))
		wantErr(t, err, fs.ErrNotExist)
		// The empty name names nothing.
		_, err = fsys.OpenFile("", os.O_RDONLY, 0)
		wantErr(t, err, fs.ErrNotExist)
		_, err = fsys.Stat("")
		wantErr(t, err, fs.ErrNotExist)
		wantErr(t, fsys.MkdirAll("", 0o755), fs.ErrNotExist)
		wantErr(t, fsys.Remove(""), fs.ErrNotExist)
		if err := fsys.RemoveAll(""); err != nil {
			t.Fatalf("RemoveAll(\"\"): %v", err)
		}
	}},
	{"excl", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		f := mustOpen(t, fsys, name, os.O_RDWR|os.O_CREATE|os.O_EXCL)
		f.Close()
		_, err := fsys.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		wantErr(t, err, fs.ErrExist)
		_, err = fsys.OpenFile(dir, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o755)
		wantErr(t, err, fs.ErrExist)
	}},
	{"read-write-seek", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		f := mustOpen(t, fsys, name, os.O_RDWR|os.O_CREATE)
		defer f.Close()
		if f.Name() != name {
			t.Fatalf("Name() = %q, want %q", f.Name(), name)
		}
		mustWrite(t, f, "hello world")
		if pos, err := f.Seek(0, io.SeekCurrent); err != nil || pos != 11 {
			t.Fatalf("Seek(0, cur) = %d, %v", pos, err)
		}
		if pos, err := f.Seek(-5, io.SeekEnd); err != nil || pos != 6 {
			t.Fatalf("Seek(-5, end) = %d, %v", pos, err)
		}
		buf := make([]byte, 10)
		if n, err := f.Read(buf); err != nil || string(buf[:n]) != "world" {
			t.Fatalf("Read = %q, %v", buf[:n], err)
		}
		if n, err := f.Read(buf); n != 0 || err != io.EOF {
			t.Fatalf("Read at EOF = %d, %v; want 0, io.EOF", n, err)
		}
		if n, err := f.Read(nil); n != 0 || err != nil {
			t.Fatalf("Read(nil) = %d, %v", n, err)
		}
		if _, err := f.Seek(-1, io.SeekStart); !errors.Is(err, syscall.EINVAL) {
			t.Fatalf("Seek(-1) = %v, want EINVAL", err)
		}
		// Seek past the end and write: the gap reads as zeros.
		if _, err := f.Seek(13, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		mustWrite(t, f, "!")
		wantFile(t, fsys, name, "hello world\x00\x00!")
		if fi, err := f.Stat(); err != nil || fi.Size() != 14 || fi.Name() != "f" || fi.IsDir() {
			t.Fatalf("Stat = %v, %v", fi, err)
		}
	}},
	{"readat-writeat", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		f := mustOpen(t, fsys, name, os.O_RDWR|os.O_CREATE)
		defer f.Close()
		if _, err := f.WriteAt([]byte("abc"), 5); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 8)
		if n, err := f.ReadAt(buf, 0); n != 8 || err != nil || string(buf) != "\x00\x00\x00\x00\x00abc" {
			t.Fatalf("ReadAt = %d %v %q", n, err, buf)
		}
		if n, err := f.ReadAt(buf, 6); n != 2 || err != io.EOF || string(buf[:n]) != "bc" {
			t.Fatalf("ReadAt over EOF = %d, %v, %q; want 2, io.EOF", n, err, buf[:n])
		}
		if n, err := f.ReadAt(buf, 100); n != 0 || err != io.EOF {
			t.Fatalf("ReadAt past EOF = %d, %v; want 0, io.EOF", n, err)
		}
		if _, err := f.ReadAt(buf, -1); err == nil {
			t.Fatal("ReadAt(-1) succeeded")
		}
		if _, err := f.WriteAt(buf, -1); err == nil {
			t.Fatal("WriteAt(-1) succeeded")
		}
		// WriteAt does not move the offset.
		if pos, _ := f.Seek(0, io.SeekCurrent); pos != 0 {
			t.Fatalf("offset after WriteAt = %d", pos)
		}
		// A large write spanning blocks reads back.
		big := bytes.Repeat([]byte("0123456789abcdef"), 1000)
		if _, err := f.WriteAt(big, 4000); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(big))
		if _, err := f.ReadAt(got, 4000); err != nil || !bytes.Equal(got, big) {
			t.Fatalf("big ReadAt: %v", err)
		}
	}},
	{"append", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		f := mustOpen(t, fsys, name, os.O_WRONLY|os.O_CREATE)
		mustWrite(t, f, "0123456789")
		f.Close()
		f = mustOpen(t, fsys, name, os.O_WRONLY|os.O_APPEND)
		defer f.Close()
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		mustWrite(t, f, "ab") // O_APPEND writes go to the end whatever the offset
		if _, err := f.WriteAt([]byte("x"), 0); err == nil {
			t.Fatal("WriteAt on an O_APPEND file succeeded")
		}
		wantFile(t, fsys, name, "0123456789ab")
	}},
	{"trunc", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		f := mustOpen(t, fsys, name, os.O_WRONLY|os.O_CREATE)
		mustWrite(t, f, "0123456789")
		f.Close()
		f = mustOpen(t, fsys, name, os.O_RDWR|os.O_TRUNC)
		mustWrite(t, f, "ab")
		f.Close()
		wantFile(t, fsys, name, "ab")

		f = mustOpen(t, fsys, name, os.O_RDWR)
		defer f.Close()
		mustWrite(t, f, "abcdef")
		if err := f.Truncate(3); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(5); err != nil { // regrowing shows zeros, not old bytes
			t.Fatal(err)
		}
		wantFile(t, fsys, name, "abc\x00\x00")
		if err := f.Truncate(-1); err == nil {
			t.Fatal("Truncate(-1) succeeded")
		}
	}},
	{"access-mode", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		f := mustOpen(t, fsys, name, os.O_WRONLY|os.O_CREATE)
		mustWrite(t, f, "data")
		if _, err := f.Read(make([]byte, 1)); !errors.Is(err, syscall.EBADF) {
			t.Fatalf("Read on O_WRONLY: %v, want EBADF", err)
		}
		f.Close()
		r := mustOpen(t, fsys, name, os.O_RDONLY)
		defer r.Close()
		if _, err := r.Write([]byte("x")); !errors.Is(err, syscall.EBADF) {
			t.Fatalf("Write on O_RDONLY: %v, want EBADF", err)
		}
		if err := r.Truncate(0); err == nil {
			t.Fatal("Truncate on O_RDONLY succeeded")
		}
		mustSync(t, r) // syncing a read-only handle is allowed
	}},
	{"closed", func(t *testing.T, fsys FS, dir string) {
		f := mustOpen(t, fsys, filepath.Join(dir, "f"), os.O_RDWR|os.O_CREATE)
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		wantErr(t, f.Close(), fs.ErrClosed)
		_, err := f.Write([]byte("x"))
		wantErr(t, err, fs.ErrClosed)
		wantErr(t, f.Sync(), fs.ErrClosed)
	}},
	{"directories", func(t *testing.T, fsys FS, dir string) {
		mustMkdir(t, fsys, filepath.Join(dir, "a", "b", "c"))
		mustMkdir(t, fsys, filepath.Join(dir, "a", "b")) // exists: fine
		for _, n := range []string{"z", "m", "a0"} {
			mustOpen(t, fsys, filepath.Join(dir, "a", n), os.O_RDWR|os.O_CREATE).Close()
		}
		ents, err := fsys.ReadDir(filepath.Join(dir, "a"))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		if !slices.Equal(names, []string{"a0", "b", "m", "z"}) {
			t.Fatalf("ReadDir = %v", names)
		}
		if !ents[1].IsDir() || ents[0].IsDir() {
			t.Fatal("ReadDir IsDir wrong")
		}
		fi, err := fsys.Stat(filepath.Join(dir, "a", "b"))
		if err != nil || !fi.IsDir() || fi.Name() != "b" {
			t.Fatalf("Stat dir = %v, %v", fi, err)
		}
		// Remove refuses a non-empty directory; RemoveAll does not.
		wantErr(t, fsys.Remove(filepath.Join(dir, "a", "b")), syscall.ENOTEMPTY)
		if err := fsys.Remove(filepath.Join(dir, "a", "b", "c")); err != nil {
			t.Fatal(err)
		}
		if err := fsys.RemoveAll(filepath.Join(dir, "a")); err != nil {
			t.Fatal(err)
		}
		_, err = fsys.Stat(filepath.Join(dir, "a"))
		wantErr(t, err, fs.ErrNotExist)
		// A file in the way.
		mustOpen(t, fsys, filepath.Join(dir, "file"), os.O_RDWR|os.O_CREATE).Close()
		wantErr(t, fsys.MkdirAll(filepath.Join(dir, "file", "sub"), 0o755), syscall.ENOTDIR)
		_, err = fsys.Stat(filepath.Join(dir, "file", "sub"))
		wantErr(t, err, syscall.ENOTDIR)
		_, err = fsys.ReadDir(filepath.Join(dir, "file"))
		wantErr(t, err, syscall.ENOTDIR)
		// Directories open read-only, never for writing.
		_, err = fsys.OpenFile(dir, os.O_RDWR, 0)
		wantErr(t, err, syscall.EISDIR)
		d := mustOpen(t, fsys, dir, os.O_RDONLY)
		mustSync(t, d)
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		mustSyncDir(t, fsys, dir)
	}},
	{"rename", func(t *testing.T, fsys FS, dir string) {
		a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
		f := mustOpen(t, fsys, a, os.O_RDWR|os.O_CREATE)
		mustWrite(t, f, "A")
		g := mustOpen(t, fsys, b, os.O_RDWR|os.O_CREATE)
		mustWrite(t, g, "B")
		g.Close()
		// Over an existing file: replaced, and the open handle follows the file.
		if err := fsys.Rename(a, b); err != nil {
			t.Fatal(err)
		}
		mustWrite(t, f, "2")
		f.Close()
		wantFile(t, fsys, b, "A2")
		wantMissing(t, fsys, a)
		wantErr(t, fsys.Rename(a, b), fs.ErrNotExist)
		// Onto a directory: refused (os.Rename on Unix).
		mustMkdir(t, fsys, filepath.Join(dir, "d"))
		wantErr(t, fsys.Rename(b, filepath.Join(dir, "d")), fs.ErrExist)
		// A directory into itself: refused.
		wantErr(t, fsys.Rename(filepath.Join(dir, "d"), filepath.Join(dir, "d", "e")), syscall.EINVAL)
		// Moving a directory moves its contents.
		if err := fsys.Rename(b, filepath.Join(dir, "d", "b")); err != nil {
			t.Fatal(err)
		}
		if err := fsys.Rename(filepath.Join(dir, "d"), filepath.Join(dir, "e")); err != nil {
			t.Fatal(err)
		}
		wantFile(t, fsys, filepath.Join(dir, "e", "b"), "A2")
		// Onto itself: nothing happens.
		if err := fsys.Rename(filepath.Join(dir, "e", "b"), filepath.Join(dir, "e", "b")); err != nil {
			t.Fatal(err)
		}
		wantFile(t, fsys, filepath.Join(dir, "e", "b"), "A2")
	}},
	{"open-after-remove", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		f := mustOpen(t, fsys, name, os.O_RDWR|os.O_CREATE)
		defer f.Close()
		mustWrite(t, f, "still here")
		if err := fsys.Remove(name); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 10)
		if _, err := f.ReadAt(buf, 0); err != nil || string(buf) != "still here" {
			t.Fatalf("read after remove: %q %v", buf, err)
		}
		wantMissing(t, fsys, name)
	}},
	{"lock", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "sub", "LOCK")
		l, err := fsys.Lock(name)
		if err != nil {
			t.Fatal(err)
		}
		_, err = fsys.Lock(name)
		wantErr(t, err, ErrLocked)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		l, err = fsys.Lock(name)
		if err != nil {
			t.Fatalf("lock after release: %v", err)
		}
		l.Close()
		if _, err := fsys.Stat(name); err != nil {
			t.Fatalf("lock file: %v", err)
		}
	}},
	{"punch-preallocate", func(t *testing.T, fsys FS, dir string) {
		name := filepath.Join(dir, "f")
		f := mustOpen(t, fsys, name, os.O_RDWR|os.O_CREATE)
		defer f.Close()
		data := bytes.Repeat([]byte{0xAB}, 5*4096)
		if _, err := f.Write(data); err != nil {
			t.Fatal(err)
		}
		err := f.PunchHole(100, 3*4096)
		if errors.Is(err, ErrUnsupported) {
			t.Skip("filesystem cannot punch holes")
		}
		if err != nil {
			t.Fatal(err)
		}
		got := make([]byte, len(data))
		if _, err := f.ReadAt(got, 0); err != nil {
			t.Fatal(err)
		}
		want := slices.Clone(data)
		clear(want[100 : 100+3*4096])
		if !bytes.Equal(got, want) {
			t.Fatal("punched range does not read as zeros, or bytes outside it changed")
		}
		if fi, _ := f.Stat(); fi.Size() != int64(len(data)) {
			t.Fatalf("size after punch = %d", fi.Size())
		}
		if err := f.Preallocate(0, 10*4096); err != nil {
			t.Fatal(err)
		}
		if fi, _ := f.Stat(); fi.Size() != int64(len(data)) {
			t.Fatalf("size after preallocate = %d", fi.Size())
		}
		if err := f.PunchHole(0, 0); err == nil {
			t.Fatal("PunchHole of length 0 succeeded")
		}
	}},
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
}

func TestOSStartWriteback(t *testing.T) {
	f, err := OS.OpenFile(filepath.Join(t.TempDir(), "f"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	wb, ok := f.(WritebackStarter)
	if !ok {
		t.Fatal("OS files have no StartWriteback")
	}
	if err := wb.StartWriteback(0, 1<<20); err != nil {
		t.Fatal(err)
	}
}
