package upload

import (
	"bytes"
	"context"
	"mime/multipart"
	"testing"

	"github.com/rampart-dev/rampart/audit"
)

type events []*audit.Event

func (e *events) Audit(_ context.Context, _ string, evs ...*audit.Event) { *e = append(*e, evs...) }

// TestValidatedUploadsAreRecorded: every validated file, valid or not, is one
// file_upload event; a body that is no form records nothing.
func TestValidatedUploadsAreRecorded(t *testing.T) {
	var rec events
	s := NewService(Policy{}, &rec)
	form := func(name string, content []byte) (string, *bytes.Buffer) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(content)
		w.Close()
		return w.FormDataContentType(), &b
	}
	actor := audit.Actor{UserID: "u1", IP: "192.0.2.1", UserAgent: "test"}
	for _, c := range []struct {
		name    string
		content []byte
		valid   bool
	}{
		{"notes.txt", []byte("plain text"), true},
		{"run.exe", []byte("MZ\x90\x00"), false},
	} {
		ct, body := form(c.name, c.content)
		res, err := s.Validate(context.Background(), "t1", actor, ct, body)
		if err != nil || res.Valid != c.valid {
			t.Fatalf("%s: %+v %v", c.name, res, err)
		}
		e := rec[len(rec)-1]
		if e.Type != audit.FileUpload || e.Success != c.valid || e.UserID != "u1" || e.IP != actor.IP || e.Resource != "file:"+res.SHA256 {
			t.Fatalf("%s: event %+v", c.name, e)
		}
	}
	if _, err := s.Validate(context.Background(), "t1", actor, "text/plain", bytes.NewReader(nil)); err == nil || len(rec) != 2 {
		t.Fatalf("no form: %v, %d events", err, len(rec))
	}
}
