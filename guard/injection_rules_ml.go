package guard

// More anchored rules: English phrasings of prompt extraction, goal
// hijacking, refusal suppression, authority claims and role tags, text in
// documents addressed to the AI about its answer, and the core families in
// the Latin-script languages of the spec (folded: lower case, no accents).

// Shared pieces.
const (
	secretWord = `(?:password|passcode|passphrase|pass code|secret key|secret code|secret word|secret phrase|secret number|secret value|secret token|api key|access key|access code|private key|pin code|pin|credentials|master key|security code|confidential (?:key|code|string|information|data))s?`
	// secretEnd keeps "the password policy" and "the password field" out.
	secretEnd = `(?:\s*[?.!,:;)"'\x{201d}]|\s+(?:is|was|for|of|to|that|you|please|now|in|again|here|with|so|and|right|stored|used|set|from|we|i|which|\(|-)\b|\s*$)`
	// secretBare is the bare word "secret", which "the secret to / of /
	// behind" (a pancake's, a good life's) is not.
	secretBare = `secrets?(?:\s*[?.!,:;)"'\x{201d}]|\s+(?:is|was|for|that|you|please|now|again|here|so|and|right|stored|used|set|we|i|which|\(|-)\b|\s*$)`
	howVeto    = `how |how do|how can|how to|change|reset|forgot|forget|update|create|choose|generate|strong|manager|policy|policies|hash|store|storing|rotate|recover|example|my |our own`
	respWord   = `(?:response|responses|reply|replies|answer|answers|output|summary|message|messages|completion)`
	langName   = `(?:spanish|french|german|italian|portuguese|dutch|polish|russian|chinese|japanese|arabic|turkish|hindi|swedish|korean|latin|pig latin|morse|emojis?)`
)

