package guard

// crisisRulesIndirect are indirect statements and plans in general forms,
// in English, Spanish, German, French, Portuguese and Italian: no way out
// but death (whose negation belongs to the idiom: "I don't see another
// way", "je ne vois pas d'autre issue"), no reason left to live, not
// minding death, means got ready for a purpose, and a plan with a place or
// a date.
var crisisRulesIndirect = []crisisRule{
	// English.
	{famIdeation, 3.4, "(other|another|different|else|better|real) (way out|option|escape|solution|choice|way) ~3 (than|except|but|besides|other than) ~3 (dying|death|die|to die|suicide|ending it|end it|killing myself|kill myself|ending my life|end my life)"},
	{famIdeation, 3.0, "(don t|do not|dont|can t|cannot|cant|no longer|never|couldn t) (see|find|have|feel|got) ~2 (a|any|the|one|single|much) (reason|point|purpose|will|meaning) ~3 (live|living|alive|go on|going on|keep going|stay|staying|exist|existing|life)"},
	{famIdeation, 3.2, "(wouldn t|would not|wouldnt|don t|do not|dont) (mind|care) (dying (tonight|today|soon|now|at all)|being dead|not waking up|if i (die|died|didn t wake up|don t wake up|never woke up|was dead|were dead|got hit|crashed))"},
	{famIdeation, 3.0, "(welcome|embrace|looking forward to|long for|longing for|crave|craving) (death|dying|the end|my death|not existing|eternal sleep)"},
	{famMeans, 3.6, "{I} ~3 (bought|got|ordered|have|ve got|found|picked|hid|hidden|hiding|saved|keep|kept) ~4 (rope|noose|gun|pistol|razor|razors|blade|blades|charcoal|helium|poison|{PILLS}) ~6 (end it|end things|do it|kill myself|end my life|die|go through with it|when the time comes|for the end|for myself)"},
	{famIntent, 3.4, "{I} ~3 (know|decided|picked|chosen|chose|planned|figured out|worked out|set) ~2 (where|when|how|the date|the day|the time|the place|the spot|the bridge|a date|a day) ~4 (do it|end it|end things|die|go through with it|kill myself|end my life|it will happen|it ll happen)"},
	// Means asked about without "I": a height, a dose or a method chosen
	// for being deadly is a plan whoever the grammar names.
	{famMethod, 3.8, "(high|tall|far|deep|strong|enough|big|long) enough ~2 to ~3 (die|kill|be fatal|be lethal|not survive|end it|end my life|make sure)"},
	{famMethod, 3.8, "(jump|jumping|leap|leaping|fall|falling) (from|off|out of) ~6 (and|to) ~2 (die|not survive|be sure|end it|end my life|never wake up)"},
	{famMethod, 3.6, "(which|what) ~4 (bridge|building|floor|cliff|height|drug|pill|pills|dose|poison|method|gun|way) ~6 (to die|kill you|kill someone fast|fatal|lethal|not survive|guaranteed death|surely die|die instantly|die quickly|die painlessly)"},
	// Someone else in danger now, with the act before the state.
	{famOther, 3.8, "{REL} ~3 (overdosed|od d|took an overdose|has taken an overdose|tried to kill {REFL}|cut {REFL})"},
	{famOther, 4.2, "{REL} ~6 (not breathing|unconscious|unresponsive|barely breathing|turning blue|won t wake up|not waking up|bleeding out|won t stop bleeding)"},
	// Spanish.
	{famIdeation, 3.4, "(otra|otro|ninguna|ningun|unica|mejor) (salida|opcion|solucion|camino|escapatoria|forma) ~3 (que|mas que|excepto|salvo|sino|aparte de) ~2 (morir|morirme|la muerte|el suicidio|matarme|suicidarme|quitarme la vida|acabar con todo|acabar con mi vida)"},
	{famIdeation, 3.2, "(no|ya no) (veo|encuentro|tengo|hay) ~2 (ninguna|ningun|una|un|mas) (razon|motivo|sentido|proposito) ~2 (para|de) ~1 (vivir|seguir|seguir viviendo|estar vivo|estar viva|existir)"},
	{famIdeation, 3.2, "(no me importaria|no me importa|me da igual) ~2 (morir|morirme|estar muerto|estar muerta|no despertar|si me muero)"},
	{famMeans, 3.6, "(cuerda|soga|pastillas|pildoras|pistola|arma|cuchillas|veneno|navaja) ~5 para ~2 {ESSELF}"},
	{famIntent, 3.4, "(ya se|he decidido|ya elegi|tengo pensado) ~2 (donde|cuando|como|el dia|la fecha|el lugar) ~4 {ESSELF}"},
	// German.
	{famIdeation, 3.4, "(keinen|kein|einzigen|anderen|andere) (ausweg|weg|losung|ausgang) ~3 (als|ausser|auser|außer) ~3 (tod|den tod|dem tod|sterben|suizid|selbstmord|mich umzubringen|mich umbringen)"},
	{famIdeation, 3.2, "(keinen|kein) (grund|sinn|zweck) ~3 (zu leben|weiterzuleben|mehr zu leben|weiter zu leben|am leben zu bleiben)"},
	{famIdeation, 3.2, "(hatte nichts dagegen|ware mir egal|ist mir egal) ~3 (zu sterben|tot zu sein|wenn ich sterbe|nicht mehr aufzuwachen)"},
	{famMeans, 3.6, "(tabletten|pillen|seil|strick|waffe|pistole|rasierklingen|klingen|gift|schlaftabletten) ~6 um ~3 (zu sterben|es zu beenden|alles zu beenden|mich umzubringen|mich zu toten|meinem leben ein ende zu setzen|mir das leben zu nehmen)"},
	{famIntent, 3.4, "ich ~3 (weiss|weis|habe entschieden|hab entschieden|habe beschlossen|hab beschlossen) ~2 (wo|wann|wie|den tag|das datum|den ort) ~5 (es tun|es beenden|sterben|mich umbringen|mir das leben nehmen)"},
	// French.
	{famIdeation, 3.4, "[pas|plus|point] (d autre|autre|d autres|seule|aucune|meilleure) (issue|solution|option|sortie|moyen|echappatoire|choix) ~3 (que|sauf|a part) ~2 (la mort|mourir|le suicide|me tuer|me suicider|en finir|mettre fin a mes jours)"},
	{famIdeation, 3.2, "(plus|pas|aucune|aucun) ~2 (raison|sens|but|envie) ~2 (de|pour) ~1 (vivre|continuer|rester en vie|exister)"},
	{famIdeation, 3.2, "(ca ne me derangerait pas|ca m est egal|je m en fiche) ~2 (de mourir|d etre mort|d etre morte|de ne pas me reveiller|si je meurs)"},
	{famMeans, 3.6, "(corde|cachets|comprimes|pilules|medicaments|arme|pistolet|lames|poison) ~5 pour ~2 {FRSELF}"},
	{famIntent, 3.4, "(je sais|j ai decide|j ai choisi|j ai prevu) ~2 (ou|quand|comment|le jour|la date|l endroit) ~4 (je vais|je le ferai|le faire|en finir|mourir|me tuer)"},
	// Portuguese.
	{famIdeation, 3.4, "(outra|outro|nenhuma|nenhum|unica|melhor) (saida|opcao|solucao|caminho|escapatoria|forma) ~3 (que|alem de|a nao ser|exceto|senao) ~2 (morrer|a morte|o suicidio|me matar|me suicidar|acabar com tudo)"},
	{famIdeation, 3.2, "(nao|ja nao) (vejo|encontro|tenho|ha) ~2 (nenhum|nenhuma|um|uma|mais) (motivo|razao|sentido|proposito) ~2 (para|de|pra) ~1 (viver|continuar|seguir|existir|estar vivo|estar viva)"},
	{famMeans, 3.6, "(corda|comprimidos|remedios|pilulas|arma|veneno|laminas|giletes) ~5 (para|pra) ~2 ({PTSELF}|acabar com tudo)"},
	// Italian.
	{famIdeation, 3.4, "(altra|altro|nessuna|nessun|unica|migliore) (via d uscita|via|uscita|soluzione|scelta|scampo|modo) ~3 (che|se non|tranne|oltre a|al di fuori di) ~2 (morire|la morte|il suicidio|uccidermi|ammazzarmi|farla finita|togliermi la vita)"},
	{famIdeation, 3.2, "(nessun|nessuna|piu un|piu alcun) (motivo|ragione|senso|scopo) ~2 (per|di) ~1 (vivere|continuare|andare avanti|esistere)"},
	{famMeans, 3.6, "(corda|pillole|pastiglie|compresse|farmaci|pistola|lamette|veleno) ~5 per ~2 ({ITSELF}|farla finita)"},
}
