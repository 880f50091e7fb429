package streams

import (
	"errors"
	"fmt"
	"time"

	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/meta"
)

// minimumCommitment is how long a MinimumThroughputBillingCommitment must
// stay enabled before it can end.
const minimumCommitment = 24 * time.Hour

// accountSettings returns the caller's settings, applying a scheduled end
// of the billing commitment whose time has come.
func (s *Service) accountSettings(ns string) (*meta.AccountSettings, error) {
	var a *meta.AccountSettings
	err := s.catalog.View(func(tx *meta.Tx) error {
		var err error
		a, err = tx.AccountSettings(ns)
		if errors.Is(err, meta.ErrNotFound) {
			a, err = &meta.AccountSettings{MinimumThroughputBillingCommitment: meta.BillingCommitment{Status: "DISABLED"}}, nil
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("account settings: %w", err)
	}
	bc := &a.MinimumThroughputBillingCommitment
	if bc.Status == "ENABLED_UNTIL_EARLIEST_ALLOWED_END" && !s.now().Before(bc.EarliestAllowedEndAt) {
		bc.Status, bc.EndedAt = "DISABLED", bc.EarliestAllowedEndAt
	}
	return a, nil
}

func commitmentOutput(bc meta.BillingCommitment) *kinesisapi.MinimumThroughputBillingCommitmentOutput {
	out := &kinesisapi.MinimumThroughputBillingCommitmentOutput{Status: kinesisapi.MinimumThroughputBillingCommitmentOutputStatus(bc.Status)}
	opt := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		return &t
	}
	out.StartedAt, out.EndedAt, out.EarliestAllowedEndAt = opt(bc.StartedAt), opt(bc.EndedAt), opt(bc.EarliestAllowedEndAt)
	return out
}
