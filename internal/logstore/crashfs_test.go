package logstore

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/eddy-streams/eddy/internal/vfs"
)

// crashFS is a test-only in-memory filesystem with a strict crash model:
// Crash returns the image a machine would reboot with — file contents as of
// their last Sync and directory entries as of their directory's last
// SyncDir — and kills this instance (every later call fails). It also
// injects faults: fail the next write or sync, or a space limit.
type crashFS struct {
	mu    sync.Mutex
	dirs  map[string]*memDir
	dead  bool
	locks map[string]bool

	FailWrites int    // fail the next N writes with EIO
	FailSyncs  int    // fail the next N syncs with EIO
	FailMatch  string // if set, only files whose name contains it fail
	Space      int64  // if > 0, writes that would grow total data past it fail with ENOSPC
	Writes     int    // counters, for tests
	Reads      int
}

type memDir struct {
	cur, durable map[string]*inode
}

type inode struct {
	data, synced []byte
}

func newCrashFS() *crashFS {
	return &crashFS{dirs: map[string]*memDir{"/": {cur: map[string]*inode{}, durable: map[string]*inode{}}}, locks: map[string]bool{}}
}

var errDead = errors.New("crashfs: machine crashed")

func split(name string) (string, string) {
	name = path.Clean("/" + name)
	return path.Dir(name), path.Base(name)
}

// Crash returns the durable image as a new filesystem and kills f.
func (f *crashFS) Crash() *crashFS {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dead = true
	n := newCrashFS()
	for p, d := range f.dirs {
		nd := &memDir{cur: map[string]*inode{}, durable: map[string]*inode{}}
		for name, ino := range d.durable {
			c := &inode{data: append([]byte(nil), ino.synced...), synced: append([]byte(nil), ino.synced...)}
			nd.cur[name], nd.durable[name] = c, c
		}
		n.dirs[p] = nd
	}
	return n
}

func (f *crashFS) total() int64 {
	var t int64
	for _, d := range f.dirs {
		for _, ino := range d.cur {
			t += int64(len(ino.data))
		}
	}
	return t
}

