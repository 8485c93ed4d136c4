package courier

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// SMTP time limits.
const (
	DefaultDialTimeout = 10 * time.Second // TCP connect and, for smtps, the TLS handshake
	DefaultSendTimeout = 60 * time.Second // one whole send, from dial to QUIT
)

// SMTPConfig configures an SMTPMailer.
type SMTPConfig struct {
	// URL is smtp://user:pass@host:587 (STARTTLS, port 587 by default) or
	// smtps://user:pass@host:465 (implicit TLS, port 465 by default). The
	// user and password are optional and percent-encoded.
	URL string
	// From is the sender, e.g. "Rampart <no-reply@example.com>"
	// (RAMPART_MAIL_FROM).
	From        string
	HeloName    string        // the name sent in EHLO; "localhost" when empty
	DialTimeout time.Duration // DefaultDialTimeout when zero
	SendTimeout time.Duration // DefaultSendTimeout when zero
	TLSConfig   *tls.Config   // cloned; ServerName is set to the URL's host; nil means system roots, TLS 1.2 at least
	Now         func() time.Time

	// dial replaces the network dial in tests, so that a mailer configured
	// for a remote host name can talk to a local server.
	dial func(ctx context.Context, address string) (net.Conn, error)
}

// SMTPMailer sends mail through one relay, one connection per message. It is
// safe for concurrent use.
//
// It uses net/smtp: the package is frozen but correct, does STARTTLS and
// AUTH, and needs no dependency; what it lacks (contexts, a plaintext policy
// for all of 127.0.0.0/8) is done here.
type SMTPMailer struct {
	host, port  string
	implicitTLS bool
	user        string
	password    []byte
	from        *mail.Address
	cfg         SMTPConfig
}

// NewSMTPMailer checks cfg and returns a mailer. It does not connect. Errors
// never repeat the URL, which holds the password.
func NewSMTPMailer(cfg SMTPConfig) (*SMTPMailer, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, errors.New("courier: the SMTP URL cannot be parsed")
	}
	m := &SMTPMailer{cfg: cfg, host: u.Hostname(), port: u.Port()}
	switch u.Scheme {
	case "smtp":
		if m.port == "" {
			m.port = "587"
		}
	case "smtps":
		m.implicitTLS = true
		if m.port == "" {
			m.port = "465"
		}
	default:
		return nil, errors.New("courier: the SMTP URL must start with smtp:// or smtps://")
	}
	if m.host == "" {
		return nil, errors.New("courier: the SMTP URL has no host")
	}
	if n, err := strconv.Atoi(m.port); err != nil || n <= 0 || n > 65535 {
		return nil, errors.New("courier: the SMTP URL's port is not valid")
	}
	if u.User != nil {
		m.user = u.User.Username()
		p, _ := u.User.Password()
		m.password = []byte(p)
	}
	if m.from, err = parseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("courier: the From address: %w", err)
	}
	if m.cfg.HeloName == "" {
		m.cfg.HeloName = "localhost"
	}
	if m.cfg.DialTimeout <= 0 {
		m.cfg.DialTimeout = DefaultDialTimeout
	}
	if m.cfg.SendTimeout <= 0 {
		m.cfg.SendTimeout = DefaultSendTimeout
	}
	if m.cfg.Now == nil {
		m.cfg.Now = time.Now
	}
	return m, nil
}

// plaintextAllowed reports whether a session with host may go without TLS:
// only when it cannot leave the machine (localhost, 127.0.0.0/8, ::1).
func plaintextAllowed(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// Send delivers m. STARTTLS is required unless the relay is on loopback;
// AUTH PLAIN is used only over TLS or on loopback. The context and the send
// timeout bound the whole exchange.
func (s *SMTPMailer) Send(ctx context.Context, m Mail) error {
	env, err := buildMessage(s.from, m, s.cfg.Now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.SendTimeout)
	defer cancel()
	err = s.send(ctx, env)
	if err != nil && ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &Error{Class: ClassTimeout, Retryable: true, Err: ctx.Err()}
		}
		return &Error{Class: ClassCanceled, Retryable: true, Err: ctx.Err()}
	}
	return err
}

