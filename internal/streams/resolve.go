package streams

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
)

// caller is who a request is from and which namespace it addresses.
type caller struct {
	acct, region string
	ns           string // "ACCOUNT/REGION"
}

func (s *Service) callerOf(ctx context.Context) caller {
	c, ok := awsproto.CallerFrom(ctx)
	if !ok || c.Account == "" {
		c.Account = "000000000000"
	}
	if !ok || c.Region == "" {
		c.Region = s.opts.DefaultRegion
	}
	return caller{acct: c.Account, region: c.Region, ns: c.Account + "/" + c.Region}
}

func (c caller) streamARN(name string) string {
	return "arn:aws:kinesis:" + c.region + ":" + c.acct + ":stream/" + name
}

// parseStreamARN splits arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME
// (also with a /consumer/... suffix, which it returns separately).
func parseStreamARN(arn string) (region, acct, name, rest string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "kinesis" {
		return "", "", "", "", false
	}
	res, found := strings.CutPrefix(parts[5], "stream/")
	if !found || res == "" {
		return "", "", "", "", false
	}
	name, rest, _ = strings.Cut(res, "/")
	if rest != "" {
		rest = "/" + rest
	}
	return parts[3], parts[4], name, rest, name != ""
}

// streamName picks the stream a request addresses from StreamName and
// StreamARN. With both, they must agree. An ARN of another account or
// region than the caller's is refused.
func (s *Service) streamName(c caller, name, arn *string) (string, error) {
	if arn != nil {
		region, acct, n, rest, ok := parseStreamARN(*arn)
		if !ok || rest != "" {
			return "", awsproto.Errorf(awsproto.InvalidArgument, "StreamARN %s is not a valid stream ARN.", *arn)
		}
		if region != c.region || acct != c.acct {
			return "", errARNNamespace(*arn, c.acct, c.region)
		}
		if name != nil && *name != n {
			return "", errStreamNameARNMismatch(*name, *arn)
		}
		return n, nil
	}
	if name != nil {
		return *name, nil
	}
	return "", errNoStreamIdentifier()
}

// lookup returns the stream named name in c's namespace, settling a due
// status transition first. Deleted streams are not found.
func (s *Service) lookup(c caller, name string) (*stream, *snapshot, error) {
	s.mu.RLock()
	st := s.streams[streamKey{c.ns, name}]
	s.mu.RUnlock()
	if st == nil {
		return nil, nil, errStreamNotFound(name, c.acct)
	}
	sn := st.load()
	if sn.due(s.now()) {
		if err := s.settle(st); err != nil {
			return nil, nil, err
		}
		sn = st.load()
	}
	if st.isGone() || sn.status(s.now()) == statusGone {
		return nil, nil, errStreamNotFound(name, c.acct)
	}
	return st, sn, nil
}

func (st *stream) isGone() bool { return st.gone.Load() }

// resolve finds the stream a request addresses by StreamName, StreamARN
// and/or StreamId; when several are given they must name the same stream.
func (s *Service) resolve(ctx context.Context, name, arn, id *string) (caller, *stream, *snapshot, error) {
	c := s.callerOf(ctx)
	if id != nil {
		s.mu.RLock()
		st := s.byID[*id]
		s.mu.RUnlock()
		if st == nil || st.ns != c.ns {
			// eddy: AWS's text for an unknown StreamId is not public.
			return c, nil, nil, errStreamNotFound(*id, c.acct)
		}
		if name != nil || arn != nil {
			n, err := s.streamName(c, name, arn)
			if err != nil {
				return c, nil, nil, err
			}
			if n != st.name {
				// eddy.
				return c, nil, nil, awsproto.Errorf(awsproto.InvalidArgument, "StreamId %s does not identify stream %s.", *id, n)
			}
		}
		st2, sn, err := s.lookup(c, st.name)
		return c, st2, sn, err
	}
	n, err := s.streamName(c, name, arn)
	if err != nil {
		return c, nil, nil, err
	}
	st, sn, err := s.lookup(c, n)
	return c, st, sn, err
}

// parseShardID normalizes a shard id the way AWS does: the number after
// the last '-' (or the whole string), below 2^31, zero-padded to 12 digits.
func parseShardID(raw string) (uint64, bool) {
	num := raw
	if i := strings.LastIndexByte(raw, '-'); i >= 0 {
		num = raw[i+1:]
	}
	if num == "" {
		return 0, false
	}
	for i := 0; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(num, 10, 64)
	if err != nil || v >= 1<<31 {
		return 0, false
	}
	return v, true
}

func hoursDuration(h int) time.Duration { return time.Duration(h) * time.Hour }

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// change runs fn with the addressed stream locked for a control-plane
// change, after settling any due transition. fn sees the latest snapshot.
func (s *Service) change(ctx context.Context, name, arn, id *string, fn func(c caller, st *stream, sn *snapshot) error) error {
	c, st, _, err := s.resolve(ctx, name, arn, id)
	if err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.settleLocked(st); err != nil {
		return err
	}
	sn := st.load()
	if st.isGone() || sn.status(s.now()) == statusGone {
		return errStreamNotFound(st.name, c.acct)
	}
	return fn(c, st, sn)
}

// requireActive returns the ResourceInUse error for a stream that is not
// ACTIVE.
func (s *Service) requireActive(c caller, sn *snapshot) error {
	if status := sn.status(s.now()); status != statusActive {
		return errNotActive(sn.m.Name, c.acct, status)
	}
	return nil
}
