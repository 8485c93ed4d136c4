package console

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/incident"
	"github.com/rampart-dev/rampart/outbox"
	"github.com/rampart-dev/rampart/store"
)

// Page sizes of the incidents and deliveries pages.
const (
	incidentsPageSize  = 50
	deliveriesPageSize = 50
	maxIncidentNote    = 2000
)

type incidentsData struct {
	Incidents        []*store.Incident
	Status, Severity string
	Next             template.URL // typed: html/template would escape a bare query's = and &
}

// incidentsPage lists the tenant's incidents, newest first (incident.List,
// as GET /v1/incidents).
func (c *Console) incidentsPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	q := r.URL.Query()
	f := store.IncidentFilter{Status: q.Get("status"), Severity: q.Get("severity"), Before: q.Get("before"), Limit: incidentsPageSize}
	if len(f.Severity) > 16 || len(f.Before) > 64 {
		c.fail(w, r, v, rampart.Errorf(rampart.EInvalid, "A filter is not valid."))
		return
	}
	list, err := c.d.Incidents.List(r.Context(), v.principal.TenantID, f)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	d := incidentsData{Incidents: list, Status: f.Status, Severity: f.Severity}
	if len(list) == incidentsPageSize {
		nq := url.Values{"before": {list[len(list)-1].ID}}
		if f.Status != "" {
			nq.Set("status", f.Status)
		}
		if f.Severity != "" {
			nq.Set("severity", f.Severity)
		}
		d.Next = template.URL("/console/incidents?" + nq.Encode())
	}
	c.render(w, r, v, http.StatusOK, "incidents", page{Title: "Incidents", Active: "/console/incidents", Data: d})
}

func (c *Console) incidentPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	c.showIncident(w, r, v, http.StatusOK, page{})
}

func (c *Console) showIncident(w http.ResponseWriter, r *http.Request, v *viewer, status int, p page) {
	in, err := c.d.Incidents.Get(r.Context(), v.principal.TenantID, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	p.Title, p.Active, p.Data = "Incident: "+in.Rule, "/console/incidents", in
	c.render(w, r, v, status, "incident", p)
}

// updateIncident acknowledges or resolves an incident, or adds a note
// (incident.Update, as PATCH /v1/incidents/{id}).
func (c *Console) updateIncident(w http.ResponseWriter, r *http.Request, v *viewer) {
	status, note := r.PostFormValue("status"), strings.TrimSpace(r.PostFormValue("note"))
	p := page{Values: map[string]string{"note": note}}
	if len(note) > maxIncidentNote {
		c.showIncident(w, r, v, http.StatusBadRequest, withField(p, "note", "A note is at most 2,000 characters."))
		return
	}
	if status == "" && note == "" {
		c.showIncident(w, r, v, http.StatusBadRequest, withField(p, "note", "Write a note, or acknowledge or resolve the incident."))
		return
	}
	_, err := c.d.Incidents.Update(r.Context(), v.principal.TenantID, r.PathValue("id"), incident.Change{Status: status, Note: note}, c.actorOf(v))
	if err != nil {
		if statusOf(err) >= 500 || rampart.ErrorCode(err) == rampart.ENotFound {
			c.fail(w, r, v, err)
			return
		}
		formError(&p, err)
		c.showIncident(w, r, v, statusOf(err), p)
		return
	}
	msg := "Note added."
	if status != "" {
		msg = "Incident " + status + "."
	}
	v.sess.setFlash(msg)
	http.Redirect(w, r, "/console/incidents/"+r.PathValue("id"), http.StatusSeeOther)
}

type deliveriesData struct {
	Deliveries []*outbox.Message
	Status     string
	Next       template.URL
}

// deliveriesPage lists the tenant's outbox deliveries (delivery.Deliveries,
// as GET /v1/deliveries).
func (c *Console) deliveriesPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	q := r.URL.Query()
	status, before := q.Get("status"), q.Get("before")
	if len(before) > 64 {
		c.fail(w, r, v, rampart.Errorf(rampart.EInvalid, "This page link is not valid."))
		return
	}
	list, err := c.d.Delivery.Deliveries(r.Context(), v.principal.TenantID, status, before, deliveriesPageSize)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	d := deliveriesData{Deliveries: list, Status: status}
	if len(list) == deliveriesPageSize {
		nq := url.Values{"before": {list[len(list)-1].ID}}
		if status != "" {
			nq.Set("status", status)
		}
		d.Next = template.URL("/console/deliveries?" + nq.Encode())
	}
	c.render(w, r, v, http.StatusOK, "deliveries", page{Title: "Deliveries", Active: "/console/deliveries", Data: d})
}

// retryDelivery sends a dead delivery again (delivery.RetryDelivery).
func (c *Console) retryDelivery(w http.ResponseWriter, r *http.Request, v *viewer) {
	m, err := c.d.Delivery.RetryDelivery(r.Context(), v.principal.TenantID, c.actorOf(v), r.PathValue("id"))
	if err != nil {
		if statusOf(err) >= 500 || rampart.ErrorCode(err) == rampart.ENotFound {
			c.fail(w, r, v, err)
			return
		}
		v.sess.setFlash(rampart.ErrorMessage(err))
		http.Redirect(w, r, "/console/deliveries", http.StatusSeeOther)
		return
	}
	v.sess.setFlash("Delivery " + m.ID + " queued again.")
	http.Redirect(w, r, "/console/deliveries", http.StatusSeeOther)
}
