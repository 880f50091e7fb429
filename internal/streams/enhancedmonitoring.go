package streams

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

// allMetrics are the shard-level metrics "ALL" stands for, in the order
// they are stored and returned.
var allMetrics = []string{
	string(kinesisapi.MetricsNameIncomingBytes), string(kinesisapi.MetricsNameIncomingRecords),
	string(kinesisapi.MetricsNameOutgoingBytes), string(kinesisapi.MetricsNameOutgoingRecords),
	string(kinesisapi.MetricsNameWriteProvisionedThroughputExceeded), string(kinesisapi.MetricsNameReadProvisionedThroughputExceeded),
	string(kinesisapi.MetricsNameIteratorAgeMilliseconds),
}

// setMonitoring implements Enable/DisableEnhancedMonitoring: the flags are
// stored per stream and reported by DescribeStream; the metrics themselves
// are served on /metrics.
func (s *Service) setMonitoring(ctx context.Context, name, arn, id *string, names []kinesisapi.MetricsName, enable bool) (*kinesisapi.EnhancedMonitoringOutput, error) {
	var out *kinesisapi.EnhancedMonitoringOutput
	err := s.change(ctx, name, arn, id, func(c caller, st *stream, sn *snapshot) error {
		if err := s.requireActive(c, sn); err != nil {
			return err
		}
		change := map[string]bool{}
		for _, n := range names {
			if n == kinesisapi.MetricsNameAll {
				for _, a := range allMetrics {
					change[a] = true
				}
			} else {
				change[string(n)] = true
			}
		}
		have := map[string]bool{}
		for _, n := range sn.m.ShardLevelMetrics {
			have[n] = true
		}
		var next []string
		for _, n := range allMetrics {
			if enable && (have[n] || change[n]) || !enable && have[n] && !change[n] {
				next = append(next, n)
			}
		}
		m := cloneMeta(sn.m)
		m.ShardLevelMetrics = next
		if err := s.commitLocked(st, m, sn.shardMetas(), nil); err != nil {
			return err
		}
		out = &kinesisapi.EnhancedMonitoringOutput{
			StreamName:               ptr(sn.m.Name),
			StreamARN:                ptr(sn.m.ARN),
			CurrentShardLevelMetrics: metricNames(sn.m.ShardLevelMetrics),
			DesiredShardLevelMetrics: metricNames(next),
		}
		return nil
	})
	return out, err
}

func metricNames(names []string) []kinesisapi.MetricsName {
	out := make([]kinesisapi.MetricsName, len(names))
	for i, n := range names {
		out[i] = kinesisapi.MetricsName(n)
	}
	return out
}
