package console

import (
	"fmt"
	"net/http"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/encryption"
	"github.com/rampart-dev/rampart/keys"
)

// dataKeysData is the tenant's data keys page.
type dataKeysData struct {
	Status   *encryption.KeyStatus
	Percent  int // stored secrets on the newest versions
	Purposes []keys.Purpose
}

// dataKeysPage shows the tenant's data keys and the progress of
// re-encrypting Rampart's stored secrets (encryption.KeyStatus, as GET
// /v1/keys/status).
func (c *Console) dataKeysPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	st, err := c.d.Encryption.KeyStatus(r.Context(), v.principal, "")
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	d := dataKeysData{Status: st, Percent: 100, Purposes: keys.Purposes()}
	if st.Secrets > 0 {
		d.Percent = st.Current * 100 / st.Secrets
	}
	c.render(w, r, v, http.StatusOK, "datakeys", page{Title: "Data keys", Active: "/console/data-keys", Data: d})
}

// rotationPurpose reads the purpose to rotate ("" for every purpose).
func rotationPurpose(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if _, ok := keys.ParsePurpose(s); !ok {
		return "", rampart.FieldError(rampart.EInvalid, "purpose", "Choose a purpose from the list.")
	}
	return s, nil
}

func (c *Console) rotateDataKeysPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	c.showRotateDataKeys(w, r, v, http.StatusOK, page{})
}

// showRotateDataKeys shows what a rotation changes before it does.
func (c *Console) showRotateDataKeys(w http.ResponseWriter, r *http.Request, v *viewer, status int, p page) {
	purpose, err := rotationPurpose(r.FormValue("purpose"))
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	what := "every purpose's data key"
	if purpose != "" {
		what = "the data key of purpose " + purpose
	}
	action := "/console/data-keys/rotate"
	if purpose != "" {
		action += "?purpose=" + purpose
	}
	p.Title, p.Active = "Rotate data keys", "/console/data-keys"
	p.Data = confirmData{Heading: "Rotate " + what + "?",
		Changes: []string{fmt.Sprintf("A new version of %s encrypts every new value from now on.", what),
			"Values encrypted under the old versions keep decrypting; Rampart re-encrypts its own stored secrets in the background (progress on the data keys page).",
			"A data_key_rotated event is written to the audit log."},
		Action: action, Submit: "Rotate", Cancel: "/console/data-keys"}
	c.render(w, r, v, status, "confirm", p)
}

// rotateDataKeys rotates the tenant's data keys (encryption.RotateKeys as
// the viewer): a dangerous action, so it needs a second factor within the
// tenant's step-up window.
func (c *Console) rotateDataKeys(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := stepUpError(r); err != nil {
		c.showRotateDataKeys(w, r, v, statusOf(err), withField(page{}, "stepup_code", rampart.ErrorMessage(err)))
		return
	}
	if err := v.principal.RequireRecentMFA(c.now()); err != nil {
		c.showRotateDataKeys(w, r, v, http.StatusUnauthorized, withField(page{StepUp: true}, "stepup_code", "Enter a code from your authenticator app to confirm."))
		return
	}
	purpose, err := rotationPurpose(r.URL.Query().Get("purpose"))
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	res, err := c.d.Encryption.RotateKeys(r.Context(), v.principal, encryption.Rotation{Purpose: purpose}, c.actor(v))
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	v.sess.setFlash(fmt.Sprintf("%d data key(s) rotated; re-encryption started.", len(res.Keys)))
	http.Redirect(w, r, "/console/data-keys", http.StatusSeeOther)
}
