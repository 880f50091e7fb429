package streams

// GetResourcePolicy returns the policy attached to a stream or a consumer,
// or "{}" when there is none.

import (
	"context"
	"errors"
	"fmt"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/meta"
)

func (s *Service) GetResourcePolicy(ctx context.Context, in *kinesisapi.GetResourcePolicyInput) (*kinesisapi.GetResourcePolicyOutput, error) {
	r, err := s.viewResource(ctx, in.ResourceARN)
	if err != nil {
		return nil, err
	}
	policy := "{}"
	err = s.catalog.View(func(tx *meta.Tx) error {
		p, err := tx.Policy(r.arn())
		if err == nil {
			policy = p
		}
		if errors.Is(err, meta.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get policy: %w", err)
	}
	return &kinesisapi.GetResourcePolicyOutput{Policy: policy}, nil
}
