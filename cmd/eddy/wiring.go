package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/logstore"
	"github.com/eddy-streams/eddy/internal/node"
	"github.com/eddy-streams/eddy/internal/streams"
)

// components is what openComponents brings up behind the API.
type components struct {
	// services are registered with the API handler once recovery is done.
	services []*awsproto.Service
	// close releases everything in reverse order of opening. It runs after
	// the server has stopped and in-flight requests have finished.
	close func() error
}

// openComponents opens and recovers the storage and the services behind the
// API. The server is already listening (answering /healthz, and 503 to API
// requests) while this runs; /readyz turns 200 when it returns.
func openComponents(_ context.Context, cfg Config, log *slog.Logger, set *metrics.Set) (*components, error) {
	n, err := node.Open(nodeConfig(cfg, log), log, set)
	if err != nil {
		return nil, err
	}
	return &components{services: n.Services(), close: n.Close}, nil
}

// nodeConfig maps the command's configuration onto the node's.
func nodeConfig(cfg Config, log *slog.Logger) node.Config {
	durability := logstore.SyncEachCommit
	if cfg.Storage.Durability == "interval" {
		durability = logstore.SyncInterval
		log.Warn("durability is interval: acknowledged records written in the last sync interval can be lost on power loss or a kernel crash",
			"sync_interval", time.Duration(cfg.Storage.SyncInterval))
	}
	return node.Config{
		Data: cfg.Storage.Data,
		Storage: logstore.Options{
			Durability:   durability,
			SyncInterval: time.Duration(cfg.Storage.SyncInterval),
			Salvage:      cfg.Storage.Salvage,
		},
		Streams: streams.Options{
			CreateDelay:         time.Duration(cfg.Streams.CreateDelay),
			DeleteDelay:         time.Duration(cfg.Streams.DeleteDelay),
			UpdateDelay:         time.Duration(cfg.Streams.UpdateDelay),
			ShardLimit:          cfg.Streams.ShardLimit,
			OnDemandStreamLimit: cfg.Streams.OnDemandStreamLimit,
			Limits:              streams.Limits{AWS: cfg.Streams.Limits == "aws", Streams: cfg.Streams.StreamLimits},
			ScaleInterval:       time.Duration(cfg.Streams.ScaleInterval),
			ConsumerLimit:       cfg.Streams.ConsumerLimit,
		},
	}
}
