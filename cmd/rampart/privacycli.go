package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/privacy"
	"github.com/rampart-dev/rampart/pubsub"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/vault"
)

// privacyCLI is what export and erase share: the store with the server's
// field sealing, the vault, and the privacy services.
type privacyCLI struct {
	st       *store.Store
	requests *privacy.Requests
	tenant   *identity.Tenant
	subject  privacy.Subject
	close    func()
}

// openPrivacy opens the store and services for --tenant and --user; extra
// adds the subcommand's own flags.
func openPrivacy(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (*privacyCLI, error) {
	var tenantRef, user string
	cfg, st, err := cliStore(ctx, name, args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&tenantRef, "tenant", "", "the tenant (slug or id; required)")
		fs.StringVar(&user, "user", "", "the subject: a user id or an email (required)")
		if extra != nil {
			extra(fs)
		}
	})
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*privacyCLI, error) { st.Close(); return nil, err }
	if tenantRef == "" || user == "" {
		return fail(errors.New("--tenant and --user are required"))
	}
	master, err := masterKey(cfg, newLogger(cfg, stderr), stderr)
	if err != nil {
		return fail(err)
	}
	v := vault.New(st, master, vault.Options{})
	st.SealFields(&vault.OwnFields{Fields: keys.NewFields(master), Vault: v})
	var t *identity.Tenant
	if err := st.ReadAsOperator(ctx, func(tx *store.Tx) (err error) {
		if _, perr := uuid.Parse(tenantRef); perr == nil {
			t, err = tx.Tenant(ctx, tenantRef)
		} else {
			t, err = tx.TenantBySlug(ctx, tenantRef)
		}
		return err
	}); err != nil {
		return fail(fmt.Errorf("tenant %s: %w", tenantRef, err))
	}
	closers := []func(){func() { st.Close() }}
	// With Redis, the running servers drop their cached consent decisions
	// of an erased subject at once (otherwise within their cache TTL).
	var bus privacy.Bus
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return fail(errors.New("RAMPART_REDIS_URL is not a valid redis:// URL"))
		}
		rdb := redis.NewClient(opts)
		closers = append(closers, func() { rdb.Close() })
		bus = &pubsub.Redis{Client: rdb, Channel: pubsub.ConsentChannel}
	}
	consents := privacy.NewConsents(privacy.ConsentDeps{Store: st, Vault: v, Bus: bus, Logger: newLogger(cfg, stderr)})
	c := &privacyCLI{st: st, tenant: t, requests: &privacy.Requests{Store: st, Vault: v, Consents: consents},
		close: func() {
			for i := len(closers) - 1; i >= 0; i-- {
				closers[i]()
			}
		}}
	if strings.Contains(user, "@") {
		c.subject.Email = user
	} else {
		c.subject.UserID = user
	}
	return c, nil
}

// privacyExport writes the access export of a subject (the JSON bundle of
// GET /v1/privacy/requests/{id}/export) to --out or stdout, recorded as a
// completed access request.
func privacyExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var out string
	c, err := openPrivacy(ctx, "rampart privacy export", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "file to write the JSON bundle to (created 0600; default stdout)")
	})
	if err != nil {
		return err
	}
	defer c.close()
	bar := newProgress(stderr, "export", 4)
	defer bar.stop()
	bar.step("recording the access request")
	req, err := c.requests.Create(ctx, c.tenant.ID, privacy.NewRequest{Type: "access", Subject: c.subject, CreatedBy: "rampart-cli"})
	if err != nil {
		return err
	}
	bar.step("collecting the subject's data")
	bundle, err := c.requests.Export(ctx, c.tenant.ID, req.ID)
	if err != nil {
		return err
	}
	bar.step("encoding")
	body, err := json.MarshalIndent(bundle, "", "  ")
	if err != nil {
		return err
	}
	body = append(body, '\n')
	bar.step("writing")
	if out == "" {
		if _, err := stdout.Write(body); err != nil {
			return err
		}
	} else if err := writePrivate(out, body); err != nil {
		return err
	}
	bar.done(fmt.Sprintf("request %s: %d audit events, %d sessions, %d consent records", req.ID, len(bundle.AuditEvents), len(bundle.Sessions), len(bundle.Consents)))
	if bundle.User == nil {
		fmt.Fprintln(stderr, "note: no account matches this subject; the bundle holds nothing of theirs")
	}
	return nil
}

