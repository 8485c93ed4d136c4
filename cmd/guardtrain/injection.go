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
var injectionTrainOptions = guard.TrainOptions{Bits: guard.FeatureBits, Epochs: 8, Rate: 0.2, L2: 1e-4, Seed: injectionSeed}

// directTrainOptions train the direct (user) model with a stronger L2: on
// the development split it keeps the rare benign prompts that share one
// telling n-gram with jailbreaks (role-play system prompts, long task
// prompts) further below the flag threshold (TPR at 1% FPR 0.861 -> 0.884;
// at the flag threshold 0.80, FPR 0.020 -> 0.015 for TPR 0.911 -> 0.896).
var directTrainOptions = guard.TrainOptions{Bits: guard.FeatureBits, Epochs: 8, Rate: 0.2, L2: 1e-4, Seed: injectionSeed}

// trainInjection trains the direct (user) and indirect (document, tool)
// models. It first trains without the development split and reports on it
// (with the misses and the highest-scoring benign texts, for error
// analysis), then trains on all training data and writes
// out/injection.rgm. The evaluation split is scored only when
// GUARDTRAIN_REPORT=eval, so that tuning never looks at it by accident.
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
	l.loadHardNegatives()
	l.generate()
	l.generateMore()
	l.generateIndirect(append(append(append(ctxs, whois...), prose...), l.moreContexts()...), attacks)
	l.generateBenignRequests(30)
	items := dedupe(l.items)

	isDev := func(it injItem) bool { return !it.eval && !trainOnly(it) && devHeldOut(it.key()) }
	fmt.Println("== development split (trained without it)")
	devFile := trainInjectionModels(items, l.snippets, func(it injItem) bool { return !it.eval && !isDev(it) })
	devScorer, err := guard.NewInjectionScorer(devFile)
	if err != nil {
		return err
	}
	if err := reportInjection(devScorer, items, isDev, "", true); err != nil {
		return err
	}

	file := trainInjectionModels(items, l.snippets, func(it injItem) bool { return !it.eval })
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "injection.rgm"), file, 0o644); err != nil {
		return err
	}
	if os.Getenv("GUARDTRAIN_REPORT") != "eval" {
		fmt.Println("\n(evaluation split not scored; set GUARDTRAIN_REPORT=eval)")
		return writeInjectionEval(items, evalOut)
	}
	scorer, err := guard.NewInjectionScorer(file)
	if err != nil {
		return err
	}
	fmt.Println("\n== evaluation split")
	return reportInjection(scorer, items, func(it injItem) bool { return it.eval }, evalOut, false)
}

// trainInjectionModels trains both models on the items train accepts and
// returns the model file.
func trainInjectionModels(items, snippets []injItem, train func(injItem) bool) []byte {
	var direct, indirect []guard.Example
	for _, it := range items {
		if !train(it) {
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
			} else if strings.HasPrefix(it.origin, "purplellama/frr") || it.origin == "gen/benign" || strings.HasPrefix(it.origin, "gen/hard_") {
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
	for _, s := range snippets {
		if train(s) {
			indirect = append(indirect, guard.Example{Text: guard.Normalize(s.text).Views[0].Text, Label: true, Weight: 1})
		}
	}
	fmt.Printf("training: direct %d examples, indirect %d\n", len(direct), len(indirect))
	md := guard.Train(direct, directTrainOptions)
	mi := guard.Train(indirect, injectionTrainOptions)
	bd, _ := md.MarshalBinary()
	bi, _ := mi.MarshalBinary()
	return append(bd, bi...)
}

// writeInjectionEval writes the evaluation split as JSONL (unscored).
func writeInjectionEval(items []injItem, evalOut string) error {
	if evalOut == "" {
		return nil
	}
	f, err := os.Create(evalOut)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	for _, it := range items {
		if it.eval {
			label := it.label
			b, _ := json.Marshal(guard.EvalItem{Text: it.text, Source: it.source, Labels: guard.EvalLabels{Injection: &label}, Origin: it.origin})
			w.Write(append(b, '\n'))
		}
	}
	return w.Flush()
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

// reportInjection prints the figures per source and per origin on the
// items in, and writes them as JSONL when evalOut is set. With analysis it
// also prints the misses at the 1% (user) or 2% (document, tool) threshold
// and the benign texts that score highest.
func reportInjection(s *guard.InjectionScorer, items []injItem, in func(injItem) bool, evalOut string, analysis bool) error {
	type scored struct {
		it    injItem
		score float64
		rules string
	}
	bySrc := map[guard.Source][]scored{}
	for _, it := range items {
		if !in(it) {
			continue
		}
		sc, fs := s.Scan(it.text, it.source)
		var rules []string
		for _, f := range fs {
			rules = append(rules, f.Rule)
		}
		bySrc[it.source] = append(bySrc[it.source], scored{it, sc, strings.Join(rules, ",")})
	}
	if evalOut != "" {
		var ev []injItem
		for _, it := range items {
			if in(it) {
				ev = append(ev, it)
			}
		}
		if err := writeInjectionEval(ev, evalOut); err != nil {
			return err
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
		th := th2
		if src == guard.SourceUser {
			th = th1
		}
		// Per origin, at that threshold: what passes and what is flagged.
		byOrigin := map[string][2]int{}
		labelOf := map[string]bool{}
		for _, x := range xs {
			c := byOrigin[x.it.origin]
			c[0]++
			if x.score >= th {
				c[1]++
			}
			byOrigin[x.it.origin] = c
			labelOf[x.it.origin] = x.it.label
		}
		for _, k := range sortedKeys(byOrigin) {
			c := byOrigin[k]
			kind := "benign   "
			if labelOf[k] {
				kind = "injection"
			}
			fmt.Printf("    %s %-40s %4d flagged %4d (%.2f)\n", kind, k, c[0], c[1], float64(c[1])/float64(c[0]))
		}
		if !analysis {
			continue
		}
		sort.Slice(xs, func(i, j int) bool { return xs[i].score > xs[j].score })
		short := func(t string) string {
			t = strings.Join(strings.Fields(t), " ")
			if len(t) > 220 {
				t = t[:220]
			}
			return strings.ToValidUTF8(t, "")
		}
		fmt.Printf("  highest benign:\n")
		n := 0
		for _, x := range xs {
			if !x.it.label && n < 15 {
				n++
				fmt.Printf("    %.3f %s [%s] %s\n", x.score, x.it.origin, x.rules, short(x.it.text))
			}
		}
		fmt.Printf("  missed at %.3f:\n", th)
		perOrigin := map[string]int{}
		for i := len(xs) - 1; i >= 0; i-- {
			x := xs[i]
			if x.it.label && x.score < th && perOrigin[x.it.origin] < 4 {
				perOrigin[x.it.origin]++
				fmt.Printf("    %.3f %s [%s] %s\n", x.score, x.it.origin, x.rules, short(x.it.text))
			}
		}
	}
	return nil
}
