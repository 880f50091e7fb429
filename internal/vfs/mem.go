package vfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
)

// ErrCrashed is returned by every operation on a file handle or lock that was
// open when its Mem crashed (Mem.Crash): the process that held it is gone.
var ErrCrashed = errors.New("vfs: handle invalidated by a simulated crash")

// Mem is an in-memory filesystem with a strict crash model.
//
// Every file has current data, which all operations see, and durable data,
// which is what survives a crash: File.Sync makes the current data durable.
// Directory entries (a create, rename or remove) become durable only when
// SyncDir is called on the directory that holds them, so a file that was
// created and synced in a directory that was never synced does not survive a
// crash, and a removed file whose directory was not synced comes back. Crash
// and CrashClone discard everything that is not durable; CrashWith and
// CrashCloneWith can in addition keep a random prefix of each file's unsynced
// appended bytes (a torn write).
//
// Names are slash-separated paths; a relative name is resolved against the
// root, so "a/b" and "/a/b" are the same file. Errors are the ones package os
// returns on Linux (*fs.PathError or *os.LinkError wrapping a syscall.Errno),
// so errors.Is(err, fs.ErrNotExist) and friends work the same on Mem and OS.
//
// A Mem is safe for concurrent use; all operations take one mutex.
type Mem struct {
	mu      sync.Mutex
	root    *inode
	gen     uint64 // bumped by Crash; handles from older generations are dead
	locks   map[string]*memLock
	open    map[*memFile]struct{}
	punched int64
}

// NewMem returns an empty in-memory filesystem holding only its root
// directory, which always exists.
func NewMem() *Mem {
	return &Mem{root: newDirNode(0o755), locks: map[string]*memLock{}, open: map[*memFile]struct{}{}}
}

// splitPath turns a name into its path components below the root.
func splitPath(name string) []string {
	c := path.Clean("/" + filepath.ToSlash(name))
	if c == "/" {
		return nil
	}
	return strings.Split(c[1:], "/")
}

func pathErr(op, name string, err error) error {
	return &fs.PathError{Op: op, Path: name, Err: err}
}

// walk returns the directory holding the last component of parts. It fails
// with ENOENT if a directory on the way is missing and ENOTDIR if one is a
// file.
func (m *Mem) walk(parts []string) (*inode, error) {
	d := m.root
	for _, p := range parts {
		c := d.children[p]
		switch {
		case c == nil:
			return nil, syscall.ENOENT
		case !c.dir:
			return nil, syscall.ENOTDIR
		}
		d = c
	}
	return d, nil
}

// lookup resolves a name to its inode; the root resolves to itself.
func (m *Mem) lookup(name string) (*inode, error) {
	if name == "" {
		return nil, syscall.ENOENT
	}
	parts := splitPath(name)
	if len(parts) == 0 {
		return m.root, nil
	}
	dir, err := m.walk(parts[:len(parts)-1])
	if err != nil {
		return nil, err
	}
	n := dir.children[parts[len(parts)-1]]
	if n == nil {
		return nil, syscall.ENOENT
	}
	return n, nil
}

// parent resolves the directory holding name and name's last component. For
// the root it returns base "".
func (m *Mem) parent(name string) (dir *inode, base string, err error) {
	if name == "" {
		return nil, "", syscall.ENOENT
	}
	parts := splitPath(name)
	if len(parts) == 0 {
		return nil, "", nil
	}
	dir, err = m.walk(parts[:len(parts)-1])
	return dir, parts[len(parts)-1], err
}

// OpenFile opens name with os.OpenFile semantics: O_CREATE, O_EXCL, O_TRUNC,
// O_APPEND and the access mode are honoured; a directory can be opened
// read-only (its handle's Sync is SyncDir).
func (m *Mem) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.openLocked(name, flag, perm)
}

