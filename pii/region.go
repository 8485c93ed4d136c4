package pii

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// languageRegions are the regions whose national phone numbers a text in a
// language most likely holds, for languages whose tag names no region.
var languageRegions = map[string][]string{
	"en": {"US", "GB"},
	"de": {"DE", "AT", "CH"},
	"fr": {"FR", "BE", "CH"},
	"es": {"ES", "MX"},
	"pt": {"BR", "PT"},
	"it": {"IT"},
	"nl": {"NL", "BE"},
	"pl": {"PL"},
	"sv": {"SE", "FI"},
	"da": {"DK"},
	"nb": {"NO"},
	"no": {"NO"},
	"fi": {"FI"},
	"cs": {"CZ"},
	"el": {"GR"},
	"ro": {"RO"},
	"hu": {"HU"},
	"tr": {"TR"},
	"ru": {"RU", "KZ"},
	"uk": {"UA"},
	"ja": {"JP"},
	"zh": {"CN", "TW", "HK"},
	"ko": {"KR"},
	"ar": {"SA", "AE", "EG"},
	"he": {"IL"},
	"hi": {"IN"},
}

// ValidRegion reports whether r is an ISO 3166-1 alpha-2 code (upper case)
// that libphonenumber knows numbers of.
func ValidRegion(r string) bool {
	return len(r) == 2 && r == strings.ToUpper(r) && phonenumbers.GetCountryCodeForRegion(r) != 0
}

// regions returns where phone numbers without a country code are read, in
// order and without repeats: the hinted regions, the language's, then
// DefaultPhoneRegion.
func (h Hints) regions() []string {
	if len(h.Regions) == 0 && h.Language == "" {
		return defaultRegions
	}
	out := make([]string, 0, 6)
	add := func(r string) {
		if len(out) < MaxRegions+4 && ValidRegion(r) && !contains(out, r) {
			out = append(out, r)
		}
	}
	for _, r := range h.Regions {
		add(strings.ToUpper(r))
	}
	lang, region, _ := strings.Cut(strings.ReplaceAll(h.Language, "_", "-"), "-")
	if len(region) == 2 {
		add(strings.ToUpper(region))
	} else {
		for _, r := range languageRegions[strings.ToLower(lang)] {
			add(r)
		}
	}
	add(DefaultPhoneRegion)
	return out
}

var defaultRegions = []string{DefaultPhoneRegion}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
