package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

const (
	beginMarker = "<!-- side-by-side:begin (written by bench/report; do not edit by hand) -->"
	endMarker   = "<!-- side-by-side:end -->"
)

func rate(c *Case) (float64, bool) {
	if c == nil || c.Status != "ok" || c.Report.Put == nil {
		return 0, false
	}
	return c.Report.Put.RecordsPerSec, true
}

// cell formats one case's value, or why there is none.
func cell(c *Case, notes *[]string, f func(*Case) string) string {
	switch {
	case c == nil:
		return "—"
	case c.Status == "ok":
		return f(c)
	default:
		*notes = append(*notes, fmt.Sprintf("%s, %d shards, %s, consumer %s: %s: %s", c.Server, c.Shards, workloadLabel(c.Workload), c.Consumer, c.Status, c.Reason))
		return fmt.Sprintf("%s[^%d]", c.Status, len(*notes))
	}
}

func num(v float64) string {
	switch {
	case v >= 100:
		return commas(v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func commas(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func ratio(a, b *Case) string {
	x, ok1 := rate(a)
	y, ok2 := rate(b)
	if !ok1 || !ok2 || y == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f×", x/y)
}

func consumerLabel(c string) string {
	if c == "poll" {
		return "tailing"
	}
	return "none"
}

// markdown renders the tables; chartPath is how the text links the chart.
func markdown(r *Results, chartPath string) string {
	var b strings.Builder
	var notes []string
	m := r.Meta
	if m.Title != "" {
		fmt.Fprintf(&b, "**%s** (%s)\n\n", m.Title, m.Date)
	}
	if m.Machine != "" {
		fmt.Fprintf(&b, "Machine: %s\n\n", m.Machine)
	}
	if m.Versions != "" {
		fmt.Fprintf(&b, "Servers: %s\n\n", m.Versions)
	}
	if m.Command != "" {
		fmt.Fprintf(&b, "Command:\n\n```sh\n%s\n```\n\n", m.Command)
	}
	fmt.Fprintf(&b, "Every workload is driven by `eddy bench` (%s per case, identical flags for every server). "+
		"Each server is started fresh on loopback with its artificial delays set to zero. eddy acknowledges only after fsync "+
		"(default durability); kinesalite keeps streams in memory (its default) and kinesis-local does not persist (its default). "+
		"\"tailing\" adds polling consumers that read every record back; the integrity column says whether every acknowledged "+
		"record was read back exactly once, intact and in order.\n\n", orDash(m.Duration))
	if m.Notes != "" {
		fmt.Fprintf(&b, "%s\n\n", m.Notes)
	}
	fmt.Fprintf(&b, "![records per second and server CPU per record](%s)\n\n", chartPath)

	b.WriteString("Throughput (acknowledged records/s; MB/s for 1 KiB records) and integrity:\n\n")
	b.WriteString("| workload | shards | consumer | eddy | kinesalite | kinesis-local | eddy / kinesalite | eddy / kinesis-local | integrity (eddy, kinesalite, kinesis-local) |\n")
	b.WriteString("|---|---:|---|---:|---:|---:|---:|---:|---|\n")
	for _, w := range r.rows() {
		cs := make([]*Case, len(servers))
		for i, s := range servers {
			cs[i] = r.find(s, w.shards, w.workload, w.consumer)
		}
		fmt.Fprintf(&b, "| %s | %d | %s |", workloadLabel(w.workload), w.shards, consumerLabel(w.consumer))
		for _, c := range cs {
			fmt.Fprintf(&b, " %s |", cell(c, &notes, func(c *Case) string {
				s := commas(c.Report.Put.RecordsPerSec)
				if c.Report.RecordSize >= 1000 {
					s += fmt.Sprintf(" (%.0f MB/s)", c.Report.Put.MBPerSec)
				}
				return s
			}))
		}
		fmt.Fprintf(&b, " %s | %s | %s |\n", ratio(cs[0], cs[1]), ratio(cs[0], cs[2]), integrity(cs))
	}

	b.WriteString("\nServer CPU per acknowledged record (µs; with a tailing consumer the server also serves the reads) and peak RSS (MB):\n\n")
	b.WriteString("| workload | shards | consumer | eddy CPU | kinesalite CPU | kinesis-local CPU | eddy RSS | kinesalite RSS | kinesis-local RSS | eddy bench CPU (on eddy) |\n")
	b.WriteString("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, w := range r.rows() {
		fmt.Fprintf(&b, "| %s | %d | %s |", workloadLabel(w.workload), w.shards, consumerLabel(w.consumer))
		for _, s := range servers {
			c := r.find(s, w.shards, w.workload, w.consumer)
			fmt.Fprintf(&b, " %s |", cell(c, &notes, func(c *Case) string {
				if c.Report.Server == nil {
					return "—"
				}
				return num(c.Report.Server.CPUMicrosPerRec)
			}))
		}
		for _, s := range servers {
			c := r.find(s, w.shards, w.workload, w.consumer)
			fmt.Fprintf(&b, " %s |", cell(c, &notes, func(c *Case) string {
				if c.Report.Server == nil {
					return "—"
				}
				return fmt.Sprintf("%.0f", c.Report.Server.PeakRSSMB)
			}))
		}
		c := r.find("eddy", w.shards, w.workload, w.consumer)
		fmt.Fprintf(&b, " %s |\n", cell(c, &notes, func(c *Case) string { return num(c.Report.Client.CPUMicrosPerRec) }))
	}

	b.WriteString("\nLatency (ms, p50 / p99): PutRecord(s) round trip, and end to end (timestamp in the record → read by the tailing consumer):\n\n")
	b.WriteString("| workload | shards | consumer | eddy put | kinesalite put | kinesis-local put | eddy end-to-end | kinesalite end-to-end | kinesis-local end-to-end |\n")
	b.WriteString("|---|---:|---|---:|---:|---:|---:|---:|---:|\n")
	for _, w := range r.rows() {
		fmt.Fprintf(&b, "| %s | %d | %s |", workloadLabel(w.workload), w.shards, consumerLabel(w.consumer))
		for _, s := range servers {
			c := r.find(s, w.shards, w.workload, w.consumer)
			fmt.Fprintf(&b, " %s |", cell(c, &notes, func(c *Case) string {
				l := c.Report.Put.Latency
				return fmt.Sprintf("%s / %s", num(l.P50), num(l.P99))
			}))
		}
		for _, s := range servers {
			c := r.find(s, w.shards, w.workload, w.consumer)
			fmt.Fprintf(&b, " %s |", cell(c, &notes, func(c *Case) string {
				if c.Report.Read == nil || c.Report.Read.EndToEnd.Count == 0 {
					return "—"
				}
				l := c.Report.Read.EndToEnd
				return fmt.Sprintf("%s / %s", num(l.P50), num(l.P99))
			}))
		}
		b.WriteString("\n")
	}

	b.WriteString("\nCeilings of this machine in the same run:\n\n")
	b.WriteString("| ceiling | result |\n|---|---|\n")
	for _, w := range workloads {
		c := r.find("sink", 1, w.name, "none")
		fmt.Fprintf(&b, "| HTTP only (bench/sink reads and discards the bodies), %s | %s |\n", w.label, cell(c, &notes, func(c *Case) string {
			s := fmt.Sprintf("%s records/s", commas(c.Report.Put.RecordsPerSec))
			if c.Report.Server != nil {
				s += fmt.Sprintf(", sink CPU %s µs/record", num(c.Report.Server.CPUMicrosPerRec))
			}
			return s + fmt.Sprintf(", eddy bench CPU %s µs/record", num(c.Report.Client.CPUMicrosPerRec))
		}))
	}
	if len(r.Disk) > 0 {
		var d struct {
			Seq   float64 `json:"seq_sync_mb_per_s"`
			Small float64 `json:"small_sync_writes_per_s"`
			Lat   float64 `json:"small_sync_write_ms"`
		}
		if json.Unmarshal(r.Disk, &d) == nil {
			fmt.Fprintf(&b, "| disk, sequential 1 MiB writes + fdatasync (bench/diskbw) | %.0f MB/s |\n", d.Seq)
			fmt.Fprintf(&b, "| disk, 4 KiB writes + fdatasync | %s/s (%.2f ms each) |\n", commas(d.Small), d.Lat)
		}
	}
	if len(notes) > 0 {
		b.WriteString("\n")
		for i, n := range notes {
			fmt.Fprintf(&b, "[^%d]: %s\n", i+1, n)
		}
	}
	return b.String()
}

func integrity(cs []*Case) string {
	var parts []string
	for _, c := range cs {
		switch {
		case c == nil || c.Status != "ok":
			parts = append(parts, "—")
		case c.Report.Verify == nil:
			parts = append(parts, "n/a")
		case c.Report.Verify.OK:
			parts = append(parts, "ok")
		default:
			parts = append(parts, fmt.Sprintf("**%d violations**", sum(c.Report.Verify.Counts)))
		}
	}
	return strings.Join(parts, ", ")
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// updateSection replaces the text between the markers in path, adding a
// "Side by side" section at the end when the markers are missing.
func updateSection(path, body string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(old)
	block := beginMarker + "\n" + body + endMarker
	i, j := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	if i >= 0 && j > i {
		s = s[:i] + block + s[j+len(endMarker):]
	} else {
		s = strings.TrimRight(s, "\n") + "\n\n## Side by side\n\n" + block + "\n"
	}
	return os.WriteFile(path, []byte(s), 0o644)
}
