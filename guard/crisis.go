package guard

import (
	_ "embed"
	"fmt"
	"math"
	"strings"
	"sync"
)

// Level is how urgent a crisis is.
type Level string

// Crisis levels.
const (
	LevelNone   Level = "none"
	LevelLow    Level = "low"
	LevelMedium Level = "medium"
	LevelHigh   Level = "high"
)

// Crisis thresholds on the score in [0, 1], chosen on guardtrain's training
// split (docs/benchmarks.md, "Crisis"); tenants may set their own.
//
// Levels, from the score and the rules that fired:
//   - high: score >= CrisisThreshold and an undamped rule of a high family
//     fired: explicit intent, a plan or means (a method asked for, pills
//     saved, a note written), a farewell, danger now ("I just took the whole
//     bottle"), or someone else in danger right now;
//   - medium: score >= CrisisThreshold otherwise (ideation without a plan,
//     self-harm, eating-disorder risk, slang, promotion of self-harm);
//   - low: score >= CrisisLowThreshold, or a hopelessness cue fired: risk
//     cues below the crisis threshold, worth a gentle resource link;
//   - none: otherwise.
const (
	CrisisThreshold    = 0.5
	CrisisLowThreshold = 0.2
)

// Weights of the combination: the model's logit plus the strongest rule,
// plus a little for every other family that fired, minus the negative
// context when no rule survived it.
const (
	crisisExtraFamily = 0.4 // per further family with a strong match
	crisisMaxExtra    = 3   // families counted beyond the first
	crisisMaxDamp     = 6.0 // most a rule is damped by its context
	crisisMaxGlobal   = 3.0 // most the whole message is damped without a rule
	crisisUrgentBonus = 1.0 // "right now", "help" next to intent or someone in danger
	crisisNegatedDamp = 5.0 // a negated match ("I would never kill myself") counts as negative context
)

//go:embed models/crisis.rgm
var crisisModelFile []byte

// crisisDetector scores whether the writer is at current risk of suicide
// or self-harm (or reports someone in danger right now): a logistic model
// over the shared hashed features, and word-pattern rules in English,
// French, German, Spanish, Portuguese and Italian that raise the score,
// set the level and name what fired, damped by negative context
// (homonyms, figurative speech, fitness, fiction, news, clinical framing,
// the past, negation).
type crisisDetector struct {
	model *Model
}

func newCrisis() (*crisisDetector, error) {
	m := &Model{}
	if err := m.UnmarshalBinary(crisisModelFile); err != nil {
		return nil, fmt.Errorf("crisis model: %w", err)
	}
	if m.Bits != FeatureBits {
		return nil, fmt.Errorf("crisis model of %d bits, features are %d", m.Bits, FeatureBits)
	}
	if err := crisisRulesErr(); err != nil {
		return nil, err
	}
	return &crisisDetector{model: m}, nil
}

// Scan returns the crisis score of t, its level, and what fired.
func (d *crisisDetector) Scan(t *Text) (float64, Level, []Finding) {
	return CrisisScan(d.model, t)
}

// compiled rule sets, built once (the patterns are constants).
var (
	crisisOnce           sync.Once
	crisisPos, crisisNeg phraseMatcher
	crisisVocab          *vocab
	crisisCompileErr     error
	crisisScratchPool    = sync.Pool{New: func() any { return &crisisScratch{} }}
)

type crisisScratch struct {
	toks        []token
	pos, neg    []match
	damp, frame []float64 // per sentence
}

func crisisRulesErr() error {
	crisisOnce.Do(func() {
		crisisVocab = newVocab()
		crisisPos.v, crisisNeg.v = crisisVocab, crisisVocab
		markCrisisWords(crisisVocab)
		for i, r := range crisisRules {
			if err := crisisPos.add(foldPattern(crisisMacros.Replace(r.pattern)), i); err != nil {
				crisisCompileErr = fmt.Errorf("crisis rule %s: %w", r.family, err)
				return
			}
		}
		for i, r := range crisisCues {
			if err := crisisNeg.add(foldPattern(crisisMacros.Replace(r.pattern)), i); err != nil {
				crisisCompileErr = fmt.Errorf("crisis cue %s: %w", r.family, err)
				return
			}
		}
		crisisVocab.seal()
		if err := crisisPos.finish(); err != nil {
			crisisCompileErr = fmt.Errorf("crisis rules: %w", err)
			return
		}
		if err := crisisNeg.finish(); err != nil {
			crisisCompileErr = fmt.Errorf("crisis cues: %w", err)
		}
	})
	return crisisCompileErr
}

