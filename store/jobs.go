package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Job is a deployment-wide scheduled job: one row, leased by one replica at
// a time, whose State (the job's own progress) survives crashes.
type Job struct {
	Name         string     `json:"name"`
	NextRunAt    time.Time  `json:"next_run_at"`
	LeaseUntil   *time.Time `json:"lease_until,omitempty"`
	LeasedBy     string     `json:"leased_by,omitempty"`
	LastStarted  *time.Time `json:"last_started,omitempty"`
	LastFinished *time.Time `json:"last_finished,omitempty"`
	LastOutcome  string     `json:"last_outcome,omitempty"`
	LastError    string     `json:"last_error,omitempty"`
	Runs         int64      `json:"runs"`
	State        string     `json:"-"`
}

const jobColumns = "name, next_run_at, lease_until, leased_by, last_started, last_finished, last_outcome, last_error, runs, state"

func scanJob(row interface{ Scan(...any) error }) (*Job, error) {
	var j Job
	var lease, started, finished time.Time
	if err := row.Scan(&j.Name, scanTime{&j.NextRunAt}, scanNullTime{&lease}, &j.LeasedBy, scanNullTime{&started},
		scanNullTime{&finished}, &j.LastOutcome, &j.LastError, &j.Runs, &j.State); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		t   time.Time
		dst **time.Time
	}{{lease, &j.LeaseUntil}, {started, &j.LastStarted}, {finished, &j.LastFinished}} {
		if !p.t.IsZero() {
			t := p.t
			*p.dst = &t
		}
	}
	return &j, nil
}

// Jobs have no tenant and no personal data: like the counters they live
// outside row-level security, and these methods use the pool directly.

// EnsureJob creates the job's row, first due at first, unless it exists.
func (s *Store) EnsureJob(ctx context.Context, name string, first time.Time) error {
	_, err := s.w.ExecContext(ctx, s.d.rebind("INSERT INTO jobs (name, next_run_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING"), name, s.d.timeArg(first))
	return err
}

// LeaseJob takes the job for worker until now+lease when it is due and no
// one holds it, or its holder's lease has ended (a crashed replica). It
// returns the job, or nil when it is not this worker's to run.
func (s *Store) LeaseJob(ctx context.Context, name, worker string, now time.Time, lease time.Duration) (*Job, error) {
	j, err := scanJob(s.w.QueryRowContext(ctx, s.d.rebind("UPDATE jobs SET lease_until = ?, leased_by = ?, last_started = ?, runs = runs + 1 "+
		"WHERE name = ? AND next_run_at <= ? AND (lease_until IS NULL OR lease_until < ?) RETURNING "+jobColumns),
		s.d.timeArg(now.Add(lease)), worker, s.d.timeArg(now), name, s.d.timeArg(now), s.d.timeArg(now)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return j, err
}

// RenewJob extends worker's lease and saves the job's progress; false when
// the lease was lost (another replica took the job over).
func (s *Store) RenewJob(ctx context.Context, name, worker string, until time.Time, state string) (bool, error) {
	res, err := s.w.ExecContext(ctx, s.d.rebind("UPDATE jobs SET lease_until = ?, state = ? WHERE name = ? AND leased_by = ? AND lease_until IS NOT NULL"),
		s.d.timeArg(until), state, name, worker)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// FinishJob releases worker's lease, records the outcome and schedules the
// next run. state is kept for the next run ("" when the work is done).
func (s *Store) FinishJob(ctx context.Context, name, worker string, now, next time.Time, outcome, errText, state string) error {
	_, err := s.w.ExecContext(ctx, s.d.rebind("UPDATE jobs SET lease_until = NULL, leased_by = '', last_finished = ?, last_outcome = ?, last_error = ?, next_run_at = ?, state = ? "+
		"WHERE name = ? AND leased_by = ?"),
		s.d.timeArg(now), outcome, errText, s.d.timeArg(next), state, name, worker)
	return err
}

// RunJobSoon makes a job due at at (or sooner, if it already was),
// creating it when it does not exist.
func (s *Store) RunJobSoon(ctx context.Context, name string, at time.Time) error {
	if err := s.EnsureJob(ctx, name, at); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, s.d.rebind("UPDATE jobs SET next_run_at = ? WHERE name = ? AND next_run_at > ?"), s.d.timeArg(at), name, s.d.timeArg(at))
	return err
}

// Jobs lists every job by name.
func (s *Store) Jobs(ctx context.Context) ([]*Job, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+jobColumns+" FROM jobs ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// DueJobs lists the jobs due at now that no replica holds.
func (s *Store) DueJobs(ctx context.Context, now time.Time) ([]string, error) {
	rows, err := s.w.QueryContext(ctx, s.d.rebind("SELECT name FROM jobs WHERE next_run_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_run_at"),
		s.d.timeArg(now), s.d.timeArg(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
