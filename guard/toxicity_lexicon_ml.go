package guard

// The structural lexicon: group nouns (identity terms, with the inflected
// forms a sentence uses), broad contempt and violence predicates, negation,
// reporting verbs, counter-speech cues, warm words and pronouns, in the
// spec's languages. These classes feed the model as structural features
// (a group and a contemptuous predicate in  clause, not negated, not
// reported), which carry from  language to another once the model has
// learnt them from any; only cGroup, cNeg and cCue also steer the
// high-precision rules in toxicity_rules.go. Hindi is listed in Devanagari
// and in the romanised form chat uses.
var toxStructLists = []struct {
	class wordClass
	words string
}{
	{cGroup, `woman girls girl gays gay lesbians lesbian transgender transgenders transsexuals transsexual bisexuals
	homosexual queers queer jew jewish muslim islam hindus sikhs atheists black africans asian latinos hispanics
	immigrant migrant refugee foreigner cripples handicapped minorities natives indigenous aboriginals
	frau mädchen schwule schwuler schwulen lesbe lesben transmenschen transfrauen transleute jude juden jüdin muslim
	moslems moslem christen schwarzen schwarzer ausländern flüchtlingen flüchtling migrant asylanten asylant
	behinderten behinderter krüppel zigeuner sinti araber türken afrikaner asiaten homosexuelle homos
	mujer chicas homosexuales maricas lesbianas lesbiana transexuales judío judía judías musulmán musulmanas negro
	negras negra indígenas indios inmigrante migrantes refugiado extranjero discapacitados discapacitado minusválidos
	moros latinos árabes
	femme filles homos gay lesbiennes lesbienne transsexuels juif juive musulman musulmanes noir noires blacks
	immigré immigrants migrants migrant réfugié étranger handicapés handicapé handicapées gitans roms
	mulher meninas gay homossexuais bichas lésbicas lésbica transexuais judeu judia muçulmano negros negro negras pretos
	indígenas índios imigrante refugiados refugiado estrangeiros deficientes deficiente ciganos nordestinos
	donna ragazze omosessuali lesbiche lesbica transessuali ebreo ebrea musulmano musulmane nero nere negri immigrato
	migranti migrante rifugiato straniero disabili disabile handicappati zingari
	vrouw meisjes homo homos homoseksuelen homoseksueel lesbiennes transgenders transgender jood joodse moslim zwarte
	immigrant migranten vluchteling gehandicapten gehandicapte zigeuners marokkanen turken
	kobiet kobietom kobietami kobieta kobiecie gejów gejami gejom gej homoseksualiści homoseksualistów pedały lesbijki
	lesbijek transpłciowe transpłciowych transpłciowi żydów żydami żydom żyd muzułmanów muzułmanami czarnych czarnymi
	azjaci azjatów azjatami imigrantów imigrantami uchodźców niepełnosprawni niepełnosprawnych niepełnosprawnymi
	cyganie cyganów ukraińcy
	женщин женщинам женщина бабы геев гомосексуалы педики лесбиянки трансгендеры евреев еврей жиды мусульман чёрные
	черных негры мигрантов иммигранты беженцев инвалиды инвалидов цыгане азиаты кавказцы хачи
	kadınları kadınlara kadın eşcinselleri eşcinsel geyler lezbiyenler transseksüeller translar yahudileri yahudi
	müslümanları siyahları zenciler göçmenleri mültecileri suriyeliler engelliler engellileri kürtler çingeneler araplar
	kvinnorna kvinna bögar bögarna homosexuella lesbiska transpersoner judarna jude muslimerna invandrarna flyktingarna
	funktionshindrade handikappade zigenare araber
	النساء نساء المرأة امرأة الستات المثليين المثليون مثليين المثلين الشواذ شواذ المتحولين متحولين اليهود يهود
	المسلمين المسلمون مسلمين السود سود الزنوج المهاجرين مهاجرين اللاجئين لاجئين الأجانب الاجانب المعاقين المعاقيين
	معاقين العرب
	औरतें औरतों महिलाएं महिलाओं मुसलमान मुसलमानों मुस्लिम हिजड़े हिजड़ों समलैंगिक दलित दलितों शूद्र यहूदी ईसाई विकलांग
	शरणार्थी aurat aurate auraton aurato aurten auraten mahilaon mahilayen musalman musalmano musalmanon musalmaan
	mulle mullo hijre hijro hijron hijra shudra shudro shudron dalit dalito dalito assamese bihari biharis negro negroes
	videshi videshiyo apahij viklang samlaingik`},
	{cPredX, `disgusting disgust disgusted sick sickening revolting repulsive vile gross worthless inferior filth rubbish waste
	plague disease virus cancer pests parasites vermin subhuman ignorant evil dangerous nothing worst vomit puke
	despicable primitive barbaric backward deserve deserves pathetic cockroaches rats animals
	widerlich widerlichen ekelhaft ekelhaften eklig ekel angewidert kotzen abschaum dreck müll abfall plage virus pest
	seuche parasiten schmarotzer ratten ungeziefer tiere wertlos wertloser wertlose wertlosen nutzlos minderwertig
	dumm dümmsten dumme ignorant schlimmsten schlimmeres schlimmer krank wut hasse hassen hasst verabscheue verachte
	verachtung drecksschweine schweine abartig pervers gefährlich kriminell verbrecher vergewaltiger faul schmutz
	schmutzig widert untermenschen scheiß scheiße menschlicher
	asco asquerosos asquerosas asqueroso asquerosa repugnantes repugnante basura escoria plaga parásitos ratas
	cucarachas animales bestias inútiles inferiores estúpidos estúpidas idiotas ignorantes malditos despreciables
	peste enfermedad virus cáncer mierda peor peores odio odiar odia odian desprecio desprecian detesto vomitar cerdos
	sucios criminales violadores terroristas ladrones infrahumanos
	dégoûtants dégoûtantes dégoûte dégoût répugnants répugnantes ordures déchets racaille vermine parasites rats
	cafards animaux bêtes inutiles inférieurs inférieures stupides débiles  connes idiots ignorants pires pire
	peste fléau virus cancer merde déteste détestent hais haine méprise mépris vomir porcs  criminels violeurs
	terroristes voleurs 
	nojentos nojentas nojo repugnantes lixo escória praga parasitas ratos baratas animais bestas inúteis inferiores
	estúpidos estúpidas idiotas ignorantes piores pior peste doença vírus câncer merda odeio odiar odeiam desprezo
	desprezíveis vomitar porcos sujos criminosos estupradores terroristas ladrões
	disgustosi disgustose disgusto schifo schifosi schifose ripugnanti spazzatura feccia piaga parassiti ratti
	scarafaggi animali bestie inutili inferiori stupidi stupide idioti ignoranti peggiori peggio peste malattia virus
	cancro merda odio odiare odiano disprezzo spregevoli vomitare maiali porci sporchi criminali stupratori terroristi
	ladri subumani
	walgelijk walgelijke walg misselijk afschuwelijk afval tuig uitschot plaag parasieten ratten kakkerlakken
	ongedierte beesten dieren nutteloos nutteloze waardeloos waardeloze minderwaardig minderwaardige dom domme idioten
	ergste pest ziekte virus kanker stront haat haten verafschuw minachting kotsen varkens vies vieze criminelen
	verkrachters terroristen dieven
	obrzydliwi obrzydliwe obrzydzenie wstręt wstrętni odraża śmieci ścierwo zaraza plaga pasożyty szczury karaluchy
	robactwo zwierzęta bydło bezużyteczni bezwartościowi gorsi głupi głupie idioci najgorsi najgorsze choroba wirus
	rak gówno nienawidzę nienawidzi nienawiść pogardzam pogarda rzygać świnie brudni przestępcy gwałciciele
	terroryści złodzieje podludzie
	отвратительные отвратительны мерзкие мерзость противны тошнит мусор отбросы мразь мрази быдло зараза чума
	паразиты крысы тараканы животные скоты твари бесполезные никчемные низшие тупые глупые идиоты худшие болезнь
	вирус рак дерьмо ненавижу ненавидеть ненависть презираю презрение свиньи грязные преступники насильники
	террористы воры недочеловеки
	iğrenç iğreniyorum tiksinç tiksiniyorum çöp pislik pislikler leş bela veba parazit parazitler fareler
	hamamböcekleri hayvanlar hayvan değersiz aşağılık aptal aptallar salak hastalık virüs kanser bok nefret
	iğrenirim domuzlar pis suçlular tecavüzcüler teröristler hırsızlar
	äckliga äcklig äckel vidriga motbjudande skräp avskum pest parasiter råttor kackerlackor ohyra djur odjur
	värdelösa underlägsna dumma idioter värsta sjukdom virus cancer  hatar  avskyr förakt kräkas svin
	smutsiga kriminella våldtäktsmän terrorister tjuvar
	مقرف مقرفين مقرفة قرف قذرين قذارة زبالة قمامة حثالة وباء طاعون طفيليات جرذان صراصير حيوانات حيوان بهايم
	كلاب خنازير حشرات تافهين أغبياء اغبياء أسوأ اسوأ مرض سرطان أكره اكره بكره يكره كره احتقر مجرمين ارهابيين لصوص
	घृणा नफरत नफ़रत कचरा गंदगी कीड़े जानवर गंदे घटिया बेकार नीच मूर्ख बेवकूफ बीमारी
	nafrat ghrina ghrna kachra kachre gandagi gande ganda gandi ghatiya bekaar bekar neech kide keede keedon
	kido janwar janwaro jaanwar janvar suar suvar kutte bewakoof murkh bimari beemari bojh pagal gadhe`},
	{cViolentX, `kill killed killing murder murdered shoot shot hang hanged burn burned torture tortured rape raped
	stab stabbed beat slaughter exterminate eliminate wipe gas gassed lynch  death dead suffer execute executed
	töten tötet getötet umbringen umgebracht bringe erschießen erschieß erschossen abstechen abgestochen erhängen
	erhängt hängen hinrichten hingerichtet vergasen vergast foltern gefoltert vergewaltigen vergewaltigt abschlachten
	abgeschlachtet ermorden ermordet mord erdrosseln verprügeln angreifen vernichten ausrotten auslöschen verbrennen
	tod todesstrafe sterben leiden
	matar mataré matarlos matarlas maten muertos muertas muerte morir mueran asesinar asesinados asesinadas ejecutar
	ejecutados fusilar fusilados disparar dispararé colgar colgados ahorcar quemar quemados torturar torturados
	violar violaré apuñalar golpear exterminar exterminados eliminar eliminados sufrir gasear
	tuer tuerai tués tuées tuez mort morts mortes mourir meurent assassiner assassinés exécuter exécutés fusiller
	abattre abattus pendre pendus brûler brûlés torturer torturés violer violerai poignarder frapper exterminer
	exterminés éliminer éliminés souffrir gazer gazés égorger
	matar matarei matem mortos mortas morte morrer morram assassinar assassinados executar executados fuzilar atirar
	enforcar enforcados queimar queimados torturar torturados estuprar estuprarei esfaquear bater exterminar
	exterminados eliminar eliminados sofrer
	uccidere ucciderò uccisi uccise ammazzare ammazzerò ammazzati morti morte morire muoiano assassinare assassinati
	giustiziare giustiziati fucilare sparare impiccare impiccati bruciare bruciati torturare torturati stuprare
	stuprerò accoltellare picchiare sterminare sterminati eliminare eliminati soffrire gasare
	doden dood vermoorden vermoord vermoordt neerschieten doodschieten schieten ophangen opgehangen verbranden
	martelen gemarteld verkrachten verkracht neersteken steken slaan uitroeien uitgeroeid elimineren executeren
	lijden vergassen sterven
	zabić zabiję zabijać zabici zabite zabijemy śmierć umrzeć umierać zamordować zamordowani rozstrzelać zastrzelić
	powiesić powieszeni spalić spaleni torturować zgwałcić zgwałcę dźgnąć pobić wytępić wytępieni cierpieć zagazować
	убить убью убивать убиты убьём смерть умереть умрут сдохнуть сдохли расстрелять застрелить повесить сжечь
	пытать изнасиловать зарезать избить уничтожить истребить перебить страдать
	öldürmek öldüreceğim öldürün öldürülmeli öldürmeli ölüm ölmeli ölsün ölmek vurmak asmak asılmalı yakmak
	işkence tecavüz bıçaklamak dövmek
	döda dödas dödade mörda mördas mördade död döden skjuta skjutas hänga hängas bränna tortera våldta knivhugga
	utrota utplåna lida gasa
	اقتل أقتل اقتلوا قتل يقتل هقتل سأقتل يموتوا يموتون الموت موت اعدام إعدام يعدموا احرق حرق تعذيب اغتصب اغتصاب
	اذبح ذبح ابادة إبادة نبيد
	मार मारो मारना मारेंगे मारूंगा मौत मरो मरना जला जलाओ फांसी कत्ल बलात्कार
	 maaro maro maarna marna maarunga maarenge marenge khatam jala jalana jalado phansi katl qatl
	balatkar maut marne`},
	{cNeg, `nor neither none dont doesnt didnt wont wouldnt shouldnt
	niemals nichts kein keiner keines niemand
	jamás ningún ninguna ninguno nadie ni
	ne pas jamais aucun aucune  
	nenhum nenhuma ninguém nem
	nessun nessuna nessuno niente
	niemand nooit geen
	nigdy żaden żadna nikt
	никогда ни никто
	asla hiç hiçbir
	aldrig ingen ingenting
	لا ليس ليسوا لن مش
	नहीं मत कभी nahi nahin  kabhi`},
	{cReport, `say saying says said call calling called calls claim claims claiming claimed describe describing described
	refer referring statement statements tweet tweets tweeted posted wrote writing shouted chanted told tell telling
	threaten threatening threats threatened quote quoted quoting phrase sentence comment comments
	sagen sagt sagst gesagt bezeichnen bezeichnest bezeichnet nennen nennst genannt behauptest behaupten behauptet
	schreiben schreibst geschrieben drohst drohen droht anprangern aussage aussagen kommentar
	decir dice dices dijo decía llamar llamas llamó llaman afirmar afirmas escribir escribiste amenazar amenazas
	frase comentario
	dire dis dit disent disait traiter traites appeler appelles qualifier écrire écris menacer menaces propos
	dizer diz dizem disse chamar chama chamou afirmar escrever escreveu ameaçar ameaças frase comentário
	dici dice detto dicono chiamare chiami chiamato definire scrivere scritto minacciare minacce commento
	zeggen zegt zei noemen noemt beweren schrijven schreef dreigen bedreigen opmerking
	mówić mówisz mówi powiedzieć nazywać nazywasz nazwać twierdzić pisać pisałeś grozić groźby
	говорить говоришь говорят сказать называть называешь называют писать пишешь угрожать угрозы
	söylemek söylüyorsun diyorsun demek demen yazmak tehdit
	säga säger kalla kallar skriva skriver hota hotar
	تقول يقول قول تسمي وصف تكتب تهديد
	kehna kehte kahna bolna bolte kehta कहना कहते बोलना`},
	{cCue, `discrimination prejudice stereotype stereotypes hatespeech dehumanising dehumanizing abusive harassment
	rassistisch sexistisch homophob diskriminierung vorurteile hetze
	sexista homófobo discriminación prejuicios
	sexiste homophobe discrimination préjugés
	machista homofóbico discriminação preconceito
	sessista omofobo discriminazione pregiudizi
	seksistisch homofoob discriminatie vooroordelen
	seksistowski homofobiczny dyskryminacja uprzedzenia
	расист расистский дискриминация
	ayrımcılık
	diskriminering
	عنصري عنصرية تمييز
	bhedbhav`},
	{cPositive, `love loves adore admire respect great wonderful amazing lovely brilliant beautiful valued welcome equal
	proud pride stolz stolze orgulloso orgullosa orgullo fier fière fierté orgulho orgulhoso orgulhosa orgoglioso orgogliosa
	orgoglio trots dumą dumny dumna горжусь гордость gurur gururlu stolt stolta فخور فخورة garv गर्व
	 friendly valuable smart
	liebe lieben bewundere respektiere großartig wunderbar toll wertvoll willkommen
	amo quiero admiro respeto geniales maravillosos increíbles bienvenidos
	aime adore admire respecte formidables merveilleux géniaux bienvenus
	adoro admiro respeito incríveis maravilhosos
	ammiro rispetto fantastici meravigliosi benvenuti
	hou houd bewonder respecteer geweldig fantastisch welkom
	kocham uwielbiam podziwiam szanuję wspaniali wspaniałe
	люблю обожаю уважаю замечательные прекрасные
	seviyorum severim saygı harika
	älskar beundrar respekterar underbara fantastiska
	احب أحب نحب رائعين
	pyaar pyar izzat pasand`},
	{cProfane, `fuck fucking fucked fuckin shit shitty damn damned hell crap bloody goddamn wtf
	scheiße scheiß verdammt verdammte mist mierda joder coño hostia carajo merde putain bordel porra caralho merda
	cazzo cazzate minchia verdomme godverdomme shit kut kurwa kurde cholera блин блять бля хрен kahretsin lanet siktir
	fan jävla jävlar helvete
	بتبا تبا زفت dhatt bakwas`},
	{cCopula, `am soy somos bin suis sommes sou siamo jestem jesteśmy ben`},
	{cPositive, `rights right derecho derechos recht rechte droit droits direito direitos diritto diritti prawo prawa права
	haklara hakkı rättigheter حقوق حق adhikar`},
	{cYou, `أنت انت انتي إنت انتو انتم aap tum tu`},
	{cFirst, `i me my we us our myself ich mir mich wir uns yo nosotros je moi nous eu nós io noi ik wij ja my я мы ben
	biz jag vi  انا أنا نحن   mujhe मैं हम मुझे`},
	{cPron, `they them their theirs sie ihnen ellos ellas   ils elles eux eles elas loro zij ze hen hun oni 
	они их им onlar onları  هم unhe unko`},
}

