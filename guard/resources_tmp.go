package guard

// Resource is a crisis line. (Temporary: the crisis detector's work
// replaces this file with the real defaults.)
type Resource struct {
	Name    string `json:"name"`
	Contact string `json:"contact,omitempty"`
	URL     string `json:"url,omitempty"`
	Locale  string `json:"locale,omitempty"`
}

// DefaultResources returns the default crisis resources for a locale.
func DefaultResources(locale string) []Resource {
	return []Resource{{Name: "Find a Helpline (international directory)", URL: "https://findahelpline.com"}}
}
