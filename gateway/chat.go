package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/guard"
	"github.com/rampart-dev/rampart/store"
)

func newID() string { return uuid.NewString() }

// message is one chat message, its unknown fields kept.
type message map[string]json.RawMessage

func (m message) role() string {
	r, _ := decodeString(m["role"])
	return r
}

// errNotText is content whose text is not a JSON string.
var errNotText = errors.New("gateway: content text is not a string")

// texts calls fn with each text of the message's content (a string, or the
// text parts of a list) and stores what fn returns in its place; changed
// says whether anything was replaced.
func (m message) texts(fn func(string) (string, error)) (changed bool, err error) {
	raw, ok := m["content"]
	if !ok || len(raw) == 0 || string(raw) == "null" {
		return false, nil
	}
	if raw[0] == '"' {
		s, ok := decodeString(raw)
		if !ok {
			return false, errNotText
		}
		out, err := fn(s)
		if err != nil || out == s {
			return false, err
		}
		m["content"], _ = json.Marshal(out)
		return true, nil
	}
	var parts []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil {
		return false, err
	}
	for _, p := range parts {
		if typ, _ := decodeString(p["type"]); typ != "text" {
			continue
		}
		text, ok := decodeString(p["text"])
		if !ok {
			return false, errNotText
		}
		out, err := fn(text)
		if err != nil {
			return false, err
		}
		if out != text {
			p["text"], _ = json.Marshal(out)
			changed = true
		}
	}
	// Re-joined even when unchanged: a part with a key twice goes on with
	// the value that was read (the last), whatever the reader after us
	// keeps of duplicates.
	m["content"] = appendObjects(nil, parts)
	return changed, nil
}

// sourceOf is the guardrail source of a message's role; "" for the
// operator's own messages (system, developer), which are not scanned as
// input.
func sourceOf(role string) guard.Source {
	switch role {
	case "user":
		return guard.SourceUser
	case "tool", "function":
		return guard.SourceTool
	case "system", "developer":
		return ""
	}
	// Earlier assistant turns are written by the caller too.
	return guard.SourceUser
}

// outputScanners are the guardrails of an answer: what it must not say
// (injection is about instructions to a model, not a model's words).
var outputScanners = []guard.Scanner{guard.Toxicity, guard.Leakage, guard.PII, guard.Secrets}

// exchange is one request on its way through the gateway.
type exchange struct {
	caller   Caller
	endpoint string
	body     map[string]json.RawMessage
	model    string // the public name asked for
	route    *route
	stream   bool
	wantUse  bool // the client asked for the usage chunk
	system   string
	masks    *masking
	inTokens int64
	maxOut   int64
	res      *Reservation
	started  time.Time
	usage    store.AIUsage
	rawLen   int // of the caller's body
}

// set replaces a field of the request's body.
func (x *exchange) set(k string, v []byte) { x.body[k] = v }

// encode is the body to send upstream: its fields re-joined as they were
// read, not re-encoded (encoding/json would check and compact each again).
// The caller's bytes are never sent as they came: a key given twice is
// sent once, with the value the gateway read and scanned (the last),
// whichever of the two the provider's parser would keep.
func (x *exchange) encode() []byte {
	return appendObject(make([]byte, 0, x.rawLen+64), x.body)
}

// parse reads an OpenAI request body.
func (s *Service) parse(ctx context.Context, c Caller, endpoint string, body []byte) (*exchange, error) {
	x := &exchange{caller: c, endpoint: endpoint, started: s.now(), masks: newMasking(), rawLen: len(body)}
	if err := json.Unmarshal(body, &x.body); err != nil || x.body == nil {
		return nil, openAIError(rampart.EInvalid, "invalid_json", "We could not parse the JSON body of your request: it must be a JSON object.", nil)
	}
	if err := json.Unmarshal(x.body["model"], &x.model); err != nil || x.model == "" {
		return nil, openAIError(rampart.EInvalid, "invalid_request", "you must provide a model parameter", map[string]any{"param": "model"})
	}
	r, err := s.resolve(ctx, c.TenantID, x.model)
	if err != nil {
		return nil, err
	}
	x.route = r
	x.usage = store.AIUsage{KeyID: c.KeyID, UserID: c.UserID, Endpoint: endpoint, Model: x.model, Upstream: r.up.Name}
	return x, nil
}

