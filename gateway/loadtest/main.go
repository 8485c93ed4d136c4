// Command loadtest prepares a load test of the AI gateway: it serves a
// tiny OpenAI-compatible stand-in upstream that answers at once, gives a
// running Rampart a tenant whose upstream it is (guardrails and masking on
// or off) and an API key, and writes wrk scripts that post chat
// completions through Rampart and straight to the stand-in. It then serves
// the stand-in until it is stopped. run.sh drives it; docs/benchmarks.md
// has the figures.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// answer is the stand-in's chat completion, whatever was asked.
const answer = `{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-test","choices":[{"index":0,"message":{"role":"assistant","content":"Sure, here is a short answer about the weather in the valley."},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":20,"total_tokens":30}}`

// standInKey is the provider key the stand-in expects.
const standInKey = "sk-loadtest-provider-key"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run() error {
	rampart := flag.String("rampart", "http://127.0.0.1:8080", "Rampart's base URL")
	operator := flag.String("operator-token", os.Getenv("RAMPART_OPERATOR_TOKEN"), "Rampart's operator token")
	out := flag.String("out", os.TempDir(), "directory for the wrk scripts")
	prompt := flag.Int("prompt", 4000, "bytes of the prompt (an e-mail address is appended when guarded)")
	pace := flag.Int("pace-ms", 0, "wait of each wrk connection between two requests (0: as fast as it can)")
	flag.Parse()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.Header.Get("Authorization") != "Bearer "+standInKey {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, answer)
	})}
	go srv.Serve(ln)
	upstream := "http://" + ln.Addr().String()

	c := &client{base: strings.TrimRight(*rampart, "/")}
	text := strings.Repeat("Please summarise the quarterly report for the team and list the open items. ", *prompt/70+1)[:*prompt]
	for _, mode := range []string{"passthrough", "guarded"} {
		slug := "load-" + mode + "-" + suffix()
		owner := "owner@" + slug + ".example"
		if err := c.call("POST", "/v1/tenants", *operator, map[string]any{"slug": slug, "name": "Load " + mode,
			"owner": map[string]any{"email": owner, "password": "Load-Test-Passw0rd!"}}, nil); err != nil {
			return err
		}
		var login struct {
			AccessToken string `json:"access_token"`
		}
		if err := c.call("POST", "/v1/auth/login", "", map[string]any{"tenant": slug, "email": owner, "password": "Load-Test-Passw0rd!"}, &login); err != nil {
			return err
		}
		on := mode == "guarded"
		if err := c.call("POST", "/v1/ai/upstreams", login.AccessToken, map[string]any{"name": "stand-in", "base_url": upstream + "/v1",
			"api_key": standInKey, "models": []string{"gpt-test"}, "default": true, "guardrails": on, "mask_pii": on}, nil); err != nil {
			return err
		}
		var key struct {
			Key string `json:"key"`
		}
		if err := c.call("POST", "/v1/api-keys", login.AccessToken, map[string]any{"name": "load", "role": "api_user"}, &key); err != nil {
			return err
		}
		p := "What is the weather like?"
		if on {
			p = text + " Reach me at jane.doe@example.com."
		}
		body, _ := json.Marshal(map[string]any{"model": "gpt-test", "messages": []any{map[string]any{"role": "user", "content": p}}})
		if err := script(filepath.Join(*out, mode+".lua"), key.Key, body, *pace); err != nil {
			return err
		}
		if err := script(filepath.Join(*out, "direct-"+mode+".lua"), standInKey, body, *pace); err != nil {
			return err
		}
	}
	// run.sh waits for this line.
	fmt.Printf("ready %s\n", upstream)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// script writes a wrk script posting body with key; pace, when set, makes
// each connection wait between two requests (wrk's delay()). wrk counts
// answers other than 2xx and 3xx itself ("Non-2xx or 3xx responses").
func script(path, key string, body []byte, pace int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.headers[\"Authorization\"] = %q\nwrk.body = %q\n", "Bearer "+key, string(body))
	if pace > 0 {
		fmt.Fprintf(&b, "function delay() return %d end\n", pace)
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

func suffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

type client struct{ base string }

func (c *client) call(method, path, token string, body, out any) error {
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}
