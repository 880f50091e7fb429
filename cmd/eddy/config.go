package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"gopkg.in/yaml.v3"

	"github.com/eddy-streams/eddy/internal/streams"
)

// Config is everything `eddy serve` can be told, one struct per component.
// It comes from defaults, then the config file, then flags.
type Config struct {
	Server  ServerConfig  `yaml:"server" toml:"server"`
	Storage StorageConfig `yaml:"storage" toml:"storage"`
	Streams StreamsConfig `yaml:"streams" toml:"streams"`
	Log     LogConfig     `yaml:"log" toml:"log"`
}

// ServerConfig configures the listeners and the protocol handler.
type ServerConfig struct {
	// Listen is the HTTP/1.1 + h2c address; empty disables it.
	Listen string `yaml:"listen" toml:"listen"`
	// TLSListen is the HTTPS address; empty disables it.
	TLSListen string `yaml:"tls_listen" toml:"tls_listen"`
	// TLSCert and TLSKey are PEM files; without them eddy makes a
	// self-signed certificate in DATA/tls.
	TLSCert string `yaml:"tls_cert" toml:"tls_cert"`
	TLSKey  string `yaml:"tls_key" toml:"tls_key"`
	// TLSNames are extra host names or IPs for the self-signed certificate.
	TLSNames []string `yaml:"tls_names" toml:"tls_names"`
	// MaxBodyBytes caps request bodies.
	MaxBodyBytes int64 `yaml:"max_body_bytes" toml:"max_body_bytes"`
	// ShutdownTimeout is how long shutdown waits for in-flight requests.
	ShutdownTimeout Duration `yaml:"shutdown_timeout" toml:"shutdown_timeout"`
	// Pprof serves the Go profiler under /debug/pprof/ on the listeners.
	Pprof bool `yaml:"pprof" toml:"pprof"`
	// MemoryLimit is a soft limit in bytes on the process's memory (Go's
	// runtime memory limit: the garbage collector works harder near it and
	// returns freed memory to the OS sooner). 0 leaves the runtime's default,
	// which honours GOMEMLIMIT.
	MemoryLimit int64 `yaml:"memory_limit" toml:"memory_limit"`
}

// StorageConfig configures where and how data is kept.
type StorageConfig struct {
	// Data is the data directory.
	Data string `yaml:"data" toml:"data"`
	// Durability is "fsync" (acknowledge after fsync, group commit; the
	// default) or "interval" (fsync every SyncInterval: faster, but a power
	// loss or kernel crash can lose acknowledged records).
	Durability string `yaml:"durability" toml:"durability"`
	// SyncInterval is the fsync period of the interval mode.
	SyncInterval Duration `yaml:"sync_interval" toml:"sync_interval"`
	// Salvage opens a store whose journal is damaged in the middle, recording
	// the damage instead of refusing to start.
	Salvage bool `yaml:"salvage" toml:"salvage"`
}

// StreamsConfig configures Kinesis Data Streams behaviour.
type StreamsConfig struct {
	// CreateDelay, DeleteDelay and UpdateDelay are how long streams stay
	// CREATING, DELETING and UPDATING.
	CreateDelay Duration `yaml:"create_delay" toml:"create_delay"`
	DeleteDelay Duration `yaml:"delete_delay" toml:"delete_delay"`
	UpdateDelay Duration `yaml:"update_delay" toml:"update_delay"`
	// ShardLimit is the open shards allowed per account and region.
	ShardLimit int `yaml:"shard_limit" toml:"shard_limit"`
	// OnDemandStreamLimit is the on-demand streams allowed per account and region.
	OnDemandStreamLimit int `yaml:"on_demand_stream_limit" toml:"on_demand_stream_limit"`
	// Limits is "off" (no throughput limits, the default) or "aws" (AWS's
	// per-shard quotas and control-plane rates).
	Limits string `yaml:"limits" toml:"limits"`
	// StreamLimits set per-shard quotas for streams by name, whatever Limits says.
	StreamLimits map[string]streams.ShardLimits `yaml:"stream_limits" toml:"stream_limits"`
	// ScaleInterval is how often on-demand streams are rescaled.
	ScaleInterval Duration `yaml:"scale_interval" toml:"scale_interval"`
	// ConsumerLimit is the enhanced fan-out consumers allowed per stream.
	ConsumerLimit int `yaml:"consumer_limit" toml:"consumer_limit"`
}