// guarded reports whether the exchange runs the guardrails.
func (x *exchange) guarded() bool { return x.route.up.Guardrail }

// blocked is the 400 content_filter answer naming the scanner that blocked.
func blocked(res *guard.Result, where string) *rampart.Error {
	scanner := "guard"
	if len(res.Blocking) > 0 {
		scanner = string(res.Blocking[0])
	}
	return openAIError(rampart.EInvalid, CodeContentFilter,
		fmt.Sprintf("The %s was blocked by the %s guardrail.", where, scanner), map[string]any{"scanner": scanner})
}

// scanInput runs the input guardrails over the texts of messages and
// returns the strongest verdict; a block is an error.
func (s *Service) scanInput(ctx context.Context, x *exchange, texts []sourced) error {
	x.usage.InputVerdict = string(guard.Allow)
	if !x.guarded() {
		x.usage.InputVerdict = ""
		return nil
	}
	for _, t := range texts {
		if strings.TrimSpace(t.text) == "" {
			continue
		}
		res, err := s.guard.Scan(ctx, x.caller.TenantID, x.caller.Actor, guard.Request{Text: t.text, Source: t.source})
		if err != nil {
			return err
		}
		switch res.Verdict {
		case guard.Block:
			x.usage.InputVerdict = string(guard.Block)
			return blocked(res, "request")
		case guard.Flag:
			x.usage.InputVerdict = string(guard.Flag)
		}
	}
	return nil
}

// sourced is a text with its guardrail source.
type sourced struct {
	text   string
	source guard.Source
}

// prepareChat scans and masks the messages and reserves the budget.
func (s *Service) prepareChat(ctx context.Context, x *exchange) error {
	var msgs []message
	if err := json.Unmarshal(x.body["messages"], &msgs); err != nil || len(msgs) == 0 {
		return openAIError(rampart.EInvalid, "invalid_request", "messages must be a non-empty array of message objects", map[string]any{"param": "messages"})
	}
	limit, setting := s.cfg.MaxMessages, "the deployment's limit"
	if s.limits != nil {
		n, err := s.limits.MaxMessages(ctx, x.caller.TenantID)
		if err != nil {
			return err
		}
		if n > 0 {
			limit, setting = n, "the tenant's setting ai.max_messages"
		}
	}
	if len(msgs) > limit {
		return openAIError(rampart.EInvalid, "invalid_request", fmt.Sprintf("messages holds %d messages; at most %d are allowed (%s)", len(msgs), limit, setting), map[string]any{"param": "messages"})
	}
	var inputs []sourced
	var system []string
	for i, m := range msgs {
		if m == nil {
			return openAIError(rampart.EInvalid, "invalid_request", fmt.Sprintf("messages[%d] must be an object", i), map[string]any{"param": fmt.Sprintf("messages[%d]", i)})
		}
		role := m.role()
		src := sourceOf(role)
		_, err := m.texts(func(t string) (string, error) {
			x.inTokens += int64(len(t))
			if src == "" {
				system = append(system, t)
			} else {
				inputs = append(inputs, sourced{t, src})
			}
			return t, nil
		})
		if err != nil {
			return openAIError(rampart.EInvalid, "invalid_request", fmt.Sprintf("messages[%d].content must be a string or a list of parts", i), map[string]any{"param": fmt.Sprintf("messages[%d].content", i)})
		}
		x.inTokens += 8 // the message's framing
	}
	x.system = strings.Join(system, "\n")
	if err := s.scanInput(ctx, x, inputs); err != nil {
		return err
	}
	if x.route.up.MaskPII {
		for _, m := range msgs {
			if sourceOf(m.role()) == "" {
				continue // the operator's own prompt goes as written
			}
			m.texts(func(t string) (string, error) { return x.masks.mask(s.pii, t), nil })
		}
	}
	// Re-joined whether masked or not: as the messages were read (see
	// exchange.encode).
	x.set("messages", appendObjects(make([]byte, 0, len(x.body["messages"])+64), msgs))
	x.setModel()
	x.maxOut = outputMax(x.body)
	return s.reserveFor(ctx, x)
}