var injectionRulesEN = []*injectionRule{
	// Prompt extraction of a secret held by the system prompt.
	{name: "secret_request", negatable: true, needs: "pass secret key code pin credential", typ: "prompt_extraction", score: 0.9, veto: howVeto,
		anchors: "what whats tell give share reveal disclose confirm provide spell print output show send type write repeat list say verify state",
		expr:    `(?:what(?:'s| is| are| was| were)|tell(?: me| us)?|give(?: me| us)?|share(?: with me)?|reveal|disclose|confirm|provide(?: me with)?|spell(?: out)?|print|output|show(?: me| us)?|send(?: me)?|type(?: out)?|write(?: down| out)?|repeat|list|say|verify|state)\s+(?:to me\s+|me\s+|us\s+)?(?:what\s+)?(?:your|the|our|its|the system'?s|our system'?s|the admin(?:istrator)?'?s?)\s+(?:(?:system|admin|administrator|secret|hidden|confidential|internal|current|master|root|access|stored|real|actual|full|exact|private|database|account|bank|login)\s+){0,2}` + `(?:` + secretWord + secretEnd + `|` + secretBare + `)`},
	{name: "secret_question", negatable: true, needs: "pass secret key code", typ: "prompt_extraction", score: 0.85, veto: howVeto,
		anchors: "could can would will may",
		expr:    `(?:could|can|would|will|may)\s+(?:you|i|we)\s+(?:please\s+)?(?:tell|give|share|reveal|disclose|confirm|provide|spell|show|send|get|have|know|see|verify)\s+(?:me\s+|us\s+)?(?:with\s+)?(?:what\s+)?(?:your|the|our|the system'?s)\s+(?:(?:system|admin|secret|hidden|confidential|master|access|real|actual|full)\s+){0,2}` + `(?:` + secretWord + secretEnd + `|` + secretBare + `)`},
	{name: "instructions_request", needs: "instruction rule prompt told given guideline directive", typ: "prompt_extraction", score: 0.9,
		anchors: "what which tell show repeat list print reveal output give write recite describe summarize summarise translate encode paraphrase",
		expr:    `(?:what|which|tell me|show me|repeat|list|print|reveal|output|give me|write out|write down|recite|describe|summari[sz]e|translate|encode|paraphrase)\b[^.!?\n]{0,30}?\b(?:instructions|rules|guidelines|directives|prompt|orders)\s+(?:(?:that\s+)?(?:you|you've|you have)\s+(?:were|was|have been|been|got|received)?\s*(?:given|told|received|provided|programmed with|configured with|set up with|loaded with)|(?:given|provided)\s+to\s+you|you (?:follow|operate under|must follow|are following))`},
	{name: "initial_prompt", needs: "prompt instruction", typ: "prompt_extraction", score: 0.85,
		anchors: "initial original first starting hidden secret pre preceding beginning opening",
		expr:    `(?:initial|original|first|starting|hidden|secret|pre|preceding|beginning|opening)\s*-?\s*(?:system\s+)?(?:prompt|instructions)\b[^.!?\n]{0,20}?(?:\?|verbatim|word for word|in full|exactly|above|before)`},

	// Goal hijacking.
	{name: "goal_hijack", typ: "goal_hijack", score: 0.85,
		needs:   "task goal objective instruction assignment directive mission priority plan mind no longer rather instead stop",
		anchors: "new your change never forget stop you rather instead do don from",
		expr: `(?:new (?:task|goal|objective|instructions?|assignment|directive|mission|priority)\s*(?::|is\b|are\b|-)` +
			`|your (?:new|real|actual|true|only|main|primary) (?:task|job|goal|objective|purpose|mission|role) (?:is|will be|now is)\b` +
			`|change of plans?\s*[:,.!-]\s*(?:you|your|now|instead|from|do|just|forget|ignore|stop)` +
			`|forget (?:the|your|about the|about your) (?:task|summary|translation|assignment|job|role|original task|previous task)` +
			`|(?:stop|quit) (?:being|acting as) (?:a|an|the)\b[^.!?\n]{0,30}?\b(?:assistant|bot|chatbot|translator|summari[sz]er|agent|model|ai)\b` +
			`|you are no longer (?:a|an|the|my)\b[^.!?\n]{0,30}?\b(?:assistant|bot|chatbot|translator|summari[sz]er|agent|model|ai|helper)` +
			`|(?:do not|don't) (?:translate|summari[sz]e|answer|classify|analy[sz]e|review|process|follow)\b[^.!?\n]{0,60}?[,;.:]?\s*instead\b` +
			`|rather than (?:answering|translating|summari[sz]ing|helping|doing (?:that|this|your task|the task)|following)\b` +
			`|instead of (?:answering|translating|summari[sz]ing|doing (?:that|this|your task|the task)|following (?:your|the|those|these))\b` +
			`|from now on,? (?:you (?:will|must|shall|are to) )?(?:only )?(?:respond|reply|answer|say|output|end|start)\b)`},

	// Refusal suppression.
	{name: "no_disclaimers", typ: "refusal_suppression", score: 0.85,
		needs:   "apolog disclaim warning caveat polic guideline ethic safety sorry cannot can't unable refus moral filter censor",
		anchors: "do don't dont never without no avoid you",
		expr: `(?:(?:do not|don't|dont|never|no need to|avoid)\s+(?:ever\s+)?(?:apologi[sz]e|add(?:ing)? (?:any )?(?:disclaimers?|warnings?|caveats?)|include (?:any )?(?:disclaimers?|warnings?|caveats?)|mention(?:ing)? (?:any |your )?(?:polic(?:y|ies)|guidelines|ethics|safety|that you are an ai))` +
			`|(?:never|do not|don't|dont)\s+(?:say|respond with|reply with|(?:start|begin)(?: (?:your|the|any|an?) (?:answer|reply|response|message))? with|use the (?:words?|phrases?))\s*["'\x{201c}]?(?:i'?m sorry|i am sorry|i cannot|i can'?t|sorry|as an ai|unable|i'?m unable)` +
			`|without (?:any )?(?:moral|ethical|safety) (?:warnings?|disclaimers?|judge?ments?|considerations|restrictions|filters?)` +
			`|you (?:cannot|can't|can not|are not allowed to|must not|may not|will not|won't) (?:ever )?(?:refuse|say no|decline|reject)\b)`},
	{name: "refusal_not_option", needs: "refus option", typ: "refusal_suppression", score: 0.85,
		anchors: "refusing refusal",
		expr:    `refus(?:ing|al) (?:is|are) (?:not (?:an? )?(?:option|allowed|possible|permitted)|forbidden|prohibited)`},

	// Authority claims and fake modes.
	{name: "authority_claim_wide", typ: "authority", score: 0.85,
		needs:   "author permission clearance overrid order command instruct require need must allow password secret unlock disable bypass confirm audit maintenance debug test verif mode access",
		anchors: "i i'm this speaking message note as",
		expr:    `(?:i am|i'm|this is|speaking as|message from|note from|as)\s+(?:your|the|an?)\s+(?:(?:system|lead|chief|senior|head|official|authori[sz]ed|original)\s+)?(?:administrator|admin|developer|developers|creator|creators|operator|owner|programmer|maker|makers|supervisor|sysadmin|root user|(?:openai|anthropic|google|meta|microsoft) (?:staff|employee|engineer|team|safety team|developer|researcher))\b[^\n]{0,120}?(?:authori[sz]|permission|clearance|overrid|order you|command you|instruct you|require you|need you to|you must|allowed to|password|secret|unlock|disable|bypass|confirm|audit|maintenance|debug|system check|security check|verif|access)`},
	{name: "ai_developed_by", needs: "openai anthropic google meta microsoft", typ: "authority", score: 0.8,
		anchors: "as",
		expr:    `as (?:an? )?(?:ai|assistant|model|language model) (?:developed|created|made|built|trained) by (?:openai|anthropic|google|meta|microsoft)\b[^\n]{0,80}?(?:mode|password|secret|confirm|override|enter|initiat)`},
	{name: "special_mode", needs: "mode", typ: "fake_system", score: 0.85,
		anchors: "i i'm we we're you you're now entering enter activate activating enable enabling initiate initiating switch switching engage",
		expr:    `(?:(?:i am|i'm|we are|we're|you are|you're|now)\s+)?(?:entering|enter|in|activating|activate|enabling|enable|initiating|initiate|switching (?:you )?to|switch (?:you )?to|putting you in(?:to)?|engaging|engage)\s+(?:the\s+|an?\s+)?["'\x{2018}\x{201c}]?(?:admin|administrator|developer|maintenance|debug|sudo|root|god|diagnostic|system|unrestricted|override|superuser|test|dev)\s+mode\b[^\n]{0,80}?(?:password|secret|confirm|restrict|filter|rules|polic|anything|unlock|disable|ignore|reveal|key|access)`},

	// Role tags of chat templates written into the text.
	{name: "role_tag", typ: "fake_system", score: 0.85, before: "<[/{",
		anchors: "system sys developer admin administrator instructions instruction",
		expr:    `(?:system|sys|developer|admin|administrator|instructions?)\s*(?:message|prompt|override|note|update)?\s*(?:>|\]|\|>|\}\})`},
	{name: "role_json", needs: "system developer", typ: "fake_system", score: 0.85, before: `"'`,
		anchors: "role",
		expr:    `role["']\s*:\s*["'](?:system|developer)["']`},

	// Documents: instructions about the answer the AI will give.
	{name: "answer_directive", typ: "indirect", score: 0.85, indirectOnly: true,
		needs:   "your",
		anchors: "add include insert integrate append mention put embed modify change alter rewrite format encode encrypt translate reverse write provide render use replace substitute remove group rearrange anagram misspell introduce enhance end start begin finish conclude sign apply respond reply answer in",
		expr: `(?:(?:add|include|insert|integrate|append|put|embed)\s+(?:a |an |the |this |one |some )?(?:(?:short|brief|friendly|compelling|sensational|subtle|fabricated|false|fake|single)\s+)?(?:sentence|line|statement|link|url|reminder|teaser|fact|reason|note|headline|paragraph|phrase|message|claim|mention|recommendation|suggestion|statistic|promotion|advert(?:isement)?|["'\x{201c}])[^\n]{0,120}?\b(?:in|to|into|within|at the end of|at the start of)\s+(?:your|each|every|all)\s+` + respWord +
			`|(?:modify|change|alter|rewrite|enhance|adjust|edit|tweak|format|encode|encrypt|translate|reverse|render|anagram|misspell|rearrange|scramble|obfuscate)\s+(?:the letters of\s+|letters of\s+)?(?:your|each|every)\s+` + respWord +
			`|(?:provide|write|give|deliver|present|render|output|display|express)\s+(?:your|each|every)\s+` + respWord + `\s+(?:in|using|with|as|backward|backwards|without|in reverse)\b` +
			`|(?:use|apply|replace|substitute|remove|group|introduce|insert)\b[^.!?\n]{0,60}?\b(?:in|to|for|of|from|throughout)\s+(?:your|each|every)\s+` + respWord + `\b` +
			`|in (?:your|each|every|all) ` + respWord + `s?,?\s+(?:please\s+)?(?:mention|include|add|say|state|suggest|recommend|tell|remind|write|insert|promote|link|claim|encourage|urge|ask|direct|advertise|refer)\b` +
			`|(?:respond|reply|answer)\s+(?:only\s+)?(?:in|using)\s+` + langName + `\b` +
			`|(?:end|start|begin|finish|conclude|sign)\s+(?:your|each|every|all)\s+` + respWord + `s?\s+(?:with|by)\b)`},
	{name: "hide_from_user", needs: "user", typ: "indirect", score: 0.85, indirectOnly: true,
		anchors: "do don't dont never without ignore disregard the",
		expr: `(?:(?:do not|don't|dont|never)\s+(?:tell|inform|mention (?:this|it) to|show|reveal (?:this|it) to|let|alert|notify|warn)\s+the user` +
			`|without (?:telling|informing|notifying|alerting|asking) the user` +
			`|(?:ignore|disregard) (?:the user'?s?|what the user)\b` +
			`|the user (?:must|should|will) (?:not|never) (?:know|see|be told|find out|notice))`},
	{name: "ai_reading_this", needs: "this", typ: "indirect", score: 0.8, indirectOnly: true,
		anchors: "ai ais llm llms assistant assistants chatbot chatbots model models gpt chatgpt claude gemini copilot bot bots agent agents any all",
		expr:    `(?:any |all )?` + aiWord + `\s+(?:that is |that are |who is |who are )?(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|reviewing|scanning|seeing|crawling|indexing|evaluating|screening)\s+(?:this|these)\b`},
	{name: "tool_call_directive", typ: "tool_abuse", score: 0.8, indirectOnly: true,
		needs:   "tool function api plugin",
		anchors: "call use invoke run execute trigger",
		expr:    `(?:call|use|invoke|run|execute|trigger)\s+(?:the\s+)?(?:[a-z_]+\s+)?(?:tool|function|api|plugin)\b[^.!?\n]{0,60}?\b(?:send|email|transfer|delete|forward|post|upload|pay|grant|share|export)\b`},
}

