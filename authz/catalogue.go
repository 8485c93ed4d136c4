package authz

import (
	"fmt"
	"sort"
)

// Levels bound role levels: the hierarchy decides who may assign which role.
const (
	MinLevel = 1
	MaxLevel = 6 // the owner's
)

// Role is a named set of permissions at a level of the hierarchy.
type Role struct {
	Name        string   `json:"name"`
	Level       int      `json:"level"`
	Permissions []string `json:"permissions"`
	Custom      bool     `json:"custom"` // added by the tenant, not from the preset
}

// Catalogue is a tenant's roles: a preset plus custom roles.
type Catalogue struct {
	Preset string
	roles  map[string]*Role
}

// NewCatalogue builds a catalogue from a preset and custom roles. Custom
// roles never replace preset ones.
func NewCatalogue(preset string, custom []Role) (*Catalogue, error) {
	p, ok := presets[preset]
	if !ok {
		return nil, fmt.Errorf("authz: unknown role preset %q", preset)
	}
	c := &Catalogue{Preset: preset, roles: make(map[string]*Role, len(p)+len(custom))}
	for i := range p {
		r := p[i]
		c.roles[r.Name] = &r
	}
	for i := range custom {
		r := custom[i]
		r.Custom = true
		if _, taken := c.roles[r.Name]; !taken {
			c.roles[r.Name] = &r
		}
	}
	return c, nil
}

// Role returns a role by name.
func (c *Catalogue) Role(name string) (*Role, bool) {
	r, ok := c.roles[name]
	return r, ok
}

// Roles lists the roles, highest level first, then by name.
func (c *Catalogue) Roles() []*Role {
	out := make([]*Role, 0, len(c.roles))
	for _, r := range c.roles {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Level != out[j].Level {
			return out[i].Level > out[j].Level
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// Level returns a role's level, 0 for unknown roles.
func (c *Catalogue) Level(role string) int {
	if r, ok := c.roles[role]; ok {
		return r.Level
	}
	return 0
}

// Subject is who asks: a role and custom permissions (with resource grants).
type Subject struct {
	Role        string
	Permissions []string
}

// Decision is an answer and the rule that decided it.
type Decision struct {
	Allowed bool
	Source  string // "role" or "custom"; "" when denied
	Rule    string // the grant that allowed it
	Role    string
}

// Reason says which rule decided, for callers and the audit log.
func (d Decision) Reason() string {
	switch {
	case !d.Allowed:
		return "no role or custom permission grants it"
	case d.Source == "role":
		return fmt.Sprintf("role %s grants %s", d.Role, d.Rule)
	default:
		return fmt.Sprintf("custom permission %s", d.Rule)
	}
}

// Check decides whether s may do permission (category:action), optionally on
// resource. Custom permissions come first, then the role's. It does not
// allocate.
func (c *Catalogue) Check(s Subject, permission, resource string) Decision {
	cat, act := split(permission)
	for _, g := range s.Permissions {
		if matches(g, cat, act, resource) {
			return Decision{Allowed: true, Source: "custom", Rule: g}
		}
	}
	if r, ok := c.roles[s.Role]; ok {
		for _, g := range r.Permissions {
			if matches(g, cat, act, resource) {
				return Decision{Allowed: true, Source: "role", Rule: g, Role: r.Name}
			}
		}
	}
	return Decision{}
}

func split(p string) (string, string) {
	for i := 0; i < len(p); i++ {
		if p[i] == ':' {
			return p[:i], p[i+1:]
		}
	}
	return p, ""
}

// Covers reports whether s holds grant g: whether handing g to someone else
// gives them nothing s lacks. Nobody can grant what they do not hold.
func (c *Catalogue) Covers(s Subject, g string) bool {
	cat, rest := split(g)
	act, res := split(rest)
	for _, h := range c.grants(s) {
		if h == "*" {
			return true
		}
		if g == "*" {
			continue
		}
		hc, hrest := split(h)
		ha, hr := split(hrest)
		if hc != cat || (ha != "*" && ha != act) || (hr != "" && hr != res) {
			continue
		}
		return true
	}
	return false
}

func (c *Catalogue) grants(s Subject) []string {
	out := append([]string(nil), s.Permissions...)
	if r, ok := c.roles[s.Role]; ok {
		out = append(out, r.Permissions...)
	}
	return out
}
