package gateway

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/guard"
)

// maxEventBytes bounds one event of an upstream stream.
const maxEventBytes = 1 << 20

// Events receives a streamed answer: the HTTP layer sends each event as
// "data: <event>\n\n" and flushes. Start is called once, before the first
// event; errors before it are returned by ChatStream instead.
type Events interface {
	Start()
	Event(data []byte) error
}

// errClientGone is a write to a client that left.
var errClientGone = errors.New("gateway: client gone")

// streamErrorEvent is the OpenAI-shaped error event that ends a stream.
func streamErrorEvent(e *rampart.Error) []byte {
	code, _ := e.Extensions["openai_code"].(string)
	body := map[string]any{"message": e.Message, "type": "invalid_request_error", "code": code, "param": nil}
	if sc, ok := e.Extensions["scanner"]; ok {
		body["scanner"] = sc
	}
	if code != CodeContentFilter {
		body["type"] = "server_error"
	}
	b, _ := json.Marshal(map[string]any{"error": body})
	return b
}

// ChatStream answers a streamed chat completion. Text reaches the client
// only after the output guardrails saw it with the window of text that
// follows it; placeholders are restored on the way out, wherever the chunks
// split them.
func (s *Service) ChatStream(ctx context.Context, c Caller, body []byte, out Events) error {
	x, err := s.parse(ctx, c, "chat", body)
	if err != nil {
		return err
	}
	x.stream = true
	if err := s.prepareChat(ctx, x); err != nil {
		return s.fail(x, err)
	}
	if choices(x.body) > 1 {
		return s.fail(x, openAIError(rampart.EInvalid, "invalid_request", "n greater than 1 is not supported with stream", map[string]any{"param": "n"}))
	}
	// Ask for the usage chunk (it settles the budget); the client gets it
	// only if it asked too.
	var so map[string]json.RawMessage
	json.Unmarshal(x.body["stream_options"], &so)
	if so == nil {
		so = map[string]json.RawMessage{}
	}
	x.wantUse = string(so["include_usage"]) == "true"
	so["include_usage"] = json.RawMessage("true")
	x.set("stream_options", appendObject(nil, so))

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The first byte within the upstream timeout, then each event within
	// the idle timeout.
	idle := newIdleTimer(s.cfg.UpstreamTimeout, cancel)
	defer idle.stop()
	resp, err := s.call(ctx, x, "/chat/completions")
	if err != nil {
		if idle.fired() {
			err = openAIError(rampart.EGatewayTimeout, CodeUpstreamTimeout, "The upstream did not answer in time.", nil)
		}
		return s.fail(x, err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		return s.fail(x, upstreamGarbage())
	}
	idle.reset(s.cfg.StreamIdle)
	st := &streamer{s: s, x: x, out: out, ctx: ctx, size: s.cfg.Window}
	st.scan = func(text string) (*guard.Result, error) {
		return s.guard.Scan(ctx, c.TenantID, c.Actor, guard.Request{Text: text, Source: guard.SourceOutput, SystemPrompt: truncate(x.system, 64<<10), Scanners: outputScanners})
	}
	if !x.guarded() {
		st.scan = func(string) (*guard.Result, error) { return &guard.Result{Verdict: guard.Allow}, nil }
		st.size = 0
	}
	st.content = st.newText(false)
	out.Start()
	status, err := st.run(resp.Body, idle)
	s.done(x, status, st.spent(status))
	return err
}

// spent is what a stream costs once it has ended. A stream that finished
// pays the provider's usage (or the estimate). A stream cut short (the
// client left, the provider broke or went silent, a guardrail blocked)
// pays for what the provider had already produced, since the provider
// charges for it too, but never more than was reserved; one cut before
// the provider produced any output releases its reservation whole (the
// provider may bill the prompt, but the caller received nothing).
func (st *streamer) spent(status int) Amount {
	switch {
	case status == 200:
		return st.x.spent(st.promptTokens, st.completionTokens, st.outBytes())
	case !st.produced && st.completionTokens == 0:
		return Amount{}
	}
	return st.x.spentAtMost(st.promptTokens, st.completionTokens, st.outBytes())
}

// streamer turns the upstream's events into the client's.
type streamer struct {
	s    *Service
	x    *exchange
	out  Events
	ctx  context.Context
	size int      // the window of each text (0: nothing held back)
	scan scanFunc // the output guardrails

	// content is the answer's text, refusal its refusal; calls are the
	// arguments of its tool calls by index (functionCall: the legacy
	// function_call's), each held back and scanned on its own, restored on
	// its own.
	content      *textStream
	refusal      *textStream
	calls        map[int]*textStream
	callOrder    []int
	functionCall *textStream

	produced bool                       // the provider sent output (text, tool calls, a refusal)
	template map[string]json.RawMessage // the last chunk, for the chunks the gateway writes
	usage    []byte                     // the usage chunk, sent last when asked for
	finished bool

	promptTokens, completionTokens int64
}

// run reads the upstream stream to its end and answers the status to log.
func (st *streamer) run(body io.Reader, idle *idleTimer) (int, error) {
	br := bufio.NewReaderSize(body, 64<<10)
	var data []byte
	for {
		line, err := readLine(br)
		if err != nil {
			if idle.fired() {
				return st.abort(openAIError(rampart.EGatewayTimeout, CodeUpstreamTimeout, "The upstream stopped answering.", nil), 504)
			}
			if st.ctx.Err() != nil {
				return 499, errClientGone
			}
			if err == io.EOF && st.finished {
				return st.done()
			}
			// A stream cut before its end: what was held back is checked
			// and sent, and the client sees the error.
			return st.abort(upstreamGarbage().(*rampart.Error), 502)
		}
		idle.reset(st.s.cfg.StreamIdle)
		switch {
		case len(line) == 0: // the end of an event
			if data == nil {
				continue
			}
			ev := data
			data = nil
			if bytes.Equal(bytes.TrimSpace(ev), []byte("[DONE]")) {
				return st.done()
			}
			if status, err, stop := st.event(ev); stop {
				return status, err
			}
		case bytes.HasPrefix(line, []byte("data:")):
			v := bytes.TrimPrefix(bytes.TrimPrefix(line, []byte("data:")), []byte(" "))
			if data != nil {
				data = append(data, '\n')
			}
			data = append(data, v...)
			if len(data) > maxEventBytes {
				return st.abort(upstreamGarbage().(*rampart.Error), 502)
			}
		default: // comments, event:, id:, retry: are not forwarded
		}
	}
}

// readLine reads one line without its end, bounded.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		frag, err := br.ReadSlice('\n')
		line = append(line, frag...)
		if err == bufio.ErrBufferFull {
			if len(line) > maxEventBytes {
				return nil, errors.New("line too long")
			}
			continue
		}
		if err != nil {
			if len(line) > 0 && err == io.EOF {
				return bytes.TrimRight(line, "\r\n"), nil
			}
			return nil, err
		}
		return bytes.TrimRight(line, "\r\n"), nil
	}
}

