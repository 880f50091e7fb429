package streams

import (
	"sync"
	"time"

	"github.com/eddy-streams/eddy/internal/logstore"
)

// Throughput limits. With Limits.AWS (eddy serve --limits aws) every shard
// gets AWS's quotas: 1 MiB/s and 1,000 records/s of writes (partition keys
// count), 2 MiB/s and 5 GetRecords calls/s of shared reads (a 10 MiB read
// leaves the shard in debt, so calls in the following ~5 s are throttled, as
// on AWS). Streams listed in Limits.Streams get their own quotas whether or
// not AWS limits are on. Without either, no throughput limit applies and the
// data path does not consult this code.

// ShardLimits are one shard's quotas; zero means unlimited.
type ShardLimits struct {
	WriteBytesPerSec   float64 `yaml:"write_bytes_per_sec" toml:"write_bytes_per_sec"`
	WriteRecordsPerSec float64 `yaml:"write_records_per_sec" toml:"write_records_per_sec"`
	ReadBytesPerSec    float64 `yaml:"read_bytes_per_sec" toml:"read_bytes_per_sec"`
	ReadCallsPerSec    float64 `yaml:"read_calls_per_sec" toml:"read_calls_per_sec"`
	// ConsumerBytesPerSec is each enhanced fan-out consumer's rate per shard.
	ConsumerBytesPerSec float64 `yaml:"consumer_bytes_per_sec" toml:"consumer_bytes_per_sec"`
}

// AWSShardLimits are AWS's per-shard quotas.
var AWSShardLimits = ShardLimits{
	WriteBytesPerSec:    1 << 20,
	WriteRecordsPerSec:  1000,
	ReadBytesPerSec:     2 << 20,
	ReadCallsPerSec:     5,
	ConsumerBytesPerSec: 2 << 20,
}

// Limits configure throughput limits.
type Limits struct {
	// AWS applies AWSShardLimits to every shard and AWS's control-plane
	// rate limits to every account.
	AWS bool
	// Streams sets quotas per stream name (in every account and region).
	Streams map[string]ShardLimits
}

// shardLimits returns the quotas of a stream's shards, and whether any apply.
func (l *Limits) shardLimits(stream string) (ShardLimits, bool) {
	if sl, ok := l.Streams[stream]; ok {
		return sl, true
	}
	if l.AWS {
		return AWSShardLimits, true
	}
	return ShardLimits{}, false
}

// bucket is a token bucket refilled at rate per second up to burst; take may
// drive it into debt (for reads, whose size is known only afterwards).
type bucket struct {
	rate, burst float64
	tokens      float64
	last        time.Time
}

func (b *bucket) refill(now time.Time) {
	if b.last.IsZero() {
		b.tokens, b.last = b.burst, now
		return
	}
	if d := now.Sub(b.last).Seconds(); d > 0 {
		b.tokens = min(b.burst, b.tokens+d*b.rate)
		b.last = now
	}
}

// shardMeter holds one shard's limiters and its write counters (the
// on-demand scaler reads them). It lives as long as the shard's log, across
// snapshots.
type shardMeter struct {
	mu                    sync.Mutex
	writeBytes, writeRecs bucket
	readBytes, readCalls  bucket
	limits                ShardLimits
	bytesIn, recordsIn    float64 // since the scaler last looked
}

// meter returns the meter of a shard's log.
func (s *Service) meter(id logstore.LogID) *shardMeter {
	if m, ok := s.meters.Load(id); ok {
		return m.(*shardMeter)
	}
	m, _ := s.meters.LoadOrStore(id, &shardMeter{})
	return m.(*shardMeter)
}

// configure applies limits (a no-op when unchanged).
func (m *shardMeter) configure(l ShardLimits) {
	if m.limits == l {
		return
	}
	m.limits = l
	m.writeBytes = bucket{rate: l.WriteBytesPerSec, burst: l.WriteBytesPerSec}
	m.writeRecs = bucket{rate: l.WriteRecordsPerSec, burst: l.WriteRecordsPerSec}
	m.readBytes = bucket{rate: l.ReadBytesPerSec, burst: l.ReadBytesPerSec}
	m.readCalls = bucket{rate: l.ReadCallsPerSec, burst: l.ReadCallsPerSec}
}

// admitWrite reports whether a record of size bytes may be written now
// under l, taking its tokens if so.
func (m *shardMeter) admitWrite(l ShardLimits, size int, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.configure(l)
	if l.WriteBytesPerSec > 0 {
		m.writeBytes.refill(now)
		if m.writeBytes.tokens < float64(size) {
			return false
		}
	}
	if l.WriteRecordsPerSec > 0 {
		m.writeRecs.refill(now)
		if m.writeRecs.tokens < 1 {
			return false
		}
		m.writeRecs.tokens--
	}
	if l.WriteBytesPerSec > 0 {
		m.writeBytes.tokens -= float64(size)
	}
	return true
}

// admitRead reports whether a GetRecords call may proceed now under l.
func (m *shardMeter) admitRead(l ShardLimits, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.configure(l)
	if l.ReadBytesPerSec > 0 {
		m.readBytes.refill(now)
		if m.readBytes.tokens <= 0 {
			return false
		}
	}
	if l.ReadCallsPerSec > 0 {
		m.readCalls.refill(now)
		if m.readCalls.tokens < 1 {
			return false
		}
		m.readCalls.tokens--
	}
	return true
}

// chargeRead takes the bytes a read returned (possibly into debt).
func (m *shardMeter) chargeRead(l ShardLimits, n int) {
	if l.ReadBytesPerSec <= 0 {
		return
	}
	m.mu.Lock()
	m.readBytes.tokens -= float64(n)
	m.mu.Unlock()
}

// countWrite records written bytes for the on-demand scaler.
func (m *shardMeter) countWrite(bytes, records int) {
	m.mu.Lock()
	m.bytesIn += float64(bytes)
	m.recordsIn += float64(records)
	m.mu.Unlock()
}

// takeCounts returns and resets the write counters.
func (m *shardMeter) takeCounts() (bytes, records float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	bytes, records, m.bytesIn, m.recordsIn = m.bytesIn, m.recordsIn, 0, 0
	return bytes, records
}
