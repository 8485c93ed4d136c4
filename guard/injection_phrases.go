package guard

import (
	"strings"
	"unicode/utf8"
)

// Rules for scripts whose words the anchored rules do not serve well
// (Chinese and Japanese write no spaces; Russian, Arabic and Hindi inflect
// a stem many ways): a rule fires when one of its a phrases occurs with one
// of its b phrases within window bytes of it (either order), and none of its
// veto phrases is that near. Phrases are written naturally and folded as
// the views are.
type phraseRule struct {
	rule       *injectionRule
	a, b, veto []string
	window     int
	ai, bi, vi []int // indexes in injectionPhraseList
}

var injectionPhraseRules = []*phraseRule{
	// Chinese.
	{rule: &injectionRule{name: "ignore_previous_instructions_zh", typ: "override", score: 0.9}, window: 30,
		a: []string{"忽略", "无视", "無視", "忘记", "忘記", "不要遵守", "不要遵循", "不要理会", "別管", "别管", "跳过", "抛开"},
		b: []string{"指令", "指示", "规则", "規則", "说明", "說明", "提示", "设定", "設定", "限制", "之前", "以上", "上面", "先前", "要求"}},
	{rule: &injectionRule{name: "secret_request_zh", typ: "prompt_extraction", score: 0.85}, window: 30,
		a:    []string{"密码", "密碼", "密钥", "密鑰", "秘钥", "系统提示", "系統提示", "提示词", "提示詞", "初始指令", "你的指令", "你的设定", "你的設定", "口令", "暗号", "秘密"},
		b:    []string{"告诉", "告訴", "显示", "顯示", "输出", "輸出", "是什么", "是什麼", "给我", "給我", "重复", "重複", "透露", "说出", "說出", "展示", "打印", "分享", "确认", "確認", "写出", "列出"},
		veto: []string{"注入", "怎么", "怎麼", "如何", "修改", "忘记", "忘記", "重置", "设置密码", "我的"}},
	{rule: &injectionRule{name: "unrestricted_persona_zh", typ: "persona", score: 0.85}, window: 40,
		a: []string{"没有任何限制", "沒有任何限制", "没有限制", "沒有限制", "不受限制", "无限制", "無限制", "开发者模式", "開發者模式", "越狱", "越獄", "做任何事", "没有规则", "沒有規則"},
		b: []string{"你", "现在", "現在", "dan"}},
	{rule: &injectionRule{name: "developer_claim_zh", typ: "authority", score: 0.8},
		a: []string{"我是你的开发者", "我是你的開發者", "我是开发者", "我是開發者", "我是管理员", "我是管理員", "我是你的创造者", "我是你的創造者", "我是你的主人"}},
	{rule: &injectionRule{name: "new_task_zh", typ: "goal_hijack", score: 0.8},
		a: []string{"你的新任务", "你的新任務", "新任务是", "新任務是", "你真正的任务", "你真正的任務"}},

	// Japanese.
	{rule: &injectionRule{name: "ignore_previous_instructions_ja", typ: "override", score: 0.9}, window: 30,
		a: []string{"無視", "忘れて", "従わないで", "従う必要はありません", "破棄"},
		b: []string{"指示", "命令", "ルール", "制約", "プロンプト", "設定", "指令", "規則", "制限", "ガイドライン"}},
	{rule: &injectionRule{name: "secret_request_ja", typ: "prompt_extraction", score: 0.85}, window: 30,
		a:    []string{"パスワード", "秘密鍵", "秘密のキー", "シークレットキー", "システムプロンプト", "初期プロンプト", "指示内容", "あなたの指示", "秘密のコード", "合言葉", "暗証番号"},
		b:    []string{"教えて", "表示", "見せて", "出力", "何です", "は何", "共有", "繰り返", "書いて", "確認", "明かし", "言って", "そのまま"},
		veto: []string{"インジェクション", "変更", "忘れた", "リセット", "とは", "私の"}},
	{rule: &injectionRule{name: "unrestricted_persona_ja", typ: "persona", score: 0.85}, window: 40,
		a: []string{"制限のない", "制限なし", "制限がない", "制約のない", "開発者モード", "何でもできる", "フィルターなし", "ルールのない"},
		b: []string{"あなたは", "今から", "これから", "として", "dan", "モード"}},
	{rule: &injectionRule{name: "developer_claim_ja", typ: "authority", score: 0.8}, window: 60,
		a: []string{"私はあなたの開発者", "私は開発者", "私は管理者", "私はあなたの管理者", "開発者として", "管理者として"},
		b: []string{"許可", "無効", "解除", "パスワード", "教えて", "命令", "オフ"}},
	{rule: &injectionRule{name: "new_task_ja", typ: "goal_hijack", score: 0.8},
		a: []string{"あなたの新しいタスク", "新しいタスクは", "本当のタスクは", "あなたの新しい指示"}},

	// Russian.
	{rule: &injectionRule{name: "ignore_previous_instructions_ru", typ: "override", score: 0.9}, window: 80,
		a: []string{"игнорируй", "игнорировать", "проигнорируй", "забудь", "забудьте", "не обращай внимания на", "отбрось", "не следуй", "не выполняй", "отмени"},
		b: []string{"инструкци", "правил", "указани", "предыдущ", "вышесказанн", "ограничени", "директив", "всё, что", "все, что"}},
	{rule: &injectionRule{name: "secret_request_ru", typ: "prompt_extraction", score: 0.85}, window: 60,
		a:    []string{"пароль", "пароля", "секретный ключ", "секретного ключа", "системный промпт", "системного промпта", "системные инструкции", "системную инструкцию", "исходные инструкции", "твои инструкции", "ваши инструкции", "секретный код", "кодовое слово"},
		b:    []string{"скажи", "назови", "покажи", "дай", "какой", "каков", "раскрой", "выведи", "сообщи", "повтори", "напиши", "подтверди", "поделись", "открой", "расскажи"},
		veto: []string{"сменить", "изменить", "забыл", "восстанов", "мой пароль", "как "}},
	{rule: &injectionRule{name: "unrestricted_persona_ru", typ: "persona", score: 0.85}, window: 60,
		a: []string{"без ограничений", "без каких-либо ограничений", "нет ограничений", "никаких ограничений", "без цензуры", "без фильтров", "режим разработчика"},
		b: []string{"ты ", "теперь", "отныне", "с этого момента", "dan", "притворись", "представь"}},
	{rule: &injectionRule{name: "developer_claim_ru", typ: "authority", score: 0.8},
		a: []string{"я твой разработчик", "я ваш разработчик", "я твой создатель", "я администратор", "я твой администратор", "я разработчик этого"}},
	{rule: &injectionRule{name: "new_task_ru", typ: "goal_hijack", score: 0.8},
		a: []string{"твоя новая задача", "ваша новая задача", "новая задача:", "твоя настоящая задача"}},

	// Arabic.
	{rule: &injectionRule{name: "ignore_previous_instructions_ar", typ: "override", score: 0.9}, window: 60,
		a: []string{"تجاهل", "انس", "أهمل", "لا تتبع", "تخط", "تجاوز"},
		b: []string{"التعليمات", "تعليمات", "القواعد", "الأوامر", "التوجيهات", "ما سبق", "القيود"}},
	{rule: &injectionRule{name: "secret_request_ar", typ: "prompt_extraction", score: 0.85}, window: 60,
		a:    []string{"كلمة المرور", "كلمة السر", "المفتاح السري", "الرمز السري", "موجه النظام", "تعليمات النظام", "تعليماتك", "الرقم السري"},
		b:    []string{"ما هي", "ما هو", "أخبرني", "اخبرني", "أعطني", "اعطني", "اكشف", "أظهر", "اعرض", "شارك", "قل لي", "أكد", "اكتب", "كرر"},
		veto: []string{"كيف", "تغيير", "نسيت"}},
	{rule: &injectionRule{name: "unrestricted_persona_ar", typ: "persona", score: 0.85},
		a: []string{"بدون قيود", "بلا قيود", "ليس لديك أي قيود", "لا قيود عليك", "بدون رقابة", "وضع المطور"}},
	{rule: &injectionRule{name: "developer_claim_ar", typ: "authority", score: 0.8},
		a: []string{"أنا المطور", "أنا مطورك", "أنا المسؤول عنك", "أنا مديرك", "أنا مبرمجك"}},
	{rule: &injectionRule{name: "new_task_ar", typ: "goal_hijack", score: 0.8},
		a: []string{"مهمتك الجديدة", "مهمتك الحقيقية"}},

	// Refusal suppression in the non-Latin scripts.
	{rule: &injectionRule{name: "never_refuse_cjk_ru_ar", typ: "refusal_suppression", score: 0.8},
		a: []string{"不要拒绝", "不許拒絕", "不准拒绝", "断らないで", "拒否しないで", "не отказывайся", "не отказывайтесь", "нельзя отказываться", "لا ترفض", "لا تعتذر"}},

	// Hindi.
	{rule: &injectionRule{name: "ignore_previous_instructions_hi", typ: "override", score: 0.9}, window: 80,
		a: []string{"अनदेखा", "नज़रअंदाज़", "भूल जाओ", "भूल जाइए"},
		b: []string{"निर्देश", "नियम", "आदेश"}},
	{rule: &injectionRule{name: "secret_request_hi", typ: "prompt_extraction", score: 0.85}, window: 60,
		a: []string{"पासवर्ड", "गुप्त कुंजी", "गुप्त कोड", "सिस्टम प्रॉम्प्ट", "अपने शुरुआती निर्देश", "अपने निर्देश"},
		b: []string{"बताओ", "बताइए", "बताएं", "क्या है", "दिखाओ", "दिखाइए", "दोहराओ", "दोहराइए"}, veto: []string{"कैसे", "बदल"}},
}

