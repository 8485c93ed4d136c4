package courier

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"sort"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"
)

//go:embed templates/*.txt templates/*.html
var templateFS embed.FS

// Message kinds. Each has a text and an HTML template; the data keys each
// reads are listed beside it (all values are printed with fmt's %v; "time"
// may be a time.Time, shown in UTC). Every kind also reads "name", the
// recipient's name for the greeting, when present.
const (
	KindPasswordReset     = "password_reset"     // "code" and/or "link"; "expires_in_minutes"
	KindEmailVerification = "email_verification" // "code" and/or "link"; "expires_in_minutes"
	KindOTPCode           = "otp_code"           // "code" (required); "expires_in_minutes", "purpose" ("sign in")
	KindSecurityAlert     = "security_alert"     // "title", "description", "severity" (required); "time", "link"
	KindNewDeviceLogin    = "new_device_login"   // "device", "ip", "location", "time", "link"
	KindInvitation        = "invitation"         // "link" (required); "expires_in_hours", "role", "inviter"
	KindGeneric           = "generic"            // "subject", "body" (required)
)

// DefaultDeployment names the deployment when the Brand gives none.
const DefaultDeployment = "Rampart"

// MaxSubjectLength bounds a rendered subject, in runes.
const MaxSubjectLength = 200

// Brand is what a message says about who sends it.
type Brand struct {
	Name       string // the tenant's brand, e.g. "Acme"; the deployment's name when empty
	Deployment string // the deployment, e.g. "Rampart"; DefaultDeployment when empty
}

// requirements of the data of each kind: every key of all must be present
// and not empty, and at least one key of any when any is set.
type requirements struct {
	all []string
	any []string
}

var kinds = map[string]requirements{
	KindPasswordReset:     {any: []string{"code", "link"}},
	KindEmailVerification: {any: []string{"code", "link"}},
	KindOTPCode:           {all: []string{"code"}},
	KindSecurityAlert:     {all: []string{"title", "description", "severity"}},
	KindNewDeviceLogin:    {},
	KindInvitation:        {all: []string{"link"}},
	KindGeneric:           {all: []string{"subject", "body"}},
}

// Kinds returns the known message kinds, sorted.
func Kinds() []string {
	out := make([]string, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type kindTemplates struct {
	text *texttemplate.Template // defines "subject", "content", maybe "sms"; runs the text layout
	html *htmltemplate.Template // defines "content"; runs the HTML layout
}

var funcs = map[string]any{
	"upper": func(v any) string { return strings.ToUpper(fmt.Sprint(v)) },
	"when":  when,
}

var htmlFuncs = htmltemplate.FuncMap{
	"upper":      funcs["upper"],
	"when":       when,
	"paragraphs": paragraphs,
}

// templates are parsed once; a template that does not parse is a build
// mistake that every test run would show, hence the panic.
var templates = func() map[string]kindTemplates {
	out := make(map[string]kindTemplates, len(kinds))
	for kind := range kinds {
		text := texttemplate.Must(texttemplate.New("layout.txt").Funcs(funcs).
			ParseFS(templateFS, "templates/layout.txt", "templates/"+kind+".txt"))
		html := htmltemplate.Must(htmltemplate.New("layout.html").Funcs(htmlFuncs).
			ParseFS(templateFS, "templates/layout.html", "templates/"+kind+".html"))
		out[kind] = kindTemplates{text: text, html: html}
	}
	return out
}()

// Render returns the subject, plain text and HTML of a message of kind. The
// HTML template escapes every value; the subject is one line. data is not
// changed; its keys "brand" and "deployment" are set from brand. An unknown
// kind or missing data is an *Error of class invalid_message.
func Render(kind string, data map[string]any, brand Brand) (subject, text, html string, err error) {
	t, view, err := prepare(kind, data, brand)
	if err != nil {
		return "", "", "", err
	}
	var b bytes.Buffer
	if err := t.text.ExecuteTemplate(&b, "subject", view); err != nil {
		return "", "", "", invalid("rendering the subject of %s: %v", kind, err)
	}
	subject = oneLine(b.String(), MaxSubjectLength)
	b.Reset()
	if err := t.text.Execute(&b, view); err != nil {
		return "", "", "", invalid("rendering the text of %s: %v", kind, err)
	}
	text = b.String()
	b.Reset()
	if err := t.html.Execute(&b, view); err != nil {
		return "", "", "", invalid("rendering the HTML of %s: %v", kind, err)
	}
	return subject, text, b.String(), nil
}

// RenderSMS returns the body of a text message of kind, for the kinds that
// have one (all but email_verification).
func RenderSMS(kind string, data map[string]any, brand Brand) (string, error) {
	t, view, err := prepare(kind, data, brand)
	if err != nil {
		return "", err
	}
	if t.text.Lookup("sms") == nil {
		return "", invalid("kind %s has no SMS form", kind)
	}
	var b bytes.Buffer
	if err := t.text.ExecuteTemplate(&b, "sms", view); err != nil {
		return "", invalid("rendering the SMS of %s: %v", kind, err)
	}
	return strings.TrimSpace(b.String()), nil
}

func prepare(kind string, data map[string]any, brand Brand) (kindTemplates, map[string]any, error) {
	req, ok := kinds[kind]
	t := templates[kind]
	if !ok {
		return t, nil, invalid("unknown message kind %q", kind)
	}
	for _, k := range req.all {
		if empty(data[k]) {
			return t, nil, invalid("%s needs %q", kind, k)
		}
	}
	if len(req.any) > 0 {
		found := false
		for _, k := range req.any {
			found = found || !empty(data[k])
		}
		if !found {
			return t, nil, invalid("%s needs one of %q", kind, req.any)
		}
	}
	view := make(map[string]any, len(data)+2)
	for k, v := range data {
		view[k] = v
	}
	view["deployment"] = brand.Deployment
	if brand.Deployment == "" {
		view["deployment"] = DefaultDeployment
	}
	view["brand"] = brand.Name
	if brand.Name == "" {
		view["brand"] = view["deployment"]
	}
	return t, view, nil
}

func empty(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && strings.TrimSpace(s) == ""
}

// oneLine folds s to a single line of at most max runes: a subject with a
// line break would be a header injection if anything downstream forgot to
// encode it.
func oneLine(s string, max int) string {
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}

// when prints a time in UTC the same way in every template; other values as
// they are.
func when(v any) string {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format("Mon, 2 Jan 2006 15:04 MST")
	case *time.Time:
		if t != nil {
			return t.UTC().Format("Mon, 2 Jan 2006 15:04 MST")
		}
		return ""
	}
	return fmt.Sprint(v)
}

// paragraphs splits plain text at blank lines into HTML paragraphs whose
// content is escaped and whose single line breaks become <br>.
func paragraphs(v any) []htmltemplate.HTML {
	text := strings.ReplaceAll(fmt.Sprint(v), "\r\n", "\n")
	var out []htmltemplate.HTML
	for _, p := range strings.Split(text, "\n\n") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		lines := strings.Split(p, "\n")
		for i, l := range lines {
			lines[i] = htmltemplate.HTMLEscapeString(l)
		}
		out = append(out, htmltemplate.HTML(strings.Join(lines, "<br>\n")))
	}
	return out
}
