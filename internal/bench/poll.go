package bench

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto/codec"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

// poller reads its share of the shards with GetShardIterator and GetRecords
// loops on one connection. A shard whose response was full (Limit records)
// or that is behind is read again at once; a caught-up shard is polled again
// after PollIdle, as a real consumer would (AWS allows 5 GetRecords per
// second per shard), so that tailing does not become a busy loop that
// starves the producers.
type poller struct {
	cfg    *Config
	live   *live
	k      *client
	shards []*pollShard
	stop   *readStop
	keep   runFilter
	body   []byte
	out    readResult
}

type pollShard struct {
	log      *shardLog
	iter     string
	next     time.Time
	done     bool
	backoff  time.Duration
	failures int // consecutive failed GetRecords calls
}

// maxReadFailures is how many GetRecords calls in a row may fail (other
// than throttling) before a shard is given up as unreadable: a damaged range
// answers InternalFailure for ever, and verification must end and say so.
const maxReadFailures = 20

func newPoller(cfg *Config, lv *live, ep endpoint, stop *readStop, keep runFilter) *poller {
	c := newConn(ep, newSigner(cfg.AccessKey, cfg.SecretKey, cfg.Region, ep.host), cfg.RequestTimeout)
	return &poller{cfg: cfg, live: lv, k: &client{c: c}, stop: stop, keep: keep}
}

func (p *poller) startType() kinesisapi.ShardIteratorType {
	if p.cfg.From == "latest" {
		return kinesisapi.ShardIteratorTypeLatest
	}
	return kinesisapi.ShardIteratorTypeTrimHorizon
}

// init gets the first iterator of every shard.
func (p *poller) init(ctx context.Context) error {
	for _, s := range p.shards {
		it, err := p.k.shardIterator(ctx, p.cfg.Stream, s.log.Shard, p.startType(), "")
		if err != nil {
			return err
		}
		s.iter = it
		s.done = it == ""
	}
	return nil
}

// run polls until every shard is done or ctx ends.
func (p *poller) run(ctx context.Context) {
	defer p.k.c.Close()
	for ctx.Err() == nil {
		var soonest time.Time
		active, polled := false, false
		for _, s := range p.shards {
			if s.done {
				continue
			}
			active = true
			if now := time.Now(); now.Before(s.next) {
				if soonest.IsZero() || s.next.Before(soonest) {
					soonest = s.next
				}
				continue
			}
			p.poll(ctx, s)
			polled = true
		}
		if !active {
			return
		}
		if !polled && !sleep(ctx, time.Until(soonest)) {
			return
		}
	}
}

func (p *poller) poll(ctx context.Context, s *pollShard) {
	b := append(p.body[:0], `{"ShardIterator":`...)
	b = codec.AppendJSONString(b, s.iter)
	b = append(b, `,"Limit":`...)
	b = strconv.AppendInt(b, int64(p.cfg.GetLimit), 10)
	b = append(b, '}')
	p.body = b
	t0 := time.Now()
	status, resp, err := p.k.c.do(ctx, "GetRecords", b)
	p.live.getRequests.Add(1)
	if err != nil {
		p.live.addError("get:"+errorType(err), 1)
		p.failed(s, err.Error())
		return
	}
	if status != 200 {
		ae := parseAPIError(status, resp)
		switch {
		case ae.Type == "ExpiredIteratorException":
			p.reacquire(ctx, s)
		case ae.Throttle():
			p.live.addError("get:"+ae.Type, 1)
			p.retryLater(s)
		case ae.Type == "ResourceNotFoundException":
			p.live.addError("get:"+ae.Type, 1)
			s.done = true
		default:
			p.live.addError("get:"+ae.Type, 1)
			p.failed(s, ae.Error())
		}
		return
	}
	if err := scanRecords(resp, &p.out); err != nil {
		p.live.addError("get:BadResponse", 1)
		p.retryLater(s)
		return
	}
	s.backoff, s.failures = 0, 0
	s.log.absorb(p.out.records, p.keep, p.live, time.Now())
	if !p.out.hasNext || len(p.out.next) == 0 {
		s.done = true // the shard is closed and fully read
		return
	}
	s.iter = string(p.out.next)
	behind := p.out.behind > 0
	if len(p.out.records) >= p.cfg.GetLimit || behind {
		s.next = time.Time{} // more is waiting: read on at once
		return
	}
	if len(p.out.records) == 0 && !behind && p.stop.reached(t0) {
		s.done = true
		p.live.caughtUp.Add(1)
		return
	}
	s.next = time.Now().Add(p.cfg.PollIdle)
}

// failed retries later, or gives the shard up after maxReadFailures.
func (p *poller) failed(s *pollShard, msg string) {
	s.failures++
	if s.failures < maxReadFailures {
		p.retryLater(s)
		return
	}
	s.done = true
	after := "from the start"
	if last := s.log.lastSeqString(); last != "" {
		after = "after sequence number " + last
	}
	s.log.violate(Violation{Kind: KindUnreadable, Shard: s.log.Shard, Seq: s.log.lastSeqString(),
		Detail: fmt.Sprintf("gave up reading %s: GetRecords failed %d times in a row: %s", after, s.failures, msg)})
}

func (p *poller) retryLater(s *pollShard) {
	s.backoff = min(max(2*s.backoff, 50*time.Millisecond), time.Second)
	s.next = time.Now().Add(s.backoff)
}

// reacquire replaces an expired iterator, continuing after the last record
// read.
func (p *poller) reacquire(ctx context.Context, s *pollShard) {
	typ, seq := p.startType(), ""
	if last := s.log.lastSeqString(); last != "" {
		typ, seq = kinesisapi.ShardIteratorTypeAfterSequenceNumber, last
	}
	it, err := p.k.shardIterator(ctx, p.cfg.Stream, s.log.Shard, typ, seq)
	if err != nil {
		p.live.addError("get:"+errorType(err), 1)
		p.retryLater(s)
		return
	}
	s.iter = it
	s.done = it == ""
}
