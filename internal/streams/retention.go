package streams

import (
	"context"
)

// changeRetention implements Increase/DecreaseStreamRetentionPeriod: the
// bounds (24 to 8,760 hours) and direction are checked as AWS checks them;
// the new period applies to reads at once (decreasing hides older records
// immediately, increasing does not bring back expired ones) and to the
// logs' background trimming.
func (s *Service) changeRetention(ctx context.Context, name, arn, id *string, hours int, increase bool) error {
	return s.change(ctx, name, arn, id, func(c caller, st *stream, sn *snapshot) error {
		switch {
		case hours < minRetentionHours:
			return errRetentionTooShort(hours)
		case hours > maxRetentionHours:
			return errRetentionTooLong(hours)
		case increase && hours < sn.m.RetentionHours, !increase && hours > sn.m.RetentionHours:
			return errRetentionDirection(hours, sn.m.Name, sn.m.RetentionHours, increase)
		}
		if err := s.requireActive(c, sn); err != nil {
			return err
		}
		if hours == sn.m.RetentionHours {
			return nil
		}
		m := cloneMeta(sn.m)
		m.RetentionHours = hours
		if err := s.commitLocked(st, m, sn.shardMetas(), nil); err != nil {
			return err
		}
		return s.setRetentionLogs(sn, hours)
	})
}
