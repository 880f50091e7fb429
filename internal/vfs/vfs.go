// Package vfs is the filesystem seam under eddy's storage.
//
// The storage engine and the catalog never call package os directly; they take
// an FS. OS is the real filesystem. Tests swap in Mem (NewMem), an in-memory
// filesystem that models what survives a crash (only synced data and synced
// directory entries, optionally with torn tails), and Fault (NewFault), a
// wrapper that can fail chosen writes or syncs, run out of space, and count
// operations, so that durability and recovery are tested without killing
// machines. The conformance tests hold OS and Mem to the same behaviour.
package vfs

import (
	"errors"
	"io"
	"io/fs"
)

// ErrUnsupported is returned by optional operations (PunchHole, Preallocate)
// that a filesystem cannot perform; callers fall back to doing without.
var ErrUnsupported = errors.New("vfs: operation not supported")

// FS is the set of filesystem operations eddy's storage needs.
type FS interface {
	// OpenFile opens name with os.OpenFile semantics (flags from package os).
	OpenFile(name string, flag int, perm fs.FileMode) (File, error)
	// Remove removes a file or an empty directory.
	Remove(name string) error
	// RemoveAll removes name and everything below it.
	RemoveAll(name string) error
	// Rename atomically replaces newname with oldname.
	Rename(oldname, newname string) error
	// MkdirAll creates a directory and its parents.
	MkdirAll(name string, perm fs.FileMode) error
	// ReadDir lists a directory, sorted by name.
	ReadDir(name string) ([]fs.DirEntry, error)
	// Stat describes a file.
	Stat(name string) (fs.FileInfo, error)
	// SyncDir makes the directory's entries (creates, renames, removes) durable.
	SyncDir(name string) error
	// Lock takes an exclusive advisory lock on the file name (created if
	// missing). It fails at once, with an error wrapping ErrLocked, if another
	// holder has it. Closing the returned Closer releases the lock.
	Lock(name string) (io.Closer, error)
}

// ErrLocked reports that a lock is held by someone else.
var ErrLocked = errors.New("vfs: locked by another process")

// WritebackStarter is implemented by files that can start writing a range
// to disk without waiting (OS files, with sync_file_range). It is not part of
// File: it makes nothing durable, so callers test for it and do without.
type WritebackStarter interface {
	StartWriteback(off, n int64) error
}

// File is an open file.
type File interface {
	io.Reader
	io.ReaderAt
	io.Writer
	io.WriterAt
	io.Seeker
	io.Closer
	// Name returns the name the file was opened with.
	Name() string
	// Stat describes the file.
	Stat() (fs.FileInfo, error)
	// Sync makes the file's data durable (fdatasync where available).
	Sync() error
	// Truncate changes the file's size.
	Truncate(size int64) error
	// PunchHole frees the storage of [off, off+n) without changing the file's
	// size; later reads of the range return zeros. Returns ErrUnsupported if
	// the filesystem cannot.
	PunchHole(off, n int64) error
	// Preallocate reserves storage for [off, off+n) without changing the
	// file's size. Returns ErrUnsupported if the filesystem cannot.
	Preallocate(off, n int64) error
}
