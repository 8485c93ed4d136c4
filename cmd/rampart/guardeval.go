package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/rampart-dev/rampart/guard"
)

// guardEval is `rampart guard eval --data FILE.jsonl [--data ...]`: it
// scans labelled items (guard.EvalItem) and prints, per scanner, ROC-AUC,
// precision, recall, F1 and FPR at the default verdict (flag or block under
// the default policy, or --policy FILE), and the TPR at FPR <= 1%.
func guardEval(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("guard eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var files multiFlag
	fs.Var(&files, "data", "a JSONL file of {text, source, system_prompt?, canaries?, labels:{injection?, toxic?, crisis?, leak?}} (repeatable)")
	policyFile := fs.String("policy", "", "a JSON guardrail policy (as in the tenant settings) instead of the defaults")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("usage: rampart guard eval --data FILE.jsonl [--data ...] [--policy FILE.json]")
	}
	var policy guard.Policy
	if *policyFile != "" {
		b, err := os.ReadFile(*policyFile)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &policy); err != nil {
			return fmt.Errorf("%s: %w", *policyFile, err)
		}
		if err := policy.Validate("policy"); err != nil {
			return err
		}
	}
	g, err := guard.New()
	if err != nil {
		return err
	}
	type tally struct {
		scored []guard.Scored
		conf   guard.Confusion
	}
	tallies := map[string]*tally{}
	add := func(key string, score float64, label, decided bool) {
		t := tallies[key]
		if t == nil {
			t = &tally{}
			tallies[key] = t
		}
		t.scored = append(t.scored, guard.Scored{Score: score, Label: label})
		switch {
		case decided && label:
			t.conf.TP++
		case decided:
			t.conf.FP++
		case label:
			t.conf.FN++
		default:
			t.conf.TN++
		}
	}
	n := 0
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		line := 0
		for sc.Scan() {
			line++
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var it guard.EvalItem
			if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
				f.Close()
				return fmt.Errorf("%s:%d: %w", file, line, err)
			}
			if it.Source == "" {
				it.Source = guard.SourceUser
			}
			labels := []struct {
				s     guard.Scanner
				label *bool
			}{{guard.Injection, it.Labels.Injection}, {guard.Toxicity, it.Labels.Toxic}, {guard.Crisis, it.Labels.Crisis}, {guard.Leakage, it.Labels.Leak}}
			req := guard.Request{Text: it.Text, Source: it.Source, SystemPrompt: it.SystemPrompt, Canaries: it.Canaries}
			for _, l := range labels {
				if l.label != nil {
					req.Scanners = append(req.Scanners, l.s)
				}
			}
			if len(req.Scanners) == 0 || strings.TrimSpace(it.Text) == "" {
				continue
			}
			res := g.Scan(req, policy)
			for _, l := range labels {
				if l.label == nil {
					continue
				}
				decided := slices.Contains(res.Blocking, l.s) || slices.Contains(res.Flagging, l.s)
				score := res.Scores[l.s]
				add(string(l.s), score, *l.label, decided)
				if l.s == guard.Injection {
					add(string(l.s)+"/"+string(it.Source), score, *l.label, decided)
				}
			}
			n++
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	keys := make([]string, 0, len(tallies))
	for k := range tallies {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(stdout, "%d items\n%-20s %6s %6s %7s %9s %7s %7s %7s %12s\n", n, "scanner", "pos", "neg", "ROC-AUC", "precision", "recall", "F1", "FPR", "TPR@FPR<=1%")
	for _, k := range keys {
		t := tallies[k]
		pos := t.conf.TP + t.conf.FN
		tpr, _ := guard.TPRAtFPR(t.scored, 0.01)
		fmt.Fprintf(stdout, "%-20s %6d %6d %7.3f %9.3f %7.3f %7.3f %7.3f %12.3f\n", k, pos, len(t.scored)-pos, guard.ROCAUC(t.scored),
			t.conf.Precision(), t.conf.Recall(), t.conf.F1(), t.conf.FPR(), tpr)
	}
	return nil
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
