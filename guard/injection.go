package guard

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
)

// injectionModelFile holds two models trained by cmd/guardtrain: the direct
// one (text from the user) and the indirect one (documents and tool
// results), each in the Model file format, one after the other.
//
//go:embed models/injection.rgm
var injectionModelFile []byte

// Window scoring: an instruction hidden in a long document is a sentence or
// two, and a whole-text score dilutes it, so the model also scores windows
// of injectionWindow words every injectionStride words and keeps the best.
const (
	injectionWindow = 40
	injectionStride = 10
	// injectionFindingFloor is the model score from which the model's best
	// window is reported as a finding.
	injectionFindingFloor = 0.5
)

// injectionDetector scores prompt injection: direct for user text (a user
// overriding the operator's rules or extracting them), indirect for
// documents and tool results (instructions addressed to the AI inside
// content it reads). A logistic model over the shared hashed features
// gives a graded score; high-precision rules over the normalised view raise
// it and name what fired.
type injectionDetector struct {
	direct, indirect *Model
	scratch          sync.Pool // *injectionScratch
}

type injectionScratch struct {
	words []wordSpan
	// Per need (injectionNeeds): where it occurs in the view, and up to
	// where the view has been searched for it (-1: it begins no word).
	needPos     [][]int
	needScanned []int
	prefixes    prefixBloom
	// phrasePos, per phrase of injectionPhraseList, where it occurs.
	phrasePos [][]int
	// grams are the trigrams of the view being scanned, for derived
	// needs, once gramsFilled.
	grams       trigramSet
	gramsFilled bool
}

// wordSpan is one word of a view, as Features.Extract cuts it.
type wordSpan struct {
	start, end int     // rune offsets in the view
	byteStart  int     // byte offset in the view's text
	sum        float32 // summed weights of the word's features
	n          int32   // number of features
	anchor     bool    // the word may start a rule
}

// indirectModelScale caps what the indirect model alone can score.
const indirectModelScale = 0.85

func newInjection() (*injectionDetector, error) { return newInjectionFrom(injectionModelFile) }

