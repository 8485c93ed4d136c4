package guard

import "strings"

// The toxicity lexicon: word classes and phrases in the languages Rampart
// supports. Entries are written naturally here and folded at start-up the
// way a view is (accents dropped, lower case), so "töte" matches "tote".
// The lists are deliberately short and high-precision: the model carries
// recall, the lexicon names what fired and catches clear cases the model
// has not seen.

// wordClass is a set of classes a folded word belongs to.
type wordClass uint32

const (
	cInsult   wordClass = 1 << iota // a noun that insults a person ("idiot")
	cInsultAd                       // an adjective that insults a person ("stupid")
	cSlur                           // a slur against a group
	cDehum                          // a dehumanising noun ("vermin")
	cAnimal                         // an animal or thing word, dehumanising when said of a group ("rats")
	cGroup                          // a group of people ("women", "immigrants", "they")
	cViolent                        // a violent verb ("kill")
	cElim                           // an eliminationist verb ("exterminated")
	cYou                            // second-person subject ("you", "du")
	cYouObj                         // second-person object ("you", "dich")
	cIntent                         // a marker of intent before a verb ("will", "gonna")
	cModal                          // "should", "must", "deserve"
	cCopula                         // "are", "is", "sind", "son"
	cFiller                         // words that may stand between a subject and an insult
	cNeg                            // negation
	cCue                            // counter-speech cue ("hateful", "racist")
	cSexual                         // sexual body words
	cHateEmo                        // hatred or contempt ("hate", "despise")
	cNegAttr                        // a contemptuous attribute of a group ("despicable")
	cPhrase                         // the first word of a phrase in toxPhrases
	cPredX                          // a broad contemptuous predicate ("disgusting", "Abschaum")
	cViolentX                       // a broad violent verb or noun, any form ("getötet", "death")
	cReport                         // a reporting or discussing word ("saying", "bezeichnen")
	cPositive                       // a warm word ("love", "respect")
	cFirst                          // first person ("I", "wir")
	cPron                           // third-person plural pronoun ("they", "ellos")
	cProfane                        // profanity ("fucking", "merde")
)

// findingType names the finding a word class suggests.
func (c wordClass) findingType() string {
	switch {
	case c&(cSlur|cDehum|cAnimal|cElim) != 0:
		return "hate"
	case c&cViolent != 0:
		return "threat"
	case c&cSexual != 0:
		return "sexual"
	}
	return "insult"
}

