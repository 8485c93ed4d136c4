// Package guard scans text that goes to or comes from a language model:
// prompt injection (direct and indirect), toxicity, crisis (risk of suicide
// or self-harm), personal data and secrets, and leakage of a system prompt
// or canary in a model's output. Every scanner reads a normalised view of
// the text (Unicode NFKC, invisible characters removed, homoglyphs and
// leetspeak folded, hidden Base64, hex, ROT13 and reversed text decoded), so
// that obfuscation does not get past it, and reports offsets in the
// original text. Detectors are rules plus small linear models over hashed
// n-grams, trained offline on openly licensed data (cmd/guardtrain) and
// embedded in the binary: no model download, no ML runtime, no cgo.
package guard

// Source is where a text comes from.
type Source string

// Sources.
const (
	SourceUser     Source = "user"     // the end user (direct injection)
	SourceDocument Source = "document" // third-party content read for the user (indirect injection)
	SourceTool     Source = "tool"     // a tool's result (indirect injection)
	SourceOutput   Source = "output"   // a model's answer (leakage)
)

// ValidSource reports whether s is a known source.
func ValidSource(s Source) bool {
	switch s {
	case SourceUser, SourceDocument, SourceTool, SourceOutput:
		return true
	}
	return false
}

// Scanner names a kind of check.
type Scanner string

// Scanners.
const (
	Injection Scanner = "injection"
	Toxicity  Scanner = "toxicity"
	Crisis    Scanner = "crisis"
	PII       Scanner = "pii"
	Secrets   Scanner = "secrets"
	Leakage   Scanner = "leakage"
)

// Scanners lists every scanner, in the order they run.
func Scanners() []Scanner { return []Scanner{Injection, Toxicity, Crisis, PII, Secrets, Leakage} }

// ValidScanner reports whether s is a known scanner.
func ValidScanner(s Scanner) bool {
	for _, x := range Scanners() {
		if x == s {
			return true
		}
	}
	return false
}

// Finding is one thing a scanner found. Offsets are Unicode code points
// into the original text, end exclusive. Rule names what fired, so that
// every decision can be explained.
type Finding struct {
	Scanner Scanner `json:"scanner"`
	Type    string  `json:"type"`
	Start   int     `json:"start"`
	End     int     `json:"end"`
	Score   float64 `json:"score"`
	Rule    string  `json:"rule"`
}
