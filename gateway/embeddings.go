package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"io"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/guard"
)

// MaxEmbeddingInputs bounds the texts of one embeddings request.
const MaxEmbeddingInputs = 2048

// Embeddings answers an embeddings request: its texts pass the input
// guardrails and are masked like prompts (a vector cannot be restored, so
// a masked value is simply not sent). Token arrays are passed as they are:
// there is no text in them to scan.
func (s *Service) Embeddings(ctx context.Context, c Caller, body []byte) ([]byte, error) {
	x, err := s.parse(ctx, c, "embeddings", body)
	if err != nil {
		return nil, err
	}
	raw := x.body["input"]
	var one string
	var many []string
	var texts []string
	switch {
	case json.Unmarshal(raw, &one) == nil:
		texts = []string{one}
	case json.Unmarshal(raw, &many) == nil:
		texts = many
	default:
		var tokens []json.RawMessage
		if json.Unmarshal(raw, &tokens) != nil {
			return nil, s.fail(x, openAIError(rampart.EInvalid, "invalid_request", "input must be a string, a list of strings or token arrays", map[string]any{"param": "input"}))
		}
	}
	if len(texts) > MaxEmbeddingInputs {
		return nil, s.fail(x, openAIError(rampart.EInvalid, "invalid_request", "input holds too many texts", map[string]any{"param": "input"}))
	}
	var in []sourced
	for _, t := range texts {
		x.inTokens += int64(len(t))
		in = append(in, sourced{t, guard.SourceUser})
	}
	if err := s.scanInput(ctx, x, in); err != nil {
		return nil, s.fail(x, err)
	}
	if x.route.up.MaskPII && texts != nil {
		masked := false
		for i := range texts {
			m := x.masks.mask(s.pii, texts[i])
			masked = masked || m != texts[i]
			texts[i] = m
		}
		if masked {
			var v []byte
			if one != "" || many == nil {
				v, _ = json.Marshal(texts[0])
			} else {
				v, _ = json.Marshal(texts)
			}
			x.set("input", v)
		}
	}
	x.setModel()
	if err := s.reserveFor(ctx, x); err != nil {
		return nil, s.fail(x, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.UpstreamTimeout)
	defer cancel()
	resp, err := s.call(ctx, x, "/embeddings")
	if err != nil {
		return nil, s.fail(x, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, MaxUpstreamBody+1))
	if err != nil || len(out) > MaxUpstreamBody {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, s.fail(x, openAIError(rampart.EGatewayTimeout, CodeUpstreamTimeout, "The upstream did not answer in time.", nil))
		}
		return nil, s.fail(x, upstreamGarbage())
	}
	var doc struct {
		Data  json.RawMessage `json:"data"`
		Usage struct {
			Prompt int64 `json:"prompt_tokens"`
		} `json:"usage"`
	}
	if json.Unmarshal(out, &doc) != nil || len(doc.Data) == 0 {
		return nil, s.fail(x, upstreamGarbage())
	}
	s.done(x, 200, x.spent(max(doc.Usage.Prompt, 1), 0, 0))
	return out, nil
}
