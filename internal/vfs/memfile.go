package vfs

import (
	"errors"
	"io"
	"io/fs"
	"syscall"
)

// errWriteAtInAppendMode has the text os uses for the same mistake.
var errWriteAtInAppendMode = errors.New("os: invalid use of WriteAt on file opened with O_APPEND")

// memFile is an open handle on a Mem inode. It keeps working after the file
// is renamed or removed, as on Unix, until Close or a crash of its Mem.
type memFile struct {
	m      *Mem
	n      *inode
	name   string
	gen    uint64
	read   bool
	write  bool
	append bool
	off    int64
	closed bool
}

// check reports why the handle cannot be used, if it cannot. Callers hold m.mu.
func (f *memFile) check(op string) error {
	switch {
	case f.gen != f.m.gen:
		return pathErr(op, f.name, ErrCrashed)
	case f.closed:
		return pathErr(op, f.name, fs.ErrClosed)
	}
	return nil
}

// checkRead and checkWrite also check the access mode and the file type.
func (f *memFile) checkRead(op string) error {
	if err := f.check(op); err != nil {
		return err
	}
	switch {
	case !f.read:
		return pathErr(op, f.name, syscall.EBADF)
	case f.n.dir:
		return pathErr(op, f.name, syscall.EISDIR)
	}
	return nil
}

func (f *memFile) checkWrite(op string) error {
	if err := f.check(op); err != nil {
		return err
	}
	if !f.write {
		return pathErr(op, f.name, syscall.EBADF)
	}
	return nil
}

func (f *memFile) Name() string { return f.name }

func (f *memFile) Read(p []byte) (int, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.checkRead("read"); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	n := f.n.readAt(p, f.off)
	f.off += int64(n)
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

func (f *memFile) ReadAt(p []byte, off int64) (int, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.checkRead("read"); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, pathErr("readat", f.name, syscall.EINVAL)
	}
	n := f.n.readAt(p, off)
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (f *memFile) Write(p []byte) (int, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.checkWrite("write"); err != nil {
		return 0, err
	}
	if f.append {
		f.off = f.n.size
	}
	if f.off > MemMaxFileSize-int64(len(p)) {
		return 0, pathErr("write", f.name, syscall.EFBIG)
	}
	f.n.writeAt(p, f.off)
	f.off += int64(len(p))
	return len(p), nil
}

func (f *memFile) WriteAt(p []byte, off int64) (int, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.checkWrite("write"); err != nil {
		return 0, err
	}
	if f.append {
		return 0, errWriteAtInAppendMode
	}
	if off < 0 {
		return 0, pathErr("writeat", f.name, syscall.EINVAL)
	}
	if off > MemMaxFileSize-int64(len(p)) {
		return 0, pathErr("write", f.name, syscall.EFBIG)
	}
	f.n.writeAt(p, off)
	return len(p), nil
}

func (f *memFile) Seek(offset int64, whence int) (int64, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.check("seek"); err != nil {
		return 0, err
	}
	var base int64
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		base = f.off
	case io.SeekEnd:
		base = f.n.size
	default:
		return 0, pathErr("seek", f.name, syscall.EINVAL)
	}
	if base+offset < 0 {
		return 0, pathErr("seek", f.name, syscall.EINVAL)
	}
	f.off = base + offset
	return f.off, nil
}

// Close releases the handle. Closing a handle invalidated by a crash is not an
// error: its owner is gone and cleanup code should not trip over it.
func (f *memFile) Close() error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if f.gen != f.m.gen {
		f.closed = true
		return nil
	}
	if f.closed {
		return pathErr("close", f.name, fs.ErrClosed)
	}
	f.closed = true
	delete(f.m.open, f)
	return nil
}

func (f *memFile) Stat() (fs.FileInfo, error) {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.check("stat"); err != nil {
		return nil, err
	}
	return f.n.info(baseName(f.name)), nil
}

// Sync makes the file's data durable; on a directory handle it makes the
// directory's entries durable, as fsync on a directory does.
func (f *memFile) Sync() error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.check("sync"); err != nil {
		return err
	}
	if f.n.dir {
		f.n.syncDir()
	} else {
		f.n.sync()
	}
	return nil
}

func (f *memFile) Truncate(size int64) error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.check("truncate"); err != nil {
		return err
	}
	if !f.write || size < 0 {
		return pathErr("truncate", f.name, syscall.EINVAL)
	}
	if size > MemMaxFileSize {
		return pathErr("truncate", f.name, syscall.EFBIG)
	}
	f.n.truncate(size)
	return nil
}

func (f *memFile) PunchHole(off, n int64) error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.checkWrite("punch hole"); err != nil {
		return err
	}
	if off < 0 || n <= 0 {
		return pathErr("punch hole", f.name, syscall.EINVAL)
	}
	if off < MemMaxFileSize { // nothing is stored further out
		f.m.punched += f.n.punch(off, min(n, MemMaxFileSize))
	}
	return nil
}

func (f *memFile) Preallocate(off, n int64) error {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if err := f.checkWrite("preallocate"); err != nil {
		return err
	}
	if off < 0 || n <= 0 {
		return pathErr("preallocate", f.name, syscall.EINVAL)
	}
	if off > MemMaxFileSize-n {
		return pathErr("preallocate", f.name, syscall.EFBIG)
	}
	f.n.preallocate(off, n)
	return nil
}

// loseUnsynced marks the file's unsynced data clean without making it
// durable, as Linux does to dirty pages whose writeback failed. See
// Rule.LoseUnsynced.
func (f *memFile) loseUnsynced() {
	f.m.mu.Lock()
	defer f.m.mu.Unlock()
	if f.check("sync") == nil && !f.n.dir {
		f.n.dirty = false
		f.n.dLo, f.n.dHi = 0, 0
	}
}
