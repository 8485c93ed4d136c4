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

// Resubscribed is delivered to the subscriber each time the subscription is
// (re)established: messages sent while it was down are lost, so the
// receiver should forget whatever they could have invalidated.
const Resubscribed = "*:"

// retryDelay spaces reconnection attempts while Redis is unreachable.
const retryDelay = time.Second

// ConsentChannel carries consent changes (privacy.Consents), apart from
// revocations so that neither listener sees the other's messages.
const ConsentChannel = "rampart:consents"

// UpstreamChannel carries changes of tenants' AI upstreams (gateway), so
// that no replica serves a deleted or replaced upstream from its cache.
const UpstreamChannel = "rampart:ai-upstreams"

// Redis is a bus on one Redis server.
type Redis struct {
	Client *redis.Client
	// Channel is the channel of this bus; empty is Channel (revocations).
	Channel string
}

func (r *Redis) channel() string {
	if r.Channel == "" {
		return Channel
	}
	return r.Channel
}

// Publish sends msg to every subscribed replica.
func (r *Redis) Publish(ctx context.Context, msg string) error {
	return r.Client.Publish(ctx, r.channel(), msg).Err()
}

// Subscribe calls fn for each message until ctx ends, and with Resubscribed
// whenever the subscription starts or comes back after a lost connection.
func (r *Redis) Subscribe(ctx context.Context, fn func(string)) error {
	sub := r.Client.Subscribe(ctx, r.channel())
	defer sub.Close()
	for {
		msg, err := sub.Receive(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			// go-redis reconnects and resubscribes on the next Receive.
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(retryDelay):
			}
			continue
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				fn(Resubscribed)
			}
		case *redis.Message:
			fn(m.Payload)
		}
	}
}
