// Command eddy is a self-hosted Amazon Kinesis: one binary that serves the
// Kinesis APIs as AWS speaks them.
//
// This package is thin on purpose: it turns flags and the config file into
// typed config structs, wires the components together and runs the
// subcommands. It is the only place that reads flags or the environment.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // the server could not start or failed while running
	exitUsage = 2 // bad flags, subcommands or config values
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `eddy is a self-hosted Amazon Kinesis.

Usage:
  eddy serve [flags]    run the server
  eddy version          print the version
  eddy help [command]   show help

Run 'eddy help serve' for the server's flags.
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return runServe(rest, stdout, stderr)
	case "version":
		if len(rest) > 0 {
			fmt.Fprintf(stderr, "eddy version: unexpected argument %q\n", rest[0])
			return exitUsage
		}
		fmt.Fprintln(stdout, versionString())
		return exitOK
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			switch rest[0] {
			case "serve":
				printServeUsage(stdout)
				return exitOK
			case "version":
				fmt.Fprintln(stdout, "Usage: eddy version\n\nPrints eddy's version, commit and Go version.")
				return exitOK
			}
			fmt.Fprintf(stderr, "eddy help: unknown command %q\n", rest[0])
			return exitUsage
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "eddy: unknown command %q (run 'eddy help')\n", cmd)
		return exitUsage
	}
}

func runServe(args []string, stdout, stderr io.Writer) int {
	f := newServeFlags()
	cfg, err := f.parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printServeUsage(stdout)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "eddy serve: %v\n", err)
		var ue *usageError
		if errors.As(err, &ue) {
			return exitUsage
		}
		return exitError
	}
	if err := serve(cfg, stderr); err != nil {
		fmt.Fprintf(stderr, "eddy serve: %v\n", err)
		return exitError
	}
	return exitOK
}

func printServeUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: eddy serve [flags]

Serves the Kinesis API on --listen (HTTP/1.1 and h2c) and --tls-listen (HTTPS,
h2 and http/1.1), keeping data in --data. Settings come from the defaults, then
--config FILE, then the flags given.

Flags:
`)
	fs := newServeFlags().fs
	fs.SetOutput(w)
	fs.PrintDefaults()
}
