package awsproto

import (
	"fmt"
	"time"

	"github.com/VictoriaMetrics/metrics"
)

// handlerMetrics holds the instruments of one Handler. Per-operation
// instruments are created up front so that a request only touches atomics;
// error counters, one per (operation, exception type), are created on first
// use since errors are the uncommon path.
type handlerMetrics struct {
	set *metrics.Set
}

type opMetrics struct {
	requests *metrics.Counter
	duration *metrics.Histogram
	labels   string // service="...",operation="..."
}

func newHandlerMetrics(set *metrics.Set) *handlerMetrics {
	return &handlerMetrics{set: set}
}

func (m *handlerMetrics) forOp(s *Service, op string) *opMetrics {
	if m.set == nil {
		return nil
	}
	labels := fmt.Sprintf(`service=%q,operation=%q`, s.SigningName, op)
	return &opMetrics{
		requests: m.set.GetOrCreateCounter(`eddy_api_requests_total{` + labels + `}`),
		duration: m.set.GetOrCreateHistogram(`eddy_api_request_duration_seconds{` + labels + `}`),
		labels:   labels,
	}
}

// observe records a finished request. Requests that never reached an
// operation (unknown targets, bad content types, CORS) count as protocol
// requests.
func (m *handlerMetrics) observe(q *request, elapsed time.Duration) {
	if m.set == nil {
		return
	}
	var om *opMetrics
	if q.op != nil {
		om = q.op.metrics
	}
	if om == nil {
		m.set.GetOrCreateCounter(`eddy_api_protocol_requests_total`).Inc()
		if q.errType != "" {
			m.set.GetOrCreateCounter(fmt.Sprintf(`eddy_api_protocol_errors_total{type=%q}`, q.errType)).Inc()
		}
		return
	}
	om.requests.Inc()
	om.duration.Update(elapsed.Seconds())
	if q.errType != "" {
		m.set.GetOrCreateCounter(fmt.Sprintf(`eddy_api_errors_total{%s,type=%q}`, om.labels, q.errType)).Inc()
	}
}
