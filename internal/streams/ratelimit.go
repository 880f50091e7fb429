package streams

import (
	"context"
	"reflect"
	"sync"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// Control-plane rate limits. With Limits.AWS, the operations below are
// limited to AWS's documented transactions per second, per account (and
// region) or per stream, and answer LimitExceededException beyond them.

type rateScope uint8

const (
	perAccount rateScope = iota
	perStream
	perShard
)

type opRate struct {
	tps   float64
	scope rateScope
}

// awsOpRates are AWS's documented control-plane quotas.
var awsOpRates = map[string]opRate{
	"CreateStream":               {5, perAccount},
	"DeleteStream":               {5, perAccount},
	"DescribeStream":             {10, perAccount},
	"DescribeStreamSummary":      {20, perAccount},
	"ListStreams":                {5, perAccount},
	"ListShards":                 {1000, perStream},
	"SplitShard":                 {5, perAccount},
	"MergeShards":                {5, perAccount},
	"UpdateShardCount":           {10, perAccount},
	"AddTagsToStream":            {5, perAccount},
	"RemoveTagsFromStream":       {5, perAccount},
	"ListTagsForStream":          {5, perAccount},
	"DescribeLimits":             {1, perAccount},
	"RegisterStreamConsumer":     {5, perAccount},
	"DeregisterStreamConsumer":   {5, perStream},
	"ListStreamConsumers":        {5, perStream},
	"DescribeStreamConsumer":     {20, perStream},
	"DescribeAccountSettings":    {5, perAccount},
	"UpdateAccountSettings":      {5, perAccount},
	"UpdateStreamWarmThroughput": {5, perAccount},
	"GetShardIterator":           {5, perShard},
}

type rateKey struct{ ns, op, stream, shard string }

// rateLimiter holds the token buckets of the control-plane limits.
type rateLimiter struct {
	s       *Service
	mu      sync.Mutex
	buckets map[rateKey]*bucket
}

// LimitControlPlane wraps svc's operations with AWS's control-plane rate
// limits when Limits.AWS is set; otherwise it returns svc unchanged.
func (s *Service) LimitControlPlane(svc *awsproto.Service) *awsproto.Service {
	if !s.opts.Limits.AWS {
		return svc
	}
	rl := &rateLimiter{s: s, buckets: map[rateKey]*bucket{}}
	out := *svc
	out.Operations = make(map[string]*awsproto.Operation, len(svc.Operations))
	for name, op := range svc.Operations {
		rate, limited := awsOpRates[name]
		if !limited || op.Call == nil {
			out.Operations[name] = op
			continue
		}
		wrapped := *op
		call := op.Call
		wrapped.Call = func(ctx context.Context, in awsproto.Input) (awsproto.Output, error) {
			if err := rl.admit(ctx, name, rate, in); err != nil {
				return nil, err
			}
			return call(ctx, in)
		}
		out.Operations[name] = &wrapped
	}
	return &out
}

func (rl *rateLimiter) admit(ctx context.Context, op string, rate opRate, in awsproto.Input) error {
	c := rl.s.callerOf(ctx)
	key := rateKey{ns: c.ns, op: op}
	name := inputField(in, "StreamName")
	if name == "" {
		if arn := inputField(in, "StreamARN"); arn != "" {
			_, _, name, _, _ = parseStreamARN(arn)
		}
	}
	if rate.scope >= perStream {
		key.stream = name
	}
	if rate.scope == perShard {
		key.shard = inputField(in, "ShardId")
	}
	now := rl.s.now()
	rl.mu.Lock()
	b := rl.buckets[key]
	if b == nil {
		b = &bucket{rate: rate.tps, burst: rate.tps}
		rl.buckets[key] = b
	}
	b.refill(now)
	ok := b.tokens >= 1
	if ok {
		b.tokens--
	}
	rl.mu.Unlock()
	if ok {
		return nil
	}
	if name != "" {
		// AWS.
		return awsproto.Errorf(awsproto.LimitExceeded, "Rate exceeded for stream %s under account %s.", name, c.acct)
	}
	// eddy: AWS's text for account-level operations is not public.
	return awsproto.Errorf(awsproto.LimitExceeded, "Rate exceeded for %s under account %s.", op, c.acct)
}

// inputField returns a string or *string field of a generated input shape
// (control-plane operations only: reflection costs a little).
func inputField(in awsproto.Input, field string) string {
	v := reflect.ValueOf(in)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	f := v.FieldByName(field)
	switch {
	case !f.IsValid():
		return ""
	case f.Kind() == reflect.String:
		return f.String()
	case f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String:
		return f.Elem().String()
	}
	return ""
}
