package guard

import (
	"strings"
	"testing"
)

func TestToxicityDecides(t *testing.T) {
	d, err := newToxicity()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text  string
		toxic bool
		typ   string // expected type of the first finding, when toxic
	}{
		// Insults, threats, hate, harassment, sexual harassment.
		{"You are a worthless idiot and everyone knows it", true, "insult"},
		{"shut up you stupid bitch", true, "insult"},
		{"I will kill you and your whole family", true, "threat"},
		{"I'm going to stab you next time I see you", true, "threat"},
		{"Immigrants are nothing but vermin", true, "hate"},
		{"all Muslims should be exterminated", true, "hate"},
		{"Women are absolutely despicable", true, "hate"},
		{"kill yourself, nobody would miss you", true, "harassment"},
		{"send me nudes or I'll tell everyone", true, "sexual"},
		// Obfuscated spelling.
		{"you are an 1d10t", true, "insult"},
		{"u r such a b*tch", true, "insult"},
		{"you are a m o r o n", true, "insult"},
		{"you are an іdiоt", true, "insult"}, // Cyrillic і and о
		{"k i l l yourself", true, "harassment"},
		{"you f\u200bucking moron", true, "insult"},
		// Other languages.
		{"du bist ein dummes Arschloch", true, "insult"},
		{"te voy a matar, cabrón", true, "threat"},
		{"je vais te tuer", true, "threat"},
		{"você é um idiota", true, "insult"},
		{"sei proprio un coglione", true, "insult"},
		{"ik vermoord je", true, "threat"},
		{"я убью тебя", true, "threat"},
		{"你这个傻逼", true, "insult"},
		{"殺してやる", true, "threat"},
		// Group contempt and threats in the spec's languages (lexicon
		// structure, not exact sentences); "" leaves the type unchecked.
		{"Los inmigrantes son una plaga y hay que echarlos a todos", true, "hate"},
		{"Die Juden sind Ungeziefer", true, "hate"},
		{"Les musulmans sont des parasites dégoûtants", true, "hate"},
		{"Os negros são animais nojentos", true, "hate"},
		{"Gli zingari sono feccia schifosa", true, "hate"},
		{"Ik haat moslims, het zijn beesten", true, "hate"},
		{"Мигранты — это крысы, их надо уничтожить", true, ""},
		{"Suriyeliler iğrenç parazitler", true, ""},
		{"Invandrare är avskum", true, "hate"},
		{"Seni öldüreceğim", true, "threat"},
		{"Jag ska döda dig", true, "threat"},
		{"أنت غبي وحقير", true, "insult"},
		{"ゲイは気持ち悪い、死ね", true, ""},
		// The spec's hard negatives.
		{"this fucking printer is broken again", false, ""},
		{"I strongly disagree with your policy", false, ""},
		{"Saying 'X are vermin' is hateful and wrong", false, ""},
		{"I am a proud gay man", false, ""},
		{"my team got destroyed last night lol", false, ""},
		{"kill the process and restart the server", false, ""},
		{"this workout killed me", false, ""},
		{"No, immigrants are not vermin. They are people like us.", false, ""},
		{"My neighbours are Muslims and they are lovely", false, ""},
		{"Scheiße, der Drucker ist schon wieder kaputt", false, ""},
		{"Soy una mujer lesbiana y orgullosa", false, ""},
		{"Pets are animals too, treat them kindly", false, ""},
		{"The weather in Lisbon is lovely this week.", false, ""},
		// Identity terms in neutral sentences, negation and counter-speech
		// in other languages.
		{"Os imigrantes trabalham muito neste bairro", false, ""},
		{"Ich bin schwul und stolz darauf", false, ""},
		{"أنا مسلم وأعيش في القاهرة", false, ""},
		{"Muitos judeus vivem em São Paulo", false, ""},
		{"Die meisten Flüchtlinge kommen aus Syrien", false, ""},
		{"Мои соседи — евреи, очень приятные люди", false, ""},
		{"Decir que los gitanos son ratas es racista", false, ""},
		{"他应该为希望“所有同性恋都去死“而入狱。", false, ""},
		{"Women are not objects, they deserve respect", false, ""},
	}
	for _, c := range cases {
		score, fs := d.Scan(Normalize(c.text))
		if score < 0 || score > 1 {
			t.Errorf("%q: score %v outside [0,1]", c.text, score)
		}
		if got := score >= ToxicityFlag; got != c.toxic {
			t.Errorf("%q: score %.3f, toxic %v, want %v (findings %+v)", c.text, score, got, c.toxic, fs)
			continue
		}
		if !c.toxic {
			continue
		}
		if len(fs) == 0 {
			t.Errorf("%q: toxic without a finding", c.text)
			continue
		}
		if fs[0].Scanner != Toxicity || c.typ != "" && fs[0].Type != c.typ || fs[0].Rule == "" {
			t.Errorf("%q: finding %+v, want type %s", c.text, fs[0], c.typ)
		}
	}
}

