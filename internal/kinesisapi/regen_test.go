package kinesisapi

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy/internal/tools/apigen/gen"
)

// TestGeneratedCodeIsCurrent regenerates the package from the model it was
// generated from, if that model is on this machine, and compares.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	var model *gen.Model
	var seen []string
	for _, f := range gen.ModelCandidates("kinesis/2013-12-02", os.Getenv("BOTOCORE_DATA")) {
		m, err := gen.LoadModel(f)
		if err != nil {
			t.Fatal(err)
		}
		if m.SHA256 == ModelSHA256 {
			model = m
			break
		}
		seen = append(seen, f+" ("+m.SHA256[:12]+")")
	}
	if model == nil {
		t.Skipf("model sha256 %s not found; other versions: %s", ModelSHA256[:12], strings.Join(seen, ", "))
	}
	overrides, err := gen.LoadOverrides("apigen.json")
	if err != nil {
		t.Fatal(err)
	}
	files, err := gen.Generate(model, gen.Options{Package: "kinesisapi", Overrides: overrides})
	if err != nil {
		t.Fatal(err)
	}
	committed, _ := filepath.Glob("*_gen.go")
	for _, name := range committed {
		if _, ok := files[name]; !ok {
			t.Errorf("%s is no longer generated", name)
		}
	}
	dir := t.TempDir()
	for name, want := range files {
		got, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("%s: %v (run go generate)", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			_ = os.WriteFile(filepath.Join(dir, name), want, 0o644)
			t.Errorf("%s differs from a fresh generation (in %s): run go generate ./internal/kinesisapi", name, dir)
		}
	}
}
