package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/eddy-streams/eddy"

// pkgFiles maps a package's import path to its parsed non-test files.
func loadPackages(t *testing.T) map[string][]*ast.File {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	pkgs := map[string][]*ast.File{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		ip := module
		if rel != "." {
			ip += "/" + filepath.ToSlash(rel)
		}
		pkgs[ip] = append(pkgs[ip], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func imports(files []*ast.File) []string {
	var out []string
	for _, f := range files {
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			out = append(out, p)
		}
	}
	return out
}

func under(path, prefix string) bool {
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// services are the domain packages that sit on top of the storage and protocol layers.
var services = []string{"streams", "firehose", "sql", "functions", "console", "video", "server"}

// TestImportDirection checks that imports run one way.
func TestImportDirection(t *testing.T) {
	pkgs := loadPackages(t)
	if len(pkgs) == 0 {
		t.Fatal("no packages found")
	}
	lower := []string{"logstore", "meta", "vfs", "clock", "awsproto"}
	for pkg, files := range pkgs {
		for _, imp := range imports(files) {
			if under(imp, module+"/cmd") {
				t.Errorf("%s imports %s: nothing may import cmd/", pkg, imp)
			}
			for _, l := range lower {
				if !under(pkg, module+"/internal/"+l) {
					continue
				}
				for _, s := range services {
					if under(imp, module+"/internal/"+s) {
						t.Errorf("%s imports %s: %s must not depend on services", pkg, imp, l)
					}
				}
			}
			if under(pkg, module+"/internal/logstore") && (under(imp, module+"/internal/meta") || under(imp, module+"/internal/awsproto")) {
				t.Errorf("%s imports %s: logstore knows nothing of the catalog or the wire", pkg, imp)
			}
			if under(pkg, module+"/internal/meta") && (under(imp, module+"/internal/logstore") || under(imp, module+"/internal/awsproto")) {
				t.Errorf("%s imports %s: meta knows nothing of the log or the wire", pkg, imp)
			}
			// Public packages (outside internal/ and cmd/) are what users
			// import: they must not pull in the server's storage engines.
			if !under(pkg, module+"/internal") && !under(pkg, module+"/cmd") && pkg != module {
				for _, heavy := range []string{"go.etcd.io/bbolt", module + "/internal/logstore", module + "/internal/server"} {
					if under(imp, heavy) {
						t.Errorf("public package %s imports %s", pkg, imp)
					}
				}
			}
		}
	}
}

// TestOnlyCmdReadsEnvironment checks that flags and environment variables are
// read in cmd/ only; everything else takes typed options.
func TestOnlyCmdReadsEnvironment(t *testing.T) {
	root, _ := filepath.Abs("../..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		if strings.Contains(filepath.ToSlash(path), "/internal/tools/") || strings.Contains(filepath.ToSlash(path), "/internal/testenv/") {
			return nil // generators are commands of their own; testenv is test support that clears AWS_* variables
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			switch {
			case id.Name == "os" && (sel.Sel.Name == "Getenv" || sel.Sel.Name == "LookupEnv" || sel.Sel.Name == "Environ" || sel.Sel.Name == "Args"):
				t.Errorf("%s: os.%s outside cmd/", fset.Position(sel.Pos()), sel.Sel.Name)
			case id.Name == "flag" && sel.Sel.Name != "":
				t.Errorf("%s: flag.%s outside cmd/", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPackageComments checks that every package says what it is for.
func TestPackageComments(t *testing.T) {
	root, _ := filepath.Abs("../..")
	fset := token.NewFileSet()
	has := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		if _, seen := has[dir]; !seen {
			has[dir] = false
		}
		if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
			has[dir] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir, ok := range has {
		if !ok {
			rel, _ := filepath.Rel(root, dir)
			t.Errorf("package %s has no package comment", rel)
		}
	}
}
