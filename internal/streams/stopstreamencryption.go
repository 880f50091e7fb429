package streams

// StopStreamEncryption turns encryption at rest off: records written from
// the call on are stored as plain data; records written while it was on
// stay encrypted on disk and are still returned decrypted. The stream is
// UPDATING for Options.UpdateDelay.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) StopStreamEncryption(ctx context.Context, in *kinesisapi.StopStreamEncryptionInput) error {
	return s.change(ctx, in.StreamName, in.StreamARN, in.StreamId, func(c caller, st *stream, sn *snapshot) error {
		if in.EncryptionType != kinesisapi.EncryptionTypeKms {
			// eddy: AWS's text is not public.
			return awsproto.Errorf(awsproto.InvalidArgument, "EncryptionType %s is not valid for StopStreamEncryption; use KMS.", in.EncryptionType)
		}
		if err := s.requireActive(c, sn); err != nil {
			return err
		}
		if sn.m.EncryptionType != string(kinesisapi.EncryptionTypeKms) {
			// eddy: AWS's text is not public.
			return awsproto.Errorf(awsproto.InvalidArgument, "Stream %s under account %s is not encrypted.", sn.m.Name, c.acct)
		}
		if sn.m.KeyID != in.KeyId {
			// eddy: AWS's text is not public.
			return awsproto.Errorf(awsproto.InvalidArgument, "Stream %s under account %s is encrypted with key %s, not %s.", sn.m.Name, c.acct, sn.m.KeyID, in.KeyId)
		}
		m := cloneMeta(sn.m)
		m.EncryptionType, m.KeyID = string(kinesisapi.EncryptionTypeNone), ""
		m.Status, m.StatusUntil = statusUpdating, s.now().Add(s.opts.UpdateDelay)
		return s.commitLocked(st, m, sn.shardMetas(), nil)
	})
}