// foldPattern folds a pattern as views are folded (lower case, accents
// and other combining marks removed: "chcę" is "chce", "أريد" is "اريد")
// and spaces out Chinese and Japanese characters, which are words of
// their own in a view.
func foldPattern(p string) string {
	var b strings.Builder
	var buf [8]rune
	for _, r := range p {
		for _, d := range decompose(r, buf[:0]) {
			if ideographic(d) {
				b.WriteByte(' ')
				b.WriteRune(d)
				b.WriteByte(' ')
				continue
			}
			b.WriteRune(d)
		}
	}
	return b.String()
}

// CrisisScan scores t with model m and the crisis rules, as the embedded
// detector does (guardtrain evaluates a model with it before writing it).
// The score is the highest over t's views.
func CrisisScan(m *Model, t *Text) (float64, Level, []Finding) {
	if err := crisisRulesErr(); err != nil {
		return 0, LevelNone, nil
	}
	sc := crisisScratchPool.Get().(*crisisScratch)
	defer crisisScratchPool.Put(sc)
	var (
		best     float64
		bestHigh bool
		hopeless bool
		found    []Finding
	)
	for i := range t.Views {
		score, high, hl, fs := crisisView(m, t, i, sc)
		if score > best || i == 0 {
			best, bestHigh, found = score, high, fs
		}
		hopeless = hopeless || hl
	}
	level := LevelNone
	switch {
	case best >= CrisisThreshold && bestHigh:
		level = LevelHigh
	case best >= CrisisThreshold:
		level = LevelMedium
	case best >= CrisisLowThreshold || hopeless:
		level = LevelLow
	}
	if level == LevelNone {
		return best, level, nil
	}
	for k := range found {
		found[k].Score = best
	}
	if len(found) == 0 {
		found = append(found, Finding{Scanner: Crisis, Type: "model", Start: 0, End: t.Runes, Score: best, Rule: "crisis.model"})
	}
	return best, level, found
}

// crisisView scores view i: the score, whether a high-family rule fired
// undamped, whether a hopelessness cue fired, and the findings.
func crisisView(m *Model, t *Text, i int, sc *crisisScratch) (float64, bool, bool, []Finding) {
	v := &t.Views[i]
	logit := modelLogit(m, t.Features(i))
	sc.toks = crisisVocab.tokenize(v.Text, sc.toks)
	toks := sc.toks
	if len(toks) == 0 {
		return sigmoid(logit), false, false, nil
	}
	sc.pos = crisisPos.find(toks, sc.pos[:0])
	sc.neg = crisisNeg.find(toks, sc.neg[:0])
	nsent := int(toks[len(toks)-1].sent) + 1
	sc.damp = resize(sc.damp, nsent)
	sc.frame = resize(sc.frame, nsent)
	var negSum, frameSum float64
	urgent, denied := false, false
	for _, c := range sc.neg {
		cue := crisisCues[c.rule]
		if cue.family == cueUrgent {
			urgent = true
			continue
		}
		s := toks[c.from].sent
		sc.damp[s] += cue.weight
		negSum += cue.weight
		if framingCue[cue.family] {
			sc.frame[s] += cue.weight
			frameSum += cue.weight
		}
	}
	var (
		top      float64
		high     bool
		hopeless bool
		fams     [16]string
		nfams    int
		found    []Finding
	)
	for _, mt := range sc.pos {
		r := crisisRules[mt.rule]
		if negated(toks, mt.from) || (negatableInside[r.family] && negatedInside(toks, mt.from, mt.to)) {
			denied = true // a denial is evidence against, for the model too
			continue
		}
		s := toks[mt.from].sent
		damp := sc.damp[s] + (frameSum-sc.frame[s])/2
		eff := r.weight - min(damp, crisisMaxDamp)
		if urgent && (r.family == famOther || r.family == famIntent || r.family == famNow) {
			eff += crisisUrgentBonus
		}
		if eff <= 0.5 {
			continue
		}
		if r.family == famHopeless {
			hopeless = true
		}
		if eff > top {
			top = eff
		}
		if eff >= 3 && highFamily[r.family] {
			high = true
		}
		if eff >= 2 {
			seen := false
			for _, f := range fams[:nfams] {
				seen = seen || f == r.family
			}
			if !seen && nfams < len(fams) {
				fams[nfams] = r.family
				nfams++
			}
		}
		a, b := v.Span(int(toks[mt.from].start), int(toks[mt.to-1].end))
		found = append(found, Finding{Scanner: Crisis, Type: r.family, Start: a, End: b, Rule: "crisis." + r.family})
	}
	z := logit + top
	if nfams > 1 {
		z += crisisExtraFamily * float64(min(nfams-1, crisisMaxExtra))
	}
	if top == 0 && negSum > 0 {
		z -= min(negSum/2, crisisMaxGlobal)
	}
	if top == 0 {
		// The model alone (no rule fired) reads sadness and ordinary plans
		// ("going to ... tonight") as risk too often: it needs more
		// evidence to reach the flag threshold.
		z -= crisisModelOnlyDamp
	}
	if top == 0 && denied {
		z -= crisisNegatedDamp
	}
	return sigmoid(z), high, hopeless, found
}