func (m *Mem) openLocked(name string, flag int, perm fs.FileMode) (*memFile, error) {
	acc := flag & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR)
	dir, base, err := m.parent(name)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	var n *inode
	if base == "" {
		n = m.root
	} else {
		n = dir.children[base]
	}
	switch {
	case n == nil && flag&os.O_CREATE == 0:
		return nil, pathErr("open", name, syscall.ENOENT)
	case n == nil:
		n = newFileNode(perm)
		dir.children[base] = n
		dir.mtime = n.mtime
	case flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL:
		return nil, pathErr("open", name, syscall.EEXIST)
	case n.dir && (acc != os.O_RDONLY || flag&(os.O_CREATE|os.O_TRUNC) != 0):
		return nil, pathErr("open", name, syscall.EISDIR)
	case flag&os.O_TRUNC != 0:
		n.truncate(0)
	}
	f := &memFile{
		m: m, n: n, name: name, gen: m.gen,
		read:   acc == os.O_RDONLY || acc == os.O_RDWR,
		write:  acc == os.O_WRONLY || acc == os.O_RDWR,
		append: flag&os.O_APPEND != 0,
	}
	m.open[f] = struct{}{}
	return f, nil
}

// Remove removes a file or an empty directory.
func (m *Mem) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	dir, base, err := m.parent(name)
	switch {
	case err != nil:
		return pathErr("remove", name, err)
	case base == "":
		return pathErr("remove", name, syscall.EBUSY)
	}
	n := dir.children[base]
	switch {
	case n == nil:
		return pathErr("remove", name, syscall.ENOENT)
	case n.dir && len(n.children) > 0:
		return pathErr("remove", name, syscall.ENOTEMPTY)
	}
	delete(dir.children, base)
	dir.touch()
	return nil
}

// RemoveAll removes name and everything below it; a missing name is not an
// error.
func (m *Mem) RemoveAll(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	dir, base, err := m.parent(name)
	switch {
	case errors.Is(err, syscall.ENOENT):
		return nil
	case err != nil:
		return pathErr("unlinkat", name, err)
	case base == "":
		return pathErr("RemoveAll", name, syscall.EINVAL)
	}
	if dir.children[base] != nil {
		delete(dir.children, base)
		dir.touch()
	}
	return nil
}

// Rename moves oldname to newname, replacing a file at newname. Like os.Rename
// on Unix it refuses to replace a directory (EEXIST).
func (m *Mem) Rename(oldname, newname string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	lerr := func(err error) error { return &os.LinkError{Op: "rename", Old: oldname, New: newname, Err: err} }
	odir, obase, err := m.parent(oldname)
	if err != nil {
		return lerr(err)
	}
	if obase == "" {
		return lerr(syscall.EBUSY)
	}
	src := odir.children[obase]
	if src == nil {
		return lerr(syscall.ENOENT)
	}
	ndir, nbase, err := m.parent(newname)
	if err != nil {
		return lerr(err)
	}
	if nbase == "" {
		return lerr(syscall.EBUSY)
	}
	dst := ndir.children[nbase]
	switch {
	case dst == src:
		return nil
	case dst != nil && dst.dir:
		return lerr(syscall.EEXIST)
	case dst != nil && src.dir:
		return lerr(syscall.ENOTDIR)
	}
	if src.dir {
		// A directory cannot move below itself. There are no links to
		// directories, so comparing paths is enough.
		op, np := splitPath(oldname), splitPath(newname)
		if len(np) > len(op) && slices.Equal(np[:len(op)], op) {
			return lerr(syscall.EINVAL)
		}
	}
	delete(odir.children, obase)
	ndir.children[nbase] = src
	odir.touch()
	ndir.touch()
	return nil
}

// MkdirAll creates name and any missing parents.
func (m *Mem) MkdirAll(name string, perm fs.FileMode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mkdirAllLocked(name, perm)
}

