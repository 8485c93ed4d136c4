package guard

// injectionDetector scores prompt injection (direct for user text,
// indirect for documents and tool results).
// TODO(issue 14): rules and the trained model; this placeholder finds nothing.
type injectionDetector struct{}

func newInjection() (*injectionDetector, error) { return &injectionDetector{}, nil }

// Scan returns the injection score of t read as coming from src, and what fired.
func (d *injectionDetector) Scan(t *Text, src Source) (float64, []Finding) { return 0, nil }
