package guard

import (
	"strings"
	"testing"
)

// TestDerivedNeedsAreNecessary: wherever a rule with derived needs matches
// at one of its anchors in the equivalence corpus (with and without the
// anchor's own rules' needs), the match holds one of the needs.
func TestDerivedNeedsAreNecessary(t *testing.T) {
	matched := 0
	for _, text := range equivalenceCorpus(t) {
		tx := Normalize(text)
		for _, v := range tx.Views {
			s := v.Text
			for i := 0; i < len(s); i++ {
				if i > 0 && isWordRune(rune(s[i-1])) || s[i] >= 0x80 {
					continue
				}
				for _, r := range anchorRules[s[i:i+wordLen(s[i:])]] {
					if r.needs != "" || len(r.needIDs) == 0 {
						continue
					}
					loc := r.re.FindStringIndex(s[i:min(len(s), i+injectionRuleSpan)])
					if loc == nil {
						continue
					}
					matched++
					m, ok := s[i:i+loc[1]], false
					for _, id := range r.needIDs {
						ok = ok || strings.Contains(m, injectionNeeds[id])
					}
					if !ok {
						t.Errorf("rule %s matched %q, which holds none of its derived needs", r.name, m)
					}
				}
			}
		}
	}
	if matched < 20 {
		t.Errorf("only %d matches of rules with derived needs: the corpus does not test them", matched)
	}
	t.Logf("%d matches", matched)
}
