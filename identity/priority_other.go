//go:build !linux

package identity

// lowerThreadPriority is a no-op where threads have no portable priority.
func lowerThreadPriority() {}