// The core families in the spec's Latin-script languages (es, de, fr, pt,
// it, nl, pl, tr), folded. Short lists of the usual wordings, not any one
// dataset's sentences.
const (
	mlSecret   = `(?:contrasena|clave secreta|clave|codigo secreto|palabra secreta|prompt del sistema|prompt de sistema|mot de passe|cle secrete|code secret|prompt systeme|prompt du systeme|passwort|kennwort|geheimen schlussel|geheimschlussel|geheimcode|geheimen code|geheimwort|systemprompt|system-prompt|senha|palavra-passe|chave secreta|codigo secreto|prompt do sistema|password|chiave segreta|codice segreto|parola segreta|prompt di sistema|prompt del sistema|wachtwoord|geheime sleutel|geheime code|systeemprompt|haslo|hasło|tajny klucz|tajny kod|tajne haslo|tajne hasło|prompt systemowy|sifre|sifren|sifreni|parola|parolani|gizli anahtar|gizli anahtari|sistem istemi|sistem istemini|losenord|losenordet|hemliga nyckeln|ursprungliga instruktioner|instruktioner|systemprompt)`
	mlInstr    = `(?:instrucciones|instruccion|reglas|indicaciones|directrices|ordenes|lo anterior|todo lo anterior|lo que te (?:dijeron|han dicho)|instructions|consignes|regles|directives|ce qui precede|tout ce qu'on t'a dit|tout ce que|anweisungen|anweisung|regeln|vorgaben|richtlinien|befehle|alles bisherige|alles vorherige|das obige|alles,? was|instrucoes|instrucao|regras|diretrizes|o acima|tudo o que|tudo que|istruzioni|regole|direttive|quanto sopra|tutto cio|tutto quello|instructies|regels|richtlijnen|opdrachten|het bovenstaande|alles wat|instrukcje|instrukcji|instrukcjami|polecenia|zasady|reguly|powyzsze|wszystko,? co|talimatlari|talimatlarini|kurallari|kurallarini|yonergeleri|instruktioner|instruktionerna|regler|reglerna)`
	mlNoLimits = `(?:sin|sans|ohne|keine|keinerlei|aucune|aucun|sem|nenhuma|nenhum|senza|nessuna|nessun|geen|zonder|bez|zadnych|nie masz|hicbir)\s+(?:\S+\s+)?(?:restricciones|restriccion|limitaciones|limites|filtros|censura|reglas|restrictions|restriction|limite|filtres|censure|regles|einschrankungen|beschrankungen|regeln|filter|zensur|grenzen|restricoes|restricao|limitacoes|regras|restrizioni|limitazioni|limiti|filtri|regole|beperkingen|regels|censuur|grenzen|ograniczen|filtrow|cenzury|zasad|kisitlama|kisitlaman|kisitlamalar|sansur|kural)`
)

