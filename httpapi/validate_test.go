package httpapi

import (
	"errors"
	"github.com/rampart-dev/rampart/pii"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/iprules"
	"github.com/rampart-dev/rampart/tenancy"
	rtoken "github.com/rampart-dev/rampart/token"
)

// decodeInto runs decode over body into a new value like dst.
func decodeInto[T any](body string) error {
	var dst T
	return decode(httptest.NewRequest("POST", "/", strings.NewReader(body)), &dst)
}

// TestValidationErrors: the first failed rule is a 422 naming the field by its
// JSON path (nested, with slice indexes and map keys) and saying what the
// rule asks.
func TestValidationErrors(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	perms := `["a:b"` + strings.Repeat(`,"a:b"`, 200) + `]`
	tenant := func(slug, name, email, preset string) string {
		return `{"slug":"` + slug + `","name":"` + name + `","owner":{"email":"` + email + `","password":"x"},"role_preset":"` + preset + `"}`
	}
	type lenRequest struct {
		Code  string   `json:"code" validate:"omitempty,len=6"`
		Short string   `json:"short" validate:"omitempty,min=2,max=4"`
		Tags  []string `json:"tags" validate:"max=1,dive,max=3"`
		Doc   []byte   `json:"doc" validate:"max=1"`
	}
	for _, tc := range []struct {
		name, field, detail string
		err                 error
	}{
		{"required", "slug", "slug is required", decodeInto[createTenantRequest](`{"name":"A","owner":{"email":"a@acme.io"}}`)},
		{"slug pattern", "slug", "slug must be 3-63 characters of lowercase letters, digits and single dashes, starting and ending with a letter or digit",
			decodeInto[createTenantRequest](tenant("Acme_Corp", "A", "a@acme.io", ""))},
		{"slug double dash (the domain's rule)", "slug", "", decodeInto[createTenantRequest](tenant("ac--me", "A", "a@acme.io", ""))},
		{"max characters", "name", "name must be at most 200 characters", decodeInto[createTenantRequest](tenant("acme", long(201), "a@acme.io", ""))},
		{"nested required", "owner.email", "owner.email is required", decodeInto[createTenantRequest](tenant("acme", "A", "", ""))},
		{"nested pattern", "owner.email", "owner.email is not a valid email address", decodeInto[createTenantRequest](tenant("acme", "A", "Al <a@acme.io>", ""))},
		{"oneof", "role_preset", "role_preset must be one of chatbot, document_intelligence, coaching",
			decodeInto[createTenantRequest](tenant("acme", "A", "a@acme.io", "banking"))},
		{"slice index", "permissions[2]", "permissions[2] is not a permission: must be category:action or category:action:resource",
			decodeInto[createUserRequest](`{"email":"a@acme.io","permissions":["a:b","*","nope"]}`)},
		{"max items", "permissions", "permissions must have at most 200 items", decodeInto[createUserRequest](`{"email":"a@acme.io","permissions":` + perms + `}`)},
		{"pointer to a list", "permissions[1]", "", decodeInto[updateUserRequest](`{"permissions":["a:b","a b"]}`)},
		{"pointer to an empty string", "role", "role must be 2-63 lowercase letters, digits or _, starting with a letter", decodeInto[updateUserRequest](`{"role":""}`)},
		{"list required", "checks", "checks is required", decodeInto[checkBatchRequest](`{}`)},
		{"min items", "checks", "checks must have at least 1 item", decodeInto[checkBatchRequest](`{"checks":[]}`)},
		{"struct in a list", "checks[1].permission", "checks[1].permission must be category:action (lowercase letters, digits, _ or -)",
			decodeInto[checkBatchRequest](`{"checks":[{"permission":"a:b"},{"permission":"a:*"}]}`)},
		{"min number", "level", "level must be at least 1", decodeInto[createRoleRequest](`{"name":"ops","level":0}`)},
		{"max number", "level", "level must be at most 5", decodeInto[createRoleRequest](`{"name":"ops","level":6}`)},
		{"role pattern", "name", "name must be 2-63 lowercase letters, digits or _, starting with a letter", decodeInto[createRoleRequest](`{"name":"Ops","level":2}`)},
		{"pointer to zero", "cost", "cost must be at least 1", decodeInto[rateLimitCheckRequest](`{"key":"k","operation":"api_calls","cost":0}`)},
		{"operation pattern", "operation", "operation must be 1 to 40 of a-z, 0-9, _ and -, starting with a letter", decodeInto[rateLimitCheckRequest](`{"key":"k","operation":"API"}`)},
		{"time pattern", "expires_at", "expires_at must be an RFC 3339 time", decodeInto[createAPIKeyRequest](`{"name":"k","role":"member","expires_at":"tomorrow"}`)},
		{"raw document bytes", "settings", "settings must be at most 65536 bytes", decodeInto[updateTenantRequest](`{"settings":"` + long(65535) + `"}`)},
		{"len", "code", "code must be exactly 6 characters", decodeInto[lenRequest](`{"code":"12345"}`)},
		{"min characters", "short", "short must be at least 2 characters", decodeInto[lenRequest](`{"short":"a"}`)},
		{"item bound", "tags[0]", "tags[0] must be at most 3 characters", decodeInto[lenRequest](`{"tags":["abcd"]}`)},
		{"one item", "tags", "tags must have at most 1 item", decodeInto[lenRequest](`{"tags":["a","b"]}`)},
		{"one byte", "doc", "doc must be at most 1 byte", decodeInto[lenRequest](`{"doc":"YWI="}`)},
		{"map value, prefixed", "settings.rate_limits.x.algorithm", "settings.rate_limits.x.algorithm must be one of fixed_window, sliding_window, gcra",
			validateSettings(`{"rate_limits":{"x":{"rate":2,"period_seconds":60,"algorithm":"leaky"}}}`)},
		{"map key", "settings.rate_limits.Bad Name", "settings.rate_limits.Bad Name must be 1 to 40 of a-z, 0-9, _ and -, starting with a letter",
			validateSettings(`{"rate_limits":{"Bad Name":{"rate":2,"period_seconds":60}}}`)},
		{"map key holding ].", "settings.rate_limits.a].b", "", validateSettings(`{"rate_limits":{"a].b":{"rate":2,"period_seconds":60}}}`)},
		{"max entries", "settings.rate_limits", "settings.rate_limits must have at most 50 entries", validateSettings(`{"rate_limits":{` + manyLimits(51) + `}}`)},
		{"prefix in a list", "settings.ip_deny[1]", `settings.ip_deny[1] must be a CIDR prefix such as 203.0.113.0/24 or 2001:db8::/32, not "10.0.0.0/33"`,
			validateSettings(`{"ip_deny":["10.0.0.0/8","10.0.0.0/33"]}`)},
		{"enum setting", "settings.ip_change_policy", "settings.ip_change_policy must be one of log, revoke", validateSettings(`{"ip_change_policy":"maybe"}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e *rampart.Error
			if !errors.As(tc.err, &e) {
				t.Fatalf("err = %v, want a field error", tc.err)
			}
			if e.Code != rampart.EUnprocessable || e.Field != tc.field || (tc.detail != "" && e.Message != tc.detail) {
				t.Fatalf("got %s %q %q, want unprocessable %q %q", e.Code, e.Field, e.Message, tc.field, tc.detail)
			}
		})
	}
}

func validateSettings(doc string) error {
	var s tenantSettingsRequest
	if err := strictUnmarshal([]byte(doc), &s); err != nil {
		return err
	}
	return validateRequest("settings", &s)
}

func manyLimits(n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = `"op` + strconv.Itoa(i) + `":{"rate":1,"period_seconds":1}`
	}
	return strings.Join(out, ",")
}

// TestValidationPasses: values at the bounds pass, and so do documents that
// are not structs (they carry no tags).
func TestValidationPasses(t *testing.T) {
	for name, err := range map[string]error{
		"tenant":  decodeInto[createTenantRequest](`{"slug":"acme","name":"` + strings.Repeat("é", 200) + `","owner":{"email":"a@acme.io","password":"x"},"role_preset":"coaching"}`),
		"user":    decodeInto[createUserRequest](`{"email":"a@acme.io","role":"member","permissions":["*","docs:*","docs:read:a/b.c"]}`),
		"update":  decodeInto[updateUserRequest](`{"disabled":true}`),
		"batch":   decodeInto[checkBatchRequest](`{"checks":[{"permission":"a:b","resource":"r-1","user_id":"u"}]}`),
		"role":    decodeInto[createRoleRequest](`{"name":"ops","level":5}`),
		"check":   decodeInto[rateLimitCheckRequest](`{"key":"k","operation":"api_calls","cost":1000}`),
		"key":     decodeInto[createAPIKeyRequest](`{"name":"k","permissions":["a:b"],"expires_at":"2030-01-01T00:00:00.5+02:00","rate_limit_tier":"premium"}`),
		"raw":     decodeInto[[]byte](`"YWI="`),
		"refresh": decodeInto[refreshRequest](`{"refresh_token":"` + strings.Repeat("r", 5000) + `"}`), // a 401, not a 422
		"settings": validateSettings(`{"max_sessions_per_user":0,"ip_allow":["203.0.113.7"," 10.0.0.0/8"],"mfa_required_roles":["owner"],` +
			`"rate_limits":{"exports":{"rate":2,"period_seconds":60,"algorithm":"gcra"}},"step_up_minutes":1440}`),
	} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestSettingsRequestMirrorsPolicy: tenantSettingsRequest accepts exactly
// the fields of identity.TenantPolicy, with the same JSON kinds, so that the
// strict decoding of one never refuses what the other takes.
func TestSettingsRequestMirrorsPolicy(t *testing.T) {
	kinds := func(typ reflect.Type) map[string]reflect.Kind {
		out := map[string]reflect.Kind{}
		for i := range typ.NumField() {
			out[jsonName(typ.Field(i))] = typ.Field(i).Type.Kind()
		}
		return out
	}
	for _, pair := range [][2]reflect.Type{
		{reflect.TypeFor[tenantSettingsRequest](), reflect.TypeFor[identity.TenantPolicy]()},
		{reflect.TypeFor[rateLimitSettingRequest](), reflect.TypeFor[identity.RateLimitSetting]()},
		{reflect.TypeFor[aiSettingsRequest](), reflect.TypeFor[identity.AISettings]()},
	} {
		if got, want := kinds(pair[0]), kinds(pair[1]); !reflect.DeepEqual(got, want) {
			t.Errorf("%s fields %v, %s fields %v", pair[0], got, pair[1], want)
		}
	}
}

// tagRule returns the parameter of rule in the validate tag of typ's field:
// of the field itself, or (item) of its items, after dive.
func tagRule(t *testing.T, typ reflect.Type, field, rule string, item bool) string {
	t.Helper()
	f, ok := typ.FieldByName(field)
	if !ok {
		t.Fatalf("%s has no field %s", typ, field)
	}
	own, items, _ := strings.Cut(f.Tag.Get("validate"), ",dive")
	rules := own
	if item {
		rules = items
	}
	for r := range strings.SplitSeq(rules, ",") {
		if name, param, _ := strings.Cut(r, "="); name == rule {
			return param
		}
	}
	t.Fatalf("%s.%s has no %s rule", typ, field, rule)
	return ""
}

// TestTagsAgreeWithDomain: the bounds written in tags are the domain's
// constants, so that changing one without the other fails here.
func TestTagsAgreeWithDomain(t *testing.T) {
	type bound struct {
		typ         reflect.Type
		field, rule string
		item        bool
		want        string
	}
	n := strconv.Itoa
	tiers := strings.Join(identity.RateLimitTiers, " ")
	presets := strings.Join(authz.PresetNames(), " ")
	for _, b := range []bound{
		{reflect.TypeFor[createTenantRequest](), "Name", "max", false, n(identity.MaxNameBytes)},
		{reflect.TypeFor[createTenantRequest](), "RolePreset", "oneof", false, presets},
		{reflect.TypeFor[tenantOwnerRequest](), "Email", "max", false, n(identity.MaxEmailBytes)},
		{reflect.TypeFor[tenantOwnerRequest](), "Password", "max", false, n(identity.MaxPasswordBytes)},
		{reflect.TypeFor[updateTenantRequest](), "Name", "max", false, n(identity.MaxNameBytes)},
		{reflect.TypeFor[createUserRequest](), "Email", "max", false, n(identity.MaxEmailBytes)},
		{reflect.TypeFor[createUserRequest](), "Password", "max", false, n(identity.MaxPasswordBytes)},
		{reflect.TypeFor[createUserRequest](), "Permissions", "max", false, n(identity.MaxPermissions)},
		{reflect.TypeFor[createUserRequest](), "Permissions", "max", true, n(authz.MaxPermissionLen)},
		{reflect.TypeFor[updateUserRequest](), "Permissions", "max", false, n(identity.MaxPermissions)},
		{reflect.TypeFor[changePasswordRequest](), "NewPassword", "max", false, n(identity.MaxPasswordBytes)},
		{reflect.TypeFor[loginRequest](), "Email", "max", false, n(identity.MaxEmailBytes)},
		{reflect.TypeFor[loginRequest](), "Password", "max", false, n(identity.MaxPasswordBytes)},
		{reflect.TypeFor[refreshRequest](), "RefreshToken", "max", false, n(rtoken.MaxTokenBytes)},
		{reflect.TypeFor[completeMFARequest](), "MFAToken", "max", false, n(rtoken.MaxTokenBytes)},
		{reflect.TypeFor[createRoleRequest](), "Level", "min", false, n(authz.MinLevel)},
		{reflect.TypeFor[createRoleRequest](), "Level", "max", false, n(authz.MaxLevel - 1)},
		{reflect.TypeFor[createRoleRequest](), "Permissions", "max", false, n(identity.MaxPermissions)},
		{reflect.TypeFor[checkRequest](), "Permission", "max", false, n(authz.MaxPermissionLen)},
		{reflect.TypeFor[checkBatchRequest](), "Checks", "max", false, n(auth.MaxChecks)},
		{reflect.TypeFor[piiDetectRequest](), "Regions", "max", false, n(pii.MaxRegions)},
		{reflect.TypeFor[piiDetectBatchRequest](), "Items", "max", false, n(maxPIIBatch)},
		{reflect.TypeFor[piiDetectBatchRequest](), "Regions", "max", false, n(pii.MaxRegions)},
		{reflect.TypeFor[createAPIKeyRequest](), "Name", "max", false, n(maxAPIKeyName)},
		{reflect.TypeFor[createAPIKeyRequest](), "Permissions", "max", false, n(identity.MaxPermissions)},
		{reflect.TypeFor[createAPIKeyRequest](), "RateLimitTier", "oneof", false, tiers},
		{reflect.TypeFor[rateLimitCheckRequest](), "Key", "max", false, n(tenancy.MaxBudgetKeyBytes)},
		{reflect.TypeFor[rateLimitCheckRequest](), "Cost", "max", false, n(tenancy.MaxCost)},
		{reflect.TypeFor[tenantSettingsRequest](), "MaxSessionsPerUser", "max", false, n(identity.MaxSessionsLimit)},
		{reflect.TypeFor[tenantSettingsRequest](), "IPChangePolicy", "oneof", false, identity.IPChangeLog + " " + identity.IPChangeRevoke},
		{reflect.TypeFor[tenantSettingsRequest](), "RateLimitTier", "oneof", false, tiers},
		{reflect.TypeFor[tenantSettingsRequest](), "RolePreset", "oneof", false, presets},
		{reflect.TypeFor[tenantSettingsRequest](), "IPAllow", "max", false, n(iprules.MaxRules)},
		{reflect.TypeFor[tenantSettingsRequest](), "IPDeny", "max", false, n(iprules.MaxRules)},
		{reflect.TypeFor[tenantSettingsRequest](), "RateLimits", "max", false, n(identity.MaxTenantRateLimits)},
		{reflect.TypeFor[aiSettingsRequest](), "MaxMessages", "max", false, n(identity.MaxAIMessagesLimit)},
	} {
		if got := tagRule(t, b.typ, b.field, b.rule, b.item); got != b.want {
			t.Errorf("%s.%s %s=%s, the domain says %s", b.typ, b.field, b.rule, got, b.want)
		}
	}
}

// exemptDecodes are decode calls whose targets the guard cannot make bounded
// from this package's handler files, with the reason. An entry that no
// longer matches fails the test, so the list only shrinks.
var exemptDecodes = map[string]string{
	"authn.go:tokenFromBody": "introspection's token body is declared in authn.go; the token parser bounds the token (token.MaxTokenBytes)",
}

// TestEveryRequestFieldIsBounded reads the package's source and finds every
// struct decoded from a request: the target of each decode (and
// validateRequest) call. Every field must carry a bound in its validate tag:
// strings max, len or oneof; numbers min and max (or oneof); lists and maps a
// max on their size and, after dive, a bound on each item (keys of maps too);
// raw documents a max size. Optional fields (pointers) use omitempty. Nested
// structs are checked field by field. A new field without limits fails here.
func TestEveryRequestFieldIsBounded(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	pkgTypes := map[string]ast.Expr{}
	var parsed []*ast.File
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
				for _, s := range g.Specs {
					pkgTypes[s.(*ast.TypeSpec).Name.Name] = s.(*ast.TypeSpec).Type
				}
			}
		}
	}
	seen, exemptHit, rules := 0, map[string]bool{}, map[string]bool{}
	for _, f := range parsed {
		file := filepath.Base(fset.Position(f.Pos()).Filename)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil || fn.Name.Name == "decode" {
				continue // decode passes its own dst on
			}
			g := &boundsCheck{t: t, pkgTypes: pkgTypes, fn: fn, rules: rules}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) != 2 {
					return true
				}
				if id, ok := call.Fun.(*ast.Ident); !ok || (id.Name != "decode" && id.Name != "validateRequest") {
					return true
				}
				where := file + ":" + fn.Name.Name
				if _, ok := exemptDecodes[where]; ok {
					exemptHit[where] = true
					return true
				}
				seen++
				g.where = fset.Position(call.Pos()).String()
				g.target(call.Args[1])
				return true
			})
		}
	}
	for where := range exemptDecodes {
		if !exemptHit[where] {
			t.Errorf("exemption %s matches no decode call: remove it", where)
		}
	}
	if seen < 15 {
		t.Fatalf("found only %d decode calls: the guard no longer sees the handlers", seen)
	}
	// An unknown rule would panic on the first request that meets it.
	for rule := range rules {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("rule %q: %v", rule, r)
				}
			}()
			requestValidator.Var("", rule)
		}()
	}
}

// boundsCheck checks the targets of decode calls in one function.
type boundsCheck struct {
	t        *testing.T
	pkgTypes map[string]ast.Expr
	fn       *ast.FuncDecl
	where    string
	rules    map[string]bool // every rule written, to check it is known
}

// target finds the type of &v, declared in the function, and checks it.
func (g *boundsCheck) target(arg ast.Expr) {
	var id *ast.Ident
	if u, ok := arg.(*ast.UnaryExpr); ok && u.Op == token.AND {
		id, _ = u.X.(*ast.Ident)
	}
	if id == nil {
		g.t.Errorf("%s: decode into %s: pass &v of a declared variable so the guard can check its type", g.where, exprString(arg))
		return
	}
	name := id.Name
	var types []ast.Expr
	localTypes := map[string]ast.Expr{}
	ast.Inspect(g.fn, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.TypeSpec:
			localTypes[x.Name.Name] = x.Type
		case *ast.ValueSpec:
			for i, n := range x.Names {
				if n.Name != name {
					continue
				}
				if x.Type != nil {
					types = append(types, x.Type)
				} else if i < len(x.Values) {
					if c, ok := x.Values[i].(*ast.CompositeLit); ok {
						types = append(types, c.Type)
					}
				}
			}
		case *ast.AssignStmt:
			for i, l := range x.Lhs {
				if l, ok := l.(*ast.Ident); ok && l.Name == name && x.Tok == token.DEFINE && i < len(x.Rhs) {
					if c, ok := x.Rhs[i].(*ast.CompositeLit); ok {
						types = append(types, c.Type)
					} else {
						types = append(types, nil)
					}
				}
			}
		case *ast.Field: // parameters
			for _, n := range x.Names {
				if n.Name == name {
					types = append(types, x.Type)
				}
			}
		}
		return true
	})
	if len(types) != 1 || types[0] == nil {
		g.t.Errorf("%s: cannot tell the type of %s (declare it with var %s T)", g.where, name, name)
		return
	}
	typ := types[0]
	if id, ok := typ.(*ast.Ident); ok {
		if lt, ok := localTypes[id.Name]; ok {
			typ = lt
		}
	}
	if sel, ok := typ.(*ast.SelectorExpr); ok && exprString(sel) == "json.RawMessage" {
		return // a free-form document: the body limit bounds it
	}
	if id, ok := typ.(*ast.Ident); ok && id.Name == "any" {
		g.t.Errorf("%s: decode into any cannot be bounded", g.where)
		return
	}
	g.check(name, typ, "", 0)
}

// check checks a value of type expr at path, whose validate rules are tag.
func (g *boundsCheck) check(path string, expr ast.Expr, tag string, depth int) {
	if depth > 10 {
		g.t.Errorf("%s: %s nests too deep", g.where, path)
		return
	}
	for r := range strings.SplitSeq(tag, ",") {
		if r != "" && r != "dive" && r != "keys" && r != "endkeys" {
			g.rules[r] = true
		}
	}
	own, after, dived := strings.Cut(tag, "dive")
	has := func(rules ...string) bool {
		for r := range strings.SplitSeq(own, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(r), "=")
			if slices.Contains(rules, name) {
				return true
			}
		}
		return false
	}
	fail := func(format string, args ...any) {
		g.t.Errorf("%s: %s: "+format, append([]any{g.where, path}, args...)...)
	}
	switch x := expr.(type) {
	case *ast.StarExpr:
		if tag != "" && !strings.HasPrefix(tag, "omitempty") {
			fail("an optional (pointer) field's rules must start with omitempty: %q", tag)
		}
		g.check(path, x.X, tag, depth+1)
	case *ast.Ident:
		switch x.Name {
		case "bool":
		case "string":
			if !has("max", "len", "oneof") {
				fail("a string needs max, len or oneof: %q", tag)
			}
		case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
			if !has("oneof") && !(has("min") && has("max")) {
				fail("a number needs min and max, or oneof: %q", tag)
			}
		default:
			def, ok := g.pkgTypes[x.Name]
			if !ok {
				fail("type %s is not declared in this package", x.Name)
				return
			}
			g.check(path, def, tag, depth+1)
		}
	case *ast.StructType:
		if own != "" && strings.Trim(own, ",") != "" && !has("omitempty", "required") {
			fail("rules on a struct are not checked field by field: %q", tag)
		}
		for _, f := range x.Fields.List {
			var st reflect.StructTag
			if f.Tag != nil {
				s, _ := strconv.Unquote(f.Tag.Value)
				st = reflect.StructTag(s)
			}
			names := []string{}
			for _, n := range f.Names {
				names = append(names, n.Name)
			}
			if len(names) == 0 {
				names = []string{exprString(f.Type)} // embedded
			}
			for _, n := range names {
				jn, _, _ := strings.Cut(st.Get("json"), ",")
				if jn == "-" {
					continue
				}
				if jn == "" {
					jn = n
				}
				g.check(path+"."+jn, f.Type, st.Get("validate"), depth+1)
			}
		}
	case *ast.ArrayType:
		if exprString(x.Elt) == "byte" {
			if !has("max", "len") {
				fail("raw bytes need max or len: %q", tag)
			}
			return
		}
		if !has("max", "len") {
			fail("a list needs max or len on its size: %q", tag)
		}
		if !dived {
			fail("a list needs dive and rules for its items: %q", tag)
			return
		}
		g.check(path+"[]", x.Elt, strings.TrimPrefix(after, ","), depth+1)
	case *ast.MapType:
		if !has("max", "len") {
			fail("a map needs max on its size: %q", tag)
		}
		if v := exprString(x.Value); v == "any" || v == "interface{}" || v == "json.RawMessage" {
			return // a free-form document: its size only
		}
		if !dived {
			fail("a map needs dive and rules for its keys and values: %q", tag)
			return
		}
		after = strings.TrimPrefix(after, ",")
		keys, values, ok := strings.Cut(strings.TrimPrefix(after, "keys,"), ",endkeys")
		if !strings.HasPrefix(after, "keys,") || !ok {
			fail("a map needs keys,...,endkeys rules for its keys: %q", tag)
			return
		}
		g.check(path+"{key}", x.Key, keys, depth+1)
		g.check(path+"{}", x.Value, strings.TrimPrefix(values, ","), depth+1)
	case *ast.SelectorExpr:
		if exprString(x) == "json.RawMessage" {
			if !has("max") {
				fail("a raw document needs max (bytes): %q", tag)
			}
			return
		}
		fail("%s is declared in another package: declare the request's fields here", exprString(x))
	default:
		fail("unsupported type %s", exprString(expr))
	}
}

func exprString(e ast.Expr) string {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name
	case *ast.SelectorExpr:
		return exprString(x.X) + "." + x.Sel.Name
	case *ast.StarExpr:
		return "*" + exprString(x.X)
	case *ast.ArrayType:
		return "[]" + exprString(x.Elt)
	case *ast.InterfaceType:
		return "interface{}"
	}
	return reflect.TypeOf(e).String()
}
