package guard

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Scores the rules give (before quoting and counter-speech damp them).
const (
	scoreTargetedInsult = 0.88 // "you are a moron"
	scoreInsultCopula   = 0.66 // "he is an idiot"
	scoreSlur           = 0.7
	scoreGroupAttr      = 0.75 // "women are despicable", "I hate immigrants"
	scoreDehum          = 0.88 // "X are vermin"
	scoreElim           = 0.9  // "X should be exterminated"
	scoreThreat         = 0.9  // "I am going to stab you"
	counterDamp         = 0.4  // multiplier for a rule hit that is quoted or condemned
)

// maxRuleWords bounds the words the rules read per view.
const maxRuleWords = 2000

// toxTok is one word of a view.
type toxTok struct {
	w      string
	s, e   int // rune offsets in the view
	sent   int // sentence number
	quoted bool
	cls    wordClass
}

// toxHit is a rule that fired, with its view rune span.
type toxHit struct {
	start, end int
	score      float64
	typ, rule  string
}

// toxMatcher runs the lexicon rules over one view. It is reused across
// views to keep allocations down.
type toxMatcher struct {
	text    string
	toks    []toxTok
	hits    []toxHit
	counter bool // the text condemns or reports abuse rather than commits it
	// hostile is set by structure when something makes a negation unfit
	// to deny abuse: profanity ("no valen una mierda"), or a negation
	// read inside a group's name (别 of 跨性别者).
	hostile bool
	// extra holds the hashed character bigrams of runs written without
	// spaces, which the shared features read as one long word.
	extra []uint32
}

// toxMatchers reuses matchers (and their token buffers) across scans.
var toxMatchers = sync.Pool{New: func() any {
	return &toxMatcher{toks: make([]toxTok, 0, 512), hits: make([]toxHit, 0, 16), extra: make([]uint32, 0, maxCJKGrams)}
}}

func (m *toxMatcher) reset(text string) {
	m.text = text
	m.toks = m.toks[:0]
	m.hits = m.hits[:0]
	m.extra = m.extra[:0]
	m.counter = false
	m.hostile = false
}

