// Command rampart is the Rampart security server and its operator CLI.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) && !errors.Is(err, errReported) {
			fmt.Fprintln(os.Stderr, "rampart:", err)
		}
		os.Exit(1)
	}
}

// errReported means the problem was already printed in full.
var errReported = errors.New("reported")

const usage = `Usage: rampart <command> [flags]

Commands:
  serve                 run the server (default settings: SQLite in ./rampart-data, 127.0.0.1:8080)
  migrate               apply database migrations and exit
  tenant create         create a tenant and its owner (password from RAMPART_OWNER_PASSWORD or stdin)
  tenant list           list tenants
  keys rotate           create a new token-signing key (the old one stays published until its tokens expire)
  audit verify          check every tenant's audit hash chain; exit 1 at the first broken link
  privacy export        --tenant SLUG --user ID|EMAIL [--out FILE]: a subject's access export (JSON), recorded as a request
  privacy erase         --tenant SLUG --user ID|EMAIL [--yes]: erase a subject (keys destroyed, rows deleted), recorded as a request
  guard eval --data F   measure the guardrail scanners on labelled JSONL (ROC-AUC, P/R/F1 at the default verdict, TPR at FPR<=1%)
  version               print the version

Every flag has an environment variable; run 'rampart serve -h' to list them.
`

// run is the whole program; tests call it too.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errReported
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, getenv, stdout, stderr)
	case "tenant":
		if len(rest) > 0 && rest[0] == "create" {
			return tenantCreate(ctx, rest[1:], getenv, stdin, stdout, stderr)
		}
		if len(rest) > 0 && rest[0] == "list" {
			return tenantList(ctx, rest[1:], getenv, stdout, stderr)
		}
		return fmt.Errorf("usage: rampart tenant create|list [flags]")
	case "audit":
		if len(rest) > 0 && rest[0] == "verify" {
			return auditVerify(ctx, rest[1:], getenv, stdout, stderr)
		}
		return fmt.Errorf("usage: rampart audit verify [flags]")
	case "keys":
		if len(rest) > 0 && rest[0] == "rotate" {
			return keysRotate(ctx, rest[1:], getenv, stdout, stderr)
		}
		return fmt.Errorf("usage: rampart keys rotate [flags]")
	case "guard":
		if len(rest) > 0 && rest[0] == "eval" {
			return guardEval(rest[1:], stdout, stderr)
		}
		return fmt.Errorf("usage: rampart guard eval --data FILE.jsonl [--data ...]")
	case "privacy":
		if len(rest) > 0 && rest[0] == "export" {
			return privacyExport(ctx, rest[1:], getenv, stdout, stderr)
		}
		if len(rest) > 0 && rest[0] == "erase" {
			return privacyErase(ctx, rest[1:], getenv, stdin, stdout, stderr)
		}
		return fmt.Errorf("usage: rampart privacy export|erase --tenant SLUG --user ID|EMAIL [flags]")
	case "version":
		fmt.Fprintln(stdout, "rampart", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
