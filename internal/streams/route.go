package streams

import (
	"context"
	"errors"
	"fmt"
	"unsafe"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/hashkey"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/logstore"
)

// Writes: every record is routed to the open shard whose hash key range
// holds the MD5 of its partition key (or its ExplicitHashKey), records are
// grouped by shard and appended to the shards' logs in one call (one group
// commit), and each record's sequence number is formed from its shard and
// record number. A shard closed by a resharding between routing and
// appending rejects its batch; those records are routed again once the
// resharding is visible.

// putResult is the outcome of one record of a write.
type putResult struct {
	sh     *shard
	record uint64
	// errCode/errMsg are set for records that failed on their own
	// (throttled, or an internal failure).
	errCode, errMsg string
}

const maxRouteAttempts = 8

// writable returns an error unless the stream accepts writes now.
func (s *Service) writable(c caller, sn *snapshot) error {
	switch sn.status(s.now()) {
	case statusActive, statusUpdating:
		return nil
	}
	// AWS answers writes to a CREATING (or deleted) stream as not found.
	return errStreamNotFound(sn.m.Name, c.acct)
}

// hashOf returns a record's hash key, checking an ExplicitHashKey's range.
func hashOf(pk string, ehk *string) (hashkey.Key, error) {
	if ehk == nil {
		return hashkey.FromPartitionKey(pk), nil
	}
	k, err := hashkey.Parse(*ehk)
	if err != nil {
		return hashkey.Key{}, errExplicitHashKey(*ehk)
	}
	return k, nil
}

// bytesOf returns the bytes of a string without copying; the log copies
// what it is given before Append returns and never writes through it.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// appendRouted writes entries (already validated) to st, filling results.
func (s *Service) appendRouted(ctx context.Context, c caller, st *stream, entries []kinesisapi.PutRecordsRequestEntry, hashes []hashkey.Key, results []putResult) error {
	pending := make([]int, len(entries))
	for i := range pending {
		pending[i] = i
	}
	for attempt := 0; len(pending) > 0; attempt++ {
		sn := st.load()
		if attempt > 0 {
			// A batch met a closed shard: wait for the resharding that
			// closed it to be published, then route again.
			if err := s.settle(st); err != nil {
				return err
			}
			sn = st.load()
		}
		if attempt == maxRouteAttempts {
			for _, i := range pending {
				results[i] = putResult{errCode: "InternalFailure", errMsg: msgInternalRecordFailure}
			}
			return nil
		}
		retry, err := s.appendOnce(ctx, c, sn, entries, hashes, pending, results)
		if err != nil {
			return err
		}
		pending = retry
	}
	return nil
}

