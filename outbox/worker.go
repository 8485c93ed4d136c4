package outbox

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Queue is the store side of delivery.
type Queue interface {
	Claim(ctx context.Context, worker string, now time.Time, lease time.Duration, n int) ([]*Message, error)
	SettleMany(ctx context.Context, worker string, items []Settled) error
}

// Settled is the outcome of one attempt, to record.
type Settled struct {
	Message *Message
	Result  Result
	Next    time.Time // the next attempt, when it failed
	Now     time.Time
}

// maxSettleBatch bounds how many outcomes one transaction records.
const maxSettleBatch = 128

// Worker claims due messages and delivers them, several at a time.
type Worker struct {
	Queue    Queue
	Channels map[string]Channel
	Policy   Policy
	// ID names this worker in claims (unique per replica).
	ID string
	// Concurrency is how many deliveries run at once (default 32).
	Concurrency int
	// Poll is how often an idle worker looks for due messages (default 1 s);
	// Notify wakes it at once.
	Poll time.Duration
	Log  *slog.Logger
	Now  func() time.Time
	// Observe, when set, is told each attempt's outcome (metrics).
	Observe func(m *Message, r Result, took time.Duration)

	wake chan struct{}
	once sync.Once
}

func (w *Worker) init() {
	w.once.Do(func() {
		w.wake = make(chan struct{}, 1)
		if w.Concurrency <= 0 {
			w.Concurrency = 32
		}
		if w.Poll <= 0 {
			w.Poll = time.Second
		}
		if w.Now == nil {
			w.Now = time.Now
		}
		if w.Policy.Lease <= 0 {
			w.Policy.Lease = DefaultPolicy.Lease
		}
	})
}

// Notify tells the worker that messages were queued, so that it claims them
// now instead of at its next poll.
func (w *Worker) Notify() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then waits for the attempts in flight (each
// bounded by its channel's timeout) and returns.
func (w *Worker) Run(ctx context.Context) {
	w.init()
	slots := make(chan struct{}, w.Concurrency)
	// Outcomes are recorded by one settler, many per transaction.
	outcomes := make(chan Settled, w.Concurrency)
	settled := make(chan struct{})
	go func() { w.settle(context.WithoutCancel(ctx), outcomes); close(settled) }()
	var inflight sync.WaitGroup
	defer func() { inflight.Wait(); close(outcomes); <-settled }()
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for ctx.Err() == nil {
		free := w.Concurrency - len(slots)
		var got []*Message
		if free > 0 {
			var err error
			got, err = w.Queue.Claim(ctx, w.ID, w.Now(), w.Policy.Lease, free)
			if err != nil && ctx.Err() == nil {
				w.Log.Warn("claim deliveries", "err", err.Error())
			}
		}
		for _, m := range got {
			slots <- struct{}{}
			inflight.Add(1)
			go func() {
				defer func() { <-slots; inflight.Done() }()
				outcomes <- w.deliver(context.WithoutCancel(ctx), m)
			}()
		}
		if len(got) > 0 && len(got) == free {
			continue // more may be due
		}
		if free == 0 || len(got) > 0 {
			// Wait for a slot, or for the next poll.
			select {
			case <-ctx.Done():
			case slots <- struct{}{}:
				<-slots
			case <-w.wake:
			case <-t.C:
			}
			continue
		}
		select {
		case <-ctx.Done():
		case <-w.wake:
		case <-t.C:
		}
	}
}

// deliver makes one attempt and returns its outcome.
func (w *Worker) deliver(ctx context.Context, m *Message) Settled {
	start := w.Now()
	var r Result
	ch := w.Channels[m.Channel]
	if ch == nil {
		r = Result{Err: errNoChannel, Class: "no_channel", Permanent: true}
	} else {
		// The attempt must end before the lease does, or another worker
		// would attempt the message again beside it.
		actx, cancel := context.WithTimeout(ctx, w.Policy.Lease*9/10)
		r = ch.Deliver(actx, m)
		cancel()
	}
	now := w.Now()
	next := now
	if r.Err != nil {
		next = now.Add(w.Policy.Delay(m.Attempts))
	}
	if w.Observe != nil {
		w.Observe(m, r, now.Sub(start))
	}
	return Settled{Message: m, Result: r, Next: next, Now: now}
}

// settle records outcomes as they come, as many per transaction as are
// waiting. A failure to record leaves the message to be attempted again
// when its lease ends: at least once, never lost.
func (w *Worker) settle(ctx context.Context, outcomes <-chan Settled) {
	batch := make([]Settled, 0, maxSettleBatch)
	for first := range outcomes {
		batch = append(batch[:0], first)
	drain:
		for len(batch) < maxSettleBatch {
			select {
			case o, ok := <-outcomes:
				if !ok {
					break drain
				}
				batch = append(batch, o)
			default:
				break drain
			}
		}
		if err := w.Queue.SettleMany(ctx, w.ID, batch); err != nil {
			w.Log.Warn("record delivery outcomes", "count", len(batch), "err", err.Error())
		}
	}
}

type deliveryError string

func (e deliveryError) Error() string { return string(e) }

const errNoChannel = deliveryError("outbox: no channel configured for this message")