// event handles one upstream event; stop says the stream is over.
func (st *streamer) event(ev []byte) (int, error, bool) {
	var doc map[string]json.RawMessage
	if json.Unmarshal(ev, &doc) != nil {
		s, e := st.abort(upstreamGarbage().(*rampart.Error), 502)
		return s, e, true
	}
	if _, ok := doc["error"]; ok {
		// The provider's error text stays with the provider.
		s, e := st.abort(openAIError(rampart.EBadGateway, CodeUpstream, "The upstream failed during the answer.", nil), 502)
		return s, e, true
	}
	var chs []map[string]json.RawMessage
	json.Unmarshal(doc["choices"], &chs)
	if u, ok := doc["usage"]; ok && string(u) != "null" {
		var use struct {
			Prompt     int64 `json:"prompt_tokens"`
			Completion int64 `json:"completion_tokens"`
		}
		json.Unmarshal(u, &use)
		st.promptTokens, st.completionTokens = use.Prompt, use.Completion
		if len(chs) == 0 {
			if st.x.wantUse {
				st.usage = append([]byte(nil), ev...)
			}
			return 0, nil, false
		}
		if !st.x.wantUse {
			delete(doc, "usage")
		}
	}
	if len(chs) == 0 {
		return 0, nil, false
	}
	st.template = doc
	ch := chs[0]
	var delta map[string]json.RawMessage
	json.Unmarshal(ch["delta"], &delta)
	for k, v := range delta {
		if k != "role" && string(v) != "null" && string(v) != `""` {
			st.produced = true
		}
	}
	// The model's texts (content, refusal, tool-call arguments) leave the
	// delta: each goes out through its window. What names the answer's
	// parts (the role, a tool call's id and function name) stays.
	pieces, err := st.takeTexts(delta)
	if errors.Is(err, errGarbage) {
		s, e := st.abort(upstreamGarbage().(*rampart.Error), 502)
		return s, e, true
	}
	finish := ch["finish_reason"]
	ended := finish != nil && string(finish) != "null"
	if len(delta) > 0 {
		if _, ok := delta["role"]; ok && len(delta) == 1 && !ended {
			delta["content"] = json.RawMessage(`""`)
		}
		if err := st.forward(doc, chs, delta, nil); err != nil {
			s, e := st.stopOn(err)
			return s, e, true
		}
	}
	for _, p := range pieces {
		if err := st.text(p.t, p.b, p.delta); err != nil {
			s, e := st.stopOn(err)
			return s, e, true
		}
	}
	if !ended {
		return 0, nil, false
	}
	// Everything held back goes out (after the final check) before the
	// chunk that ends the answer.
	if err := st.final(); err != nil {
		s, e := st.stopOn(err)
		return s, e, true
	}
	if err := st.forward(doc, chs, map[string]json.RawMessage{}, finish); err != nil {
		s, e := st.stopOn(err)
		return s, e, true
	}
	return 0, nil, false
}

