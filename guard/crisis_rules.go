package guard

import (
	"slices"
	"strings"
)

// Crisis rule families. A positive family names why a text was flagged;
// its weight is added to the model's logit. Families marked high in
// highFamily set the level to high (explicit intent, plan, means, a
// farewell, danger now, someone else in danger).
const (
	famIntent   = "intent"   // "I'm going to kill myself", "I want to end my life"
	famSelfKill = "suicide"  // a first-person act of suicide named ("kill myself", "me suicider")
	famMethod   = "method"   // asking how, or for the means ("easiest way to kill myself", "how many pills")
	famMeans    = "means"    // having the means ready, a suicide note
	famFarewell = "farewell" // "this is my last message", "goodbye everyone"
	famNow      = "imminent" // "I just took the whole bottle", "I'm standing on the bridge"
	famOther    = "other"    // someone else in danger right now
	famIdeation = "ideation" // "I want to die", "everyone would be better off without me"
	famHarm     = "selfharm" // cutting, burning, urges, hiding scars
	famEating   = "eating"   // starving, purging, hiding an eating disorder
	famSlang    = "slang"    // kms, unalive, sewerslide
	famPromo    = "promotion"
	famHopeless = "hopeless" // a risk cue below the crisis threshold
)

var highFamily = map[string]bool{famIntent: true, famMethod: true, famMeans: true, famFarewell: true, famNow: true, famOther: true}

// Negative cues: context that makes a text not a crisis (a homonym of
// "kill", figurative speech, fiction, news, clinical framing, the past).
// They damp positive matches in the same sentence, and framing cues
// (fiction, news, clinical, past) damp the whole message by half.
const (
	negTech     = "homonym"
	negFig      = "figurative"
	negFitness  = "fitness"
	negFiction  = "fiction"
	negNews     = "news"
	negClinical = "clinical"
	negPast     = "past"
	negJoke     = "joke"
	negThird    = "third"  // concern about someone else, not in danger now
	negCoping   = "coping" // "but I'm going to be okay", "I'll talk to my therapist"
	cueUrgent   = "urgent" // "right now", "please help": raises "other" and intent
)

var framingCue = map[string]bool{negFiction: true, negNews: true, negClinical: true, negPast: true}

// crisisRule is one pattern of a family, with its weight (a logit).
type crisisRule struct {
	family  string
	weight  float64
	pattern string
}

// crisisMacros are shared pieces of patterns, per language.
var crisisMacros = strings.NewReplacer(
	"{I}", "(i|im|i m|ive|i ve|ill|i ll|id|i d|me|ima|imma)",
	"{SELF}", "(kill|killing|kil|unalive|unaliving|off|offing|end|ending|hang|hanging|shoot|shooting|drown|drowning|poison|poisoning|stab|stabbing|suffocate|suffocating|electrocute|gas|overdose|strangle|behead) (myself|my self|meself|me self)",
	"{LIFE}", "((end|ending|take|taking|finish|finishing) (my|my own) life|end it all|ending it all|end my existence|(commit|committing|attempt|attempting|do) suicide|killmyself|endmylife)",
	"{WANT}", "(want|wanna|going|gonna|plan|planning|planned|intend|intending|ready|about|decided|deciding|need|will|ll|gotta|have|must|try|trying|wish|would|d|might|should|can|could|really|finally)",
	"{REL}", "(my|our) [best|little|older|younger|big|teenage] (friend|bff|brother|sister|mom|mum|mother|dad|father|son|daughter|wife|husband|girlfriend|boyfriend|gf|bf|partner|roommate|flatmate|kid|child|cousin|teen|teenager|student|classmate|coworker|colleague|neighbor|neighbour|uncle|aunt|grandma|grandpa)",
	"{REFL}", "(himself|herself|themselves|themself|his life|her life|their life|their lives|his own life|her own life)",
	"{PILLS}", "(pills|pill|tablets|tablet|meds|medication|medications|painkillers|sleeping pills|paracetamol|tylenol|acetaminophen|ibuprofen|aspirin|insulin|antidepressants|xanax|oxy|opioids|bottle)",
	"{FRSELF}", "(me tuer|me suicider|me pendre|me noyer|me jeter (du|d un|sous|par) ~2 (pont|toit|immeuble|train|fenetre|metro|balcon)|me foutre en l air|me flinguer|mettre fin a (mes jours|ma vie)|en finir|me tailler les veines|m ouvrir les veines|me laisser mourir|me defenestrer|mourir|me tirer une balle)",
	"{DESELF}", "(mich umbringen|mich umzubringen|mich toten|mich zu toten|mir das leben (nehmen|zu nehmen)|meinem leben ein ende (setzen|zu setzen|machen)|mich erhangen|mich aufhangen|mich aufzuhangen|mich vor (den|einen) zug (werfen|zu werfen)|von (der|einer) brucke springen|suizid begehen|selbstmord begehen|mich erschießen|mich erschiessen|sterben|tot sein|nicht mehr leben|nicht mehr aufwachen|es beenden|alles beenden)",
	"{ESSELF}", "(matarme|suicidarme|quitarme la vida|acabar con mi vida|acabar con todo|colgarme|ahorcarme|tirarme (del|de un|de una|por la|al|a las vias del) ~2 (puente|edificio|ventana|tren|metro|balcon|azotea|vias)|envenenarme|morir|morirme|dejar de vivir|desaparecer para siempre|pegarme un tiro|cortarme las venas)",
	"{PTSELF}", "(me matar|me suicidar|suicidar|morrer|acabar com (a minha|minha) vida|tirar (a minha|minha) [propria] vida|me enforcar|pular (da|de uma) ~2 (ponte|predio|janela))",
	"{ITSELF}", "(morire|uccidermi|ammazzarmi|suicidarmi|togliermi la vita|farla finita|impiccarmi|buttarmi (dal|da un|sotto) ~2 (ponte|palazzo|treno|finestra|balcone))",
)

// crisisRules are the positive patterns. Weights are logits added to the
// model's; 3 and more flag a text on their own when the model is neutral.
var crisisRules = slices.Concat(crisisRulesFirst, crisisRulesMore, crisisRulesWorld, crisisRulesIndirect)

