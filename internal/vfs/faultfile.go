package vfs

import (
	"io"
	"io/fs"
	"math"
	"syscall"
)

// faultFile is a file opened through a Fault.
type faultFile struct {
	f      *Fault
	inner  File
	key    string // cleaned name, for counts and rules
	append bool
	used   *spans // storage held by the file (shared with Fault.files); nil for directories
}

func (ff *faultFile) Name() string               { return ff.inner.Name() }
func (ff *faultFile) Stat() (fs.FileInfo, error) { return ff.inner.Stat() }
func (ff *faultFile) Seek(off int64, whence int) (int64, error) {
	return ff.inner.Seek(off, whence)
}

func (ff *faultFile) Read(p []byte) (int, error) {
	if fr := ff.f.before(OpRead, func(c *Counts) { c.Reads++ }, ff.key); fr != nil {
		return 0, pathErr("read", ff.Name(), fr.err)
	}
	return ff.inner.Read(p)
}

func (ff *faultFile) ReadAt(p []byte, off int64) (int, error) {
	if fr := ff.f.before(OpRead, func(c *Counts) { c.Reads++ }, ff.key); fr != nil {
		return 0, pathErr("read", ff.Name(), fr.err)
	}
	return ff.inner.ReadAt(p, off)
}

func (ff *faultFile) Write(p []byte) (int, error) { return ff.write(p, -1) }

func (ff *faultFile) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return ff.inner.WriteAt(p, off) // let the inner filesystem word the error
	}
	return ff.write(p, off)
}

// write writes p at off, or at the file offset if off is negative, after
// applying the rules and the space budget. A write cut short by either lands
// the bytes that fit, then fails, like a real short write.
func (ff *faultFile) write(p []byte, off int64) (int, error) {
	f := ff.f
	fired := f.before(OpWrite, func(c *Counts) { c.Writes++ }, ff.key)
	f.mu.Lock()
	defer f.mu.Unlock()
	if ff.used == nil {
		return ff.writeInner(p, off)
	}
	// Find where the bytes go, to charge only for storage they add.
	pos := off
	if off < 0 {
		var err error
		if ff.append {
			var fi fs.FileInfo
			if fi, err = ff.inner.Stat(); err == nil {
				pos = fi.Size()
			}
		} else {
			pos, err = ff.inner.Seek(0, io.SeekCurrent)
		}
		if err != nil {
			return 0, err
		}
	}
	k := len(p)
	var fail error
	if fired != nil {
		k = min(k, max(fired.partial, 0))
		fail = pathErr("write", ff.Name(), fired.err)
	}
	if f.limited {
		if fit := ff.used.fit(pos, int64(k), f.free); fit < int64(k) {
			k = int(fit)
			fail = pathErr("write", ff.Name(), syscall.ENOSPC)
		}
	}
	if fail != nil && k == 0 {
		return 0, fail
	}
	n, err := ff.writeInner(p[:k], off)
	f.charge(ff.used.add(pos, pos+int64(n)))
	if err != nil {
		return n, err
	}
	return n, fail
}

// writeInner writes through and counts the bytes. Callers hold f.mu.
func (ff *faultFile) writeInner(p []byte, off int64) (int, error) {
	var n int
	var err error
	if off < 0 {
		n, err = ff.inner.Write(p)
	} else {
		n, err = ff.inner.WriteAt(p, off)
	}
	ff.f.count(ff.key).WriteBytes += int64(n)
	return n, err
}

func (ff *faultFile) Sync() error {
	if fr := ff.f.before(OpSync, func(c *Counts) { c.Syncs++ }, ff.key); fr != nil {
		if l, ok := ff.inner.(unsyncedLoser); ok && fr.loseUnsynced {
			l.loseUnsynced()
		}
		return pathErr("sync", ff.Name(), fr.err)
	}
	return ff.inner.Sync()
}

func (ff *faultFile) Close() error {
	if fr := ff.f.before(OpClose, nil, ff.key); fr != nil {
		ff.inner.Close()
		return pathErr("close", ff.Name(), fr.err)
	}
	return ff.inner.Close()
}

func (ff *faultFile) Truncate(size int64) error {
	if fr := ff.f.before(OpTruncate, nil, ff.key); fr != nil {
		return pathErr("truncate", ff.Name(), fr.err)
	}
	ff.f.mu.Lock()
	defer ff.f.mu.Unlock()
	if err := ff.inner.Truncate(size); err != nil {
		return err
	}
	if ff.used != nil {
		ff.f.refund(ff.used.remove(size, math.MaxInt64))
	}
	return nil
}

func (ff *faultFile) PunchHole(off, n int64) error {
	if fr := ff.f.before(OpPunchHole, nil, ff.key); fr != nil {
		return pathErr("punch hole", ff.Name(), fr.err)
	}
	ff.f.mu.Lock()
	defer ff.f.mu.Unlock()
	if err := ff.inner.PunchHole(off, n); err != nil {
		return err
	}
	if ff.used != nil {
		ff.f.refund(ff.used.remove(off, end(off, n)))
	}
	return nil
}

// Preallocate is all or nothing: it fails with ENOSPC, reserving nothing, if
// the range needs more new storage than is free.
func (ff *faultFile) Preallocate(off, n int64) error {
	if fr := ff.f.before(OpPreallocate, nil, ff.key); fr != nil {
		return pathErr("preallocate", ff.Name(), fr.err)
	}
	f := ff.f
	f.mu.Lock()
	defer f.mu.Unlock()
	if ff.used != nil && f.limited && off >= 0 && n > 0 {
		if need := n - ff.used.covered(off, end(off, n)); need > f.free {
			return pathErr("preallocate", ff.Name(), syscall.ENOSPC)
		}
	}
	if err := ff.inner.Preallocate(off, n); err != nil {
		return err
	}
	if ff.used != nil {
		f.charge(ff.used.add(off, end(off, n)))
	}
	return nil
}

// unsyncedLoser is a file that can model a failed writeback (Rule.LoseUnsynced).
type unsyncedLoser interface{ loseUnsynced() }

var (
	_ File          = (*faultFile)(nil)
	_ unsyncedLoser = (*memFile)(nil)
)
