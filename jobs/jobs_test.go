package jobs

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/internal/storetest"
	"github.com/rampart-dev/rampart/internal/testdb"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestOneReplicaAtATime: three replicas schedule the same periodic job; it
// runs, but never on two at once.
func TestOneReplicaAtATime(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			st := storetest.Open(t, d)
			var running, most, runs atomic.Int64
			job := Job{Name: "tick", Every: 20 * time.Millisecond, Run: func(ctx context.Context, _, _ string, _ func(string) error) (string, error) {
				n := running.Add(1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(10 * time.Millisecond)
				running.Add(-1)
				runs.Add(1)
				return "ok", nil
			}}
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for i := 0; i < 3; i++ {
				s := &Scheduler{Store: st, Jobs: []Job{job}, Worker: string(rune('a' + i)), Tick: 5 * time.Millisecond, Log: quiet}
				wg.Add(1)
				go func() { defer wg.Done(); s.Run(ctx) }()
			}
			deadline := time.Now().Add(10 * time.Second)
			for runs.Load() < 5 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			cancel()
			wg.Wait()
			if runs.Load() < 5 || most.Load() != 1 {
				t.Fatalf("%d runs, at most %d at once", runs.Load(), most.Load())
			}
		})
	}
}

// TestInterruptedJobResumes: a one-off job saves progress and its replica
// shuts down; another replica takes it over at once and resumes from the
// saved progress; when it finishes, it is not run again.
func TestInterruptedJobResumes(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			st := storetest.Open(t, d)
			started := make(chan struct{})
			var resumedFrom atomic.Value
			var finished atomic.Int64
			family := Job{Name: "work:", Run: func(ctx context.Context, name, state string, save func(string) error) (string, error) {
				if state == "" {
					if err := save("half"); err != nil {
						return "", err
					}
					close(started)
					<-ctx.Done() // the replica shuts down mid-run
					return "", ctx.Err()
				}
				resumedFrom.Store(state)
				finished.Add(1)
				return "done", nil
			}}
			ctx1, stop1 := context.WithCancel(context.Background())
			a := &Scheduler{Store: st, Jobs: []Job{family}, Worker: "a", Tick: 5 * time.Millisecond, Log: quiet}
			if err := a.Trigger(ctx1, "work:t1"); err != nil {
				t.Fatal(err)
			}
			doneA := make(chan struct{})
			go func() { a.Run(ctx1); close(doneA) }()
			select {
			case <-started:
			case <-time.After(10 * time.Second):
				t.Fatal("the job never started")
			}
			stop1()
			<-doneA
			ctx2, stop2 := context.WithCancel(context.Background())
			defer stop2()
			b := &Scheduler{Store: st, Jobs: []Job{family}, Worker: "b", Tick: 5 * time.Millisecond, Log: quiet}
			go b.Run(ctx2)
			deadline := time.Now().Add(10 * time.Second)
			for finished.Load() == 0 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond)
			if finished.Load() != 1 || resumedFrom.Load() != "half" {
				t.Fatalf("finished %d times, resumed from %v", finished.Load(), resumedFrom.Load())
			}
			jobs, _ := st.Jobs(context.Background())
			if len(jobs) != 1 || jobs[0].LastOutcome != "done" || !jobs[0].NextRunAt.Equal(Never) {
				t.Fatalf("jobs: %+v", jobs[0])
			}
			if err := a.Trigger(context.Background(), "nope"); err == nil {
				t.Fatal("an unknown job was triggered")
			}
		})
	}
}