func newInjectionFrom(file []byte) (*injectionDetector, error) {
	direct, rest, err := readModel(file)
	if err != nil {
		return nil, fmt.Errorf("injection direct model: %w", err)
	}
	indirect, rest, err := readModel(rest)
	if err != nil {
		return nil, fmt.Errorf("injection indirect model: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("guard: trailing bytes after the injection models")
	}
	if direct.Bits != FeatureBits || indirect.Bits != FeatureBits {
		return nil, fmt.Errorf("guard: injection models of %d/%d bits, want %d", direct.Bits, indirect.Bits, FeatureBits)
	}
	d := &injectionDetector{direct: direct, indirect: indirect}
	d.scratch.New = func() any { return &injectionScratch{words: make([]wordSpan, 0, 512)} }
	return d, nil
}

// readModel decodes one model from the front of b and returns the rest.
func readModel(b []byte) (*Model, []byte, error) {
	if len(b) < 13 {
		return nil, nil, errors.New("guard: short model file")
	}
	size := 13 + 2<<b[4]
	if b[4] > 24 || len(b) < size {
		return nil, nil, errors.New("guard: truncated model file")
	}
	m := &Model{}
	if err := m.UnmarshalBinary(b[:size]); err != nil {
		return nil, nil, err
	}
	return m, b[size:], nil
}

// indirectSource reports whether text from src is read on the user's behalf.
func indirectSource(src Source) bool { return src == SourceDocument || src == SourceTool }

// Scan returns the injection score of t read as coming from src, and what
// fired. Every view (plain, decoded, re-read) is scored and the highest
// counts, so that an encoded instruction scores as its plain text would.
func (d *injectionDetector) Scan(t *Text, src Source) (float64, []Finding) {
	m := d.direct
	if indirectSource(src) {
		m = d.indirect
	}
	sc := d.scratch.Get().(*injectionScratch)
	defer d.scratch.Put(sc)
	var findings []Finding
	best := 0.0
	for i := range t.Views {
		v := &t.Views[i]
		ms, ws, we := d.modelScore(m, v, t.Features(i), sc)
		rs, hits := scanRules(v.Text, sc.words, src, sc)
		allCited := false
		if indirectSource(src) && rs > 0 {
			rs, allCited = discountCited(v.Text, hits)
		}
		m := ms
		if allCited {
			m *= citedModelScale
		}
		score := m
		if rs > 0 {
			// A rule sets a floor; the model keeps the score graded above it.
			score = rs + (1-rs)*m
		} else if indirectSource(src) {
			// Documents are full of imperatives addressed to people, and the
			// indirect model cannot always tell them from ones addressed to
			// the AI: alone it only grades up to indirectModelScale; a rule
			// (text that addresses the AI) is the stronger evidence.
			score *= indirectModelScale
		}
		best = max(best, score)
		for _, h := range hits {
			a, b := v.Span(h.start, h.end)
			findings = append(findings, Finding{Scanner: Injection, Type: h.rule.typ, Start: a, End: b, Score: round3(h.score), Rule: h.rule.name})
		}
		if ms >= injectionFindingFloor {
			typ := "direct"
			if indirectSource(src) {
				typ = "indirect"
			}
			if v.Kind != "plain" {
				typ += "_" + v.Kind
			}
			a, b := v.Span(ws, we)
			findings = append(findings, Finding{Scanner: Injection, Type: typ, Start: a, End: b, Score: round3(ms), Rule: "model"})
		}
	}
	return best, findings
}

// citedDiscount scales the score of a rule that matched a quoted or cited
// attack string in a document that discusses injection: a security article
// that describes "ignore previous instructions" is not addressed to the AI.
// The model still scores the text, and a live exfiltration (a URL to send
// data to) is never discounted, so quoting is no way around the detector.
// When every hit is cited, the model's score (which the quoted words
// raise as well) is scaled by citedModelScale.
const (
	citedDiscount   = 0.3
	citedModelScale = 0.8
)

// discountCited lowers the scores of cited hits when s reads as a
// discussion of attacks, and returns the best hit score and whether every
// hit was cited.
func discountCited(s string, hits []ruleHit) (best float64, allCited bool) {
	allCited = len(hits) > 0
	discussion := -1 // not yet known
	for i := range hits {
		h := &hits[i]
		c := false
		if h.rule.typ != "exfiltration" && cited(s, h.at) {
			if discussion < 0 {
				discussion = discussionCues(s)
			}
			c = discussion >= 2
		}
		if c {
			h.score *= citedDiscount
		} else {
			allCited = false
		}
		best = max(best, h.score)
	}
	return best, allCited
}

// cited reports a match at byte at of s that is quoted (inside quotation
// marks opened on its line), introduced as an example, or inside a code
// block.
func cited(s string, at int) bool {
	pre := s[max(0, at-48):at]
	for _, c := range []string{"such as", "for example", "e.g.", "for instance", "phrases like", "strings like", "prompts like", "called ", "known as", "instance of"} {
		if strings.Contains(pre, c) {
			return true
		}
	}
	return insideQuote(s, at) || strings.Count(s[:at], "```")%2 == 1
}

// insideQuote reports whether a quotation opened before byte at, on the
// same line and at most 200 bytes back, is still open there. Apostrophes
// inside words ("don't") are not quotation marks.
func insideQuote(s string, at int) bool {
	open := false
	for i := max(0, at-200); i < at; i++ {
		c := s[i]
		switch {
		case c == '\n':
			open = false
		case c == '"' || c == '`':
			open = !open
		case c == '\'':
			before := i > 0 && isWordByte(s[i-1])
			after := i+1 < len(s) && isWordByte(s[i+1])
			if !before && after {
				open = true
			} else if before && !after {
				open = false
			}
		case c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80:
			switch s[i+2] {
			case 0x9C, 0x98: // opening double and single quotation marks
				open = true
			case 0x9D, 0x99: // closing ones
				open = false
			}
		}
	}
	return open
}

func isWordByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80 }

