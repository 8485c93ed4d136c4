package console

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
)

// Limits of the audit log page.
const (
	// auditPageSize is how many events a page of the audit log shows.
	auditPageSize = 50
	// auditExportBatch is how many events an export reads per query.
	auditExportBatch = 1000
	// maxAuditExport bounds the events of one export.
	maxAuditExport = 1_000_000
	// auditTimeLayout is the form's time format (an <input type=datetime-local>, read as UTC).
	auditTimeLayout = "2006-01-02T15:04"
)

// auditData is the audit log page's data.
type auditData struct {
	Events   []*audit.Event
	Types    []audit.Type
	Q        auditQuery
	Next     template.URL // the next page's address
	First    template.URL // the first page's address
	CSV      template.URL // the filtered range's exports
	JSON     template.URL
	Return   string // this page's address, to come back to after verifying
	From, To int64  // the sequence numbers the page shows (for verification)
	Filtered bool
	Paged    bool // past the first page
}

// auditQuery is the audit log's filter as the form spells it.
type auditQuery struct{ Type, Actor, Resource, Since, Until string }

// auditFilter reads the filter of a request's query; a bad value is a
// field error.
func auditFilter(q url.Values) (audit.Filter, auditQuery, error) {
	aq := auditQuery{Type: q.Get("type"), Actor: strings.TrimSpace(q.Get("actor")), Resource: strings.TrimSpace(q.Get("resource")),
		Since: q.Get("since"), Until: q.Get("until")}
	f := audit.Filter{Type: aq.Type, UserID: aq.Actor, Resource: aq.Resource}
	if aq.Type != "" && !audit.KnownType(aq.Type) {
		return f, aq, rampart.FieldError(rampart.EInvalid, "type", "Choose an event type from the list.")
	}
	if len(aq.Actor) > 64 {
		return f, aq, rampart.FieldError(rampart.EInvalid, "actor", "A user id is at most 64 characters.")
	}
	if len(aq.Resource) > 200 {
		return f, aq, rampart.FieldError(rampart.EInvalid, "resource", "A resource is at most 200 characters.")
	}
	for _, t := range []struct {
		field, v string
		dst      *time.Time
	}{{"since", aq.Since, &f.Since}, {"until", aq.Until, &f.Until}} {
		if t.v == "" {
			continue
		}
		v, err := time.Parse(auditTimeLayout, t.v)
		if err != nil {
			return f, aq, rampart.FieldError(rampart.EInvalid, t.field, "Enter a date and time (UTC) such as 2026-01-31T09:30.")
		}
		*t.dst = v.UTC()
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return f, aq, rampart.FieldError(rampart.EInvalid, "until", "The end must be after the start.")
	}
	return f, aq, nil
}

func auditURL(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

func (q auditQuery) values() url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"type": q.Type, "actor": q.Actor, "resource": q.Resource, "since": q.Since, "until": q.Until} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

// auditPage lists the tenant's events, newest first, filtered by type,
// actor, resource and time, a page at a time (tenancy.AuditEvents, as GET
// /v1/audit/events).
func (c *Console) auditPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	q := r.URL.Query()
	p := page{Title: "Audit log", Active: "/console/audit"}
	f, aq, err := auditFilter(q)
	d := auditData{Types: audit.Types(), Q: aq}
	if err == nil {
		if b := q.Get("before"); b != "" {
			if f.BeforeSeq, err = strconv.ParseInt(b, 10, 64); err != nil || f.BeforeSeq < 1 {
				err = rampart.FieldError(rampart.EInvalid, "before", "This page link is not valid.")
			}
		}
	}
	if err != nil {
		formError(&p, err)
		p.Data = d
		c.render(w, r, v, http.StatusBadRequest, "audit", p)
		return
	}
	f.Limit = auditPageSize
	if d.Events, err = c.d.Tenancy.AuditEvents(r.Context(), v.principal.TenantID, f); err != nil {
		c.fail(w, r, v, err)
		return
	}
	vals := aq.values()
	// The filter's query is encoded here and its addresses typed as URLs:
	// html/template would escape a bare query's = and & in an href.
	d.Filtered, d.Paged = len(vals) > 0, f.BeforeSeq > 0
	d.First, d.Return = template.URL(auditURL("/console/audit", vals)), r.URL.RequestURI()
	for _, x := range []struct {
		dst    *template.URL
		format string
	}{{&d.CSV, "csv"}, {&d.JSON, "json"}} {
		ev := aq.values()
		ev.Set("format", x.format)
		*x.dst = template.URL(auditURL("/console/audit/export", ev))
	}
	if n := len(d.Events); n > 0 {
		d.To, d.From = d.Events[0].Seq, d.Events[n-1].Seq
		if n == auditPageSize && d.From > 1 {
			vals.Set("before", strconv.FormatInt(d.From, 10))
			d.Next = template.URL(auditURL("/console/audit", vals))
		}
	}
	p.Data = d
	c.render(w, r, v, http.StatusOK, "audit", p)
}