func wordRuneLetter(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// isQuote reports quotation marks; ' counts only at a word's edge.
func isQuote(r rune) bool {
	switch r {
	case '"', '“', '”', '„', '«', '»', '「', '」', '『', '』', '‘', '’':
		return true
	}
	return false
}

// tokenize splits the view into words, with sentences and quotation.
func (m *toxMatcher) tokenize() {
	s := m.text
	sent, ri := 0, 0
	quoted := false
	prevLetter := false
	for i := 0; i < len(s) && len(m.toks) < maxRuleWords; {
		r, size := utf8.DecodeRuneInString(s[i:])
		if wordRuneLetter(r) || (r == '*' && prevLetter) {
			ws, wr := i, ri
			masked := false
			for i < len(s) {
				r, size := utf8.DecodeRuneInString(s[i:])
				if r == '*' {
					masked = true
				} else if !wordRuneLetter(r) {
					break
				}
				i += size
				ri++
			}
			we, wre := i, ri
			for we > ws && s[we-1] == '*' {
				we--
				wre--
			}
			w := s[ws:we]
			t := toxTok{w: w, s: wr, e: wre, sent: sent, quoted: quoted}
			t.cls = classify(w, masked)
			if r, _ := utf8.DecodeRuneInString(w); r >= 0x2E80 {
				t.cls |= cjkClasses(w)
			}
			m.toks = append(m.toks, t)
			prevLetter = true
			continue
		}
		switch {
		case r == '.' || r == '!' || r == '?' || r == '\n' || r == ';' || r == '。' || r == '！' || r == '？':
			sent++
		case isQuote(r):
			quoted = !quoted
		case r == '\'':
			// An apostrophe inside a word ("you're") is not a quote.
			next, _ := utf8.DecodeRuneInString(s[i+size:])
			if !prevLetter || !wordRuneLetter(next) {
				quoted = !quoted
			}
		}
		prevLetter = false
		i += size
		ri++
	}
}

// classify returns the classes of a word, trying leetspeak the normaliser
// left alone ("1d10t") and masked letters ("b*tch").
func classify(w string, masked bool) wordClass {
	if c, ok := toxWords[w]; ok {
		return c
	}
	// Spaced letters are joined with a one-letter word before them: "a m o
	// r o n" reads "amoron".
	if len(w) > 4 && (w[0] == 'a' || w[0] == 'u') {
		if c := toxWords[w[1:]] & (cInsult | cSlur); c != 0 {
			return c
		}
	}
	if masked && strings.Contains(w, "*") {
		for _, cand := range toxMasked[len(w)] {
			if maskMatch(w, cand) {
				return toxWords[cand]
			}
		}
		return 0
	}
	digits := false
	for i := 0; i < len(w); i++ {
		if leet(rune(w[i])) != 0 {
			digits = true
			break
		}
	}
	if digits {
		b := []byte(w)
		for i, c := range b {
			if l := leet(rune(c)); l != 0 && l < utf8.RuneSelf {
				b[i] = byte(l)
			}
		}
		return toxWords[string(b)] & (cInsult | cSlur | cInsultAd | cDehum | cViolent)
	}
	return 0
}

// maskMatch reports whether w ("b*tch") could be cand ("bitch"): the same
// length, the same first letter, and equal where w is not masked.
func maskMatch(w, cand string) bool {
	if len(w) != len(cand) || w[0] != cand[0] {
		return false
	}
	stars := 0
	for i := 0; i < len(w); i++ {
		if w[i] == '*' {
			stars++
		} else if w[i] != cand[i] {
			return false
		}
	}
	return stars*2 < len(w)
}

// match runs every rule and returns the hits, strongest first.
func (m *toxMatcher) match() []toxHit {
	m.tokenize()
	toks := m.toks
	anyQuoted := false
	cue := false
	for i := range toks {
		if toks[i].quoted {
			anyQuoted = true
		}
		if toks[i].cls&cCue != 0 {
			cue = true
		}
	}
	m.counter = cue && (anyQuoted || m.reporting())
	for i := range toks {
		t := &toks[i]
		if t.cls&cPhrase != 0 {
			for _, p := range toxPhrases[t.w] {
				if m.phraseAt(i, p.words) {
					m.hit(i, i+len(p.words)-1, p.score, p.typ, p.rule)
				}
			}
		}
		c := t.cls &^ cPhrase
		if c == 0 {
			continue
		}
		switch {
		case c&cInsult != 0:
			if j, ok := m.youBefore(i); ok {
				m.hit(j, i, scoreTargetedInsult, "insult", "targeted_insult")
			} else if j, ok := m.copulaBefore(i); ok {
				m.hit(j, i, scoreInsultCopula, "insult", "insult_copula")
			} else if c&cSlur != 0 {
				m.slur(i)
			}
		case c&cSlur != 0:
			m.slur(i)
		case c&cInsultAd != 0:
			if j, ok := m.youBefore(i); ok {
				m.hit(j, i, scoreTargetedInsult-0.08, "insult", "targeted_insult")
			}
		}
		if c&cNegAttr != 0 {
			if j, ok := m.groupCopulaBefore(i); ok {
				m.hit(j, i, scoreGroupAttr, "hate", "group_contempt")
			}
		}
		if c&cHateEmo != 0 {
			if k, ok := m.groupAfter(i); ok {
				m.hit(i, k, scoreGroupAttr, "hate", "group_hatred")
			}
		}
		if c&(cDehum|cAnimal) != 0 {
			if j, ok := m.dehumBefore(i, c&cDehum != 0); ok {
				m.hit(j, i, scoreDehum, "hate", "dehumanisation")
			}
		}
		if c&cElim != 0 {
			if j, ok := m.modalBefore(i); ok {
				m.hit(j, i, scoreElim, "hate", "eliminationist")
			}
		}
		if c&cViolent != 0 {
			if j, k, ok := m.threatAround(i); ok {
				m.hit(j, k, scoreThreat, "threat", "threat")
			}
		}
	}
	m.matchCJK()
	// Strongest first.
	hs := m.hits
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && hs[j].score > hs[j-1].score; j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
	return hs
}

// reporting reports wording that discusses abuse: "saying", "calling",
// "is not ok".
func (m *toxMatcher) reporting() bool {
	for i, t := range m.toks {
		if t.cls&cReport != 0 {
			return true
		}
		switch t.w {
		case "saying", "say", "says", "said", "calling", "called", "call", "shouted", "yelled", "wrote", "tweeted", "using", "word", "words", "term":
			return true
		case "ok", "okay", "acceptable", "wrong":
			if i > 0 && m.toks[i-1].cls&cNeg != 0 || t.w == "wrong" {
				return true
			}
		}
	}
	return false
}

func (m *toxMatcher) phraseAt(i int, words []string) bool {
	if i+len(words) > len(m.toks) {
		return false
	}
	for k, w := range words {
		if m.toks[i+k].w != w {
			return false
		}
	}
	return true
}

// hit records a rule over tokens i..j, damped when quoted or condemned.
func (m *toxMatcher) hit(i, j int, score float64, typ, rule string) {
	if m.toks[i].quoted || m.toks[j].quoted || m.counter {
		score *= counterDamp
	}
	m.hits = append(m.hits, toxHit{m.toks[i].s, m.toks[j].e, score, typ, rule})
}

// youBefore finds a second-person subject at most four words before i,
// with only filler words between ("you are such a ...", "du bist ein ...").
func (m *toxMatcher) youBefore(i int) (int, bool) {
	for j := i - 1; j >= 0 && j >= i-5; j-- {
		t := m.toks[j]
		if t.sent != m.toks[i].sent {
			return 0, false
		}
		if t.cls&cYou != 0 {
			return j, true
		}
		if t.cls&cFiller == 0 && t.cls&cInsultAd == 0 {
			return 0, false
		}
	}
	return 0, false
}

// copulaBefore finds "is/are (a|an|such a...)" right before an insult
// noun, without negation: "he is a moron".
func (m *toxMatcher) copulaBefore(i int) (int, bool) {
	for j := i - 1; j >= 0 && j >= i-3; j-- {
		t := m.toks[j]
		if t.sent != m.toks[i].sent || t.cls&cNeg != 0 {
			return 0, false
		}
		if t.cls&cCopula != 0 {
			if j > 0 && (m.toks[j-1].cls&cNeg != 0 || firstPerson(m.toks[j-1].w)) {
				return 0, false
			}
			return max(j-1, 0), true
		}
		if t.cls&(cFiller|cInsultAd) == 0 {
			return 0, false
		}
	}
	return 0, false
}

// dehumAlone are dehumanising nouns that need no group named beside them.
var dehumAlone = map[string]bool{"vermin": true, "subhuman": true, "subhumans": true, "untermenschen": true,
	"infrahumanos": true, "subumani": true, "podludzie": true, "недочеловеки": true, "нелюди": true}

// negatedBefore reports a negation earlier in i's sentence ("I never said
// that X are scum").
func (m *toxMatcher) negatedBefore(i int) bool {
	for j := i - 1; j >= 0 && j >= i-10 && m.toks[j].sent == m.toks[i].sent; j-- {
		if m.toks[j].cls&cNeg != 0 {
			return true
		}
	}
	return false
}

func firstPerson(w string) bool {
	switch w {
	case "i", "me", "myself", "we", "us", "ich", "yo", "je", "io", "eu", "ik", "ja", "я", "ben", "jag":
		return true
	}
	return false
}

// slur records a slur unless it is said of oneself or reported ("call me
// a ...", "I'm a proud ...").
func (m *toxMatcher) slur(i int) {
	score := scoreSlur
	for j := i - 1; j >= 0 && j >= i-4 && m.toks[j].sent == m.toks[i].sent; j-- {
		if firstPerson(m.toks[j].w) || m.toks[j].w == "proud" || m.toks[j].w == "call" || m.toks[j].w == "calling" || m.toks[j].w == "called" {
			score *= counterDamp
			break
		}
	}
	m.hit(i, i, score, "hate", "slur")
}

// groupCopulaBefore finds "<group> are (so|absolutely...) <attribute>".
func (m *toxMatcher) groupCopulaBefore(i int) (int, bool) {
	if m.negatedBefore(i) {
		return 0, false
	}
	for j := i - 1; j >= 0 && j >= i-4; j-- {
		t := m.toks[j]
		if t.sent != m.toks[i].sent {
			return 0, false
		}
		if t.cls&cCopula != 0 {
			for k := j - 1; k >= 0 && k >= j-2; k-- {
				if m.toks[k].sent == t.sent && m.toks[k].cls&cGroup != 0 && m.toks[k].w != "these" && m.toks[k].w != "those" {
					return k, true
				}
			}
			return 0, false
		}
	}
	return 0, false
}

// groupAfter finds a group of people at most four words after i ("I hate
// all immigrants", "contempt for women").
func (m *toxMatcher) groupAfter(i int) (int, bool) {
	if m.negatedBefore(i) {
		return 0, false
	}
	for k := i + 1; k < len(m.toks) && k <= i+4 && m.toks[k].sent == m.toks[i].sent; k++ {
		if m.toks[k].cls&cGroup != 0 && m.toks[k].w != "these" && m.toks[k].w != "those" && m.toks[k].w != "they" {
			if m.toks[k].w == "people" && k > 0 && m.toks[k-1].cls&cGroup == 0 && k-1 == i {
				return 0, false // "I hate people" is misanthropy, not hate
			}
			return k, true
		}
	}
	return 0, false
}

// dehumBefore finds "<subject> are (nothing but|just|...) <noun>": a
// copula at most four words before i, no negation, and for animal words a
// group of people as the subject.
func (m *toxMatcher) dehumBefore(i int, strong bool) (int, bool) {
	if m.negatedBefore(i) {
		return 0, false
	}
	for j := i - 1; j >= 0 && j >= i-5; j-- {
		t := m.toks[j]
		if t.sent != m.toks[i].sent || t.cls&cNeg != 0 {
			return 0, false
		}
		if t.cls&cCopula == 0 {
			continue
		}
		if j > 0 && m.toks[j-1].cls&cNeg != 0 {
			return 0, false
		}
		for k := j - 1; k >= 0 && k >= j-3; k-- {
			if m.toks[k].sent != t.sent {
				break
			}
			if m.toks[k].cls&cGroup != 0 {
				return k, true
			}
		}
		if strong && dehumAlone[m.toks[i].w] {
			return max(j-1, 0), true
		}
		return 0, false
	}
	return 0, false
}

// modalBefore finds "should/must/deserve ... be" before an eliminationist
// verb, without negation: "they should all be exterminated".
func (m *toxMatcher) modalBefore(i int) (int, bool) {
	for j := i - 1; j >= 0 && j >= i-5; j-- {
		t := m.toks[j]
		if t.sent != m.toks[i].sent || t.cls&cNeg != 0 {
			return 0, false
		}
		if t.cls&cModal != 0 {
			if j+1 < len(m.toks) && m.toks[j+1].cls&cNeg != 0 {
				return 0, false
			}
			return max(j-1, 0), true
		}
	}
	return 0, false
}

// personWord are people a threat can be aimed at besides "you".
var personWord = map[string]bool{"him": true, "her": true, "woman": true, "man": true, "person": true, "girl": true,
	"boy": true, "bitch": true, "family": true, "kids": true, "wife": true, "ihn": true, "sie": true, "lo": true, "la": true}

// threatAround finds "I/we (will|gonna|...) <verb> you": a violent verb
// with a second-person object right after it and a first-person intent
// before it.
func (m *toxMatcher) threatAround(i int) (int, int, bool) {
	k := -1
	for j := i + 1; j < len(m.toks) && j <= i+3; j++ {
		if m.toks[j].sent != m.toks[i].sent {
			break
		}
		if m.toks[j].cls&(cYouObj|cGroup) != 0 && m.toks[j].w != "they" || personWord[m.toks[j].w] {
			k = j
			break
		}
	}
	if k < 0 {
		return 0, 0, false
	}
	for j := i - 1; j >= 0 && j >= i-4; j-- {
		t := m.toks[j]
		if t.sent != m.toks[i].sent || t.cls&cNeg != 0 {
			return 0, 0, false
		}
		if t.cls&cIntent != 0 || t.w == "i" || t.w == "we" || t.w == "ich" || t.w == "je" || t.w == "yo" || t.w == "io" || t.w == "ik" || t.w == "eu" {
			return j, k, true
		}
	}
	return 0, 0, false
}

// matchCJK finds phrases of scripts written without spaces.
func (m *toxMatcher) matchCJK() {
	ascii := true
	for i := 0; i < len(m.text); i++ {
		if m.text[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return
	}
	for _, p := range toxCJK {
		if k := strings.Index(m.text, p.phrase); k >= 0 {
			s := utf8.RuneCountInString(m.text[:k])
			score := p.score
			if m.counter || quotedAt(m.text, k) {
				score *= counterDamp
			}
			m.hits = append(m.hits, toxHit{s, s + utf8.RuneCountInString(p.phrase), score, p.typ, p.rule})
		}
	}
}

// quotedAt reports whether byte offset k of s lies inside quotation marks
// (an odd number of them before it on its line).
func quotedAt(s string, k int) bool {
	n := 0
	for _, r := range s[:k] {
		if r == '\n' {
			n = 0
		} else if isQuote(r) {
			n++
		}
	}
	return n%2 == 1
}