var toxWordLists = []struct {
	class wordClass
	words string
}{
	{cInsult, `idiot idiots moron morons imbecile imbeciles retard retards cunt cunts bitch bitches whore whores slut sluts
	skank asshole assholes arsehole dickhead dickheads dipshit dumbass jackass loser losers scumbag scumbags twat wanker
	prick bastard douche douchebag motherfucker fucker cocksucker shithead numbnuts freak creep hoe hoes thot cuck
	idiota idiotas imbécil gilipollas pendejo pendeja cabrón cabrona puta zorra subnormal tarado tarada perra inútil malparido
	arschloch wichser hurensohn schlampe fotze missgeburt spast vollidiot depp trottel penner dummkopf hure
	connard connasse salope pute enculé abruti crétin débile bâtard pouffiasse enfoiré
	otário babaca vagabunda arrombado cuzão corno retardado
	stronzo stronza coglione cretino cretina imbecille puttana troia deficiente scemo
	idioot klootzak lul hoer kutwijf debiel mongool sukkel eikel kankerlijer tyfuslijer slet
	debil kretyn dziwka szmata frajer gnój skurwysyn idiotka kurwo
	идиот дурак дура сука мудак тварь урод дебил шлюха придурок козёл ублюдок чмо кретин
	aptal salak gerizekalı orospu şerefsiz piç ahmak
	fitta jävel subba dumskalle kuksugare
	غبي حمار حقير عاهرة شرموطة أحمق
	कमीना हरामी चूतिया कुत्ता कुत्ती बेवकूफ गधा रंडी मादरचोद
	chutiya kamina harami madarchod bhenchod randi gandu`},
	{cInsultAd, `stupid dumb worthless pathetic ugly disgusting useless brainless retarded fat
	estúpido estúpida tonto tonta feo fea dumm hässlich blöd bescheuert nutzlos
	stupide moche nul nulle stupido stupida brutto brutta inutile burro burra lelijk waardeloos
	głupi głupia brzydki тупой тупая глупый уродливый ful värdelös dum`},
	{cSlur, `faggot faggots kike kikes chink chinks spic spics wetback wetbacks raghead ragheads
	towelhead towelheads gook gooks darkie darkies beaner beaners nigger niggers paki pakis shemale
	golliwog jigaboo zipperhead kaffir pikey sandnigger
	maricón maricones sudaca negrata kanake kanaken neger schwuchtel kameltreiber
	bougnoule nègre pédé pédés youpin bicot tarlouze viado sapatão frocio froci ricchione
	flikker nikker pedał czarnuch żydek пидор пидорас жид хач чурка ниггер ibne blatte svartskalle`},
	{cDehum, `vermin scum filth subhuman subhumans untermenschen cockroaches roaches leeches maggots
	escoria alimañas sabandijas infrahumanos cucarachas ungeziefer abschaum gesindel kakerlaken
	vermine racaille cafards escória vermes baratas feccia subumani scarafaggi
	ongedierte uitschot tuig kakkerlakken robactwo podludzie ścierwo karaluchy
	недочеловеки нелюди отбросы тараканы asalaklar pislik ohyra avskum kackerlackor`},
	{cAnimal, `animals rats apes monkeys pigs parasites insects beasts swine plague disease dogs savages trash garbage
	ratas parásitos animales plaga cerdos monos bestias basura parasiten ratten tiere schweine affen seuche dreck
	rats parasites animaux singes porcs bêtes fléau ratos parasitas animais macacos porcos praga lixo
	ratti parassiti animali vermi scimmie porci bestie piaga spazzatura parasieten beesten dieren apen varkens
	szczury pasożyty zwierzęta małpy świnie zaraza śmieci крысы паразиты животные скоты обезьяны свиньи мусор
	hayvanlar fareler parazitler maymunlar domuzlar parasiter råttor djur apor svin
	حيوانات جرذان حشرات صراصير कीड़े जानवर`},
	{cGroup, `women men people jews muslims blacks gays lesbians trans immigrants refugees migrants foreigners arabs
	mexicans asians chinese indians africans christians catholics gypsies roma disabled homosexuals feminists they these those
	frauen männer menschen juden muslime schwarze schwule ausländer flüchtlinge migranten einwanderer behinderte
	mujeres hombres judíos musulmanes negros gays inmigrantes refugiados extranjeros gitanos
	femmes hommes juifs musulmans noirs homosexuels immigrés réfugiés étrangers arabes
	mulheres homens judeus muçulmanos imigrantes donne uomini ebrei musulmani neri immigrati rifugiati stranieri
	vrouwen mannen joden moslims zwarten immigranten vluchtelingen buitenlanders
	kobiety mężczyźni żydzi muzułmanie czarni geje imigranci uchodźcy
	женщины мужчины евреи мусульмане черные геи мигранты беженцы
	kadınlar erkekler yahudiler müslümanlar siyahlar eşcinseller göçmenler mülteciler
	kvinnor män judar muslimer svarta invandrare flyktingar`},
	{cViolent, `kill murder stab shoot rape strangle choke slit behead lynch slaughter butcher torture hurt
	matar violar apuñalar töten umbringen erschießen abstechen vergewaltigen tuer buter violer égorger
	ammazzare uccidere stuprare vermoorden doodmaken zabić убить зарезать öldürmek döda`},
	{cElim, `exterminated exterminate gassed hanged lynched killed sterilized sterilised slaughtered
	exterminados asesinados ausgerottet vergast getötet exterminés gazés tués sterminati uccisi uitgeroeid vergast
	wytępieni zabici истреблены öldürülmeli utrotade`},
	{cYou, `you u ya youre thou yall du tu eres usted vos toi vous você voce vc sei jij ty jesteś ты вы sen sensin तुम तू आप`},
	{cYouObj, `you u ya yourself dich dir te ti toi cię тебя тебе seni dig je`},
	{cIntent, `will ll gonna gon going wanna want im gotta shall`},
	{cModal, `should must deserve deserves need needs ought sollten müssen deberían deben merecen devraient doivent méritent
	deveriam devem merecem dovrebbero devono meritano moeten verdienen powinni muszą должны заслуживают olmalı borde måste`},
	{cCopula, `are is re were was be sind seid ist son sois es sont êtes est são é sono è sei zijn zijn is są jest är`},
	{cFiller, `a an such so fucking fuckin freaking really just total complete absolute utter little big biggest the dumb stupid
	damn bloody being am bist ein eine einer verdammter verdammte verdammtes kleiner kleines dummes dummer dumme blödes blöder un una muy puto maldito espèce de sale gros
	grosse petit vraiment sacré um uma proprio uno gran een vuile jij zwykła głupia jebana jebany bir en ett jävla
	are r re is ur a ar es t e sei`},
	{cNeg, `not never no nobody nt isnt arent dont cannot nicht kein keine keinen nie no nunca jamais pas non nao mai niet geen nooit
	nie нет не değil inte aldrig`},
	{cCue, `hateful racist racism bigot bigots bigoted bigotry sexist sexism homophobic homophobia transphobic misogynist
	misogyny unacceptable condemn condemns condemned slur slurs xenophobic antisemitic antisemitism offensive
	rassistisch inakzeptabel hetze raciste inacceptable racista inaceptable inaccettabile razzista racistisch
	onaanvaardbaar rasistowski расизм ırkçı rasistisk`},
	{cHateEmo, `hate despise detest loathe contempt hatred disdain disgust hasse verabscheue hass odio desprecio odeio
	déteste hais haine mépris odio disprezzo haat minachting nienawidzę nienawiść pogarda ненавижу ненависть презираю
	nefret tiksiniyorum hatar avskyr`},
	{cNegAttr, `despicable disgusting pathetic worthless vile filthy inferior evil stupid dumb subhuman criminals rapists
	terrorists savages useless repulsive revolting scum trash garbage dirty lazy thieves liars
	asquerosos despreciables inferiores estúpidos criminales violadores terroristas inútiles sucios
	widerlich ekelhaft minderwertig dumm kriminell verbrecher vergewaltiger terroristen nutzlos dreckig
	dégoûtants méprisables inférieurs stupides criminels violeurs terroristes inutiles
	nojentos desprezíveis inferiores estúpidos criminosos estupradores terroristas inúteis sujos
	disgustosi spregevoli inferiori stupidi criminali stupratori terroristi inutili sporchi
	walgelijk verachtelijk minderwaardig dom criminelen verkrachters terroristen nutteloos smerig
	obrzydliwi żałośni gorsi głupi przestępcy gwałciciele terroryści bezużyteczni brudni
	отвратительны мерзкие ничтожества тупые преступники насильники террористы грязные
	iğrenç aşağılık aptal suçlu tecavüzcü terörist pis äckliga underlägsna kriminella våldtäktsmän`},
	{cSexual, `tits boobs pussy cock dick nudes nude naked ass`},
}