func (s *SMTPMailer) send(ctx context.Context, env envelope) error {
	conn, err := s.dial(ctx)
	if err != nil {
		return connectionError(err)
	}
	defer conn.Close()
	// net/smtp has no contexts: a deadline bounds each read and write, and
	// canceling ctx closes the connection under it.
	if d, ok := ctx.Deadline(); ok {
		conn.SetDeadline(d)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return replyError(err)
	}
	defer c.Close()
	if err := c.Hello(s.cfg.HeloName); err != nil {
		return replyError(err)
	}
	tlsOn := s.implicitTLS
	if !tlsOn {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tlsConfig()); err != nil {
				return replyError(err)
			}
			tlsOn = true
		} else if !plaintextAllowed(s.host) {
			return &Error{Class: ClassNoSTARTTLS, Retryable: true,
				Err: errors.New("the server does not offer STARTTLS and is not on loopback")}
		}
	}
	if s.user != "" {
		if ok, mechs := c.Extension("AUTH"); !ok || !hasWord(mechs, "PLAIN") {
			return &Error{Class: ClassAuth, Retryable: true, Err: errors.New("the server does not offer AUTH PLAIN")}
		}
		if err := c.Auth(&plainAuth{user: s.user, password: s.password, tls: tlsOn, host: s.host}); err != nil {
			var e *Error
			if errors.As(err, &e) {
				return e
			}
			var tp *textproto.Error
			if errors.As(err, &tp) {
				return &Error{Class: ClassAuth, Code: tp.Code, Retryable: true, Err: tp}
			}
			return connectionError(err)
		}
	}
	if err := c.Mail(env.from); err != nil {
		return replyError(err)
	}
	if err := c.Rcpt(env.to); err != nil {
		return replyError(err)
	}
	w, err := c.Data()
	if err != nil {
		return replyError(err)
	}
	if _, err := w.Write(env.data); err != nil {
		return replyError(err)
	}
	if err := w.Close(); err != nil {
		return replyError(err)
	}
	// The message is accepted once DATA's reply is 250; a failed QUIT does
	// not make it unsent.
	_ = c.Quit()
	return nil
}

func (s *SMTPMailer) dial(ctx context.Context) (net.Conn, error) {
	address := net.JoinHostPort(s.host, s.port)
	dctx, cancel := context.WithTimeout(ctx, s.cfg.DialTimeout)
	defer cancel()
	var conn net.Conn
	var err error
	if s.cfg.dial != nil {
		conn, err = s.cfg.dial(dctx, address)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(dctx, "tcp", address)
	}
	if err != nil || !s.implicitTLS {
		return conn, err
	}
	tc := tls.Client(conn, s.tlsConfig())
	if err := tc.HandshakeContext(dctx); err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}

func (s *SMTPMailer) tlsConfig() *tls.Config {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.cfg.TLSConfig != nil {
		c = s.cfg.TLSConfig.Clone()
	}
	c.ServerName = s.host
	return c
}

func hasWord(list, word string) bool {
	for _, w := range strings.Fields(list) {
		if strings.EqualFold(w, word) {
			return true
		}
	}
	return false
}

// replyError classes an error of the SMTP exchange: a reply code of 5xx is
// permanent, 4xx retryable; anything else is the connection's fault.
func replyError(err error) error {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return &Error{Class: "smtp_" + strconv.Itoa(tp.Code), Code: tp.Code, Retryable: tp.Code < 500, Err: tp}
	}
	return connectionError(err)
}

func connectionError(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &Error{Class: ClassTimeout, Retryable: true, Err: err}
	}
	return &Error{Class: ClassConnection, Retryable: true, Err: err}
}

// plainAuth is RFC 4616 PLAIN with this package's rule for when it may be
// sent in clear: net/smtp's own PlainAuth knows only "localhost", 127.0.0.1
// and ::1 by name.
type plainAuth struct {
	user     string
	password []byte
	tls      bool
	host     string
}

func (a *plainAuth) Start(_ *smtp.ServerInfo) (string, []byte, error) {
	if !a.tls && !plaintextAllowed(a.host) {
		return "", nil, &Error{Class: ClassAuth, Retryable: true, Err: errors.New("refusing AUTH PLAIN without TLS")}
	}
	resp := make([]byte, 0, 2+len(a.user)+len(a.password))
	resp = append(resp, 0)
	resp = append(resp, a.user...)
	resp = append(resp, 0)
	resp = append(resp, a.password...)
	return "PLAIN", resp, nil
}

func (a *plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected server challenge")
	}
	return nil, nil
}