// forward sends the provider's chunk with delta and finish_reason (null
// when finish is nil) in place of its own.
func (st *streamer) forward(doc map[string]json.RawMessage, chs []map[string]json.RawMessage, delta map[string]json.RawMessage, finish json.RawMessage) error {
	ch := make(map[string]json.RawMessage, len(chs[0]))
	for k, v := range chs[0] {
		ch[k] = v
	}
	ch["delta"], _ = json.Marshal(delta)
	if finish == nil {
		finish = json.RawMessage("null")
	}
	ch["finish_reason"] = finish
	c := append([]map[string]json.RawMessage{ch}, chs[1:]...)
	out := make(map[string]json.RawMessage, len(doc))
	for k, v := range doc {
		out[k] = v
	}
	out["choices"], _ = json.Marshal(c)
	b, _ := json.Marshal(out)
	return st.send(b)
}

// text passes a piece of model text through its window; delta shapes
// what is released as a chunk's delta.
func (st *streamer) text(t *textStream, b []byte, delta deltaFunc) error {
	out, res, err := t.win.add(b)
	if err != nil {
		return err
	}
	if res != nil {
		st.x.usage.OutputVerdict = string(guard.Block)
		return blocked(res, "answer")
	}
	return st.emit(t, out, false, delta)
}

// final runs the final check of the content and of every tool call's
// arguments, and sends what each holds back.
func (st *streamer) final() error {
	if st.finished {
		return nil
	}
	st.finished = true
	if err := st.finish(st.content, contentDelta); err != nil {
		return err
	}
	if st.refusal != nil {
		if err := st.finish(st.refusal, refusalDelta); err != nil {
			return err
		}
	}
	for _, i := range st.callOrder {
		if err := st.finish(st.calls[i], toolCallDelta(i)); err != nil {
			return err
		}
	}
	if st.functionCall != nil {
		if err := st.finish(st.functionCall, functionCallDelta); err != nil {
			return err
		}
	}
	if st.x.guarded() && st.x.usage.OutputVerdict == "" {
		st.x.usage.OutputVerdict = string(guard.Allow)
	}
	return nil
}

