package streams

// UpdateMaxRecordSize sets the largest record (data plus partition key) a
// stream accepts, 1,024 to 10,240 KiB. Above 1 MiB, PutRecords requests may
// carry up to 10 MiB.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) UpdateMaxRecordSize(ctx context.Context, in *kinesisapi.UpdateMaxRecordSizeInput) error {
	return s.change(ctx, nil, in.StreamARN, in.StreamId, func(c caller, st *stream, sn *snapshot) error {
		if err := s.requireActive(c, sn); err != nil {
			return err
		}
		m := cloneMeta(sn.m)
		m.MaxRecordSizeKiB = int(in.MaxRecordSizeInKiB)
		return s.commitLocked(st, m, sn.shardMetas(), nil)
	})
}
