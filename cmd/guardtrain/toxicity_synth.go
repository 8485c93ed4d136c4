package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Synthetic examples for families the open data lacks: hard negatives
// (profanity without a target, civil criticism, sports banter, quoting and
// counter-speech, neutral identity statements, homonyms) in several
// languages, and obfuscated or non-English positives. Templates are split
// by template, so an evaluated sentence never shares its template with a
// trained one.

type synFamily struct {
	origin    string
	label     bool
	templates []string // slots: {I} insult, {G} group, {D} dehumanising noun, {N} name, {A} identity adjective
	obfuscate bool     // also write the insult obfuscated
}

var synFills = map[string][]string{
	"I": {"idiot", "moron", "loser", "asshole", "dumbass", "retard", "imbecile", "bitch", "cunt", "piece of garbage", "degenerate", "whore", "clown", "waste of oxygen"},
	"G": {"women", "immigrants", "Muslims", "Jews", "gay people", "trans people", "black people", "Mexicans", "refugees", "disabled people", "Asians", "Christians"},
	"D": {"vermin", "rats", "parasites", "cockroaches", "animals", "a disease", "subhuman filth", "scum"},
	"N": {"Mike", "Sarah", "Ahmed", "Lucia", "Tom", "Priya", "Jonas", "Chen"},
	"A": {"gay", "Muslim", "Jewish", "Black", "trans", "disabled", "lesbian", "Mexican", "Deaf", "bisexual"},
}

