package awsproto

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/VictoriaMetrics/metrics"
)

// benchWriter is a minimal ResponseWriter so that the benchmark measures the
// handler, not a recorder.
type benchWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) WriteHeader(s int)           { w.status = s }
func (w *benchWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// benchInput stands in for a generated PutRecords input: it scans the body
// once, as a decoder would, without keeping it.
type benchInput struct{ n int }

func (in *benchInput) DecodeAWS(_ Encoding, body []byte) error {
	in.n = bytes.Count(body, []byte(`"Data"`))
	return nil
}
func (in *benchInput) Validate() error { return nil }

// BenchmarkHandler measures the protocol overhead of one request: dispatch,
// SigV4 parsing, body reading, response headers and encoding.
func BenchmarkHandler(b *testing.B) {
	out := rawOutput(`{"FailedRecordCount":0,"Records":[{"SequenceNumber":"49590338271490256608559692538361571095921575989136588898","ShardId":"shardId-000000000000"}]}`)
	svc := &Service{TargetPrefix: testPrefix, SigningName: "kinesis", Operations: map[string]*Operation{
		"PutRecords": {Name: "PutRecords", NewInput: func() Input { return &benchInput{} },
			Call: func(context.Context, Input) (Output, error) { return out, nil }},
	}}
	for _, records := range []int{1, 100, 500} {
		var body bytes.Buffer
		body.WriteString(`{"StreamName":"s","Records":[`)
		for i := range records {
			if i > 0 {
				body.WriteByte(',')
			}
			fmt.Fprintf(&body, `{"Data":"%s","PartitionKey":"pk-%d"}`, bytes.Repeat([]byte("QUJD"), 256), i)
		}
		body.WriteString(`]}`)
		for _, withMetrics := range []bool{false, true} {
			opts := HandlerOptions{}
			if withMetrics {
				opts.Metrics = metrics.NewSet()
			}
			h, err := NewHandler(opts, svc)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("records=%d/metrics=%v", records, withMetrics), func(b *testing.B) {
				raw := body.Bytes()
				rd := bytes.NewReader(raw)
				r, _ := http.NewRequest("POST", "http://127.0.0.1:4567/", io.NopCloser(rd))
				r.ContentLength = int64(len(raw))
				r.Header.Set("Content-Type", ctJSON)
				r.Header.Set("X-Amz-Target", testPrefix+".PutRecords")
				r.Header.Set("Authorization", goodAuth)
				r.Header.Set("X-Amz-Date", "20240102T030405Z")
				w := &benchWriter{h: http.Header{}}
				b.SetBytes(int64(len(raw)))
				b.ReportAllocs()
				for b.Loop() {
					rd.Reset(raw)
					clear(w.h)
					h.ServeHTTP(w, r)
					if w.status != 200 {
						b.Fatalf("status %d", w.status)
					}
				}
			})
		}
	}
}
