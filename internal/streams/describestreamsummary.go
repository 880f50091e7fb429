package streams

// DescribeStreamSummary returns a stream's description without shards:
// status, mode, retention, encryption, enhanced monitoring, open shard and
// consumer counts, maximum record size, and warm throughput for on-demand
// streams.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) DescribeStreamSummary(ctx context.Context, in *kinesisapi.DescribeStreamSummaryInput) (*kinesisapi.DescribeStreamSummaryOutput, error) {
	_, _, sn, err := s.resolve(ctx, in.StreamName, in.StreamARN, in.StreamId)
	if err != nil {
		return nil, err
	}
	status := sn.status(s.now())
	open := 0
	if status == statusActive || status == statusUpdating {
		open = sn.openShardCount()
	}
	d := &kinesisapi.StreamDescriptionSummary{
		StreamName:              sn.m.Name,
		StreamARN:               sn.m.ARN,
		StreamId:                ptr(sn.m.ID),
		StreamStatus:            kinesisapi.StreamStatus(status),
		StreamModeDetails:       &kinesisapi.StreamModeDetails{StreamMode: kinesisapi.StreamMode(sn.m.Mode)},
		RetentionPeriodHours:    int32(sn.m.RetentionHours),
		StreamCreationTimestamp: sn.m.Created,
		EnhancedMonitoring:      enhancedMonitoring(sn.m.ShardLevelMetrics),
		EncryptionType:          ptr(kinesisapi.EncryptionType(sn.m.EncryptionType)),
		OpenShardCount:          int32(open),
		ConsumerCount:           ptr(int32(len(sn.consumers))),
		MaxRecordSizeInKiB:      ptr(int32(sn.m.MaxRecordSizeKiB)),
	}
	if sn.m.EncryptionType == string(kinesisapi.EncryptionTypeKms) {
		d.KeyId = ptr(sn.m.KeyID)
	}
	if sn.m.Mode == modeOnDemand {
		d.WarmThroughput = &kinesisapi.WarmThroughputObject{
			TargetMiBps:  ptr(int32(sn.m.WarmThroughput.TargetMiBps)),
			CurrentMiBps: ptr(int32(sn.openShardCount() * shardWriteMiBps)),
		}
	}
	return &kinesisapi.DescribeStreamSummaryOutput{StreamDescriptionSummary: d}, nil
}
