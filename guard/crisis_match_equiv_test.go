package guard

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// expandPattern writes one random instance of a pattern: an alternative
// of each group, optional groups half the time, random words in gaps.
func expandPattern(lx []string, pos *int, rng *rand.Rand, words []string, out *[]string) {
	for *pos < len(lx) {
		t := lx[*pos]
		switch t {
		case ")", "]", "|":
			return
		case "(", "[":
			*pos++
			var alts [][]string
			for {
				var alt []string
				expandPattern(lx, pos, rng, words, &alt)
				alts = append(alts, alt)
				if lx[*pos] == "|" {
					*pos++
					continue
				}
				break
			}
			*pos++ // the closing bracket
			if t == "[" && rng.IntN(2) == 0 {
				continue
			}
			*out = append(*out, alts[rng.IntN(len(alts))]...)
		default:
			*pos++
			switch {
			case strings.HasPrefix(t, "~"):
				n, _ := strconv.Atoi(t[1:])
				for k := rng.IntN(n + 2); k > 0; k-- { // sometimes one too many
					*out = append(*out, words[rng.IntN(len(words))])
				}
			case len(t) > 1 && strings.HasSuffix(t, "*"):
				*out = append(*out, strings.TrimSuffix(t, "*")+[]string{"", "ing", "xy"}[rng.IntN(3)])
			case t == "#":
				*out = append(*out, strconv.Itoa(rng.IntN(100)))
			default:
				*out = append(*out, t)
			}
		}
	}
}

// equivCorpus is the test corpus of the matcher equivalence test: the
// sentences of the other crisis tests, and random instances of every
// pattern and cue, alone, chained, cut by sentence ends, and amid random
// pattern words.
func equivCorpus() []string {
	texts := []string{
		"I want to kill myself.", "How do I kill a Python process?", "this deadline is killing me",
		"I'm going to kill myself tonight, I have the pills ready.", "Ｈｅｌｌｏ. I want to k1ll mys3lf tonight.",
		"Je veux mourir. Ich will nicht mehr leben. Quiero matarme esta noche. Não quero mais viver.",
		"I would never kill myself. I don't want to end my life. no quiero morir. no, I want to die",
		"I ran 10 kms this morning. When I was 15 I tried. epidemiology of anorexic teens",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var lexes [][]string
	var words []string
	for _, set := range [][]crisisRule{crisisRules, crisisCues} {
		for _, r := range set {
			lx := lexPattern(crisisMacros.Replace(r.pattern))
			lexes = append(lexes, lx)
			for _, t := range lx {
				if !strings.ContainsAny(t, "()[]|~*#") {
					words = append(words, t)
				}
			}
		}
	}
	words = append(words, "zzz", "qq", "the", "and", "12")
	instance := func() string {
		lx := lexes[rng.IntN(len(lexes))]
		var out []string
		pos := 0
		expandPattern(lx, &pos, rng, words, &out)
		return strings.Join(out, " ")
	}
	for range 20000 {
		var b strings.Builder
		for k := rng.IntN(4) + 1; k > 0; k-- {
			b.WriteString(instance())
			switch rng.IntN(4) {
			case 0:
				b.WriteString(". ")
			case 1:
				for n := rng.IntN(4); n > 0; n-- {
					b.WriteString(" " + words[rng.IntN(len(words))])
				}
				b.WriteString(" ")
			default:
				b.WriteString(" ")
			}
		}
		texts = append(texts, b.String())
	}
	return texts
}

func sortedMatches(ms []match) []match {
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b match) int {
		if a.from != b.from {
			return a.from - b.from
		}
		if a.rule != b.rule {
			return a.rule - b.rule
		}
		return a.to - b.to
	})
	return ms
}

// TestCrisisMatcherEquivalent checks that the word-id matcher finds what
// the first, string-keyed one found.
func TestCrisisMatcherEquivalent(t *testing.T) {
	if err := crisisRulesErr(); err != nil {
		t.Fatal(err)
	}
	var lp, ln legacyMatcher
	for i, r := range crisisRules {
		if err := lp.add(crisisMacros.Replace(r.pattern), i); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range crisisCues {
		if err := ln.add(crisisMacros.Replace(r.pattern), i); err != nil {
			t.Fatal(err)
		}
	}
	found := 0
	for _, text := range equivCorpus() {
		s := Normalize(text).Views[0].Text
		toks := crisisVocab.tokenize(s, nil)
		ltoks := legacyTokenize(s, nil)
		if len(toks) != len(ltoks) {
			t.Fatalf("%q: %d tokens, legacy %d", s, len(toks), len(ltoks))
		}
		for k := range toks {
			if int(toks[k].start) != ltoks[k].start || int(toks[k].end) != ltoks[k].end || int(toks[k].sent) != ltoks[k].sent {
				t.Fatalf("%q: token %d %+v, legacy %+v", s, k, toks[k], ltoks[k])
			}
		}
		for _, c := range []struct {
			m  *phraseMatcher
			lm *legacyMatcher
		}{{&crisisPos, &lp}, {&crisisNeg, &ln}} {
			got := sortedMatches(c.m.find(toks, nil))
			want := sortedMatches(c.lm.find(ltoks, nil))
			if !slices.Equal(got, want) {
				t.Fatalf("%q:\n got %v\nwant %v", s, got, want)
			}
			found += len(got)
		}
		for _, mt := range crisisPos.find(toks, nil) {
			if negated(toks, mt.from) != legacyNegated(ltoks, mt.from) || negatedInside(toks, mt.from, mt.to) != legacyNegatedInside(ltoks, mt.from, mt.to) {
				t.Fatalf("%q: negation of %+v differs", s, mt)
			}
		}
	}
	if found < 20000 {
		t.Errorf("only %d matches: the corpus does not exercise the rules", found)
	}
}

var legacyFirstPerson = map[string]bool{"i": true, "im": true, "ive": true, "ill": true, "id": true, "me": true, "my": true}

func legacyNegated(toks []legacyToken, i int) bool {
	for k := i - 1; k >= 0 && k >= i-3 && toks[k].sent == toks[i].sent; k-- {
		w := toks[k].w
		if crisisNegators[w] {
			return true
		}
		if w == "t" && k > 0 && crisisNegContractions[toks[k-1].w] {
			return true
		}
		if w == "no" && k == i-1 && !legacyFirstPerson[toks[i].w] {
			return true
		}
	}
	return false
}

func legacyNegatedInside(toks []legacyToken, from, to int) bool {
	for k := from; k < to; k++ {
		w := toks[k].w
		if crisisNegators[w] || (w == "t" && k > 0 && crisisNegContractions[toks[k-1].w]) {
			return true
		}
	}
	return false
}
