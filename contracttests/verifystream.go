package contracttests

import (
	"context"
	"fmt"
	"runtime"
	"sync"
)

// reorderWindow bounds, per worker, how many results may be computed ahead of the one the
// sink waits for: a slow fixture holds back at most this many finished ones, so memory stays
// flat however many fixtures a run has.
const reorderWindow = 8

// VerifyTo verifies the fixtures named by paths as Verify does, and hands each Result to
// sink as soon as it and every Result before it are ready, in the order Verify lists them:
// a report written by sink (see ReportWriter) streams, and a run over any number of
// fixtures holds only a few results at a time.
//
// The files are verified in parallel, on runtime.GOMAXPROCS(0) workers, at most a bounded
// number of results ahead of sink; sink is called from VerifyTo's goroutine only, one Result
// at a time. An error from sink stops the run and is returned as it is; the other errors are
// Verify's.
func (v *Verifier) VerifyTo(ctx context.Context, sink func(Result) error, paths ...string) error {
	files, err := fixtureFiles(ctx, paths)
	if err != nil {
		return err
	}
	workers := min(runtime.GOMAXPROCS(0), files.len())
	if workers <= 1 {
		var l fixtureLoader
		for i := range files.len() {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("verify: %w", err)
			}
			if err := sink(v.verifyFixture(ctx, files.at(i), &l)); err != nil {
				return err
			}
		}
		return nil
	}
	return v.verifyParallel(ctx, files, workers, sink)
}

// verifyParallel verifies files on workers goroutines and hands the results to sink in
// order. Each file gets a one-result channel; the channels queue, in file order, in pending,
// whose capacity is the reorder window: the feeder cannot get further ahead of sink than
// that.
func (v *Verifier) verifyParallel(ctx context.Context, files *fixtureList, workers int, sink func(Result) error) error {
	type job struct {
		f   fixture
		out chan<- Result
	}
	run, stop := context.WithCancel(ctx)
	defer stop()
	jobs := make(chan job)
	pending := make(chan chan Result, workers*reorderWindow)
	var wg sync.WaitGroup
	wg.Add(workers + 1)
	go func() { // the feeder
		defer wg.Done()
		defer close(jobs)
		defer close(pending)
		for i := range files.len() {
			out := make(chan Result, 1) // never blocks a worker
			select {
			case pending <- out:
			case <-run.Done():
				return
			}
			select {
			case jobs <- job{f: files.at(i), out: out}:
			case <-run.Done():
				return
			}
		}
	}()
	for range workers {
		go func() {
			defer wg.Done()
			var l fixtureLoader
			for j := range jobs {
				j.out <- v.verifyFixture(run, j.f, &l)
			}
		}()
	}
	// Everything started is ended before returning: stop the feeder, let the workers finish
	// the jobs they hold, and leave no goroutine behind.
	defer func() {
		stop()
		for range pending { // unblocks nothing (the feeder selects on run), but empties it
		}
		wg.Wait()
	}()
	for out := range pending {
		var res Result
		select {
		case res = <-out:
		case <-ctx.Done():
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		if err := sink(res); err != nil {
			return err
		}
	}
	return nil
}