// LogConfig configures logging.
type LogConfig struct {
	Level  string `yaml:"level" toml:"level"`   // debug|info|warn|error
	Format string `yaml:"format" toml:"format"` // text|json
}

// Duration is a time.Duration written as "30s" in config files.
type Duration time.Duration

// UnmarshalText parses Go duration syntax.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("invalid duration %q", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes Go duration syntax.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// DefaultConfig is the zero-configuration laptop setup.
func DefaultConfig() Config {
	return Config{
		Server: ServerConfig{
			Listen:          "127.0.0.1:4567",
			TLSListen:       "127.0.0.1:4568",
			MaxBodyBytes:    16 << 20,
			ShutdownTimeout: Duration(30 * time.Second),
		},
		Storage: StorageConfig{Data: "./eddy-data", Durability: "fsync", SyncInterval: Duration(50 * time.Millisecond)},
		Streams: StreamsConfig{
			CreateDelay:         Duration(500 * time.Millisecond),
			DeleteDelay:         Duration(500 * time.Millisecond),
			UpdateDelay:         Duration(500 * time.Millisecond),
			ShardLimit:          20000,
			OnDemandStreamLimit: 50,
			Limits:              "off",
			ScaleInterval:       Duration(time.Minute),
			ConsumerLimit:       20,
		},
		Log: LogConfig{Level: "info", Format: "text"},
	}
}

