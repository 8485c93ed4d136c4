package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Generated group-directed sentences in languages the open data lacks
// (Russian, Turkish, Swedish, Japanese) and more hard negatives in the
// others: the same structures as the hate (a group and a contemptuous or
// violent predicate) beside their negated, reported and neutral twins, so
// that the model learns the structure rather than the words. {G} is a
// group noun in the form the template needs; templates are split as the
// other synthetic ones are (by template), so evaluated templates are unseen.

type synLang struct {
	groups        []string
	hate, nonHate []string
}

var synLangs = map[string]synLang{
	"ru": {
		groups: []string{"мигранты", "евреи", "геи", "женщины", "мусульмане", "инвалиды", "беженцы", "цыгане"},
		hate: []string{"{G} — это мразь и паразиты", "я ненавижу таких, как {G}", "{G} отвратительны, их надо уничтожить",
			"всех {G} надо расстрелять", "{G} не люди, а животные", "{G} заслуживают смерти", "{G} тупые и грязные твари"},
		nonHate: []string{"{G} живут в нашем районе уже много лет", "я думаю, что {G} имеют такие же права, как все",
			"говорить, что {G} — паразиты, это расизм", "{G} не паразиты, они такие же люди, как мы",
			"в статье говорится о дискриминации, которую испытывают {G}", "мои соседи — {G}, очень приятные люди"},
	},
	"tr": {
		groups: []string{"göçmenler", "yahudiler", "eşcinseller", "kadınlar", "suriyeliler", "kürtler", "mülteciler", "engelliler"},
		hate: []string{"{G} iğrenç parazitler", "{G} hepsi öldürülmeli", "{G} hayvandır, insan değil", "{G} pislik, bu ülkeden atılmalı",
			"{G} aşağılık ve aptal", "{G} ölmeli", "{G} bu ülkenin vebası"},
		nonHate: []string{"{G} bu mahallede yıllardır yaşıyor", "{G} de herkes gibi eşit haklara sahip",
			"{G} için parazit demek ırkçılıktır", "{G} parazit değil, bizim gibi insanlar",
			"haber {G} karşı ayrımcılığı anlatıyor", "komşularım {G}, çok iyi insanlar"},
	},
	"sv": {
		groups: []string{"invandrare", "judar", "bögar", "kvinnor", "muslimer", "flyktingar", "zigenare", "funktionshindrade"},
		hate: []string{"{G} är äckliga parasiter", "alla {G} borde utrotas", "{G} är djur, inte människor", "jag hatar {G}",
			"{G} är avskum och borde skjutas", "{G} är värdelösa och smutsiga", "{G} förtjänar att dö"},
		nonHate: []string{"många {G} bor i vårt område", "{G} har samma rättigheter som alla andra",
			"att kalla {G} parasiter är rasistiskt", "{G} är inte parasiter, de är människor som vi",
			"artikeln handlar om diskriminering av {G}", "mina grannar är {G} och de är underbara"},
	},
	"ja": {
		groups: []string{"移民", "ユダヤ人", "ゲイ", "女", "外国人", "障害者", "朝鮮人", "黒人"},
		hate: []string{"{G}はゴミだ", "{G}は全員殺せ", "{G}は害虫だ、駆除しろ", "{G}が大嫌いだ、気持ち悪い", "{G}は人間じゃない、動物だ",
			"{G}なんか死ね", "{G}はクズばかりだ"},
		nonHate: []string{"{G}の友達がたくさんいます", "{G}にも同じ権利がある", "{G}をゴミと呼ぶのは差別だ",
			"{G}は害虫ではない、私たちと同じ人間だ", "この記事は{G}への差別について書いている", "私の隣人は{G}で、とても親切です"},
	},
	"zh": {
		groups: []string{"移民", "犹太人", "同性恋", "女人", "穆斯林", "残疾人", "黑人", "外国人"},
		hate:   []string{"{G}都是垃圾", "{G}应该全部杀光", "{G}是害虫", "我讨厌{G}，太恶心了", "{G}不是人，是畜生", "{G}都该死", "{G}是低等的废物"},
		nonHate: []string{"我有很多{G}朋友", "{G}也应该享有同样的权利", "说{G}是垃圾是歧视", "{G}不是害虫，他们和我们一样是人",
			"这篇文章讲的是对{G}的歧视", "我的邻居是{G}，人很好"},
	},
	"es": {
		groups: []string{"los inmigrantes", "los judíos", "los gays", "las mujeres", "los musulmanes", "los gitanos", "las personas trans"},
		hate:   []string{"{G} son una plaga asquerosa", "hay que exterminar a {G}", "{G} no son personas, son animales"},
		nonHate: []string{"{G} no son una plaga, son personas como nosotros", "decir que {G} son ratas es racista",
			"me siento orgulloso de ver a {G} en el gobierno", "{G} no merecen ser maltratados", "viven muchos de {G} en mi barrio"},
	},
	"de": {
		groups: []string{"Ausländer", "Juden", "Schwule", "Frauen", "Muslime", "Flüchtlinge", "Behinderte"},
		hate:   []string{"{G} sind eine widerliche Plage", "man sollte alle {G} vergasen", "{G} sind keine Menschen, sondern Tiere"},
		nonHate: []string{"{G} sind keine Plage, sondern Menschen wie wir", "zu sagen, dass {G} Ratten sind, ist rassistisch",
			"ich bin stolz, {G} in der Regierung zu sehen", "{G} verdienen es nicht, gequält zu werden", "in meiner Straße wohnen viele {G}"},
	},
	"pl": {
		groups: []string{"imigranci", "żydzi", "geje", "kobiety", "muzułmanie", "uchodźcy", "cyganie"},
		hate:   []string{"{G} to obrzydliwe robactwo", "wszystkich trzeba wytępić, te {G}", "{G} to nie ludzie, tylko zwierzęta"},
		nonHate: []string{"{G} to nie robactwo, to ludzie jak my", "mówienie, że {G} to szczury, jest rasistowskie",
			"jestem dumny, że {G} są w rządzie", "{G} nie zasługują na cierpienie", "w mojej okolicy mieszka wielu, {G} też"},
	},
	"nl": {
		groups: []string{"immigranten", "joden", "homo's", "vrouwen", "moslims", "vluchtelingen", "gehandicapten"},
		hate:   []string{"{G} zijn walgelijk ongedierte", "alle {G} moeten uitgeroeid worden", "{G} zijn geen mensen maar beesten"},
		nonHate: []string{"{G} zijn geen ongedierte, het zijn mensen zoals wij", "zeggen dat {G} ratten zijn is racistisch",
			"ik ben trots om {G} in de regering te zien", "{G} verdienen het niet om gemarteld te worden", "er wonen veel {G} in mijn straat"},
	},
}

