package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rampart-dev/rampart/guard"
)

// injectionSeed makes the generated texts, the insertions and the training
// order the same on every run.
const injectionSeed = 14

// injectionTrainOptions are the settings of both injection models.
var injectionTrainOptions = guard.TrainOptions{Bits: guard.FeatureBits, Epochs: 8, Rate: 0.2, L2: 1e-6, Seed: injectionSeed}

// trainInjection trains the direct (user) and indirect (document, tool)
// models, writes them to out/injection.rgm, and reports the detector's
// figures (rules and models together) on the evaluation split.
func trainInjection(data, out, evalOut string) error {
	l := &injLoader{dir: data, rng: rand.New(rand.NewPCG(injectionSeed, 0x1417))}
	if err := l.loadDirect(); err != nil {
		return err
	}
	ctxs, attacks, err := l.loadBIPIA()
	if err != nil {
		return err
	}
	whois, err := l.loadWhois()
	if err != nil {
		return err
	}
	prose, err := l.loadProse()
	if err != nil {
		return err
	}
	if err := l.loadForeignBenign(); err != nil {
		return err
	}
	l.generate()
	l.generateIndirect(append(append(ctxs, whois...), prose...), attacks)
	items := dedupe(l.items)

	var direct, indirect []guard.Example
	for _, it := range items {
		if it.eval {
			continue
		}
		text := guard.Normalize(it.text).Views[0].Text
		w := it.weight
		if w == 0 {
			w = 1
		}
		if it.source == guard.SourceUser {
			direct = append(direct, guard.Example{Text: text, Label: it.label, Weight: w})
			if it.label { // an attack is an attack wherever it is written
				indirect = append(indirect, guard.Example{Text: text, Label: true, Weight: 0.3 * w})
			} else if strings.HasPrefix(it.origin, "purplellama/frr") || it.origin == "gen/benign" {
				// Security talk is not an attack in a document either.
				indirect = append(indirect, guard.Example{Text: text, Label: false, Weight: 0.3 * w})
			}
			continue
		}
		// A long text with an attack inserted trains through its snippet
		// (the attack and the words around it, below): whole, it would
		// teach the model the carrier's words as much as the attack's.
		if it.label && len(strings.Fields(text)) > 60 {
			continue
		}
		indirect = append(indirect, guard.Example{Text: text, Label: it.label, Weight: w})
		// The detector scores windows of long texts: train on windows too,
		// of clean texts (negatives) and around inserted attacks (positives).
		for _, c := range windows(text, it.label) {
			indirect = append(indirect, guard.Example{Text: c, Label: false, Weight: 0.5 * w})
		}
	}
	for _, s := range l.snippets {
		indirect = append(indirect, guard.Example{Text: guard.Normalize(s).Views[0].Text, Label: true, Weight: 1})
	}
	fmt.Printf("training: direct %d examples, indirect %d\n", len(direct), len(indirect))
	md := guard.Train(direct, injectionTrainOptions)
	mi := guard.Train(indirect, injectionTrainOptions)
	bd, _ := md.MarshalBinary()
	bi, _ := mi.MarshalBinary()
	file := append(bd, bi...)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "injection.rgm"), file, 0o644); err != nil {
		return err
	}
	scorer, err := guard.NewInjectionScorer(file)
	if err != nil {
		return err
	}
	return reportInjection(scorer, items, evalOut)
}

// windows cuts a clean text into chunks of about a detector window, as
// negatives (texts with an attack yield none: their windows are mixed).
func windows(text string, label bool) []string {
	if label {
		return nil
	}
	ws := strings.Fields(text)
	if len(ws) <= 60 {
		return nil
	}
	var out []string
	for i := 0; i < len(ws); i += 30 {
		out = append(out, strings.Join(ws[i:min(i+40, len(ws))], " "))
	}
	return out
}

// dedupe drops repeated texts, and evaluation texts that also train.
func dedupe(items []injItem) []injItem {
	key := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	train := map[string]bool{}
	for _, it := range items {
		if !it.eval {
			train[key(it.text)] = true
		}
	}
	seen := map[string]bool{}
	var out []injItem
	for _, it := range items {
		k := key(it.text)
		side := k + fmt.Sprint(it.eval, it.source)
		if seen[side] || (it.eval && train[k]) {
			continue
		}
		seen[side] = true
		out = append(out, it)
	}
	return out
}

// reportInjection prints the figures per source and per origin, and writes
// the evaluation split as JSONL when evalOut is set.
func reportInjection(s *guard.InjectionScorer, items []injItem, evalOut string) error {
	type scored struct {
		it    injItem
		score float64
	}
	bySrc := map[guard.Source][]scored{}
	var w *bufio.Writer
	if evalOut != "" {
		f, err := os.Create(evalOut)
		if err != nil {
			return err
		}
		defer f.Close()
		w = bufio.NewWriter(f)
		defer w.Flush()
	}
	for _, it := range items {
		if !it.eval {
			continue
		}
		sc, _ := s.Scan(it.text, it.source)
		bySrc[it.source] = append(bySrc[it.source], scored{it, sc})
		if w != nil {
			label := it.label
			b, _ := json.Marshal(guard.EvalItem{Text: it.text, Source: it.source, Labels: guard.EvalLabels{Injection: &label}, Origin: it.origin})
			w.Write(append(b, '\n'))
		}
	}
	for _, src := range []guard.Source{guard.SourceUser, guard.SourceDocument, guard.SourceTool} {
		xs := bySrc[src]
		var ss []guard.Scored
		pos := 0
		for _, x := range xs {
			ss = append(ss, guard.Scored{Score: x.score, Label: x.it.label})
			if x.it.label {
				pos++
			}
		}
		t1, th1 := guard.TPRAtFPR(ss, 0.01)
		t2, th2 := guard.TPRAtFPR(ss, 0.02)
		fmt.Printf("\n%s: %d texts (%d injection, %d benign)  ROC-AUC %.4f  TPR@1%%FPR %.3f (threshold %.3f)  TPR@2%%FPR %.3f (threshold %.3f)\n",
			src, len(xs), pos, len(xs)-pos, guard.ROCAUC(ss), t1, th1, t2, th2)
		for _, th := range []float64{0.5, 0.7, 0.8, 0.9} {
			c := guard.At(ss, th)
			fmt.Printf("  at %.2f: TPR %.3f FPR %.4f precision %.3f\n", th, c.Recall(), c.FPR(), c.Precision())
		}
		// Per origin, at the 2% threshold: what passes and what is flagged.
		byOrigin := map[string][2]int{}
		for _, x := range xs {
			c := byOrigin[x.it.origin]
			c[0]++
			if x.score >= th2 {
				c[1]++
			}
			byOrigin[x.it.origin] = c
		}
		labelOf := map[string]bool{}
		for _, x := range xs {
			labelOf[x.it.origin] = x.it.label
		}
		names := make([]string, 0, len(byOrigin))
		for k := range byOrigin {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			c := byOrigin[k]
			kind := "benign   "
			if labelOf[k] {
				kind = "injection"
			}
			fmt.Printf("    %s %-40s %4d flagged %4d (%.2f)\n", kind, k, c[0], c[1], float64(c[1])/float64(c[0]))
		}
	}
	return nil
}
