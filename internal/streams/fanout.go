package streams

import (
	"sync"
	"time"

	"github.com/eddy-streams/eddy/internal/clock"
)

// Enhanced fan-out bookkeeping: the live SubscribeToShard subscriptions
// (one per consumer and shard, with AWS's takeover rule) and the timers of
// pending consumer status transitions.

// FanOutLimiter paces enhanced fan-out deliveries; the throughput limits
// (--limits aws: 2 MiB/s per consumer per shard) implement it. Nil in
// Options means deliveries go out as fast as the client reads them.
type FanOutLimiter interface {
	// Delay charges n bytes (data and partition keys) about to be delivered
	// to consumerARN's subscription to shardID of stream, and returns how
	// long the subscription must wait before sending them (0: at once).
	// It is called once per event that carries records; the wait uses the
	// service's clock and ends early if the subscription ends.
	Delay(stream, consumerARN, shardID string, n int, now time.Time) time.Duration
}

// Subscription timing (AWS's documented values).
const (
	// subscriptionLifetime is how long a subscription lasts; clients then
	// subscribe again.
	subscriptionLifetime = 5 * time.Minute
	// takeoverAfter is how long a subscription is protected: a second
	// SubscribeToShard for the same consumer and shard fails before, and
	// replaces the first after.
	takeoverAfter = 5 * time.Second
	// idleEventInterval is the longest a subscription goes without an
	// event: idle subscriptions get empty events so clients can checkpoint.
	idleEventInterval = 5 * time.Second
)

// subKey identifies a subscription slot: one consumer on one shard.
type subKey struct {
	consumer string // consumer ARN
	shard    uint64
}

// subscription is one live SubscribeToShard call.
type subscription struct {
	key     subKey
	started time.Time
	// replaced is closed when a newer subscription takes the slot over.
	replaced chan struct{}
}

// fanOut is the service's enhanced fan-out state. The zero value is ready.
type fanOut struct {
	mu     sync.Mutex
	closed bool
	subs   map[subKey]*subscription
	timers map[string]clock.Timer // consumer ARN -> pending transition
	wg     sync.WaitGroup         // running timer callbacks
}

// acquire claims key's slot for a subscription starting at now. It fails
// while the current holder is younger than takeoverAfter, and otherwise
// replaces it (closing its replaced channel).
func (f *fanOut) acquire(key subKey, now time.Time) (*subscription, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if old := f.subs[key]; old != nil {
		if now.Sub(old.started) < takeoverAfter {
			return nil, false
		}
		close(old.replaced)
	}
	if f.subs == nil {
		f.subs = map[subKey]*subscription{}
	}
	sub := &subscription{key: key, started: now, replaced: make(chan struct{})}
	f.subs[key] = sub
	return sub, true
}

// release frees sub's slot unless another subscription took it over.
func (f *fanOut) release(sub *subscription) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs[sub.key] == sub {
		delete(f.subs, sub.key)
	}
}

// active counts live subscriptions (for tests and benchmarks).
func (f *fanOut) active() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

// schedule runs fn after d on clk, replacing key's pending timer. Nothing
// runs once the service has closed.
func (f *fanOut) schedule(clk clock.Clock, key string, d time.Duration, fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	if f.timers == nil {
		f.timers = map[string]clock.Timer{}
	}
	if t := f.timers[key]; t != nil {
		t.Stop()
	}
	var t clock.Timer
	t = clk.AfterFunc(d, func() {
		f.mu.Lock()
		if f.closed || f.timers[key] != t {
			f.mu.Unlock()
			return
		}
		delete(f.timers, key)
		f.wg.Add(1)
		f.mu.Unlock()
		defer f.wg.Done()
		fn()
	})
	f.timers[key] = t
}

// close stops the timers and waits for running callbacks.
func (f *fanOut) close() {
	f.mu.Lock()
	f.closed = true
	for _, t := range f.timers {
		t.Stop()
	}
	f.timers = nil
	f.mu.Unlock()
	f.wg.Wait()
}
