package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"github.com/eddy-streams/eddy/internal/bench"
)

// exitViolation is the status of a run whose integrity check failed.
const exitViolation = 3

const benchUsage = `Usage: eddy bench MODE [flags]

A lean Kinesis load generator that verifies integrity. Modes:
  put     producers (PutRecords, or PutRecord with --batch 0 / --single)
  get     polling consumers (GetShardIterator + GetRecords); from trim_horizon
          they stop at the end of the stream
  efo     enhanced fan-out consumers (RegisterStreamConsumer + SubscribeToShard)
  mixed   producers and consumers (--consume poll|efo); every acknowledged
          record must be read back exactly once, intact, in order
  verify  read a whole stream and check it against the --ack-log files of
          earlier put runs

Exit status: 0 success, 1 error, 2 bad usage, 3 integrity violations found.

Flags:
`

type benchFlags struct {
	fs      *flag.FlagSet
	cfg     bench.Config
	keys    string
	single  bool
	noVer   bool
	json    bool
	run     string
	ackLogs stringList
	prog    string
	base    uint
	cpuProf string
}

func newBenchFlags() *benchFlags {
	f := &benchFlags{fs: flag.NewFlagSet("bench", flag.ContinueOnError)}
	f.fs.SetOutput(io.Discard)
	c := &f.cfg
	fs := f.fs
	fs.StringVar(&c.Endpoint, "endpoint", "http://127.0.0.1:4567", "Kinesis endpoint `URL` (http or https)")
	fs.BoolVar(&c.Insecure, "insecure", false, "do not check the server's TLS certificate")
	fs.BoolVar(&c.HTTP2, "http2", false, "SubscribeToShard over HTTP/2 (h2c on http endpoints)")
	fs.StringVar(&c.Region, "region", "us-east-1", "`region` in the SigV4 credential scope")
	fs.StringVar(&c.AccessKey, "access-key", "AKIDEXAMPLE", "access key `id` (12 digits select that account on eddy)")
	fs.DurationVar(&c.RequestTimeout, "timeout", 30*time.Second, "timeout of one request")
	fs.StringVar(&c.Stream, "stream", "eddy-bench", "stream `name`")
	fs.IntVar(&c.Shards, "shards", 4, "shards of the stream when it is created")
	fs.BoolVar(&c.NoCreate, "no-create", false, "fail instead of creating a missing stream")
	fs.IntVar(&c.Producers, "concurrency", 4, "producers (one request in flight each, own connection)")
	fs.IntVar(&c.Batch, "batch", 500, "PutRecords batch size; 0 sends single PutRecord calls")
	fs.BoolVar(&f.single, "single", false, "single PutRecord calls (same as --batch 0)")
	fs.IntVar(&c.RecordSize, "record-size", 100, "record data `bytes` (at least 42: the integrity header)")
	fs.StringVar(&f.keys, "keys", "uniform", "partition keys: uniform, hot[:SHARE] (SHARE of records under one key, default 0.9) or fixed:K")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "how long producers (or tailing consumers) run; 0 with --records")
	fs.Int64Var(&c.Records, "records", 0, "stop producers after this many records (0 = no limit)")
	fs.Float64Var(&c.Rate, "rate", 0, "target records/s over all producers (0 = as fast as possible)")
	fs.StringVar(&c.Consume, "consume", "poll", "consumers of a mixed run: poll or efo")
	fs.IntVar(&c.Consumers, "consumers", 2, "polling goroutines (each polls its share of the shards)")
	fs.StringVar(&c.From, "from", "", "where consumers start: trim_horizon (get default: read to the end) or latest (mixed and efo default: tail)")
	fs.IntVar(&c.GetLimit, "get-limit", 10000, "Limit of each GetRecords call")
	fs.DurationVar(&c.PollIdle, "poll-idle", 200*time.Millisecond, "wait before polling again a caught-up shard (AWS allows 5 GetRecords/s per shard)")
	fs.StringVar(&c.ConsumerName, "consumer-name", "eddy-bench", "enhanced fan-out consumer `name`")
	fs.DurationVar(&c.Drain, "drain", 30*time.Second, "how long consumers may keep reading after producers stop")
	fs.BoolVar(&f.noVer, "no-verify", false, "skip the integrity check of mixed runs")
	fs.Var(&f.ackLogs, "ack-log", "put/mixed: save acknowledgements to `FILE`; verify: check against FILE (repeatable)")
	fs.StringVar(&f.run, "run", "", "run id (8 hex digits) written into the records; default random")
	fs.UintVar(&f.base, "producer-base", 0, "first producer id (to tell generators apart)")
	fs.IntVar(&c.ServerPID, "server-pid", 0, "measure this server process's CPU time and peak RSS over the run")
	fs.StringVar(&f.cpuProf, "cpu-profile", "", "write the generator's own CPU profile to `FILE`")
	fs.BoolVar(&f.json, "json", false, "print the summary as JSON")
	fs.StringVar(&f.prog, "progress", "auto", "live progress line on stderr: auto (when stderr is a terminal), on or off")
	return f
}

