package monitor

import (
	"context"
	"time"
)

// Engine runs a pack of rules over tenants' events. It is safe for
// concurrent use when its State is.
type Engine struct {
	pack  *Pack
	state State
}

// NewEngine returns an engine of pack over state.
func NewEngine(pack *Pack, state State) *Engine {
	return &Engine{pack: pack, state: state}
}

// Pack returns the engine's rules.
func (g *Engine) Pack() *Pack { return g.pack }

// effective is a rule with a tenant's override applied.
type effective struct {
	*Rule
	off       bool
	threshold int
	window    time.Duration
	severity  Severity
	remediate []string
}

func (g *Engine) effective(p *Policy) []effective {
	out := make([]effective, len(g.pack.rules))
	for i := range g.pack.rules {
		r := &g.pack.rules[i]
		e := effective{Rule: r, threshold: r.Threshold, window: r.Window, severity: r.Severity, remediate: r.Remediate}
		if p != nil {
			if o, ok := p.Rules[r.Name]; ok {
				e.off = o.Disabled && !r.Locked
				if o.Threshold != 0 {
					e.threshold = o.Threshold
				}
				if o.WindowSeconds != 0 {
					e.window = time.Duration(o.WindowSeconds) * time.Second
				}
				if o.Severity != "" {
					e.severity = o.Severity
				}
				if o.Remediate != nil {
					e.remediate = *o.Remediate
				}
			}
		}
		out[i] = e
	}
	return out
}

// batch gathers one Process call's detections by dedup key, and the
// matching events of each key seen in the call (the events that lead to a
// detection, as far as this batch shows them).
type batch struct {
	out    []*Detection
	byKey  map[string]*Detection
	recent map[string][]string
}

func (b *batch) note(key, id string) {
	if b.recent == nil {
		b.recent = map[string][]string{}
	}
	l := b.recent[key]
	if len(l) >= MaxEventIDs {
		return
	}
	b.recent[key] = append(l, id)
}

func (b *batch) add(r *effective, key, dedup string, opening bool, e *Event, ids []string) {
	if d, ok := b.byKey[dedup]; ok {
		d.Opening = d.Opening || opening
		d.Count++
		d.Last = e.Time
		if len(d.EventIDs) < MaxEventIDs && (len(d.EventIDs) == 0 || d.EventIDs[len(d.EventIDs)-1] != e.ID) {
			d.EventIDs = append(d.EventIDs, e.ID)
		}
		return
	}
	if len(ids) == 0 || ids[len(ids)-1] != e.ID {
		ids = append(ids, e.ID)
	}
	count := 1
	if opening {
		count = max(len(ids), 1)
		// The events that crossed the threshold, though earlier batches
		// brought some of them (weighted events stand for more: count
		// those seen).
		if (r.Kind == Count || r.Kind == Distinct) && r.Weight == "" {
			count = max(count, r.threshold)
		}
	}
	d := &Detection{Rule: r.Name, Severity: r.severity, Key: key, DedupKey: dedup, Opening: opening, Count: count,
		EventIDs: ids, First: e.Time, Last: e.Time, Summary: r.Description + " (" + key + ")", Remediate: r.remediate}
	for _, f := range r.Key {
		switch f {
		case "user_id", "actor":
			d.UserID = e.UserID
		case "ip":
			d.IP = e.IP
		}
	}
	if r.Kind == Distinct && r.Field == "ip" || r.Kind == Novel {
		d.IP = e.IP
	}
	if d.UserID == "" && r.Kind != Distinct {
		d.UserID = e.UserID
	}
	if b.byKey == nil {
		b.byKey = map[string]*Detection{}
	}
	b.byKey[dedup] = d
	b.out = append(b.out, d)
}

