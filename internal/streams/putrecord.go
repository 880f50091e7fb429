package streams

// PutRecord writes one record, routed by its partition key's MD5 or its
// ExplicitHashKey. SequenceNumberForOrdering is checked to be a sequence
// number eddy issued; eddy's numbers grow strictly within a shard and are
// greater in child shards than in their parents, so the guarantee it asks
// for (a greater number than the given one for the same partition key)
// always holds.

import (
	"context"
	"strconv"

	"github.com/eddy-streams/eddy/internal/hashkey"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) PutRecord(ctx context.Context, in *kinesisapi.PutRecordInput) (*kinesisapi.PutRecordOutput, error) {
	c, st, sn, err := s.resolve(ctx, in.StreamName, in.StreamARN, in.StreamId)
	if err != nil {
		return nil, err
	}
	if err := s.writable(c, sn); err != nil {
		return nil, err
	}
	maxRecord := sn.m.MaxRecordSizeKiB << 10
	if size := len(in.Data) + len(in.PartitionKey); size > maxRecord {
		return nil, errRecordTooLarge("data", len(in.Data), maxRecord-len(in.PartitionKey))
	}
	h, err := hashOf(in.PartitionKey, in.ExplicitHashKey)
	if err != nil {
		return nil, err
	}
	if in.SequenceNumberForOrdering != nil {
		if _, err := ParseSeqNum(*in.SequenceNumberForOrdering); err != nil && *in.SequenceNumberForOrdering != "0" {
			return nil, errExclusiveMinimum(*in.SequenceNumberForOrdering, "PutRecord", sn.m.Name, c.acct)
		}
	}
	entries := []kinesisapi.PutRecordsRequestEntry{{Data: in.Data, PartitionKey: in.PartitionKey, ExplicitHashKey: in.ExplicitHashKey}}
	results := make([]putResult, 1)
	if err := s.appendRouted(ctx, c, st, entries, []hashkey.Key{h}, results); err != nil {
		return nil, err
	}
	r := results[0]
	if r.errCode != "" {
		return nil, putRecordError(r)
	}
	out := &kinesisapi.PutRecordOutput{ShardId: r.sh.id, SequenceNumber: string(r.sh.base.Append(nil, r.record))}
	if sn.m.EncryptionType == string(kinesisapi.EncryptionTypeKms) {
		out.EncryptionType = ptr(kinesisapi.EncryptionTypeKms)
	}
	s.m.recordsIn.Inc()
	s.m.bytesIn.Add(len(in.Data) + len(in.PartitionKey))
	return out, nil
}

func itoa(i int) string { return strconv.Itoa(i) }
