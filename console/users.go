package console

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

func urlQuery(s string) string { return url.QueryEscape(s) }

// pageSizes are the users page's sizes; the largest is a bulk action's limit.
var pageSizes = []int{50, 200, auth.MaxBulkUsers}

// usersData is the users page's data.
type usersData struct {
	Users    []store.UserRow
	Roles    []string
	Filter   store.UserFilter
	PerPage  int
	Sizes    []int
	Next     template.URL // the next page, "" on the last
	Actions  []bulkAction
	Filtered bool
}

type bulkAction struct{ Value, Label string }

var bulkLabels = []bulkAction{
	{auth.BulkEndSessions, "End sessions"},
	{auth.BulkLock, "Lock"},
	{auth.BulkRequirePasswordChange, "Require password change"},
	{auth.BulkDelete, "Delete…"},
}

// usersPage lists the tenant's users: an email looked up whole, filters by
// role, status and second factor, pages of 50 to 1,000 in a stable order.
func (c *Console) usersPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	q := r.URL.Query()
	f := store.UserFilter{Email: strings.TrimSpace(q.Get("email")), Role: q.Get("role"), Status: q.Get("status"), MFA: q.Get("mfa"), Limit: pageSizes[0]}
	p := page{Title: "Users", Active: "/console/users"}
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil {
		for _, s := range pageSizes {
			if n == s {
				f.Limit = n
			}
		}
	}
	if a := q.Get("after"); a != "" {
		b, err := base64.RawURLEncoding.DecodeString(a)
		if err != nil || len(b) > 256 {
			c.fail(w, r, v, rampart.FieldError(rampart.EInvalid, "after", "This page link is not valid."))
			return
		}
		f.After = string(b)
	}
	if len(f.Email) > 254 || len(f.Role) > 63 || !oneOf(f.Status, "", identity.UserActive, identity.UserDisabled, identity.UserInvited) || !oneOf(f.MFA, "", "on", "off") {
		c.fail(w, r, v, rampart.Errorf(rampart.EInvalid, "A filter is not valid."))
		return
	}
	cat, err := c.d.Auth.Catalogue(r.Context(), v.principal.TenantID)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	list, err := c.d.Auth.SearchUsers(r.Context(), v.principal.TenantID, f)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	d := usersData{Users: list, Filter: f, PerPage: f.Limit, Sizes: pageSizes,
		Filtered: f.Email != "" || f.Role != "" || f.Status != "" || f.MFA != ""}
	for _, role := range cat.Roles() {
		d.Roles = append(d.Roles, role.Name)
	}
	for _, a := range bulkLabels {
		if v.may(auth.BulkActions[a.Value]) {
			d.Actions = append(d.Actions, a)
		}
	}
	if len(list) == f.Limit {
		nq := url.Values{}
		for _, k := range []string{"email", "role", "status", "mfa", "per_page"} {
			if q.Get(k) != "" {
				nq.Set(k, q.Get(k))
			}
		}
		nq.Set("after", base64.RawURLEncoding.EncodeToString([]byte(list[len(list)-1].EmailKey)))
		d.Next = template.URL("/console/users?" + nq.Encode()) // a query this code built: safe as is
	}
	p.Data = d
	c.render(w, r, v, http.StatusOK, "users", p)
}

