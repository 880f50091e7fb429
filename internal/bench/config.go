package bench

import (
	"fmt"
	"io"
	"log/slog"
	"time"
)

// Mode is what a run does.
type Mode string

// Modes.
const (
	ModePut    Mode = "put"    // producers only
	ModeGet    Mode = "get"    // polling consumers only
	ModeEFO    Mode = "efo"    // SubscribeToShard consumers only
	ModeMixed  Mode = "mixed"  // producers and consumers (Consume says which)
	ModeVerify Mode = "verify" // read a whole stream and check it against ack logs
)

// Config is one run of the load generator.
type Config struct {
	Mode Mode

	// Endpoint is http://HOST:PORT or https://HOST:PORT.
	Endpoint string
	// Insecure skips TLS certificate checks (self-signed servers).
	Insecure bool
	// HTTP2 makes SubscribeToShard use HTTP/2 (h2c on http endpoints).
	HTTP2 bool
	// Region and AccessKey go into the SigV4 credential scope (they select
	// the account and region); SecretKey signs.
	Region, AccessKey, SecretKey string
	// RequestTimeout bounds one request.
	RequestTimeout time.Duration

	// Stream is created with Shards shards if it does not exist (unless
	// NoCreate).
	Stream   string
	Shards   int
	NoCreate bool

	// Producers is the number of producers, each with one request in flight
	// on its own connection.
	Producers int
	// Batch is the PutRecords batch size; 0 sends single PutRecord calls.
	Batch int
	// RecordSize is the size of each record's data (at least HeaderLen).
	RecordSize int
	// Keys is the partition key distribution.
	Keys KeyDist
	// Rate is the total target in records/s; 0 is as fast as possible.
	Rate float64
	// Duration is how long producers (or tailing consumers) run.
	Duration time.Duration
	// Records, when positive, stops producers after this many records.
	Records int64

	// Consume is the consumer kind of a mixed run: "poll" or "efo".
	Consume string
	// Consumers is the number of polling goroutines (each polls its share
	// of the shards on its own connection).
	Consumers int
	// From is where consumers start: "latest" (default for mixed and efo)
	// or "trim_horizon" (default for get and verify).
	From string
	// GetLimit is the Limit of GetRecords.
	GetLimit int
	// PollIdle is how long a polling consumer waits before polling again a
	// shard that is caught up (end-to-end latency through polling includes
	// up to this wait).
	PollIdle time.Duration
	// ConsumerName names the fan-out consumer (registered if missing).
	ConsumerName string
	// Drain bounds how long consumers keep reading after producers stop
	// (or, for get and verify, after the stream's end was first reached).
	Drain time.Duration

	// Verify checks integrity at the end (mixed runs; verify mode always).
	Verify bool
	// AckLog, when set, saves the acknowledgement tables there (put and
	// mixed runs) for a later verify run.
	AckLog string
	// AckLogs are the acknowledgement logs a verify run checks the stream
	// against.
	AckLogs []string
	// Run identifies this run inside its records; 0 picks one at random.
	Run uint32
	// ProducerBase offsets producer ids (to tell several generators apart).
	ProducerBase uint32

	// ServerPID, when positive, is the server process whose CPU time and
	// peak RSS are measured over the run.
	ServerPID int

	// Progress, when set, receives a live one-line progress display
	// (carriage return, no newline) every second.
	Progress io.Writer
	// Log receives warnings; nil discards them.
	Log *slog.Logger
}

// Defaults fills in unset fields.
func (c *Config) Defaults() {
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.AccessKey == "" {
		c.AccessKey = "AKIDEXAMPLE"
	}
	if c.SecretKey == "" {
		c.SecretKey = "eddy-bench-secret"
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 30 * time.Second
	}
	if c.Stream == "" {
		c.Stream = "eddy-bench"
	}
	if c.Shards == 0 {
		c.Shards = 4
	}
	if c.Producers == 0 {
		c.Producers = 4
	}
	if c.RecordSize == 0 {
		c.RecordSize = 100
	}
	if c.Keys.Kind == "" {
		c.Keys = KeyDist{Kind: "uniform"}
	}
	if c.Consume == "" {
		c.Consume = "poll"
	}
	if c.Consumers == 0 {
		c.Consumers = 2
	}
	if c.From == "" {
		// Reading runs read what is there; consumers of a mixed run and
		// fan-out consumers tail what the run writes.
		c.From = "latest"
		if c.Mode == ModeGet || c.Mode == ModeVerify {
			c.From = "trim_horizon"
		}
	}
	if c.GetLimit == 0 {
		c.GetLimit = 10000
	}
	if c.PollIdle == 0 {
		c.PollIdle = 200 * time.Millisecond
	}
	if c.ConsumerName == "" {
		c.ConsumerName = "eddy-bench"
	}
	if c.Drain == 0 {
		c.Drain = 30 * time.Second
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
}

// Validate reports the first bad setting.
func (c *Config) Validate() error {
	switch c.Mode {
	case ModePut, ModeGet, ModeEFO, ModeMixed, ModeVerify:
	default:
		return fmt.Errorf("mode %q: want put, get, efo, mixed or verify", c.Mode)
	}
	if c.Endpoint == "" {
		return fmt.Errorf("no endpoint")
	}
	if c.Shards < 1 || c.Producers < 1 || c.Consumers < 1 {
		return fmt.Errorf("shards, producers and consumers must be at least 1")
	}
	if c.Batch < 0 || c.Batch > 500 {
		return fmt.Errorf("batch %d: must be 0 (single PutRecord) to 500", c.Batch)
	}
	if c.RecordSize < HeaderLen || c.RecordSize > 10<<20 {
		return fmt.Errorf("record size %d: must be %d (the integrity header) to 10 MiB", c.RecordSize, HeaderLen)
	}
	if c.Rate < 0 || c.Records < 0 || c.Duration < 0 {
		return fmt.Errorf("rate, records and duration must not be negative")
	}
	if (c.Mode == ModePut || c.Mode == ModeMixed) && c.Duration == 0 && c.Records == 0 {
		return fmt.Errorf("a %s run needs a duration or a record count", c.Mode)
	}
	if c.Consume != "poll" && c.Consume != "efo" {
		return fmt.Errorf("consume %q: want poll or efo", c.Consume)
	}
	if c.From != "latest" && c.From != "trim_horizon" {
		return fmt.Errorf("from %q: want latest or trim_horizon", c.From)
	}
	if c.GetLimit < 1 || c.GetLimit > 10000 {
		return fmt.Errorf("GetRecords limit %d: must be 1 to 10000", c.GetLimit)
	}
	if c.Mode == ModeVerify && len(c.AckLogs) == 0 {
		return fmt.Errorf("verify needs at least one ack log")
	}
	if c.Mode == ModeVerify && c.From != "trim_horizon" {
		return fmt.Errorf("verify reads from trim_horizon")
	}
	return nil
}