// finish runs one text's final check and sends what it holds back.
func (st *streamer) finish(t *textStream, delta deltaFunc) error {
	if t.high != 0 {
		t.win.add([]byte(string(rune(0xfffd))))
		t.high = 0
	}
	out, res, err := t.win.finish()
	if err != nil {
		return err
	}
	if res != nil {
		st.x.usage.OutputVerdict = string(guard.Block)
		return blocked(res, "answer")
	}
	return st.emit(t, out, true, delta)
}

// emit sends released model text, restored, as a chunk.
func (st *streamer) emit(t *textStream, b []byte, last bool, delta deltaFunc) error {
	var text string
	if len(b) > 0 {
		if !last {
			// A character split between two releases waits for its end.
			k := completePrefix(b)
			if k < len(b) {
				t.win.pending = append(append([]byte(nil), b[k:]...), t.win.pending...)
				b = b[:k]
			}
		}
		text = t.rest.write(string(b))
	}
	if last {
		text += t.rest.flush()
	}
	if text == "" {
		return nil
	}
	q, _ := json.Marshal(text)
	return st.sendDelta(delta(q))
}

// sendDelta sends a chunk of the gateway's own, shaped like the
// provider's last one, carrying delta.
func (st *streamer) sendDelta(delta []byte) error {
	doc := make(map[string]json.RawMessage, len(st.template))
	for k, v := range st.template {
		doc[k] = v
	}
	delete(doc, "usage")
	doc["choices"] = json.RawMessage(`[{"index":0,"delta":` + string(delta) + `,"logprobs":null,"finish_reason":null}]`)
	out, _ := json.Marshal(doc)
	return st.send(out)
}

func (st *streamer) send(b []byte) error {
	if err := st.out.Event(b); err != nil {
		return errClientGone
	}
	return nil
}

// done finishes a stream that ended well: final check, usage, [DONE].
func (st *streamer) done() (int, error) {
	if err := st.final(); err != nil {
		return st.stopOn(err)
	}
	if st.usage != nil {
		if err := st.send(st.usage); err != nil {
			return 499, errClientGone
		}
	}
	if err := st.send([]byte("[DONE]")); err != nil {
		return 499, errClientGone
	}
	return 200, nil
}

// stopOn ends the stream on an error of the gateway's own.
func (st *streamer) stopOn(err error) (int, error) {
	if errors.Is(err, errClientGone) {
		return 499, err
	}
	var e *rampart.Error
	if !errors.As(err, &e) {
		st.s.log.Error("gateway: stream failed", "err", err.Error())
		e = openAIError(rampart.EInternal, "internal_error", "The gateway failed during the answer.", nil)
	}
	st.out.Event(streamErrorEvent(e))
	return statusOf(e), nil
}

// abort ends a stream the upstream broke: an error event, no [DONE]. What
// was held back is not sent.
func (st *streamer) abort(e *rampart.Error, status int) (int, error) {
	st.out.Event(streamErrorEvent(e))
	return status, nil
}

// idleTimer cancels a stream whose upstream stays silent too long.
type idleTimer struct {
	mu    sync.Mutex
	t     *time.Timer
	fire  bool
	ended bool
}

func newIdleTimer(d time.Duration, cancel func()) *idleTimer {
	it := &idleTimer{}
	it.t = time.AfterFunc(d, func() {
		it.mu.Lock()
		it.fire = !it.ended
		it.mu.Unlock()
		cancel()
	})
	return it
}

func (it *idleTimer) reset(d time.Duration) { it.t.Reset(d) }

func (it *idleTimer) fired() bool {
	it.mu.Lock()
	defer it.mu.Unlock()
	return it.fire
}

func (it *idleTimer) stop() {
	it.mu.Lock()
	it.ended = true
	it.mu.Unlock()
	it.t.Stop()
}
