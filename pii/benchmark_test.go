package pii

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// genGoals is the F1 each type must reach on the eval split of the
// generated benchmark; maxHardNegativeRate bounds the findings per 10,000
// characters of hard negatives.
var genGoals = map[Type]float64{
	CreditCard: 0.99, IBAN: 0.99, SSN: 0.99, Email: 0.99, IPAddress: 0.99, Phone: 0.95,
}

const maxHardNegativeRate = 0.5

// genDocs is the size of each split.
const genDocs = 2000

// TestGeneratedBenchmark scores the detector on the eval split of the
// generated texts (gen_test.go) as TestPresidioEvaluation does, and counts
// the findings in the hard negatives per 10,000 characters. Set
// PII_BENCH_SPLIT=tune to look at the tuning split instead, and
// PII_BENCH_MISSES=1 to print every error (and PII_BENCH_DOCS to generate
// more tuning texts).
func TestGeneratedBenchmark(t *testing.T) {
	split, name := splitEval, "eval"
	if os.Getenv("PII_BENCH_SPLIT") == "tune" {
		split, name = splitTune, "tune"
	}
	n := genDocs
	if v, err := strconv.Atoi(os.Getenv("PII_BENCH_DOCS")); err == nil && v > 0 && split == splitTune {
		n = v // more tuning texts show rarer errors
	}
	docs := generate(split, n)
	d := NewDetector()
	counts := map[Type]*prf{}
	for _, typ := range allTypes {
		counts[typ] = &prf{}
	}
	var misses []string
	negChars, negFindings, chars := 0, 0, 0
	for _, doc := range docs {
		n := utf8.RuneCountInString(doc.text)
		chars += n
		fs := d.DetectWith(doc.text, nil, Hints{Language: doc.lang})
		if doc.negative {
			negChars += n
			negFindings += len(fs)
		}
		used := make([]bool, len(doc.gold))
		for _, f := range fs {
			hit := false
			for k, g := range doc.gold {
				if !used[k] && g.typ == f.Type && spanMatch(g.start, g.end, f.Start, f.End) {
					used[k], hit = true, true
					if g.start == f.Start && g.end == f.End {
						counts[f.Type].exact++
					}
					break
				}
			}
			if hit {
				counts[f.Type].tp++
			} else {
				counts[f.Type].fp++
				misses = append(misses, fmt.Sprintf("FP %s %q (%.2f) lang=%q in %q", f.Type, f.Text, f.Score, doc.lang, doc.text))
			}
		}
		runes := []rune(doc.text)
		for k, g := range doc.gold {
			if !used[k] {
				counts[g.typ].fn++
				misses = append(misses, fmt.Sprintf("FN %s %q lang=%q in %q", g.typ, string(runes[g.start:g.end]), doc.lang, doc.text))
			}
		}
	}
	if os.Getenv("PII_BENCH_MISSES") != "" {
		slices.Sort(misses)
		for _, m := range misses {
			t.Log(m)
		}
	}
	rate := float64(negFindings) / float64(negChars) * 10000
	var md strings.Builder
	md.WriteString("| type | gold | TP (exact span) | FP | FN | precision | recall | F1 | goal |\n|---|---|---|---|---|---|---|---|---|\n")
	t.Logf("split %s: %d texts, %d characters; hard negatives: %d findings in %d characters = %.2f per 10,000", name, len(docs), chars, negFindings, negChars, rate)
	tp, fp, fn := 0, 0, 0
	for _, typ := range allTypes {
		c := counts[typ]
		if c.tp+c.fn+c.fp == 0 {
			continue
		}
		tp, fp, fn = tp+c.tp, fp+c.fp, fn+c.fn
		goal := "—"
		if g, ok := genGoals[typ]; ok {
			goal = fmt.Sprintf("%.2f", g)
		}
		t.Logf("%-14s gold %4d TP %4d (exact %4d) FP %3d FN %3d  P %.3f R %.3f F1 %.3f goal %s", typ, c.tp+c.fn, c.tp, c.exact, c.fp, c.fn, c.precision(), c.recall(), c.f1(), goal)
		fmt.Fprintf(&md, "| %s | %d | %d (%d) | %d | %d | %.3f | %.3f | %.3f | %s |\n", typ, c.tp+c.fn, c.tp, c.exact, c.fp, c.fn, c.precision(), c.recall(), c.f1(), goal)
	}
	micro := prf{tp: tp, fp: fp, fn: fn}
	t.Logf("micro P %.3f R %.3f F1 %.3f", micro.precision(), micro.recall(), micro.f1())
	fmt.Fprintf(&md, "| micro | %d | %d | %d | %d | %.3f | %.3f | %.3f | |\n", tp+fn, tp, fp, fn, micro.precision(), micro.recall(), micro.f1())
	t.Logf("markdown for docs/benchmarks.md:\n%s", md.String())
	if split != splitEval {
		return
	}
	for typ, goal := range genGoals {
		if f1 := counts[typ].f1(); f1 < goal {
			t.Errorf("%s: F1 %.3f below the goal %.2f", typ, f1, goal)
		}
	}
	if rate > maxHardNegativeRate {
		t.Errorf("hard negatives: %.2f findings per 10,000 characters, goal at most %.2f", rate, maxHardNegativeRate)
	}
}

// TestGeneratedSplitsDiffer keeps the splits apart: no text of one is in
// the other.
func TestGeneratedSplitsDiffer(t *testing.T) {
	tune := map[string]bool{}
	for _, d := range generate(splitTune, genDocs) {
		tune[d.text] = true
	}
	for _, d := range generate(splitEval, genDocs) {
		if tune[d.text] {
			t.Fatalf("text in both splits: %q", d.text)
		}
	}
}
