package console

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/privacy"
)

// Limits of the privacy pages' forms (as the API's).
const (
	maxExtendReason = 1000
	maxSubject      = 256
)

// requestRow is a data-subject request with how long is left.
type requestRow struct {
	*privacy.Request
	Due     string // "in 3 day(s)", "2 day(s) overdue", "completed"
	Overdue bool
}

func (c *Console) requestRow(r *privacy.Request) requestRow {
	row := requestRow{Request: r, Overdue: r.Status == privacy.StatusOverdue}
	switch {
	case r.Status == privacy.StatusCompleted:
		row.Due = "completed"
	case row.Overdue:
		row.Due = fmt.Sprintf("%d day(s) overdue", int(c.now().Sub(r.DueAt)/(24*time.Hour))+1)
	default:
		row.Due = fmt.Sprintf("in %d day(s)", int(r.DueAt.Sub(c.now())/(24*time.Hour)))
	}
	return row
}

type requestsData struct {
	Requests []requestRow
	Status   string
	Overdue  int
}

// requestsPage lists the tenant's data-subject requests with their due
// dates (privacy.Requests.List, as GET /v1/privacy/requests).
func (c *Console) requestsPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	status := r.URL.Query().Get("status")
	list, err := c.d.Requests.List(r.Context(), v.principal.TenantID, status)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	d := requestsData{Status: status}
	for _, x := range list {
		row := c.requestRow(x)
		if row.Overdue {
			d.Overdue++
		}
		d.Requests = append(d.Requests, row)
	}
	c.render(w, r, v, http.StatusOK, "requests", page{Title: "Data-subject requests", Active: "/console/privacy/requests", Data: d})
}

func (c *Console) requestPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	c.showRequest(w, r, v, http.StatusOK, page{})
}

func (c *Console) showRequest(w http.ResponseWriter, r *http.Request, v *viewer, status int, p page) {
	x, err := c.d.Requests.Get(r.Context(), v.principal.TenantID, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	p.Title, p.Active, p.Data = "Request "+x.Type, "/console/privacy/requests", c.requestRow(x)
	c.render(w, r, v, status, "request", p)
}

// extendRequest moves a request's due date once, with its reason
// (privacy.Requests.Extend, as POST /v1/privacy/requests/{id}/extend).
func (c *Console) extendRequest(w http.ResponseWriter, r *http.Request, v *viewer) {
	reason, daysText := strings.TrimSpace(r.PostFormValue("reason")), r.PostFormValue("days")
	p := page{Values: map[string]string{"reason": reason, "days": daysText}}
	days, err := strconv.Atoi(daysText)
	switch {
	case err != nil || days < 1 || days > 60:
		c.showRequest(w, r, v, http.StatusBadRequest, withField(p, "days", "Enter a number of days from 1 to 60."))
		return
	case reason == "" || len(reason) > maxExtendReason:
		c.showRequest(w, r, v, http.StatusBadRequest, withField(p, "reason", "Say why the request needs more time (at most 1,000 characters)."))
		return
	}
	if _, err := c.d.Requests.Extend(r.Context(), v.principal.TenantID, r.PathValue("id"), days, reason); err != nil {
		if statusOf(err) >= 500 || rampart.ErrorCode(err) == rampart.ENotFound {
			c.fail(w, r, v, err)
			return
		}
		formError(&p, err)
		c.showRequest(w, r, v, statusOf(err), p)
		return
	}
	v.sess.setFlash("The due date is extended.")
	http.Redirect(w, r, "/console/privacy/requests/"+r.PathValue("id"), http.StatusSeeOther)
}

type consentsData struct {
	Subject  string
	Searched bool
	Consents []*privacy.Consent
}

// consentsPage looks up a subject's consent records (privacy.Consents.List,
// as GET /v1/consents).
func (c *Console) consentsPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	subject := strings.TrimSpace(r.URL.Query().Get("subject"))
	d := consentsData{Subject: subject, Searched: subject != ""}
	p := page{Title: "Consents", Active: "/console/consents"}
	if len(subject) > maxSubject {
		p.Data = d
		c.render(w, r, v, http.StatusBadRequest, "consents", withField(p, "subject", "A subject is at most 256 characters."))
		return
	}
	if subject != "" {
		var err error
		if d.Consents, err = c.d.Consents.List(r.Context(), v.principal.TenantID, subject); err != nil {
			c.fail(w, r, v, err)
			return
		}
	}
	p.Data = d
	c.render(w, r, v, http.StatusOK, "consents", p)
}