func (m *Mem) mkdirAllLocked(name string, perm fs.FileMode) error {
	if name == "" {
		return pathErr("mkdir", name, syscall.ENOENT)
	}
	d := m.root
	for _, p := range splitPath(name) {
		c := d.children[p]
		if c == nil {
			c = newDirNode(perm)
			d.children[p] = c
			d.touch()
		} else if !c.dir {
			return pathErr("mkdir", name, syscall.ENOTDIR)
		}
		d = c
	}
	return nil
}

// ReadDir lists a directory sorted by name.
func (m *Mem) ReadDir(name string) ([]fs.DirEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup(name)
	if err != nil {
		return nil, pathErr("open", name, err)
	}
	if !n.dir {
		return nil, pathErr("readdirent", name, syscall.ENOTDIR)
	}
	out := make([]fs.DirEntry, 0, len(n.children))
	for _, k := range slices.Sorted(maps.Keys(n.children)) {
		out = append(out, fs.FileInfoToDirEntry(n.children[k].info(k)))
	}
	return out, nil
}

// Stat describes name.
func (m *Mem) Stat(name string) (fs.FileInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup(name)
	if err != nil {
		return nil, pathErr("stat", name, err)
	}
	return n.info(baseName(name)), nil
}

// SyncDir makes the directory's current entries durable. It fails with
// ENOTDIR on a file (stricter than OS, where it would sync the file), since
// calling it on a file is always a bug in the caller.
func (m *Mem) SyncDir(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.lookup(name)
	if err != nil {
		return pathErr("open", name, err)
	}
	if !n.dir {
		return pathErr("sync", name, syscall.ENOTDIR)
	}
	n.syncDir()
	return nil
}

// Lock takes an exclusive lock on name within this Mem, creating the file
// (and its parent directories) like OS.Lock does.
func (m *Mem) Lock(name string) (io.Closer, error) {
	key := path.Clean("/" + filepath.ToSlash(name))
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.mkdirAllLocked(path.Dir(key), 0o755); err != nil {
		return nil, err
	}
	f, err := m.openLocked(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	delete(m.open, f)
	if m.locks[key] != nil {
		return nil, fmt.Errorf("%s: %w", name, ErrLocked)
	}
	l := &memLock{m: m, key: key, gen: m.gen}
	m.locks[key] = l
	return l, nil
}

// memLock is a lock held on a Mem.
type memLock struct {
	m      *Mem
	key    string
	gen    uint64
	closed bool
}

func (l *memLock) Close() error {
	l.m.mu.Lock()
	defer l.m.mu.Unlock()
	if l.closed {
		return pathErr("close", l.key, fs.ErrClosed)
	}
	l.closed = true
	if l.m.locks[l.key] == l {
		delete(l.m.locks, l.key)
	}
	return nil
}

// DiskUsage returns the bytes of storage held by the current state of the
// filesystem: every allocated block of every file that is reachable from the
// root or still open, counted once. Holes (sparse regions, punched ranges)
// use nothing; preallocated blocks count.
func (m *Mem) DiskUsage() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := map[*inode]bool{}
	var total int64
	var visit func(n *inode)
	visit = func(n *inode) {
		if seen[n] {
			return
		}
		seen[n] = true
		total += n.allocated()
		for _, c := range n.children {
			visit(c)
		}
	}
	visit(m.root)
	for f := range m.open {
		visit(f.n)
	}
	return total
}

// PunchedBytes returns the total storage freed by PunchHole on this Mem so
// far (whole blocks only).
func (m *Mem) PunchedBytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.punched
}

// OpenFiles returns the names of the files currently open, sorted, with one
// entry per handle. Tests use it to check that nothing leaks.
func (m *Mem) OpenFiles() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.open))
	for f := range m.open {
		out = append(out, f.name)
	}
	slices.Sort(out)
	return out
}

func baseName(name string) string {
	parts := splitPath(name)
	if len(parts) == 0 {
		return "/"
	}
	return parts[len(parts)-1]
}

var (
	_ FS   = (*Mem)(nil)
	_ File = (*memFile)(nil)
)
