// Package monitor turns the audit stream into detections: streaming rules
// (leaky-bucket counts, distinct counts, sequences, first-seen values) over
// each tenant's events, a built-in pack of them, and the tenant's overrides.
// It knows nothing of SQL or HTTP: the caller feeds it events in order and
// stores the detections it returns as incidents.
package monitor

import (
	"net/netip"
	"strconv"
	"time"
)

// Severity ranks an incident.
type Severity string

// Severities, lowest first.
const (
	Info     Severity = "info"
	Low      Severity = "low"
	Medium   Severity = "medium"
	High     Severity = "high"
	Critical Severity = "critical"
)

// Severities lists every severity, lowest first.
func Severities() []Severity { return []Severity{Info, Low, Medium, High, Critical} }

// ValidSeverity reports whether s names a severity.
func ValidSeverity(s string) bool {
	for _, v := range Severities() {
		if string(v) == s {
			return true
		}
	}
	return false
}

// Event is an audit event as rules read it: the fields they match and key
// on, with details reduced to strings.
type Event struct {
	ID       string
	Seq      int64
	Type     string
	UserID   string
	IP       string
	Resource string
	Success  bool
	Time     time.Time
	Details  map[string]string
}

// Field returns the value of a field rules name: user_id, ip, ip_range (the
// /24 of an IPv4 address, the /48 of an IPv6 one), resource, actor (the user
// or API key, else "ip:" and the address), or details.NAME.
func (e *Event) Field(name string) string {
	switch name {
	case "user_id":
		return e.UserID
	case "ip":
		return e.IP
	case "ip_range":
		return IPRange(e.IP)
	case "resource":
		return e.Resource
	case "actor":
		if e.UserID != "" {
			return e.UserID
		}
		if e.IP != "" {
			return "ip:" + e.IP
		}
		return ""
	}
	if len(name) > 8 && name[:8] == "details." {
		return e.Details[name[8:]]
	}
	return ""
}

// weight is the number of events e stands for: sampled events say how many
// they were sampled from (details.sampled_one_in).
func (e *Event) weight(field string) float64 {
	if field == "" {
		return 1
	}
	if n, err := strconv.ParseFloat(e.Details[field], 64); err == nil && n >= 1 && n <= 1e6 {
		return n
	}
	return 1
}

// IPRange returns the network an address is part of for "new address range"
// checks: its /24 (IPv4) or /48 (IPv6); empty for what is not an address.
func IPRange(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ""
	}
	a = a.Unmap()
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, _ := a.Prefix(bits)
	return p.String()
}

// Detection is what a rule found: one key of one rule crossing its
// threshold, or more events of a key that already did. Detections with the
// same DedupKey belong to the same incident while it is not resolved.
type Detection struct {
	Rule     string
	Severity Severity
	// Key is the rule's key values, e.g. "ip=203.0.113.9".
	Key      string
	DedupKey string
	// Opening is true for the detection that crossed the threshold, false
	// for later events of a key that already did.
	Opening  bool
	Count    int      // events this detection stands for
	EventIDs []string // the events, at most MaxEventIDs
	First    time.Time
	Last     time.Time
	Summary  string
	// UserID is the user or API key the detection is about, when the key
	// names one; IP likewise. Remediation uses them.
	UserID string
	IP     string
	// Remediate lists the automatic actions the tenant's policy asks for.
	Remediate []string
}

// MaxEventIDs bounds the event ids a detection (and an incident) keeps.
const MaxEventIDs = 50
