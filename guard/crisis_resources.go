package guard

import "strings"

// Resource is a crisis line or directory shown to a writer the crisis
// scanner flags. These are defaults: a tenant configures its own list per
// locale, and should, because lines change and a tenant knows its users.
type Resource struct {
	Name    string `json:"name"`
	Contact string `json:"contact,omitempty"` // how to reach it (a number to call or text); empty for a directory
	URL     string `json:"url,omitempty"`
	Locale  string `json:"locale"` // BCP 47 tag it applies to; "" for everywhere
}

// findAHelpline is the international directory of free, confidential
// helplines (run by ThroughLine, listed by IASP); it is the fallback for
// every locale, because no default list can be complete or stay current.
var findAHelpline = Resource{Name: "Find A Helpline (international directory of crisis lines)", URL: "https://findahelpline.com"}

// defaultResources are a short list of long-standing national lines. Only
// numbers that are well established are listed; anywhere else the
// directory stands alone rather than risk a wrong number.
var defaultResources = map[string][]Resource{
	"US": {{Name: "988 Suicide & Crisis Lifeline", Contact: "call or text 988", URL: "https://988lifeline.org"}},
	"GB": {{Name: "Samaritans", Contact: "call 116 123", URL: "https://www.samaritans.org"}},
	"IE": {{Name: "Samaritans", Contact: "call 116 123", URL: "https://www.samaritans.org"}},
	"FR": {{Name: "3114 Numéro national de prévention du suicide", Contact: "call 3114", URL: "https://3114.fr"}},
	"DE": {{Name: "TelefonSeelsorge", Contact: "call 0800 111 0 111 or 0800 111 0 222", URL: "https://www.telefonseelsorge.de"}},
	"ES": {{Name: "Línea 024 de atención a la conducta suicida", Contact: "call 024"}},
}

// DefaultResources returns the default crisis resources for a locale
// ("en-US", "fr", "de-DE", ...): the national line where one is listed for
// the locale's region, then the international directory. The list is a
// configurable default, not advice: tenants replace it per locale.
func DefaultResources(locale string) []Resource {
	region := ""
	if parts := strings.FieldsFunc(locale, func(r rune) bool { return r == '-' || r == '_' }); len(parts) > 1 {
		region = strings.ToUpper(parts[len(parts)-1])
	}
	var out []Resource
	for _, r := range defaultResources[region] {
		r.Locale = locale
		out = append(out, r)
	}
	dir := findAHelpline
	dir.Locale = locale
	return append(out, dir)
}
