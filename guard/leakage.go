package guard

import (
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Leakage: does a model's output reveal its system prompt's confidential
// content or a canary? Canaries (and secret-looking strings of the system
// prompt) are looked for verbatim, case-folded, spaced or punctuated out,
// reversed, in ROT13, Base64 and hex, in every view of the output (views
// decode hidden Base64 and hex). The system prompt itself is compared by
// word n-gram overlap (verbatim and near-verbatim copies) and by the share
// of its content words the output repeats (close paraphrase).
const (
	minCanaryRunes   = 4  // shorter canaries would match by chance
	maxCanaries      = 32 // the API's limit
	leakShingle      = 4  // words per n-gram
	minContentTokens = 5  // a prompt with fewer content words is judged on n-grams only
)

// leakStopwords are words too common to be evidence of a paraphrase.
var leakStopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`the and you your are for with this that not any all can will must should
	never always only from have has was were been being into about than then them they their there what when where which
	who whom why how also just like such may might would could shall our ours its it's i'm don't do does did a an
	to of in on at by or if is be as it we he she me my us no yes so but`) {
		m[w] = true
	}
	for w := range commonWords {
		m[w] = true
	}
	return m
}()

// scanLeakage scores t (an output) for leakage of systemPrompt and canaries.
func scanLeakage(t *Text, systemPrompt string, canaries []string) (float64, []Finding) {
	var findings []Finding
	best := 0.0
	secrets := canaries
	if len(secrets) > maxCanaries {
		secrets = secrets[:maxCanaries]
	}
	if systemPrompt != "" {
		secrets = append(secrets[:len(secrets):len(secrets)], promptSecrets(systemPrompt)...)
	}
	hays := make([]hay, len(t.Views))
	lowerOrig := "" // the original in lower case, for hex forms; made once per scan
	for _, c := range secrets {
		if f, ok := findCanary(t, hays, &lowerOrig, c); ok {
			findings = append(findings, f)
			best = max(best, f.Score)
		}
	}
	if systemPrompt != "" {
		if score, f := promptOverlap(t, systemPrompt); score > 0 {
			if f.End > f.Start {
				findings = append(findings, f)
			}
			best = max(best, score)
		}
	}
	return best, findings
}

// promptSecrets returns the strings of a system prompt that look like
// secrets (keys, codes, passwords): they are canaries too.
func promptSecrets(prompt string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(prompt, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(`"'()[]{},;:<>`, r)
	}) {
		w = strings.TrimRight(w, ".!?")
		letters, digits, upper := 0, 0, 0
		for _, r := range w {
			switch {
			case unicode.IsDigit(r):
				digits++
			case unicode.IsUpper(r):
				upper++
				letters++
			case unicode.IsLetter(r):
				letters++
			}
		}
		n := utf8.RuneCountInString(w)
		if n >= 6 && n <= 128 && ((letters > 0 && digits > 0) || (upper == n && n >= 8) || strings.ContainsAny(w, "_-") && digits > 0) {
			out = append(out, w)
		}
	}
	return out
}

// compactRunes keeps the letters and digits of rs, with each one's index
// in rs.
func compactRunes(rs []rune) ([]rune, []int) {
	out := make([]rune, 0, len(rs))
	at := make([]int, 0, len(rs))
	for i, r := range rs {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, r)
			at = append(at, i)
		}
	}
	return out, at
}

func indexRunes(hay, needle []rune) int {
	if len(needle) == 0 || len(needle) > len(hay) {
		return -1
	}
	for i := 0; i+len(needle) <= len(hay); i++ {
		// Compared as runes: as strings, each candidate cost two
		// conversions (the runes are valid, so the two agree).
		if hay[i] == needle[0] && slices.Equal(hay[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}

func rot13Runes(rs []rune) []rune {
	out := make([]rune, len(rs))
	for i, r := range rs {
		if r >= 'a' && r <= 'z' {
			r = 'a' + (r-'a'+13)%26
		}
		out[i] = r
	}
	return out
}

func reverseRunes(rs []rune) []rune {
	out := make([]rune, len(rs))
	for i, r := range rs {
		out[len(rs)-1-i] = r
	}
	return out
}

// hay is a view's letters and digits (computed once per scan, for every
// canary), with their indexes in the view's literal form.
type hay struct {
	rs []rune
	at []int
}

// findCanary looks for canary c in every view of t and in the encodings of
// the original text. *lowerOrig is the original in lower case, made on
// first use and kept for the next canary.
func findCanary(t *Text, hays []hay, lowerOrig *string, c string) (Finding, bool) {
	if utf8.RuneCountInString(strings.TrimSpace(c)) < minCanaryRunes {
		return Finding{}, false
	}
	cv := Normalize(c).Views[0]
	literal, _ := compactRunes([]rune(cv.lit))
	if len(literal) < minCanaryRunes {
		return Finding{}, false
	}
	forms := []struct {
		rs   []rune
		rule string
	}{{literal, "canary"}, {reverseRunes(literal), "canary_reversed"}, {rot13Runes(literal), "canary_rot13"}}
	for vi := range t.Views {
		v := &t.Views[vi]
		if v.Kind == "rot13" || v.Kind == "reversed" {
			continue // the canary's own ROT13 and reversed forms cover them
		}
		if hays[vi].rs == nil {
			hays[vi].rs, hays[vi].at = compactRunes([]rune(v.lit))
		}
		hay, at := hays[vi].rs, hays[vi].at
		for _, form := range forms {
			if k := indexRunes(hay, form.rs); k >= 0 {
				a, b := v.litSpan(at[k], at[k+len(form.rs)-1]+1)
				rule := form.rule
				if v.Kind != "plain" {
					rule += "_" + v.Kind
				}
				score := 1.0
				if form.rule != "canary" || v.Kind != "plain" {
					score = 0.95
				}
				return Finding{Scanner: Leakage, Type: "canary", Start: a, End: b, Score: score, Rule: rule}, true
			}
		}
	}
	// Encoded forms of the canary in the original text.
	orig := t.Original
	for _, enc := range []struct {
		s    string
		fold bool
		rule string
	}{
		{base64.StdEncoding.EncodeToString([]byte(c)), false, "canary_base64"},
		{strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(c)), "="), false, "canary_base64"},
		{base64.RawURLEncoding.EncodeToString([]byte(c)), false, "canary_base64"},
		{hex.EncodeToString([]byte(c)), true, "canary_hex"},
	} {
		hay := orig
		if enc.fold {
			if *lowerOrig == "" {
				*lowerOrig = strings.ToLower(orig)
			}
			hay = *lowerOrig
		}
		if k := strings.Index(hay, enc.s); k >= 0 {
			a := utf8.RuneCountInString(orig[:k])
			return Finding{Scanner: Leakage, Type: "canary", Start: a, End: a + utf8.RuneCountInString(enc.s), Score: 0.95, Rule: enc.rule}, true
		}
	}
	return Finding{}, false
}

// wordHashes splits a folded text into words and returns each word's
// hash with its rune start and end: n-grams are compared by hash, without
// building strings.
func wordHashes(s string) (hs []uint64, starts, ends []int) {
	i, start := 0, -1
	h := uint64(14695981039346656037)
	flush := func(end int) {
		if start >= 0 {
			hs = append(hs, h)
			starts = append(starts, start)
			ends = append(ends, end)
			start = -1
			h = 14695981039346656037
		}
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			h = (h ^ uint64(r)) * 1099511628211
		} else {
			flush(i)
		}
		i++
	}
	flush(i)
	return hs, starts, ends
}

