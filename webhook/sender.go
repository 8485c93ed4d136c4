package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"
	"time"
)

// Sender limits and identity.
const (
	DefaultTimeout           = 10 * time.Second // whole attempt: dial, TLS, request, response headers and the read below
	DefaultMaxResponseRead   = 4 << 10          // bytes of a response body read (and discarded) before closing
	DefaultMaxResponseHeader = 64 << 10         // bytes of response headers accepted
	UserAgent                = "Rampart-Webhooks/1"
)

// Resolver turns a host name into addresses; *net.Resolver is one. Tests
// pass their own to play DNS rebinding.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Config builds a Sender. The zero value is a production sender: 10 s
// timeout, private addresses refused, the system resolver and roots.
type Config struct {
	Timeout         time.Duration    // per attempt; DefaultTimeout when zero
	MaxResponseRead int64            // DefaultMaxResponseRead when zero
	AllowPrivate    bool             // deliver to loopback and private ranges (development, tests)
	RequireHTTPS    bool             // refuse http:// URLs at send time too
	Resolver        Resolver         // net.DefaultResolver when nil
	TLSConfig       *tls.Config      // cloned; nil means system roots, TLS 1.2 at least
	Now             func() time.Time // the signing clock; time.Now when nil
}

// Delivery is one attempt to deliver one message.
type Delivery struct {
	// ID is the outbox message ID, sent as webhook-id. It must stay the
	// same across retries: receivers dedupe on it.
	ID string
	// URL is the registered endpoint.
	URL string
	// Secrets are the HMAC keys (from ParseSecret), the current first; during a
	// rotation pass the previous one too and the receiver may use either.
	Secrets [][]byte
	// Body is the JSON payload, signed and sent byte for byte.
	Body []byte
}

// Result describes an attempt for the admin's delivery log.
type Result struct {
	StatusCode int           // HTTP status, 0 when no response came
	Class      string        // "" when delivered; else see Error.Class
	Retryable  bool          // whether a later attempt may succeed
	Duration   time.Duration // time spent on the attempt
}

// Error is a failed attempt. Its text names the class and the cause but
// never the URL (which may carry a token) nor a secret.
type Error struct {
	// Class is short, for the admin: "timeout", "connection", "canceled",
	// "http_<status>" (any non-2xx, 3xx included since redirects are not
	// followed), "refused_address", "invalid_url" or "invalid_delivery"
	// (no ID or no secret: a bug in the caller).
	Class      string
	StatusCode int
	// Retryable follows Standard Webhooks and Svix: every failure is retried
	// except what can never work (refused_address, invalid_url,
	// invalid_delivery).
	Retryable bool
	Err       error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return "webhook: " + e.Class
	}
	return "webhook: " + e.Class + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// errRefused is what the dialer returns for an address outside the public
// Internet; Send reports it as refused_address.
var errRefused = errors.New("address not allowed")

// Sender posts signed deliveries. It is safe for concurrent use.
type Sender struct {
	client  *http.Client
	cfg     Config
	maxRead int64
	now     func() time.Time
}

