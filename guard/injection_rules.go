package guard

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// injectionRule is a high-precision pattern over a folded view (lower case,
// accents removed, leetspeak folded). Each rule starts at one of its anchor
// words, so that only the few places where an anchor occurs are matched
// against the expression: a scan costs a bit test per word, not a regular
// expression over the whole text.
type injectionRule struct {
	name    string
	typ     string // override, prompt_extraction, persona, fake_system, ...
	score   float64
	anchors string // space-separated words the match starts with
	expr    string // matched at the anchor; must start with one of anchors
	// needs are substrings one of which the span after the anchor must
	// hold before the expression is tried (a cheap filter: anchors such
	// as "what" or "list" are common words).
	needs   string
	needIDs []int // indexes of the needs in injectionNeeds
	// indirectOnly rules fire only for documents and tool results (a user
	// may well address the assistant; a web page should not).
	indirectOnly bool
	// before, when set, holds the characters one of which must come just
	// before the anchor ("<" in "<system>").
	before string
	// negatable rules do not fire just after a negation ("never share
	// your password": advice, not a request).
	negatable bool
	// veto are phrases that cancel a match when it holds one of them
	// ("how do i change the password" asks nothing of the AI).
	veto     string
	vetoList []string
	re       *regexp.Regexp
	idx      int // position in injectionRules
}

// injectionRuleSpan is how far past its anchor a rule may match, in bytes.
const injectionRuleSpan = 260

// Shared pieces of the expressions.
const (
	gap       = `[^.!?\n]{0,40}?`
	ruleWord  = `(?:instructions?|prompts?|rules|guidelines|directives?|directions|commands?|constraints|restrictions|programming|guardrails|polic(?:y|ies)|orders|context|training|safety (?:rules|guidelines|filters?))`
	aiWord    = `(?:ai|a\.i\.|llm|assistant|ai assistant|chatbot|language model|large language model|gpt|chatgpt|claude|gemini|copilot|bot|agent|ai agent|model|ai model|ai system)s?`
	urlOrMail = `(?:https?://|www\.|[a-z0-9._%+-]+@[a-z0-9-]+\.[a-z]{2,})`
)

