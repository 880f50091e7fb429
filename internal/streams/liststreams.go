package streams

// ListStreams lists the caller's streams (account and region) in name order
// with their summaries, 100 per page: ExclusiveStartStreamName or NextToken
// (sealed, valid 300 seconds) continue a listing; HasMoreStreams tells
// whether more remain.

import (
	"context"
	"sort"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

const listStreamsMax = 100

func (s *Service) ListStreams(ctx context.Context, in *kinesisapi.ListStreamsInput) (*kinesisapi.ListStreamsOutput, error) {
	c := s.callerOf(ctx)
	after := deref(in.ExclusiveStartStreamName)
	if in.NextToken != nil {
		if in.ExclusiveStartStreamName != nil {
			// eddy (ListShards' wording; AWS's for ListStreams is not public).
			return nil, awsproto.Errorf(awsproto.InvalidArgument, "NextToken and ExclusiveStartStreamName cannot be provided together.")
		}
		t, err := s.openPage(*in.NextToken, pageListStreams, c.ns)
		if err != nil {
			return nil, err
		}
		after = t.After
	}
	limit := listStreamsMax
	if in.Limit != nil && int(*in.Limit) < limit {
		limit = int(*in.Limit)
	}
	now := s.now()
	var snaps []*snapshot
	for _, st := range s.namespaceStreams(c.ns) {
		sn := st.load()
		if st.isGone() || sn.status(now) == statusGone || sn.m.Name <= after {
			continue
		}
		snaps = append(snaps, sn)
	}
	sort.Slice(snaps, func(i, j int) bool { return snaps[i].m.Name < snaps[j].m.Name })
	out := &kinesisapi.ListStreamsOutput{StreamNames: []string{}, StreamSummaries: []kinesisapi.StreamSummary{}}
	if len(snaps) > limit {
		snaps = snaps[:limit]
		out.HasMoreStreams = true
	}
	for _, sn := range snaps {
		out.StreamNames = append(out.StreamNames, sn.m.Name)
		out.StreamSummaries = append(out.StreamSummaries, kinesisapi.StreamSummary{
			StreamName:              sn.m.Name,
			StreamARN:               sn.m.ARN,
			StreamStatus:            kinesisapi.StreamStatus(sn.status(now)),
			StreamModeDetails:       &kinesisapi.StreamModeDetails{StreamMode: kinesisapi.StreamMode(sn.m.Mode)},
			StreamCreationTimestamp: ptr(sn.m.Created),
		})
	}
	if out.HasMoreStreams {
		out.NextToken = ptr(s.sealPage(pageToken{Kind: pageListStreams, NS: c.ns, After: snaps[len(snaps)-1].m.Name, IssuedMs: now.UnixMilli()}))
	}
	return out, nil
}
