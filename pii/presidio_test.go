package pii

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// presidioSample is one sentence of presidio-research's synthetic data set
// (testdata/README.md says where it comes from).
type presidioSample struct {
	FullText string `json:"full_text"`
	Spans    []struct {
		EntityType  string `json:"entity_type"`
		EntityValue string `json:"entity_value"`
		Start       int    `json:"start_position"` // Python code-point index
		End         int    `json:"end_position"`
	} `json:"spans"`
}

// presidioTypes maps Presidio's entity types onto ours.
var presidioTypes = map[string]Type{
	"EMAIL_ADDRESS":  Email,
	"CREDIT_CARD":    CreditCard,
	"IBAN_CODE":      IBAN,
	"IP_ADDRESS":     IPAddress,
	"US_SSN":         SSN,
	"PHONE_NUMBER":   Phone,
	"STREET_ADDRESS": Address,
	"DATE_TIME":      DateOfBirth,
	"DOMAIN_NAME":    URL,
}

// presidioGoals is the F1 each type must reach; types with no goal are
// reported only. DATE_TIME is not only dates of birth ("Tuesday", "1977"),
// DOMAIN_NAME labels URLs, and STREET_ADDRESS is mostly non-US addresses
// ("6750 Koskikatu 25 Apt. 864"), which the US-style address rule does not
// aim at.
var presidioGoals = map[Type]float64{
	Email: 0.99, CreditCard: 0.99, IBAN: 0.99, IPAddress: 0.99, SSN: 0.99, Phone: 0.95,
}

// presidioExclusion drops a gold label judged wrong. Each rule must say
// why; every label it drops is counted and printed.
type presidioExclusion struct {
	why  string
	drop func(t Type, value string) bool
}

// presidioExclusions is empty: every gold label of the evaluated types
// checks out (cards pass Luhn, IBANs pass mod-97, SSNs follow the SSA
// rules). Rules go here, with their reason, if a later data set needs one.
var presidioExclusions = []presidioExclusion{}

type prf struct{ tp, exact, fp, fn, excluded int }

func (c prf) precision() float64 { return ratio(c.tp, c.tp+c.fp) }
func (c prf) recall() float64    { return ratio(c.tp, c.tp+c.fn) }
func (c prf) f1() float64 {
	p, r := c.precision(), c.recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// spanMatch is the matching rule: the same type and the spans overlap with
// an intersection over union of at least 0.5 (an exact match has 1).
func spanMatch(gs, ge, ps, pe int) bool {
	inter := min(ge, pe) - max(gs, ps)
	if inter <= 0 {
		return false
	}
	union := max(ge, pe) - min(gs, ps)
	return float64(inter)/float64(union) >= 0.5
}

// TestPresidioEvaluation scores the detector against presidio-research's
// synthetic data set, span by span: a finding is a true positive when it
// matches an unmatched gold span of its type (spanMatch), a false positive
// otherwise, and every gold span left unmatched is a false negative. Only
// the mapped types are counted.
func TestPresidioEvaluation(t *testing.T) {
	raw, err := os.ReadFile("testdata/synth_dataset_v2.json")
	if err != nil {
		t.Fatal(err)
	}
	var samples []presidioSample
	if err := json.Unmarshal(raw, &samples); err != nil {
		t.Fatal(err)
	}
	d := NewDetector()
	counts := map[Type]*prf{}
	for _, typ := range presidioTypes {
		counts[typ] = &prf{}
	}
	var misses []string
	for _, smp := range samples {
		runes := []rune(smp.FullText)
		type gold struct {
			typ        Type
			start, end int
			used       bool
		}
		var golds []gold
		for _, sp := range smp.Spans {
			typ, ok := presidioTypes[sp.EntityType]
			if !ok {
				continue
			}
			if string(runes[sp.Start:sp.End]) != sp.EntityValue {
				t.Fatalf("gold offsets do not fit %q", sp.EntityValue)
			}
			excluded := false
			for _, ex := range presidioExclusions {
				if ex.drop(typ, sp.EntityValue) {
					t.Logf("excluded gold %s %q: %s", typ, sp.EntityValue, ex.why)
					excluded = true
				}
			}
			if excluded {
				counts[typ].excluded++
				continue
			}
			golds = append(golds, gold{typ: typ, start: sp.Start, end: sp.End})
		}
		for _, f := range d.Detect(smp.FullText, nil) {
			c, ok := counts[f.Type]
			if !ok {
				continue
			}
			hit := false
			for k := range golds {
				g := &golds[k]
				if !g.used && g.typ == f.Type && spanMatch(g.start, g.end, f.Start, f.End) {
					g.used, hit = true, true
					if g.start == f.Start && g.end == f.End {
						c.exact++
					}
					break
				}
			}
			if hit {
				c.tp++
			} else {
				c.fp++
				if _, goal := presidioGoals[f.Type]; goal || os.Getenv("PII_EVAL_ALL") != "" {
					misses = append(misses, fmt.Sprintf("FP %s %q (%.2f) in %q", f.Type, f.Text, f.Score, smp.FullText))
				}
			}
		}
		for _, g := range golds {
			if !g.used {
				counts[g.typ].fn++
				if _, goal := presidioGoals[g.typ]; goal || os.Getenv("PII_EVAL_ALL") != "" {
					misses = append(misses, fmt.Sprintf("FN %s %q in %q", g.typ, string(runes[g.start:g.end]), smp.FullText))
				}
			}
		}
	}
	for _, m := range misses {
		t.Log(m)
	}
	var md strings.Builder
	md.WriteString("| type | gold | TP (exact span) | FP | FN | excluded | precision | recall | F1 | goal |\n|---|---|---|---|---|---|---|---|---|---|\n")
	t.Logf("%-14s %5s %5s %5s %5s %5s %5s %9s %7s %6s %5s", "type", "gold", "TP", "exact", "FP", "FN", "excl", "precision", "recall", "F1", "goal")
	for _, typ := range allTypes {
		c, ok := counts[typ]
		if !ok {
			continue
		}
		goal := "—"
		if g, ok := presidioGoals[typ]; ok {
			goal = fmt.Sprintf("%.2f", g)
		}
		t.Logf("%-14s %5d %5d %5d %5d %5d %5d %9.3f %7.3f %6.3f %5s", typ, c.tp+c.fn, c.tp, c.exact, c.fp, c.fn, c.excluded, c.precision(), c.recall(), c.f1(), goal)
		fmt.Fprintf(&md, "| %s | %d | %d (%d) | %d | %d | %d | %.3f | %.3f | %.3f | %s |\n", typ, c.tp+c.fn, c.tp, c.exact, c.fp, c.fn, c.excluded, c.precision(), c.recall(), c.f1(), goal)
	}
	t.Logf("markdown for docs/benchmarks.md:\n%s", md.String())
	for typ, goal := range presidioGoals {
		if f1 := counts[typ].f1(); f1 < goal {
			t.Errorf("%s: F1 %.3f below the goal %.2f", typ, f1, goal)
		}
	}
}
