package streams

// StartStreamEncryption turns on encryption at rest with EncryptionType KMS
// and a KeyId (alias/aws/kinesis, an alias, a key id or a key or alias ARN).
// Records written from the call on are stored encrypted with a new data key
// (see encryption.go); the stream is UPDATING for Options.UpdateDelay, and
// DescribeStream, PutRecord(s) and GetRecords report EncryptionType KMS.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) StartStreamEncryption(ctx context.Context, in *kinesisapi.StartStreamEncryptionInput) error {
	return s.change(ctx, in.StreamName, in.StreamARN, in.StreamId, func(c caller, st *stream, sn *snapshot) error {
		if in.EncryptionType != kinesisapi.EncryptionTypeKms {
			// eddy: AWS's text is not public.
			return awsproto.Errorf(awsproto.InvalidArgument, "EncryptionType %s is not valid for StartStreamEncryption; use KMS.", in.EncryptionType)
		}
		if !kmsKeyPattern.MatchString(in.KeyId) {
			// eddy: AWS's text is not public.
			return awsproto.Errorf(awsproto.KMSNotFound, "Key %s does not exist.", in.KeyId)
		}
		if err := s.requireActive(c, sn); err != nil {
			return err
		}
		if sn.m.EncryptionType == string(kinesisapi.EncryptionTypeKms) && sn.m.KeyID == in.KeyId {
			return nil
		}
		m := cloneMeta(sn.m)
		dk := s.keys.newDataKey(m, in.KeyId)
		dk.Created = s.now()
		m.DataKeys = append(m.DataKeys, dk)
		m.EncryptionType, m.KeyID = string(kinesisapi.EncryptionTypeKms), in.KeyId
		m.Status, m.StatusUntil = statusUpdating, s.now().Add(s.opts.UpdateDelay)
		return s.commitLocked(st, m, sn.shardMetas(), nil)
	})
}
