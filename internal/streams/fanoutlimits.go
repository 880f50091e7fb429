package streams

import (
	"sync"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// The throughput limits of enhanced fan-out: each consumer reads each shard
// at ShardLimits.ConsumerBytesPerSec (AWS: 2 MiB/s) with --limits aws or a
// per-stream quota, and with --limits aws a consumer may call
// SubscribeToShard once per second per shard.

type consumerShard struct{ consumer, shard string }

// consumerLimiter is the FanOutLimiter the service uses when limits are
// configured and no other was given.
type consumerLimiter struct {
	s       *Service
	mu      sync.Mutex
	buckets map[consumerShard]*bucket
	calls   map[consumerShard]*bucket
}

func newConsumerLimiter(s *Service) *consumerLimiter {
	return &consumerLimiter{s: s, buckets: map[consumerShard]*bucket{}, calls: map[consumerShard]*bucket{}}
}

// Delay charges n bytes (into debt if need be) and returns how long the
// subscription waits for the debt to be paid back.
func (l *consumerLimiter) Delay(stream, consumerARN, shardID string, n int, now time.Time) time.Duration {
	lim, ok := l.s.opts.Limits.shardLimits(stream)
	if !ok || lim.ConsumerBytesPerSec <= 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	key := consumerShard{consumerARN, shardID}
	b := l.buckets[key]
	if b == nil || b.rate != lim.ConsumerBytesPerSec {
		b = &bucket{rate: lim.ConsumerBytesPerSec, burst: lim.ConsumerBytesPerSec}
		l.buckets[key] = b
	}
	b.refill(now)
	b.tokens -= float64(n)
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// admitSubscribe enforces one SubscribeToShard call per second per consumer
// and shard under --limits aws.
func (l *consumerLimiter) admitSubscribe(consumerARN, shardID string, now time.Time) error {
	if !l.s.opts.Limits.AWS {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	key := consumerShard{consumerARN, shardID}
	b := l.calls[key]
	if b == nil {
		b = &bucket{rate: 1, burst: 1}
		l.calls[key] = b
	}
	b.refill(now)
	if b.tokens < 1 {
		// eddy: AWS documents the limit, not its text.
		return awsproto.Errorf(awsproto.LimitExceeded, "Rate exceeded for consumer %s and shard %s: at most one SubscribeToShard call per second.", consumerARN, shardID)
	}
	b.tokens--
	return nil
}