// toxPhraseLists are phrases matched as whole word sequences (after
// folding and splitting at non-letters, so "i'll" is "i ll").
var toxPhraseLists = []struct {
	typ, rule string
	score     float64
	phrases   string // one phrase a line
}{
	{"threat", "threat_phrase", 0.92, `i will kill you
	i ll kill you
	im going to kill you
	i am going to kill you
	im gonna kill you
	i m gonna kill you
	i know where you live
	watch your back
	you will die
	you re going to die
	you are going to die
	you deserve to die
	i hope you die
	hope you die
	you should die
	die in a fire
	put a bullet in your head
	i will find you
	i ll find you
	te voy a matar
	voy a matarte
	te mato
	ojalá te mueras
	muérete
	te voy a violar
	ich bringe dich um
	ich bring dich um
	ich werde dich töten
	ich töte dich
	ich mach dich kalt
	ich weiß wo du wohnst
	je vais te tuer
	je vais te buter
	je te tue
	je vais te violer
	je sais où tu habites
	crève
	vou te matar
	vou matar você
	eu te mato
	ti ammazzo
	ti uccido
	ti ammazzerò
	ti stupro
	so dove abiti
	ik vermoord je
	ik maak je af
	ik sla je dood
	ik weet waar je woont
	zabiję cię
	zajebię cię
	я убью тебя
	убью тебя
	сдохни
	seni öldüreceğim
	seni öldürürüm
	jag ska döda dig
	jag dödar dig
	मैं तुम्हें मार दूंगा
	तुझे मार डालूंगा`},
	{"harassment", "self_harm_taunt", 0.92, `kill yourself
	kys
	go die
	drop dead
	you should kill yourself
	nobody would miss you
	mátate
	suicídate
	bring dich um
	töte dich
	tue toi
	suicide toi
	se mata
	ucciditi
	ammazzati
	zabij się
	убей себя
	kendini öldür
	ta livet av dig`},
	{"harassment", "harassment_phrase", 0.85, `nobody likes you
	everyone hates you
	no one likes you
	you don t deserve to live
	you are a waste of space
	you re a waste of space
	shut up you
	fuck you
	screw you
	fuck off you
	piece of shit like you
	you piece of shit
	your mother is a whore
	your mom is a whore
	hijo de puta
	hijo de perra
	filho da puta
	figlio di puttana
	testa di cazzo
	fils de pute
	ta gueule
	halt die fresse
	halt s maul
	fick dich
	va te faire foutre
	vete a la mierda
	vai a cagare
	vai tomar no cu
	vaffanculo
	pierdol się
	иди на хуй
	пошёл на хуй
	siktir git
	dra åt helvete`},
	{"sexual", "sexual_harassment", 0.9, `send nudes
	send me nudes
	send me nude
	send me pics
	send me a pic of your
	show me your tits
	show me your boobs
	show me your pussy
	show me your body
	show me your ass
	suck my dick
	suck my cock
	i want to fuck you
	i wanna fuck you
	let me fuck you
	i d fuck you
	sit on my face
	take your clothes off
	nice tits
	i want to rape you
	i will rape you
	dick pic
	chupame la
	chúpamela
	manda fotos desnuda
	zeig mir deine titten
	lutsch meinen schwanz
	montre moi tes seins
	suce moi
	manda nudes
	chupa meu pau
	fammi vedere le tette
	succhiamelo
	pokaż cycki`},
}