// shingle combines leakShingle word hashes from hs[i].
func shingle(hs []uint64, i int) uint64 {
	h := uint64(0x9e3779b97f4a7c15)
	for _, w := range hs[i : i+leakShingle] {
		h = (h ^ w) * 0xbf58476d1ce4e5b9
		h ^= h >> 31
	}
	return h
}

// refusal cues: an answer that declines to reveal its instructions
// repeats words of them without leaking them.
var refusalCues = []string{"i can't share", "i cannot share", "i can't reveal", "i cannot reveal", "i'm not able to share",
	"i am not able to share", "i won't share", "i can't disclose", "i cannot disclose", "not able to reveal", "can't provide my instructions",
	"cannot provide my instructions", "i can't help with that", "i cannot help with that"}

// promptOverlap scores how much of the system prompt the output repeats.
func promptOverlap(t *Text, prompt string) (float64, Finding) {
	pv := Normalize(prompt).Views[0]
	pw, ps, pe := wordHashes(pv.Text)
	if len(pw) < 3 {
		return 0, Finding{}
	}
	shingles := make(map[uint64]bool, len(pw))
	for i := 0; i+leakShingle <= len(pw); i++ {
		shingles[shingle(pw, i)] = true
	}
	content := map[uint64]bool{}
	pr := []rune(pv.Text)
	for k, w := range pw {
		if pe[k]-ps[k] >= 3 && !leakStopwords[string(pr[ps[k]:pe[k]])] {
			content[w] = true
		}
	}
	best, bestF := 0.0, Finding{}
	seen := map[uint64]bool{}
	hit := map[uint64]bool{}
	for vi := range t.Views {
		v := &t.Views[vi]
		ow, os, oe := wordHashes(v.Text)
		// Verbatim: the share of the prompt's n-grams in the output, and
		// the longest run of consecutive matching n-grams.
		clear(seen)
		run, longest, first, last := 0, 0, -1, -1
		for i := 0; i+leakShingle <= len(ow); i++ {
			g := shingle(ow, i)
			if shingles[g] {
				seen[g] = true
				run++
				longest = max(longest, run)
				if first < 0 {
					first = i
				}
				last = i + leakShingle - 1
			} else {
				run = 0
			}
		}
		coverage := 0.0
		if len(shingles) > 0 {
			coverage = float64(len(seen)) / float64(len(shingles))
		}
		runWords := 0
		if longest > 0 {
			runWords = longest + leakShingle - 1
		}
		verbatim := max(min(1, 1.6*coverage), min(1, float64(runWords)/float64(min(16, max(6, len(pw)/2)))))
		// Paraphrase: the share of the prompt's content words repeated.
		para := 0.0
		if len(content) >= minContentTokens {
			clear(hit)
			for _, w := range ow {
				if content[w] {
					hit[w] = true
				}
			}
			cov := float64(len(hit)) / float64(len(content))
			para = min(1, max(0, (cov-0.35)/0.45)) * 0.85
			if refusal(v.Text) {
				para /= 3
			}
		}
		score := max(verbatim, para)
		if score > best {
			best = score
			rule := "ngram_overlap"
			if para > verbatim {
				rule = "content_overlap"
			}
			f := Finding{Scanner: Leakage, Type: "system_prompt", Score: score, Rule: rule}
			if first >= 0 {
				f.Start, f.End = v.Span(os[first], oe[last])
			} else if len(os) > 0 {
				f.Start, f.End = v.Span(os[0], oe[len(oe)-1])
			}
			bestF = f
		}
	}
	return best, bestF
}

func refusal(s string) bool {
	s = strings.ReplaceAll(s, "’", "'")
	for _, c := range refusalCues {
		if strings.Contains(s, c) {
			return true
		}
	}
	return false
}
