package gen

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestGoPattern(t *testing.T) {
	for _, c := range []struct{ java, want, err string }{
		{`[a-zA-Z0-9_.-]+`, `[a-zA-Z0-9_.-]+`, ""},
		{`[\u0001-\uFFFF]*`, `[\x{0001}-\x{FFFF}]*`, ""},
		{`arn:aws:kinesisanalytics:[a-z]{2}-[a-z]+-\d{1}+:\d{12}+:application/x`, `arn:aws:kinesisanalytics:[a-z]{2}-[a-z]+-\d{1}:\d{12}:application/x`, ""},
		{`a*+b++c?+`, `a*b+c?`, ""},
		{`[+]+`, `[+]+`, ""},
		{`\++`, `\++`, ""},
		{`[]a]`, `[]a]`, ""},
		{`(?<name>x)`, `(?<name>x)`, ""},
		{`^(?!\s*$).+`, "", "lookaround"},
		{`(?<!-)x`, "", "lookaround"},
		{`(?=x)`, "", "lookaround"},
	} {
		got, err := goPattern(c.java)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.java, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %q %v, want %q", c.java, got, err, c.want)
		}
	}
}

func TestEnumConst(t *testing.T) {
	for _, c := range [][3]string{
		{"ShardIteratorType", "AT_SEQUENCE_NUMBER", "ShardIteratorTypeAtSequenceNumber"},
		{"MetricsName", "IncomingBytes", "MetricsNameIncomingBytes"},
		{"MetricsName", "ALL", "MetricsNameAll"},
		{"ContentType", "application/json", "ContentTypeApplicationJson"},
		{"Size", "1MB", "Size1mb"},
	} {
		if got := enumConst(c[0], c[1]); got != c[2] {
			t.Errorf("enumConst(%s, %s) = %s, want %s", c[0], c[1], got, c[2])
		}
	}
}

// generateInto generates model into a new package directory under testdata
// (inside the module, so that it can import internal packages) and returns
// its path; the directory is removed at the end of the test.
func generateInto(t *testing.T, m *Model, o *Overrides) string {
	t.Helper()
	files, err := Generate(m, Options{Package: "out", Overrides: o})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("testdata", "out-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// buildPackages compiles generated packages with the go command.
func buildPackages(t *testing.T, dirs ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("compiling generated packages takes seconds")
	}
	args := []string{"vet"}
	for _, d := range dirs {
		args = append(args, "./"+filepath.ToSlash(d))
	}
	out, err := exec.Command("go", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("go vet of generated code: %v\n%s", err, out)
	}
}

// The generator is not specific to Kinesis: a synthetic model with what
// Kinesis lacks (doubles, floats, a map of structures, a list of lists,
// wire names, an operation without input, a lookahead pattern) and the other
// json-protocol models in botocore generate code that compiles.
func TestGenerateOtherModels(t *testing.T) {
	synth, err := LoadModel("testdata/synthetic.json")
	if err != nil {
		t.Fatal(err)
	}
	synthDir := generateInto(t, synth, &Overrides{
		GoPattern: map[string]string{"Name": `[a-z:]+`},
		GoReject:  map[string]string{"Name": `aws:.*`},
	})
	src, _ := os.ReadFile(filepath.Join(synthDir, "validate_gen.go"))
	for _, want := range []string{
		`"Member must have value greater than or equal to 0.0"`,
		`"Member must satisfy constraint: [Member must have value less than or equal to 5, Member must have value greater than or equal to -5]"`,
		`codec.Entry(&p, k)`,
		`codec.MustPattern("[a-z:]+").Rejecting("aws:.*")`,
		`"Member must satisfy regular expression pattern: ^(?!aws:)[a-z:]+$"`,
	} {
		if !strings.Contains(string(src), want) {
			t.Errorf("synthetic validate_gen.go lacks %s", want)
		}
	}
	api, _ := os.ReadFile(filepath.Join(synthDir, "api_gen.go"))
	if !strings.Contains(string(api), "Ping(ctx context.Context, in *codec.EmptyInput) error") {
		t.Errorf("operation without input: %s", api)
	}
	dirs := []string{synthDir}
	firehose, err := LoadOverrides("testdata/firehose-overrides.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range []string{"firehose/2015-08-04", "kinesisanalytics/2015-08-14"} {
		paths := ModelCandidates(svc, os.Getenv("BOTOCORE_DATA"))
		if len(paths) == 0 {
			t.Logf("no %s model on this machine", svc)
			continue
		}
		m, err := LoadModel(paths[0])
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, generateInto(t, m, firehose))
	}
	buildPackages(t, dirs...)
}