// toxCJK are phrases in scripts written without spaces, matched as
// substrings.
var toxCJK = []struct {
	typ, rule string
	score     float64
	phrase    string
}{
	{"threat", "threat_phrase", 0.92, "殺してやる"}, {"threat", "threat_phrase", 0.92, "ぶっ殺す"},
	{"threat", "threat_phrase", 0.9, "殺すぞ"}, {"harassment", "self_harm_taunt", 0.9, "死ね"},
	{"threat", "threat_phrase", 0.92, "杀了你"}, {"threat", "threat_phrase", 0.92, "弄死你"},
	{"harassment", "self_harm_taunt", 0.9, "去死"}, {"insult", "insult_word", 0.85, "傻逼"},
	{"insult", "insult_word", 0.85, "傻b"}, {"insult", "insult_word", 0.8, "贱人"}, {"insult", "insult_word", 0.8, "婊子"},
	{"insult", "insult_word", 0.8, "脑残"}, {"insult", "insult_word", 0.85, "操你妈"}, {"insult", "insult_word", 0.75, "白痴"},
	{"insult", "insult_word", 0.75, "バカ野郎"}, {"insult", "insult_word", 0.75, "クズ野郎"}, {"insult", "insult_word", 0.75, "お前はバカ"},
	{"threat", "threat_phrase", 0.92, "سأقتلك"}, {"threat", "threat_phrase", 0.9, "راح اقتلك"},
}

type toxPhrase struct {
	words     []string
	typ, rule string
	score     float64
}

var (
	toxWords   map[string]wordClass
	toxPhrases map[string][]toxPhrase // by first word
	toxMasked  map[int][]string       // insults and slurs by length, for "b*tch"
	// toxCJKWords are the structural words of scripts written without
	// spaces, looked for inside a run of letters.
	toxCJKWords []cjkWord
)

type cjkWord struct {
	w     string
	class wordClass
}

func init() {
	toxWords = map[string]wordClass{}
	toxMasked = map[int][]string{}
	for _, l := range toxWordLists {
		for _, w := range strings.Fields(l.words) {
			for _, f := range foldWordsOf(w) {
				toxWords[f] |= l.class
				if l.class&(cInsult|cSlur) != 0 && isASCII(f) {
					toxMasked[len(f)] = append(toxMasked[len(f)], f)
				}
			}
		}
	}
	for _, l := range toxStructLists {
		for _, w := range strings.Fields(l.words) {
			for _, f := range foldWordsOf(w) {
				if len([]rune(f)) >= 2 {
					toxWords[f] |= l.class
				}
			}
		}
	}
	for _, l := range toxCJKClasses {
		for _, w := range strings.Fields(l.words) {
			toxCJKWords = append(toxCJKWords, cjkWord{Normalize(w).Views[0].Text, l.class})
		}
	}
	toxPhrases = map[string][]toxPhrase{}
	for _, l := range toxPhraseLists {
		for _, line := range strings.Split(l.phrases, "\n") {
			ws := foldWordsOf(strings.TrimSpace(line))
			if len(ws) == 0 {
				continue
			}
			toxPhrases[ws[0]] = append(toxPhrases[ws[0]], toxPhrase{ws, l.typ, l.rule, l.score})
			toxWords[ws[0]] |= cPhrase
		}
	}
	for i := range toxCJK {
		toxCJK[i].phrase = Normalize(toxCJK[i].phrase).Views[0].Text
	}
}

// foldWordsOf folds s as a view would and splits it into words.
func foldWordsOf(s string) []string {
	return strings.FieldsFunc(Normalize(s).Views[0].Text, func(r rune) bool { return !wordRuneLetter(r) })
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