// auditVerify verifies the hash chain over the sequence numbers the page
// showed (every event between them, filtered out or not) and says so.
func (c *Console) auditVerify(w http.ResponseWriter, r *http.Request, v *viewer) {
	back := "/console/audit"
	if ret := r.PostFormValue("return"); strings.HasPrefix(ret, "/console/audit") && !strings.HasPrefix(ret, "/console/audit/") {
		back = ret
	}
	from, err1 := strconv.ParseInt(r.PostFormValue("from"), 10, 64)
	to, err2 := strconv.ParseInt(r.PostFormValue("to"), 10, 64)
	if err1 != nil || err2 != nil {
		c.fail(w, r, v, rampart.Errorf(rampart.EInvalid, "The range to verify is not valid."))
		return
	}
	n, brk, err := c.d.Tenancy.VerifyAuditRange(r.Context(), v.principal.TenantID, from, to)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	if brk != nil {
		v.sess.setFlash(fmt.Sprintf("Chain BROKEN at event %d (%s); %d event(s) checked from %d.", brk.Seq, brk.Reason, n, from))
	} else {
		v.sess.setFlash(fmt.Sprintf("Chain intact from event %d to %d: %d event(s) verified.", from, to, n))
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// auditExport streams every event matching the filter, newest first, as
// CSV or JSON, reading a batch at a time; the export itself is audited.
func (c *Console) auditExport(w http.ResponseWriter, r *http.Request, v *viewer) {
	f, aq, err := auditFilter(r.URL.Query())
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format != "csv" && format != "json" {
		c.fail(w, r, v, rampart.FieldError(rampart.EInvalid, "format", "The format is csv or json."))
		return
	}
	ctx := r.Context()
	f.Limit = auditExportBatch
	first, err := c.d.Tenancy.AuditEvents(ctx, v.principal.TenantID, f)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	c.d.Auth.Audit(ctx, v.principal.TenantID, &audit.Event{Type: audit.DataAccess, UserID: v.principal.UserID, IP: v.meta.IP,
		UserAgent: v.meta.UserAgent, Resource: "audit", Success: true,
		Details: map[string]any{"action": "audit_export", "format": format, "filter": aq.values().Encode()}})
	name := "audit-" + c.now().UTC().Format("20060102T150405Z") + "." + format
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	var write func(*audit.Event) error
	var end func()
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		cw := csv.NewWriter(w)
		cw.Write([]string{"seq", "id", "created_at", "event_type", "user_id", "ip_address", "user_agent", "resource", "success", "details", "hash"})
		write = func(e *audit.Event) error {
			details, _ := json.Marshal(e.Record().Details)
			return cw.Write([]string{strconv.FormatInt(e.Seq, 10), e.ID, e.CreatedAt.UTC().Format(time.RFC3339Nano), string(e.Type),
				csvCell(e.UserID), csvCell(e.IP), csvCell(e.UserAgent), csvCell(e.Resource), strconv.FormatBool(e.Success), csvCell(string(details)), e.Hash})
		}
		end = cw.Flush
	} else {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte("{\"events\":[\n"))
		enc := json.NewEncoder(w)
		n := 0
		write = func(e *audit.Event) error {
			if n > 0 {
				w.Write([]byte(","))
			}
			n++
			return enc.Encode(e.Record())
		}
		end = func() { w.Write([]byte("]}\n")) }
	}
	fl, _ := w.(http.Flusher)
	total, batch := 0, first
	for len(batch) > 0 && total < maxAuditExport {
		for _, e := range batch {
			if err := write(e); err != nil {
				return // the client went away
			}
			total++
		}
		if fl != nil {
			if format == "csv" {
				end()
			}
			fl.Flush()
		}
		if len(batch) < auditExportBatch || batch[len(batch)-1].Seq <= 1 {
			break
		}
		f.BeforeSeq = batch[len(batch)-1].Seq
		if batch, err = c.d.Tenancy.AuditEvents(ctx, v.principal.TenantID, f); err != nil {
			// Headers are sent: all that is left is to cut the file short.
			c.log.Error("console: audit export", "err", err)
			return
		}
	}
	end()
}

// csvCell keeps a spreadsheet from reading a cell as a formula (CSV
// injection): a cell starting with = + - @ or a control gets a quote.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