// usageError is a mistake in how eddy was invoked (exit status 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// serveFlags binds the serve flags. Each flag is applied over the file's
// value only if it was given on the command line.
type serveFlags struct {
	fs     *flag.FlagSet
	config string
	apply  map[string]func(*Config)
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func newServeFlags() *serveFlags {
	f := &serveFlags{fs: flag.NewFlagSet("serve", flag.ContinueOnError), apply: map[string]func(*Config){}}
	f.fs.SetOutput(io.Discard) // errors are reported in one line by the caller
	d := DefaultConfig()
	str := func(name, def, usage string, set func(*Config, string)) {
		v := f.fs.String(name, def, usage)
		f.apply[name] = func(c *Config) { set(c, *v) }
	}
	f.fs.StringVar(&f.config, "config", "", "read settings from `FILE` (.yaml, .yml or .toml); flags override it")
	str("listen", d.Server.Listen, "HTTP/1.1 and h2c `address` (empty disables)", func(c *Config, v string) { c.Server.Listen = v })
	str("tls-listen", d.Server.TLSListen, "HTTPS `address` (empty disables)", func(c *Config, v string) { c.Server.TLSListen = v })
	str("tls-cert", "", "TLS certificate `file` (PEM); default: self-signed in DATA/tls", func(c *Config, v string) { c.Server.TLSCert = v })
	str("tls-key", "", "TLS private key `file` (PEM)", func(c *Config, v string) { c.Server.TLSKey = v })
	var names stringList
	f.fs.Var(&names, "tls-name", "extra `name` or IP for the self-signed certificate (repeatable)")
	f.apply["tls-name"] = func(c *Config) { c.Server.TLSNames = append([]string(nil), names...) }
	str("data", d.Storage.Data, "data `directory`", func(c *Config, v string) { c.Storage.Data = v })
	str("durability", d.Storage.Durability, "`mode`: fsync (acknowledge after fsync) or interval (fsync every --sync-interval; can lose acknowledged records)", func(c *Config, v string) { c.Storage.Durability = v })
	syncInterval := f.fs.Duration("sync-interval", time.Duration(d.Storage.SyncInterval), "fsync period of --durability interval")
	f.apply["sync-interval"] = func(c *Config) { c.Storage.SyncInterval = Duration(*syncInterval) }
	salvage := f.fs.Bool("salvage", false, "open a store whose journal is damaged, recording what is lost instead of refusing to start")
	f.apply["salvage"] = func(c *Config) { c.Storage.Salvage = *salvage }
	durations := map[string]func(*Config, Duration){
		"create-delay": func(c *Config, v Duration) { c.Streams.CreateDelay = v },
		"delete-delay": func(c *Config, v Duration) { c.Streams.DeleteDelay = v },
		"update-delay": func(c *Config, v Duration) { c.Streams.UpdateDelay = v },
	}
	states := map[string]string{"create-delay": "CREATING", "delete-delay": "DELETING", "update-delay": "UPDATING"}
	for name, def := range map[string]Duration{"create-delay": d.Streams.CreateDelay, "delete-delay": d.Streams.DeleteDelay, "update-delay": d.Streams.UpdateDelay} {
		v := f.fs.Duration(name, time.Duration(def), "how long streams stay "+states[name])
		set := durations[name]
		f.apply[name] = func(c *Config) { set(c, Duration(*v)) }
	}
	shardLimit := f.fs.Int("shard-limit", d.Streams.ShardLimit, "open shards allowed per account and region")
	f.apply["shard-limit"] = func(c *Config) { c.Streams.ShardLimit = *shardLimit }
	consumerLimit := f.fs.Int("consumer-limit", d.Streams.ConsumerLimit, "enhanced fan-out consumers allowed per stream")
	f.apply["consumer-limit"] = func(c *Config) { c.Streams.ConsumerLimit = *consumerLimit }
	odLimit := f.fs.Int("on-demand-stream-limit", d.Streams.OnDemandStreamLimit, "on-demand streams allowed per account and region")
	f.apply["on-demand-stream-limit"] = func(c *Config) { c.Streams.OnDemandStreamLimit = *odLimit }
	str("limits", d.Streams.Limits, "throughput `limits`: off, or aws (AWS's per-shard quotas and control-plane rates)", func(c *Config, v string) { c.Streams.Limits = v })
	str("log-level", d.Log.Level, "log `level`: debug, info, warn or error", func(c *Config, v string) { c.Log.Level = v })
	str("log-format", d.Log.Format, "log `format`: text or json", func(c *Config, v string) { c.Log.Format = v })
	maxBody := f.fs.Int64("max-body-bytes", d.Server.MaxBodyBytes, "largest accepted request body in `bytes`")
	f.apply["max-body-bytes"] = func(c *Config) { c.Server.MaxBodyBytes = *maxBody }
	memLimit := f.fs.Int64("memory-limit", d.Server.MemoryLimit, "soft limit on the server's memory in `bytes` (0: the Go runtime's default)")
	f.apply["memory-limit"] = func(c *Config) { c.Server.MemoryLimit = *memLimit }
	pprofOn := f.fs.Bool("pprof", false, "serve the Go profiler under /debug/pprof/ (for diagnosing; off by default)")
	f.apply["pprof"] = func(c *Config) { c.Server.Pprof = *pprofOn }
	shutdown := f.fs.Duration("shutdown-timeout", time.Duration(d.Server.ShutdownTimeout), "how long shutdown waits for in-flight requests")
	f.apply["shutdown-timeout"] = func(c *Config) { c.Server.ShutdownTimeout = Duration(*shutdown) }
	return f
}

// parse reads args, then the config file if one was named, and applies the
// flags that were given over it.
func (f *serveFlags) parse(args []string) (Config, error) {
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, err
		}
		return Config{}, usagef("%v", err)
	}
	if f.fs.NArg() > 0 {
		return Config{}, usagef("unexpected argument %q", f.fs.Arg(0))
	}
	cfg := DefaultConfig()
	if f.config != "" {
		if err := loadConfigFile(f.config, &cfg); err != nil {
			return Config{}, err
		}
	}
	f.fs.Visit(func(fl *flag.Flag) {
		if apply := f.apply[fl.Name]; apply != nil {
			apply(&cfg)
		}
	})
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// loadConfigFile decodes path over cfg. Unknown keys are errors, so that a
// misspelt setting is not silently ignored.
func loadConfigFile(path string, cfg *Config) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return usagef("config file: %v", err)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
			return usagef("config file %s: %s", path, oneLine(err.Error()))
		}
		var extra any
		if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
			return usagef("config file %s: more than one YAML document", path)
		}
	case ".toml":
		md, err := toml.Decode(string(data), cfg)
		if err != nil {
			return usagef("config file %s: %s", path, oneLine(err.Error()))
		}
		if un := md.Undecoded(); len(un) > 0 {
			keys := make([]string, len(un))
			for i, k := range un {
				keys[i] = k.String()
			}
			return usagef("config file %s: unknown setting %s", path, strings.Join(keys, ", "))
		}
	default:
		return usagef("config file %s: the name must end in .yaml, .yml or .toml", path)
	}
	return nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Validate checks every value, so that mistakes are reported at start in one
