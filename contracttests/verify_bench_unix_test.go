//go:build unix

package contracttests

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) the process has used so far: on a machine
// shared with other work, rates per CPU second move far less than rates per wall second.
func cpuTime() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