// setModel names the upstream's model in the body, when it is not the
// name asked for (an alias).
func (x *exchange) setModel() {
	if x.route.model != x.model {
		m, _ := json.Marshal(x.route.model)
		x.set("model", m)
	}
}

// maxAmount bounds the tokens and micro-dollars of a reservation: far above
// any budget, far below where the counters' sums overflow an int64 (or lose
// precision in Redis's Lua). A request's max_tokens and n are the caller's:
// unbounded, their product wrapped to a negative reservation that lowered
// the spent counters until it was settled.
const maxAmount = 1 << 50

// outputMax is the most output a chat request may produce: its
// max_completion_tokens or max_tokens (DefaultMaxOutputTokens when it names
// neither) times its n, at most maxAmount.
func outputMax(body map[string]json.RawMessage) int64 {
	out := int64(DefaultMaxOutputTokens)
	for _, k := range []string{"max_completion_tokens", "max_tokens"} {
		var n int64
		if json.Unmarshal(body[k], &n) == nil && n > 0 {
			out = min(n, maxAmount)
			break
		}
	}
	if n := choices(body); n > 1 {
		if out > maxAmount/n {
			return maxAmount
		}
		out *= n
	}
	return out
}

// choices is the request's n (1 when absent).
func choices(body map[string]json.RawMessage) int64 {
	var n int64
	if json.Unmarshal(body["n"], &n) == nil && n > 1 {
		return n
	}
	return 1
}

// reserveFor reserves the most the request can spend: every byte of input
// as a token (no tokenizer makes more tokens than bytes) plus its output
// maximum.
func (s *Service) reserveFor(ctx context.Context, x *exchange) error {
	a := Amount{Tokens: min(x.inTokens+x.maxOut, maxAmount)}
	if p, ok := x.route.up.Prices[x.route.model]; ok {
		a.Micros = cost(p, x.inTokens, x.maxOut)
	} else if p, ok := x.route.up.Prices[x.model]; ok {
		a.Micros = cost(p, x.inTokens, x.maxOut)
	}
	r, err := s.reserve(ctx, x.caller, a)
	if err != nil {
		return err
	}
	x.res = r
	return nil
}

// spent is what the exchange cost: the provider's count, or the reserved
// input and an estimate of the output (a byte a token) when it gave none.
func (x *exchange) spent(in, out int64, outBytes int) Amount {
	if in == 0 && out == 0 {
		in, out = x.inTokens, int64(outBytes)
	}
	return x.charge(in, out)
}

// spentAtMost is spent for an answer that was cut short: never more than
// was reserved (the input and output maxima each), so a client that leaves
// or a provider that breaks cannot push a budget past its maximum.
func (x *exchange) spentAtMost(in, out int64, outBytes int) Amount {
	if in == 0 && out == 0 {
		in, out = x.inTokens, int64(outBytes)
	}
	return x.charge(min(in, x.inTokens), min(out, x.maxOut))
}

