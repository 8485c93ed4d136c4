package pii

// The blind benchmark: a second generated benchmark, written without
// reading the detector, after an outside check on a benchmark nobody here
// has seen (2,000 texts, 11 types, a quarter hard negatives, most with
// non-ASCII text). Templates, languages and value generators live in
// blind_*_test.go.
//
// Two splits, with different seeds and partly different templates (every
// list of templates longer than two has a dev-only and a holdout-only
// third): dev is for looking at errors while fixing the detector; holdout
// is only ever read as aggregate figures.
//
// Matching rule: a finding is a true positive when it has the gold span's
// type and its span overlaps the gold span with intersection over union
// >= 0.5 (code points); each gold span and each finding match at most once.
// Every other finding of a benchmark type is a false positive, every
// unmatched gold span a false negative. Hard negatives are texts with no
// gold span; their rate is findings per 10,000 code points of those texts.
//
//	go test ./pii -run 'TestBlindBenchmark/dev' -v     # figures of dev
//	PII_BLIND_ERRORS=40 go test ./pii -run 'TestBlindBenchmark/dev' -v
//
// Floors (the goals where reached, see blindFloors) are asserted on
// holdout; PII_BLIND_ASSERT=0 turns them off.

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// blindTypes are the 11 types of the benchmark.
func blindTypes() []Type {
	var ts []Type
	for _, k := range blindKinds {
		ts = append(ts, k.typ)
	}
	return ts
}

// blindGoals are the goals of the outside check: minimum F1 per type and
// the maximum of false findings per 10,000 code points of hard negatives.
var blindGoals = map[Type]float64{
	CreditCard: 0.99, IBAN: 0.99, SSN: 0.99, Email: 0.99, IPAddress: 0.99, Phone: 0.95,
}

const blindMaxHardRate = 0.5

// blindFloors are what TestBlindBenchmark asserts on holdout: the goal
// where it was reached, else the figure reached less a small margin.
// Not reached yet: email (0.949: file names such as "icon@2x.png" taken
// for addresses), ip_address (0.932: IPs inside URLs are reported as
// URLs) and hard negatives (7.70: dates after "born" said of a project,
// "name@2x.png").
var blindFloors = map[Type]float64{
	CreditCard: 0.99, IBAN: 0.99, SSN: 0.99, Email: 0.94, IPAddress: 0.92, Phone: 0.95,
}

const blindHardRateCeiling = 8.0

type blindCount struct{ tp, fp, fn int }

func (c blindCount) prf() (p, r, f float64) {
	if c.tp+c.fp > 0 {
		p = float64(c.tp) / float64(c.tp+c.fp)
	}
	if c.tp+c.fn > 0 {
		r = float64(c.tp) / float64(c.tp+c.fn)
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return
}

type blindResult struct {
	per       map[Type]*blindCount
	micro     blindCount
	hardChars int
	hardFP    int
	hardByTyp map[Type]int
	errors    []string
}

func (r *blindResult) hardRate() float64 {
	return float64(r.hardFP) / float64(r.hardChars) * 1e4
}

func iou(a0, a1, b0, b1 int) float64 {
	lo, hi := max(a0, b0), min(a1, b1)
	if hi <= lo {
		return 0
	}
	return float64(hi-lo) / float64(max(a1, b1)-min(a0, b0))
}

// scoreBlind runs d over docs. hints passes each text's language.
func scoreBlind(d *Detector, docs []blindDoc, hints bool, keepErrors int) *blindResult {
	types := blindTypes()
	res := &blindResult{per: map[Type]*blindCount{}, hardByTyp: map[Type]int{}}
	for _, t := range types {
		res.per[t] = &blindCount{}
	}
	for _, doc := range docs {
		var fs []Finding
		if hints {
			fs = d.DetectWith(doc.Text, types, Hints{Language: doc.Lang})
		} else {
			fs = d.Detect(doc.Text, types)
		}
		used := make([]bool, len(fs))
		runes := []rune(doc.Text)
		for _, g := range doc.Gold {
			best, bi := 0.0, -1
			for i, f := range fs {
				if used[i] || f.Type != g.Type {
					continue
				}
				if o := iou(f.Start, f.End, g.Start, g.End); o >= 0.5 && o > best {
					best, bi = o, i
				}
			}
			if bi >= 0 {
				used[bi] = true
				res.per[g.Type].tp++
				continue
			}
			res.per[g.Type].fn++
			if len(res.errors) < keepErrors {
				var got []string
				for _, f := range fs {
					got = append(got, fmt.Sprintf("%s %q", f.Type, f.Text))
				}
				res.errors = append(res.errors, fmt.Sprintf("FN %s %q [%s] in %q; found %v", g.Type, string(runes[g.Start:g.End]), doc.Lang, doc.Text, got))
			}
		}
		for i, f := range fs {
			if used[i] {
				continue
			}
			if c, ok := res.per[f.Type]; ok {
				c.fp++
			}
			if doc.Hard {
				res.hardFP++
				res.hardByTyp[f.Type]++
			}
			if len(res.errors) < keepErrors {
				kind := "FP"
				if doc.Hard {
					kind = "HN"
				}
				res.errors = append(res.errors, fmt.Sprintf("%s %s %q (%.2f) [%s] in %q", kind, f.Type, f.Text, f.Score, doc.Lang, doc.Text))
			}
		}
		if doc.Hard {
			res.hardChars += utf8.RuneCountInString(doc.Text)
		}
	}
	for _, t := range types {
		c := res.per[t]
		res.micro.tp += c.tp
		res.micro.fp += c.fp
		res.micro.fn += c.fn
	}
	return res
}

func (r *blindResult) report(t *testing.T, name string) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%-14s %6s %6s %6s %5s %5s %5s\n", name, "type", "P", "R", "F1", "TP", "FP", "FN")
	for _, ty := range blindTypes() {
		c := r.per[ty]
		p, rc, f := c.prf()
		fmt.Fprintf(&b, "%-14s %6.3f %6.3f %6.3f %5d %5d %5d\n", ty, p, rc, f, c.tp, c.fp, c.fn)
	}
	p, rc, f := r.micro.prf()
	fmt.Fprintf(&b, "%-14s %6.3f %6.3f %6.3f %5d %5d %5d\n", "micro", p, rc, f, r.micro.tp, r.micro.fp, r.micro.fn)
	var hs []string
	for ty, n := range r.hardByTyp {
		hs = append(hs, fmt.Sprintf("%s=%d", ty, n))
	}
	sort.Strings(hs)
	fmt.Fprintf(&b, "hard negatives: %d false findings in %d code points = %.2f per 10k %v", r.hardFP, r.hardChars, r.hardRate(), hs)
	t.Log(b.String())
}

