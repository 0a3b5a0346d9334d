//go:build !unix

package contracttests

import "time"

// cpuTime is not measured here: the benchmarks report wall-clock rates only.
func cpuTime() (time.Duration, bool) { return 0, false }
