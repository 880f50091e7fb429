package streams

// DescribeAccountSettings returns the caller's MinimumThroughputBillingCommitment
// (DISABLED until UpdateAccountSettings enables it).

import (
	"context"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

func (s *Service) DescribeAccountSettings(ctx context.Context, _ *kinesisapi.DescribeAccountSettingsInput) (*kinesisapi.DescribeAccountSettingsOutput, error) {
	a, err := s.accountSettings(s.callerOf(ctx).ns)
	if err != nil {
		return nil, err
	}
	return &kinesisapi.DescribeAccountSettingsOutput{MinimumThroughputBillingCommitment: commitmentOutput(a.MinimumThroughputBillingCommitment)}, nil
}
