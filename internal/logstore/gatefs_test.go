package logstore

import (
	"errors"
	"io"
	"io/fs"
	"sync"

	"github.com/eddy-streams/eddy/internal/vfs"
)

// machine is a simulated machine for crash tests: a vfs.Mem disk behind a
// vfs.Fault (faults, space, counts) behind a gate. Crash takes the image of
// the disk (vfs.Mem's strict crash model, optionally with torn tails) at an
// instant no filesystem operation is in progress, and kills every later
// operation of the old process, so that whatever the old store acknowledged
// before the crash was durable in the image.
type machine struct {
	mem   *vfs.Mem
	fault *vfs.Fault
	gate  *gateFS
}

func newMachine(mem *vfs.Mem) *machine {
	f := vfs.NewFault(mem)
	return &machine{mem: mem, fault: f, gate: &gateFS{inner: f}}
}

// crash returns the machine after a reboot; m is dead from now on.
func (m *machine) crash(o vfs.CrashOptions) *machine {
	m.gate.mu.Lock()
	m.gate.dead = true
	img := m.mem.CrashCloneWith(o)
	m.gate.mu.Unlock()
	return newMachine(img)
}

var errDead = errors.New("machine crashed")

// gateFS forwards to inner while alive; every operation holds the read side
// of mu, so a crash (the write side) happens between operations.
type gateFS struct {
	inner vfs.FS
	mu    sync.RWMutex
	dead  bool
}

func (g *gateFS) enter() error {
	g.mu.RLock()
	if g.dead {
		g.mu.RUnlock()
		return errDead
	}
	return nil
}

func (g *gateFS) OpenFile(name string, flag int, perm fs.FileMode) (vfs.File, error) {
	if err := g.enter(); err != nil {
		return nil, err
	}
	defer g.mu.RUnlock()
	f, err := g.inner.OpenFile(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return &gateFile{File: f, g: g}, nil
}

func (g *gateFS) do(fn func() error) error {
	if err := g.enter(); err != nil {
		return err
	}
	defer g.mu.RUnlock()
	return fn()
}

func (g *gateFS) Remove(name string) error { return g.do(func() error { return g.inner.Remove(name) }) }
func (g *gateFS) RemoveAll(name string) error {
	return g.do(func() error { return g.inner.RemoveAll(name) })
}
func (g *gateFS) Rename(a, b string) error { return g.do(func() error { return g.inner.Rename(a, b) }) }
func (g *gateFS) SyncDir(name string) error {
	return g.do(func() error { return g.inner.SyncDir(name) })
}
func (g *gateFS) MkdirAll(name string, perm fs.FileMode) error {
	return g.do(func() error { return g.inner.MkdirAll(name, perm) })
}

func (g *gateFS) ReadDir(name string) (ents []fs.DirEntry, err error) {
	err = g.do(func() error { ents, err = g.inner.ReadDir(name); return err })
	return ents, err
}

func (g *gateFS) Stat(name string) (fi fs.FileInfo, err error) {
	err = g.do(func() error { fi, err = g.inner.Stat(name); return err })
	return fi, err
}

func (g *gateFS) Lock(name string) (c io.Closer, err error) {
	err = g.do(func() error { c, err = g.inner.Lock(name); return err })
	return c, err
}

type gateFile struct {
	vfs.File
	g *gateFS
}

func (f *gateFile) io(fn func() (int, error)) (n int, err error) {
	err = f.g.do(func() error { n, err = fn(); return err })
	return n, err
}

func (f *gateFile) Read(b []byte) (int, error) {
	return f.io(func() (int, error) { return f.File.Read(b) })
}
func (f *gateFile) ReadAt(b []byte, off int64) (int, error) {
	return f.io(func() (int, error) { return f.File.ReadAt(b, off) })
}
func (f *gateFile) Write(b []byte) (int, error) {
	return f.io(func() (int, error) { return f.File.Write(b) })
}
func (f *gateFile) WriteAt(b []byte, off int64) (int, error) {
	return f.io(func() (int, error) { return f.File.WriteAt(b, off) })
}
func (f *gateFile) Sync() error            { return f.g.do(f.File.Sync) }
func (f *gateFile) Truncate(n int64) error { return f.g.do(func() error { return f.File.Truncate(n) }) }
func (f *gateFile) PunchHole(o, n int64) error {
	return f.g.do(func() error { return f.File.PunchHole(o, n) })
}
func (f *gateFile) Preallocate(o, n int64) error {
	return f.g.do(func() error { return f.File.Preallocate(o, n) })
}
func (f *gateFile) Seek(off int64, whence int) (n int64, err error) {
	err = f.g.do(func() error { n, err = f.File.Seek(off, whence); return err })
	return n, err
}
func (f *gateFile) Stat() (fi fs.FileInfo, err error) {
	err = f.g.do(func() error { fi, err = f.File.Stat(); return err })
	return fi, err
}
