module github.com/eddy-streams/eddy

go 1.26.0

require (
	github.com/VictoriaMetrics/metrics v1.35.1
	golang.org/x/sys v0.49.0
)

require (
	github.com/valyala/fastrand v1.1.0 // indirect
	github.com/valyala/histogram v1.2.0 // indirect
)
