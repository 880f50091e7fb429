// Package keyfile keeps the server's secret keys in the data directory: the
// key that seals shard iterators and the master key that wraps per-stream
// data keys. A key is created on first start and reused afterwards, so
// iterators and encrypted records survive restarts. The format is in
// docs/format/keyfile.md.
package keyfile

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/eddy-streams/eddy/internal/vfs"
)

// Magic starts every key file.
var Magic = [8]byte{'E', 'D', 'D', 'Y', 'K', 'E', 'Y', 0}

// Version is the key file format version this build writes and reads.
const Version = 1

const headerLen = 8 + 2 + 2 // magic, version, key length

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt reports a key file that exists but cannot be read back intact.
var ErrCorrupt = errors.New("key file corrupt")

// LoadOrCreate returns the size-byte key stored at path, creating it with
// random bytes (durably: file and directory synced) if it does not exist.
func LoadOrCreate(fsys vfs.FS, path string, size int) ([]byte, error) {
	key, err := load(fsys, path, size)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	key = make([]byte, size)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generate key %s: %w", path, err)
	}
	if err := write(fsys, path, key); err != nil {
		return nil, err
	}
	return key, nil
}

func encode(key []byte) []byte {
	buf := make([]byte, headerLen, headerLen+len(key)+4)
	copy(buf, Magic[:])
	binary.BigEndian.PutUint16(buf[8:], Version)
	binary.BigEndian.PutUint16(buf[10:], uint16(len(key)))
	buf = append(buf, key...)
	return binary.BigEndian.AppendUint32(buf, crc32.Checksum(buf, castagnoli))
}

func decode(path string, b []byte, size int) ([]byte, error) {
	if len(b) < headerLen+4 || !bytes.Equal(b[:8], Magic[:]) {
		return nil, fmt.Errorf("%s: %w: bad magic", path, ErrCorrupt)
	}
	if v := binary.BigEndian.Uint16(b[8:]); v != Version {
		return nil, fmt.Errorf("%s: key file format version %d, this eddy supports version %d", path, v, Version)
	}
	n := int(binary.BigEndian.Uint16(b[10:]))
	if len(b) != headerLen+n+4 {
		return nil, fmt.Errorf("%s: %w: length %d does not match key length %d", path, ErrCorrupt, len(b), n)
	}
	body := b[:headerLen+n]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(b[headerLen+n:]) {
		return nil, fmt.Errorf("%s: %w: checksum mismatch", path, ErrCorrupt)
	}
	if n != size {
		return nil, fmt.Errorf("%s: key is %d bytes, want %d", path, n, size)
	}
	return append([]byte(nil), b[headerLen:headerLen+n]...), nil
}

func load(fsys vfs.FS, path string, size int) ([]byte, error) {
	f, err := fsys.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<16))
	if err != nil {
		return nil, fmt.Errorf("read key %s: %w", path, err)
	}
	return decode(path, b, size)
}

// write stores the key via a temporary file and a rename, so a crash leaves
// either no key file or a complete one.
func write(fsys vfs.FS, path string, key []byte) error {
	dir := filepath.Dir(path)
	if err := fsys.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create key directory: %w", err)
	}
	tmp := path + ".tmp"
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("create key %s: %w", path, err)
	}
	if _, err := f.Write(encode(key)); err != nil {
		f.Close()
		return fmt.Errorf("write key %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close key %s: %w", path, err)
	}
	if err := fsys.Rename(tmp, path); err != nil {
		return fmt.Errorf("install key %s: %w", path, err)
	}
	if err := fsys.SyncDir(dir); err != nil {
		return fmt.Errorf("sync key directory: %w", err)
	}
	return nil
}