// charge records in and out tokens in the usage log and prices them.
func (x *exchange) charge(in, out int64) Amount {
	// An upstream reporting negative usage must not lower the counters.
	in, out = max(in, 0), max(out, 0)
	x.usage.InputTokens, x.usage.OutputTokens = in, out
	a := Amount{Tokens: in + out}
	if p, ok := x.route.up.Prices[x.route.model]; ok {
		a.Micros = cost(p, in, out)
	} else if p, ok := x.route.up.Prices[x.model]; ok {
		a.Micros = cost(p, in, out)
	}
	x.usage.CostMicros = a.Micros
	return a
}

// done settles the exchange and logs its usage.
func (s *Service) done(x *exchange, status int, spent Amount) {
	s.settle(x.res, spent)
	x.res = nil
	x.usage.Status = status
	x.usage.Stream = x.stream
	x.usage.CreatedAt = x.started.UTC()
	x.usage.LatencyMS = s.now().Sub(x.started).Milliseconds()
	rec := x.usage
	s.usage.add(x.caller.TenantID, &rec)
}

// fail ends an exchange that failed before its answer: the reservation is
// released and the failure logged.
func (s *Service) fail(x *exchange, err error) error {
	if x != nil {
		s.done(x, statusOf(err), Amount{})
	}
	return err
}

func statusOf(err error) int {
	switch rampart.ErrorCode(err) {
	case rampart.EInvalid:
		return 400
	case rampart.ENotFound:
		return 404
	case rampart.ERateLimited:
		return 429
	case rampart.ETooLarge:
		return 413
	case rampart.EBadGateway:
		return 502
	case rampart.EGatewayTimeout:
		return 504
	case rampart.EUnavailable:
		return 503
	}
	return 500
}

// call sends the exchange's body to its upstream's path and returns the
// answer when it is a success; failures become OpenAI-shaped errors that
// never carry the provider's body or key.
func (s *Service) call(ctx context.Context, x *exchange, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", x.route.up.BaseURL+path, bytes.NewReader(x.encode()))
	if err != nil {
		return nil, openAIError(rampart.EBadGateway, CodeUpstream, "The upstream's address is not usable.", nil)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+string(x.route.up.apiKey))
	if x.stream {
		req.Header.Set("Accept", "text/event-stream")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		if ctx.Err() != nil && errors.Is(ctx.Err(), context.Canceled) {
			return nil, ctx.Err()
		}
		var ue interface{ Timeout() bool }
		if errors.As(err, &ue) && ue.Timeout() || errors.Is(err, context.DeadlineExceeded) {
			return nil, openAIError(rampart.EGatewayTimeout, CodeUpstreamTimeout, "The upstream did not answer in time.", nil)
		}
		s.log.Warn("gateway: upstream unreachable", "upstream", x.route.up.Name, "err", redact(err.Error(), x.route.up.apiKey))
		return nil, openAIError(rampart.EBadGateway, CodeUpstream, "The upstream could not be reached.", nil)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	// The body may echo the request or the key: it is read a little (to
	// reuse the connection) and dropped.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
	s.log.Warn("gateway: upstream refused", "upstream", x.route.up.Name, "status", resp.StatusCode)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		e := openAIError(rampart.ERateLimited, "rate_limit_exceeded", "The upstream is rate limiting requests; retry shortly.", nil)
		e.RetryAfter = time.Second
		return nil, e
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusUnprocessableEntity:
		return nil, openAIError(rampart.EInvalid, "upstream_refused", fmt.Sprintf("The upstream refused the request (status %d).", resp.StatusCode), nil)
	}
	return nil, openAIError(rampart.EBadGateway, CodeUpstream, fmt.Sprintf("The upstream failed (status %d).", resp.StatusCode), nil)
}

// redact removes a key from a message before it is logged.
func redact(msg string, key []byte) string {
	if len(key) == 0 {
		return msg
	}
	return strings.ReplaceAll(msg, string(key), "[REDACTED]")
}

// upstreamGarbage is the answer to a provider whose answer is not OpenAI's.
func upstreamGarbage() error {
	return openAIError(rampart.EBadGateway, CodeUpstream, "The upstream answered with something that is not an OpenAI response.", nil)
}

