package guard

// EvalItem is one labelled text of an evaluation file (JSONL, one item a
// line), as `rampart guard eval --data FILE.jsonl` reads it and
// `guardtrain -eval-out` writes it.
type EvalItem struct {
	Text         string     `json:"text"`
	Source       Source     `json:"source,omitempty"`
	SystemPrompt string     `json:"system_prompt,omitempty"`
	Canaries     []string   `json:"canaries,omitempty"`
	Labels       EvalLabels `json:"labels"`
	// Origin names the dataset file an item comes from (not read by eval).
	Origin string `json:"origin,omitempty"`
}

// EvalLabels are the item's true labels; an absent label is unknown and
// the item does not count for that scanner.
type EvalLabels struct {
	Injection *bool `json:"injection,omitempty"`
	Toxic     *bool `json:"toxic,omitempty"`
	Crisis    *bool `json:"crisis,omitempty"`
	Leak      *bool `json:"leak,omitempty"`
}