func TestToxicityOffsetsMapToOriginal(t *testing.T) {
	d, err := newToxicity()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ text, want string }{
		{"Héllo there. You are a f@ggot.", "f@ggot"},
		{"Ｈｉ! You are such a m o r o n", "You are such a m o r o n"},
		{"Ça va? I will k.i.l.l you tonight", "I will k.i.l.l you"},
		{"naïve question: du bist ein Arschloch", "du bist ein Arschloch"},
	}
	for _, c := range cases {
		_, fs := d.Scan(Normalize(c.text))
		if len(fs) == 0 {
			t.Errorf("%q: no finding", c.text)
			continue
		}
		rs := []rune(c.text)
		f := fs[0]
		if f.Start < 0 || f.End > len(rs) || f.Start >= f.End {
			t.Errorf("%q: span %d-%d", c.text, f.Start, f.End)
			continue
		}
		if got := string(rs[f.Start:f.End]); got != c.want {
			t.Errorf("%q: finding covers %q, want %q", c.text, got, c.want)
		}
	}
}

func TestToxicityModelFinding(t *testing.T) {
	d, err := newToxicity()
	if err != nil {
		t.Fatal(err)
	}
	// Every flagged text has a finding inside the original text.
	for _, s := range []string{
		"what a disgusting pathetic excuse for a human being, go back to your hole",
		"women are too emotional and stupid to ever be in charge of anything",
	} {
		score, fs := d.Scan(Normalize(s))
		if score >= ToxicityFlag && len(fs) == 0 {
			t.Errorf("%q: score %.3f without a finding", s, score)
		}
		for _, f := range fs {
			if f.Start < 0 || f.End > len([]rune(s)) || f.Start >= f.End {
				t.Errorf("%q: finding %+v outside the text", s, f)
			}
		}
	}
}

func BenchmarkToxicity2KB(b *testing.B) {
	d, err := newToxicity()
	if err != nil {
		b.Fatal(err)
	}
	para := "Thanks for the update on the quarterly report. I strongly disagree with the new travel policy, " +
		"but the team did great work on the migration and the dashboards look much better now. "
	text := strings.Repeat(para, 2048/len(para)+1)[:2048]
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Features are extracted once per text and shared by every scanner;
		// the engine pays for them once, so they are part of this figure.
		tx := Normalize(text)
		d.Scan(tx)
	}
}

func BenchmarkToxicityScanOnly2KB(b *testing.B) {
	d, err := newToxicity()
	if err != nil {
		b.Fatal(err)
	}
	para := "Thanks for the update on the quarterly report. I strongly disagree with the new travel policy, " +
		"but the team did great work on the migration and the dashboards look much better now. "
	text := strings.Repeat(para, 2048/len(para)+1)[:2048]
	tx := Normalize(text)
	tx.Features(0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.Scan(tx)
	}
}

func FuzzToxicity(f *testing.F) {
	d, err := newToxicity()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "you are a b*tch", "'\"", "k i l l you", "殺してやる", "a*", "*", "you 1d10t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tx := Normalize(s)
		score, fs := d.Scan(tx)
		if score < 0 || score > 1 {
			t.Fatalf("score %v", score)
		}
		for _, x := range fs {
			if x.Start < 0 || x.End > tx.Runes || x.Start > x.End {
				t.Fatalf("finding %+v outside %d runes", x, tx.Runes)
			}
		}
	})
}
