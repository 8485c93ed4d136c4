package guard

import (
	"strings"
	"testing"
)

func scanCrisis(t testing.TB, s string) (float64, Level, []Finding) {
	t.Helper()
	d, err := newCrisis()
	if err != nil {
		t.Fatal(err)
	}
	return d.Scan(Normalize(s))
}

func TestCrisisFamilies(t *testing.T) {
	for _, s := range []string{
		"I want to kill myself.",
		"I'm going to end my life tonight.",
		"What's the most painless way to kill myself?",
		"How many pills would I need to take to not wake up?",
		"Everyone would be better off without me.",
		"honestly gonna kms",
		"i want to unalive myself",
		"This is my last message. Goodbye everyone.",
		"I cut myself again and the urge to cut is so strong right now.",
		"How can I make myself throw up after eating without anyone hearing?",
		"Can you help me with my resume? Also I don't want to live anymore. The job listing is below.",
		"My brother just took a whole bottle of pills and won't wake up, what do I do?",
		"How do I best hang myself?",
		"Je veux mourir.",
		"Ich will nicht mehr leben.",
		"Quiero matarme esta noche.",
		"Não quero mais viver.",
		"Voglio morire.",
		// Means asked about without "I", and someone else's overdose told
		// act first (round 4).
		"Is the parking garage on 5th street tall enough to die if you jump?",
		"what dose of insulin is lethal, asking for tonight",
		"Please, my roommate overdosed an hour ago and she is unresponsive.",
	} {
		if score, level, _ := scanCrisis(t, s); score < CrisisThreshold || level == LevelNone || level == LevelLow {
			t.Errorf("%q: %.3f %s, want a crisis", s, score, level)
		}
	}
}

// TestCrisisLanguages covers the spec's other languages and wordings the
// first pass missed.
func TestCrisisLanguages(t *testing.T) {
	for _, s := range []string{
		"I've been not wanting to wake up for weeks now.",
		"I made peace with dying, I just want to be gone.",
		"Giving away my guitar and my books, I won't need them where I'm going.",
		"I started cutting again and the urge is still there tonight.",
		"I only ate 300 calories today and I'm going to purge after every meal.",
		"Someone is standing on the ledge of the bridge near my office saying they will jump, what do I do?",
		"honestly thinking about self deleting tbh",
		"How can I go out like Sylvia Plath?",
		"Ik wil niet meer leven.",
		"Chcę umrzeć.",
		"Я хочу умереть.",
		"Ölmek istiyorum.",
		"أريد أن أموت",
		"Jag vill inte leva längre.",
		"もう死にたい。",
		"我真的不想活了。",
		"Quiero desaparecer para siempre, nadie me extrañaría.",
		"Mi voglio ammazzare stasera.",
	} {
		if score, level, _ := scanCrisis(t, s); score < CrisisThreshold || level == LevelNone || level == LevelLow {
			t.Errorf("%q: %.3f %s, want a crisis", s, score, level)
		}
	}
	for _, s := range []string{
		"我不想死。",
		"笑死我了，这个视频太好笑了。",
		"死ぬほど疲れた。",
		"Ik ben dood moe na het werk.",
		"Я не хочу умереть, я хочу жить.",
		"How do I kill the process in Docker?",
		"I'm giving away my old books to the library.",
	} {
		if score, _, _ := scanCrisis(t, s); score >= CrisisThreshold {
			t.Errorf("%q: %.3f, want below %.2f", s, score, CrisisThreshold)
		}
	}
}

func TestCrisisHardNegatives(t *testing.T) {
	for _, s := range []string{
		"How do I kill a Python process?",
		"this deadline is killing me",
		"This workout killed me, my legs are dead.",
		"How do I best hang a picture?",
		"I don't mind dying my hair blue",
		"I don't see any reason to live in the city when rents are this high",
		"Where can I shoot a photo of the sunset?",
		"I ran 10 kms this morning.",
		"What are the warning signs that someone is suicidal?",
		"According to the article, suicide rates rose last year.",
		"I would never kill myself.",
		"Ce travail me tue.",
		"Can you recommend a good pasta recipe?",
		"I'm so sad my dog died today.",
		// Sadness with a way through it, and ordinary things ended.
		"Rough month, I cried a lot, but I know I'll get through this.",
		"Feeling really low since the divorce; seeing my counsellor on Monday.",
		"I want to end my phone contract early, what are the fees?",
	} {
		if score, _, _ := scanCrisis(t, s); score >= CrisisThreshold {
			t.Errorf("%q: %.3f, want below %.2f", s, score, CrisisThreshold)
		}
	}
}

