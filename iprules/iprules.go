// Package iprules decides whether a client address may reach Rampart: allow
// and deny lists of CIDR prefixes (IPv4 and IPv6), deployment-wide and per
// tenant, checked before any credential is.
package iprules

import (
	"fmt"
	"net/netip"
	"strings"
)

// MaxRules bounds each list, so a tenant's settings stay small and a check
// stays cheap (a linear scan of at most this many prefixes).
const MaxRules = 256

// Rules are an allow list and a deny list. Deny wins; a non-empty allow
// list admits only the addresses it covers; empty lists admit everyone.
type Rules struct {
	Allow []netip.Prefix
	Deny  []netip.Prefix
}

// Parse reads CIDR prefixes ("203.0.113.0/24", "2001:db8::/32"); a bare
// address is a single-address prefix. field names the list in errors, and
// the error names the offending entry and its index.
func Parse(field string, entries []string) ([]netip.Prefix, error) {
	if len(entries) > MaxRules {
		return nil, &Error{Field: field, Msg: fmt.Sprintf("at most %d entries", MaxRules)}
	}
	out := make([]netip.Prefix, 0, len(entries))
	for i, e := range entries {
		p, err := ParsePrefix(e)
		if err != nil {
			return nil, &Error{Field: fmt.Sprintf("%s[%d]", field, i), Msg: fmt.Sprintf("%q is not a CIDR prefix such as 203.0.113.0/24 or 2001:db8::/32", e)}
		}
		out = append(out, p)
	}
	return out, nil
}

// ParsePrefix reads one prefix or bare address, canonical (masked, IPv4 in
// IPv6 unmapped).
func ParsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// Error is a malformed list entry.
type Error struct{ Field, Msg string }

func (e *Error) Error() string { return e.Field + ": " + e.Msg }

// Verdict is the answer for one address.
type Verdict int

// Verdicts.
const (
	Allowed    Verdict = iota
	Denied             // on the deny list
	NotAllowed         // the allow list does not cover it
)

// String names the verdict for logs and audit details.
func (v Verdict) String() string {
	switch v {
	case Denied:
		return "deny_list"
	case NotAllowed:
		return "not_on_allow_list"
	}
	return "allowed"
}

// Empty reports whether the rules admit everyone.
func (r *Rules) Empty() bool { return r == nil || len(r.Allow) == 0 && len(r.Deny) == 0 }

// Check decides for addr. An address that cannot be parsed is refused when
// any rule is set (fail closed).
func (r *Rules) Check(addr string) Verdict {
	if r.Empty() {
		return Allowed
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return Denied
	}
	return r.CheckAddr(a)
}

// CheckAddr decides for a parsed address.
func (r *Rules) CheckAddr(a netip.Addr) Verdict {
	if r.Empty() {
		return Allowed
	}
	a = a.Unmap().WithZone("")
	for _, p := range r.Deny {
		if p.Contains(a) {
			return Denied
		}
	}
	if len(r.Allow) == 0 {
		return Allowed
	}
	for _, p := range r.Allow {
		if p.Contains(a) {
			return Allowed
		}
	}
	return NotAllowed
}

// FromStrings parses both lists, naming fields allowField and denyField.
func FromStrings(allowField string, allow []string, denyField string, deny []string) (*Rules, error) {
	a, err := Parse(allowField, allow)
	if err != nil {
		return nil, err
	}
	d, err := Parse(denyField, deny)
	if err != nil {
		return nil, err
	}
	return &Rules{Allow: a, Deny: d}, nil
}
