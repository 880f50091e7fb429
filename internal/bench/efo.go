package bench

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/awsproto/eventstream"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
)

// newEFOClient is the HTTP client of SubscribeToShard. Subscriptions are
// long-lived event streams, so net/http is cheap enough here; each
// subscription takes its own HTTP/1.1 connection, or a stream of a shared
// HTTP/2 connection with HTTP2.
func newEFOClient(cfg *Config, ep endpoint) *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: cfg.RequestTimeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 4096,
		DisableCompression:  true,
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: ep.insecure},
		// SubscribeToShard answers with its headers at once; a slow header
		// means a dead server.
		ResponseHeaderTimeout: cfg.RequestTimeout,
	}
	if cfg.HTTP2 {
		tr.Protocols = new(http.Protocols)
		if ep.tls {
			tr.Protocols.SetHTTP2(true)
		} else {
			tr.Protocols.SetUnencryptedHTTP2(true)
		}
	}
	return &http.Client{Transport: tr}
}

// subscriber reads one shard through enhanced fan-out, resubscribing with
// AFTER_SEQUENCE_NUMBER from the last continuation sequence number whenever
// a subscription ends (AWS ends them after 5 minutes).
type subscriber struct {
	cfg         *Config
	live        *live
	hc          *http.Client
	url         string
	signer      *signer
	consumerARN string
	log         *shardLog
	stop        *readStop
	keep        runFilter
	subscribes  int
	// ready is closed once the first subscription has been answered (its
	// starting position is then fixed), or when the subscriber gives up:
	// producers of a mixed run wait for it, so that a LATEST subscription
	// cannot miss their first records.
	ready     chan struct{}
	readyOnce sync.Once
}

func (s *subscriber) markReady() { s.readyOnce.Do(func() { close(s.ready) }) }

func (s *subscriber) run(ctx context.Context) {
	defer s.markReady()
	pos := kinesisapi.StartingPosition{Type: kinesisapi.ShardIteratorTypeLatest}
	if s.cfg.From == "trim_horizon" {
		pos.Type = kinesisapi.ShardIteratorTypeTrimHorizon
	}
	var backoff time.Duration
	for ctx.Err() == nil {
		done, err := s.subscribe(ctx, &pos)
		if done {
			return
		}
		if err != nil {
			backoff = min(max(2*backoff, 100*time.Millisecond), 2*time.Second)
		} else {
			backoff = 0
		}
		if backoff > 0 && !sleep(ctx, backoff) {
			return
		}
	}
}

// subscribe runs one subscription; done means the shard needs no more
// reading (closed, or caught up after the stop point).
func (s *subscriber) subscribe(ctx context.Context, pos *kinesisapi.StartingPosition) (done bool, err error) {
	in := kinesisapi.SubscribeToShardInput{ConsumerARN: s.consumerARN, ShardId: s.log.Shard, StartingPosition: pos}
	body := in.AppendAWS(awsproto.JSON, nil)
	req, err := http.NewRequestWithContext(ctx, "POST", s.url, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	date, auth := s.signer.header(time.Now(), "SubscribeToShard")
	req.Header.Set("Content-Type", awsproto.ContentTypeJSON)
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.SubscribeToShard")
	req.Header.Set("X-Amz-Date", date)
	req.Header.Set("Authorization", auth)
	s.subscribes++
	res, err := s.hc.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			s.live.addError("efo:"+errorType(err), 1)
		}
		return false, err
	}
	defer res.Body.Close()
	if res.StatusCode == 200 {
		s.markReady()
	}
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		ae := parseAPIError(res.StatusCode, b)
		s.live.addError("efo:"+ae.Type, 1)
		if ae.Type == "ResourceNotFoundException" {
			return true, ae
		}
		return false, ae
	}
	dec := eventstream.NewDecoder(res.Body)
	var ev readResult
	for {
		m, err := dec.Decode()
		if err != nil {
			if err == io.EOF || ctx.Err() != nil {
				return false, nil // the server ended the subscription
			}
			s.live.addError("efo:StreamBroken", 1)
			return false, err
		}
		now := time.Now()
		switch m.GetString(eventstream.HeaderMessageType) {
		case eventstream.MessageTypeEvent:
		case eventstream.MessageTypeException:
			ae := &APIError{Status: 200, Type: m.GetString(eventstream.HeaderExceptionType), Message: string(m.Payload)}
			s.live.addError("efo:"+ae.Type, 1)
			return false, ae
		default:
			s.live.addError("efo:"+m.GetString(eventstream.HeaderErrorCode), 1)
			return false, errDecode
		}
		if m.GetString(eventstream.HeaderEventType) != "SubscribeToShardEvent" {
			continue // initial-response
		}
		if err := scanRecords(m.Payload, &ev); err != nil {
			s.live.addError("efo:BadEvent", 1)
			return false, errDecode
		}
		s.log.absorb(ev.records, s.keep, s.live, now)
		if !ev.hasNext || len(ev.next) == 0 {
			// The shard is closed and every record was delivered.
			return true, nil
		}
		cont := string(ev.next)
		pos.Type, pos.SequenceNumber = kinesisapi.ShardIteratorTypeAfterSequenceNumber, &cont
		if len(ev.records) == 0 && ev.behind == 0 && s.stop.reached(now.Add(-efoSettle)) {
			s.live.caughtUp.Add(1)
			return true, nil
		}
	}
}

// efoSettle is how long after the stop point an empty, caught-up event must
// arrive before a subscriber trusts that it reflects every record written
// before the stop point (events are built before they are delivered).
const efoSettle = 200 * time.Millisecond