var synFamilies = []synFamily{
	{"syn-insult", true, []string{
		"you are a {I}", "you're such a {I}", "shut up you stupid {I}", "{N}, you are a pathetic {I}",
		"nobody likes you, you {I}", "what a {I} you are", "listen here you little {I}", "you absolute {I}, learn to read",
		"only a {I} like you would post this", "get lost, {I}", "u r a {I}", "omg you're the biggest {I} on this site",
	}, true},
	{"syn-threat", true, []string{
		"I will kill you", "I'm going to find you and hurt you", "you'd better watch your back, {N}", "I know where you live and I'm coming for you",
		"I'll break your legs if you show up again", "someone should put a bullet in your head", "I'm going to stab you next time I see you",
		"keep talking and I will burn your house down", "I hope you die in a fire", "you're dead meat when I find you",
	}, true},
	{"syn-hate", true, []string{
		"{G} are {D}", "all {G} should be exterminated", "{G} are ruining this country and should be thrown out", "I can't stand {G}, they are all {D}",
		"{G} are too stupid to be allowed to vote", "{G} don't deserve any rights", "we need to get rid of {G} once and for all",
		"{G} are nothing but {D}", "never trust any of those {G}, they're all liars and thieves", "{G} should be locked up in camps",
	}, false},
	{"syn-harassment", true, []string{
		"kill yourself", "nobody would miss you if you died", "you're worthless and everyone hates you", "I'm going to post your address everywhere, {N}",
		"I'll make your life hell until you quit", "go kys", "everyone at school thinks you're a disgusting freak", "delete your account, no one wants you here",
	}, false},
	{"syn-sexual", true, []string{
		"send me nudes", "show me your tits", "I want to bend you over my desk", "nice ass, come sit on my lap", "bet you'd look better naked, send pics",
		"hey {N}, what colour is your underwear", "I'm going to grab you when you walk past", "suck my dick",
	}, false},
	{"syn-ml-insult", true, []string{
		"eres un idiota de mierda", "cállate, imbécil", "du bist so ein dummes Arschloch", "halt die Fresse, du Wichser", "t'es vraiment un connard",
		"ferme ta gueule, sale pute", "você é um idiota inútil", "cala a boca, sua vagabunda", "sei proprio un coglione", "stai zitto, stronzo",
		"je bent een vieze klootzak", "jesteś skończonym idiotą", "ты тупой урод", "sen tam bir aptalsın", "du är en jävla idiot",
		"お前は本当にバカだな、死ね", "你这个傻逼", "أنت غبي وحقير", "तू एक कमीना है", "te voy a matar, hijo de puta", "ich bringe dich um, du Schwein",
		"je vais te tuer, connard", "vou te matar, seu otário", "ti ammazzo, bastardo", "ik maak je af, kankerlijer", "zabiję cię, gnoju",
		"я убью тебя, сука", "seni öldüreceğim, şerefsiz", "jag ska döda dig, din jävel", "殺してやる", "我要杀了你",
		"las mujeres son basura", "Ausländer sind Ungeziefer", "les immigrés sont des parasites", "os gays são uma praga", "gli ebrei sono feccia",
		"moslims zijn ongedierte", "imigranci to robactwo", "мигранты — это крысы", "göçmenler hayvandır", "invandrare är ohyra",
	}, false},
	// Hard negatives.
	{"syn-profanity", false, []string{
		"this fucking printer is broken again", "shit, I forgot my keys at home", "holy shit, that goal was incredible", "fuck yeah, we finally shipped it",
		"what the hell is going on with the wifi", "damn this traffic, I'm going to be late", "I'm so fucking tired today", "that concert was fucking awesome",
		"oh crap, I spilled coffee all over my laptop", "the bloody bus is late again", "this weather is shit", "fucking hell, what a day",
		"joder, la impresora se ha vuelto a romper", "mierda, se me olvidaron las llaves", "Scheiße, der Drucker ist schon wieder kaputt", "verdammt, ich habe den Bus verpasst",
		"putain, l'imprimante est encore en panne", "merde, j'ai oublié mes clés", "porra, a impressora quebrou de novo", "caralho, que jogo incrível",
		"cazzo, la stampante è di nuovo rotta", "merda, ho perso il treno", "verdomme, de printer is weer kapot", "kurwa, drukarka znowu nie działa",
		"блин, принтер опять сломался", "kahretsin, yazıcı yine bozuldu", "fan, skrivaren är trasig igen", "くそ、プリンターがまた壊れた", "该死，打印机又坏了",
		"تبا، الطابعة معطلة مرة أخرى", "धत्त, प्रिंटर फिर से खराब हो गया",
	}, false},
	{"syn-criticism", false, []string{
		"I strongly disagree with your policy", "your argument ignores most of the evidence", "this proposal is a terrible idea and will cost far too much",
		"the minister's plan is misguided and badly costed", "I think you're wrong about this, and here's why", "that film was boring and far too long",
		"the referee made awful decisions all night", "this code is a mess, we need to refactor it", "with respect, your numbers don't add up",
		"{N}, your last report had serious mistakes", "the new update is garbage, bring back the old layout", "I find his views on taxes completely unconvincing",
		"no estoy de acuerdo con tu política", "ich halte diesen Vorschlag für einen großen Fehler", "je ne suis absolument pas d'accord avec vous",
		"discordo totalmente da sua proposta", "questa legge è un disastro", "ik ben het helemaal niet met je eens", "nie zgadzam się z tą decyzją",
		"я категорически не согласен с этим решением", "bu karara kesinlikle katılmıyorum", "jag håller inte alls med om ditt förslag",
		"この政策には強く反対します", "我完全不同意这个政策", "أنا لا أتفق مع هذه السياسة", "मैं इस नीति से असहमत हूं",
	}, false},
	{"syn-banter", false, []string{
		"my team got destroyed last night lol", "we absolutely murdered them 5-0", "we're going to crush you on Saturday haha", "your team is going down this weekend",
		"you got smoked in that last round", "our defence got killed out there", "gg, you destroyed me in that match", "that striker is a beast, unstoppable",
		"we'll kill it at the gig tonight", "nos destrozaron anoche jaja", "wir haben sie gestern 5:0 abgeschossen", "on s'est fait massacrer hier soir mdr",
		"levamos uma surra ontem kkk", "ci hanno distrutto ieri sera", "we zijn gisteren afgeslacht haha", "они нас разгромили вчера", "dün gece ezildik",
	}, false},
	{"syn-counter", false, []string{
		"Saying '{G} are {D}' is hateful and wrong", "Calling someone a {I} is not okay", "The article reports that protesters chanted '{G} are {D}'",
		"If you say \"{G} are {D}\", you are a bigot", "Stop saying {G} are {D}, it's racist", "He was suspended for calling a classmate a {I}",
		"No, {G} are not {D}. They are people like everyone else.", "The word '{I}' should never be used to describe anyone",
		"I reported the comment that said '{G} are {D}'", "It is unacceptable to call {G} {D}",
		"Decir que los inmigrantes son ratas es racista", "Wer sagt, Flüchtlinge seien Ungeziefer, hetzt", "Dire que les femmes sont inférieures est inacceptable",
		"Dizer que os gays são uma praga é discurso de ódio", "Chiamare gli ebrei feccia è razzista", "Zeggen dat moslims ongedierte zijn is racistisch",
	}, false},
	{"syn-identity", false, []string{
		"I am a proud {A} man", "I am a proud {A} woman", "my neighbours are {G} and they are lovely", "{G} have the right to live in peace",
		"{G} have faced discrimination for centuries", "the {A} community organised a street festival", "as a {A} person I often feel unseen at work",
		"my best friend is {A}", "{G} make up about ten percent of the town", "there are many {A} students at my university",
		"soy un hombre gay orgulloso", "ich bin eine stolze muslimische Frau", "je suis juif et fier de l'être", "sou uma mulher negra e trans",
		"sono un uomo gay e felice", "mijn buren zijn moslims", "jestem dumną lesbijką", "мой сосед еврей", "ben gurur duyan bir eşcinselim",
		"jag är en stolt transkvinna", "私はゲイです", "我是一名穆斯林", "أنا مسلم وأفتخر", "मैं एक समलैंगिक व्यक्ति हूं",
	}, false},
	{"syn-homonym", false, []string{
		"kill the process and restart the server", "this workout killed me", "I shot a photo of the sunset", "the comedian killed it last night",
		"we need to execute the plan by Friday", "the dyke along the river was repaired", "let's hang the picture over the sofa", "that bitch of a hill nearly killed me on the bike",
		"you killed it in the presentation today", "you're a beast at chess", "you crazy genius, it works", "you lucky bastard, you won the raffle",
	}, false},
}

