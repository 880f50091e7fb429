package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/VictoriaMetrics/metrics"

	"github.com/eddy-streams/eddy/internal/awsproto"
	"github.com/eddy-streams/eddy/internal/server"
	"github.com/eddy-streams/eddy/internal/vfs"
)

// lockFileName is the lock inside the data directory that keeps a second
// server off it.
const lockFileName = "LOCK"

// serve runs the server until SIGINT or SIGTERM and shuts it down cleanly.
func serve(cfg Config, stderr io.Writer) error {
	log := newLogger(cfg.Log, stderr)
	dataDir, err := filepath.Abs(cfg.Storage.Data)
	if err != nil {
		return fmt.Errorf("data directory %s: %w", cfg.Storage.Data, err)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return fmt.Errorf("creating data directory: %w", err)
	}
	lock, err := vfs.OS.Lock(filepath.Join(dataDir, lockFileName))
	if errors.Is(err, vfs.ErrLocked) {
		return fmt.Errorf("data directory %s is in use by another eddy server", dataDir)
	}
	if err != nil {
		return fmt.Errorf("locking data directory %s: %w", dataDir, err)
	}
	defer lock.Close()
	log.Info("starting eddy", "version", versionString(), "data", dataDir)
	if cfg.Server.MemoryLimit > 0 {
		debug.SetMemoryLimit(cfg.Server.MemoryLimit)
	}

	set := metrics.NewSet()
	var ready atomic.Bool
	api, err := awsproto.NewHandler(awsproto.HandlerOptions{
		Logger:       log.With("component", "api"),
		Metrics:      set,
		MaxBodyBytes: cfg.Server.MaxBodyBytes,
		Ready:        ready.Load,
	})
	if err != nil {
		return err
	}
	srv, err := server.New(server.Options{
		Listen:      cfg.Server.Listen,
		TLSListen:   cfg.Server.TLSListen,
		TLSCertFile: cfg.Server.TLSCert,
		TLSKeyFile:  cfg.Server.TLSKey,
		CertDir:     filepath.Join(dataDir, "tls"),
		TLSNames:    cfg.Server.TLSNames,
		API:         api,
		Ready:       ready.Load,
		Metrics:     set,
		Pprof:       cfg.Server.Pprof,
		Logger:      log.With("component", "server"),
		OnShutdown:  []func(){api.EndStreams},
	})
	if err != nil {
		return err
	}

	// Signals are caught before listening so that a SIGTERM during recovery
	// still shuts down cleanly.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)

	if err := srv.Start(); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type opened struct {
		c   *components
		err error
	}
	openDone := make(chan opened, 1)
	go func() {
		c, err := openComponents(ctx, cfg, log, set)
		openDone <- opened{c, err}
	}()

	var comps *components
	var runErr error
	opening := true
wait:
	for {
		select {
		case o := <-openDone:
			opening = false
			comps = o.c
			if o.err != nil {
				runErr = fmt.Errorf("opening storage: %w", o.err)
				break wait
			}
			if err := api.Register(comps.services...); err != nil {
				runErr = err
				break wait
			}
			ready.Store(true)
			log.Info("ready")
		case sig := <-sigs:
			log.Info("shutting down", "signal", sig.String())
			break wait
		case err := <-srv.Done():
			runErr = fmt.Errorf("serving: %w", err)
			break wait
		}
	}
	cancel()

	// A second signal during shutdown means "now".
	go func() {
		if sig, ok := <-sigs; ok {
			log.Error("second signal, exiting without a clean shutdown", "signal", sig.String())
			os.Exit(exitError)
		}
	}()
	shutdownCtx, stop := context.WithTimeout(context.Background(), time.Duration(cfg.Server.ShutdownTimeout))
	defer stop()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("shutdown", "err", err)
	}
	if opening {
		// Recovery was interrupted (its context is canceled); wait for it to
		// give back whatever it had opened, so that it is closed properly.
		o := <-openDone
		comps = o.c
	}
	if comps != nil {
		if err := comps.close(); err != nil {
			log.Error("closing storage", "err", err)
			if runErr == nil {
				runErr = fmt.Errorf("closing storage: %w", err)
			}
		}
	}
	if runErr == nil {
		log.Info("stopped")
	}
	return runErr
}

func newLogger(c LogConfig, w io.Writer) *slog.Logger {
	level, _ := parseLogLevel(c.Level) // validated already
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
