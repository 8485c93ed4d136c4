package audit

// ResumeVerifier starts verifying tenantID's chain after the event of
// sequence number seq whose stored hash is hash: the links of a range of
// the chain (seq 0 and GenesisHash start from the genesis, as NewVerifier).
// It proves the range consistent with that event, not the events before it.
func ResumeVerifier(tenantID string, seq int64, hash string) *Verifier {
	return &Verifier{tenantID: tenantID, prevHash: hash, seq: seq}
}
