package bench

import (
	"sort"
	"sync"
	"sync/atomic"
)

// live holds the counters the progress line and the report read while a run
// is going; per-goroutine histograms are merged at the end.
type live struct {
	putRequests  atomic.Int64
	putRecords   atomic.Int64 // acknowledged
	putBytes     atomic.Int64 // record data bytes acknowledged
	throttledReq atomic.Int64 // whole requests refused for throughput
	throttledRec atomic.Int64 // PutRecords entries refused for throughput
	failedRec    atomic.Int64 // entries refused for other reasons
	ambiguousRec atomic.Int64 // entries sent in requests whose outcome is unknown

	getRequests atomic.Int64
	readRecords atomic.Int64 // bench records of this run read
	readBytes   atomic.Int64
	foreign     atomic.Int64 // records of other runs or other writers
	caughtUp    atomic.Int64 // shards whose end was reached after the stop point

	mu     sync.Mutex
	errors map[string]int64
}

func newLive() *live { return &live{errors: map[string]int64{}} }

func (l *live) addError(typ string, n int64) {
	l.mu.Lock()
	l.errors[typ] += n
	l.mu.Unlock()
}

func (l *live) errorCount() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var n int64
	for _, c := range l.errors {
		n += c
	}
	return n
}

func (l *live) errorMap() map[string]int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := make(map[string]int64, len(l.errors))
	for k, v := range l.errors {
		m[k] = v
	}
	return m
}

// sortedKeys returns the keys of m in order (for stable text output).
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