// writePrivate writes personal data to a new file only its owner reads.
func writePrivate(path string, body []byte) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// privacyErase erases a subject (crypto-shredding, then their rows), as a
// completed erasure request. It asks for confirmation on stdin unless
// --yes is given.
func privacyErase(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var yes bool
	c, err := openPrivacy(ctx, "rampart privacy erase", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&yes, "yes", false, "do not ask for confirmation")
	})
	if err != nil {
		return err
	}
	defer c.close()
	if !yes {
		who := c.subject.UserID + c.subject.Email
		fmt.Fprintf(stderr, "Erase %s from tenant %s? Their keys are destroyed: this cannot be undone. Type the tenant's slug to confirm: ", who, c.tenant.Slug)
		line, _ := bufio.NewReader(stdin).ReadString('\n')
		if strings.TrimSpace(line) != c.tenant.Slug {
			return errors.New("not confirmed; nothing was erased")
		}
	}
	bar := newProgress(stderr, "erase", 2)
	defer bar.stop()
	bar.step("recording the erasure request")
	req, err := c.requests.Create(ctx, c.tenant.ID, privacy.NewRequest{Type: "erasure", Subject: c.subject, CreatedBy: "rampart-cli"})
	if err != nil {
		return err
	}
	bar.step("destroying keys and deleting rows")
	res, err := c.requests.Erase(ctx, c.tenant.ID, req.ID)
	if err != nil {
		return err
	}
	bar.done("erased")
	return json.NewEncoder(stdout).Encode(res)
}

// progress shows a command's steps on stderr: on a terminal, one line
// redrawn in place, with a bar and the time the current step has taken
// (long steps keep ticking); otherwise one plain line per step, for logs.
type progress struct {
	w      io.Writer
	tty    bool
	name   string
	total  int
	n      int
	label  string
	start  time.Time
	stepAt time.Time
	mu     sync.Mutex
	quit   chan struct{}
	// finished is set by done; a bar stopped without it (an error) ends
	// its line so the error prints on its own.
	finished bool
	wg       sync.WaitGroup
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func newProgress(w io.Writer, name string, total int) *progress {
	p := &progress{w: w, tty: isTerminal(w), name: name, total: total, start: time.Now(), quit: make(chan struct{})}
	if p.tty {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			t := time.NewTicker(200 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-p.quit:
					return
				case <-t.C:
					p.mu.Lock()
					p.draw()
					p.mu.Unlock()
				}
			}
		}()
	}
	return p
}

// draw redraws the terminal line; the caller holds mu.
func (p *progress) draw() {
	const width = 24
	fill := width * max(p.n-1, 0) / max(p.total, 1)
	fmt.Fprintf(p.w, "\r\x1b[K%s [%s%s] %d/%d %s (%s)", p.name, strings.Repeat("#", fill), strings.Repeat(".", width-fill), p.n, p.total, p.label,
		time.Since(p.stepAt).Round(100*time.Millisecond))
}

func (p *progress) step(label string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	p.label, p.stepAt = label, time.Now()
	if p.tty {
		p.draw()
		return
	}
	fmt.Fprintf(p.w, "%s: step %d/%d: %s\n", p.name, p.n, p.total, label)
}

func (p *progress) done(summary string) {
	p.mu.Lock()
	p.finished = true
	p.mu.Unlock()
	p.stop()
	took := time.Since(p.start).Round(time.Millisecond)
	if p.tty {
		fmt.Fprintf(p.w, "\r\x1b[K%s [%s] done in %s: %s\n", p.name, strings.Repeat("#", 24), took, summary)
		return
	}
	fmt.Fprintf(p.w, "%s: done in %s: %s\n", p.name, took, summary)
}

// stop ends the redrawing; safe to call more than once.
func (p *progress) stop() {
	p.mu.Lock()
	select {
	case <-p.quit:
	default:
		close(p.quit)
		if p.tty && !p.finished {
			fmt.Fprintln(p.w)
		}
	}
	p.mu.Unlock()
	p.wg.Wait()
}
