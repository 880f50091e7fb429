package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set by the release build with
// -ldflags "-X main.version=v1.2.3 -X main.commit=abc1234"; otherwise taken
// from the build information the Go toolchain embeds.
var (
	version = ""
	commit  = ""
)

func versionString() string {
	v, c := version, commit
	goVersion := runtime.Version()
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		var rev string
		modified := false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if c == "" && rev != "" {
			c = rev[:min(len(rev), 12)]
			if modified {
				c += "-dirty"
			}
		}
		goVersion = info.GoVersion
	}
	if v == "" {
		v = "devel"
	}
	if c == "" {
		c = "unknown"
	}
	return fmt.Sprintf("eddy %s (commit %s, %s %s/%s)", v, c, goVersion, runtime.GOOS, runtime.GOARCH)
}