func (f *benchFlags) parse(mode string, args []string) (bench.Config, error) {
	if err := f.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return bench.Config{}, err
		}
		return bench.Config{}, usagef("%v", err)
	}
	if f.fs.NArg() > 0 {
		return bench.Config{}, usagef("unexpected argument %q", f.fs.Arg(0))
	}
	c := f.cfg
	c.Mode = bench.Mode(mode)
	if f.base > 1<<31 {
		return c, usagef("producer base %d: too large", f.base)
	}
	c.ProducerBase = uint32(f.base)
	if f.single {
		c.Batch = 0
	}
	kd, err := bench.ParseKeyDist(f.keys)
	if err != nil {
		return c, usagef("%v", err)
	}
	c.Keys = kd
	if f.run != "" {
		v, err := strconv.ParseUint(f.run, 16, 32)
		if err != nil || v == 0 {
			return c, usagef("run %q: want 1 to 8 hex digits, not zero", f.run)
		}
		c.Run = uint32(v)
	}
	c.Verify = c.Mode == bench.ModeMixed && !f.noVer
	switch c.Mode {
	case bench.ModeVerify:
		c.AckLogs = f.ackLogs
		c.Duration = 0
	case bench.ModePut, bench.ModeMixed:
		if len(f.ackLogs) > 1 {
			return c, usagef("%s writes one --ack-log", mode)
		}
		if len(f.ackLogs) == 1 {
			c.AckLog = f.ackLogs[0]
		}
	default:
		if len(f.ackLogs) > 0 {
			return c, usagef("--ack-log is for put, mixed and verify")
		}
	}
	if (c.Mode == bench.ModeGet || c.Mode == bench.ModeVerify) && !flagGiven(f.fs, "duration") {
		c.Duration = 0 // read to the end
	}
	switch f.prog {
	case "on":
		c.Progress = os.Stderr
	case "auto":
		if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			c.Progress = os.Stderr
		}
	case "off":
	default:
		return c, usagef("progress %q: want auto, on or off", f.prog)
	}
	c.Defaults()
	if err := c.Validate(); err != nil {
		return c, usagef("%v", err)
	}
	return c, nil
}

func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			given = true
		}
	})
	return given
}

func printBenchUsage(w io.Writer) {
	fmt.Fprint(w, benchUsage)
	fs := newBenchFlags().fs
	fs.SetOutput(w)
	fs.PrintDefaults()
}

func runBench(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		printBenchUsage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	mode := args[0]
	switch bench.Mode(mode) {
	case bench.ModePut, bench.ModeGet, bench.ModeEFO, bench.ModeMixed, bench.ModeVerify:
	default:
		fmt.Fprintf(stderr, "eddy bench: unknown mode %q (put, get, efo, mixed or verify)\n", mode)
		return exitUsage
	}
	f := newBenchFlags()
	cfg, err := f.parse(mode, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		printBenchUsage(stdout)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "eddy bench: %v\n", err)
		return exitUsage
	}
	cfg.Log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	// SIGINT or SIGTERM end the run early but still report (and save the
	// ack log): the crash harness relies on this.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if f.cpuProf != "" {
		pf, err := os.Create(f.cpuProf)
		if err != nil {
			fmt.Fprintf(stderr, "eddy bench: %v\n", err)
			return exitError
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			fmt.Fprintf(stderr, "eddy bench: %v\n", err)
			return exitError
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := bench.Run(ctx, cfg)
	if rep != nil {
		if f.json {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			enc.Encode(rep)
		} else {
			rep.WriteText(stdout)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "eddy bench: %v\n", err)
		return exitError
	}
	if rep.Verify != nil && !rep.Verify.OK {
		fmt.Fprintln(stderr, "eddy bench: integrity violations found")
		return exitViolation
	}
	return exitOK
}
