package console

import "github.com/rampart-dev/rampart/audit"

// actorOf is the viewer as the actor of a change, with their user id.
func (c *Console) actorOf(v *viewer) audit.Actor {
	a := c.actor(v)
	if v.principal != nil {
		a.UserID = v.principal.UserID
	}
	return a
}
