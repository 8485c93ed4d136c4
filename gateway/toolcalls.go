package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/rampart-dev/rampart/guard"
)

// maxToolCalls bounds the tool calls of one streamed answer.
const maxToolCalls = 128

// errGarbage is a stream event that is not OpenAI's.
var errGarbage = errors.New("gateway: not an OpenAI event")

// textStream is one text of a streamed answer on its way out (the content,
// or the arguments of one tool call): held back and scanned in its own
// window, its placeholders restored by its own restorer, wherever the
// provider's chunks split it.
type textStream struct {
	win  *window
	rest *restorer
	high rune // a surrogate escape split between two events
}

// newText is a text of this stream. Tool-call arguments are JSON: a value
// restored into them is escaped as a JSON string's content.
func (st *streamer) newText(arguments bool) *textStream {
	return &textStream{win: &window{size: st.size, scan: st.scan}, rest: &restorer{m: st.x.masks, json: arguments}}
}

// outBytes is how much text the model produced: content and arguments.
func (st *streamer) outBytes() int {
	n := len(st.content.win.all)
	for _, t := range st.calls {
		n += len(t.win.all)
	}
	if st.functionCall != nil {
		n += len(st.functionCall.win.all)
	}
	return n
}

// deltaFunc shapes released text (a JSON string literal) as a chunk's delta.
type deltaFunc func(text []byte) []byte

func contentDelta(q []byte) []byte {
	return append(append([]byte(`{"content":`), q...), '}')
}

func toolCallDelta(i int) deltaFunc {
	return func(q []byte) []byte {
		b := append([]byte(`{"tool_calls":[{"index":`), strconv.Itoa(i)...)
		b = append(b, `,"function":{"arguments":`...)
		return append(append(b, q...), "}}]}"...)
	}
}

func functionCallDelta(q []byte) []byte {
	return append(append([]byte(`{"function_call":{"arguments":`), q...), "}}"...)
}

func refusalDelta(q []byte) []byte {
	return append(append([]byte(`{"refusal":`), q...), '}')
}

// piece is model text for one of the stream's texts.
type piece struct {
	t     *textStream
	b     []byte
	delta deltaFunc
}