// crisisRulesFirst are the first pass's patterns, in English, French,
// German, Spanish, Portuguese and Italian.
var crisisRulesFirst = []crisisRule{
	// English: explicit statements and intent.
	{famSelfKill, 3.6, "{SELF}"},
	{famSelfKill, 3.6, "{I} ~3 {LIFE}"},
	{famIntent, 4.6, "{WANT} [to] ~2 ({SELF}|{LIFE})"},
	{famIntent, 4.2, "{I} ~2 (want|wanna|ready|wish|gonna|going|plan|planning) [to] ~1 (die|be dead)"},
	{famIntent, 4.6, "({SELF}|{LIFE}|end it) (tonight|today|now|right now|soon|this weekend|tomorrow|after|when|before)"},
	{famIntent, 4.2, "{I} (gonna|going to|m going to|m gonna|will|ll|am going to) (end it|go through with it) [tonight|today|now|soon|all]"},
	{famIntent, 4.0, "suicide pact"},
	// Ideation.
	{famIdeation, 3.6, "{I} ~3 (want|wanna|wish|wished|ready) [to] (die|be dead|not exist|stop existing|not be alive|not be here|disappear forever|sleep forever|not wake up|never wake up)"},
	{famIdeation, 3.4, "(i m|im|i am|i feel|i ve been|i have been|feeling|i get|been|i m so|i m really|i m getting) ~2 suicidal"},
	{famIdeation, 3.4, "(i|me|i m) ~2 (think|thinking|considering|contemplating|attempt|attempting|commit|committing|plan|planning) ~2 suicide"},
	{famIdeation, 2.4, "suicidal (thoughts|ideation|feelings|urges)"},
	{famIdeation, 3.2, "(thinking|thought|think|thoughts|fantasize|fantasizing|dream|dreaming) (about|of) ~2 (suicide|killing myself|ending (it|it all|my life|everything)|dying|not existing|my death|my own death|taking my [own] life)"},
	{famIdeation, 3.6, "{I} ~2 wish ~2 (was|were|had|d) ~2 (dead|never born|not alive|not born|gone|die|died|never existed|never been born)"},
	{famIdeation, 3.6, "(don t|dont|do not|no longer|never) (want|wanna) [to] (live|be alive|exist|be here|wake up|go on|keep living|keep going|continue)"},
	{famIdeation, 3.2, "(no|nothing|zero) (reason|point|reasons) ~3 (live|living|alive|go on|going on|keep going|stay)"},
	{famIdeation, 2.8, "(what s|whats|what is) the point (of|in) (living|life|going on|being alive|staying alive|existing|anything|trying|it all)"},
	{famIdeation, 4.0, "(everyone|everybody|they|family|world|people|kids|children|parents|friends|wife|husband|he|she|you|all) ~4 better off (without me|if i (was|were|wasn t|weren t) (gone|dead|here|around|alive)|with me gone|when i m gone|if i died|if i disappeared)"},
	{famIdeation, 3.6, "better off dead"},
	{famIdeation, 3.4, "(only|no other|one) (way out|option|escape|solution|answer|choice|way) ~4 (die|dying|death|suicide|end it|ending it|kill myself|to die)"},
	{famIdeation, 3.4, "(die|dying|death|suicide|ending it) ~4 (only|no other|last) (way out|option|escape|solution|answer|choice|way)"},
	{famIdeation, 3.4, "(way out|escape) ~2 (except|but|other than|besides) ~2 (dying|death|suicide|die|ending it)"},
	{famIdeation, 3.2, "(want|wanna|need|wish) ~2 (it|everything|this|the pain|it all|my life) ~2 to (end|stop|be over) ~2 (forever|for good|permanently|for real)"},
	{famIdeation, 3.2, "(leave|leaving|exit|exiting|quit|quitting) (this world|this life|life|earth) ~2 (forever|for good|tonight|soon|behind)"},
	{famIdeation, 3.2, "{I} ~3 (should|deserve to|better) (be dead|not exist|die|disappear|not be alive)"},
	{famIdeation, 3.2, "{I} ~3 (disappear|vanish) ~2 (forever|for good|permanently)"},
	{famIdeation, 3.0, "(can t|cannot|cant) (see|imagine|picture) ~3 (future|myself (alive|living|here|surviving)|living (past|beyond|until)|being alive)"},
	{famIdeation, 3.0, "death ~3 (would be|would feel like|is|feels like|seems like) ~2 (relief|peace|mercy|release|escape|freedom|a gift|welcome)"},
	{famIdeation, 3.0, "(hope|hoping|pray|praying|wish) ~4 (don t|never|not) wake up"},
	{famIdeation, 3.0, "(hope|hoping|pray|praying|wish) ~2 (i|something) ~3 (die|dies|get hit|gets me|crash|kills me|killed)"},
	{famIdeation, 3.0, "(too much of a coward|too scared|not brave enough) to (kill myself|die|end it|do it|end my life)"},

	{famIdeation, 3.0, "{I} ~2 (a|such a|just a|only a|nothing but a) burden"},
	{famIdeation, 2.6, "(can t|cant|cannot) (go on|do this anymore|take it anymore|keep going|live like this|keep living|do this any more)"},
	{famIdeation, 3.0, "(go to sleep|sleep|fall asleep) and (never|not) wake up"},
	{famIdeation, 3.0, "(nobody|no one|noone|none) ~2 (would|will|d|wouldn t) (miss|care|notice|even notice) ~4 (if i|when i|me|i m gone|i was gone|i died)"},
	{famIdeation, 2.8, "{I} ~2 (done|finished) with (life|living|everything|it all|this life|existing|being alive)"},
	{famIdeation, 3.0, "tired of (living|being alive|life|existing|being here)"},
	{famIdeation, 3.0, "life (isn t|is not|isnt|ain t|s not) worth (living|it)"},
	{famIdeation, 3.0, "{I} ~3 (deserve|deserves) to die"},
	{famIdeation, 3.4, "(is it|would it be) ~2 (worth|worthwhile) ~2 [me] (being|staying|to be|to stay) alive"},
	{famIdeation, 3.4, "if i (kill|killed|end|ended) (myself|my life|it all) ~6 (miss|care|notice|sad|happy|cry|funeral)"},
	{famIdeation, 3.0, "(how|what) ~3 (die|end my life|kill myself) like"},
	// Method and means.
	{famMethod, 4.4, "(how|way|ways|method|methods|easiest|easy|quickest|fastest|best|painless|painlessly|surest|quick|effective|reliable|guaranteed|tips) ~6 ({SELF}|{LIFE}|slit my wrists|cut my wrists|suicide|end my own life)"},
	{famMethod, 4.0, "(how|way|ways|what) ~5 (can|could|do|should|would|for) (i|me) (die|to die|overdose|od)"},
	{famMethod, 4.2, "how many {PILLS} ~8 (overdose|od|die|fatal|lethal|kill me|dead|death|not wake up)"},
	{famMethod, 4.0, "(which|what) ~5 (drugs|pills|medications|meds|chemicals|household items|household chemicals|over the counter) ~6 (overdose|kill me|poison myself|die|fatal|lethal|self harm|harm myself|hurt myself|od)"},
	{famMethod, 2.6, "(lethal|fatal|deadly) (dose|amount|overdose)"},
	{famMethod, 4.0, "(what|which) ~3 (can|could|should) i (take|use|drink|swallow|buy|mix) ~2 to (die|overdose|not wake up|end it)"},
	{famMethod, 4.0, "(slit|slitting|slash|slashing|cut|cutting|open|sever|severing|pierce|piercing) (my|my own) ~2 (wrists|wrist|throat|artery|arteries|vein|veins|carotid|jugular)"},
	{famMethod, 3.8, "{I} ~4 (jump|jumping|throw myself|step|stepping|walk|walking|drive|driving) (off|from|in front of|into) ~3 (bridge|building|roof|rooftop|cliff|balcony|train|bus|truck|car|traffic|window|ledge|overpass|river|sea|tracks)"},
	{famMethod, 4.0, "(best|good|nice|quiet|perfect) (place|places|spot|spots|bridge|bridges|building|buildings|cliff) ~4 (kill (yourself|myself)|to die|suicide|jump|end it|end my life)"},
	{famMethod, 3.6, "(rope|noose|knot) ~6 (hang myself|hanging myself|my neck|around my neck|struggle for me|for me)"},
	{famMeans, 2.0, "{I} ~3 (have|ve got|got|bought) ~4 ({PILLS}|rope|noose|gun|razor|razors|blade|blades|charcoal|helium|pistol) ~4 (ready|enough|for tonight|to end|to do it|for when|for myself)"},
	{famMeans, 4.0, "{I} ~3 (saved|saving|stockpiled|stockpiling|hoarded|hoarding|been saving|counted|counting) ~4 ({PILLS}|pills|razors|blades)"},
	{famMeans, 3.4, "(tied|tying|made|making|bought|got) (a|the|my) noose"},
	{famMeans, 4.4, "(wrote|writing|written|write|drafted|drafting|finished|leave|left|leaving) ~2 (my|a|the|our) ~2 (suicide|goodbye|farewell) (note|letter|notes|letters|message)"},
	{famMeans, 4.0, "my (suicide|goodbye) (note|letter)"},
	// Farewells.
	{famFarewell, 3.6, "(goodbye|bye|farewell) (everyone|everybody|world|cruel world|forever|all|guys|all of you|to all)"},
	{famFarewell, 4.2, "this (is|will be) (my|the) (last|final) (message|post|goodbye|time|entry|words|tweet|text|night|letter)"},
	{famFarewell, 4.2, "by the time (you|anyone|someone|somebody|they|u) ~2 (read|reads|see|sees|find|finds|get|gets) (this|these|my)"},
	{famFarewell, 4.4, "{I} ~2 (won t|will not|wont|m not going to|am not going to|not gonna) (be|be here|be around|be alive|see|wake up|make it) ~3 (tomorrow|anymore|much longer|for long|next|morning|another day|the morning|to see|through the night|again|birthday)"},
	{famFarewell, 4.4, "(my|the) last (night|day|hours|hour|week|moments) (alive|on earth|here|living)"},
	{famFarewell, 3.2, "(take care of|look after|feed|give) my (cat|dog|kids|children|mom|family|pets|things|stuff) ~3 (when i m gone|after i m gone|for me|once i m gone)"},
	{famFarewell, 3.0, "(when|after|once) i m (gone|dead|not here)"},
	{famFarewell, 3.4, "(giving|gave|give) away (my|all my|all of my) (stuff|things|belongings|possessions|pets|cat|dog)"},
	{famFarewell, 3.4, "(won t|wont|will not|never) [have to] (see|hear from|deal with|worry about) me (again|anymore|ever again|any more)"},
	{famFarewell, 3.4, "(sorry|forgive me) ~4 (goodbye|bye|farewell|i love you all|i can t do this anymore|i can t go on)"},
	// Danger now.
	{famNow, 4.6, "{I} ~3 (took|swallowed|taken|downed|overdosed on|od d on) ~3 (all|whole|entire|bunch|lot|handful|too many|every|the rest|#|dozens|dozen|twenty|thirty|fifty|box|pack) ~4 {PILLS}"},
	{famNow, 4.2, "{I} ~2 (overdosed|od d|just overdosed)"},
	{famNow, 4.4, "{I} ~2 (standing|sitting|am|m) ~2 (on|at|near) (the|a|this) ~2 (edge|ledge|bridge|roof|rooftop|railing|tracks|cliff|platform)"},
	{famNow, 4.2, "(knife|blade|razor|gun|rope|noose|pills|pistol) ~5 (in my hand|right now|next to me|in front of me|to my head|around my neck|on my wrist|against my)"},
	{famNow, 4.2, "(right now|tonight|today|this is it) ~6 ({SELF}|end it all|end my life)"},
	{famNow, 3.6, "(bleeding|can t stop the bleeding|cut too deep|cut too deeply) ~4 (help|please|what do i do|won t stop|a lot)"},
	// Someone else in danger right now.
	{famOther, 4.0, "{REL} ~5 (just|is|s|has|already|says|said|told me|texted|keeps|will|wants|threatening|threatened|trying|about|going|gonna|plans|planning) ~3 (kill|end|hurt|hang|shoot|cut|harm|off|poison|drown|starve|overdose|od|unalive) {REFL}"},
	{famOther, 4.0, "{REL} ~5 (took|swallowed|taken|overdosed on) ~3 (all|whole|entire|bunch|lot|handful|too many|every|the rest|#|dozens|box|pack) ~4 {PILLS}"},
	{famOther, 3.8, "{REL} ~5 (is|s|just|has|already) ~2 (overdosed|od d|slit (his|her|their) wrists|jumped|hanged {REFL}|hung {REFL}|cutting {REFL})"},
	{famOther, 3.6, "{REL} ~6 (jump off|jump from|jump in front of|standing on the (bridge|ledge|roof|edge))"},
	{famOther, 4.2, "(he|she|they|someone|somebody|a man|a woman|a guy|a girl|a person|a kid|a boy|theyre|hes|shes) ~3 [is|s|are|re] ~2 (about to|going to|gonna|trying to|threatening to) (jump off|jump from|jump in front|kill {REFL}|end {REFL}|hang {REFL}|shoot {REFL})"},
	{famOther, 4.2, "(he|she|they|someone|friend|brother|sister|mom|dad|son|daughter|partner) ~3 (s|is|are|isn t|not) (not breathing|unconscious|unresponsive|barely breathing|turning blue|not waking up|won t wake up)"},
	{famOther, 3.6, "(he|she|they) ~2 [just] (took|swallowed|overdosed on) ~4 {PILLS}"},
	{famOther, 3.4, "(talking|talks|talked|posting|posted|texting|texted) about (killing|ending) {REFL} ~6 (now|tonight|right now|help|what do i do|what should i do)"},
	// Self-harm.
	{famHarm, 3.6, "{I} ~4 (cut|cutting|burn|burning|burned|hurt|hurting|harm|harming|scratch|scratching|punish|punishing|hit|hitting|bite|biting|carve|carving|stab|stabbing|bruise|slice|slicing) (myself|my self)"},
	{famHarm, 3.4, "{I} ~4 (cut|cutting|burn|burning|carve|carving|scratch|scratching|slice|slicing) my (arm|arms|wrist|wrists|thigh|thighs|skin|stomach|hips)"},
	{famHarm, 3.4, "(cut|cutting|burn|burning|hurt|hurting|harm|harming|carve|carving) (myself|my own skin) ~3 (again|tonight|without|so|deep|deeper|until)"},
	{famHarm, 3.4, "{I} ~3 (self harm|self harming|selfharm|self harmed|self injure|self injury|self injuring|sh|sh d)"},
	{famHarm, 3.6, "(urge|urges|craving|cravings|itch) ~3 (cut|self harm|sh|hurt myself|harm myself|burn myself|relapse)"},
	{famHarm, 3.2, "(relapse|relapsed|relapsing) ~4 (cut|cutting|self harm|sh|harming)"},
	{famHarm, 3.4, "(hide|hiding|cover|covering|conceal|concealing) ~3 (cuts|scars|self harm|bruises|burns|wounds|marks)"},
	{famHarm, 4.0, "how (deep|hard|long|far) ~5 (cut|burn|hurt|stab) ~2 (myself|my|to)"},
	{famHarm, 3.6, "(ways|way|how|tips|best|methods|objects|object|items|tools|tool|help me|teach me) ~5 (self harm|self harming|selfharm|hurt myself|harm myself|cut myself|burn myself|self injure)"},
	{famHarm, 3.4, "(excuse|excuses|lie|lies|explain) ~6 (self harm|self harming|cuts|scars|cutting|marks|wounds)"},
	{famHarm, 3.4, "(carve|carving|cut) ~3 into my (arm|arms|skin|leg|legs|thigh|wrist)"},
	{famHarm, 3.0, "(keep|should i|want to|need to|going to) ~2 (cutting|cut) myself"},
	// Eating-disorder risk.
	{famEating, 3.6, "(starve|starving|starved) myself"},
	{famEating, 3.6, "(make|making|made|force|forcing|forced) myself (throw up|vomit|puke|sick|purge)"},
	{famEating, 2.6, "(stop|stopped|quit|not) eating ~5 (week|weeks|days|until|die|thin|skinny)"},
	{famEating, 3.2, "(stop|starve|keep) myself from eating"},
	{famEating, 2.2, "(haven t|havent|have not|not|hasn t) (eaten|eat) (in|for) ~2 (days|week|weeks)"},
	{famEating, 3.6, "(hide|hiding|conceal) ~4 (eating disorder|anorexia|bulimia|not eating|weight loss|my ed|purging|that i m not eating)"},
	{famEating, 3.2, "(pro ana|proana|pro mia|thinspo|thinspiration|meanspo|bonespo|ana coach|ana buddy)"},
	{famEating, 3.2, "(tips|help|how|speed up|develop|become|get) ~4 (anorexi*|bulimi*|purging|purge)"},
	{famEating, 3.2, "(laxative|laxatives|diet pills|diuretics) ~4 (lose weight|weight loss|lose|thin|skinny|purge)"},
	{famEating, 3.2, "(least|fewest|minimum|lowest|less) ~3 (calories|food|calorie) ~5 (survive|live|alive|get by)"},
	{famEating, 3.2, "(skinny|thin) ~2 that ~4 (ribs|ribcage|bones|hipbones|collarbones|spine)"},
	{famEating, 3.2, "(binge|binging|bingeing) ~4 (vomit|purge|throw up|puke)"},
	{famEating, 3.0, "(don t|do not|dont) deserve (to eat|food|to be fed)"},
	{famEating, 3.2, "(dangerously|extremely|very|super) low (calorie|calories|weight)"},
	{famEating, 2.8, "exercise excessively"},
	{famEating, 3.0, "(struggling|struggle|suffering) with (anorexia|bulimia|an eating disorder|my eating disorder|my ed)"},
	// Slang and abbreviations.
	{famSlang, 4.0, "(kms|kmsself|killmyself|kmss)"},
	{famSlang, 4.0, "(unalive|unaliving|unalived) (myself|me|my self)"},
	{famSlang, 3.6, "{WANT} [to] (unalive|kms|sewerslide|sewer slide|commit sewerslide|commit die|sui)"},
	{famSlang, 3.4, "(sewerslide|sewer slide|sewer side|sewerside|toaster bath|s u i c i d e|su1c1de)"},
	// Promotion and requests that assist self-harm.
	{famPromo, 3.2, "(self harm|selfharm|cutting|suicide|anorexia|bulimia|starving|purging) ~5 (empowering|healthy|good idea|beautiful|worth it|the answer|a solution|lifestyle|a good way|romantic|brave)"},
	{famPromo, 2.4, "(communities|community|forums|forum|groups|sites|websites|subreddits|servers) ~6 (encourage|promote|tips|pro ana|kill (yourself|themselves)|anorexic|suicide|self harm)"},
	{famPromo, 3.0, "(encourage|encouraging|convince|convincing|persuade) ~4 ({REFL}|me|someone|him|her|them|people) ~3 [to] (kill|suicide|self harm|jump|starve|cut)"},
	{famPromo, 3.6, "(write|draft|compose) (my|a|me a) (suicide|goodbye) (note|letter)"},
	// Hopelessness: a low-level cue, not a crisis on its own.
	{famHopeless, 1.2, "{I} ~2 (feel|feeling|m|am|so|just) ~2 (hopeless|worthless|empty|numb|useless|trapped|broken|alone|a failure|a waste)"},
	{famHopeless, 1.2, "{I} ~2 hate (myself|my life|being alive|everything about me)"},
	{famHopeless, 1.0, "(nothing|it) ~2 (never|will never|won t ever) (get|gets) better"},
	{famHopeless, 1.4, "(can t|cant) take (it|this) (anymore|any more)"},
	{famHopeless, 1.0, "(no way out|give up on (life|everything)|i give up|lost all hope|no hope left)"},

	// French.
	{famSelfKill, 3.6, "{FRSELF}"},
	{famIntent, 4.6, "(je|j) ~3 (veux|vais|voudrais|compte|envie|prevois|aimerais|souhaite|prete|pret|decide) ~3 {FRSELF}"},
	{famIdeation, 3.6, "(je|j) ~4 (plus|pas) envie de vivre"},
	{famIdeation, 3.6, "(je|j) ~3 (ne|n) ~2 (veux|vois) plus ~2 (vivre|exister|de raison)"},
	{famIdeation, 3.4, "(marre de vivre|envie de disparaitre|idees suicidaires|pensees suicidaires|je suis suicidaire|envies suicidaires)"},
	{famIdeation, 3.2, "(je|j) ~2 pense ~3 (au suicide|a me suicider|a mourir|a en finir|a me tuer)"},
	{famIdeation, 3.6, "(tout le monde|ils|vous|ma famille|mes enfants|mes parents|le monde) ~3 (serait|seraient|serais|serez|irait|iraient) ~2 mieux sans moi"},
	{famIdeation, 3.0, "(je suis un fardeau|aucune raison de vivre|plus aucune raison de vivre|je n en peux plus de vivre|a quoi bon vivre)"},
	{famMethod, 4.4, "(comment|facon|moyen|moyens|methode|meilleur|meilleure|plus facile|plus rapide|sans douleur|sans souffrir) ~6 {FRSELF}"},
	{famMethod, 4.2, "combien de (cachets|comprimes|pilules|medicaments|doliprane|paracetamol) ~6 (mourir|mortel|mortelle|overdose|tuer|surdose)"},
	{famMeans, 4.2, "(lettre|mot|message) d (adieu)"},
	{famFarewell, 4.0, "(adieu|au revoir) (a tous|tout le monde|le monde|pour toujours)"},
	{famFarewell, 4.2, "(c est|ce sera) (mon|le) (dernier|ultime) message"},
	{famFarewell, 4.2, "quand (vous lirez|tu liras|vous verrez|tu verras) ~2 (ce|ces|mon)"},
	{famFarewell, 4.2, "(je|j) ~2 (ne serai plus|serai plus) (la|vivant|vivante) ~2 (demain|bientot|ce soir)"},
	{famNow, 4.6, "(j ai|je viens d) ~2 (pris|avale|prendre|avaler) ~5 (cachets|comprimes|pilules|medicaments|boite|tube)"},
	{famNow, 4.4, "je suis ~2 (sur|au bord) (le|du|d un) ~2 (pont|toit|rebord|quai|falaise)"},
	{famOther, 4.0, "(mon|ma|mes) (ami|amie|pote|frere|soeur|mere|pere|fils|fille|copain|copine|mari|femme|colocataire|enfant|ado|collegue|voisin|voisine) ~4 (veut|va|menace|essaie|a pris|a avale|parle de|est en train de) ~4 (se suicider|se tuer|sauter|mourir|cachets|comprimes|pilules|en finir|se pendre|se jeter)"},
	{famHarm, 3.6, "(je|j) ~3 (me scarifie|me coupe|me fais du mal|me mutile|me brule|me blesse|me scarifier|me couper|me faire du mal|me mutiler|me bruler|me blesser|me taillade)"},
	{famHarm, 3.2, "(cacher|masquer) ~3 (cicatrices|coupures|scarifications|automutilation)"},
	{famEating, 3.4, "(me faire vomir|je me fais vomir|arreter de manger|ne plus manger|je ne mange plus|me priver de manger|je me prive de manger|je m affame|m affamer)"},
	{famEating, 3.2, "cacher ~3 (anorexie|boulimie|trouble alimentaire|troubles alimentaires)"},
	{famHopeless, 1.2, "(je me sens|je suis) ~2 (desespere|desesperee|vide|nul|nulle|seul|seule|inutile|sans espoir)"},

	// German.
	{famSelfKill, 3.6, "(mich umbringen|mich umzubringen|mich toten|mich zu toten|mir das leben (nehmen|zu nehmen)|meinem leben ein ende (setzen|zu setzen|machen)|mich erhangen|mich aufhangen|mich aufzuhangen|suizid begehen|selbstmord begehen|mich erschießen|mich erschiessen)"},
	{famIntent, 4.6, "ich ~3 (will|werde|mochte|mochte gern|plane|wurde|muss|habe vor|bin bereit) ~4 {DESELF}"},
	{famIntent, 4.6, "ich (bringe|bring) mich ~3 um"},
	{famIdeation, 3.6, "ich ~2 (will|mochte|kann) ~2 nicht mehr (leben|sein|weiterleben|da sein|aufwachen)"},
	{famIdeation, 3.4, "(suizidgedanken|selbstmordgedanken|suizidale gedanken|ich bin suizidal|lebensmude|ich bin lebensmude|todessehnsucht)"},
	{famIdeation, 3.6, "(alle|jeder|meine familie|die welt|ihr) ~4 (waren|ware|war) ~3 ohne mich ~2 besser dran"},
	{famIdeation, 3.6, "ohne mich ~3 (waren|ware|war) ~3 besser dran"},
	{famIdeation, 3.0, "(ich bin eine last|ich bin nur eine last|keinen grund mehr zu leben|kein grund mehr zu leben|ich will nicht mehr)"},
	{famMethod, 4.4, "(wie|am besten|schnellste|einfachste|schmerzlos|schmerzlose|methode|sicherste) ~6 {DESELF}"},
	{famMethod, 4.2, "wie viele ~2 (tabletten|pillen|medikamente) ~6 (sterben|todlich|umbringen|uberdosis|tot)"},
	{famMeans, 4.2, "(meinen|einen|mein) ~2 abschiedsbrief"},
	{famFarewell, 4.0, "(lebt wohl|lebe wohl|lebewohl|ich verabschiede mich) ~3 (alle|allen|welt|fur immer)"},
	{famFarewell, 4.2, "(das ist|dies ist) (meine|mein) (letzte|letzter|letztes) (nachricht|beitrag|post|worte)"},
	{famFarewell, 4.2, "wenn (ihr|du|sie) (das|dies) (lest|liest|lesen)"},
	{famNow, 4.6, "ich ~3 (habe|hab) ~5 (tabletten|pillen|medikamente|schlaftabletten) ~2 (genommen|geschluckt|eingenommen)"},
	{famNow, 4.4, "ich ~2 (stehe|sitze|bin) ~2 auf (der|dem|einer|einem) ~2 (brucke|dach|gleisen|klippe)"},
	{famOther, 4.0, "(mein|meine) (freund|freundin|bruder|schwester|mutter|vater|sohn|tochter|mann|frau|mitbewohner|mitbewohnerin|kind|kollege|kollegin) ~5 (will sich|droht|hat|versucht|sich gerade) ~5 (umbringen|toten|tabletten|springen|das leben nehmen|umzubringen|erhangen|geschluckt)"},
	{famHarm, 3.6, "ich ~3 (ritze mich|ritz mich|verletze mich|schneide mich|mich ritzen|mich selbst verletzen|mich verletzen|mich schneiden|verbrenne mich|mich verbrennen)"},
	{famHarm, 3.2, "(narben|schnitte|wunden) ~3 (verstecken|verbergen)"},
	{famEating, 3.4, "(ich hungere|mich zu tode hungern|mich aushungern|mich ubergeben|zum erbrechen bringen|nichts mehr essen|hore auf zu essen|aufhoren zu essen)"},
	{famHopeless, 1.2, "ich ~2 (fuhle mich|bin) ~2 (hoffnungslos|wertlos|leer|allein|nutzlos)"},

	// Spanish.
	{famSelfKill, 3.6, "(matarme|suicidarme|quitarme la vida|acabar con mi vida|ahorcarme|colgarme|envenenarme|pegarme un tiro|cortarme las venas)"},
	{famIntent, 4.6, "(quiero|voy a|pienso|quisiera|tengo ganas de|ganas de|estoy lista para|estoy listo para|decidi|necesito|me voy a) ~3 {ESSELF}"},
	{famIntent, 4.6, "me (quiero|voy a) (matar|morir|suicidar|quitar la vida|ahorcar|colgar)"},
	{famIdeation, 3.6, "no quiero (vivir|seguir viviendo|seguir|estar vivo|estar viva|existir|despertar)"},
	{famIdeation, 3.4, "(pensamientos suicidas|ideas suicidas|soy suicida|pienso en el suicidio|pienso en suicidarme|pienso en matarme|estoy pensando en (suicidarme|matarme|quitarme la vida))"},
	{famIdeation, 3.6, "(todos|todo el mundo|mi familia|mis hijos|mis padres|el mundo) ~3 (estarian|estaria|estarán|estaran) ~2 mejor sin mi"},
	{famIdeation, 3.0, "(soy una carga|no tengo (razones|razon|motivos) para vivir|no tengo por que vivir|para que vivir)"},
	{famMethod, 4.4, "(como|forma|manera|metodo|mejor|facil|rapido|rapida|sin dolor) ~6 {ESSELF}"},
	{famMethod, 4.2, "cuantas (pastillas|pildoras|tabletas|aspirinas) ~6 (morir|matar|sobredosis|mortal|muerte)"},
	{famMeans, 4.2, "(carta|nota|mensaje) (de despedida|de suicidio|suicida)"},
	{famFarewell, 4.0, "adios (a todos|mundo|para siempre)"},
	{famFarewell, 4.2, "(este es|sera) mi ultimo (mensaje|post)"},
	{famFarewell, 4.2, "cuando (lean|leas|vean|veas) (esto|este)"},
	{famNow, 4.6, "(me tome|tome|me he tomado|trague|me trague) ~5 (pastillas|pildoras|tabletas|frasco|caja)"},
	{famNow, 4.4, "estoy ~2 (en|sobre) (el|la|un|una) ~2 (puente|azotea|techo|cornisa|vias)"},
	{famOther, 4.0, "mi (amigo|amiga|hermano|hermana|madre|mama|padre|papa|hijo|hija|novio|novia|esposo|esposa|pareja|companero|companera) ~4 (quiere|va a|amenaza con|intenta|se tomo|tomo|esta tratando de|dice que va a) ~3 (matarse|suicidarse|saltar|pastillas|quitarse la vida|ahorcarse|tirarse|morir)"},
	{famHarm, 3.6, "(me corto|me autolesiono|me lastimo|me hago dano|me quemo|cortarme|autolesionarme|lastimarme|hacerme dano|quemarme)"},
	{famHarm, 3.2, "(esconder|ocultar|tapar) ~3 (cicatrices|cortes|heridas|autolesiones)"},
	{famEating, 3.4, "(dejar de comer|deje de comer|no como nada|provocarme el vomito|vomitar para adelgazar|matarme de hambre|me provoco el vomito)"},
	{famHopeless, 1.2, "(me siento|estoy) ~2 (desesperado|desesperada|vacio|vacia|inutil|sin esperanza|solo|sola)"},

	// Portuguese.
	{famIntent, 4.4, "(quero|vou|penso em|preciso|estou pronto para|estou pronta para) ~3 {PTSELF}"},
	{famIdeation, 3.6, "(nao quero mais viver|nao quero viver|pensamentos suicidas|ideias suicidas|sou suicida|penso em suicidio)"},
	{famIdeation, 3.6, "(todos|todo mundo|minha familia|o mundo) ~3 (ficariam|ficaria|estariam|estaria) melhor sem mim"},
	{famMethod, 4.2, "(como|maneira|forma|jeito|melhor|mais facil|sem dor) ~6 {PTSELF}"},
	{famFarewell, 4.0, "(adeus a todos|carta de despedida|esta e minha ultima mensagem)"},
	{famNow, 4.4, "tomei ~5 (comprimidos|remedios|pilulas|cartela)"},
	{famOther, 4.0, "(meu|minha) (amigo|amiga|irmao|irma|mae|pai|filho|filha|namorado|namorada|marido|esposa) ~4 (quer|vai|tomou|ameaca|esta tentando) ~3 (se matar|suicidar|pular|comprimidos|remedios|morrer)"},
	{famHarm, 3.4, "(me corto|me cortar|me machucar|me machuco|automutilacao|me mutilar)"},
	{famEating, 3.2, "(parar de comer|me fazer vomitar|passar fome para emagrecer)"},

	// Italian.
	{famIntent, 4.4, "(voglio|vorrei|sto per|penso di|ho deciso di|devo) ~3 {ITSELF}"},
	{famIdeation, 3.6, "(non voglio piu vivere|pensieri suicidi|sono suicida|penso al suicidio|non ha senso vivere)"},
	{famIdeation, 3.6, "(tutti|la mia famiglia|il mondo) ~3 (starebbero|starebbe) meglio senza di me"},
	{famMethod, 4.2, "(come|modo|metodo|migliore|piu facile|senza dolore) ~6 {ITSELF}"},
	{famFarewell, 4.0, "(addio a tutti|lettera d addio|questo e il mio ultimo messaggio)"},
	{famNow, 4.4, "ho preso ~5 (pillole|pastiglie|compresse|farmaci)"},
	{famOther, 4.0, "(il mio|la mia) (amico|amica|fratello|sorella|madre|padre|figlio|figlia|ragazzo|ragazza|marito|moglie) ~4 (vuole|sta per|minaccia|ha preso) ~3 (uccidersi|suicidarsi|buttarsi|pillole|farla finita|morire)"},
	{famHarm, 3.4, "(mi taglio|tagliarmi|farmi del male|mi faccio del male|autolesionismo)"},
	{famEating, 3.2, "(smettere di mangiare|non mangio piu|farmi vomitare|mi faccio vomitare)"},
}

