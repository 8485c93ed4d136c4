package authz

import (
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
)

// casbinModel is RBAC with regular-expression objects: an equivalent of the
// engine built from Casbin's own role resolution and matching, used only as a
// test oracle.
const casbinModel = `
[request_definition]
r = sub, obj

[policy_definition]
p = sub, obj

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub) && rmatch(r.obj, p.obj)
`

// grantRegexp writes a grant as an anchored pattern over "category:action:resource"
// (resource empty when none): wildcards stand for exactly one segment.
func grantRegexp(g string) string {
	if g == "*" {
		return "^.*$"
	}
	cat, rest := split(g)
	act, res := split(rest)
	seg := regexp.QuoteMeta
	a := seg(act)
	if act == "*" {
		a = "[^:]+"
	}
	if res == "" {
		return "^" + seg(cat) + ":" + a + ":.*$"
	}
	return "^" + seg(cat) + ":" + a + ":" + seg(res) + "$"
}

// TestEngineAgreesWithCasbin draws 1,000,000 random (role, custom
// permissions, permission, resource) cases and checks that the engine and
// Casbin give the same answer to each (about 40 s here; -short runs 20,000,
// and RAMPART_ORACLE_CASES sets any number).
func TestEngineAgreesWithCasbin(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 20_000
	}
	if v := os.Getenv("RAMPART_ORACLE_CASES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			t.Fatalf("RAMPART_ORACLE_CASES=%q", v)
		}
	}
	rng := rand.New(rand.NewPCG(42, 7))
	cats := []string{"conversations", "conversations_admin", "config", "users", "analytics", "admin", "api", "integrations", "billing", "conv"}
	acts := []string{"read", "write", "delete", "export", "keys", "audit", "security", "roles", "execute", "flows"}
	ress := []string{"", "", "c-1", "c-42", "c-43", "r.1"}
	randGrant := func() string {
		switch rng.IntN(10) {
		case 0:
			return "*"
		case 1, 2:
			return cats[rng.IntN(len(cats))] + ":*"
		case 3, 4:
			r := ress[2+rng.IntN(len(ress)-2)]
			a := acts[rng.IntN(len(acts))]
			if rng.IntN(3) == 0 {
				a = "*"
			}
			return cats[rng.IntN(len(cats))] + ":" + a + ":" + r
		default:
			return cats[rng.IntN(len(cats))] + ":" + acts[rng.IntN(len(acts))]
		}
	}
	cat, err := NewCatalogue(PresetChatbot, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.NewModelFromString(casbinModel)
	if err != nil {
		t.Fatal(err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		t.Fatal(err)
	}
	// Casbin's regexMatch compiles its pattern on every call; the same
	// matching with the patterns compiled once keeps a million cases to
	// about a minute. Role resolution and the policy effect stay Casbin's.
	compiled := map[string]*regexp.Regexp{}
	e.AddFunction("rmatch", func(args ...any) (any, error) {
		pat := args[1].(string)
		re, ok := compiled[pat]
		if !ok {
			re = regexp.MustCompile(pat)
			compiled[pat] = re
		}
		return re.MatchString(args[0].(string)), nil
	})
	for _, r := range cat.Roles() {
		for _, g := range r.Permissions {
			e.AddPolicy("role:"+r.Name, grantRegexp(g))
		}
	}
	// A population of users, each a role and up to three custom grants (the
	// owner's `*` is rare on purpose: it would make most answers yes). Casbin
	// evaluates every policy line per request, so the population is kept
	// small and the variety comes from the million requests.
	const users = 40
	subjects := make([]Subject, users)
	roles := []string{"admin", "developer", "manager", "member", "viewer", "api_user", "owner", "nobody"}
	for i := range subjects {
		role := roles[rng.IntN(len(roles)-1)+1]
		if rng.IntN(50) == 0 {
			role = "owner"
		}
		s := Subject{Role: role}
		for k := rng.IntN(4); k > 0; k-- {
			g := randGrant()
			if g == "*" && rng.IntN(5) != 0 {
				continue
			}
			s.Permissions = append(s.Permissions, g)
		}
		subjects[i] = s
		id := fmt.Sprintf("user:%d", i)
		e.AddGroupingPolicy(id, "role:"+role)
		for _, g := range s.Permissions {
			e.AddPolicy(id, grantRegexp(g))
		}
	}
	allowed := 0
	for i := 0; i < n; i++ {
		u := rng.IntN(users)
		perm := cats[rng.IntN(len(cats))] + ":" + acts[rng.IntN(len(acts))]
		res := ress[rng.IntN(len(ress))]
		got := cat.Check(subjects[u], perm, res).Allowed
		want, err := e.Enforce(fmt.Sprintf("user:%d", u), perm+":"+res)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Fatalf("case %d: %+v %s %q: engine %v, casbin %v", i, subjects[u], perm, res, got, want)
		}
		if got {
			allowed++
		}
	}
	if allowed < n/10 || allowed > n*9/10 {
		t.Fatalf("%d of %d allowed: the cases do not exercise both answers", allowed, n)
	}
	t.Logf("%d cases agree (%d allowed)", n, allowed)
}