var injectionRulesBase = []*injectionRule{
	// Instruction override, in the languages of the spec (folded: no accents).
	{name: "ignore_previous_instructions", needs: "instruction prompt rule guideline directive direction command constraint restriction programming guardrail polic order context training safety", typ: "override", score: 0.9,
		anchors: "ignore ignoring disregard forget override bypass discard neglect skip abandon drop",
		expr:    `(?:ignore|ignoring|disregard|forget|override|bypass|discard|neglect|skip|abandon|drop)\b(?:[^.!?\n]{0,25}?)\b(?:all|any|every|the|your|these|those|previous|prior|above|earlier|preceding|initial|original|foregoing|system|existing|current|old|safety|developer)\b` + gap + `\b` + ruleWord + `\b`},
	{name: "ignore_previous_instructions_ml", typ: "override", score: 0.9,
		anchors: "ignora ignore ignorez ignoriere ignorieren vergiss olvida olvide esqueca esquece oublie oubliez dimentica negeer vergeet zignoruj zapomnij ignoruj",
		expr:    `(?:ignora|ignore|ignorez|ignoriere|ignorieren|vergiss|olvida|olvide|esqueca|esquece|oublie|oubliez|dimentica|negeer|vergeet|zignoruj|zapomnij|ignoruj)\b[^.!?\n]{0,40}?\b(?:instrucciones|instrucoes|instructions|anweisungen|instruktionen|istruzioni|instructies|instrukcje|instrukcji|regeln|reglas|regles|regras|regole|regels|zasady|consignes|indicaciones|richtlinien|vorgaben|direttive|polecenia)\b`},
	{name: "new_instructions", needs: "instruction task goal objective directive purpose role follow bound obey restricted limited", typ: "override", score: 0.8,
		anchors: "from instead now your new",
		expr:    `(?:from now on|instead|now|your new|new)\b[^.!?\n]{0,20}?\b(?:you (?:are|will|must|shall) (?:no longer|not) (?:follow|bound|obey|restricted|limited)|(?:your|the) (?:new|real|true|actual|only) (?:instructions?|task|goal|objective|directive|purpose|role) (?:is|are|will be)\b)`},

	// Prompt extraction.
	{name: "reveal_system_prompt", needs: "prompt instruction message rules configuration directive guideline context setup", typ: "prompt_extraction", score: 0.85,
		anchors: "reveal show print display output repeat tell give share leak dump write list what recite disclose expose return echo copy paste translate encode summarize summarise spell",
		expr:    `(?:reveal|show|print|display|output|repeat|tell|give|share|leak|dump|write|list|what|recite|disclose|expose|return|echo|copy|paste|translate|encode|summari[sz]e|spell)\b[^.!?\n]{0,40}?\b(?:your|the|its|my assistant'?s|the assistant'?s|the ai'?s|the bot'?s|their)\s+(?:(?:full|entire|complete|exact|original|initial|hidden|secret|confidential|internal|underlying|first|previous|starting|pre-?prompt|system|developer|operator|original)\s+){1,3}(?:prompt|instructions?|message|rules|configuration|directives|guidelines|context|setup)\b`},
	{name: "repeat_text_above", needs: "above before prior verbatim word for word", typ: "prompt_extraction", score: 0.8,
		anchors: "repeat print output recite copy reproduce echo write",
		expr:    `(?:repeat|print|output|recite|copy|reproduce|echo|write)\b[^.!?\n]{0,30}?\b(?:(?:text|words|everything|all|instructions|sentences|lines|content)\s+(?:above|before|prior)|above (?:text|instructions|sentences|lines|prompt)|(?:word for word|verbatim)\b[^.!?\n]{0,30}\b(?:instructions|prompt|above|conversation))`},
	{name: "system_prompt_question", needs: "prompt instructions rules directives", typ: "prompt_extraction", score: 0.8,
		anchors: "what which",
		expr:    `(?:what|which)\s+(?:is|are|were|was)\s+(?:your|the)\s+(?:(?:initial|original|hidden|secret|system|first|starting|exact)\s+){1,2}(?:prompt|instructions|rules|directives)\b[^.!?\n]{0,20}?(?:\?|given|told|received)`},

	{name: "reveal_secret", needs: "secret hidden confidential internal", typ: "prompt_extraction", score: 0.7, negatable: true,
		anchors: "what reveal tell give print show share disclose output",
		expr:    `(?:what(?:'s| is| are)|reveal|tell me|give me|print|show me|share|disclose|output)\s+(?:your|the)\s+(?:secret|hidden|confidential|internal)\s*(?:key|password|passphrase|token|code|word|number|value|instructions?)\b`},

	// Persona jailbreaks.
	{name: "do_anything_now", needs: "anything", typ: "persona", score: 0.95,
		anchors: "do",
		expr:    `do anything now\b`},
	{name: "jailbreak_mode", needs: "mode jailbroken", typ: "persona", score: 0.9,
		anchors: "enable enabled activate activated enter entering switch dan jailbreak jailbroken developer god unrestricted unfiltered",
		expr:    `(?:(?:enable|enabled|activate|activated|enter|entering|switch to|switching to)\s+(?:the\s+)?(?:dan|jailbreak|jailbroken|god|unrestricted|unfiltered|uncensored|evil|chaos)\s+mode|(?:dan|jailbreak|jailbroken|developer|god|unrestricted|unfiltered)\s+mode\s+(?:enabled|activated|on\b(?:\s*[.!:,;]|\s*$)|output|response)|jailbroken\b)`},
	{name: "unrestricted_persona", needs: "restriction filter limit rules guideline censor moral ethic polic safety", typ: "persona", score: 0.85,
		anchors: "you act pretend roleplay become from",
		expr:    `(?:you are|you're|you will be|act as|pretend to be|pretend you are|roleplay as|become|from now on you are)\b[^.!?\n]{0,60}?\b(?:no|without any|without|free from|free of|not bound by|unbound by|liberated from|broken free of|exempt from)\b[^.!?\n]{0,25}?\b(?:restrictions|filters?|limitations|limits|rules|guidelines|censorship|morals|morality|ethics|ethical|moral|content polic(?:y|ies)|safety)\b`},
	{name: "not_bound_by_policy", needs: "polic rules guideline restriction", typ: "persona", score: 0.85,
		anchors: "you does doesn",
		expr:    `(?:you (?:do not|don't|no longer|never) (?:have to|need to|must)|(?:does not|doesn't) (?:have to|need to))\s+(?:follow|abide by|obey|comply with|adhere to)\b[^.!?\n]{0,30}?\b(?:openai|anthropic|content|safety|ethical|usage|any)\b[^.!?\n]{0,20}?\b(?:polic(?:y|ies)|rules|guidelines|restrictions)\b`},

	// Refusal suppression.
	{name: "never_refuse", needs: "refuse decline reject deny", typ: "refusal_suppression", score: 0.8,
		anchors: "never do don't dont must cannot can't can will won't not",
		expr:    `(?:never|do not|don't|dont|must not|must never|cannot|can't|can not|will not|won't|will never|are not allowed to|not allowed to)\s+(?:ever\s+)?(?:refuse|decline|reject|deny)\b[^.!?\n]{0,20}?\b(?:any|a|my|the|to|request|question|answer|respond)`},

	// Fake system or developer messages and chat-template tokens.
	{name: "chat_template_token", typ: "fake_system", score: 0.85,
		anchors: "im lim endoftext inst sys system",
		expr:    `(?:l?im_(?:start|end)|endoftext|/?inst\]|sys>>|system\|?>|system\s*\]\s*:?)`},
	{name: "fake_system_message", typ: "fake_system", score: 0.8,
		anchors: "system developer admin administrator operator new",
		expr:    `(?:system|developer|admin|administrator|operator|new system)\s*(?:message|prompt|note|override|update|instruction|instructions|notice|directive|alert)?\s*[:\]>-]+\s*(?:you|ignore|disregard|forget|new|from now|the assistant|assistant|override|reveal|all previous|previous|your)\b`},
	{name: "authority_claim", needs: "admin developer creator operator owner programmer trainer maker supervisor engineer openai anthropic", typ: "authority", score: 0.8,
		anchors: "as i this",
		expr:    `(?:as your|i am your|i'm your|this is your|i am the|this is the)\s+(?:system\s+)?(?:administrator|admin|developer|developers|creator|creators|operator|owner|programmer|trainer|maker|supervisor|lead engineer|openai|anthropic)\b[^.!?\n]{0,60}?\b(?:authori[sz]e|order|command|instruct|override|allow|permit|grant|unlock|disable|enable|require|need you|want you|tell you)`},

	// Exfiltration of data to a URL or an address.
	{name: "exfiltrate_to_url", needs: "http www. @", typ: "exfiltration", score: 0.9,
		anchors: "send post forward upload transmit exfiltrate leak email mail submit include append embed copy",
		expr:    `(?:send|post|forward|upload|transmit|exfiltrate|leak|email|e-mail|mail|submit|include|append|embed|copy)\b[^\n]{0,80}?\b(?:conversation|chat|chat history|history|messages|system prompt|prompt|api keys?|keys?|passwords?|credentials|tokens?|secrets?|personal (?:data|information)|user'?s? (?:data|information|details|emails?)|contacts|address book|cookies|session|previous messages|everything)\b[^\n]{0,80}?` + urlOrMail},
	{name: "markdown_image_exfil", typ: "exfiltration", score: 0.85,
		anchors: "https http",
		expr:    `https?://[^\s)\]]{1,120}[?&][a-z_]{1,20}=(?:\{|\[|\$|<|%7b)`},

	// Indirect: text addressed to the AI inside content it reads.
	{name: "addressed_to_ai", needs: "ai llm assistant chatbot model gpt claude gemini copilot bot agent a.i.", typ: "indirect", score: 0.8, indirectOnly: true,
		anchors: "if attention note dear hey to instructions important message ai",
		expr:    `(?:if you are|if you're|attention|note to|note for|dear|hey|to the|to any|instructions? (?:to|for)(?: the| any)?|important(?: message)? (?:to|for)(?: the| any)?|message (?:to|for)(?: the| any)?|ai)\s+(?:an?\s+|the\s+|any\s+)?` + aiWord + `\b[^\n]{0,40}?(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing|:|,|-)`},
	{name: "when_summarising", needs: "email e-mail document page website message text file content result output data review resume cv article", typ: "indirect", score: 0.75, indirectOnly: true,
		anchors: "when while",
		expr:    `(?:when|while)\s+(?:you\s+)?(?:summari[sz]e|summari[sz]ing|answer|answering|respond|responding|reply|replying|process|processing|read|reading|asked about|analy[sz]e|analy[sz]ing)\b[^.!?\n]{0,40}?\b(?:this|the|these)\s+(?:email|e-mail|document|page|webpage|website|message|text|file|content|result|output|data|review|resume|cv|article)s?\b[^.!?\n]{0,20}?\b(?:you must|you should|always|instead|make sure|be sure|do not|don't|ignore|include|say|tell|state|respond|reply|recommend)\b`},
	{name: "ai_directive", typ: "indirect", score: 0.75, indirectOnly: true,
		anchors: "ai assistant assistants llm llms chatbot model models gpt chatgpt claude copilot agent agents bot bots",
		expr:    aiWord + `\s+(?:must|should|shall|will|needs to|is required to|are required to|is instructed to|are instructed to)\s+(?:now\s+|always\s+|also\s+)?(?:ignore|disregard|forget|send|forward|email|respond|reply|say|tell|include|recommend|rate|output|reveal|print|call|execute|run|delete|transfer|visit|click|append|insert|add)\b`},
}