// crisisCues are the negative (and urgency) cues, by kind, with weights.
var crisisCues = []crisisRule{
	{negTech, 5, "(kill|killing|kills|killed|terminate|terminating|pkill|killall|restart|hang|hangs|hanging|hung) ~2 (process|processes|task|tasks|thread|threads|job|jobs|pid|session|sessions|server|container|containers|pod|pods|app|apps|application|program|daemon|service|services|tab|tabs|query|queries|connection|connections|script|instance|terminal|window|node|worker|workers|loop|signal|command|java|python|chrome|docker|engine|lights|music|mood|bacteria|germs|weeds|mold|mould|fleas|ants|mosquito|mosquitoes|roaches|bugs|bug|zombies|monsters|boss|enemy|enemies|npc|dragon|battery|switch|subscription|build|pipeline|request)"},
	{negTech, 5, "(sigkill|sigterm|kill 9|ctrl c|task manager|pkill|killall|kill pid|kill command|kill signal)"},
	{negTech, 5, "# (kms|km|kilometers|kilometres|miles)"},
	{negTech, 4, "(accidentally|by accident|shaving|while cooking|on the stove|in the kitchen|kitchen knife|paper cut|on the oven|sunburn|sunburned|shoot myself in the foot|kick myself|kill myself laughing)"},
	{negTech, 4, "(shoot|shooting|shot|shoots) ~3 (photo|photos|picture|pictures|video|videos|film|scene|scenes|hoops|email|message|portrait|portraits|wedding|footage|episode|commercial|ball|basket|some pool|the breeze|a text|a dm|a line|an arrow|arrows|guns at the range|range|target|targets)"},
	{negTech, 4, "(hang|hanging|hung) ~3 (picture|pictures|painting|paintings|frame|frames|shelf|shelves|curtain|curtains|mirror|poster|posters|tv|clothes|laundry|lights|decorations|hammock|wallpaper|coat|jacket|door|plant|plants|artwork|art|out|around|on|up|in there|tight|loose)"},
	{negTech, 4, "(cut|cutting) ~3 (cake|onion|onions|wood|paper|hair|costs|cost|budget|corners|cord|grass|fabric|tile|carbs|sugar|meat|vegetables|bread|ties|back|down|loose|class|classes|deal|release|branch|the line)"},
	{negTech, 4, "(dye|dyes|dyed|dying|dyeing) ~2 (hair|my hair|clothes|shirt|shirts|fabric|wool|yarn|eggs|beard|roots|jeans)"},
	{negTech, 4, "(live|living|lives) (in|at|near|on|by|with) ~3 (city|town|country|countryside|village|house|flat|apartment|area|neighborhood|neighbourhood|suburbs|center|centre|abroad|roommates|parents|family|rent|rents|london|paris|berlin|madrid|new york)"},
	{negTech, 4, "(execute|executing|executed) ~3 (script|query|plan|order|command|code|program|function|task|trade|strategy|contract)"},
	{negTech, 4, "(kill two birds|kill time|killing time|drown my sorrows|drown out|overdose on (coffee|caffeine|sugar|chocolate|netflix))"},
	{negTech, 4, "(tuer|kill|arreter) (le|un|les) (processus|programme|tache)"},
	{negTech, 4, "(prozess|programm|task) ~2 (beenden|killen|toten|abschießen|abschiessen)"},
	{negTech, 4, "(matar|finalizar|cerrar) (el|un|los) (proceso|procesos|programa|tiempo)"},
	{negFig, 4, "(is|s|are|re|was|were|it s|its|these|this|that|you re|you are) ~2 (killing|killin|gonna kill|going to kill) me"},
	{negFig, 4, "(killed|kill|killing|nailed|smashed) it"},
	{negFig, 3, "(dying|die|dead) (to|for) (see|know|try|meet|hear|get|go|eat|a|some|one)"},
	{negFig, 4, "(to die for|died laughing|dying laughing|dead laughing|dying of laughter|died of laughter|bored to death|scared to death|dead tired|dead on my feet|dying of embarrassment|died of embarrassment|could die of embarrassment|die of embarrassment|die of shame|dying of boredom|i m dead lol|i m dead lmao|i m deceased|i literally died)"},
	{negFig, 2, "(kill me now|shoot me now|just shoot me)"},
	{negFig, 4, "(die|died|dying) trying"},
	{negFig, 3, "(deadline|deadlines|exam|exams|meeting|meetings|commute|traffic|boss|heat|suspense|homework|job|work|kids|this song|this game|this show|cliffhanger|finals|taxes|paperwork|inbox|weather|humidity|hangover|migraine|headache|cramps|shoes) ~4 (killing|kill|killed|murder|murdering|murdered|gonna kill|going to kill|will kill|ll be the death of) (me|us)"},
	{negFig, 3, "(feet|back|head|knees|neck|stomach|legs|eyes) ~2 (are|is|re|s) ~2 killing me"},
	{negFig, 4, "(ca me tue|ca va me tuer|tu me tues|je meurs de (faim|rire|chaud|soif|envie|froid|sommeil)|mourir de rire|mort de rire|morte de rire)"},
	{negFig, 4, "(bringt mich um|bringt mich noch um|ich sterbe vor (hunger|lachen|langeweile|hitze)|totlachen|todmude)"},
	{negFig, 4, "(me mata|me esta matando|me estan matando|muero de (risa|hambre|calor|ganas|sueno|frio)|morir de (risa|hambre|calor)|me muero de (risa|hambre|calor|ganas|sueno|frio))"},
	{negFitness, 4, "(workout|workouts|gym|run|leg day|squats|spin class|crossfit|hike|cardio|marathon|burpees|hiit|pilates|yoga|coach|trainer|sprints|deadlifts|bootcamp|tabata|spinning) ~5 (killed|killing|destroyed|murdered|wrecked)"},
	{negFitness, 3, "(legs|arms|abs|muscles|quads|calves|glutes|lungs|shoulders) ~3 (dead|dying|on fire|killing|died|jelly)"},
	{negFiction, 3, "(my|the|a|this|our|your|his|her) ~2 (novel|story|stories|book|screenplay|script|poem|poetry|character|characters|protagonist|antagonist|villain|heroine|fanfic|fanfiction|fan fiction|rpg|campaign|short story|film|movie|episode|series|manga|anime|comic|plot|chapter|narrator|lyrics|scene|dnd|roleplay|novella|fiction|thriller)"},
	{negFiction, 3, "(mon|le|un|ma|la|une) ~2 (roman|personnage|histoire|scenario|poeme|film|serie|livre|chanson|jeu|nouvelle)"},
	{negFiction, 3, "(mein|meine|der|die|das|ein|eine|einem|meinem|meiner) ~2 (roman|charakter|figur|geschichte|drehbuch|gedicht|film|serie|buch|lied|spiel|protagonist|protagonistin|hauptfigur)"},
	{negFiction, 3, "(mi|la|una|el|un) ~2 (novela|personaje|historia|guion|poema|pelicula|serie|libro|cancion|juego|cuento|protagonista)"},
	{negNews, 3, "(according to|reported|reports|report|police|officials|authorities|news|article|headline|headlines|journalist|journalists|coroner|inquest|obituary|press|survey|statistics|stats|per cent|percent|celebrity|rapper|singer|actor|actress|musician|politician|famous|documentary|wikipedia|history|historical|died by suicide|took (his|her|their) own life|killed (himself|herself|themselves))"},
	{negNews, 3, "(selon|d apres|la police|journal|article|les autorites|rapporte|laut|polizei|zeitung|nachrichten|bericht|segun|la policia|periodico|noticia|noticias|informe)"},
	{negClinical, 2.5, "(warning signs|risk factors|risk assessment|prevention|prevent|prevalence|epidemiolog*|research|researching|researcher|essay|thesis|paper|homework|assignment|lecture|course|psychology|clinical|clinicians|patients|signs of|definition|define|meaning of|difference between|safe messaging|therapy for|pharmacology|toxicology|nurses|students|studies|literature|evidence|why do people|why do some people|is it true that|in general|teenagers who|people who|how common|how many people)"},
	{negClinical, 2.5, "(how|what) ~3 (can|do|should|could) (i|we) ~2 (help|support|talk to|approach|comfort|recognize|spot|tell if) ~3 (a|my|someone|somebody|friend|person|people|loved one|child|teen|student|them|him|her)"},
	{negClinical, 2.5, "(prevention|prevenir|prevencion|pravention|praevention|etude|recherche|estudio|investigacion|studie|forschung|statistique|estadisticas|statistik|symptome|sintomas|signes|senales|anzeichen)"},
	{negPast, 3, "(years|months|year|decade|decades|weeks) ago"},
	{negPast, 3, "when i was ~2 (a kid|a child|a teen|a teenager|young|younger|little|in (high school|college|school|my teens|my twenties|middle school|uni|university)|1*|2*)"},
	{negPast, 3, "(used to|in the past|back then|back in (high school|college|the day|school)|as a teenager|as a teen|as a kid|in my teens|in high school|in college|last year|years later|(clean|sober|free) (for|since)|i m (better|doing better|in recovery|recovered|okay|ok) now|i survived|recovered from|recovery from|i got through|made it through|looking back|back when|at the time|for years i|that was)"},
	{negPast, 3, "(il y a ~2 (ans|annees|mois)|quand j etais|a l epoque|avant je|vor ~2 (jahren|monaten)|als ich ~3 war|fruher|damals|hace ~2 (anos|meses)|cuando era|antes yo|en el pasado|ja nao|da giovane|anni fa)"},
	{negFig, 4.5, "({SELF}|kms|die) if ~5 (have to|again|one more|see|hear|lose|loses|miss|fail|another)"},
	{negFig, 4, "(thought|felt like|think|swear|almost|nearly|literally) ~2 (i was|i d|id|i would|i m|im|i am) ~1 (going to|gonna|about to|dying|die|dead)"},
	{negFitness, 4, "(workout|workouts|gym|run|leg day|squats|spin class|crossfit|hike|cardio|marathon|burpees|hiit|pilates|yoga|sprints|bootcamp|tabata|training|session) ~8 (die|dying|dead|died)"},
	{negClinical, 2.5, "(warnzeichen|warnsignale|risikofaktoren|signaux d alerte|senales de alerta|sinais de alerta|segnali di allarme|waarschuwingssignalen|oznaki|признаки|uyari isaretleri|علامات)"},
	{negThird, 5, "(he|she|they|friend|brother|sister|mom|dad|son|daughter|cousin|partner|wife|husband|girlfriend|boyfriend|kid|child) ~3 (has|have|might have|may have|struggles with|is struggling with|suffers from|is suffering from|was diagnosed with|had) ~2 (an eating disorder|anorexia|bulimia|depression|suicidal thoughts|self harm|an ed)"},
	{negThird, 4, "(how (do|can|should) i|should i) ~2 (bring it up|talk to (him|her|them)|help (him|her|them)|approach (him|her|them)|support (him|her|them))"},
	{negFig, 4, "(笑死|累死|热死|熱死|饿死了|餓死了|想死你|死ぬほど|死ぬかと思った|笑いすぎて死|dood moe|doodmoe|dood van het lachen|umieram ze smiechu|umieram z nudow|умираю со смеху|умираю от скуки|gulmekten oldum|gulmekten olecegim|ضحكت حتى الموت|jag dor av skratt|kmsl)"},
	{negFig, 4, "(不想死|不要死|不会死|不想自杀|死にたくない|не хочу (умирать|умереть)|nie chce umierac|nie chce umrzec|ik wil niet dood|olmek istemiyorum|jag vill inte do|لا أريد أن أموت)"},
	{negTech, 4, "(proces|programma|процесс|программу|proces|prozess|süreci|sureci|процесс) ~2 (killen|beeindigen|stoppen|убить|завершить|zabić|zabic|öldür|oldur|sonlandır|sonlandir)"},
	{negNews, 3, "(volgens|politie|według|policja|по данным|полиция|сообщает|haberlere göre|polis|وفقا|الشرطة|据报道|警方|報道によると|警察)"},
	{negClinical, 2.5, "(preventie|onderzoek|zapobieganie|badania|профилактика|исследование|önleme|araştırma|الوقاية|دراسة|预防|研究|予防|研究)"},
	// Sadness with a way through it named, and ordinary things ended.
	{negCoping, 3, "(i ll|i will|i m going to|im going to|i m gonna|im gonna|i think i ll|i know i ll) ~2 (be okay|be ok|be fine|be alright|be all right|get through (this|it)|feel better|manage|bounce back|recover)"},
	{negCoping, 3, "(talk to|talking to|see|seeing|call|calling|meet|meeting|text|texting) ~2 (my therapist|my counselor|my counsellor|my doctor|my psychologist|a friend|my friends|my mom|my mum|my dad|my sister|my brother|my family|my partner)"},
	{negCoping, 3, "(ca va aller|je vais m en sortir|ich schaffe das|das wird schon|ich werde es schaffen|voy a estar bien|saldre adelante|vou ficar bem|andra tutto bene|ce la faro)"},
	{negTech, 4, "(end|ending|cancel|canceling|cancelling|quit|quitting|terminate|terminating|close|closing) (my|the|our|this) ~2 (membership|subscription|contract|lease|account|plan|trial|streak|phone plan|internship|shift|meeting|call|session|tenancy|policy|loan|mortgage|partnership|project)"},
	{negJoke, 1, "(lol|lmao|lmfao|haha|hahaha|hahah|jk|jajaja|jaja|mdr|xd|rofl|just kidding|kidding)"},
	{cueUrgent, 1.5, "(right now|please help|help me|help|what do i do|what should i do|emergency|hurry|tonight|i m scared|im scared|please|call 911|call an ambulance|aide moi|aidez moi|hilfe|ayuda|ayudame|socorro|aiuto)"},
}

// crisisNegators before a match within three words of its sentence negate
// it ("I would never kill myself", "I'm not going to hurt myself").
var crisisNegators = map[string]bool{
	"not": true, "never": true, "nicht": true, "nie": true, "niemals": true, "kein": true, "keine": true,
	"pas": true, "jamais": true, "nunca": true, "jamas": true, "non": true, "nao": true, "mai": true,
	"niet": true, "nooit": true, "inte": true, "aldrig": true, "не": true, "никогда": true,
	"لا": true, "لن": true, "不": true, "没": true, "別": true, "别": true, "nigdy": true, "asla": true,
}

// crisisNegContractions are the words before "t" that make "n't" a negation.
var crisisNegContractions = map[string]bool{
	"don": true, "didn": true, "won": true, "wouldn": true, "doesn": true, "isn": true, "wasn": true,
	"ain": true, "shouldn": true, "aren": true, "weren": true,
}
