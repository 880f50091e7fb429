package streams

// PutResourcePolicy attaches a policy document to a stream or a consumer.
// The document is stored and returned by GetResourcePolicy; it is not
// enforced (enforcement comes with request authentication). It must be a
// JSON object.

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/meta"
)

func (s *Service) PutResourcePolicy(ctx context.Context, in *kinesisapi.PutResourcePolicyInput) error {
	var doc map[string]any
	if err := json.Unmarshal([]byte(in.Policy), &doc); err != nil {
		// eddy: AWS's text for a malformed policy is not public.
		return awsproto.Errorf(awsproto.InvalidArgument, "Policy is not a valid JSON policy document: %v", err)
	}
	return s.changeResource(ctx, in.ResourceARN, func(r resource) error {
		if r.consumer != nil && r.consumer.Status != statusActive {
			// AWS.
			return awsproto.Errorf(awsproto.ResourceInUse, "Consumer %s with creation timestamp %d under stream %s and account %s is not in ACTIVE status.",
				r.consumer.Name, r.consumer.Created.Unix(), r.sn.m.Name, r.c.acct)
		}
		if r.consumer == nil {
			if err := s.requireActive(r.c, r.sn); err != nil {
				return err
			}
		}
		if err := s.catalog.Update(func(tx *meta.Tx) error { return tx.PutPolicy(r.arn(), in.Policy) }); err != nil {
			return fmt.Errorf("put policy: %w", err)
		}
		return nil
	})
}