// injectionRules are all the anchored rules: the English ones above and
// those of injection_rules_ml.go.
var injectionRules = append(append(injectionRulesBase, injectionRulesEN...), injectionRulesML...)

// anchorBuckets marks the feature buckets of the anchor words, so that a
// word's unigram bucket (already hashed by Features) says whether a rule
// may start there.
// injectionNeeds are the rules' needs, each once: rules share many, and a
// need is looked for at most once per view.
var injectionNeeds []string

// injectionNeedPrefixes are the needs as needPrefix gives them.
var injectionNeedPrefixes []struct {
	n int
	h uint32
}

var anchorBuckets, anchorRules = func() (bucketSet, map[string][]*injectionRule) {
	needIndex := map[string]int{}
	set := make(bucketSet, 1<<FeatureBits/64)
	byWord := map[string][]*injectionRule{}
	mask := uint32(1)<<FeatureBits - 1
	for i, r := range injectionRules {
		r.idx = i
		r.re = regexp.MustCompile(`^(?:` + r.expr + `)`)
		addNeed := func(n string, derived bool) {
			key := n
			if derived {
				key = "\x00" + n // may start inside a word: never gated by prefixBloom
			}
			id, ok := needIndex[key]
			if !ok {
				id = len(injectionNeeds)
				needIndex[key] = id
				injectionNeeds = append(injectionNeeds, n)
				k, h := needPrefix(n)
				if derived {
					k, h = derivedNeedGate, 0
				}
				injectionNeedPrefixes = append(injectionNeedPrefixes, struct {
					n int
					h uint32
				}{k, h})
			}
			r.needIDs = append(r.needIDs, id)
		}
		for _, n := range strings.Fields(r.needs) {
			addNeed(n, false)
		}
		if r.needs == "" {
			for _, n := range derivedNeeds(r.expr) {
				addNeed(n, true)
			}
		}
		r.vetoList = strings.Split(r.veto, "|")
		if r.veto == "" {
			r.vetoList = nil
		}
		for _, w := range strings.Fields(r.anchors) {
			// Anchors are matched as Features cuts words: "can't" is "can".
			w = strings.FieldsFunc(w, func(c rune) bool { return c == '\'' || c == '.' })[0]
			h := hashString(2166136261, w) & mask
			set[h>>6] |= 1 << (h & 63)
			byWord[w] = append(byWord[w], r)
		}
	}
	return set, byWord
}()