// synthToxicity expands the families with a fixed seed.
func synthToxicity(seed uint64) []toxItem {
	rng := rand.New(rand.NewPCG(seed, seed^0x70c5))
	var xs []toxItem
	for _, f := range synFamilies {
		for ti, tpl := range f.templates {
			group := fmt.Sprintf("syn:%s:%d", f.origin, ti)
			n := 1
			if strings.Contains(tpl, "{") {
				n = 6
			}
			seen := map[string]bool{}
			for k := 0; k < n; k++ {
				s := fillToxic(tpl, rng)
				if f.obfuscate && k%2 == 1 {
					s = obfuscateInsult(s, rng)
				}
				if seen[s] {
					continue
				}
				seen[s] = true
				xs = append(xs, toxItem{text: s, origin: f.origin, group: group, label: f.label})
			}
			// Obfuscated copies of short positives.
			if f.label && !strings.Contains(tpl, "{") {
				xs = append(xs, toxItem{text: obfuscateAll(tpl, rng), origin: f.origin, group: group, label: true})
			}
		}
	}
	return xs
}

func fillToxic(tpl string, rng *rand.Rand) string {
	for _, slot := range []string{"I", "G", "D", "N", "A"} {
		vals := synFills[slot]
		for strings.Contains(tpl, "{"+slot+"}") {
			tpl = strings.Replace(tpl, "{"+slot+"}", vals[rng.IntN(len(vals))], 1)
		}
	}
	return tpl
}

// obfuscateInsult rewrites the insult words of s the ways abusers do.
func obfuscateInsult(s string, rng *rand.Rand) string {
	for _, w := range synFills["I"] {
		if i := strings.Index(s, w); i >= 0 && !strings.Contains(w, " ") {
			return s[:i] + obfuscateWord(w, rng) + s[i+len(w):]
		}
	}
	return s
}

func obfuscateAll(s string, rng *rand.Rand) string {
	ws := strings.Fields(s)
	for i, w := range ws {
		if len(w) >= 4 && rng.IntN(2) == 0 {
			ws[i] = obfuscateWord(w, rng)
		}
	}
	return strings.Join(ws, " ")
}

func obfuscateWord(w string, rng *rand.Rand) string {
	switch rng.IntN(5) {
	case 0: // leetspeak
		return strings.NewReplacer("i", "1", "o", "0", "e", "3", "a", "@", "s", "$").Replace(w)
	case 1: // spaced letters
		return strings.Join(strings.Split(w, ""), " ")
	case 2: // a masked vowel
		for i, r := range w {
			if i > 0 && strings.ContainsRune("aeiou", r) {
				return w[:i] + "*" + w[i+1:]
			}
		}
		return w
	case 3: // Cyrillic homoglyphs
		return strings.NewReplacer("a", "а", "o", "о", "e", "е", "c", "с").Replace(w)
	default: // zero-width joiners
		return strings.Join(strings.Split(w, ""), "\u200b")
	}
}
