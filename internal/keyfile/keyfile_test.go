package keyfile

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy/internal/vfs"
)

func TestLoadOrCreateReuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "iterator.key")
	a, err := LoadOrCreate(vfs.OS, path, 32)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadOrCreate(vfs.OS, path, 32)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) || len(a) != 32 {
		t.Fatal("key not reused")
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
}

func TestCorruptAndNewerRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k")
	if _, err := LoadOrCreate(vfs.OS, path, 32); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	b[20] ^= 1
	os.WriteFile(path, b, 0o600)
	if _, err := LoadOrCreate(vfs.OS, path, 32); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("corrupt key accepted: %v", err)
	}
	b[20] ^= 1
	b[9] = 2 // version 2
	os.WriteFile(path, b, 0o600)
	if _, err := LoadOrCreate(vfs.OS, path, 32); err == nil || !strings.Contains(err.Error(), "version 2, this eddy supports version 1") {
		t.Fatalf("newer version: %v", err)
	}
}

// TestHeaderLayout fails when the encoded header changes: bump Version and
// update docs/format/keyfile.md instead of editing this test.
func TestHeaderLayout(t *testing.T) {
	got := hex.EncodeToString(encode(make([]byte, 4)))
	want := "454444594b455900" + "0001" + "0004" + "00000000" + "387d4c22"
	if got != want {
		t.Fatalf("header layout changed: %s", got)
	}
}
