package guard

// Level is how urgent a crisis is.
type Level string

// Crisis levels.
const (
	LevelNone   Level = "none"
	LevelLow    Level = "low"
	LevelMedium Level = "medium"
	LevelHigh   Level = "high"
)

// crisisDetector scores whether the writer is at current risk of suicide
// or self-harm (or reports someone in danger right now).
// TODO(issue 14): rules and the trained model; this placeholder finds nothing.
type crisisDetector struct{}

func newCrisis() (*crisisDetector, error) { return &crisisDetector{}, nil }

// Scan returns the crisis score of t, its level, and what fired.
func (d *crisisDetector) Scan(t *Text) (float64, Level, []Finding) { return 0, LevelNone, nil }
