package guard

// toxicityDetector scores abuse toward a person or group.
// TODO(issue 14): rules and the trained model; this placeholder finds nothing.
type toxicityDetector struct{}

func newToxicity() (*toxicityDetector, error) { return &toxicityDetector{}, nil }

// Scan returns the toxicity score of t and what fired.
func (d *toxicityDetector) Scan(t *Text) (float64, []Finding) { return 0, nil }
