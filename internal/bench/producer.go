package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/awsproto/codec"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

// errFatal marks a producer error that ends the run (a configuration
// problem such as a missing stream, not a transient failure).
var errFatal = errors.New("fatal")

// producer sends records with one request in flight on its own connection.
type producer struct {
	cfg   *Config
	live  *live
	conn  *conn
	table *ackTable
	maker *recordMaker
	keys  *keyGen
	hist  Histogram // PutRecords / PutRecord latency
	limit int64     // records to make; 0 = no limit
	rate  float64   // records/s for this producer; 0 = unpaced

	body    []byte
	keyBuf  []byte
	batch   []entry
	pending []retryEntry
	results []putResult
	out1    kinesisapi.PutRecordOutput
	backoff time.Duration
	made    int64
}

// entry is one record of the request being built.
type entry struct {
	counter    uint64
	keyHash    uint32
	sendNs     int64
	koff, klen int
}

// retryEntry is a record to send again; it keeps its counter, key and first
// send time, so that its data is identical.
type retryEntry struct {
	counter uint64
	keyHash uint32
	sendNs  int64
	key     string
}

func newProducer(cfg *Config, lv *live, ep endpoint, run, id uint32, limit int64, rate float64) *producer {
	r := rand.New(rand.NewPCG(uint64(run)<<32|uint64(id), uint64(time.Now().UnixNano())))
	return &producer{
		cfg:   cfg,
		live:  lv,
		conn:  newConn(ep, newSigner(cfg.AccessKey, cfg.SecretKey, cfg.Region, ep.host), cfg.RequestTimeout),
		table: newAckTable(run, id),
		maker: newRecordMaker(run, id, cfg.RecordSize),
		keys:  newKeyGen(cfg.Keys, r),
		limit: limit,
		rate:  rate,
		body:  make([]byte, 0, 64<<10),
	}
}

// run sends until ctx ends or the record limit is reached. The request in
// flight when ctx ends is finished, so that its outcome is known.
func (p *producer) run(ctx context.Context) error {
	defer p.conn.Close()
	start := time.Now()
	batch := max(p.cfg.Batch, 1)
	for ctx.Err() == nil {
		if p.limit > 0 && p.made >= p.limit && len(p.pending) == 0 {
			return nil
		}
		if p.rate > 0 {
			due := start.Add(time.Duration(float64(p.made) / p.rate * float64(time.Second)))
			if d := time.Until(due); d > 0 && !sleep(ctx, d) {
				return nil
			}
		}
		p.fill(batch)
		if len(p.batch) == 0 {
			return nil
		}
		var err error
		if p.cfg.Batch == 0 {
			err = p.putRecord(ctx)
		} else {
			err = p.putRecords(ctx)
		}
		if err != nil {
			return err
		}
		if p.backoff > 0 && !sleep(ctx, p.backoff) {
			return nil
		}
	}
	return nil
}

// fill takes pending retries first, then new records, up to n.
func (p *producer) fill(n int) {
	p.batch = p.batch[:0]
	p.keyBuf = p.keyBuf[:0]
	take := min(n, len(p.pending))
	for _, r := range p.pending[:take] {
		off := len(p.keyBuf)
		p.keyBuf = append(p.keyBuf, r.key...)
		p.batch = append(p.batch, entry{counter: r.counter, keyHash: r.keyHash, sendNs: r.sendNs, koff: off, klen: len(r.key)})
	}
	p.pending = append(p.pending[:0], p.pending[take:]...)
	now := time.Now().UnixNano()
	for len(p.batch) < n && (p.limit == 0 || p.made < p.limit) {
		off := len(p.keyBuf)
		p.keyBuf = p.keys.next(p.keyBuf)
		c := p.table.next()
		p.made++
		p.batch = append(p.batch, entry{counter: c, keyHash: keyHashBytes(p.keyBuf[off:]), sendNs: now, koff: off, klen: len(p.keyBuf) - off})
	}
}

func (p *producer) appendEntry(b []byte, e *entry) []byte {
	b = append(b, `"Data":"`...)
	b = p.maker.appendB64(b, e.keyHash, e.counter, e.sendNs)
	b = append(b, `","PartitionKey":"`...)
	b = append(b, p.keyBuf[e.koff:e.koff+e.klen]...)
	return append(b, '"')
}

