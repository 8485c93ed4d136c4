package httpapi

import (
	"html/template"
	"net/http"
)

// A link in a message (password reset, e-mail verification, invitation)
// opens a page: GET only renders it, whatever the token, and consumes
// nothing, so mail scanners and link previews that open links do no harm.
// The person confirms with the page's form, which POSTs.

// pageCSP lets a page style itself and post its form to Rampart, nothing
// else.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// page is what a confirm page shows.
type page struct {
	Title   string
	Message string
	Action  string      // the form's target; no form when empty
	Hidden  [][2]string // hidden inputs: name, value
	Fields  []pageField // inputs to fill in
	Button  string
}

// pageField is an input of a confirm page's form.
type pageField struct {
	Name, Label, Type, Autocomplete string
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}
label{display:block;margin:1rem 0 .25rem}input{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1.25rem;padding:.6rem 1.2rem}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Message}}</p>
{{if .Action}}<form method="post" action="{{.Action}}">
{{range .Hidden}}<input type="hidden" name="{{index . 0}}" value="{{index . 1}}">
{{end}}{{range .Fields}}<label for="{{.Name}}">{{.Label}}</label><input id="{{.Name}}" name="{{.Name}}" type="{{.Type}}" autocomplete="{{.Autocomplete}}" required>
{{end}}<button type="submit">{{.Button}}</button></form>{{end}}
</body></html>
`))

// writePage renders p with status. The token is in the URL: no referrer,
// no caching.
func writePage(w http.ResponseWriter, status int, p page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	pageTemplate.Execute(w, p)
}

// isForm reports whether a request body is an HTML form post.
func isForm(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return len(ct) >= 33 && ct[:33] == "application/x-www-form-urlencoded"
}
