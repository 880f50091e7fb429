package streams

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/eddy-streams/eddy/internal/clock"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/logstore"
	"github.com/eddy-streams/eddy/internal/meta"
)

// Logs is what the service needs from the shard log store. *logstore.Store
// implements it; a clustered store would too.
type Logs interface {
	CreateLog(id logstore.LogID, cfg logstore.LogConfig) error
	SetRetention(id logstore.LogID, d time.Duration) error
	CloseLog(id logstore.LogID) (uint64, error)
	DeleteLog(id logstore.LogID) error
	Append(ctx context.Context, batches []logstore.Batch) ([]logstore.Appended, error)
	Read(id logstore.LogID, from uint64, maxRecords, maxBytes int) (logstore.ReadResult, error)
	TrimHorizon(id logstore.LogID) (uint64, error)
	SeekTimestamp(id logstore.LogID, ms int64) (uint64, error)
	Watch(id logstore.LogID, pos uint64) (<-chan struct{}, error)
	Info(id logstore.LogID) (logstore.LogInfo, error)
	Logs() []logstore.LogID
}

// Options configure the service.
type Options struct {
	Logs    Logs
	Catalog *meta.Catalog
	Clock   clock.Clock
	Logger  *slog.Logger
	Metrics *metrics.Set
	// IteratorKey (32 bytes) seals shard iterators and pagination tokens.
	IteratorKey []byte
	// MasterKey (32 bytes) wraps the streams' record encryption keys.
	MasterKey []byte

	// How long streams stay CREATING, DELETING and UPDATING. Short by
	// default so the states are observable (waiters work) but tests are fast.
	CreateDelay time.Duration
	DeleteDelay time.Duration
	UpdateDelay time.Duration

	// ShardLimit is the number of open shards allowed per account and region
	// (AWS's default quota in its largest regions).
	ShardLimit int
	// OnDemandStreamLimit is the number of on-demand streams allowed per
	// account and region.
	OnDemandStreamLimit int
	// Limits are the throughput limits (none by default).
	Limits Limits
	// FanOutLimiter paces SubscribeToShard deliveries per consumer and
	// shard; nil delivers without limit.
	FanOutLimiter FanOutLimiter
	// ConsumerLimit is the number of enhanced fan-out consumers a stream
	// may have (default 20, AWS's quota).
	ConsumerLimit int
	// ScaleInterval is how often the on-demand scaler looks at write rates.
	ScaleInterval time.Duration
	// DefaultRegion is used when a request carries no SigV4 credential (only
	// in-process callers; the HTTP layer always sets one).
	DefaultRegion string
}

// Defaults.
const (
	DefaultCreateDelay         = 500 * time.Millisecond
	DefaultDeleteDelay         = 500 * time.Millisecond
	DefaultUpdateDelay         = 500 * time.Millisecond
	DefaultShardLimit          = 20000
	DefaultOnDemandStreamLimit = 50
	minRetentionHours          = 24
	maxRetentionHours          = 8760
	defaultRetentionHours      = 24
	defaultMaxRecordSizeKiB    = 1024
	iteratorLifetime           = 5 * time.Minute
	nextTokenLifetime          = 300 * time.Second
)

// Service implements the Kinesis Data Streams API (kinesisapi.API).
type Service struct {
	opts    Options
	log     *slog.Logger
	clock   clock.Clock
	logs    Logs
	catalog *meta.Catalog
	tokens  *iteratorCodec
	pages   *sealer
	keys    *keyring
	m       *serviceMetrics

	createMu sync.Mutex // serializes CreateStream (name checks, account limits)

	mu      sync.RWMutex
	streams map[streamKey]*stream
	byTag   map[uint64]*stream // incarnation tag -> stream, for iterators
	byID    map[string]*stream // StreamId -> stream

	meters         sync.Map // logstore.LogID -> *shardMeter
	consumerLimits *consumerLimiter

	fan fanOut // enhanced fan-out subscriptions and consumer timers

	closed chan struct{}
	wg     sync.WaitGroup
}

var _ kinesisapi.API = (*Service)(nil)

type streamKey struct{ ns, name string }