var injectionRulesML = []*injectionRule{
	{name: "ignore_previous_instructions_ml2", typ: "override", score: 0.9,
		anchors: "ignorera glom ignora ignore ignorar ignores olvida olvidate olvide omite descarta desobedece ignorez oublie oubliez neglige negligez ignoriere ignorieren ignorier vergiss vergessen missachte missachten uberschreibe esqueca esquece desconsidere descarte ignori dimentica dimenticate trascura scarta negeer negeren vergeet zignoruj ignoruj zapomnij pomin",
		expr:    `(?:ignora|ignore|ignorar|ignores|olvida|olvidate|olvide|omite|descarta|desobedece|ignorez|oublie|oubliez|neglige|negligez|ignoriere|ignorieren|ignorier|vergiss|vergessen|missachte|missachten|uberschreibe|esqueca|esquece|desconsidere|descarte|ignori|dimentica|dimenticate|trascura|scarta|negeer|negeren|vergeet|zignoruj|ignoruj|zapomnij|pomin|ignorera|glom)\b[^.!?\n]{0,40}?` + mlInstr},
	{name: "never_refuse_ml", typ: "refusal_suppression", score: 0.8,
		needs:   "rechaz nieg refus recus rifiut weiger odmaw reddet lehne verweiger vagra",
		anchors: "no ne nao non nicht lehne verweigere weiger nie reddetme vagra",
		expr:    `(?:no (?:te niegues|rechaces|te rehuses|rechace)|ne (?:refuse|refusez) (?:pas|jamais|rien)|nao (?:recuse|se recuse|recuses)|non (?:rifiutare|rifiutarti|rifiuti)|lehne (?:nicht|niemals|nie) ab|verweigere (?:nicht|niemals|nie)|weiger (?:niet|nooit)|nie odmawiaj|reddetme|vagra inte)`},
	{name: "ignore_previous_instructions_tr", typ: "override", score: 0.9,
		anchors: "onceki yukaridaki tum butun talimatlari talimatlarini kurallari kurallarini sana",
		expr:    `(?:(?:onceki|yukaridaki|tum|butun|sana verilen)\s+)*(?:\S+\s+)?(?:talimatlari|talimatlarini|kurallari|kurallarini|yonergeleri|komutlari|soylenenleri)\s+(?:\S+\s+)?(?:yok say|gormezden gel|unut|dikkate alma|umursama|cignet|atla)`},
	{name: "secret_request_ml", negatable: true, typ: "prompt_extraction", score: 0.85,
		veto:    `como |comment|wie kann|wie andere|wie setze|wie erstelle|mein |come |hoe |jak |nasil|cambiar|changer|andern|mudar|alterar|cambiare|wijzigen|zmienic|degistir|olvid|oubli|vergessen|esqueci|dimenticat|vergeten|zapomnial|restablecer|reinitialiser|zurucksetzen|redefinir|reimpostare|resetten|mis |mes |meine|minha|mia |mijn|moje|benim`,
		needs:   "contrasena clave codigo palabra prompt mot cle code passwort kennwort geheim system senha chave password chiave codice parola wachtwoord sleutel haslo hasło tajn sifre parola gizli",
		anchors: "upprepa visa beratta cual cuales dime dinos dame revela revelame muestra muestrame comparte confirma escribe imprime repite proporciona deletrea quel quelle donne donnez dis dites revele revelez montre montrez partage partagez confirme confirmez affiche affichez ecris repete repetez was wie nenne nennen gib geben sag sagen zeig zeige zeigen verrate verraten teile teilen bestatige bestatigen schreib wiederhole qual diga diz mostre mostra revele revela compartilhe partilhe confirma escreva repita forneca quale dimmi dammi rivela rivelami mostrami condividi conferma scrivi ripeti fornisci wat geef vertel toon deel bevestig noem herhaal jakie jaki jaka podaj powiedz pokaz ujawnij udostepnij potwierdz napisz wypisz powtorz puedes podrias pouvez peux kannst konnen konntest pode podes voce puoi potresti kun kunt mozesz",
		expr:    `(?:cual(?:es)?|dime|dinos|dame|revela(?:me)?|muestra(?:me)?|comparte|confirma|escribe|imprime|repite|proporciona|deletrea|quel(?:le)?|donne|donnez|dis|dites|revele|revelez|montre|montrez|partage|partagez|confirme|confirmez|affiche|affichez|ecris|repete|repetez|was ist|wie lautet|wie heisst|nenne|nennen|gib|geben|sag|sagen|zeig|zeige|zeigen|verrate|verraten|teile|teilen|bestatige|bestatigen|schreib|wiederhole|qual|diga|diz|mostre|mostra|revele|revela|compartilhe|partilhe|escreva|repita|forneca|quale|dimmi|dammi|rivela(?:mi)?|mostrami|condividi|conferma|scrivi|ripeti|fornisci|wat|geef|vertel|toon|deel|bevestig|noem|herhaal|jakie|jaki|jaka|podaj|powiedz|pokaz|ujawnij|udostepnij|potwierdz|napisz|wypisz|powtorz|upprepa|visa|beratta|puedes|podrias|pouvez|peux|kannst|konnen|konntest|pode|podes|voce|puoi|potresti|kun|kunt|mozesz)\b[^.!?\n]{0,45}?` + mlSecret + `(?:\s*[?.!,:;)"']|\s|$)`},
	{name: "secret_request_tr", typ: "prompt_extraction", score: 0.85,
		anchors: "sifren sifreni sifreyi parolani parolayi gizli sistem talimatlarini",
		expr:    `(?:sifren|sifreni|sifreyi|parolani|parolayi|gizli anahtari|gizli anahtarini|sistem istemini|sistem istemin|talimatlarini)\s+(?:\S+\s+){0,3}?(?:nedir|ne\b|soyle|soyler|goster|ver|paylas|yaz|tekrarla|acikla|onayla)`},
	{name: "unrestricted_persona_ml", typ: "persona", score: 0.85,
		needs:   "restric limit filt censur regl regel einschr beschr zensur grenz regras regole beperk ogranicz zasad kisit sansur kural",
		anchors: "eres seras actua actuas finge bist sei werde tu es seras agis deviens voce seja atue finja sei sarai agisci fingi ben bent wees jestes badz udawaj sen artik",
		expr:    `(?:eres|seras|actua como|actuas como|finge ser|bist du|du bist|sei ein|werde zu|tu es|tu seras|agis comme|deviens|voce e|voce sera|seja|atue como|finja ser|sei|sarai|agisci come|fingi di essere|ben je|je bent|wees|jestes|badz|udawaj|sen|artik sen)\b[^.!?\n]{0,60}?` + mlNoLimits},
	{name: "developer_claim_ml", typ: "authority", score: 0.85,
		anchors: "soy je ich sou sono ik jestem ben",
		expr:    `(?:soy|je suis|ich bin|sou|sono|ik ben|jestem|ben)\s+(?:(?:tu|ton|ta|votre|dein|deine|ihr|der|die|seu|o teu|o seu|teu|il tuo|tuo|je|jouw|de|twoim|twoja|senin|el|la|o|l'|un|une|ein|um|uno)\s*)?(?:desarrollador|creador|administrador|programador|operador|developpeur|createur|administrateur|programmeur|operateur|entwickler|schopfer|administrator|programmierer|betreiber|desenvolvedor|criador|sviluppatore|creatore|amministratore|programmatore|operatore|ontwikkelaar|beheerder|deweloperem|tworca|administratorem|programista|operatorem|gelistiricin|gelistiricinim|yoneticin|yoneticinim|yaraticin|yaraticinim)\b`},
	{name: "new_task_ml", typ: "goal_hijack", score: 0.8,
		anchors: "tu nueva ta nouvelle deine neue sua nova tua nuovo il je jouw nieuwe twoje nowe yeni",
		expr:    `(?:(?:tu|ta|deine|sua|tua|il tuo|je|jouw|twoje)\s+)?(?:nueva tarea|nuevo objetivo|nuevas instrucciones|nouvelle tache|nouvel objectif|nouvelles instructions|neue aufgabe|neues ziel|neue anweisungen|nova tarefa|novo objetivo|novas instrucoes|nuovo compito|nuovo obiettivo|nuove istruzioni|nieuwe taak|nieuw doel|nieuwe instructies|nowe zadanie|nowy cel|nowe instrukcje|yeni gorev|yeni gorevin|yeni talimatlar)\s*(?::|es\b|est\b|ist\b|e\b|is\b|jest\b|lautet\b)`},
	{name: "developer_mode_ml", typ: "persona", score: 0.85,
		anchors: "modo mode modus modalita tryb",
		expr:    `(?:modo (?:desarrollador|de desarrollador|dios|sin restricciones|sin filtros|desenvolvedor|de desenvolvedor|irrestrito)|mode (?:developpeur|dieu|sans restriction|sans filtre)|modus (?:entwickler|ohne einschrankungen)|modalita (?:sviluppatore|dio|senza restrizioni|senza filtri)|tryb (?:dewelopera|programisty|bez ograniczen))`},
}
