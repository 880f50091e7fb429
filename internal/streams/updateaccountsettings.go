package streams

// UpdateAccountSettings enables or disables the account's minimum throughput
// billing commitment. A commitment lasts at least 24 hours: disabling it
// earlier schedules the end (ENABLED_UNTIL_EARLIEST_ALLOWED_END), and
// enabling it again before then cancels the scheduled end, as on AWS.

import (
	"context"
	"fmt"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/meta"
)

func (s *Service) UpdateAccountSettings(ctx context.Context, in *kinesisapi.UpdateAccountSettingsInput) (*kinesisapi.UpdateAccountSettingsOutput, error) {
	c := s.callerOf(ctx)
	s.createMu.Lock() // account-wide settings change rarely; serialize them
	defer s.createMu.Unlock()
	a, err := s.accountSettings(c.ns)
	if err != nil {
		return nil, err
	}
	now := s.now()
	bc := &a.MinimumThroughputBillingCommitment
	switch in.MinimumThroughputBillingCommitment.Status {
	case kinesisapi.MinimumThroughputBillingCommitmentInputStatusEnabled:
		if bc.Status == "DISABLED" {
			*bc = meta.BillingCommitment{Status: "ENABLED", StartedAt: now, EarliestAllowedEndAt: now.Add(minimumCommitment)}
		} else {
			bc.Status = "ENABLED" // also cancels a scheduled end
		}
	case kinesisapi.MinimumThroughputBillingCommitmentInputStatusDisabled:
		switch {
		case bc.Status == "DISABLED":
		case now.Before(bc.EarliestAllowedEndAt):
			bc.Status = "ENABLED_UNTIL_EARLIEST_ALLOWED_END"
		default:
			bc.Status, bc.EndedAt = "DISABLED", now
		}
	}
	if err := s.catalog.Update(func(tx *meta.Tx) error { return tx.PutAccountSettings(c.ns, a) }); err != nil {
		return nil, fmt.Errorf("update account settings: %w", err)
	}
	return &kinesisapi.UpdateAccountSettingsOutput{MinimumThroughputBillingCommitment: commitmentOutput(*bc)}, nil
}
