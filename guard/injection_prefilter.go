package guard

import (
	"regexp/syntax"
	"slices"
)

// Rules written without needs get needs derived from their expression:
// literals one of which every match must hold. Without them a rule whose
// anchor is a common word ("ignore the museums on Mondays") runs its
// expression at every occurrence, and an expression with a long gap before
// a large alternation ("ignore ... <sixty words for instructions>") costs
// the regexp engine tens of microseconds per anchor, the better part of a
// whole scan. The derivation is conservative: where it cannot name a
// literal every match holds, the rule keeps no needs and always runs.

// minDerivedNeed is the shortest literal worth searching for.
const minDerivedNeed = 3

// derivedNeeds returns literals one of which every match of expr holds, or
// nil.
func derivedNeeds(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	lits := requiredLiterals(re, true)
	for _, l := range lits {
		if len(l) < minDerivedNeed {
			return nil
		}
	}
	return lits
}

// requiredLiterals returns a set of literals one of which every match of
// re contains, or nil when it knows none. At the top, the first part of a
// sequence (the anchor words, present by construction) is passed over
// when a later part names literals.
func requiredLiterals(re *syntax.Regexp, top bool) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil
		}
		return []string{string(re.Rune)}
	case syntax.OpCapture:
		return requiredLiterals(re.Sub[0], top)
	case syntax.OpPlus:
		return requiredLiterals(re.Sub[0], false)
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLiterals(re.Sub[0], false)
		}
		return nil
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			l := requiredLiterals(sub, false)
			if l == nil {
				return nil
			}
			out = append(out, l...)
		}
		slices.Sort(out)
		return slices.Compact(out)
	case syntax.OpConcat:
		var best []string
		for i, sub := range re.Sub {
			l := requiredLiterals(sub, false)
			if l == nil || top && i == 0 && len(re.Sub) > 1 {
				continue
			}
			if best == nil || betterNeeds(l, best) {
				best = l
			}
		}
		return best
	}
	return nil
}

// betterNeeds prefers the set whose shortest literal is longer (fewer
// chance hits), then the smaller set (fewer searches).
func betterNeeds(a, b []string) bool {
	ma, mb := shortest(a), shortest(b)
	if ma != mb {
		return ma > mb
	}
	return len(a) < len(b)
}

func shortest(ls []string) int {
	n := 1 << 30
	for _, l := range ls {
		n = min(n, len(l))
	}
	return n
}

// A derived need may start inside a word, so the view's word prefixes
// cannot rule it out; the trigrams of the whole view can, before any
// search: a rule such as ignore_previous_instructions_ml2 has sixty needs,
// and searching each near every "ignore" costs more than the expression
// it spares.
const (
	derivedNeedGate = -2 // injectionNeedPrefixes' n of a derived need
	needUntested    = -2 // needScanned: not yet tested against the trigrams
)

// trigramSet is a bit set of the hashed byte trigrams of a view.
type trigramSet [1 << 14 / 64]uint64

func trigramHash(a, b, c byte) uint32 {
	return (uint32(a)*0x9e3779b1 ^ uint32(b)*0x85ebca6b ^ uint32(c)*0xc2b2ae35) >> 18
}

func (g *trigramSet) fill(s string) {
	clear(g[:])
	for i := 0; i+2 < len(s); i++ {
		h := trigramHash(s[i], s[i+1], s[i+2])
		g[h>>6] |= 1 << (h & 63)
	}
}

func (g *trigramSet) has(a, b, c byte) bool {
	h := trigramHash(a, b, c)
	return g[h>>6]&(1<<(h&63)) != 0
}

// mayHold reports whether x (3 bytes or more) may occur in the view: its
// first, middle and last trigrams all do.
func (g *trigramSet) mayHold(x string) bool {
	n, m := len(x), len(x)/2-1
	return g.has(x[0], x[1], x[2]) && g.has(x[m], x[m+1], x[m+2]) && g.has(x[n-3], x[n-2], x[n-1])
}

// viewGrams returns the trigrams of s, the view being scanned, filling
// them on first use.
func (sc *injectionScratch) viewGrams(s string) *trigramSet {
	if !sc.gramsFilled {
		sc.grams.fill(s)
		sc.gramsFilled = true
	}
	return &sc.grams
}