// toxCJKClasses are the structural classes of scripts written without
// spaces, found as substrings of a run of such letters.
var toxCJKClasses = []struct {
	class wordClass
	words string
}{
	{cGroup, `女人 女性 妇女 娘们 同性恋 基佬 男同 女同 跨性别 变性人 黑人 黑鬼 穆斯林 回回 犹太人 移民 外国人 难民 残疾人 残废
	亚洲人 老外 少数民族 女 ゲイ ホモ レズ トランス 黒人 ユダヤ人 イスラム教徒 ムスリム 外国人 難民 障害者 朝鮮人 韓国人 中国人 チョン`},
	{cPredX, `恨 讨厌 厌恶 恶心 垃圾 人渣 败类 害虫 蟑螂 老鼠 畜生 畜牲 动物 寄生虫 瘟疫 病毒 癌症 蠢 愚蠢 低等 劣等 下贱 废物 没用 不配 该死
	最差 最糟 肮脏 脏 嫌い 大嫌い 憎い 気持ち悪い キモい ゴミ クズ ゴキブリ ネズミ 動物 寄生虫 病気 バカ 馬鹿 劣等 価値がない`},
	{cViolentX, `杀 杀死 杀光 杀掉 弄死 打死 枪毙 处死 绞死 烧死 消灭 灭绝 强奸 折磨 砍死 死 殺す 殺せ 殺して 死ね 消えろ 駆除 絶滅 レイプ`},
	{cNeg, `不是 并不 从不 绝不 没有 不会 不应该 不应 不要 不能 别 決して じゃない ではない ない`},
	{cReport, `说 称 认为 言论 言う 言って 呼ぶ`},
	{cCue, `歧视 种族主义 仇恨 差別`},
	{cPositive, `爱 喜欢 尊重 很棒 好き 尊敬 素晴らしい`},
	{cFirst, `我 我们 私 僕 俺`},
	{cYou, `你 你们 お前 おまえ あんた てめえ 貴様`},
	{cProfane, `他妈的 妈的 该死 くそ クソ`},
	{cPron, `他们 她们 彼ら あいつら`},
}