// ruleHit is a rule that matched at a rune span of a view.
type ruleHit struct {
	rule       *injectionRule
	start, end int     // rune span in the view
	at         int     // byte offset of the start in the view
	score      float64 // the rule's score, or less when cited (citedHit)
}

// scanRules runs the rules at the anchor words of a view (words as
// splitWords cut them) and returns the highest rule score and the hits.
func scanRules(s string, words []wordSpan, src Source, sc *injectionScratch) (float64, []ruleHit) {
	var hits []ruleHit
	if len(sc.needPos) < len(injectionNeeds) {
		sc.needPos = make([][]int, len(injectionNeeds))
		sc.needScanned = make([]int, len(injectionNeeds))
	}
	for i, p := range injectionNeedPrefixes {
		sc.needScanned[i] = 0
		if p.n == derivedNeedGate {
			sc.needScanned[i] = needUntested
		} else if !sc.prefixes.mayHave(p.n, p.h) {
			sc.needScanned[i] = -1
		}
		sc.needPos[i] = sc.needPos[i][:0]
	}
	sc.gramsFilled = false
	best := 0.0
	indirect := indirectSource(src)
	for _, w := range words {
		if !w.anchor {
			continue
		}
		word := s[w.byteStart:]
		word = word[:wordLen(word)]
		for _, r := range anchorRules[word] {
			if r.indirectOnly && !indirect {
				continue
			}
			if r.before != "" && (w.byteStart == 0 || !strings.ContainsRune(r.before, rune(s[w.byteStart-1]))) {
				continue
			}
			if r.negatable && negatedBefore(s[max(0, w.byteStart-16):w.byteStart]) {
				continue
			}
			end := min(len(s), w.byteStart+injectionRuleSpan)
			if !sc.needed(r, s, w.byteStart, end) {
				continue
			}
			loc := r.re.FindStringIndex(s[w.byteStart:end])
			if loc == nil {
				continue
			}
			// The overrides of one's own earlier words are not injection:
			// "ignore my previous instructions, use bullets".
			m := s[w.byteStart : w.byteStart+loc[1]]
			if r.typ == "override" && ownWords(m) {
				continue
			}
			if vetoed(r, m) {
				continue
			}
			if len(hits) > 0 && hits[len(hits)-1].rule == r && hits[len(hits)-1].end > w.start {
				continue // the same match, reached from a later anchor
			}
			hits = append(hits, ruleHit{rule: r, start: w.start, end: w.start + utf8.RuneCountInString(m), at: w.byteStart, score: r.score})
			best = max(best, r.score)
		}
	}
	if hasNonASCII(s) {
		best = max(best, sc.scanPhrases(s, &hits))
	}
	return best, hits
}

