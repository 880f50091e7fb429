package blackbox

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