// Chat answers a non-streamed chat completion: the answer's body, ready to
// send. Streamed requests go to ChatStream.
func (s *Service) Chat(ctx context.Context, c Caller, body []byte) ([]byte, error) {
	x, err := s.parse(ctx, c, "chat", body)
	if err != nil {
		return nil, err
	}
	if err := s.prepareChat(ctx, x); err != nil {
		return nil, s.fail(x, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.UpstreamTimeout)
	defer cancel()
	resp, err := s.call(ctx, x, "/chat/completions")
	if err != nil {
		return nil, s.fail(x, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxUpstreamBody+1))
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, s.fail(x, openAIError(rampart.EGatewayTimeout, CodeUpstreamTimeout, "The upstream did not answer in time.", nil))
		}
		return nil, s.fail(x, upstreamGarbage())
	}
	if len(raw) > MaxUpstreamBody {
		return nil, s.fail(x, upstreamGarbage())
	}
	out, spent, err := s.answer(ctx, x, raw)
	if err != nil {
		s.done(x, statusOf(err), spent)
		return nil, err
	}
	s.done(x, 200, spent)
	return out, nil
}

// answer checks and restores a non-streamed answer.
func (s *Service) answer(ctx context.Context, x *exchange, raw []byte) ([]byte, Amount, error) {
	if !x.guarded() && x.masks.empty() {
		// Nothing to scan or restore: the answer goes as it came, once it
		// is known to be one and to say what it cost.
		var a struct {
			Choices json.RawMessage `json:"choices"`
			Usage   *struct {
				Prompt     int64 `json:"prompt_tokens"`
				Completion int64 `json:"completion_tokens"`
			} `json:"usage"`
		}
		if json.Unmarshal(raw, &a) != nil || len(a.Choices) == 0 || a.Choices[0] != '[' {
			return nil, x.spent(0, 0, 0), upstreamGarbage()
		}
		if a.Usage != nil && (a.Usage.Prompt != 0 || a.Usage.Completion != 0) {
			x.usage.OutputVerdict = ""
			return raw, x.spent(a.Usage.Prompt, a.Usage.Completion, 0), nil
		}
		// No usage: the estimate needs the answer's texts.
	}
	var doc map[string]json.RawMessage
	var chs []map[string]json.RawMessage
	if json.Unmarshal(raw, &doc) != nil || json.Unmarshal(doc["choices"], &chs) != nil {
		return nil, x.spent(0, 0, 0), upstreamGarbage()
	}
	var use struct {
		Prompt     int64 `json:"prompt_tokens"`
		Completion int64 `json:"completion_tokens"`
	}
	json.Unmarshal(doc["usage"], &use)
	outBytes := 0
	x.usage.OutputVerdict = ""
	if x.guarded() {
		x.usage.OutputVerdict = string(guard.Allow)
	}
	for _, ch := range chs {
		var msg message
		if json.Unmarshal(ch["message"], &msg) != nil || msg == nil {
			continue
		}
		_, err := msg.texts(func(t string) (string, error) {
			outBytes += len(t)
			if x.guarded() && strings.TrimSpace(t) != "" {
				if err := s.scanOutput(ctx, x, t); err != nil {
					return "", err
				}
			}
			return x.masks.restore(t), nil
		})
		if err == nil {
			// Tool calls are output too: their arguments are scanned and
			// restored like the text.
			err = s.checkCalls(ctx, x, msg, &outBytes)
		}
		if err != nil {
			return nil, x.spent(use.Prompt, use.Completion, outBytes), err
		}
		// Re-joined as read, whether restored or not: the client gets
		// what was scanned (see exchange.encode).
		ch["message"] = appendObject(nil, msg)
	}
	doc["choices"] = appendObjects(nil, chs)
	return appendObject(make([]byte, 0, len(raw)+64), doc), x.spent(use.Prompt, use.Completion, outBytes), nil
}
