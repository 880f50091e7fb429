package streams

// DeleteResourcePolicy removes the policy attached to a stream or a
// consumer; it is an error when there is none.

import (
	"context"
	"errors"
	"fmt"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/meta"
)

func (s *Service) DeleteResourcePolicy(ctx context.Context, in *kinesisapi.DeleteResourcePolicyInput) error {
	return s.changeResource(ctx, in.ResourceARN, func(r resource) error {
		return s.catalog.Update(func(tx *meta.Tx) error {
			if _, err := tx.Policy(r.arn()); errors.Is(err, meta.ErrNotFound) {
				// AWS (as reproduced by moto).
				return awsproto.Errorf(awsproto.ResourceNotFound, "No resource policy found for resource ARN %s.", r.arn())
			} else if err != nil {
				return fmt.Errorf("get policy: %w", err)
			}
			return tx.DeletePolicy(r.arn())
		})
	})
}
