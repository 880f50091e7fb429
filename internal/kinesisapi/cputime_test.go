//go:build unix

package kinesisapi

import (
	"syscall"
	"testing"
	"time"
)

// processCPU returns the CPU time the process has used (user + system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuMeter reports, besides wall time, the process CPU time per item
// (including the garbage collector's), which stays meaningful on a machine
// busy with other work.
type cpuMeter struct{ start time.Duration }

func startCPU() cpuMeter { return cpuMeter{processCPU()} }

func (m cpuMeter) report(b *testing.B, items int) {
	cpu := processCPU() - m.start
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N)/float64(items), "cpu-ns/record")
}
