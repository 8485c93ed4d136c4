package guard

import (
	"math"
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// Structural features of the toxicity model. The shared hashed n-grams
// learn words; these say how the lexicon's words stand to each other in a
// clause: a group of people near a contemptuous or violent predicate, not
// negated and not reported; an insult aimed at "you"; a first person who
// threatens; a person saying what they are. They are the same whatever the
// language, so what the model learns of them from English carries to
// Polish or Arabic once the lexicon knows the words. They are added to the
// model's sum without the length normalisation of the n-grams: a clause
// of hate in a long message weighs as much as on its own.

// toxFeat is one structural feature, a bit of a uint64.
type toxFeat uint

const (
	fGroup        toxFeat = iota // a group of people is named
	fGroupNeg                    // group + contempt in a clause, plainly said
	fGroupNegNeg                 // ... negated in the clause
	fGroupNegRep                 // ... reported, quoted or condemned
	fGroupVio                    // group + violence, plainly said
	fGroupVioNeg                 // ... negated
	fGroupVioRep                 // ... reported, quoted or condemned
	fGroupPos                    // group + a warm word, no contempt
	fPronNeg                     // "they" + contempt, plainly said
	fPronVio                     // "they" + violence, plainly said
	fPronGroup                   // "they" + contempt or violence after a group was named
	fYouInsult                   // "you" + insult, plainly said
	fYouInsultNeg                // ... negated
	fYouVio                      // "you" + violence
	fFirstVio                    // first person + violence, plainly said
	fFirstVioNeg                 // ... negated
	fModalVio                    // "should/deserve" + violence
	fSelfIdent                   // "I am a <group> ..." with no contempt
	fInsult                      // an insult noun anywhere
	fSlur                        // a slur anywhere
	fSexual                      // a sexual body word
	fCue                         // a counter-speech cue
	fReport                      // a reporting word
	fQuote                       // quoted words
	fNeg                         // a negation
	fRuleStrong                  // a rule fired at flag strength
	fRuleDamped                  // a rule fired, damped by quoting or counter-speech
	fGroupNegCue                 // group + contempt in a text with a counter-speech cue
	fVocative                    // an insult noun opening or closing a sentence ("shut up, idiot")
	fProfaneOnly                 // profanity with no one it is aimed at
	numToxFeats
)

// toxFeatIdx are the buckets of the structural features and their
// intercept: hashes of their names, so that they rarely share a bucket
// with an n-gram.
var toxFeatIdx = func() (idx [numToxFeats]uint32) {
	mask := uint32(1)<<FeatureBits - 1
	for i := range idx {
		idx[i] = mix(hashString(0x7a3c9e15, "toxfeat"), uint32(i)*0x9e3779b1+1) & mask
	}
	return idx
}()

// toxBenign are the features that make a text benign when none of
// toxAimed is there.
const (
	toxBenign = 1<<fProfaneOnly | 1<<fSelfIdent | 1<<fGroupPos
	toxAimed  = 1<<fGroupNeg | 1<<fGroupVio | 1<<fPronNeg | 1<<fPronVio | 1<<fYouInsult | 1<<fYouVio | 1<<fFirstVio |
		1<<fModalVio | 1<<fInsult | 1<<fSlur | 1<<fSexual | 1<<fRuleStrong | 1<<fVocative
)

// toxDenied are the features of a group tied to contempt or violence only
// under a negation; with none of toxAimed they make a text benign as
// toxBenign does.
const toxDenied = 1<<fGroupNegNeg | 1<<fGroupVioNeg

// Bounds on the bigrams of unspaced scripts per view, and the token
// distance within which two words of a clause count as related.
const (
	maxCJKGrams = 256
	nearWords   = 6
)

// Masks of word classes the structural features read.
const (
	maskContempt = cNegAttr | cDehum | cAnimal | cHateEmo | cPredX
	maskViolent  = cViolent | cViolentX | cElim
	maskYou      = cYou | cYouObj
	maskInsult   = cInsult | cInsultAd
)

// structure returns the structural features of the tokens and hits the
// last match found, as a bit set, and fills m.extra with the bigrams of
// unspaced scripts.
func (m *toxMatcher) structure() uint64 {
	var f uint64
	set := func(x toxFeat) { f |= 1 << x }
	toks := m.toks
	// Per-sentence state: the last index of each kind of word.
	type last struct{ group, pron, you, first, insult, contempt, violent, pos, modal int }
	none := last{-99, -99, -99, -99, -99, -99, -99, -99, -99}
	var (
		l                                                    = none
		gNeg, gVio, gPos, pNeg, pVio, yIns, yVio, fVio, mVio bool
		neg, rep, quoted, copula, first, group, contempt     bool
		groupSeen, cue, profane, aimed                       bool
	)
	for i := range toks {
		if toks[i].cls&cCue != 0 {
			cue = true
		}
	}
	near := func(a, i int) bool { return i-a <= nearWords }
	flush := func() {
		switch {
		case gNeg && neg:
			set(fGroupNegNeg)
		case gNeg && (rep || quoted || m.counter):
			set(fGroupNegRep)
		case gNeg:
			set(fGroupNeg)
			if cue {
				set(fGroupNegCue)
			}
		}
		switch {
		case gVio && neg:
			set(fGroupVioNeg)
		case gVio && (rep || quoted || m.counter):
			set(fGroupVioRep)
		case gVio:
			set(fGroupVio)
		}
		if gPos && !contempt && !neg {
			set(fGroupPos)
		}
		clean := !neg && !rep && !quoted
		if clean && pNeg {
			set(fPronNeg)
		}
		if clean && pVio {
			set(fPronVio)
		}
		if clean && (pNeg || pVio) && groupSeen {
			set(fPronGroup)
		}
		if yIns {
			if neg {
				set(fYouInsultNeg)
			} else if clean {
				set(fYouInsult)
			}
		}
		if yVio && clean {
			set(fYouVio)
		}
		if fVio {
			if neg {
				set(fFirstVioNeg)
			} else if clean {
				set(fFirstVio)
			}
		}
		if mVio && clean {
			set(fModalVio)
		}
		if first && group && copula && !contempt && !gVio {
			set(fSelfIdent)
		}
		if group {
			groupSeen = true
		}
		l = none
		gNeg, gVio, gPos, pNeg, pVio, yIns, yVio, fVio, mVio = false, false, false, false, false, false, false, false, false
		neg, rep, quoted, copula, first, group, contempt = false, false, false, false, false, false, false
	}
	for i := range toks {
		t := &toks[i]
		if i > 0 && t.sent != toks[i-1].sent {
			flush()
		}
		c := t.cls
		if c == 0 {
			if t.quoted {
				quoted = true
			}
			continue
		}
		if c&cGroup != 0 && t.w != "these" && t.w != "those" && t.w != "they" {
			// "they" is also a pronoun; the others only point.
			l.group, group = i, true
		}
		if c&cPron != 0 || t.w == "they" {
			l.pron = i
		}
		if c&maskYou != 0 {
			l.you = i
		}
		if c&cFirst != 0 || firstPerson(t.w) {
			l.first, first = i, true
		}
		if c&cNeg != 0 {
			neg = true
			set(fNeg)
		}
		if c&cReport != 0 {
			rep = true
			set(fReport)
		}
		if c&cCopula != 0 {
			copula = true
		}
		if c&cModal != 0 {
			l.modal = i
		}
		if t.quoted {
			quoted = true
			set(fQuote)
		}
		if c&cInsult != 0 {
			set(fInsult)
			if i == 0 || toks[i-1].sent != t.sent || i+1 == len(toks) || toks[i+1].sent != t.sent {
				set(fVocative)
			}
		}
		if c&cProfane != 0 {
			profane = true
		}
		if c&(cGroup|maskYou|cInsult|cSlur|cViolent|cViolentX|cSexual|cPron) != 0 {
			aimed = true
		}
		if c&cSlur != 0 {
			set(fSlur)
		}
		if c&cSexual != 0 {
			set(fSexual)
		}
		if c&cCue != 0 {
			set(fCue)
		}
		if c&maskInsult != 0 {
			l.insult = i
			if near(l.you, i) {
				yIns = true
			}
		}
		if c&maskYou != 0 && near(l.insult, i) {
			yIns = true
		}
		if c&maskContempt != 0 {
			l.contempt, contempt = i, true
			gNeg = gNeg || near(l.group, i)
			pNeg = pNeg || near(l.pron, i)
		}
		if c&cGroup != 0 && near(l.contempt, i) {
			gNeg = true
		}
		if c&cPositive != 0 {
			l.pos = i
			gPos = gPos || near(l.group, i)
		}
		if c&cGroup != 0 && near(l.pos, i) {
			gPos = true
		}
		if c&maskViolent != 0 {
			l.violent = i
			gVio = gVio || near(l.group, i)
			pVio = pVio || near(l.pron, i)
			yVio = yVio || near(l.you, i)
			fVio = fVio || near(l.first, i)
			mVio = mVio || near(l.modal, i)
		}
		if near(l.violent, i) {
			gVio = gVio || c&cGroup != 0
			yVio = yVio || c&maskYou != 0
		}
	}
	flush()
	for _, h := range m.hits {
		if h.score >= ToxicityFlag {
			set(fRuleStrong)
		} else {
			set(fRuleDamped)
		}
	}
	m.hostile = profane || f&toxDenied != 0 && !m.allNegated()
	for i := range toks {
		if toks[i].cls&cNeg != 0 && strings.Contains(toks[i].w, "性别") &&
			cjkClasses(strings.ReplaceAll(toks[i].w, "性别", ""))&cNeg == 0 {
			m.hostile = true
		}
	}
	if profane && !aimed {
		set(fProfaneOnly)
	}
	if f&(1<<fGroupNeg) != 0 && cue {
		set(fGroupNegCue)
	}
	m.cjkGrams()
	return f
}

// allNegated reports whether every contemptuous or violent word of the
// text follows a negation closely, in its sentence and with no comma or
// colon between ("women don't deserve to be tortured", not "women are not
// human, kill them all"). A run of an unspaced script holds its negation
// inside.
func (m *toxMatcher) allNegated() bool {
	var seps []int // rune offsets of , ; : in the view
	r := 0
	for _, c := range m.text {
		if c == ',' || c == ';' || c == ':' || c == '，' || c == '：' {
			seps = append(seps, r)
		}
		r++
	}
	for i := range m.toks {
		t := &m.toks[i]
		if t.cls&(maskContempt|maskViolent) == 0 || t.cls&cNeg != 0 {
			continue
		}
		ok := false
		for j := i - 1; j >= 0 && j >= i-4 && m.toks[j].sent == t.sent && !ok; j-- {
			if m.toks[j].cls&cNeg == 0 {
				continue
			}
			ok = true
			for _, x := range seps {
				if x >= m.toks[j].e && x < t.s {
					ok = false
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// cjkClasses returns the structural classes of a run of letters of a
// script written without spaces.
func cjkClasses(w string) wordClass {
	var c wordClass
	for _, x := range toxCJKWords {
		if strings.Contains(w, x.w) {
			c |= x.class
		}
	}
	return c
}

// cjkGrams fills m.extra with hashed character bigrams of the runs of
// unspaced scripts.
func (m *toxMatcher) cjkGrams() {
	mask := uint32(1)<<FeatureBits - 1
	for i := range m.toks {
		w := m.toks[i].w
		if r, _ := utf8.DecodeRuneInString(w); r < 0x2E80 {
			continue
		}
		prev := rune(' ')
		for _, r := range w {
			if len(m.extra) >= maxCJKGrams {
				return
			}
			m.extra = append(m.extra, mix(0x3c6ef372^uint32(prev), uint32(r)*0x85ebca6b)&mask)
			prev = r
		}
		if len(m.extra) < maxCJKGrams {
			m.extra = append(m.extra, mix(0x3c6ef372^uint32(prev), 0x2d)&mask)
		}
	}
}

// toxModelScore is the toxicity model's probability: the shared n-grams
// and the unspaced bigrams, normalised by their number, plus the
// structural features.
func toxModelScore(md *Model, f *Features, extra []uint32, feats uint64) float64 {
	var sum float32
	for _, i := range f.idx {
		sum += md.Weights[i]
	}
	for _, i := range extra {
		sum += md.Weights[i]
	}
	z := float64(md.Bias)
	if n := len(f.idx) + len(extra); n > 0 {
		z += float64(sum) / math.Sqrt(float64(n))
	}
	for b := toxFeat(0); b < numToxFeats; b++ {
		if feats&(1<<b) != 0 {
			z += float64(md.Weights[toxFeatIdx[b]])
		}
	}
	return sigmoid(z)
}

// ToxicityModelScore is the model part of the toxicity score of t's plain
// view (no rules), for cmd/guardtrain's figures.
func ToxicityModelScore(md *Model, t *Text) float64 {
	m := toxMatchers.Get().(*toxMatcher)
	defer toxMatchers.Put(m)
	m.reset(t.Views[0].Text)
	m.match()
	feats := m.structure()
	return toxModelScore(md, t.Features(0), m.extra, feats)
}

// TrainToxicity fits the toxicity model (n-grams, unspaced bigrams and
// structural features) with AdaGrad on the logistic loss, as Train does,
// deterministically for a seed. Examples hold a view's folded text.
func TrainToxicity(examples []Example, o TrainOptions) *Model {
	md := &Model{Bits: o.Bits, Weights: make([]float32, 1<<o.Bits)}
	g2 := make([]float64, 1<<o.Bits)
	var gb float64
	type row struct {
		norm  []uint32
		feats uint64
	}
	rows := make([]row, len(examples))
	pos := 0
	m := &toxMatcher{}
	for i, e := range examples {
		f := Features{Bits: o.Bits}
		f.Extract(e.Text)
		m.reset(e.Text)
		m.match()
		feats := m.structure()
		rows[i] = row{append(append([]uint32(nil), f.idx...), m.extra...), feats}
		if e.Label {
			pos++
		}
	}
	neg := len(examples) - pos
	wPos, wNeg := 1.0, 1.0
	if pos > 0 && neg > 0 {
		wPos, wNeg = float64(len(examples))/(2*float64(pos)), float64(len(examples))/(2*float64(neg))
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x5bd1e995))
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	var fidx []uint32
	for epoch := 0; epoch < o.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, k := range order {
			e, r := examples[k], rows[k]
			fidx = fidx[:0]
			for b := toxFeat(0); b < numToxFeats; b++ {
				if r.feats&(1<<b) != 0 {
					fidx = append(fidx, toxFeatIdx[b])
				}
			}
			norm := 1 / math.Sqrt(float64(max(len(r.norm), 1)))
			var sum, sumF float64
			for _, i := range r.norm {
				sum += float64(md.Weights[i])
			}
			for _, i := range fidx {
				sumF += float64(md.Weights[i])
			}
			p := sigmoid(float64(md.Bias) + sum*norm + sumF)
			y, w := 0.0, wNeg
			if e.Label {
				y, w = 1, wPos
			}
			if e.Weight > 0 {
				w *= e.Weight
			}
			g := (p - y) * w
			step := func(i uint32, gi float64) {
				gi += o.L2 * float64(md.Weights[i])
				g2[i] += gi * gi
				md.Weights[i] -= float32(o.Rate * gi / (math.Sqrt(g2[i]) + 1e-8))
			}
			for _, i := range r.norm {
				step(i, g*norm)
			}
			for _, i := range fidx {
				step(i, g)
			}
			gb += g * g
			md.Bias -= float32(o.Rate * g / (math.Sqrt(gb) + 1e-8))
		}
	}
	return md
}
