// Command apigen generates a Go API package (shapes, JSON and CBOR codecs,
// validation, the typed API and its awsproto.Service) from a botocore model
// of an AWS "json" protocol service. See internal/kinesisapi/generate.go.
//
//	apigen -model path/to/service-2.json.gz -package kinesisapi -out DIR [-overrides FILE]
//	apigen -service kinesis/2013-12-02 [-botocore DIR] ...
//
// With -service, the model is looked up in botocore's data directory: -botocore,
// else $BOTOCORE_DATA, else the botocore package of the python3 on PATH.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/eddy-streams/eddy/internal/tools/apigen/gen"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "apigen:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("apigen", flag.ContinueOnError)
	model := fs.String("model", "", "botocore service-2.json(.gz) to generate from")
	service := fs.String("service", "", "service/version in botocore's data directory, e.g. kinesis/2013-12-02")
	botocore := fs.String("botocore", "", "botocore data directory (for -service)")
	pkg := fs.String("package", "", "Go package name")
	out := fs.String("out", ".", "output directory")
	overrides := fs.String("overrides", "", "overrides JSON file (optional)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pkg == "" {
		return errors.New("-package is required")
	}
	path := *model
	if path == "" {
		if *service == "" {
			return errors.New("one of -model and -service is required")
		}
		var err error
		if path, err = findModel(*botocore, *service); err != nil {
			return err
		}
	}
	m, err := gen.LoadModel(path)
	if err != nil {
		return err
	}
	opts := gen.Options{Package: *pkg}
	if *overrides != "" {
		if opts.Overrides, err = gen.LoadOverrides(*overrides); err != nil {
			return err
		}
	}
	files, err := gen.Generate(m, opts)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(*out, name), files[name], 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	fmt.Fprintf(os.Stderr, "apigen: %s (sha256 %s) -> %s\n", path, m.SHA256, strings.Join(names, " "))
	return nil
}

// findModel locates service-2.json(.gz) of service in botocore's data.
func findModel(dir, service string) (string, error) {
	if dir == "" {
		dir = os.Getenv("BOTOCORE_DATA")
	}
	if dir == "" {
		out, err := exec.Command("python3", "-c", "import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), 'data'))").Output()
		if err != nil {
			return "", fmt.Errorf("locate botocore (give -botocore or -model): %w", err)
		}
		dir = strings.TrimSpace(string(out))
	}
	for _, name := range []string{"service-2.json.gz", "service-2.json"} {
		p := filepath.Join(dir, service, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no service-2.json(.gz) for %s under %s", service, dir)
}
