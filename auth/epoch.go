package auth

import "github.com/rampart-dev/rampart/token"

// issuedBeforeEpoch reports whether an access token was issued before the
// revocation epoch of its user or tenant (store.Tx.RaiseEpoch, raised by
// whatever ends every session of a user or a tenant). iat has whole seconds only: a
// token of the epoch's own second is refused when its session was opened
// before the epoch (it may be older than the epoch; that session was ended
// with it anyway) and accepted when its session is newer (a login after
// the remediation must work at once).
func issuedBeforeEpoch(c *token.Claims, st sessionState) bool {
	if st.epoch.IsZero() || !st.started.Before(st.epoch) {
		return false
	}
	return int64(c.IssuedAt) <= st.epoch.Unix()
}
