package guard

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/rampart-dev/rampart/pii"
)

// Request is one text to scan.
type Request struct {
	Text   string
	Source Source // SourceUser when empty
	// SystemPrompt, with SourceOutput, is the confidential prompt whose
	// content must not leak into the output.
	SystemPrompt string
	// Canaries are secrets that must never appear in an output, in any
	// simple encoding.
	Canaries []string
	// Scanners to run; empty runs every scanner that applies to the source
	// (leakage only for outputs).
	Scanners []Scanner
	// Locale chooses the crisis resources ("en-US", "fr", ...).
	Locale string
}

// Verdict is what the tenant's policy makes of the scores.
type Verdict string

// Verdicts.
const (
	Allow Verdict = "allow"
	Flag  Verdict = "flag"
	Block Verdict = "block"
)

// CrisisResult is the crisis scanner's answer.
type CrisisResult struct {
	Level     Level      `json:"level"`
	Resources []Resource `json:"resources"`
	Escalated bool       `json:"escalated"`
}

// Result is a scan's answer.
type Result struct {
	Verdict Verdict `json:"verdict"`
	// Scores holds, for each of injection, toxicity, crisis and leakage that
	// ran, a graded score in [0, 1] (higher: more likely).
	Scores   map[Scanner]float64 `json:"scores"`
	Findings []Finding           `json:"findings"`
	Crisis   *CrisisResult       `json:"crisis,omitempty"`
	// Blocking and Flagging name the scanners that decided the verdict.
	Blocking []Scanner `json:"-"`
	Flagging []Scanner `json:"-"`
}

// Guard runs the scanners. Build it with New; it is safe for concurrent use
// and holds nothing per tenant.
type Guard struct {
	injection *injectionDetector
	toxicity  *toxicityDetector
	crisis    *crisisDetector
	pii       *pii.Detector
}

// New loads the embedded models.
func New() (*Guard, error) {
	inj, err := newInjection()
	if err != nil {
		return nil, fmt.Errorf("guard: injection model: %w", err)
	}
	tox, err := newToxicity()
	if err != nil {
		return nil, fmt.Errorf("guard: toxicity model: %w", err)
	}
	cri, err := newCrisis()
	if err != nil {
		return nil, fmt.Errorf("guard: crisis model: %w", err)
	}
	return &Guard{injection: inj, toxicity: tox, crisis: cri, pii: pii.NewDetector()}, nil
}

// applies reports whether scanner s runs on text from src by default.
func applies(s Scanner, src Source) bool {
	switch s {
	case Leakage:
		return src == SourceOutput
	case Crisis:
		return src == SourceUser // documents and tools are not the writer speaking
	}
	return true
}

// secretTypes are the pii types the secrets scanner reports.
var secretTypes = map[pii.Type]bool{pii.APIKey: true, pii.JWT: true, pii.Secret: true}

// Scan scans r under policy p.
func (g *Guard) Scan(r Request, p Policy) *Result {
	src := r.Source
	if src == "" {
		src = SourceUser
	}
	run := map[Scanner]bool{}
	if len(r.Scanners) == 0 {
		for _, s := range Scanners() {
			run[s] = applies(s, src)
		}
	} else {
		for _, s := range r.Scanners {
			run[s] = true
		}
	}
	for _, s := range p.Disabled {
		run[s] = false
	}
	text := p.maskAllowed(r.Text)
	t := Normalize(text)
	defer t.Release()
	res := &Result{Scores: map[Scanner]float64{}, Findings: []Finding{}}
	// A run of one to three repeated letters says nothing, but its few
	// features weigh like a sentence's in the models: the model scanners
	// score it 0.
	noLanguage := degenerate(t)
	// A text of a word or two gives the models too few features to judge
	// by: a model's score alone is damped there (a rule's is not).
	short := true
	for i := range t.Views {
		if wordCount(t.Views[i].Text, minModelWords) >= minModelWords {
			short = false
			break
		}
	}
	if run[Injection] && noLanguage {
		res.Scores[Injection] = 0
	} else if run[Injection] {
		score, fs := g.injection.Scan(t, src)
		if short && modelOnly(fs) {
			score *= shortTextDamp
		}
		res.Scores[Injection] = clamp(score)
		res.Findings = append(res.Findings, fs...)
	}
	if run[Toxicity] && noLanguage {
		res.Scores[Toxicity] = 0
	} else if run[Toxicity] {
		score, fs := g.toxicity.Scan(t)
		if short && modelOnly(fs) {
			score *= shortTextDamp
		}
		res.Scores[Toxicity] = clamp(score)
		res.Findings = append(res.Findings, fs...)
	}
	if run[Crisis] && noLanguage {
		res.Scores[Crisis] = 0
		res.Crisis = &CrisisResult{Level: LevelNone, Resources: p.resources(r.Locale)}
	} else if run[Crisis] {
		score, level, fs := g.crisis.Scan(t)
		if short && modelOnly(fs) {
			score *= shortTextDamp
			if score < CrisisThreshold {
				level = LevelNone
				fs = nil
			}
		}
		res.Scores[Crisis] = clamp(score)
		res.Findings = append(res.Findings, fs...)
		res.Crisis = &CrisisResult{Level: level, Resources: p.resources(r.Locale)}
		if level == LevelHigh && !p.NoEscalation {
			res.Crisis.Escalated = true
		}
	}
	if run[PII] || run[Secrets] {
		for _, f := range g.pii.Detect(text, nil) {
			s := PII
			if secretTypes[f.Type] {
				s = Secrets
			}
			if run[s] {
				res.Findings = append(res.Findings, Finding{Scanner: s, Type: string(f.Type), Start: f.Start, End: f.End, Score: f.Score, Rule: "pii:" + string(f.Type)})
			}
		}
	}
	if run[Leakage] {
		score, fs := scanLeakage(t, r.SystemPrompt, r.Canaries)
		res.Scores[Leakage] = clamp(score)
		res.Findings = append(res.Findings, fs...)
	}
	sort.SliceStable(res.Findings, func(i, j int) bool { return res.Findings[i].Start < res.Findings[j].Start })
	p.decide(res, src)
	return res
}