// crisisModelOnlyDamp lowers the log-odds of a text no rule matched; at
// the default flag threshold it takes the held-out FPR from 3.1% to 1.8%
// for a recall of 0.87 instead of 0.91 (docs/benchmarks.md).
const crisisModelOnlyDamp = 0.4

// Word flags of the crisis vocabulary, for the negation tests.
const (
	wordNegator     uint8 = 1 << iota // "not", "never", "nicht", ...
	wordContraction                   // "don", "won": "n't" follows
	wordFirstPerson                   // "i", "me", "my"
	wordT                             // "t", of "n't"
	wordNo                            // "no"
	wordWake                          // "wake": "not wake up"
	wordScope                         // "see", "find", "have": a negation before them is theirs
)

func markCrisisWords(v *vocab) {
	for w := range crisisNegators {
		v.mark(w, wordNegator)
	}
	for w := range crisisNegContractions {
		v.mark(w, wordContraction)
	}
	for _, w := range crisisFirstPerson {
		v.mark(w, wordFirstPerson)
	}
	v.mark("t", wordT)
	v.mark("no", wordNo)
	v.mark("wake", wordWake)
	for _, w := range crisisScopeVerbs {
		v.mark(w, wordScope)
	}
}

// crisisScopeVerbs take a negation for themselves: in "I don't see a way
// out except dying" or "no veo otra salida que morir" the negation denies
// the seeing, not the risk named after it, so a negation before one of
// these does not reach the words that follow.
var crisisScopeVerbs = []string{
	"see", "saw", "seeing", "find", "found", "finding", "know", "knew", "have", "has", "had", "got", "get",
	"care", "veo", "vemos", "encuentro", "tengo", "importa", "sehe", "finde", "habe", "hab", "weiss",
	"vois", "voit", "trouve", "ai", "vejo", "encontro", "tenho", "importo", "vedo", "trovo", "ho",
}

// negated reports a negation among the three words before token i in its
// sentence ("I would never", "I'm not going to", "I don't want to").
func negated(toks []token, i int) bool {
	for k := i - 1; k >= 0 && k >= i-3 && toks[k].sent == toks[i].sent; k-- {
		f := toks[k].flags
		if f&wordScope != 0 {
			return false // "I don't see a way out except dying"
		}
		if f&wordNegator != 0 {
			return true
		}
		if f&wordT != 0 && k > 0 && toks[k-1].flags&wordContraction != 0 {
			return true
		}
		if f&wordNo != 0 && k == i-1 && toks[i].flags&wordFirstPerson == 0 { // "no quiero morir", not "no, I want to die"
			return true
		}
	}
	return false
}

// negatableInside are the families whose patterns hold no negation of
// their own, so a negation inside a match negates it ("I would never
// kill myself", "I don't want to end my life").
var negatableInside = map[string]bool{famIntent: true, famSelfKill: true, famMethod: true, famHarm: true, famSlang: true, famNow: true}

func negatedInside(toks []token, from, to int) bool {
	neg := false
	for k := from; k < to; k++ {
		f := toks[k].flags
		if neg && f&wordScope != 0 {
			neg = false // the negation was the verb's: "no one I know cares if I kill myself"
			continue
		}
		if k+1 < to && toks[k+1].flags&wordWake != 0 {
			continue // "to not wake up" is the risk, not its denial
		}
		if f&wordNegator != 0 || (f&wordT != 0 && k > 0 && toks[k-1].flags&wordContraction != 0) {
			neg = true
		}
	}
	return neg
}

var crisisFirstPerson = []string{"i", "im", "ive", "ill", "id", "me", "my"}

// modelLogit is the model's logit for features f (Model.Score before the
// sigmoid).
func modelLogit(m *Model, f *Features) float64 {
	if len(f.idx) == 0 {
		return float64(m.Bias)
	}
	var sum float32
	for _, i := range f.idx {
		sum += m.Weights[i]
	}
	return float64(m.Bias) + float64(sum)/math.Sqrt(float64(len(f.idx)))
}

func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		s = make([]float64, n)
	}
	s = s[:n]
	clear(s)
	return s
}
