// Package pii finds personal data and secrets in free text and masks them.
//
// Detection is a single hand-written pass over the bytes of the text: cheap
// anchors ('@', a digit at a word start, "http", "-----BEGIN", a known key
// prefix, ...) start a local parse, and whatever can be checked is checked
// (Luhn for cards, mod-97 for IBANs, calendar dates, SSA rules for SSNs,
// net/netip for IP addresses, libphonenumber for phones). Regular
// expressions are not used on the hot path: the package is meant to run on
// every chatbot message at tens of megabytes per second per core.
//
// Offsets. A Finding carries two pairs of offsets into the text it was found
// in: Start and End count Unicode code points (what JSON clients, JavaScript
// and Python index by), ByteStart and ByteEnd count bytes (what Go slices by).
// Only the code-point offsets are serialised.
package pii

import "strings"

// Type names a kind of personal data or secret.
type Type string

// The types a Detector can find.
const (
	Email       Type = "email"
	Phone       Type = "phone"
	SSN         Type = "ssn"
	CreditCard  Type = "credit_card"
	IPAddress   Type = "ip_address"
	URL         Type = "url"
	Address     Type = "address"
	DateOfBirth Type = "date_of_birth"
	IBAN        Type = "iban"
	APIKey      Type = "api_key"
	Secret      Type = "secret"
	PrivateKey  Type = "private_key"
	JWT         Type = "jwt"
)

// allTypes is the order types are listed in; typeBit indexes into it.
var allTypes = [...]Type{Email, Phone, SSN, CreditCard, IPAddress, URL, Address, DateOfBirth, IBAN, APIKey, Secret, PrivateKey, JWT}

// AllTypes returns every type a Detector knows, in a fixed order.
func AllTypes() []Type {
	out := make([]Type, len(allTypes))
	copy(out, allTypes[:])
	return out
}

// ParseType returns the Type named by s (case-insensitive, surrounding
// spaces ignored, "-" accepted for "_"), and whether s names one.
func ParseType(s string) (Type, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, "-", "_")
	for _, t := range allTypes {
		if string(t) == s {
			return t, true
		}
	}
	return "", false
}

// typeSet is a set of types as a bit mask, so the scanner can ask "is this
// type wanted?" without comparing strings.
type typeSet uint16

// Bits of a typeSet, in the order of allTypes.
const (
	bEmail typeSet = 1 << iota
	bPhone
	bSSN
	bCreditCard
	bIPAddress
	bURL
	bAddress
	bDateOfBirth
	bIBAN
	bAPIKey
	bSecret
	bPrivateKey
	bJWT

	allTypeSet = bJWT<<1 - 1
)

// typeBit returns the bit of t, or 0 for a type this package does not know.
func typeBit(t Type) typeSet {
	for i, u := range allTypes {
		if u == t {
			return 1 << i
		}
	}
	return 0
}

// Finding is one piece of personal data found in a text.
//
// Start and End are offsets in Unicode code points (End exclusive): they are
// what crosses the API as JSON. ByteStart and ByteEnd are the same span in
// bytes, for Go callers that slice the string; they are not serialised.
// Text is the matched text itself (or, in findings returned by Masker.Mask,
// the replacement that now stands in its place).
type Finding struct {
	Type      Type    `json:"type"`
	Start     int     `json:"start"`
	End       int     `json:"end"`
	Text      string  `json:"text"`
	Score     float64 `json:"score"`
	ByteStart int     `json:"-"`
	ByteEnd   int     `json:"-"`
}