func clamp(x float64) float64 {
	if math.IsNaN(x) {
		return 0
	}
	return math.Round(min(max(x, 0), 1)*10000) / 10000
}

// decide sets the verdict from the scores and findings: the strongest of
// every scanner's decision under the policy's thresholds for the source.
func (p Policy) decide(res *Result, src Source) {
	res.Verdict = Allow
	note := func(s Scanner, v Verdict) {
		switch v {
		case Block:
			res.Blocking = append(res.Blocking, s)
			res.Verdict = Block
		case Flag:
			res.Flagging = append(res.Flagging, s)
			if res.Verdict == Allow {
				res.Verdict = Flag
			}
		}
	}
	for _, s := range []Scanner{Injection, Toxicity, Crisis, Leakage} {
		if score, ok := res.Scores[s]; ok {
			note(s, p.threshold(s, src).verdict(score))
		}
	}
	for _, s := range []Scanner{PII, Secrets} {
		best := -1.0
		for _, f := range res.Findings {
			if f.Scanner == s {
				best = max(best, f.Score)
			}
		}
		if best >= 0 {
			note(s, p.threshold(s, src).verdict(best))
		}
	}
}

// maskAllowed blanks the tenant's allow-listed phrases (case-insensitive)
// with spaces, rune for rune, so that the scanners ignore them and offsets
// stay those of the original text.
func (p Policy) maskAllowed(text string) string {
	if len(p.Allow) == 0 {
		return text
	}
	rs := []rune(text)
	lower := make([]rune, len(rs))
	for i, r := range rs {
		lower[i] = unicode.ToLower(r)
	}
	masked := false
	for _, phrase := range p.Allow {
		ph := []rune(strings.ToLower(strings.TrimSpace(phrase)))
		if len(ph) == 0 {
			continue
		}
		for i := 0; i+len(ph) <= len(lower); i++ {
			if slices.Equal(lower[i:i+len(ph)], ph) {
				for j := i; j < i+len(ph); j++ {
					rs[j] = ' '
				}
				masked = true
				i += len(ph) - 1
			}
		}
	}
	if !masked {
		return text
	}
	return string(rs)
}

// degenerate reports a text with letters in it but no language: one view,
// at least eight letters, at most three different ones ("üüüüüü",
// "zzzzzzzz", "ababab").
func degenerate(t *Text) bool {
	if len(t.Views) != 1 {
		return false
	}
	var seen [4]rune
	n, letters := 0, 0
	for _, r := range t.Views[0].Text {
		if !unicode.IsLetter(r) {
			continue
		}
		letters++
		if !slices.Contains(seen[:n], r) {
			if n == len(seen) {
				return false
			}
			seen[n] = r
			n++
		}
	}
	return letters >= 8 && n <= 3
}

// Short texts: below minModelWords words, a score that only a model gave is
// multiplied by shortTextDamp ("123", "hello", "?" are not attacks).
const (
	minModelWords = 3
	shortTextDamp = 0.3
)

// wordCount counts the words of a folded text up to limit: runs of letters
// or digits, each Han, kana or Hangul character counting as a word.
func wordCount(s string, limit int) int {
	n, in := 0, false
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			n++
			in = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !in {
				n++
			}
			in = true
		default:
			in = false
		}
		if n >= limit {
			return n
		}
	}
	return n
}

// modelOnly reports whether no rule fired among a scanner's findings.
func modelOnly(fs []Finding) bool {
	for _, f := range fs {
		if !strings.Contains(f.Rule, "model") {
			return false
		}
	}
	return true
}
