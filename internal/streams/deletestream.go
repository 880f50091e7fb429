package streams

// DeleteStream marks a stream DELETING; Options.DeleteDelay later its
// records, shards, consumers, tags and policies are gone. Streams with
// registered consumers need EnforceConsumerDeletion, as on AWS. Reads keep
// working while DELETING (AWS documents that they may); writes are refused
// as to a missing stream, as kinesalite (checked against AWS) does.

import (
	"context"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) DeleteStream(ctx context.Context, in *kinesisapi.DeleteStreamInput) error {
	return s.change(ctx, in.StreamName, in.StreamARN, in.StreamId, func(c caller, st *stream, sn *snapshot) error {
		if sn.m.Status == statusDeleting {
			return errStreamNotFound(sn.m.Name, c.acct)
		}
		if len(sn.consumers) > 0 && !deref(in.EnforceConsumerDeletion) {
			// AWS (with its typographic apostrophe).
			return awsproto.Errorf(awsproto.ResourceInUse, "DeleteStream can’t delete %s:%s because there are consumers associated with this data stream. To delete %s anyway, set the EnforceConsumerDeletion parameter to true to force the deletion of all the consumers that are associated with it.", c.acct, sn.m.Name, sn.m.Name)
		}
		m := cloneMeta(sn.m)
		m.Status, m.StatusUntil = statusDeleting, s.now().Add(s.opts.DeleteDelay)
		return s.commitLocked(st, m, sn.shardMetas(), nil)
	})
}