func oneOf(s string, xs ...string) bool {
	for _, x := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// pendingBulk is a bulk delete waiting for its confirmation.
type pendingBulk struct {
	Action string
	IDs    []string
	Token  string
}

// bulk applies an action to the selected users; delete first shows what it
// will change (bulkConfirmPage).
func (c *Console) bulk(w http.ResponseWriter, r *http.Request, v *viewer) {
	action, ids := r.PostFormValue("action"), r.PostForm["id"]
	back := "/console/users"
	if ret := r.PostFormValue("return"); strings.HasPrefix(ret, "/console/users") {
		back = ret
	}
	if _, ok := auth.BulkActions[action]; !ok || len(ids) == 0 {
		v.sess.setFlash("Choose an action and select at least one user.")
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	if len(ids) > auth.MaxBulkUsers {
		c.fail(w, r, v, rampart.FieldError(rampart.EUnprocessable, "id", "Select at most %d users.", auth.MaxBulkUsers))
		return
	}
	if action == auth.BulkDelete {
		v.sess.mu.Lock()
		v.sess.pending = &pendingBulk{Action: action, IDs: ids, Token: randomToken()}
		v.sess.mu.Unlock()
		http.Redirect(w, r, "/console/users/bulk/confirm", http.StatusSeeOther)
		return
	}
	res, err := c.d.Auth.BulkUsers(r.Context(), v.principal, action, ids, v.meta)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	v.sess.setFlash(bulkSummary(action, res))
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func bulkSummary(action string, res *auth.BulkResult) string {
	label := action
	for _, a := range bulkLabels {
		if a.Value == action {
			label = strings.TrimSuffix(a.Label, "…")
		}
	}
	msg := fmt.Sprintf("%s: done for %d user(s), batch %s.", label, res.Done, res.BatchID)
	if n := len(res.Skipped); n > 0 {
		msg += fmt.Sprintf(" %d skipped", n)
		for _, why := range res.Skipped {
			msg += " (for example: " + why + ")"
			break
		}
		msg += "."
	}
	return msg
}

// confirmData is a confirmation screen: what will change, and the form that
// does it.
type confirmData struct {
	Heading string
	Changes []string
	More    int // changes not listed
	Action  string
	Token   string
	Submit  string
	Cancel  string
}

// bulkConfirmPage shows what a pending bulk delete will change.
func (c *Console) bulkConfirmPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	c.showBulkConfirm(w, r, v, http.StatusOK, page{})
}

func (c *Console) showBulkConfirm(w http.ResponseWriter, r *http.Request, v *viewer, status int, p page) {
	v.sess.mu.Lock()
	pb := v.sess.pending
	v.sess.mu.Unlock()
	if pb == nil {
		http.Redirect(w, r, "/console/users", http.StatusSeeOther)
		return
	}
	d := confirmData{Heading: fmt.Sprintf("Delete %d user(s)?", len(pb.IDs)), Action: "/console/users/bulk/confirm", Token: pb.Token,
		Submit: fmt.Sprintf("Delete %d user(s)", len(pb.IDs)), Cancel: "/console/users"}
	const shown = 50
	for i, id := range pb.IDs {
		if i == shown {
			d.More = len(pb.IDs) - shown
			break
		}
		u, err := c.d.Auth.User(r.Context(), v.principal.TenantID, id)
		if err != nil {
			d.Changes = append(d.Changes, id+": not found, will be skipped")
			continue
		}
		d.Changes = append(d.Changes, fmt.Sprintf("%s (%s, %s): the account, its sessions and second factors are deleted", u.Email, u.Role, u.Status))
	}
	p.Title, p.Active, p.Data = "Confirm delete", "/console/users", d
	c.render(w, r, v, status, "confirm", p)
}

// bulkConfirm runs a confirmed bulk delete (after a step-up code when the
// tenant's window asks for one).
func (c *Console) bulkConfirm(w http.ResponseWriter, r *http.Request, v *viewer) {
	v.sess.mu.Lock()
	pb := v.sess.pending
	v.sess.mu.Unlock()
	if pb == nil || r.PostFormValue("token") != pb.Token {
		http.Redirect(w, r, "/console/users", http.StatusSeeOther)
		return
	}
	if err := stepUpError(r); err != nil {
		c.showBulkConfirm(w, r, v, statusOf(err), page{Errors: map[string]string{"stepup_code": rampart.ErrorMessage(err)}})
		return
	}
	res, err := c.d.Auth.BulkUsers(r.Context(), v.principal, pb.Action, pb.IDs, v.meta)
	if rampart.ErrorCode(err) == rampart.EStepUp {
		c.showBulkConfirm(w, r, v, http.StatusUnauthorized, page{StepUp: true, Errors: map[string]string{"stepup_code": "Enter a code from your authenticator app to confirm."}})
		return
	}
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	v.sess.mu.Lock()
	v.sess.pending = nil
	v.sess.mu.Unlock()
	v.sess.setFlash(bulkSummary(pb.Action, res))
	http.Redirect(w, r, "/console/users", http.StatusSeeOther)
}
