package blackbox

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// eddyBin is the binary TestMain built.
var eddyBin string

// TestMain builds the real eddy binary once for every test. `go test` puts
// its own toolchain first on PATH, so this builds with the same Go.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	dir, err := os.MkdirTemp("", "eddy-blackbox-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "blackbox:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	eddyBin = filepath.Join(dir, "eddy")
	start := time.Now()
	build := exec.Command("go", "build", "-o", eddyBin, "github.com/eddy-streams/eddy/cmd/eddy")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "blackbox: building cmd/eddy:", err)
		return 1
	}
	if testing.Verbose() {
		fmt.Fprintf(os.Stderr, "blackbox: built eddy in %s\n", time.Since(start).Round(time.Millisecond))
	}
	return m.Run()
}

// noteInputs stats every file the built server and the client scripts come
// from. `go test` caches a passing result keyed on the test binary and the
// files the test itself opened or stat'ed; this package imports nothing of
// eddy, and the server is built and the scripts are read by other
// processes, so without this a cached pass would survive any change to the
// server or the scripts. It must run inside a test (after m.Run has started
// recording), so startServer calls it once.
var noteInputs = sync.OnceValue(func() error {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return err
	}
	for _, p := range []string{"go.mod", "go.sum", "cmd", "internal", "test"} {
		err := filepath.WalkDir(filepath.Join(root, p), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			_, err = os.Stat(path)
			return err
		})
		if err != nil {
			return fmt.Errorf("noting the inputs of the build: %w", err)
		}
	}
	return nil
})
