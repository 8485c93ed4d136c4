package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/config"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/vault"
)

// cliStore loads the configuration (with extra subcommand flags) and opens
// the migrated database, logging to stderr.
func cliStore(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (*config.Config, *store.Store, error) {
	cfg, err := config.Load(name, args, getenv, stderr, extra)
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(ctx, cfg, newLogger(cfg, stderr))
	return cfg, st, err
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Load("rampart migrate", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "database (%s) is up to date\n", st.Dialect())
	return nil
}

func tenantCreate(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var slug, name, email string
	cfg, st, err := cliStore(ctx, "rampart tenant create", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "slug", "", "tenant slug (required)")
		fs.StringVar(&name, "name", "", "tenant display name (required)")
		fs.StringVar(&email, "owner-email", "", "owner's email (required); the password is read from RAMPART_OWNER_PASSWORD or the first line of stdin")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	master, err := masterKey(cfg, newLogger(cfg, stderr), stderr)
	if err != nil {
		return err
	}
	cliVault := vault.New(st, master, vault.Options{})
	st.SealFields(&vault.OwnFields{Fields: keys.NewFields(master), Vault: cliVault})
	st.SealSubjects(vault.SubjectFields{Vault: cliVault})
	password := getenv("RAMPART_OWNER_PASSWORD")
	if password == "" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("owner password: set RAMPART_OWNER_PASSWORD or write it on stdin")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	accounts := &identity.Accounts{Store: st, Hasher: identity.NewHasher(cfg.Argon2, 1, 1), Policy: identity.NewPasswordPolicy(), Now: time.Now}
	t, u, err := accounts.CreateTenant(ctx, identity.NewTenant{Slug: slug, Name: name, OwnerEmail: email, OwnerPassword: password},
		audit.Actor{UserAgent: "rampart-cli"})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created tenant %s (%s) with owner %s (%s)\n", t.Slug, t.ID, u.Email, u.ID)
	return nil
}

func tenantList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	_, st, err := cliStore(ctx, "rampart tenant list", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintf(stdout, "%-36s  %-24s  %-8s  %s\n", "ID", "SLUG", "STATUS", "NAME")
	return st.EachTenant(ctx, func(t *identity.Tenant) error {
		_, err := fmt.Fprintf(stdout, "%-36s  %-24s  %-8s  %s\n", t.ID, t.Slug, t.Status, t.Name)
		return err
	})
}

func auditVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	_, st, err := cliStore(ctx, "rampart audit verify", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	broken := 0
	err = st.EachTenant(ctx, func(t *identity.Tenant) error {
		var brk *audit.Break
		if err := st.ReadTenant(ctx, t.ID, func(tx *store.Tx) (err error) {
			brk, err = tx.VerifyAudit(ctx)
			return err
		}); err != nil {
			return err
		}
		if brk != nil {
			broken++
			fmt.Fprintf(stdout, "BROKEN %s: first broken link at %s\n", t.Slug, brk)
			return nil
		}
		fmt.Fprintf(stdout, "ok     %s\n", t.Slug)
		return nil
	})
	if err != nil {
		return err
	}
	if broken > 0 {
		return fmt.Errorf("audit chain broken in %d tenant(s)", broken)
	}
	return nil
}

// keysRotate rotates the token-signing key, or with --tenant that tenant's
// data keys (--purpose: one purpose; default every purpose).
func keysRotate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var tenantRef, purpose string
	cfg, st, err := cliStore(ctx, "rampart keys rotate", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&tenantRef, "tenant", "", "rotate this tenant's data keys (slug or id) instead of the signing key")
		fs.StringVar(&purpose, "purpose", "", "with --tenant: rotate only this purpose's key (email, phone, ssn, credit_card, api_keys, tokens, personal_data, pii, default)")
	})
	if err != nil {
		return err
	}
	defer st.Close()
	log := newLogger(cfg, stderr)
	master, err := masterKey(cfg, log, stderr)
	if err != nil {
		return err
	}
	if purpose != "" && tenantRef == "" {
		return errors.New("--purpose needs --tenant")
	}
	if tenantRef != "" {
		purposes := keys.Purposes()
		if purpose != "" {
			p, ok := keys.ParsePurpose(purpose)
			if !ok {
				return fmt.Errorf("unknown purpose %q", purpose)
			}
			purposes = []keys.Purpose{p}
		}
		var t *identity.Tenant
		err := st.ReadAsOperator(ctx, func(tx *store.Tx) (err error) {
			if _, perr := uuid.Parse(tenantRef); perr == nil {
				t, err = tx.Tenant(ctx, tenantRef)
			} else {
				t, err = tx.TenantBySlug(ctx, tenantRef)
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("tenant %s: %w", tenantRef, err)
		}
		v := vault.New(st, master, vault.Options{})
		own := &vault.OwnFields{Fields: keys.NewFields(master), Vault: v}
		st.SealFields(own)
		for i, p := range purposes {
			n, err := v.Rotate(ctx, t.ID, p)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "[%d/%d] %-13s now version %d\n", i+1, len(purposes), p, n)
		}
		// Re-encrypt Rampart's own secrets of the tenant, with a progress bar.
		a := newAuth(cfg, st, identity.NewHasher(cfg.Argon2, 1, 1), identity.NewPasswordPolicy(), master, v, nil, log)
		a.SetOwnFields(own)
		moved, err := a.ReencryptSecrets(ctx, t.ID, func(done, total int) {
			const width = 30
			fill := width * done / max(total, 1)
			fmt.Fprintf(stdout, "\rre-encrypting stored secrets [%s%s] %d/%d", strings.Repeat("#", fill), strings.Repeat(".", width-fill), done, total)
		})
		fmt.Fprintln(stdout)
		if err != nil {
			return fmt.Errorf("re-encryption stopped (run the command again to resume): %w", err)
		}
		fmt.Fprintf(stdout, "%d stored secrets moved to the new versions\n", moved)
		fmt.Fprintf(stdout, "tenant %s: new writes use the new versions (other servers within 30 s); old ciphertexts still decrypt, and POST /v1/crypto/rewrap moves the platform's forward\n", t.Slug)
		return nil
	}
	a := newAuth(cfg, st, identity.NewHasher(cfg.Argon2, 1, 1), identity.NewPasswordPolicy(), master, nil, nil, log)
	if err := a.LoadKeys(ctx); err != nil {
		return err
	}
	k, err := a.RotateKey(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "new signing key %s (%s); running servers pick it up within a minute\n", k.KID, k.Alg)
	return nil
}
