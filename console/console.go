// Package console is Rampart's admin console: server-rendered HTML pages at
// /console/ for a tenant's administrators and for the operator, in the same
// binary as the API and calling the same services (auth, tenancy,
// encryption, delivery) with the same permission checks. No Node build:
// html/template pages and one small script, embedded with embed, under a
// strict Content-Security-Policy (no inline script or style).
//
// # Sessions
//
// Signing in runs the tenant's own login (auth.Service.Login, then
// CompleteMFA when the user has a second factor), which opens a real
// Rampart session. The console keeps that session's access and refresh
// tokens on the server, in the database (table console_sessions, sealed
// with the master key; see sessionstore.go), under the SHA-256 of a random cookie
// value (cookie __Host-rampart_console: HttpOnly, SameSite=Strict, Path=/,
// Secure except in plain-HTTP development away from loopback, where the
// prefix cannot be used and the cookie is rampart_console). Every request
// authenticates the access token again (auth.Service.Authenticate), so
// ending the Rampart session, disabling the user or changing their role
// takes effect on the next page; an expired access token is refreshed once
// under the console session's lock. The tokens never reach the browser.
// The operator signs in with the operator token, compared by hash in
// constant time; only the fact of it is kept. Any replica serves any
// browser, and a restart signs nobody out. Without Deps.Sessions (tests,
// tools) sessions stay in the process's memory.
//
// # Adding a page
//
//  1. Write templates/<name>.html defining {{define "content"}} (and
//     {{define "title"}}); the layout gives it the header, the nav and
//     landmarks. Every form includes {{template "csrf" .}}, and forms of a
//     dangerous action {{template "stepup" .}} (a code field, shown only
//     when the viewer's second factor is older than the tenant's step-up
//     window; the guard checks it before the handler runs).
//  2. Write a handler func(w, r, *viewer) that calls a service with
//     v.principal and renders with c.render(w, r, v, http.StatusOK,
//     "<name>", page{Title: ..., Data: ...}); on an error, c.formError
//     (field errors next to their fields) or c.fail.
//  3. Register it in routes (routes.go): c.tenant("users:read", h) for a
//     tenant page (session, CSRF on POST, permission via auth.Require,
//     refused with a 403 page), c.operatorOnly(h) for the operator's.
//  4. Add a navItem to nav (routes.go) so viewers who may see it find it,
//     and show actions only when v.may(permission).
//  5. Visit it in e2e/console.spec.mjs (axe-core runs on every page).
package console

import (
	"bytes"
	"crypto/rand"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/delivery"
	"github.com/rampart-dev/rampart/encryption"
	"github.com/rampart-dev/rampart/guard"
	"github.com/rampart-dev/rampart/incident"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/privacy"
	"github.com/rampart-dev/rampart/tenancy"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// csp is the console's Content-Security-Policy: its own script and style
// only, forms posting only to itself, never framed.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Deps are what the console calls: the same services as the API.
type Deps struct {
	Auth       *auth.Service
	Tenancy    *tenancy.Service
	Encryption *encryption.Service // the operator's signing-key rotation
	Delivery   *delivery.Service   // the operator's jobs
	// The second set of pages: incidents, data-subject requests, consents
	// and the guardrail test bench (a page whose service is nil is not
	// offered).
	Incidents *incident.Service
	Requests  *privacy.Requests
	Consents  *privacy.Consents
	Guard     *guard.Service
	// Sessions, when set, keeps console sessions in the database (sealed
	// with SessionKey) so that any replica serves any browser; nil keeps
	// them in this process's memory.
	Sessions   SessionStore
	SessionKey *keys.MasterKey
	// OperatorTokenHash is the SHA-256 of the operator token.
	OperatorTokenHash [32]byte
	// Meta describes a request's client as the API sees it (client IP
	// behind trusted proxies, user agent).
	Meta   func(*http.Request) auth.Meta
	Logger *slog.Logger
	Now    func() time.Time
}

// Console serves /console/. Build it with New.
type Console struct {
	d        Deps
	now      func() time.Time
	log      *slog.Logger
	pages    map[string]*template.Template
	sessions *sessions
	preKey   []byte // signs the sign-in form's CSRF token, before a session exists
	mux      *http.ServeMux
}

// New returns the console.
func New(d Deps) *Console {
	c := &Console{d: d, now: d.Now, log: d.Logger, pages: map[string]*template.Template{}}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	c.sessions = newSessions(c.now)
	if d.Sessions != nil && d.SessionKey != nil {
		c.sessions.db = newSessionDB(d.Sessions, d.SessionKey, c.log)
	}
	c.preKey = make([]byte, 32)
	rand.Read(c.preKey)
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		c.pages[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n))
	}
	c.mux = http.NewServeMux()
	c.routes()
	return c
}