func (p *producer) putRecords(ctx context.Context) error {
	b := append(p.body[:0], `{"StreamName":`...)
	b = codec.AppendJSONString(b, p.cfg.Stream)
	b = append(b, `,"Records":[`...)
	for i := range p.batch {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		b = p.appendEntry(b, &p.batch[i])
		b = append(b, '}')
	}
	b = append(b, "]}"...)
	p.body = b
	status, resp, err := p.send(ctx, "PutRecords")
	if err != nil || status != 200 {
		return p.requestFailed(status, resp, err)
	}
	var err2 error
	p.results, err2 = scanPutRecords(resp, p.results)
	if err2 != nil || len(p.results) != len(p.batch) {
		// A 200 we cannot read: the records may have been written.
		p.live.addError("BadResponse", 1)
		p.allAmbiguous()
		return nil
	}
	var acked, bytes int64
	for i, r := range p.results {
		e := &p.batch[i]
		if r.errCode == nil && r.seq != nil && r.shard != nil {
			p.table.ackBytes(e.counter, r.shard, r.seq)
			acked++
			bytes += int64(p.cfg.RecordSize)
			continue
		}
		code := "UnknownEntryError"
		if r.errCode != nil {
			code = string(r.errCode)
		}
		if code == "ProvisionedThroughputExceededException" {
			p.live.throttledRec.Add(1)
		} else {
			p.live.failedRec.Add(1)
			p.live.addError("entry:"+code, 1)
		}
		p.table.failed(e.counter)
		p.retry(e)
	}
	p.live.putRecords.Add(acked)
	p.live.putBytes.Add(bytes)
	if acked == 0 {
		p.slowDown()
	} else {
		p.backoff = 0
	}
	return nil
}

func (p *producer) putRecord(ctx context.Context) error {
	e := &p.batch[0]
	b := append(p.body[:0], `{"StreamName":`...)
	b = codec.AppendJSONString(b, p.cfg.Stream)
	b = append(b, ',')
	b = p.appendEntry(b, e)
	b = append(b, '}')
	p.body = b
	status, resp, err := p.send(ctx, "PutRecord")
	if err != nil || status != 200 {
		return p.requestFailed(status, resp, err)
	}
	if err := p.out1.DecodeAWS(awsproto.JSON, resp); err != nil || p.out1.SequenceNumber == "" || p.out1.ShardId == "" {
		p.live.addError("BadResponse", 1)
		p.allAmbiguous()
		return nil
	}
	p.table.ack(e.counter, p.out1.ShardId, p.out1.SequenceNumber)
	p.live.putRecords.Add(1)
	p.live.putBytes.Add(int64(p.cfg.RecordSize))
	p.backoff = 0
	return nil
}

// send posts p.body and records the latency.
func (p *producer) send(ctx context.Context, op string) (int, []byte, error) {
	for i := range p.batch {
		p.table.sent(p.batch[i].counter)
	}
	t0 := time.Now()
	status, resp, err := p.conn.do(ctx, op, p.body)
	if err == nil {
		p.hist.Record(time.Since(t0))
	}
	p.live.putRequests.Add(1)
	return status, resp, err
}

// requestFailed handles a request that failed as a whole.
func (p *producer) requestFailed(status int, resp []byte, err error) error {
	if err != nil {
		p.live.addError(errorType(err), 1)
		if errors.Is(err, errNotSent) {
			p.allFailed()
		} else {
			// The request may have been applied before the connection failed.
			p.allAmbiguous()
		}
		p.slowDown()
		return nil
	}
	ae := parseAPIError(status, resp)
	switch {
	case ae.Throttle():
		p.live.throttledReq.Add(1)
		p.allFailed()
	case status == 503:
		// Service unavailable (for example a server still recovering): the
		// request was refused, not applied.
		p.live.addError(ae.Type, 1)
		p.allFailed()
	case status >= 500:
		// InternalFailure: the outcome of the request is unknown.
		p.live.addError(ae.Type, 1)
		p.allAmbiguous()
	default:
		p.live.addError(ae.Type, 1)
		p.allFailed()
		return fmt.Errorf("%w: %s", errFatal, ae)
	}
	p.slowDown()
	return nil
}

func (p *producer) allAmbiguous() {
	for i := range p.batch {
		p.table.ambiguous(p.batch[i].counter)
		p.retry(&p.batch[i])
	}
	p.live.ambiguousRec.Add(int64(len(p.batch)))
}

func (p *producer) allFailed() {
	for i := range p.batch {
		p.table.failed(p.batch[i].counter)
		p.retry(&p.batch[i])
	}
}

func (p *producer) retry(e *entry) {
	p.pending = append(p.pending, retryEntry{counter: e.counter, keyHash: e.keyHash, sendNs: e.sendNs, key: string(p.keyBuf[e.koff : e.koff+e.klen])})
}

// slowDown backs off exponentially from 5 ms to 1 s.
func (p *producer) slowDown() {
	p.backoff = min(max(2*p.backoff, 5*time.Millisecond), time.Second)
}

// sleep waits d or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
