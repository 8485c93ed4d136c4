package monitor

import (
	"fmt"
	"sync"
	"time"
)

// Event types the pack reads that the audit package does not write itself.
const (
	// ChainBroken is written by the audit chain verification job when a
	// tenant's chain is broken.
	ChainBroken = "audit_chain_broken"
)

// Rule names of the built-in pack.
const (
	RuleFailedLoginBurst    = "failed_login_burst"
	RuleCredentialStuffing  = "credential_stuffing"
	RulePasswordSpraying    = "password_spraying"
	RuleMFAFailureBurst     = "mfa_failure_burst"
	RuleLoginAfterFailures  = "login_after_failures"
	RuleSessionIPChange     = "session_ip_change"
	RulePermissionDenied    = "permission_denied_burst"
	RuleRateLimitSurge      = "rate_limit_surge"
	RuleDataAccessBurst     = "data_access_burst"
	RuleAPIKeyNewRange      = "api_key_new_range"
	RuleCrisisEscalations   = "crisis_escalations"
	RuleGuardBlockBurst     = "guard_block_burst"
	RuleAuditChain          = "audit_chain_broken"
	RuleRefreshReuse        = "refresh_token_reuse"
	RuleLockoutWave         = "lockout_wave"
	RuleIPBlockedBurst      = "ip_blocked_burst"
	defaultBaselinePeriod   = 24 * time.Hour
	defaultBaselineFactor   = 10
	loginFailureDetailEmail = "details.email_key"
)

var (
	failed    = false
	succeeded = true
)

// Builtin returns the built-in rules. Thresholds are the issue's; each has
// attack and benign fixtures in testdata/fixtures.
func Builtin() []Rule {
	return []Rule{
		{Name: RuleFailedLoginBurst, Description: "failed logins on one account", Severity: Medium, Kind: Count,
			On: Match{Types: []string{"login_failure"}}, Key: []string{"user_id"}, Threshold: 10, Window: 10 * time.Minute,
			MinThreshold: 3, MaxThreshold: 10000},
		{Name: RuleCredentialStuffing, Description: "many accounts failing from one address", Severity: High, Kind: Distinct,
			On: Match{Types: []string{"login_failure"}}, Key: []string{"ip"}, Field: loginFailureDetailEmail, Threshold: 20, Window: 5 * time.Minute,
			MinThreshold: 3, MaxThreshold: MaxDistinct, Remediate: []string{ActionBlockIP}},
		{Name: RulePasswordSpraying, Description: "one account failing from many addresses", Severity: High, Kind: Distinct,
			On: Match{Types: []string{"login_failure"}}, Key: []string{loginFailureDetailEmail}, Field: "ip", Threshold: 10, Window: 10 * time.Minute,
			MinThreshold: 3, MaxThreshold: MaxDistinct},
		{Name: RuleMFAFailureBurst, Description: "wrong second-factor codes for one user", Severity: Medium, Kind: Count,
			On: Match{Types: []string{"mfa_failure"}}, Key: []string{"user_id"}, Threshold: 5, Window: 10 * time.Minute,
			MinThreshold: 2, MaxThreshold: 1000},
		{Name: RuleLoginAfterFailures, Description: "a login that succeeds after a burst of failures (possible compromise)", Severity: High, Kind: Sequence,
			On: Match{Types: []string{"login_failure"}}, Then: &Match{Types: []string{"login_success"}, Success: &succeeded},
			Key: []string{"user_id"}, Threshold: 5, Window: 15 * time.Minute, MinThreshold: 2, MaxThreshold: 1000},
		{Name: RuleSessionIPChange, Description: "a session used from another address while the tenant only logs it", Severity: Low, Kind: Count,
			On:  Match{Types: []string{"suspicious_activity"}, Where: []Cond{{Field: "details.reason", In: []string{"ip_change"}}, {Field: "details.action", In: []string{"logged"}}}},
			Key: []string{"user_id"}, Threshold: 1, Window: time.Hour, MinThreshold: 1, MaxThreshold: 100},
		{Name: RulePermissionDenied, Description: "permission denials for one actor", Severity: Medium, Kind: Count,
			On: Match{Types: []string{"permission_denied"}}, Key: []string{"actor"}, Threshold: 20, Window: 5 * time.Minute,
			MinThreshold: 3, MaxThreshold: 10000},
		{Name: RuleRateLimitSurge, Description: "rate-limit refusals for one caller far above its usual", Severity: Medium, Kind: Count,
			On: Match{Types: []string{"api_rate_limit"}}, Key: []string{"actor"}, Weight: "sampled_one_in", Threshold: 1000, Window: 10 * time.Minute,
			Baseline: &Baseline{Period: defaultBaselinePeriod, Factor: defaultBaselineFactor}, MinThreshold: 10, MaxThreshold: 1000000},
		{Name: RuleDataAccessBurst, Description: "decryptions, exports or unmasking by one actor far above its usual", Severity: High, Kind: Count,
			On: Match{Types: []string{"data_access"}}, Key: []string{"actor"}, Threshold: 100, Window: 5 * time.Minute,
			Baseline: &Baseline{Period: defaultBaselinePeriod, Factor: defaultBaselineFactor}, MinThreshold: 5, MaxThreshold: 1000000},
		{Name: RuleAPIKeyNewRange, Description: "an API key used from an address range it has not used", Severity: Medium, Kind: Novel,
			On:  Match{Types: []string{"data_access", "permission_denied", "api_rate_limit", "guard_blocked", "guard_flagged", "crisis_detected", "config_change"}, Where: []Cond{{Field: "user_id", Prefix: "apikey:"}}},
			Key: []string{"user_id"}, Field: "ip_range", Threshold: 1, Window: 30 * 24 * time.Hour, MinThreshold: 1, MaxThreshold: 1},
		{Name: RuleCrisisEscalations, Description: "crisis escalations in a burst", Severity: High, Kind: Count,
			On: Match{Types: []string{"crisis_detected"}, Where: []Cond{{Field: "details.escalated", In: []string{"true"}}}}, Threshold: 3, Window: time.Hour,
			MinThreshold: 1, MaxThreshold: 10000},
		{Name: RuleGuardBlockBurst, Description: "guardrail blocks for one actor in a burst", Severity: Medium, Kind: Count,
			On: Match{Types: []string{"guard_blocked"}}, Key: []string{"actor"}, Weight: "sampled_one_in", Threshold: 20, Window: 10 * time.Minute,
			MinThreshold: 2, MaxThreshold: 100000},
		{Name: RuleAuditChain, Description: "the audit log's hash chain does not verify", Severity: Critical, Kind: Count,
			On: Match{Types: []string{ChainBroken}}, Threshold: 1, Window: time.Hour, Locked: true, MinThreshold: 1, MaxThreshold: 1},
		{Name: RuleRefreshReuse, Description: "a used refresh token presented again (stolen token)", Severity: High, Kind: Count,
			On: Match{Types: []string{"refresh_token_reuse"}}, Key: []string{"user_id"}, Threshold: 1, Window: time.Hour,
			MinThreshold: 1, MaxThreshold: 100},
		{Name: RuleLockoutWave, Description: "many accounts locked across the tenant", Severity: High, Kind: Count,
			On: Match{Types: []string{"account_locked"}}, Threshold: 10, Window: 10 * time.Minute, MinThreshold: 2, MaxThreshold: 10000},
		{Name: RuleIPBlockedBurst, Description: "requests from a blocked address keep coming", Severity: Low, Kind: Count,
			On: Match{Types: []string{"ip_blocked"}}, Key: []string{"ip"}, Weight: "sampled_one_in", Threshold: 500, Window: 10 * time.Minute,
			MinThreshold: 10, MaxThreshold: 1000000},
	}
}

