// Package pubsub carries messages between Rampart replicas over Redis
// pub/sub: revocations, so that a logout on one replica takes effect on all.
package pubsub

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// Channel is the Redis channel revocations travel on.
const Channel = "rampart:revocations"

// Redis is a bus on one Redis server.
type Redis struct {
	Client *redis.Client
}

// Publish sends msg to every subscribed replica.
func (r *Redis) Publish(ctx context.Context, msg string) error {
	return r.Client.Publish(ctx, Channel, msg).Err()
}

// Subscribe calls fn for each message until ctx ends, resubscribing after a
// lost connection (go-redis reconnects the subscription itself).
func (r *Redis) Subscribe(ctx context.Context, fn func(string)) error {
	sub := r.Client.Subscribe(ctx, Channel)
	defer sub.Close()
	ch := sub.Channel(redis.WithChannelHealthCheckInterval(10 * time.Second))
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-ch:
			if !ok {
				return nil
			}
			fn(m.Payload)
		}
	}
}
