package bench

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// Report is the result of a run (the JSON summary of --json).
type Report struct {
	Mode       Mode    `json:"mode"`
	Endpoint   string  `json:"endpoint"`
	Stream     string  `json:"stream"`
	Shards     int     `json:"shards"`
	Run        string  `json:"run"`
	Producers  int     `json:"producers,omitempty"`
	Consumers  string  `json:"consumers,omitempty"`
	Batch      int     `json:"batch"`
	RecordSize int     `json:"record_size"`
	Keys       string  `json:"keys"`
	TargetRate float64 `json:"target_rate"`
	// Seconds is the measured window: producers running (put, mixed) or
	// consumers running (get, efo, verify).
	Seconds float64 `json:"seconds"`

	Put    *PutStats        `json:"put,omitempty"`
	Read   *ReadStats       `json:"read,omitempty"`
	Errors map[string]int64 `json:"errors"`

	Client ProcStats  `json:"client"`
	Server *ProcStats `json:"server,omitempty"`

	Verify *Verification `json:"verify,omitempty"`
}

// PutStats are the producers' figures. MB are 10^6 bytes of record data.
type PutStats struct {
	Requests          int64   `json:"requests"`
	Records           int64   `json:"records"`
	Bytes             int64   `json:"bytes"`
	RecordsPerSec     float64 `json:"records_per_s"`
	RequestsPerSec    float64 `json:"requests_per_s"`
	MBPerSec          float64 `json:"mb_per_s"`
	Latency           Latency `json:"latency_ms"`
	ThrottledRequests int64   `json:"throttled_requests"`
	ThrottledRecords  int64   `json:"throttled_records"`
	FailedRecords     int64   `json:"failed_records"`
	AmbiguousRecords  int64   `json:"ambiguous_records"`
	Unacknowledged    int64   `json:"unacknowledged_at_end"`
}

// ReadStats are the consumers' figures.
type ReadStats struct {
	Kind          string  `json:"kind"` // poll or efo
	Requests      int64   `json:"requests"`
	Records       int64   `json:"records"`
	Bytes         int64   `json:"bytes"`
	RecordsPerSec float64 `json:"records_per_s"`
	MBPerSec      float64 `json:"mb_per_s"`
	EndToEnd      Latency `json:"end_to_end_latency_ms"`
	Foreign       int64   `json:"foreign_records"`
	Seconds       float64 `json:"seconds"`
}

// ProcStats is the CPU and memory of a process over the run.
type ProcStats struct {
	PID             int     `json:"pid,omitempty"`
	CPUSeconds      float64 `json:"cpu_s"`
	CPUMicrosPerRec float64 `json:"cpu_us_per_record"`
	// PeakRSSMB is the largest RSS seen (sampled every 100 ms for the
	// server; the kernel's peak for the client). HWMMB is the kernel's
	// VmHWM at the end, reset at the start when the kernel allowed it
	// (HWMReset).
	PeakRSSMB float64 `json:"peak_rss_mb"`
	HWMMB     float64 `json:"vm_hwm_mb,omitempty"`
	HWMReset  bool    `json:"vm_hwm_reset,omitempty"`
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}

// WriteText prints the report for people.
func (r *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "eddy bench %s  %s  stream %s (%d shards)  run %s  %.1f s\n", r.Mode, r.Endpoint, r.Stream, r.Shards, r.Run, r.Seconds)
	if p := r.Put; p != nil {
		op := fmt.Sprintf("PutRecords x %d", r.Batch)
		if r.Batch == 0 {
			op = "PutRecord"
		}
		fmt.Fprintf(w, "put    %s, %d B records, keys %s, %d producers\n", op, r.RecordSize, r.Keys, r.Producers)
		fmt.Fprintf(w, "       %s records/s  %.1f MB/s  %s requests/s  (%d records acknowledged)\n", commas(p.RecordsPerSec), p.MBPerSec, commas(p.RequestsPerSec), p.Records)
		fmt.Fprintf(w, "       latency ms  %s\n", latencyText(p.Latency))
		fmt.Fprintf(w, "       throttled: %d requests, %d entries; failed entries %d; lost responses (entries) %d; unacknowledged at end %d\n",
			p.ThrottledRequests, p.ThrottledRecords, p.FailedRecords, p.AmbiguousRecords, p.Unacknowledged)
	}
	if g := r.Read; g != nil {
		fmt.Fprintf(w, "read   %s consumers (%s): %s records/s  %.1f MB/s  %d records in %.1f s  (%d requests, %d foreign records)\n",
			g.Kind, r.Consumers, commas(g.RecordsPerSec), g.MBPerSec, g.Records, g.Seconds, g.Requests, g.Foreign)
		fmt.Fprintf(w, "       end-to-end ms  %s\n", latencyText(g.EndToEnd))
	}
	if len(r.Errors) > 0 {
		var parts []string
		for _, k := range sortedKeys(r.Errors) {
			parts = append(parts, fmt.Sprintf("%s %d", k, r.Errors[k]))
		}
		fmt.Fprintf(w, "errors %s\n", strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "client CPU %.2f s (%.3f µs/record), peak RSS %.0f MB\n", r.Client.CPUSeconds, r.Client.CPUMicrosPerRec, r.Client.PeakRSSMB)
	if s := r.Server; s != nil {
		fmt.Fprintf(w, "server pid %d: CPU %.2f s (%.3f µs/record), peak RSS %.0f MB (VmHWM %.0f MB, reset %v)\n", s.PID, s.CPUSeconds, s.CPUMicrosPerRec, s.PeakRSSMB, s.HWMMB, s.HWMReset)
	}
	if v := r.Verify; v != nil {
		verdict := "OK"
		if !v.OK {
			verdict = "FAILED"
		}
		fmt.Fprintf(w, "verify %s: %d acknowledged, %d read back exactly once, %d read; retry duplicates %d, unacknowledged present %d, not written %d, foreign %d\n",
			verdict, v.Acknowledged, v.ExactlyOnce, v.Read, v.RetryDuplicates, v.UnacknowledgedPresent, v.NotWritten, v.Foreign)
		for _, k := range sortedKeys(v.Counts) {
			fmt.Fprintf(w, "       %s: %d\n", k, v.Counts[k])
		}
		for _, x := range v.Violations {
			fmt.Fprintf(w, "       %s\n", x)
		}
		if n := sumCounts(v.Counts); n > int64(len(v.Violations)) {
			fmt.Fprintf(w, "       (%d more not listed)\n", n-int64(len(v.Violations)))
		}
	}
}

func sumCounts(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func latencyText(l Latency) string {
	if l.Count == 0 {
		return "(none)"
	}
	return fmt.Sprintf("p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (mean %.3f, n %d)", l.P50, l.P90, l.P99, l.P999, l.Max, l.Mean, l.Count)
}

// commas formats a rate with thousands separators.
func commas(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
