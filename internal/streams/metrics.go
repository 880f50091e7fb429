package streams

import "github.com/VictoriaMetrics/metrics"

// serviceMetrics are the service-level counters (the per-stream and
// per-shard metrics of enhanced monitoring come with observability).
type serviceMetrics struct {
	recordsIn     *metrics.Counter
	bytesIn       *metrics.Counter
	recordsOut    *metrics.Counter
	bytesOut      *metrics.Counter
	putThrottled  *metrics.Counter
	readThrottled *metrics.Counter
}

func newServiceMetrics(set *metrics.Set) *serviceMetrics {
	return &serviceMetrics{
		recordsIn:     set.GetOrCreateCounter(`eddy_streams_incoming_records_total`),
		bytesIn:       set.GetOrCreateCounter(`eddy_streams_incoming_bytes_total`),
		recordsOut:    set.GetOrCreateCounter(`eddy_streams_outgoing_records_total`),
		bytesOut:      set.GetOrCreateCounter(`eddy_streams_outgoing_bytes_total`),
		putThrottled:  set.GetOrCreateCounter(`eddy_streams_write_throttled_records_total`),
		readThrottled: set.GetOrCreateCounter(`eddy_streams_read_throttled_calls_total`),
	}
}