// NewSender returns a Sender for cfg. Redirects are not followed, no proxy is
// used (environment variables included: a proxy would resolve names where
// the address check cannot see), and when AllowPrivate is false every address
// is checked at dial time, after resolution, so DNS rebinding cannot reach
// an internal service.
func NewSender(cfg Config) *Sender {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	maxRead := cfg.MaxResponseRead
	if maxRead <= 0 {
		maxRead = DefaultMaxResponseRead
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	var resolver Resolver = net.DefaultResolver
	if cfg.Resolver != nil {
		resolver = cfg.Resolver
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLSConfig != nil {
		tlsConfig = cfg.TLSConfig.Clone()
	}
	d := &dialer{
		resolver:     resolver,
		allowPrivate: cfg.AllowPrivate,
		net: net.Dialer{
			Timeout: cfg.Timeout,
			// Control sees the address actually connected to: a last check
			// even if a path around dialer.dial is ever added.
			Control: func(_, address string, _ syscall.RawConn) error {
				if cfg.AllowPrivate {
					return nil
				}
				ap, err := netip.ParseAddrPort(address)
				if err != nil || !PublicAddress(ap.Addr()) {
					return errRefused
				}
				return nil
			},
		},
	}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            d.dial,
		TLSClientConfig:        tlsConfig,
		TLSHandshakeTimeout:    cfg.Timeout,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: DefaultMaxResponseHeader,
		ResponseHeaderTimeout:  cfg.Timeout,
	}
	client := &http.Client{
		Transport: transport,
		Timeout:   cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return &Sender{client: client, cfg: cfg, maxRead: maxRead, now: now}
}

// Send makes one attempt to deliver d: a POST with the JSON body and the
// three Standard Webhooks headers, signed at the current time. It returns a
// nil error only for a 2xx response; otherwise the error is an *Error whose
// class and retryability the Result repeats. The response body is read up
// to the configured limit and discarded.
func (s *Sender) Send(ctx context.Context, d Delivery) (Result, error) {
	start := time.Now()
	res, err := s.send(ctx, d)
	res.Duration = time.Since(start)
	var e *Error
	if errors.As(err, &e) {
		res.Class, res.Retryable, res.StatusCode = e.Class, e.Retryable, e.StatusCode
	}
	return res, err
}

func (s *Sender) send(ctx context.Context, d Delivery) (Result, error) {
	if class, msg := checkURL(d.URL, s.cfg.RequireHTTPS, s.cfg.AllowPrivate); class != "" {
		return Result{}, &Error{Class: class, Err: errors.New(msg)}
	}
	if d.ID == "" || len(d.Secrets) == 0 {
		return Result{}, &Error{Class: ClassInvalidDelivery, Err: errors.New("delivery without an ID or a secret")}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return Result{}, &Error{Class: ClassInvalidURL, Err: errors.New("the URL cannot be used")}
	}
	ts := s.now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set(HeaderID, d.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set(HeaderSignature, SignatureHeader(d.Secrets, d.ID, ts, d.Body))

	resp, err := s.client.Do(req)
	if err != nil {
		return Result{}, classify(ctx, err)
	}
	// Drain a little so a small reply does not reset the connection, but
	// never store or log it: a receiver's body is not ours to keep.
	_, _ = io.CopyN(io.Discard, resp.Body, s.maxRead)
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return Result{StatusCode: resp.StatusCode}, nil
	}
	return Result{StatusCode: resp.StatusCode}, &Error{
		Class:      classHTTPStatusPrefix + strconv.Itoa(resp.StatusCode),
		StatusCode: resp.StatusCode,
		Retryable:  true,
		Err:        fmt.Errorf("receiver answered %d", resp.StatusCode),
	}
}

// classify turns a client error into an *Error. The *url.Error that
// http.Client returns is unwrapped first: its text holds the URL.
func classify(ctx context.Context, err error) *Error {
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		cause = ue.Err
	}
	var ne net.Error
	switch {
	case errors.Is(err, errRefused):
		return &Error{Class: ClassRefusedAddress, Err: errRefused}
	case ctx.Err() == context.Canceled:
		return &Error{Class: ClassCanceled, Retryable: true, Err: context.Canceled}
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return &Error{Class: ClassTimeout, Retryable: true, Err: cause}
	default:
		return &Error{Class: ClassConnection, Retryable: true, Err: cause}
	}
}

// dialer resolves names itself so that it can check every address before
// connecting to it.
type dialer struct {
	resolver     Resolver
	allowPrivate bool
	net          net.Dialer
}

func (d *dialer) dial(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, err
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ips, err = d.resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
	}
	var firstErr error
	for _, ip := range ips {
		if !d.allowPrivate && !PublicAddress(ip) {
			if firstErr == nil {
				firstErr = errRefused
			}
			continue
		}
		conn, err := d.net.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil || firstErr == errRefused {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("no address for host")
	}
	return nil, firstErr
}