// ServeHTTP answers a console request with the console's security headers.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	defer c.sessions.begin(r)() // a stored session: loaded once, written back when changed
	c.mux.ServeHTTP(w, r)
}

// formField is one input of a form built by a range in a template.
type formField struct {
	Name, Label, Type, Auto string
	Max                     int
}

var funcs = template.FuncMap{
	"slice3": func(xs ...string) []string { return xs },
	"fields": func() []formField {
		return []formField{{"slug", "Slug", "text", "off", 100}, {"name", "Name", "text", "organization", 200},
			{"owner_email", "Owner's e-mail", "email", "off", 254}, {"owner_password", "Owner's password", "password", "new-password", 1024}}
	},
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"datep": func(t *time.Time) string {
		if t == nil || t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
}

// page is what every template receives: the layout's parts and the page's
// own Data.
type page struct {
	Title  string
	Nav    []navItem
	Active string // the nav path of this page
	Viewer string // who is signed in ("" on the sign-in pages)
	Area   string // "tenant" or "operator"
	CSRF   string
	Flash  string
	Error  string            // a message for the whole form
	Errors map[string]string // field -> message, shown next to the field
	Values map[string]string // form values to show again
	// StepUp is set when a dangerous action's form must ask for a code.
	StepUp bool
	Data   any
}

// render writes a page in the layout.
func (c *Console) render(w http.ResponseWriter, r *http.Request, v *viewer, status int, name string, p page) {
	t, ok := c.pages[name]
	if !ok {
		c.log.Error("console: no template", "name", name)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	if v != nil {
		p.Viewer, p.CSRF, p.Nav, p.Area = v.name(), v.sess.csrf, c.navFor(r, v), v.area()
		if p.Flash == "" {
			p.Flash = v.sess.takeFlash()
		}
		if v.principal != nil && !p.StepUp {
			p.StepUp = v.principal.RequireRecentMFA(c.now()) != nil
		}
	} else if p.CSRF == "" && name == "signin" {
		p.CSRF = c.preToken(w, r)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		c.log.Error("console: render", "page", name, "err", err)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail renders the error page: a status and a message safe to show. An
// internal error is logged with an id that the page shows.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, v *viewer, err error) {
	status, msg := statusOf(err), rampart.ErrorMessage(err)
	if status >= 500 {
		id := newID()
		c.log.Error("console: internal error", "error_id", id, "path", r.URL.Path, "err", err)
		msg = "Something went wrong on our side. Error id: " + id
	}
	c.render(w, r, v, status, "error", page{Title: http.StatusText(status), Error: msg})
}

// formError shows a form again with the service's error: next to its field
// when it names one, above the form otherwise.
func formError(p *page, err error) {
	var e *rampart.Error
	if ok := asError(err, &e); ok && e.Field != "" {
		if p.Errors == nil {
			p.Errors = map[string]string{}
		}
		p.Errors[e.Field] = e.Message
		return
	}
	p.Error = rampart.ErrorMessage(err)
}

// statusOf maps an error code to the page's HTTP status (as the API does).
func statusOf(err error) int {
	switch rampart.ErrorCode(err) {
	case rampart.EInvalid:
		return http.StatusBadRequest
	case rampart.EUnprocessable:
		return http.StatusUnprocessableEntity
	case rampart.EUnauthorized, rampart.EStepUp:
		return http.StatusUnauthorized
	case rampart.EForbidden, rampart.EPasswordChange, rampart.ETermsRequired:
		return http.StatusForbidden
	case rampart.ENotFound:
		return http.StatusNotFound
	case rampart.EConflict:
		return http.StatusConflict
	case rampart.ELocked, rampart.ERateLimited:
		return http.StatusTooManyRequests
	case rampart.EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