// appendOnce routes the pending records with sn, appends them, and returns
// the ones whose shard turned out to be closed.
func (s *Service) appendOnce(ctx context.Context, c caller, sn *snapshot, entries []kinesisapi.PutRecordsRequestEntry, hashes []hashkey.Key, pending []int, results []putResult) ([]int, error) {
	for _, i := range pending {
		sh := sn.route(hashes[i])
		if sh == nil {
			return nil, fmt.Errorf("stream %s: no open shard holds hash key %s", sn.m.Name, hashes[i])
		}
		results[i].sh = sh
	}
	if limits, ok := s.opts.Limits.shardLimits(sn.m.Name); ok {
		pending = s.admitWrites(c, sn, limits, entries, pending, results)
	}
	// Group by shard, keeping request order within a shard (sequence
	// numbers of one shard follow the request's order).
	// (sized by what this request can touch: a map sized for a 1,000-shard
	// stream cost a single PutRecord more than the rest of its path)
	touched := min(len(pending), len(sn.open))
	slot := make(map[*shard]int, touched)
	order := make([]*shard, 0, touched)
	counts := make([]int, 0, touched)
	for _, i := range pending {
		sh := results[i].sh
		k, ok := slot[sh]
		if !ok {
			k = len(order)
			slot[sh] = k
			order = append(order, sh)
			counts = append(counts, 0)
		}
		counts[k]++
	}
	starts := make([]int, len(order))
	for k := 1; k < len(order); k++ {
		starts[k] = starts[k-1] + counts[k-1]
	}
	logEntries := make([]logstore.Entry, len(pending))
	index := make([]int, len(pending)) // position in logEntries -> request index
	fill := append([]int(nil), starts...)
	encrypt := sn.m.EncryptionType == string(kinesisapi.EncryptionTypeKms)
	var sealed []byte
	if encrypt {
		n := 0
		for _, i := range pending {
			n += len(entries[i].Data) + sealedOverhead
		}
		sealed = make([]byte, 0, n)
	}
	for _, i := range pending {
		k := slot[results[i].sh]
		p := fill[k]
		fill[k]++
		e := &entries[i]
		logEntries[p] = logstore.Entry{PartitionKey: bytesOf(e.PartitionKey), Data: e.Data}
		if encrypt {
			h := len(sealed)
			var err error
			if sealed, err = s.keys.seal(sealed, sn.m, e.Data); err != nil {
				return nil, appendError(err)
			}
			logEntries[p].Data, logEntries[p].Flags = sealed[h:], flagEncrypted
		}
		if e.ExplicitHashKey != nil {
			hk := hashes[i].Bytes()
			logEntries[p].ExplicitHashKey = hk[:]
		}
		index[p] = i
	}
	batches := make([]logstore.Batch, len(order))
	for k, sh := range order {
		batches[k] = logstore.Batch{Log: sh.log, Entries: logEntries[starts[k] : starts[k]+counts[k]]}
	}
	appended, err := s.logs.Append(ctx, batches)
	if err != nil {
		return nil, appendError(err)
	}
	if sn.m.Mode == modeOnDemand {
		for k, sh := range order {
			n := 0
			for _, e := range batches[k].Entries {
				n += len(e.Data) + len(e.PartitionKey)
			}
			s.meter(sh.log).countWrite(n, counts[k])
		}
	}
	var retry []int
	for k, a := range appended {
		for j := 0; j < counts[k]; j++ {
			i := index[starts[k]+j]
			switch {
			case a.Err == nil:
				results[i].record = a.First + uint64(j)
			case errors.Is(a.Err, logstore.ErrLogClosed):
				retry = append(retry, i)
			default:
				s.log.Error("append to shard failed", "stream", sn.m.Name, "shard", order[k].id, "err", a.Err)
				results[i] = putResult{sh: order[k], errCode: "InternalFailure", errMsg: msgInternalRecordFailure}
			}
		}
	}
	return retry, nil
}

// appendError turns a whole-call log failure into what the client sees:
// a full disk or a failed store is an InternalFailure (retryable), logged.
func appendError(err error) error {
	var ae *awsproto.Error
	if errors.As(err, &ae) {
		return err
	}
	return &awsproto.Error{Exception: awsproto.InternalFailure, Message: "Internal service failure.", Err: err}
}

// admitWrites applies write quotas to the routed pending records, marking
// the ones over quota as throttled; it returns the ones to write.
func (s *Service) admitWrites(c caller, sn *snapshot, l ShardLimits, entries []kinesisapi.PutRecordsRequestEntry, pending []int, results []putResult) []int {
	now := s.now()
	kept := pending[:0:0]
	for _, i := range pending {
		sh := results[i].sh
		size := len(entries[i].Data) + len(entries[i].PartitionKey)
		if s.meter(sh.log).admitWrite(l, size, now) {
			kept = append(kept, i)
			continue
		}
		results[i].errCode = awsproto.ProvisionedThroughputExceeded.Type
		results[i].errMsg = msgWriteThrottled(sh.id, sn.m.Name, c.acct)
		s.m.putThrottled.Inc()
	}
	return kept
}

// putRecordError is the error PutRecord returns for a record that failed on
// its own (PutRecords reports these per entry instead).
func putRecordError(r putResult) error {
	if r.errCode == awsproto.ProvisionedThroughputExceeded.Type {
		return &awsproto.Error{Exception: awsproto.ProvisionedThroughputExceeded, Message: r.errMsg}
	}
	return &awsproto.Error{Exception: awsproto.InternalFailure, Message: "Internal service failure."}
}