// Process runs the rules over events, one tenant's, in order, under the
// tenant's policy (nil: the pack as it is), and returns what they found,
// one detection per dedup key. Events the state has counted before (see
// State.Claim) are checked against firing keys only.
func (g *Engine) Process(ctx context.Context, tenant string, events []Event, p *Policy) ([]*Detection, error) {
	if len(events) == 0 {
		return nil, nil
	}
	prev, err := g.state.Claim(ctx, tenant, events[len(events)-1].Seq)
	if err != nil {
		return nil, err
	}
	rules := g.effective(p)
	var b batch
	buf := make([]byte, 0, 128)
	for i := range events {
		e := &events[i]
		fresh := e.Seq > prev
		for _, ri := range g.pack.byType[e.Type] {
			r := &rules[ri]
			if r.off {
				continue
			}
			on := r.On.hasType(e.Type) && r.On.matches(e)
			then := r.Then != nil && r.Then.hasType(e.Type) && r.Then.matches(e)
			if !on && !then {
				continue
			}
			buf = append(buf[:0], tenant...)
			buf = append(buf, 0, byte(ri))
			stateLen := len(buf)
			var ok bool
			if buf, ok = r.key(e, buf); !ok {
				continue
			}
			if err := g.step(ctx, r, e, buf, stateLen, fresh, on, then, &b); err != nil {
				return nil, err
			}
		}
	}
	return b.out, nil
}

// step applies one event to one rule's key; stateKey[keyAt:] is the key
// as people read it.
func (g *Engine) step(ctx context.Context, r *effective, e *Event, stateKey []byte, keyAt int, fresh, on, then bool, b *batch) error {
	key := string(stateKey[keyAt:])
	sk := string(stateKey)
	dedup := r.Name + ":" + key
	now := e.Time
	switch r.Kind {
	case Count, Distinct:
		hot, err := g.state.Hot(ctx, sk, now)
		if err != nil {
			return err
		}
		if hot {
			b.add(r, key, dedup, false, e, nil)
			return g.state.Heat(ctx, sk, now.Add(r.window))
		}
		if !fresh {
			return nil
		}
		b.note(sk, e.ID)
		fire := false
		if r.Kind == Count {
			var period time.Duration
			if r.Baseline != nil {
				period = r.Baseline.Period
			}
			level, base, err := g.state.Bucket(ctx, sk, e.weight(r.Weight), r.window, period, now)
			if err != nil {
				return err
			}
			fire = level >= float64(r.threshold)
			if fire && r.Baseline != nil {
				// The usual rate, without this burst, against the burst's.
				usual := max(base-level, 0) / r.Baseline.Period.Seconds()
				fire = level/r.window.Seconds() >= r.Baseline.Factor*usual
			}
		} else {
			v := e.Field(r.Field)
			if v == "" {
				return nil
			}
			n, err := g.state.Distinct(ctx, sk, hash32(v), r.threshold, r.window, now)
			if err != nil {
				return err
			}
			fire = n >= r.threshold
		}
		if !fire {
			return nil
		}
		if err := g.state.Drain(ctx, sk); err != nil {
			return err
		}
		b.add(r, key, dedup, true, e, b.recent[sk])
		return g.state.Heat(ctx, sk, now.Add(r.window))
	case Sequence:
		armed := sk + "\x01armed"
		if on && fresh {
			b.note(sk, e.ID)
			level, _, err := g.state.Bucket(ctx, sk, 1, r.window, 0, now)
			if err != nil {
				return err
			}
			if level >= float64(r.threshold) {
				if err := g.state.Drain(ctx, sk); err != nil {
					return err
				}
				if err := g.state.Heat(ctx, armed, now.Add(r.window)); err != nil {
					return err
				}
			}
		}
		if then {
			hot, err := g.state.Hot(ctx, armed, now)
			if err != nil || !hot {
				return err
			}
			b.add(r, key, dedup, true, e, b.recent[sk])
		}
	case Novel:
		if !fresh {
			return nil
		}
		v := e.Field(r.Field)
		if v == "" {
			return nil
		}
		isNew, history, err := g.state.Novel(ctx, sk, hash32(v), r.window, now)
		if err != nil || !isNew || !history {
			return err
		}
		b.add(r, key+","+r.Field+"="+v, dedup+","+r.Field+"="+v, true, e, nil)
	}
	return nil
}

// hash32 is FNV-1a: values are kept as 32-bit hashes, never as text.
func hash32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