// Pack is a set of rules, indexed by the event types they read.
type Pack struct {
	rules  []Rule
	byName map[string]int
	byType map[string][]int
}

// NewPack checks rules and indexes them.
func NewPack(rules []Rule) (*Pack, error) {
	if len(rules) > 250 {
		return nil, fmt.Errorf("monitor: at most 250 rules")
	}
	p := &Pack{rules: rules, byName: map[string]int{}, byType: map[string][]int{}}
	for i := range rules {
		r := &rules[i]
		if err := r.check(); err != nil {
			return nil, fmt.Errorf("monitor: %w", err)
		}
		if _, dup := p.byName[r.Name]; dup {
			return nil, fmt.Errorf("monitor: rule %s twice", r.Name)
		}
		p.byName[r.Name] = i
		types := r.On.Types
		if r.Then != nil {
			types = append(types[:len(types):len(types)], r.Then.Types...)
		}
		for _, t := range types {
			if l := p.byType[t]; len(l) == 0 || l[len(l)-1] != i {
				p.byType[t] = append(l, i)
			}
		}
	}
	return p, nil
}

// MustBuiltin returns a new built-in pack; it panics only if Builtin is
// broken, which its tests catch.
func MustBuiltin() *Pack {
	p, err := NewPack(Builtin())
	if err != nil {
		panic(err)
	}
	return p
}

// BuiltinPack returns the built-in pack, built once (it is immutable).
var BuiltinPack = sync.OnceValue(MustBuiltin)

// Rule returns the named rule, or nil.
func (p *Pack) Rule(name string) *Rule {
	if i, ok := p.byName[name]; ok {
		return &p.rules[i]
	}
	return nil
}

// Rules returns the pack's rules.
func (p *Pack) Rules() []Rule { return p.rules }
