package monitor

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Fixture is a sequence of events and the detections it must produce
// (none, for a benign one). Fixtures are JSON under testdata/fixtures; an
// entry may stand for many events (repeat), "{i}" in its strings counting
// from 0.
type Fixture struct {
	Name   string         `json:"name"`
	Attack bool           `json:"attack"`
	Policy *Policy        `json:"policy,omitempty"`
	Events []FixtureEntry `json:"events"`
	// Expect lists the dedup keys that must be detected, and no other.
	Expect []string `json:"expect"`
}

// FixtureEntry is one or more events of a fixture.
type FixtureEntry struct {
	Type     string            `json:"type"`
	UserID   string            `json:"user_id,omitempty"`
	IP       string            `json:"ip,omitempty"`
	Resource string            `json:"resource,omitempty"`
	Success  bool              `json:"success,omitempty"`
	Details  map[string]string `json:"details,omitempty"`
	// Repeat is how many events the entry stands for (default 1).
	Repeat int `json:"repeat,omitempty"`
	// After is the pause before the entry's first event; Every the time
	// between its events (default 1s).
	After string `json:"after,omitempty"`
	Every string `json:"every,omitempty"`
}

// FixtureStart is when every fixture's first event happens.
var FixtureStart = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// ParseFixture reads a fixture.
func ParseFixture(b []byte) (*Fixture, error) {
	var f Fixture
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	return &f, nil
}

// Expand returns the fixture's events, numbered from seq 1.
func (f *Fixture) Expand() ([]Event, error) {
	var out []Event
	t := FixtureStart
	for n, en := range f.Events {
		every := time.Second
		if en.Every != "" {
			d, err := time.ParseDuration(en.Every)
			if err != nil {
				return nil, fmt.Errorf("entry %d: every: %w", n, err)
			}
			every = d
		}
		if en.After != "" {
			d, err := time.ParseDuration(en.After)
			if err != nil {
				return nil, fmt.Errorf("entry %d: after: %w", n, err)
			}
			t = t.Add(d)
		}
		for i := range max(en.Repeat, 1) {
			sub := func(s string) string { return strings.ReplaceAll(s, "{i}", strconv.Itoa(i)) }
			e := Event{ID: fmt.Sprintf("evt-%d", len(out)+1), Seq: int64(len(out) + 1), Type: en.Type, UserID: sub(en.UserID),
				IP: sub(en.IP), Resource: sub(en.Resource), Success: en.Success, Time: t}
			if len(en.Details) > 0 {
				e.Details = make(map[string]string, len(en.Details))
				for k, v := range en.Details {
					e.Details[k] = sub(v)
				}
			}
			out = append(out, e)
			t = t.Add(every)
		}
	}
	return out, nil
}

// ParseFixtures reads a file of fixtures (a JSON array).
func ParseFixtures(b []byte) ([]*Fixture, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	out := make([]*Fixture, 0, len(raw))
	for _, r := range raw {
		f, err := ParseFixture(r)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}
