package webhook

import (
	"net"
	"net/netip"
	"net/url"
	"strings"

	"github.com/rampart-dev/rampart"
)

// refusedPrefixes are ranges that are not the public Internet but that
// netip.Addr's predicates do not all cover: shared address space, the IETF
// and documentation ranges, benchmarking, reserved, and the IPv6 transition
// ranges that can carry an arbitrary IPv4 address.
var refusedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network" (RFC 791)
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT (RFC 6598)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments (RFC 6890)
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1 (RFC 5737)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking (RFC 2544)
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and 255.255.255.255
	netip.MustParsePrefix("::/96"),           // unspecified, loopback, IPv4-compatible (deprecated)
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64 (RFC 6052): would reach any IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64 (RFC 8215)
	netip.MustParsePrefix("100::/64"),        // discard-only (RFC 6666)
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments, including Teredo
	netip.MustParsePrefix("2001:db8::/32"),   // documentation (RFC 3849)
	netip.MustParsePrefix("2002::/16"),       // 6to4: would reach any IPv4 address
	netip.MustParsePrefix("fc00::/7"),        // unique local (RFC 4193)
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
}

// PublicAddress reports whether ip is a public unicast address a webhook may
// be delivered to: not loopback, private (RFC 1918, unique local IPv6),
// link-local, unspecified, multicast, carrier-grade NAT or any other special
// range. An IPv4-mapped IPv6 address is judged as the IPv4 address it holds.
func PublicAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() ||
		ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range refusedPrefixes {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// Classes of a failed attempt (Error.Class, Result.Class); ValidateURL uses
// the first two.
const (
	ClassInvalidURL       = "invalid_url"
	ClassRefusedAddress   = "refused_address"
	ClassTimeout          = "timeout"
	ClassConnection       = "connection"
	ClassCanceled         = "canceled"
	ClassInvalidDelivery  = "invalid_delivery"
	classHTTPStatusPrefix = "http_"
)

// MaxURLLength bounds a registered URL.
const MaxURLLength = 2048

// ValidateURL checks a webhook URL when it is registered, so that a bad one
// is answered with 422 at once rather than failing every delivery: scheme
// http or https (https only when requireHTTPS), a host, no user:password part,
// and, unless allowPrivate, no literal IP address or localhost name outside
// the public Internet. Names are not resolved here: the Sender checks every
// resolved address again when it dials, so DNS rebinding gains nothing.
// Errors are *rampart.Error with code unprocessable and field "url".
func ValidateURL(raw string, requireHTTPS, allowPrivate bool) error {
	class, msg := checkURL(raw, requireHTTPS, allowPrivate)
	if class == "" {
		return nil
	}
	return &rampart.Error{Code: rampart.EUnprocessable, Field: "url", Message: msg}
}

// checkURL returns the class and caller-safe message of the first fault of
// raw, or two empty strings.
func checkURL(raw string, requireHTTPS, allowPrivate bool) (class, msg string) {
	if len(raw) > MaxURLLength {
		return ClassInvalidURL, "the URL is too long"
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's message repeats the URL, which may hold a token.
		return ClassInvalidURL, "the URL cannot be parsed"
	}
	switch u.Scheme {
	case "https":
	case "http":
		if requireHTTPS {
			return ClassInvalidURL, "the URL must use https"
		}
	default:
		return ClassInvalidURL, "the URL must use http or https"
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return ClassInvalidURL, "the URL must name a host"
	}
	if u.User != nil {
		return ClassInvalidURL, "the URL must not contain a user name or password"
	}
	if p := u.Port(); p != "" {
		if n, err := net.LookupPort("tcp", p); err != nil || n <= 0 || n > 65535 {
			return ClassInvalidURL, "the URL's port is not valid"
		}
	}
	if allowPrivate {
		return "", ""
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return ClassRefusedAddress, "the URL must not point to a private or local address"
	}
	if ip, err := netip.ParseAddr(host); err == nil && !PublicAddress(ip) {
		return ClassRefusedAddress, "the URL must not point to a private or local address"
	}
	return "", ""
}