// injectionPhraseList holds every folded phrase once; phraseFirst marks the
// runes phrases start with (below U+10000), and phraseByRune lists them.
var injectionPhraseList, phraseFirst, phraseByRune = func() ([]string, bucketSet, map[rune][]int) {
	var list []string
	index := map[string]int{}
	first := make(bucketSet, 1<<16/64)
	byRune := map[rune][]int{}
	add := func(ps []string) []int {
		var out []int
		for _, p := range ps {
			f := Normalize(p).Views[0].Text
			i, ok := index[f]
			if !ok {
				i = len(list)
				index[f] = i
				list = append(list, f)
				r, _ := utf8.DecodeRuneInString(f)
				first[r>>6] |= 1 << (r & 63)
				byRune[r] = append(byRune[r], i)
			}
			out = append(out, i)
		}
		return out
	}
	for _, r := range injectionPhraseRules {
		r.ai, r.bi, r.vi = add(r.a), add(r.b), add(r.veto)
	}
	return list, first, byRune
}()

// scanPhrases finds the phrase rules in s, a view with non-ASCII text, in
// one pass over its runes, and appends their hits.
func (sc *injectionScratch) scanPhrases(s string, hits *[]ruleHit) float64 {
	if len(sc.phrasePos) < len(injectionPhraseList) {
		sc.phrasePos = make([][]int, len(injectionPhraseList))
	}
	for i := range sc.phrasePos {
		sc.phrasePos[i] = sc.phrasePos[i][:0]
	}
	found := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < 1<<16 && phraseFirst.has(uint32(r)) {
			for _, k := range phraseByRune[r] {
				if strings.HasPrefix(s[i:], injectionPhraseList[k]) && len(sc.phrasePos[k]) < 8 {
					sc.phrasePos[k] = append(sc.phrasePos[k], i)
					found = true
				}
			}
		}
		i += size
	}
	if !found {
		return 0
	}
	best := 0.0
	near := func(ks []int, at, n, w int) bool {
		for _, k := range ks {
			for _, p := range sc.phrasePos[k] {
				if p+len(injectionPhraseList[k]) >= at-w && p <= at+n+w {
					return true
				}
			}
		}
		return false
	}
	for _, r := range injectionPhraseRules {
	rule:
		for _, k := range r.ai {
			for _, p := range sc.phrasePos[k] {
				n := len(injectionPhraseList[k])
				if len(r.bi) > 0 && !near(r.bi, p, n, r.window) {
					continue
				}
				if len(r.vi) > 0 && near(r.vi, p, n, r.window) {
					continue
				}
				a := utf8.RuneCountInString(s[:p])
				*hits = append(*hits, ruleHit{rule: r.rule, start: a, end: a + utf8.RuneCountInString(injectionPhraseList[k]), at: p, score: r.rule.score})
				best = max(best, r.rule.score)
				break rule
			}
		}
	}
	return best
}