// ownWords reports a possessive of the writer's own ("my", "mis", "meine"):
// overriding one's own earlier words is not injection.
func ownWords(m string) bool {
	for _, w := range []string{" my ", " our ", " mis ", " mes ", " meine ", " meinen ", " minhas ", " meus ", " mie ", " miei ", " mijn ", " moje ", " moich "} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// negatedBefore reports a negation in the few words before an anchor.
func negatedBefore(pre string) bool {
	for _, n := range []string{"never ", "not ", "n't ", "dont ", "nunca ", "jamais ", "niemals ", "nie ", " mai ", "nooit ", " no ", " ne "} {
		if strings.Contains(pre, n) {
			return true
		}
	}
	return false
}

func vetoed(r *injectionRule, m string) bool {
	for _, v := range r.vetoList {
		if strings.Contains(m, v) {
			return true
		}
	}
	return false
}

// wordLen is the byte length of the word s starts with (letters and digits).
func wordLen(s string) int {
	for i, r := range s {
		if !isWordRune(r) {
			return i
		}
	}
	return len(s)
}

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// needed reports whether one of r's needs starts in s[start:end]. Anchors
// come in increasing order, so each need is searched for incrementally: at
// most once over the parts of the view near an anchor, and never twice over
// the same bytes (many rules share a need).
func (sc *injectionScratch) needed(r *injectionRule, s string, start, end int) bool {
	for _, id := range r.needIDs {
		x := injectionNeeds[id]
		if sc.needScanned[id] == needUntested {
			sc.needScanned[id] = 0
			if !sc.viewGrams(s).mayHold(x) {
				sc.needScanned[id] = -1
			}
		}
		if sc.needScanned[id] < 0 {
			continue // not in the view
		}
		if from := max(sc.needScanned[id], start); from < end {
			hi := min(len(s), end+len(x)-1)
			for off := from; off < hi; {
				i := strings.Index(s[off:hi], x)
				if i < 0 {
					break
				}
				sc.needPos[id] = append(sc.needPos[id], off+i)
				off += i + len(x)
			}
			sc.needScanned[id] = end
		}
		ps := sc.needPos[id]
		for k := len(ps) - 1; k >= 0 && ps[k] >= start; k-- {
			if ps[k] < end {
				return true
			}
		}
	}
	return len(r.needIDs) == 0
}