// synNeutral are neutral sentences about groups in the languages where
// identity terms alone tended to raise the score; every group fills every
// template, so that the group words themselves learn no weight.
var synNeutral = map[string]struct{ groups, tpls []string }{
	"es": {[]string{"los inmigrantes", "los judíos", "los gays", "las mujeres", "los musulmanes", "los gitanos", "las personas trans", "los negros", "los discapacitados"},
		[]string{"en mi barrio viven muchos de {G}", "{G} tienen derecho a vivir en paz", "el informe habla de {G} en el mercado laboral",
			"mi profesora trabaja con {G} desde hace años", "la asociación de {G} organizó una fiesta"}},
	"pt": {[]string{"os imigrantes", "os judeus", "os gays", "as mulheres", "os muçulmanos", "os ciganos", "as pessoas trans", "os negros", "os deficientes"},
		[]string{"muitos de {G} vivem neste bairro", "{G} têm direito a viver em paz", "o relatório fala sobre {G} no mercado de trabalho",
			"minha professora trabalha com {G} há anos", "a associação de {G} organizou uma festa"}},
	"de": {[]string{"Einwanderer", "Juden", "Schwule", "Frauen", "Muslime", "Sinti und Roma", "Transmenschen", "Schwarze", "Behinderte"},
		[]string{"in unserem Viertel leben viele {G}", "{G} haben das Recht, in Frieden zu leben", "der Bericht beschreibt die Lage von {G} auf dem Arbeitsmarkt",
			"meine Lehrerin arbeitet seit Jahren mit {G}", "der Verein für {G} hat ein Fest organisiert"}},
	"fr": {[]string{"les immigrés", "les juifs", "les homosexuels", "les femmes", "les musulmans", "les roms", "les personnes trans", "les noirs", "les handicapés"},
		[]string{"beaucoup de {G} vivent dans mon quartier", "{G} ont le droit de vivre en paix", "le rapport parle de {G} sur le marché du travail",
			"ma professeure travaille avec {G} depuis des années", "l'association pour {G} a organisé une fête"}},
	"it": {[]string{"gli immigrati", "gli ebrei", "i gay", "le donne", "i musulmani", "i rom", "le persone trans", "i neri", "i disabili"},
		[]string{"nel mio quartiere vivono molti di {G}", "{G} hanno il diritto di vivere in pace", "il rapporto parla de {G} nel mercato del lavoro",
			"la mia insegnante lavora con {G} da anni", "l'associazione per {G} ha organizzato una festa"}},
	"ar": {[]string{"المهاجرين", "اليهود", "المثليين", "النساء", "المسلمين", "اللاجئين", "السود", "المعاقين"},
		[]string{"يعيش الكثير من {G} في حينا", "من حق {G} أن يعيشوا بسلام", "يتحدث التقرير عن {G} في سوق العمل",
			"معلمتي تعمل مع {G} منذ سنوات", "نظمت جمعية {G} احتفالا"}},
}

// synthToxicityML expands synLangs with a fixed seed.
func synthToxicityML(seed uint64) []toxItem {
	rng := rand.New(rand.NewPCG(seed, seed^0x3a11))
	var xs []toxItem
	for _, lang := range []string{"de", "es", "ja", "nl", "pl", "ru", "sv", "tr", "zh"} {
		l := synLangs[lang]
		for _, set := range []struct {
			label bool
			tpls  []string
		}{{true, l.hate}, {false, l.nonHate}} {
			for ti, tpl := range set.tpls {
				group := fmt.Sprintf("synml:%s:%v:%d", lang, set.label, ti)
				for _, k := range rng.Perm(len(l.groups))[:4] {
					xs = append(xs, toxItem{text: strings.ReplaceAll(tpl, "{G}", l.groups[k]), origin: "syn-ml-" + lang, group: group, label: set.label})
				}
			}
		}
	}
	for _, lang := range []string{"ar", "de", "es", "fr", "it", "pt"} {
		n := synNeutral[lang]
		for ti, tpl := range n.tpls {
			group := fmt.Sprintf("synneutral:%s:%d", lang, ti)
			for _, g := range n.groups {
				xs = append(xs, toxItem{text: strings.ReplaceAll(tpl, "{G}", g), origin: "syn-neutral-" + lang, group: group})
			}
		}
	}
	return xs
}
