package courier

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// HeaderMessageID carries the outbox message ID so that a receiver, or the
// relay, can drop a duplicate of a retried message.
const HeaderMessageID = "X-Rampart-Message-Id"

// MaxMessageIDLength bounds Mail.MessageID and SMS.MessageID.
const MaxMessageIDLength = 128

// envelope is a built message and the bare addresses the SMTP envelope needs.
type envelope struct {
	from, to string
	data     []byte
}

// buildMessage turns m into an RFC 5322 message: multipart/alternative with
// a text and an HTML part (or only the text), UTF-8, quoted-printable, headers
// encoded per RFC 2047. Every header value is either parsed and re-encoded or
// checked, so nothing in m can add a header.
func buildMessage(from *mail.Address, m Mail, now time.Time) (envelope, error) {
	to, err := parseAddress(m.To)
	if err != nil {
		return envelope{}, err
	}
	if m.MessageID != "" && !safeToken(m.MessageID) {
		return envelope{}, invalid("the message ID must be printable ASCII without spaces, at most %d characters", MaxMessageIDLength)
	}
	if m.Text == "" {
		return envelope{}, invalid("the message has no text")
	}
	sender := *from
	if m.FromName != "" {
		sender.Name = oneLine(m.FromName, 100)
	}
	_, domain, _ := strings.Cut(from.Address, "@")

	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", sender.String())
	header("To", to.String())
	header("Subject", encodeHeader(oneLine(m.Subject, MaxSubjectLength)))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", messageID(m.MessageID, domain))
	if m.MessageID != "" {
		header(HeaderMessageID, m.MessageID)
	}
	// RFC 3834: no vacation replies or loops from automatic responders.
	header("Auto-Submitted", "auto-generated")
	header("MIME-Version", "1.0")

	if m.HTML == "" {
		header("Content-Type", "text/plain; charset=utf-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, m.Text); err != nil {
			return envelope{}, err
		}
		return envelope{from: from.Address, to: to.Address, data: b.Bytes()}, nil
	}
	mw := multipart.NewWriter(&b) // a random boundary from crypto/rand
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")
	// Plain text first: the last alternative is the preferred one (RFC 2046 §5.1.4).
	for _, part := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return envelope{}, err
		}
		if err := writeQP(w, part.body); err != nil {
			return envelope{}, err
		}
	}
	if err := mw.Close(); err != nil {
		return envelope{}, err
	}
	b.WriteString("\r\n")
	return envelope{from: from.Address, to: to.Address, data: b.Bytes()}, nil
}

// encodeHeader encodes s per RFC 2047 and folds between encoded words, so
// that a long non-ASCII subject keeps within the 998-octet line limit.
func encodeHeader(s string) string {
	return strings.ReplaceAll(mime.QEncoding.Encode("utf-8", s), "?= =?", "?=\r\n =?")
}

type writer interface{ Write([]byte) (int, error) }

func writeQP(w writer, s string) error {
	qp := quotedprintable.NewWriter(w) // text mode: line breaks become CRLF
	if _, err := qp.Write([]byte(s)); err != nil {
		return err
	}
	return qp.Close()
}

// parseAddress parses one recipient. The address itself must be ASCII: a
// UTF-8 mailbox needs SMTPUTF8, which relays do not all offer, and the
// mailer would rather fail at once than bounce later.
func parseAddress(s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, invalid("the address contains a line break")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, invalid("the address is not valid")
	}
	for _, r := range a.Address {
		if r > 0x7e || r < 0x21 {
			return nil, invalid("the address must be ASCII")
		}
	}
	if !strings.Contains(a.Address, "@") {
		return nil, invalid("the address has no domain")
	}
	return a, nil
}

// safeToken reports whether s can stand in a header and a Message-ID as it is.
func safeToken(s string) bool {
	if len(s) == 0 || len(s) > MaxMessageIDLength {
		return false
	}
	for _, r := range s {
		if r <= 0x20 || r > 0x7e || strings.ContainsRune(`<>()[]\,;:"@`, r) {
			return false
		}
	}
	return true
}

// messageID derives the Message-ID from the outbox ID, so that a retry of the
// same message has the same Message-ID, or draws a random one.
func messageID(id, domain string) string {
	if domain == "" {
		domain = "rampart.invalid"
	}
	if id == "" {
		var r [16]byte
		rand.Read(r[:]) // never fails (crypto/rand)
		id = hex.EncodeToString(r[:])
	}
	return "<" + id + "@" + domain + ">"
}
