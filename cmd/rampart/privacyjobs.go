package main

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rampart-dev/rampart/jobs"
	"github.com/rampart-dev/rampart/privacy"
)

// jobPrivacyReminders reminds tenants of data-subject requests coming due.
const jobPrivacyReminders = "privacy_reminders"

// privacyRemindersEvery is the time between two runs of the reminders job.
const privacyRemindersEvery = 15 * time.Minute

// metricsScrapeTimeout bounds the count behind the overdue gauge.
const metricsScrapeTimeout = 5 * time.Second

// privacyRemindersJob runs the reminders (7 days and 1 day before due,
// once each) on the replica that holds the job's lease.
func privacyRemindersJob(r *privacy.Reminders) jobs.Job {
	return jobs.Job{Name: jobPrivacyReminders, Every: privacyRemindersEvery, First: time.Minute,
		Run: func(ctx context.Context, _, _ string, _ func(string) error) (string, error) {
			sent, overdue, err := r.Run(ctx)
			return fmt.Sprintf("%d reminders sent, %d requests overdue", sent, overdue), err
		}}
}

// privacyOverdueGauge is rampart_privacy_requests_overdue: open requests
// past their due date in every tenant, the same on every replica.
func privacyOverdueGauge(r *privacy.Reminders) prometheus.Collector {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "rampart_privacy_requests_overdue",
		Help: "Data-subject requests still open after their due date, in every tenant (recounted at most once a minute)."},
		func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), metricsScrapeTimeout)
			defer cancel()
			return float64(r.Overdue(ctx))
		})
}

// cmpOr returns clock, or fallback when clock is nil.
func cmpOr(clock, fallback func() time.Time) func() time.Time {
	if clock != nil {
		return clock
	}
	return fallback
}
