package guard

import (
	_ "embed"
	"errors"
	"fmt"
	"unicode/utf8"
)

// The toxicity model: logistic regression over the shared hashed features,
// trained by cmd/guardtrain (toxicity) and calibrated there so that a score
// of ToxicityFlag is the recommended flag threshold.
//
//go:embed models/toxicity.rgm
var toxicityModelFile []byte

// Recommended thresholds for the toxicity score, chosen on guardtrain's
// dev split (docs/benchmarks.md): flag is the model's 3% false-positive
// point there (4.5% on the evaluation split), block is above the dev 1%
// point (1.5% on the evaluation split).
const (
	ToxicityFlag  = 0.5
	ToxicityBlock = 0.8
)

// Bounds on one scan's findings and on the words searched for the
// strongest window when only the model fired.
const (
	maxToxicityFindings = 8
	maxWindowWords      = 400
)

// toxicityDetector scores abuse toward a person or group: a linear model
// over hashed n-grams, raised by a small multilingual lexicon of targeted
// insults, threats, dehumanisation, slurs and sexual harassment, which
// also names the rule and the words. Quoting and counter-speech cues damp
// the rules, so that reporting abuse in order to condemn it passes.
type toxicityDetector struct {
	model *Model
}

func newToxicity() (*toxicityDetector, error) {
	m := &Model{}
	if err := m.UnmarshalBinary(toxicityModelFile); err != nil {
		return nil, fmt.Errorf("toxicity model: %w", err)
	}
	if m.Bits != FeatureBits {
		return nil, errors.New("toxicity model: feature bits differ from FeatureBits")
	}
	return &toxicityDetector{model: m}, nil
}

// ToxicityScan scores t with model m exactly as the toxicity scanner does.
// cmd/guardtrain uses it to evaluate a model before it is embedded.
func ToxicityScan(m *Model, t *Text) (float64, []Finding) {
	return (&toxicityDetector{model: m}).Scan(t)
}

// Scan returns the toxicity score of t and what fired. Every view is read
// (text hidden in Base64 or written backwards counts); the score is the
// highest of any view.
func (d *toxicityDetector) Scan(t *Text) (float64, []Finding) {
	var (
		best      float64
		bestView  = -1
		bestModel float64
		findings  []Finding
	)
	m := toxMatchers.Get().(*toxMatcher)
	defer toxMatchers.Put(m)
	for i := range t.Views {
		v := &t.Views[i]
		if v.Text == "" {
			continue
		}
		m.reset(v.Text)
		hits := m.match()
		feats := m.structure()
		p := toxModelScore(d.model, t.Features(i), m.extra, feats)
		if (m.counter || (feats&toxBenign != 0 || feats&toxDenied != 0 && !m.hostile) && feats&toxAimed == 0) && p > ToxicityFlag {
			// Counter-speech and quoting: the abusive words are there, but
			// said in order to condemn them. Profanity aimed at no one, and
			// a group named warmly or as oneself with nothing hostile near,
			// and a group whose only link to contempt or violence is
			// negated ("women don't deserve to be tortured", "we should
			// not let refugees suffer"), are not abuse whatever their
			// words weigh.
			p = ToxicityFlag - (ToxicityFlag-0.3)*(1-p)/(1-ToxicityFlag)
		}
		score := p
		for _, h := range hits {
			score = max(score, h.score)
			if len(findings) < maxToxicityFindings && h.score >= ToxicityFlag {
				a, b := v.Span(h.start, h.end)
				findings = append(findings, Finding{Scanner: Toxicity, Type: h.typ, Start: a, End: b, Score: round3(h.score), Rule: h.rule})
			}
		}
		// Two weaker signals that agree are stronger than either.
		if len(hits) > 0 && hits[0].score >= ToxicityFlag && p > 0.3 {
			score = max(score, min(1, p+hits[0].score*(1-p)*0.5))
		}
		if score > best {
			best, bestView, bestModel = score, i, p
		}
	}
	if bestView >= 0 && len(findings) == 0 && best >= ToxicityFlag {
		v := &t.Views[bestView]
		s, e, typ := d.strongestWords(v.Text)
		a, b := v.Span(s, e)
		if e <= s {
			a, b = 0, t.Runes
		}
		findings = append(findings, Finding{Scanner: Toxicity, Type: typ, Start: a, End: b, Score: round3(bestModel), Rule: "toxicity_model"})
	}
	return best, findings
}

// strongestWords returns the view rune span of the words that weigh most
// toward toxicity in the model (a word and a neighbour when both weigh),
// and the finding type its lexicon suggests. It streams over the words,
// keeping only the best one and its neighbours.
func (d *toxicityDetector) strongestWords(s string) (start, end int, typ string) {
	type word struct {
		s, e int
		w    float32
		text string
	}
	var buf [96]uint32
	f := Features{Bits: d.model.Bits, idx: buf[:0]}
	mask := uint32(1)<<f.Bits - 1
	var prev, best, bestPrev, bestNext word
	found, wantNext := false, false
	rs, pos, n := 0, 0, 0
	for pos < len(s) && n < maxWindowWords {
		r, size := utf8.DecodeRuneInString(s[pos:])
		if !wordRuneLetter(r) {
			pos += size
			rs++
			continue
		}
		ws, wr := pos, rs
		for pos < len(s) {
			r, size := utf8.DecodeRuneInString(s[pos:])
			if !wordRuneLetter(r) {
				break
			}
			pos += size
			rs++
		}
		n++
		w := s[ws:pos]
		f.idx = f.idx[:0]
		f.idx = append(f.idx, hashString(2166136261, w)&mask)
		f.charGrams(w, mask)
		var sum float32
		for _, i := range f.idx {
			sum += d.model.Weights[i]
		}
		cur := word{wr, rs, sum / float32(len(f.idx)), w}
		if wantNext {
			bestNext, wantNext = cur, false
		}
		if cur.w > 0 && (!found || cur.w > best.w) {
			best, bestPrev, bestNext, found, wantNext = cur, prev, word{}, true, true
		}
		prev = cur
	}
	if !found {
		return 0, 0, "insult"
	}
	start, end = best.s, best.e
	if bestPrev.e > 0 && bestPrev.w > best.w/2 {
		start = bestPrev.s
	}
	if bestNext.e > 0 && bestNext.w > best.w/2 {
		end = bestNext.e
	}
	typ = "insult"
	if c, ok := toxWords[best.text]; ok {
		typ = c.findingType()
	}
	return start, end, typ
}
