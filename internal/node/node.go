// Package node assembles one eddy server from its parts: the shard log, the
// catalog, the server keys and the services, opened (and recovered) from a
// data directory and closed in reverse order. cmd/eddy runs a node behind
// the HTTP server; tests and benchmarks run one in-process.
package node

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/clock"
	"github.com/eddy-streams/eddy/internal/keyfile"
	"github.com/eddy-streams/eddy/internal/kinesisapi"
	"github.com/eddy-streams/eddy/internal/logstore"
	"github.com/eddy-streams/eddy/internal/meta"
	"github.com/eddy-streams/eddy/internal/streams"
	"github.com/eddy-streams/eddy/internal/vfs"
)

// The data directory's layout.
const (
	LogsDir         = "logs"
	CatalogFile     = "catalog.db"
	IteratorKeyFile = "keys/iterator.key"
	MasterKeyFile   = "keys/master.key"
)

// Config is what a node is built from.
type Config struct {
	// Data is the data directory (created if missing).
	Data string
	// Storage tunes the shard log; FS, Dir, Clock, Logger and Metrics are
	// filled in by Open.
	Storage logstore.Options
	// Streams tunes the Kinesis Data Streams service; Logs, Catalog, Clock,
	// Logger, Metrics and IteratorKey are filled in by Open.
	Streams streams.Options
	// Clock defaults to the real clock.
	Clock clock.Clock
}

// Node is a running set of components.
type Node struct {
	Store   *logstore.Store
	Catalog *meta.Catalog
	Streams *streams.Service
}

// Open opens (recovering as needed) everything under cfg.Data.
func Open(cfg Config, log *slog.Logger, set *metrics.Set) (*Node, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if set == nil {
		set = metrics.NewSet()
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real
	}
	start := time.Now()
	so := cfg.Storage
	so.FS, so.Dir, so.Clock, so.Logger, so.Metrics = vfs.OS, filepath.Join(cfg.Data, LogsDir), cfg.Clock, log.With("component", "logstore"), set
	store, err := logstore.Open(so)
	if err != nil {
		return nil, fmt.Errorf("open shard log: %w", err)
	}
	for _, d := range store.Damage() {
		log.Error("damaged data found at recovery", "err", d)
	}
	catalog, err := meta.Open(filepath.Join(cfg.Data, CatalogFile), meta.Options{})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open catalog: %w", err), store.Close())
	}
	key, err := keyfile.LoadOrCreate(vfs.OS, filepath.Join(cfg.Data, IteratorKeyFile), 32)
	if err != nil {
		return nil, errors.Join(err, catalog.Close(), store.Close())
	}
	master, err := keyfile.LoadOrCreate(vfs.OS, filepath.Join(cfg.Data, MasterKeyFile), 32)
	if err != nil {
		return nil, errors.Join(err, catalog.Close(), store.Close())
	}
	sopts := cfg.Streams
	sopts.MasterKey = master
	sopts.Logs, sopts.Catalog, sopts.Clock, sopts.Logger, sopts.Metrics, sopts.IteratorKey = store, catalog, cfg.Clock, log.With("component", "streams"), set, key
	svc, err := streams.New(sopts)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("start streams service: %w", err), catalog.Close(), store.Close())
	}
	log.Info("recovered", "data", cfg.Data, "logs", len(store.Logs()), "took", time.Since(start).Round(time.Millisecond))
	return &Node{Store: store, Catalog: catalog, Streams: svc}, nil
}

// Services are the API services to register with the HTTP handler.
func (n *Node) Services() []*awsproto.Service {
	return []*awsproto.Service{n.Streams.LimitControlPlane(kinesisapi.NewService(n.Streams))}
}

// Close stops the services and closes the catalog and the log (which
// fsyncs everything).
func (n *Node) Close() error {
	return errors.Join(n.Streams.Close(), n.Catalog.Close(), n.Store.Close())
}
