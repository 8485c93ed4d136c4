package courier

import (
	"context"
	"strings"
	"sync"
	"time"
)

// DefaultSinkSize is how many messages a Sink keeps.
const DefaultSinkSize = 1000

// Channels of a SentMessage.
const (
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// SentMessage is a message a Sink kept.
type SentMessage struct {
	Channel   string    `json:"channel"` // "email" or "sms"
	To        string    `json:"to"`      // the bare e-mail address, or the E.164 number as given
	Kind      string    `json:"kind"`
	Subject   string    `json:"subject,omitempty"`
	Text      string    `json:"text"` // the e-mail's text part, or the SMS body
	HTML      string    `json:"html,omitempty"`
	MessageID string    `json:"message_id,omitempty"`
	SentAt    time.Time `json:"sent_at"`
}

// Sink is the development Mailer and SMSSender: it keeps the last messages
// in memory, for GET /v1/dev/outbox?to=, and sends nothing. It is safe for
// concurrent use. Never wire it in production: it holds codes and links.
type Sink struct {
	mu   sync.Mutex
	ring []SentMessage
	next int  // where the next message goes
	full bool // the ring has wrapped
	now  func() time.Time
}

// NewSink returns a Sink keeping the last size messages (DefaultSinkSize when
// size <= 0); now is its clock (time.Now when nil).
func NewSink(size int, now func() time.Time) *Sink {
	if size <= 0 {
		size = DefaultSinkSize
	}
	if now == nil {
		now = time.Now
	}
	return &Sink{ring: make([]SentMessage, size), now: now}
}

// Send keeps m. The recipient is checked as the SMTP mailer would.
func (s *Sink) Send(_ context.Context, m Mail) error {
	to, err := parseAddress(m.To)
	if err != nil {
		return err
	}
	s.add(SentMessage{Channel: ChannelEmail, To: to.Address, Kind: m.Kind, Subject: m.Subject,
		Text: m.Text, HTML: m.HTML, MessageID: m.MessageID})
	return nil
}

// SendSMS keeps sms.
func (s *Sink) SendSMS(_ context.Context, sms SMS) error {
	if strings.TrimSpace(sms.To) == "" {
		return invalid("the SMS has no recipient")
	}
	s.add(SentMessage{Channel: ChannelSMS, To: sms.To, Kind: sms.Kind, Text: sms.Body, MessageID: sms.MessageID})
	return nil
}

func (s *Sink) add(m SentMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m.SentAt = s.now()
	s.ring[s.next] = m
	s.next = (s.next + 1) % len(s.ring)
	if s.next == 0 {
		s.full = true
	}
}

// Messages returns the kept messages to a recipient, oldest first; an e-mail
// address is matched without regard to case (a display name is ignored), a
// number exactly. An empty to returns every kept message.
func (s *Sink) Messages(to string) []SentMessage {
	if a, err := parseAddress(to); err == nil {
		to = a.Address
	}
	to = strings.TrimSpace(to)
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SentMessage
	start, n := 0, s.next
	if s.full {
		start, n = s.next, len(s.ring)
	}
	for i := 0; i < n; i++ {
		m := s.ring[(start+i)%len(s.ring)]
		if to == "" || strings.EqualFold(m.To, to) {
			out = append(out, m)
		}
	}
	return out
}