// New loads the catalog, reconciles it with the log store (creating logs a
// crash left uncreated, deleting logs of deleted streams) and returns the
// service ready to serve.
func New(opts Options) (*Service, error) {
	if opts.Logs == nil || opts.Catalog == nil {
		return nil, errors.New("streams: Logs and Catalog are required")
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Metrics == nil {
		opts.Metrics = metrics.NewSet()
	}
	if opts.ShardLimit <= 0 {
		opts.ShardLimit = DefaultShardLimit
	}
	if opts.OnDemandStreamLimit <= 0 {
		opts.OnDemandStreamLimit = DefaultOnDemandStreamLimit
	}
	if opts.ConsumerLimit <= 0 {
		opts.ConsumerLimit = DefaultConsumerLimit
	}
	if opts.DefaultRegion == "" {
		opts.DefaultRegion = "us-east-1"
	}
	codec, err := newIteratorCodec(opts.IteratorKey)
	if err != nil {
		return nil, err
	}
	keys, err := newKeyring(opts.MasterKey)
	if err != nil {
		return nil, err
	}
	s := &Service{
		keys:    keys,
		opts:    opts,
		log:     opts.Logger,
		clock:   opts.Clock,
		logs:    opts.Logs,
		catalog: opts.Catalog,
		tokens:  codec,
		pages:   &codec.sealer,
		m:       newServiceMetrics(opts.Metrics),
		streams: map[streamKey]*stream{},
		byTag:   map[uint64]*stream{},
		byID:    map[string]*stream{},
		closed:  make(chan struct{}),
	}
	s.consumerLimits = newConsumerLimiter(s)
	if s.opts.FanOutLimiter == nil && (opts.Limits.AWS || len(opts.Limits.Streams) > 0) {
		s.opts.FanOutLimiter = s.consumerLimits
	}
	if err := s.load(); err != nil {
		return nil, err
	}
	if opts.ScaleInterval <= 0 {
		opts.ScaleInterval = DefaultScaleInterval
	}
	s.wg.Add(1)
	go s.scaleLoop(opts.ScaleInterval)
	return s, nil
}

// Close stops background work (status transitions, timers). The caller
// closes the log store and the catalog afterwards.
func (s *Service) Close() error {
	select {
	case <-s.closed:
		return nil
	default:
	}
	close(s.closed)
	s.fan.close()
	// Stop the timers without holding s.mu: a transition in progress holds
	// its stream's lock and may need s.mu (reaping a deleted stream), so
	// taking the stream locks under s.mu could deadlock. stopTimer waits
	// for a transition in progress; later ones see s.closed and do nothing.
	s.mu.RLock()
	all := make([]*stream, 0, len(s.streams))
	for _, st := range s.streams {
		all = append(all, st)
	}
	s.mu.RUnlock()
	for _, st := range all {
		st.stopTimer()
	}
	s.wg.Wait()
	return nil
}

// load builds the in-memory registry from the catalog and reconciles the
// log store with it.
func (s *Service) load() error {
	var loaded []*meta.Stream
	shardsOf := map[*meta.Stream][]meta.Shard{}
	consumersOf := map[*meta.Stream][]*meta.Consumer{}
	var dead []uint64
	err := s.catalog.View(func(tx *meta.Tx) error {
		if err := tx.ForEachStream(func(m *meta.Stream) error {
			shards, err := tx.Shards(m.Namespace, m.Name)
			if err != nil {
				return err
			}
			consumers, err := tx.Consumers(m.Namespace, m.Name)
			if err != nil {
				return err
			}
			loaded = append(loaded, m)
			shardsOf[m] = shards
			consumersOf[m] = consumers
			return nil
		}); err != nil {
			return err
		}
		var err error
		dead, err = tx.DeadLogs()
		return err
	})
	if err != nil {
		return fmt.Errorf("load catalog: %w", err)
	}
	known := map[logstore.LogID]bool{}
	for _, id := range s.logs.Logs() {
		known[id] = true
	}
	for _, m := range loaded {
		retention := time.Duration(m.RetentionHours) * time.Hour
		for _, sh := range shardsOf[m] {
			id := logstore.LogID(sh.LogID)
			if !known[id] {
				// The catalog committed the shard but the log was not created
				// before a crash: it never held a record, so create it now.
				if err := s.logs.CreateLog(id, logstore.LogConfig{Retention: retention}); err != nil {
					return fmt.Errorf("create missing log %d of %s/%s: %w", id, m.Namespace, m.Name, err)
				}
			}
		}
		st := newStream(m.Namespace, m.Name)
		st.publish(buildSnapshot(m, shardsOf[m], consumersOf[m]))
		s.register(st)
	}
	if err := s.buryLogs(dead); err != nil {
		return err
	}
	for _, st := range s.streams {
		s.schedule(st)
		for _, c := range st.load().consumers {
			s.scheduleConsumer(st, c)
		}
	}
	return nil
}

// buryLogs deletes the logs of deleted shards and forgets them.
func (s *Service) buryLogs(ids []uint64) error {
	if len(ids) == 0 {
		return nil
	}
	for _, id := range ids {
		if err := s.logs.DeleteLog(logstore.LogID(id)); err != nil && !errors.Is(err, logstore.ErrLogNotFound) {
			return fmt.Errorf("delete log %d: %w", id, err)
		}
	}
	return s.catalog.Update(func(tx *meta.Tx) error { return tx.ForgetDeadLogs(ids...) })
}

func (s *Service) now() time.Time { return s.clock.Now() }