func (f *crashFS) OpenFile(name string, flag int, perm fs.FileMode) (vfs.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dead {
		return nil, errDead
	}
	dir, base := split(name)
	d, ok := f.dirs[dir]
	if !ok {
		return nil, &os.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	ino, ok := d.cur[base]
	if !ok {
		if flag&os.O_CREATE == 0 {
			return nil, &os.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		ino = &inode{}
		d.cur[base] = ino
	} else if flag&os.O_TRUNC != 0 {
		ino.data = ino.data[:0:0]
	}
	return &memFile{fs: f, ino: ino, name: name}, nil
}

func (f *crashFS) Remove(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dead {
		return errDead
	}
	dir, base := split(name)
	if d, ok := f.dirs[dir]; ok {
		if _, ok := d.cur[base]; ok {
			delete(d.cur, base)
			return nil
		}
	}
	full := path.Clean("/" + name)
	if d, ok := f.dirs[full]; ok {
		if len(d.cur) > 0 {
			return &os.PathError{Op: "remove", Path: name, Err: syscall.ENOTEMPTY}
		}
		delete(f.dirs, full)
		return nil
	}
	return &os.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
}

func (f *crashFS) RemoveAll(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dead {
		return errDead
	}
	full := path.Clean("/" + name)
	for p := range f.dirs {
		if p == full || strings.HasPrefix(p, full+"/") {
			delete(f.dirs, p)
		}
	}
	dir, base := split(name)
	if d, ok := f.dirs[dir]; ok {
		delete(d.cur, base)
	}
	return nil
}

func (f *crashFS) Rename(oldname, newname string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dead {
		return errDead
	}
	od, ob := split(oldname)
	nd, nb := split(newname)
	o, ok := f.dirs[od]
	if !ok || o.cur[ob] == nil {
		return &os.PathError{Op: "rename", Path: oldname, Err: fs.ErrNotExist}
	}
	n, ok := f.dirs[nd]
	if !ok {
		return &os.PathError{Op: "rename", Path: newname, Err: fs.ErrNotExist}
	}
	n.cur[nb] = o.cur[ob]
	delete(o.cur, ob)
	return nil
}

// MkdirAll creates directories; directories themselves are durable at once
// (their entries are not).
func (f *crashFS) MkdirAll(name string, perm fs.FileMode) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dead {
		return errDead
	}
	full := path.Clean("/" + name)
	for p := full; ; p = path.Dir(p) {
		if _, ok := f.dirs[p]; !ok {
			f.dirs[p] = &memDir{cur: map[string]*inode{}, durable: map[string]*inode{}}
		}
		if p == "/" {
			break
		}
	}
	return nil
}

type dirEntry struct {
	name string
	dir  bool
	size int64
}

func (e dirEntry) Name() string               { return e.name }
func (e dirEntry) IsDir() bool                { return e.dir }
func (e dirEntry) Type() fs.FileMode          { return e.Mode().Type() }
func (e dirEntry) Info() (fs.FileInfo, error) { return e, nil }
func (e dirEntry) Size() int64                { return e.size }
func (e dirEntry) Mode() fs.FileMode {
	if e.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (e dirEntry) ModTime() time.Time { return time.Time{} }
func (e dirEntry) Sys() any           { return nil }

func (f *crashFS) ReadDir(name string) ([]fs.DirEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dead {
		return nil, errDead
	}
	full := path.Clean("/" + name)
	d, ok := f.dirs[full]
	if !ok {
		return nil, &os.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	var out []fs.DirEntry
	for n, ino := range d.cur {
		out = append(out, dirEntry{name: n, size: int64(len(ino.data))})
	}
	for p := range f.dirs {
		if p != full && path.Dir(p) == full {
			out = append(out, dirEntry{name: path.Base(p), dir: true})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

func (f *crashFS) Stat(name string) (fs.FileInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dead {
		return nil, errDead
	}
	full := path.Clean("/" + name)
	if _, ok := f.dirs[full]; ok {
		return dirEntry{name: path.Base(full), dir: true}, nil
	}
	dir, base := split(name)
	if d, ok := f.dirs[dir]; ok {
		if ino, ok := d.cur[base]; ok {
			return dirEntry{name: base, size: int64(len(ino.data))}, nil
		}
	}
	return nil, &os.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

func (f *crashFS) SyncDir(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dead {
		return errDead
	}
	d, ok := f.dirs[path.Clean("/"+name)]
	if !ok {
		return &os.PathError{Op: "syncdir", Path: name, Err: fs.ErrNotExist}
	}
	d.durable = map[string]*inode{}
	for n, ino := range d.cur {
		d.durable[n] = ino
	}
	return nil
}

type lockCloser struct {
	f    *crashFS
	name string
}

func (l lockCloser) Close() error {
	l.f.mu.Lock()
	defer l.f.mu.Unlock()
	delete(l.f.locks, l.name)
	return nil
}

func (f *crashFS) Lock(name string) (io.Closer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dead {
		return nil, errDead
	}
	if f.locks[name] {
		return nil, vfs.ErrLocked
	}
	f.locks[name] = true
	return lockCloser{f, name}, nil
}

type memFile struct {
	fs   *crashFS
	ino  *inode
	name string
	off  int64
}

func (m *memFile) ReadAt(b []byte, off int64) (int, error) {
	m.fs.mu.Lock()
	defer m.fs.mu.Unlock()
	if m.fs.dead {
		return 0, errDead
	}
	m.fs.Reads++
	if off >= int64(len(m.ino.data)) {
		return 0, io.EOF
	}
	n := copy(b, m.ino.data[off:])
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

func (m *memFile) Read(b []byte) (int, error) {
	n, err := m.ReadAt(b, m.off)
	m.off += int64(n)
	return n, err
}

func (m *memFile) WriteAt(b []byte, off int64) (int, error) {
	m.fs.mu.Lock()
	defer m.fs.mu.Unlock()
	if m.fs.dead {
		return 0, errDead
	}
	m.fs.Writes++
	if m.fs.FailWrites > 0 && strings.Contains(m.name, m.fs.FailMatch) {
		m.fs.FailWrites--
		return 0, &os.PathError{Op: "write", Path: m.name, Err: syscall.EIO}
	}
	end := off + int64(len(b))
	if grow := end - int64(len(m.ino.data)); grow > 0 && m.fs.Space > 0 && m.fs.total()+grow > m.fs.Space {
		// write what fits, like a real full disk
		room := m.fs.Space - m.fs.total()
		n := 0
		if room > 0 && off <= int64(len(m.ino.data)) {
			n = int(min(int64(len(b)), int64(len(m.ino.data))-off+room))
			m.write(b[:n], off)
		}
		return n, &os.PathError{Op: "write", Path: m.name, Err: syscall.ENOSPC}
	}
	m.write(b, off)
	return len(b), nil
}

func (m *memFile) write(b []byte, off int64) {
	end := off + int64(len(b))
	if end > int64(cap(m.ino.data)) {
		nd := make([]byte, end, max(end, int64(cap(m.ino.data))*2))
		copy(nd, m.ino.data)
		m.ino.data = nd
	} else if end > int64(len(m.ino.data)) {
		old := len(m.ino.data)
		m.ino.data = m.ino.data[:end]
		clear(m.ino.data[old:])
	}
	copy(m.ino.data[off:], b)
}

func (m *memFile) Write(b []byte) (int, error) {
	n, err := m.WriteAt(b, m.off)
	m.off += int64(n)
	return n, err
}

func (m *memFile) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		m.off = off
	case io.SeekCurrent:
		m.off += off
	case io.SeekEnd:
		m.fs.mu.Lock()
		m.off = int64(len(m.ino.data)) + off
		m.fs.mu.Unlock()
	}
	return m.off, nil
}

func (m *memFile) Close() error { return nil }
func (m *memFile) Name() string { return m.name }

func (m *memFile) Stat() (fs.FileInfo, error) {
	m.fs.mu.Lock()
	defer m.fs.mu.Unlock()
	if m.fs.dead {
		return nil, errDead
	}
	return dirEntry{name: path.Base(m.name), size: int64(len(m.ino.data))}, nil
}

func (m *memFile) Sync() error {
	m.fs.mu.Lock()
	defer m.fs.mu.Unlock()
	if m.fs.dead {
		return errDead
	}
	if m.fs.FailSyncs > 0 && strings.Contains(m.name, m.fs.FailMatch) {
		m.fs.FailSyncs--
		return &os.PathError{Op: "fdatasync", Path: m.name, Err: syscall.EIO}
	}
	m.ino.synced = append(m.ino.synced[:0:0], m.ino.data...)
	return nil
}

func (m *memFile) Truncate(size int64) error {
	m.fs.mu.Lock()
	defer m.fs.mu.Unlock()
	if m.fs.dead {
		return errDead
	}
	if size <= int64(len(m.ino.data)) {
		m.ino.data = m.ino.data[:size:size]
	} else {
		m.write(make([]byte, size-int64(len(m.ino.data))), int64(len(m.ino.data)))
	}
	return nil
}

func (m *memFile) PunchHole(off, n int64) error   { return vfs.ErrUnsupported }
func (m *memFile) Preallocate(off, n int64) error { return vfs.ErrUnsupported }
