package streams

// GetRecords reads up to Limit (default and maximum 10,000) records and at
// most 10 MiB from a shard iterator's position, returns a new iterator
// (always a fresh token, even when nothing was read) and MillisBehindLatest
// (0 at the tip, otherwise how long ago the last returned record arrived).
// At the end of a closed shard it returns no NextShardIterator and the
// ChildShards to continue with. Records past the stream's retention are
// never returned. Iterators expire 5 minutes after they were issued.

import (
	"context"
	"fmt"
	"time"
	"unsafe"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/logstore"
)

const (
	getRecordsMaxRecords = 10000
	getRecordsMaxBytes   = 10 << 20
)

func (s *Service) GetRecords(ctx context.Context, in *kinesisapi.GetRecordsInput) (*kinesisapi.GetRecordsOutput, error) {
	c := s.callerOf(ctx)
	raw := in.ShardIterator
	// AWS accepts an iterator wrapped in one pair of double quotes.
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		raw = raw[1 : len(raw)-1]
	}
	tok, err := s.tokens.Open(raw)
	if err != nil {
		return nil, errInvalidIterator()
	}
	now := s.now()
	issued := time.UnixMilli(tok.IssuedMs)
	if now.Sub(issued) > iteratorLifetime {
		return nil, errIteratorExpired(issued, now)
	}
	st, sn, sh := s.iteratorShard(c, tok)
	if sh == nil {
		return nil, errShardDoesNotExist(shardIDString(tok.Shard), tok.Stream, c.acct)
	}
	limit := getRecordsMaxRecords
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	limits, limited := s.opts.Limits.shardLimits(sn.m.Name)
	if limited && !s.meter(sh.log).admitRead(limits, now) {
		s.m.readThrottled.Inc()
		// AWS.
		return nil, awsproto.Errorf(awsproto.ProvisionedThroughputExceeded, "Rate exceeded for Shard - %s/%s/%s", c.acct, sn.m.Name, sh.id)
	}
	res, err := s.logs.Read(sh.log, tok.Position, limit, getRecordsMaxBytes)
	if err != nil {
		return nil, s.logError(st, sh, err)
	}
	capBytes(&res, getRecordsMaxBytes)
	records, err := s.recordsOutput(sn, res.Records, sh)
	if err != nil {
		return nil, s.logError(st, sh, err)
	}
	out := &kinesisapi.GetRecordsOutput{Records: records}
	var behind int64
	if n := len(res.Records); n > 0 && res.Next < res.Tail {
		behind = max(0, now.UnixMilli()-res.Records[n-1].Timestamp)
	}
	out.MillisBehindLatest = &behind
	// The log closes a moment before the resharding that closed it is
	// published; until the snapshot shows the shard closed (with its
	// children), keep handing out iterators.
	if res.Closed && sh.m.Closed {
		out.ChildShards = childShards(sn, sh)
	} else {
		next := s.tokens.Seal(iteratorToken{Epoch: tok.Epoch, Tag: tok.Tag, Shard: tok.Shard, Position: res.Next, IssuedMs: now.UnixMilli(), Stream: tok.Stream})
		out.NextShardIterator = &next
	}
	bytes := 0
	for i := range res.Records {
		bytes += len(res.Records[i].Data) + len(res.Records[i].PartitionKey)
	}
	if limited {
		s.meter(sh.log).chargeRead(limits, bytes)
	}
	s.m.recordsOut.Add(len(res.Records))
	s.m.bytesOut.Add(bytes)
	return out, nil
}

// iteratorShard finds the stream incarnation and shard an iterator names;
// nil if either is gone.
func (s *Service) iteratorShard(c caller, tok iteratorToken) (*stream, *snapshot, *shard) {
	s.mu.RLock()
	st := s.byTag[tok.Tag]
	s.mu.RUnlock()
	if st == nil || st.ns != c.ns || st.isGone() {
		return nil, nil, nil
	}
	sn := st.load()
	if sn.due(s.now()) {
		if err := s.settle(st); err != nil {
			s.log.Error("stream status transition failed", "stream", st.name, "err", err)
		}
		sn = st.load()
	}
	if sn.epoch != tok.Epoch || !readable(sn.status(s.now())) {
		return nil, nil, nil
	}
	return st, sn, sn.byIndex[tok.Shard]
}

// recordsOutput converts log records to API records without copying data
// or partition keys (log buffers are immutable); sequence numbers share one
// string and timestamps one slice. Encrypted records are decrypted.
func (s *Service) recordsOutput(sn *snapshot, recs []logstore.Record, sh *shard) ([]kinesisapi.Record, error) {
	out := make([]kinesisapi.Record, len(recs))
	if len(recs) == 0 {
		return out, nil
	}
	seqBuf := make([]byte, 0, len(recs)*SeqNumLen)
	for i := range recs {
		seqBuf = sh.base.Append(seqBuf, recs[i].Number)
	}
	seqs := unsafe.String(unsafe.SliceData(seqBuf), len(seqBuf))
	times := make([]time.Time, len(recs))
	for i := range recs {
		r := &recs[i]
		times[i] = time.UnixMilli(r.Timestamp)
		out[i] = kinesisapi.Record{
			SequenceNumber:              seqs[i*SeqNumLen : (i+1)*SeqNumLen],
			ApproximateArrivalTimestamp: &times[i],
			Data:                        r.Data,
			PartitionKey:                unsafe.String(unsafe.SliceData(r.PartitionKey), len(r.PartitionKey)),
		}
		if r.Flags&flagEncrypted != 0 {
			plain, err := s.keys.open(sn.m, r.Data)
			if err != nil {
				return nil, fmt.Errorf("record %s of %s: %w", out[i].SequenceNumber, sh.id, err)
			}
			out[i].Data, out[i].EncryptionType = plain, &encryptionKMS
		}
	}
	return out, nil
}

var encryptionKMS = kinesisapi.EncryptionTypeKms

// childShards lists the shards created from sh, for a reader that reached
// the end of it.
func childShards(sn *snapshot, sh *shard) []kinesisapi.ChildShard {
	kids := sn.children[sh.m.Index]
	out := make([]kinesisapi.ChildShard, 0, len(kids))
	for _, k := range kids {
		parents := []string{shardIDString(k.m.ParentIndex)}
		if k.m.HasAdjacentParent {
			parents = append(parents, shardIDString(k.m.AdjacentParentIndex))
		}
		out = append(out, kinesisapi.ChildShard{
			ShardId:      k.id,
			ParentShards: parents,
			HashKeyRange: &kinesisapi.HashKeyRange{StartingHashKey: k.hashRange.Start.String(), EndingHashKey: k.hashRange.End.String()},
		})
	}
	return out
}

// capBytes drops the records past max bytes of data and partition keys
// (keeping at least one): the log stops reading once it has about max
// bytes, so its last record can take a batch past the 10 MiB AWS never
// exceeds. The next read starts at the first record dropped.
func capBytes(res *logstore.ReadResult, max int) {
	total := 0
	for i := range res.Records {
		total += len(res.Records[i].PartitionKey) + len(res.Records[i].Data)
		if total > max && i > 0 {
			res.Next, res.Closed = res.Records[i].Number, false
			res.Records = res.Records[:i]
			return
		}
	}
}
