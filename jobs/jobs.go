// Package jobs runs scheduled work once across all replicas: each job is a
// row that one replica leases at a time, renews while it works and releases
// with its outcome and next run. A replica that crashes mid-run loses its
// lease when the lease ends, and another replica runs the job again from the
// progress it saved, so every job must be idempotent or resumable.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/rampart-dev/rampart/store"
)

// Never is the next run of a one-off job that has finished.
var Never = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// Job is a kind of scheduled work.
type Job struct {
	// Name is the job's row; a name ending in ":" is a family of one-off
	// jobs ("reencrypt:" runs "reencrypt:<tenant>" rows that Trigger makes).
	Name string
	// Every is the time between the end of one run and the next; 0 runs the
	// job once per Trigger.
	Every time.Duration
	// First is the delay before the first run after the row is created.
	First time.Duration
	// Run does the work. name is the row's name; state is the progress a
	// previous, interrupted run saved; save stores new progress (and renews
	// the lease). Its result is a short outcome for GET /v1/jobs.
	Run func(ctx context.Context, name, state string, save func(state string) error) (outcome string, err error)
}

// Store is what the scheduler needs of the database.
type Store interface {
	EnsureJob(ctx context.Context, name string, first time.Time) error
	DueJobs(ctx context.Context, now time.Time) ([]string, error)
	LeaseJob(ctx context.Context, name, worker string, now time.Time, lease time.Duration) (*store.Job, error)
	RenewJob(ctx context.Context, name, worker string, until time.Time, state string) (bool, error)
	FinishJob(ctx context.Context, name, worker string, now, next time.Time, outcome, errText, state string) error
	RunJobSoon(ctx context.Context, name string, at time.Time) error
}

// Scheduler runs jobs on this replica when it wins their lease.
type Scheduler struct {
	Store  Store
	Jobs   []Job
	Worker string        // this replica's name in leases
	Lease  time.Duration // default 2 minutes; renewed at a third of it
	Tick   time.Duration // how often due jobs are looked for; default 5 s
	Log    *slog.Logger
	Now    func() time.Time

	wake chan struct{}
	once sync.Once
}

func (s *Scheduler) init() {
	s.once.Do(func() {
		s.wake = make(chan struct{}, 1)
		if s.Lease == 0 {
			s.Lease = 2 * time.Minute
		}
		if s.Tick == 0 {
			s.Tick = 5 * time.Second
		}
		if s.Now == nil {
			s.Now = time.Now
		}
	})
}

func (s *Scheduler) job(name string) *Job {
	for i := range s.Jobs {
		j := &s.Jobs[i]
		if j.Name == name || (strings.HasSuffix(j.Name, ":") && strings.HasPrefix(name, j.Name)) {
			return j
		}
	}
	return nil
}

// Trigger makes the named job (or one-off job of a family) due now, on
// whichever replica takes it first.
func (s *Scheduler) Trigger(ctx context.Context, name string) error {
	s.init()
	if s.job(name) == nil {
		return fmt.Errorf("jobs: no job %q", name)
	}
	if err := s.Store.RunJobSoon(ctx, name, s.Now()); err != nil {
		return err
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// Run schedules the periodic jobs and runs due jobs until ctx ends. Jobs run
// one at a time on a replica; other replicas run the others.
func (s *Scheduler) Run(ctx context.Context) {
	s.init()
	now := s.Now()
	for _, j := range s.Jobs {
		if strings.HasSuffix(j.Name, ":") || j.Every == 0 {
			continue
		}
		if err := s.Store.EnsureJob(ctx, j.Name, now.Add(j.First)); err != nil && ctx.Err() == nil {
			s.Log.Error("schedule job", "job", j.Name, "err", err.Error())
		}
	}
	t := time.NewTicker(s.Tick)
	defer t.Stop()
	for {
		s.RunDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// RunDue runs every job that is due and not held by another replica.
func (s *Scheduler) RunDue(ctx context.Context) {
	s.init()
	names, err := s.Store.DueJobs(ctx, s.Now())
	if err != nil {
		if ctx.Err() == nil {
			s.Log.Warn("list due jobs", "err", err.Error())
		}
		return
	}
	for _, name := range names {
		if ctx.Err() != nil {
			return
		}
		if j := s.job(name); j != nil {
			s.runOne(ctx, j, name)
		}
	}
}

func (s *Scheduler) runOne(ctx context.Context, j *Job, name string) {
	row, err := s.Store.LeaseJob(ctx, name, s.Worker, s.Now(), s.Lease)
	if err != nil || row == nil {
		if err != nil && ctx.Err() == nil {
			s.Log.Warn("lease job", "job", name, "err", err.Error())
		}
		return
	}
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	state := row.State
	renew := func(st string) error {
		mu.Lock()
		defer mu.Unlock()
		ok, err := s.Store.RenewJob(context.WithoutCancel(ctx), name, s.Worker, s.Now().Add(s.Lease), st)
		if err != nil {
			return err
		}
		if !ok {
			cancel() // another replica took over: stop
			return fmt.Errorf("jobs: lease of %s lost", name)
		}
		state = st
		return nil
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(s.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				mu.Lock()
				st := state
				mu.Unlock()
				if err := renew(st); err != nil {
					s.Log.Warn("renew job lease", "job", name, "err", err.Error())
				}
			}
		}
	}()
	start := s.Now()
	outcome, err := j.Run(jctx, name, state, renew)
	close(done)
	now := s.Now()
	next := now.Add(j.Every)
	if j.Every == 0 {
		next = Never
	}
	errText := ""
	mu.Lock()
	final := state
	mu.Unlock()
	if err != nil {
		errText = err.Error()
		if outcome == "" {
			outcome = "failed"
		}
		if j.Every == 0 || j.Every > 5*time.Minute {
			next = now.Add(time.Minute) // a failed one-off or long-period job is retried soon, from its saved state
		}
		s.Log.Warn("job failed", "job", name, "err", errText, "took", now.Sub(start).String())
	} else {
		final = "" // done: the next run starts afresh
		s.Log.Info("job ran", "job", name, "outcome", outcome, "took", now.Sub(start).String())
	}
	if ctx.Err() != nil {
		// Shutting down: hand the job over at once, with its progress.
		outcome, errText, next = "interrupted", "", now
	}
	if err := s.Store.FinishJob(context.WithoutCancel(ctx), name, s.Worker, now, next, outcome, errText, final); err != nil {
		s.Log.Warn("finish job", "job", name, "err", err.Error())
	}
}
