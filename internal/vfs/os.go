package vfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// OS is the real filesystem.
var OS FS = osFS{}

type osFS struct{}

func (osFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := os.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (osFS) Remove(name string) error                     { return os.Remove(name) }
func (osFS) RemoveAll(name string) error                  { return os.RemoveAll(name) }
func (osFS) Rename(oldname, newname string) error         { return os.Rename(oldname, newname) }
func (osFS) MkdirAll(name string, perm fs.FileMode) error { return os.MkdirAll(name, perm) }
func (osFS) ReadDir(name string) ([]fs.DirEntry, error)   { return os.ReadDir(name) }
func (osFS) Stat(name string) (fs.FileInfo, error)        { return os.Stat(name) }

func (osFS) SyncDir(name string) error {
	d, err := os.Open(name)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func (osFS) Lock(name string) (io.Closer, error) {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: %w", name, ErrLocked)
		}
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	return f, nil // closing the descriptor releases the flock
}

type osFile struct{ *os.File }

// control runs fn on the descriptor while holding a reference to it, so a
// concurrent Close cannot hand the number to another file mid-call, and so
// that a closed file fails with fs.ErrClosed like the os methods do.
func (f osFile) control(op string, fn func(fd int) error) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return &os.PathError{Op: op, Path: f.Name(), Err: err}
	}
	var opErr error
	if err := rc.Control(func(fd uintptr) { opErr = fn(int(fd)) }); err != nil {
		// Control fails only when the file is closed (or closing).
		return &os.PathError{Op: op, Path: f.Name(), Err: fs.ErrClosed}
	}
	return opErr
}

func (f osFile) Sync() error {
	// fdatasync: the data and the metadata needed to read it back (size), not
	// timestamps. This is what makes group commit cheap.
	return f.control("fdatasync", func(fd int) error {
		for {
			err := unix.Fdatasync(fd)
			if err != syscall.EINTR {
				if err != nil {
					return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: err}
				}
				return nil
			}
		}
	})
}

var _ WritebackStarter = osFile{}

// StartWriteback asks the kernel to start writing [off, off+n) to disk
// without waiting for it (sync_file_range with SYNC_FILE_RANGE_WRITE). It
// makes nothing durable; it spreads the disk work that a later Sync would
// otherwise do at once.
func (f osFile) StartWriteback(off, n int64) error {
	return f.control("sync_file_range", func(fd int) error {
		return unix.SyncFileRange(fd, off, n, unix.SYNC_FILE_RANGE_WRITE)
	})
}

func (f osFile) PunchHole(off, n int64) error {
	return f.fallocate("punch hole", unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, off, n)
}

func (f osFile) Preallocate(off, n int64) error {
	return f.fallocate("preallocate", unix.FALLOC_FL_KEEP_SIZE, off, n)
}

func (f osFile) fallocate(op string, mode uint32, off, n int64) error {
	return f.control(op, func(fd int) error {
		var err error
		for {
			err = unix.Fallocate(fd, mode, off, n)
			if err != syscall.EINTR {
				break
			}
		}
		if errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS) {
			return ErrUnsupported
		}
		if err != nil {
			return &os.PathError{Op: op, Path: f.Name(), Err: err}
		}
		return nil
	})
}
