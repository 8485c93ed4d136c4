package privacy

import (
	"archive/zip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/store"
)

// exportSection is one part of the access export: the columns of one of
// Rampart's tables it shows about the subject. Columns the registry
// withholds (secrets, hashes) are not read; the export says only that they
// exist (an authenticator enrolled, a password set).
type exportSection struct {
	Name    string
	Table   string
	Columns []string
}

// exportPlan is what the access export reads, in the bundle's order.
// TestExportPlanCoversRegistry keeps it and Rampart in step.
var exportPlan = []exportSection{
	{"user", "users", []string{"email", "email_verified_at", "attributes"}},
	{"sessions", "sessions", []string{"ip_address", "user_agent", "device_id"}},
	{"mfa", "mfa_channels", []string{"target"}},
	{"api_keys", "api_keys", []string{"name"}},
	{"consents", "consents", []string{"address", "user_agent"}},
	{"audit_events", "audit_events", []string{"user_id", "ip_address", "user_agent", "details"}},
	{"incidents", "incidents", []string{"subject_user", "subject_ip"}},
	{"ai_usage", "ai_usage", []string{"user_id"}},
}

// ExportLinkTTL is how long a one-time export link stays valid.
const ExportLinkTTL = 15 * time.Minute

// ExportLink is a one-time link to an export's zip: a bearer secret, shown
// once; the store keeps only its hash.
type ExportLink struct {
	Path      string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

func exportTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateExportLink makes a one-time link to the zip of an access or
// portability request, valid ExportLinkTTL. The token names its tenant
// (a uuid, then 32 random bytes) so that redeeming it needs no login.
func (s *Requests) CreateExportLink(ctx context.Context, tenantID, id string) (*ExportLink, error) {
	p, err := s.openRequest(ctx, tenantID, id, "access", "portability")
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	token := tenantID + "." + base64.RawURLEncoding.EncodeToString(secret)
	now := s.now()
	link := &ExportLink{Path: "/v1/privacy/exports/" + token, ExpiresAt: now.Add(ExportLinkTTL)}
	err = s.Store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
		return tx.AddPrivacyExport(ctx, exportTokenHash(token), p.ID, now, link.ExpiresAt)
	})
	if err != nil {
		return nil, err
	}
	return link, nil
}

// RedeemExport spends a link and builds its bundle as it is now. Every
// failure (malformed, unknown, used, expired) is the same not found.
func (s *Requests) RedeemExport(ctx context.Context, token string) (*Bundle, error) {
	notFound := rampart.Errorf(rampart.ENotFound, "this export link does not exist, was used or has expired")
	tenantID, _, ok := strings.Cut(token, ".")
	if !ok || len(token) > 128 || uuid.Validate(tenantID) != nil {
		return nil, notFound
	}
	var requestID string
	err := s.Store.InTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		requestID, err = tx.UsePrivacyExport(ctx, exportTokenHash(token), s.now())
		return err
	})
	if err != nil {
		if rampart.ErrorCode(err) == rampart.ENotFound {
			return nil, notFound
		}
		return nil, err
	}
	return s.Export(ctx, tenantID, requestID)
}

// WriteZip writes the bundle as a zip: bundle.json (the whole bundle) and
// one CSV per section, for people and spreadsheets.
func WriteZip(w io.Writer, b *Bundle) error {
	z := zip.NewWriter(w)
	f, err := z.Create("bundle.json")
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if err := enc.Encode(b); err != nil {
		return err
	}
	csvFile := func(name string, header []string, rows [][]string) error {
		f, err := z.Create(name)
		if err != nil {
			return err
		}
		c := csv.NewWriter(f)
		if err := c.Write(header); err != nil {
			return err
		}
		if err := c.WriteAll(rows); err != nil {
			return err
		}
		return c.Error()
	}
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	tp := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return ts(*t)
	}
	var rows [][]string
	if u := b.User; u != nil {
		attrs, _ := json.Marshal(u.Attributes)
		rows = append(rows, []string{u.ID, u.Email, u.Role, u.Status, strconv.FormatBool(u.PasswordSet), string(attrs), ts(u.CreatedAt), ts(u.UpdatedAt)})
	}
	if err := csvFile("user.csv", []string{"id", "email", "role", "status", "password_set", "attributes", "created_at", "updated_at"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, s := range b.Sessions {
		rows = append(rows, []string{s.ID, ts(s.CreatedAt), ts(s.LastActivity), s.IPAddress, s.UserAgent, s.DeviceID, strconv.FormatBool(s.Active), tp(s.EndedAt)})
	}
	if err := csvFile("sessions.csv", []string{"id", "created_at", "last_activity", "ip_address", "user_agent", "device_id", "active", "ended_at"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, k := range b.APIKeys {
		rows = append(rows, []string{k.ID, k.Name, k.Role, ts(k.CreatedAt), tp(k.LastUsedAt), tp(k.RevokedAt)})
	}
	if err := csvFile("api_keys.csv", []string{"id", "name", "role", "created_at", "last_used_at", "revoked_at"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for _, c := range b.Consents {
		rows = append(rows, []string{c.ID, c.Purpose, strconv.FormatBool(c.Granted), c.PolicyVersion, c.Method, c.Address, c.UserAgent, ts(c.RecordedAt)})
	}
	if err := csvFile("consents.csv", []string{"id", "purpose", "granted", "policy_version", "method", "address", "user_agent", "recorded_at"}, rows); err != nil {
		return err
	}
	rows = make([][]string, 0, len(b.AuditEvents))
	for _, e := range b.AuditEvents {
		details := ""
		if len(e.Details) > 0 {
			d, _ := json.Marshal(e.Details)
			details = string(d)
		}
		rows = append(rows, []string{strconv.FormatInt(e.Seq, 10), e.Type, ts(e.CreatedAt), e.IPAddress, e.UserAgent, e.Resource, strconv.FormatBool(e.Success), details})
	}
	if err := csvFile("audit_events.csv", []string{"seq", "type", "created_at", "ip_address", "user_agent", "resource", "success", "details"}, rows); err != nil {
		return err
	}
	return z.Close()
}
