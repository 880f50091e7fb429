package streams

// DescribeStream returns a stream's description with its shards, open and
// closed (closed shards whose records have all expired are left out, as AWS
// leaves out EXPIRED shards), in shard-id order, 100 per page
// (Limit, ExclusiveStartShardId, HasMoreShards). A CREATING or DELETING
// stream lists no shards; an UPDATING one lists its shards as they were
// before the change.

import (
	"context"
	"time"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

const describeStreamMaxShards = 100

func (s *Service) DescribeStream(ctx context.Context, in *kinesisapi.DescribeStreamInput) (*kinesisapi.DescribeStreamOutput, error) {
	_, _, sn, err := s.resolve(ctx, in.StreamName, in.StreamARN, in.StreamId)
	if err != nil {
		return nil, err
	}
	now := s.now()
	status := sn.status(now)
	limit := describeStreamMaxShards
	if in.Limit != nil && int(*in.Limit) < limit {
		limit = int(*in.Limit)
	}
	var after uint64
	hasAfter := false
	if in.ExclusiveStartShardId != nil {
		after, hasAfter = parseShardID(*in.ExclusiveStartShardId)
	}
	d := &kinesisapi.StreamDescription{
		StreamName:              sn.m.Name,
		StreamARN:               sn.m.ARN,
		StreamStatus:            kinesisapi.StreamStatus(status),
		StreamModeDetails:       &kinesisapi.StreamModeDetails{StreamMode: kinesisapi.StreamMode(sn.m.Mode)},
		Shards:                  []kinesisapi.Shard{},
		RetentionPeriodHours:    int32(sn.m.RetentionHours),
		StreamCreationTimestamp: sn.m.Created,
		EnhancedMonitoring:      enhancedMonitoring(sn.m.ShardLevelMetrics),
		EncryptionType:          ptr(kinesisapi.EncryptionType(sn.m.EncryptionType)),
	}
	if sn.m.EncryptionType == string(kinesisapi.EncryptionTypeKms) {
		d.KeyId = ptr(sn.m.KeyID)
	}
	if status == statusActive || status == statusUpdating {
		for _, sh := range sn.shards {
			if hasAfter && sh.m.Index <= after || sn.expired(sh, now) {
				continue
			}
			if len(d.Shards) == limit {
				d.HasMoreShards = true
				break
			}
			d.Shards = append(d.Shards, sh.describe())
		}
	}
	return &kinesisapi.DescribeStreamOutput{StreamDescription: d}, nil
}

// expired reports whether a closed shard's records are all past retention
// (AWS calls such shards EXPIRED and stops listing them).
func (sn *snapshot) expired(sh *shard, now time.Time) bool {
	return sh.m.Closed && now.Sub(sh.m.ClosedAt) > hoursDuration(sn.m.RetentionHours)
}

// describe returns the API form of a shard.
func (sh *shard) describe() kinesisapi.Shard {
	out := kinesisapi.Shard{
		ShardId: sh.id,
		HashKeyRange: &kinesisapi.HashKeyRange{
			StartingHashKey: sh.hashRange.Start.String(),
			EndingHashKey:   sh.hashRange.End.String(),
		},
		SequenceNumberRange: &kinesisapi.SequenceNumberRange{StartingSequenceNumber: sh.startSeq},
	}
	if sh.m.Closed {
		out.SequenceNumberRange.EndingSequenceNumber = ptr(sh.endSeq)
	}
	if sh.m.HasParent {
		out.ParentShardId = ptr(shardIDString(sh.m.ParentIndex))
	}
	if sh.m.HasAdjacentParent {
		out.AdjacentParentShardId = ptr(shardIDString(sh.m.AdjacentParentIndex))
	}
	return out
}

// enhancedMonitoring is the EnhancedMonitoring member: always one element.
func enhancedMonitoring(names []string) []kinesisapi.EnhancedMetrics {
	metrics := make([]kinesisapi.MetricsName, len(names))
	for i, n := range names {
		metrics[i] = kinesisapi.MetricsName(n)
	}
	return []kinesisapi.EnhancedMetrics{{ShardLevelMetrics: metrics}}
}
