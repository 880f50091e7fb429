// Command report turns the raw results of bench/compare.sh into
// results.json, a markdown table with ratios (results.md), an SVG chart
// (chart.svg), and the "Side by side" section of BENCHMARKS.md (between the
// side-by-side markers).
//
// The raw directory holds one `eddy bench --json` output per case, named
// SERVER_SHARDS_WORKLOAD_CONSUMER.json, or a .skip/.err file with the reason
// a case did not run, plus disk.json (bench/diskbw) and meta.json.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/eddy-streams/eddy/internal/bench"
)

// Servers in table order; "sink" is the HTTP ceiling.
var servers = []string{"eddy", "kinesalite", "kinesis-local"}

var workloads = []struct{ name, label string }{
	{"put500x100", "PutRecords 500 × 100 B"},
	{"put500x1k", "PutRecords 500 × 1 KiB"},
	{"single100", "PutRecord 100 B"},
}

// Meta describes the run (written by compare.sh).
type Meta struct {
	Date     string `json:"date"`
	Title    string `json:"title"`
	Duration string `json:"duration"`
	Machine  string `json:"machine"`
	Command  string `json:"command"`
	Versions string `json:"versions"`
	Notes    string `json:"notes"`
}

// Case is one server × shards × workload × consumer.
type Case struct {
	Server   string        `json:"server"`
	Shards   int           `json:"shards"`
	Workload string        `json:"workload"`
	Consumer string        `json:"consumer"` // none or poll
	Status   string        `json:"status"`   // ok, skipped or failed
	Reason   string        `json:"reason,omitempty"`
	Report   *bench.Report `json:"report,omitempty"`
}

// Results is results.json.
type Results struct {
	Meta  Meta            `json:"meta"`
	Disk  json.RawMessage `json:"disk,omitempty"`
	Cases []Case          `json:"cases"`
}

func main() {
	raw := flag.String("raw", "", "raw results `directory`")
	out := flag.String("out", "", "output `directory` (results.json, results.md, chart.svg)")
	benchmarks := flag.String("benchmarks", "", "BENCHMARKS.md to update (empty: leave alone)")
	flag.Parse()
	if *raw == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: report -raw DIR -out DIR [-benchmarks BENCHMARKS.md]")
		os.Exit(2)
	}
	if err := run(*raw, *out, *benchmarks); err != nil {
		fmt.Fprintf(os.Stderr, "report: %v\n", err)
		os.Exit(1)
	}
}

func run(raw, out, benchmarks string) error {
	res, err := load(raw)
	if err != nil {
		return err
	}
	b, _ := json.MarshalIndent(res, "", "  ")
	if err := os.WriteFile(filepath.Join(out, "results.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	md := markdown(res, "chart.svg")
	if err := os.WriteFile(filepath.Join(out, "results.md"), []byte(md), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "chart.svg"), []byte(chart(res)), 0o644); err != nil {
		return err
	}
	if benchmarks == "" {
		return nil
	}
	rel, err := filepath.Rel(filepath.Dir(benchmarks), filepath.Join(out, "chart.svg"))
	if err != nil {
		return err
	}
	return updateSection(benchmarks, markdown(res, filepath.ToSlash(rel)))
}

func load(raw string) (*Results, error) {
	res := &Results{}
	if b, err := os.ReadFile(filepath.Join(raw, "meta.json")); err == nil {
		if err := json.Unmarshal(b, &res.Meta); err != nil {
			return nil, fmt.Errorf("meta.json: %w", err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(raw, "disk.json")); err == nil {
		res.Disk = json.RawMessage(strings.TrimSpace(string(b)))
	}
	entries, err := os.ReadDir(raw)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := e.Name()
		ext := filepath.Ext(name)
		if ext != ".json" && ext != ".skip" && ext != ".err" || name == "meta.json" || name == "disk.json" {
			continue
		}
		parts := strings.Split(strings.TrimSuffix(name, ext), "_")
		if len(parts) != 4 {
			continue
		}
		shards, err := strconv.Atoi(parts[1])
		if err != nil {
			continue
		}
		c := Case{Server: parts[0], Shards: shards, Workload: parts[2], Consumer: parts[3]}
		b, err := os.ReadFile(filepath.Join(raw, name))
		if err != nil {
			return nil, err
		}
		switch ext {
		case ".json":
			c.Status = "ok"
			c.Report = new(bench.Report)
			if err := json.Unmarshal(b, c.Report); err != nil {
				c.Status, c.Reason, c.Report = "failed", "unreadable output: "+err.Error(), nil
			}
		case ".skip":
			c.Status, c.Reason = "skipped", oneLine(string(b))
		case ".err":
			c.Status, c.Reason = "failed", oneLine(string(b))
		}
		res.Cases = append(res.Cases, c)
	}
	sort.Slice(res.Cases, func(i, j int) bool {
		a, b := res.Cases[i], res.Cases[j]
		if a.Workload != b.Workload {
			return workloadIndex(a.Workload) < workloadIndex(b.Workload)
		}
		if a.Shards != b.Shards {
			return a.Shards < b.Shards
		}
		if a.Consumer != b.Consumer {
			return a.Consumer < b.Consumer
		}
		return a.Server < b.Server
	})
	return res, nil
}

func workloadIndex(w string) int {
	for i, x := range workloads {
		if x.name == w {
			return i
		}
	}
	return len(workloads)
}

func workloadLabel(w string) string {
	if i := workloadIndex(w); i < len(workloads) {
		return workloads[i].label
	}
	return w
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func (r *Results) find(server string, shards int, workload, consumer string) *Case {
	for i := range r.Cases {
		c := &r.Cases[i]
		if c.Server == server && c.Shards == shards && c.Workload == workload && c.Consumer == consumer {
			return c
		}
	}
	return nil
}

// rows are the distinct (workload, shards, consumer) of the peers' cases.
type row struct {
	workload, consumer string
	shards             int
}

func (r *Results) rows() []row {
	var out []row
	seen := map[row]bool{}
	for _, c := range r.Cases {
		if c.Server == "sink" {
			continue
		}
		k := row{c.Workload, c.Consumer, c.Shards}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
