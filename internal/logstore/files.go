package logstore

import (
	"container/list"
	"fmt"
	"os"
	"sync"

	"github.com/VictoriaMetrics/metrics"

	"github.com/eddy-streams/eddy/internal/vfs"
)

// fileCache keeps a bounded number of segment and index files open (LRU),
// so that 10,000 logs do not need 20,000 descriptors. Files in use are
// reference counted and never closed under their user.
type fileCache struct {
	fs    vfs.FS
	max   int
	gauge *metrics.Gauge

	mu   sync.Mutex
	m    map[string]*cachedFile
	idle list.List // of *cachedFile with refs == 0, least recently used first
}

type cachedFile struct {
	f       vfs.File
	path    string
	refs    int
	elem    *list.Element
	doomed  bool // close when the last reference goes
	invalid bool
}

func newFileCache(fsys vfs.FS, max int, g *metrics.Gauge) *fileCache {
	return &fileCache{fs: fsys, max: max, gauge: g, m: map[string]*cachedFile{}}
}

// acquire returns the open file for path, opening it (read-write) if needed.
// create makes a missing file. The caller must release it.
func (c *fileCache) acquire(path string, create bool) (*cachedFile, error) {
	c.mu.Lock()
	if cf, ok := c.m[path]; ok {
		if cf.elem != nil {
			c.idle.Remove(cf.elem)
			cf.elem = nil
		}
		cf.refs++
		c.mu.Unlock()
		return cf, nil
	}
	c.mu.Unlock()
	flag := os.O_RDWR
	if create {
		flag |= os.O_CREATE
	}
	f, err := c.fs.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cf, ok := c.m[path]; ok { // lost a race: use the other one
		f.Close()
		if cf.elem != nil {
			c.idle.Remove(cf.elem)
			cf.elem = nil
		}
		cf.refs++
		return cf, nil
	}
	cf := &cachedFile{f: f, path: path, refs: 1}
	c.m[path] = cf
	c.evictLocked()
	c.gauge.Set(float64(len(c.m)))
	return cf, nil
}

func (c *fileCache) release(cf *cachedFile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cf.refs--
	if cf.refs > 0 {
		return
	}
	if cf.doomed {
		cf.f.Close()
		return
	}
	cf.elem = c.idle.PushBack(cf)
	c.evictLocked()
}

func (c *fileCache) evictLocked() {
	for len(c.m) > c.max && c.idle.Len() > 0 {
		cf := c.idle.Remove(c.idle.Front()).(*cachedFile)
		cf.elem = nil
		delete(c.m, cf.path)
		cf.f.Close()
	}
	c.gauge.Set(float64(len(c.m)))
}

// forget closes path (now, or when its last user releases it) so that the
// file can be removed or replaced.
func (c *fileCache) forget(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cf, ok := c.m[path]
	if !ok {
		return
	}
	delete(c.m, path)
	if cf.elem != nil {
		c.idle.Remove(cf.elem)
		cf.elem = nil
	}
	if cf.refs == 0 {
		cf.f.Close()
	} else {
		cf.doomed = true
	}
	c.gauge.Set(float64(len(c.m)))
}

func (c *fileCache) closeAll() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first error
	for p, cf := range c.m {
		if err := cf.f.Close(); err != nil && first == nil {
			first = fmt.Errorf("close %s: %w", p, err)
		}
		delete(c.m, p)
	}
	c.idle.Init()
	c.gauge.Set(0)
	return first
}

// withFile runs fn with path open.
func (c *fileCache) withFile(path string, create bool, fn func(f vfs.File) error) error {
	cf, err := c.acquire(path, create)
	if err != nil {
		return err
	}
	defer c.release(cf)
	return fn(cf.f)
}

type vfsFile = vfs.File