// line rather than as odd behaviour later.
func (c *Config) Validate() error {
	if _, err := parseLogLevel(c.Log.Level); err != nil {
		return err
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		return usagef("log format %q: must be text or json", c.Log.Format)
	}
	if c.Server.Listen == "" && c.Server.TLSListen == "" {
		return usagef("listen and tls-listen are both empty: nothing to serve on")
	}
	for name, addr := range map[string]string{"listen": c.Server.Listen, "tls-listen": c.Server.TLSListen} {
		if addr == "" {
			continue
		}
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return usagef("%s address %q: %v", name, addr, err)
		}
		if p, err := strconv.ParseUint(port, 10, 16); err != nil || (p == 0 && port != "0") {
			return usagef("%s address %q: bad port %q", name, addr, port)
		}
	}
	if (c.Server.TLSCert == "") != (c.Server.TLSKey == "") {
		return usagef("tls-cert and tls-key must be given together")
	}
	if c.Server.MemoryLimit != 0 && c.Server.MemoryLimit < 32<<20 {
		return usagef("memory limit %d: must be 0 (none) or at least 33554432", c.Server.MemoryLimit)
	}
	if c.Server.MaxBodyBytes < 1<<20 {
		return usagef("max body bytes %d: must be at least 1048576", c.Server.MaxBodyBytes)
	}
	if c.Server.ShutdownTimeout <= 0 {
		return usagef("shutdown timeout %s: must be positive", time.Duration(c.Server.ShutdownTimeout))
	}
	if c.Storage.Data == "" {
		return usagef("data directory is empty")
	}
	if c.Storage.Durability != "fsync" && c.Storage.Durability != "interval" {
		return usagef("durability %q: must be fsync or interval", c.Storage.Durability)
	}
	if c.Storage.SyncInterval <= 0 {
		return usagef("sync interval %s: must be positive", time.Duration(c.Storage.SyncInterval))
	}
	for name, d := range map[string]Duration{"create delay": c.Streams.CreateDelay, "delete delay": c.Streams.DeleteDelay, "update delay": c.Streams.UpdateDelay} {
		if d < 0 {
			return usagef("%s %s: must not be negative", name, time.Duration(d))
		}
	}
	if c.Streams.Limits != "off" && c.Streams.Limits != "aws" {
		return usagef("limits %q: must be off or aws", c.Streams.Limits)
	}
	for name, l := range c.Streams.StreamLimits {
		if l.WriteBytesPerSec < 0 || l.WriteRecordsPerSec < 0 || l.ReadBytesPerSec < 0 || l.ReadCallsPerSec < 0 || l.ConsumerBytesPerSec < 0 {
			return usagef("stream limits for %q: rates must not be negative", name)
		}
	}
	if c.Streams.ScaleInterval <= 0 {
		return usagef("scale interval %s: must be positive", time.Duration(c.Streams.ScaleInterval))
	}
	if c.Streams.ShardLimit < 1 || c.Streams.OnDemandStreamLimit < 1 || c.Streams.ConsumerLimit < 1 {
		return usagef("shard limit, on-demand stream limit and consumer limit must be at least 1")
	}
	return nil
}

func parseLogLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, usagef("log level %q: must be debug, info, warn or error", s)
}
