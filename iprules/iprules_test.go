package iprules

import (
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	r, err := FromStrings("allow", []string{"10.0.0.0/8", "2001:db8::/32", "192.0.2.7"}, "deny", []string{"10.9.0.0/16", "2001:db8:bad::/48"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr string
		want Verdict
	}{
		{"10.1.2.3", Allowed},
		{"10.9.1.1", Denied}, // deny wins over allow
		{"::ffff:10.1.2.3", Allowed},
		{"::ffff:10.9.0.1", Denied},
		{"192.0.2.7", Allowed},
		{"192.0.2.8", NotAllowed},
		{"2001:db8:1::1", Allowed},
		{"2001:db8:bad::1", Denied},
		{"fe80::1%eth0", NotAllowed},
		{"not-an-ip", Denied},
	}
	for _, tc := range tests {
		if got := r.Check(tc.addr); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.addr, got, tc.want)
		}
	}
	denyOnly := &Rules{Deny: r.Deny}
	if denyOnly.Check("198.51.100.1") != Allowed || denyOnly.Check("10.9.3.3") != Denied {
		t.Error("deny-only rules")
	}
	var none *Rules
	if none.Check("garbage") != Allowed {
		t.Error("no rules must admit")
	}
}

func TestParseNamesTheOffender(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "10.0.0", "2001:db8::/129", "", "10.0.0.0/8/8", "example.com"} {
		_, err := Parse("ip_deny", []string{"10.0.0.0/8", bad})
		var e *Error
		if !errors.As(err, &e) || e.Field != "ip_deny[1]" {
			t.Errorf("%q: %v", bad, err)
		}
	}
	p, err := ParsePrefix("10.1.2.3/8")
	if err != nil || p.String() != "10.0.0.0/8" {
		t.Errorf("not masked: %v %v", p, err)
	}
	p, _ = ParsePrefix("::ffff:192.0.2.0/120")
	if p.String() != "192.0.2.0/24" {
		t.Errorf("mapped prefix: %v", p)
	}
	many := make([]string, MaxRules+1)
	for i := range many {
		many[i] = "10.0.0.1"
	}
	if _, err := Parse("ip_allow", many); err == nil {
		t.Error("too many rules accepted")
	}
}

func BenchmarkCheck(b *testing.B) {
	r, _ := FromStrings("a", []string{"10.0.0.0/8", "172.16.0.0/12"}, "d", []string{"10.9.0.0/16", "2001:db8::/32"})
	b.ReportAllocs()
	for b.Loop() {
		r.Check("172.16.5.4")
	}
}