// takeTexts takes the model's texts out of a delta: its content, its
// refusal and the arguments of its tool calls (an empty string left in
// their place where a call's id or name stays). Nothing is sent.
func (st *streamer) takeTexts(delta map[string]json.RawMessage) ([]piece, error) {
	var out []piece
	text := func(k string, t *textStream, d deltaFunc) error {
		raw, ok := delta[k]
		if !ok || string(raw) == "null" {
			return nil
		}
		delete(delta, k)
		b, ok := appendJSONString(nil, raw, &t.high)
		if !ok {
			return errGarbage
		}
		out = append(out, piece{t, b, d})
		return nil
	}
	if err := text("content", st.content, contentDelta); err != nil {
		return nil, err
	}
	if raw, ok := delta["refusal"]; ok && string(raw) != "null" {
		if st.refusal == nil {
			st.refusal = st.newText(false)
		}
		if err := text("refusal", st.refusal, refusalDelta); err != nil {
			return nil, err
		}
	}
	if raw, ok := delta["tool_calls"]; ok && string(raw) != "null" {
		meta, ps, err := st.toolCalls(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
		delete(delta, "tool_calls")
		if len(meta) > 0 {
			delta["tool_calls"], _ = json.Marshal(meta)
		}
	}
	if raw, ok := delta["function_call"]; ok && string(raw) != "null" {
		var fn map[string]json.RawMessage
		if json.Unmarshal(raw, &fn) != nil || fn == nil {
			return nil, errGarbage
		}
		if st.functionCall == nil {
			st.functionCall = st.newText(true)
		}
		if args, ok := fn["arguments"]; ok && string(args) != "null" {
			b, ok := appendJSONString(nil, args, &st.functionCall.high)
			if !ok {
				return nil, errGarbage
			}
			out = append(out, piece{st.functionCall, b, functionCallDelta})
			fn["arguments"] = json.RawMessage(`""`)
		}
		delete(delta, "function_call")
		if len(fn) > 1 || fn["arguments"] == nil {
			delta["function_call"], _ = json.Marshal(fn)
		}
	}
	return out, nil
}

// toolCalls reads the tool_calls of a delta: the calls that say more than
// their index (an id, a type, a function name), their arguments emptied,
// and the arguments of each as a piece of its call's text.
func (st *streamer) toolCalls(raw json.RawMessage) ([]map[string]json.RawMessage, []piece, error) {
	var calls []map[string]json.RawMessage
	if json.Unmarshal(raw, &calls) != nil {
		return nil, nil, errGarbage
	}
	var meta []map[string]json.RawMessage
	var out []piece
	for pos, c := range calls {
		if c == nil {
			return nil, nil, errGarbage
		}
		i := pos
		if v, ok := c["index"]; ok && json.Unmarshal(v, &i) != nil {
			return nil, nil, errGarbage
		}
		if i < 0 || i >= maxToolCalls {
			return nil, nil, errGarbage
		}
		t := st.calls[i]
		if t == nil {
			if st.calls == nil {
				st.calls = map[int]*textStream{}
			}
			t = st.newText(true)
			st.calls[i] = t
			st.callOrder = append(st.callOrder, i)
		}
		c["index"] = json.RawMessage(strconv.Itoa(i))
		args, isMeta, err := splitArguments(c)
		if err != nil {
			return nil, nil, err
		}
		if isMeta {
			meta = append(meta, c)
		}
		if args != nil {
			b, ok := appendJSONString(nil, args, &t.high)
			if !ok {
				return nil, nil, errGarbage
			}
			out = append(out, piece{t, b, toolCallDelta(i)})
		}
	}
	return meta, out, nil
}

// splitArguments takes the arguments out of a streamed tool call (leaving
// "" in their place) and reports whether the rest says more than the
// call's index: its id, type or function name.
func splitArguments(c map[string]json.RawMessage) (args json.RawMessage, meta bool, err error) {
	for k := range c {
		if k != "index" && k != "function" {
			meta = true
		}
	}
	raw, ok := c["function"]
	if !ok || string(raw) == "null" {
		return nil, meta, nil
	}
	var fn map[string]json.RawMessage
	if json.Unmarshal(raw, &fn) != nil || fn == nil {
		return nil, false, errGarbage
	}
	for k := range fn {
		if k != "arguments" {
			meta = true
		}
	}
	if a, ok := fn["arguments"]; ok && string(a) != "null" {
		args = a
		fn["arguments"] = json.RawMessage(`""`)
		c["function"], _ = json.Marshal(fn)
	}
	return args, meta, nil
}

// checkCalls scans the model's other texts in a non-streamed message as
// output: its refusal, and the arguments of its tool calls (and of its
// legacy function_call), and restores their placeholders (JSON-escaped in
// arguments); n counts the bytes the model produced. A block is an error.
// The calls are re-joined as read (see exchange.encode).
func (s *Service) checkCalls(ctx context.Context, x *exchange, msg message, n *int) error {
	check := func(raw json.RawMessage, field string) ([]byte, error) {
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return raw, nil
		}
		*n += len(v)
		if x.guarded() && strings.TrimSpace(v) != "" {
			if err := s.scanOutput(ctx, x, v); err != nil {
				return nil, err
			}
		}
		restored := x.masks.restoreAs(v, field == "arguments")
		if restored == v {
			return raw, nil
		}
		return json.Marshal(restored)
	}
	var err error
	if raw, ok := msg["refusal"]; ok {
		if msg["refusal"], err = check(raw, "refusal"); err != nil {
			return err
		}
	}
	function := func(raw json.RawMessage) (json.RawMessage, error) {
		var fn map[string]json.RawMessage
		if json.Unmarshal(raw, &fn) != nil || fn == nil {
			return raw, nil
		}
		if a, ok := fn["arguments"]; ok {
			if fn["arguments"], err = check(a, "arguments"); err != nil {
				return nil, err
			}
		}
		return appendObject(nil, fn), nil
	}
	if raw := msg["tool_calls"]; raw != nil {
		var calls []map[string]json.RawMessage
		if json.Unmarshal(raw, &calls) == nil {
			for _, c := range calls {
				if f, ok := c["function"]; ok && c != nil {
					if c["function"], err = function(f); err != nil {
						return err
					}
				}
			}
			msg["tool_calls"] = appendObjects(nil, calls)
		}
	}
	if raw, ok := msg["function_call"]; ok {
		if msg["function_call"], err = function(raw); err != nil {
			return err
		}
	}
	return nil
}

// scanOutput runs the output guardrails over one text of an answer,
// recording the verdict; a block is an error.
func (s *Service) scanOutput(ctx context.Context, x *exchange, text string) error {
	res, err := s.guard.Scan(ctx, x.caller.TenantID, x.caller.Actor, guard.Request{Text: scannable([]byte(text)), Source: guard.SourceOutput, SystemPrompt: truncate(x.system, 64<<10), Scanners: outputScanners})
	if err != nil {
		return err
	}
	switch res.Verdict {
	case guard.Block:
		x.usage.OutputVerdict = string(guard.Block)
		return blocked(res, "answer")
	case guard.Flag:
		x.usage.OutputVerdict = string(guard.Flag)
	}
	return nil
}
