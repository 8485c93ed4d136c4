package privacy

import (
	"context"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/store"
)

type actorKey struct{}

// WithActor returns ctx carrying who acts (user, address, user agent), for
// the audit events of privacy operations. Handlers set it; callers that do
// not (the CLI, jobs) are recorded without an actor.
func WithActor(ctx context.Context, a audit.Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

func actorOf(ctx context.Context) audit.Actor {
	a, _ := ctx.Value(actorKey{}).(audit.Actor)
	return a
}

// appendEvent writes a privacy operation's audit event in tx. The event
// is about the actor (sealed under their key when they are a user); its
// details name the request or purpose, never the data subject.
func appendEvent(ctx context.Context, tx *store.Tx, typ audit.Type, resource string, details map[string]any) error {
	a := actorOf(ctx)
	return tx.AppendAudit(ctx, &audit.Event{Type: typ, UserID: a.UserID, IP: a.IP, UserAgent: a.UserAgent, Resource: resource,
		Success: true, Details: details})
}