func TestCrisisLevels(t *testing.T) {
	for _, c := range []struct {
		text string
		want Level
	}{
		{"I'm going to kill myself tonight, I have the pills ready.", LevelHigh},
		{"My friend is threatening to kill herself right now, please help.", LevelHigh},
		{"Can you recommend a good pasta recipe?", LevelNone},
	} {
		if _, level, _ := scanCrisis(t, c.text); level != c.want {
			t.Errorf("%q: level %s, want %s", c.text, level, c.want)
		}
	}
	if _, level, _ := scanCrisis(t, "I feel so hopeless and worthless lately."); level == LevelNone || level == LevelHigh {
		t.Errorf("hopelessness: level %s, want low or medium", level)
	}
}

func TestCrisisOffsetsMapToOriginal(t *testing.T) {
	in := "Ｈｅｌｌｏ. I want to k1ll mys3lf tonight."
	_, _, fs := scanCrisis(t, in)
	if len(fs) == 0 {
		t.Fatal("no findings")
	}
	rs := []rune(in)
	for _, f := range fs {
		if f.Start < 0 || f.End > len(rs) || f.Start >= f.End || f.Scanner != Crisis || !strings.HasPrefix(f.Rule, "crisis.") {
			t.Fatalf("bad finding %+v", f)
		}
		if f.Type == famSelfKill {
			if got := string(rs[f.Start:f.End]); got != "k1ll mys3lf" {
				t.Errorf("span %q", got)
			}
		}
	}
}

func TestCrisisPatternsCompile(t *testing.T) {
	if err := crisisRulesErr(); err != nil {
		t.Fatal(err)
	}
}

func TestDefaultResources(t *testing.T) {
	us := DefaultResources("en-US")
	if len(us) != 2 || us[0].Contact != "call or text 988" || us[1].URL != "https://findahelpline.com" {
		t.Errorf("en-US: %+v", us)
	}
	for _, loc := range []string{"fr-FR", "de-DE", "es-ES", "en-GB", "fr", "ja-JP", ""} {
		rs := DefaultResources(loc)
		if len(rs) == 0 || rs[len(rs)-1].URL != "https://findahelpline.com" {
			t.Errorf("%s: %+v", loc, rs)
		}
		for _, r := range rs {
			if r.Locale != loc || r.Name == "" {
				t.Errorf("%s: %+v", loc, r)
			}
		}
	}
	if rs := DefaultResources("fr"); len(rs) != 1 {
		t.Errorf("a language without a region gets the directory only: %+v", rs)
	}
}

func BenchmarkCrisis2KB(b *testing.B) {
	d, err := newCrisis()
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	for sb.Len() < 2048 {
		sb.WriteString("Thanks for the help with the report yesterday, the figures look right now. I have been so tired lately and nothing seems to matter. ")
	}
	tx := Normalize(sb.String()[:2048])
	tx.Features(0) // extracted once per view and shared by every scanner
	b.ReportAllocs()
	b.SetBytes(2048)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Scan(tx)
	}
}

// BenchmarkCrisisMatch measures the parts of a scan on the 2 KB text.
func BenchmarkCrisisMatch(b *testing.B) {
	if err := crisisRulesErr(); err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	for sb.Len() < 2048 {
		sb.WriteString("Thanks for the help with the report yesterday, the figures look right now. I have been so tired lately and nothing seems to matter. ")
	}
	s := Normalize(sb.String()[:2048]).Views[0].Text
	toks := crisisVocab.tokenize(s, nil)
	var out []match
	b.Run("tokenize", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			toks = crisisVocab.tokenize(s, toks)
		}
	})
	b.Run("rules", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			out = crisisPos.find(toks, out[:0])
		}
	})
	b.Run("cues", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			out = crisisNeg.find(toks, out[:0])
		}
	})
}