func TestBlindBenchmark(t *testing.T) {
	const n = 2000
	d := NewDetector()
	keep, _ := strconv.Atoi(os.Getenv("PII_BLIND_ERRORS"))
	for _, split := range []string{"dev", "holdout"} {
		t.Run(split, func(t *testing.T) {
			docs := generateBlind(split, n)
			k := keep
			if split == "holdout" {
				k = 0 // holdout errors are never looked at
			}
			res := scoreBlind(d, docs, true, k)
			res.report(t, split+" (Hints.Language set)")
			for _, e := range res.errors {
				t.Log(e)
			}
			if testing.Verbose() {
				scoreBlind(d, docs, false, 0).report(t, split+" (no hints)")
			}
			for ty, goal := range blindGoals {
				if _, _, f := res.per[ty].prf(); f < goal {
					t.Logf("%s F1 %.3f below the goal %.2f", ty, f, goal)
				}
			}
			if r := res.hardRate(); r > blindMaxHardRate {
				t.Logf("hard negatives: %.2f per 10k, above the goal %.2f", r, blindMaxHardRate)
			}
			if split != "holdout" || os.Getenv("PII_BLIND_ASSERT") == "0" {
				return
			}
			for ty, floor := range blindFloors {
				if _, _, f := res.per[ty].prf(); f < floor {
					t.Errorf("%s F1 %.3f below %.3f", ty, f, floor)
				}
			}
			if r := res.hardRate(); r > blindHardRateCeiling {
				t.Errorf("hard negatives: %.2f false findings per 10k code points, above %.2f", r, blindHardRateCeiling)
			}
		})
	}
}

// TestBlindSplitsDiffer checks that the splits differ in text, and that
// every gold span is where its value is.
func TestBlindSplitsDiffer(t *testing.T) {
	dev, hold := generateBlind("dev", 300), generateBlind("holdout", 300)
	seen := map[string]bool{}
	for _, d := range dev {
		seen[d.Text] = true
	}
	same := 0
	for _, d := range hold {
		if seen[d.Text] {
			same++
		}
	}
	if same > 3 {
		t.Errorf("%d holdout texts also in dev", same)
	}
	hard := 0
	for _, d := range append(dev, hold...) {
		r := []rune(d.Text)
		if d.Hard {
			hard++
		}
		for _, g := range d.Gold {
			if g.Start < 0 || g.End > len(r) || g.Start >= g.End {
				t.Fatalf("bad span %v in %q", g, d.Text)
			}
			v := string(r[g.Start:g.End])
			if strings.TrimSpace(v) != v {
				t.Errorf("span %q of %s has surrounding space", v, g.Type)
			}
		}
	}
	if hard*4 != len(dev)+len(hold) {
		t.Errorf("%d hard negatives of %d texts", hard, len(dev)+len(hold))
	}
}