// discussionCues counts the words of a text that talk about attacks rather
// than make one.
func discussionCues(s string) int {
	n := 0
	for _, c := range []string{"injection", "jailbreak", "attacker", "adversar", "malicious", "red team", "mitigat", "defen", "vulnerab", "researcher", "example", "exploit", "payload", "security"} {
		if strings.Contains(s, c) {
			n++
		}
	}
	return n
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// modelScore scores a view with m: the whole text, and windows of a long
// text, keeping the best. It also returns the rune span of the best window
// and leaves the view's words in sc.words for the rules.
func (d *injectionDetector) modelScore(m *Model, v *View, f *Features, sc *injectionScratch) (score float64, start, end int) {
	sc.prefixes = prefixBloom{}
	sc.words = splitWords(v.Text, f, m, sc.words[:0], &sc.prefixes)
	ws := sc.words
	if len(ws) == 0 {
		return sigmoid(float64(m.Bias)), 0, 0
	}
	var total float32
	var n int32
	for _, w := range ws {
		total += w.sum
		n += w.n
	}
	score = sigmoid(float64(m.Bias) + float64(total)/math.Sqrt(float64(max(n, 1))))
	start, end = ws[0].start, ws[len(ws)-1].end
	if len(ws) <= injectionWindow {
		return score, start, end
	}
	for i := 0; i < len(ws); i += injectionStride {
		j := min(i+injectionWindow, len(ws))
		var s float32
		var c int32
		for _, w := range ws[i:j] {
			s += w.sum
			c += w.n
		}
		if x := sigmoid(float64(m.Bias) + float64(s)/math.Sqrt(float64(max(c, 1)))); x > score {
			score, start, end = x, ws[i].start, ws[j-1].end
		}
		if j == len(ws) {
			break
		}
	}
	return score, start, end
}

// splitWords cuts s into words exactly as Features.Extract does and
// attributes each word's features (its unigram, the bigram ending at it,
// its character n-grams) to it, with their summed weights under m.
//
// When bl is not nil it also records the words' first three and four bytes
// in it, for the rules' needs.
func splitWords(s string, f *Features, m *Model, out []wordSpan, bl *prefixBloom) []wordSpan {
	k := 0 // next feature in f.idx
	runes := 0
	for i := 0; i < len(s) && len(out) < maxFeatureWords; {
		ws, j, skipped, n := nextWord(s, i)
		if ws == j {
			break
		}
		i = ws
		runes += skipped
		cnt := 1 + wordGrams(n)
		if len(out) > 0 {
			cnt++
		}
		if k+cnt > len(f.idx) {
			break // features of another extraction: stop rather than misread
		}
		var sum float32
		for _, x := range f.idx[k : k+cnt] {
			sum += m.Weights[x]
		}
		out = append(out, wordSpan{start: runes, end: runes + n, byteStart: i, sum: sum, n: int32(cnt), anchor: anchorBuckets.has(f.idx[k])})
		if bl != nil {
			bl.add(s[i:j])
		}
		k += cnt
		runes += n
		i = j
	}
	return out
}

// wordGrams is how many character n-grams Features.charGrams makes of a
// word of n runes.
func wordGrams(n int) int {
	l := min(n, 24) + 2
	g := 0
	for size := 3; size <= 5; size++ {
		g += max(0, l-size+1)
	}
	return g
}

// prefixBloom records the first three and the first four bytes of a view's
// words: a rule none of whose needs begins a word of the view is not tried.
type prefixBloom struct{ p3, p4 [64]uint64 }

func prefixHash(s string) uint32 { return hashString(2166136261, s) & 4095 }

func (b *prefixBloom) add(w string) {
	if len(w) >= 3 {
		h := prefixHash(w[:3])
		b.p3[h>>6] |= 1 << (h & 63)
	}
	if len(w) >= 4 {
		h := prefixHash(w[:4])
		b.p4[h>>6] |= 1 << (h & 63)
	}
}

// needPrefix is how a need is looked up in a prefixBloom: its first three
// or four bytes' hash, or -1 when it may always be there (short, or with
// symbols).
func needPrefix(need string) (n int, h uint32) {
	if len(need) < 3 || strings.IndexFunc(need, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
		return -1, 0
	}
	n = min(len(need), 4)
	return n, prefixHash(need[:n])
}

// mayHave reports whether a need (as needPrefix gives it) may begin a word.
func (b *prefixBloom) mayHave(n int, h uint32) bool {
	switch n {
	case 3:
		return b.p3[h>>6]&(1<<(h&63)) != 0
	case 4:
		return b.p4[h>>6]&(1<<(h&63)) != 0
	}
	return true
}

// bucketSet is a bit set over the hashed feature space.
type bucketSet []uint64

func (b bucketSet) has(i uint32) bool { return b[i>>6]&(1<<(i&63)) != 0 }

// InjectionScorer scores injection with a given model file; guardtrain uses
// it to evaluate a model it has just trained, before it is embedded.
type InjectionScorer struct{ d *injectionDetector }

// NewInjectionScorer reads a model file as written to guard/models/injection.rgm.
func NewInjectionScorer(file []byte) (*InjectionScorer, error) {
	d, err := newInjectionFrom(file)
	if err != nil {
		return nil, err
	}
	return &InjectionScorer{d: d}, nil
}

// Scan normalises text and scans it as coming from src.
func (s *InjectionScorer) Scan(text string, src Source) (float64, []Finding) {
	return s.d.Scan(Normalize(text), src)
}
