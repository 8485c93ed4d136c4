package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/rampart-dev/rampart"
)

// Argon2Params are the cost parameters of Argon2id (RFC 9106).
type Argon2Params struct {
	Time      uint32 // iterations
	MemoryKiB uint32 // memory in KiB
	Threads   uint8  // parallelism
	SaltLen   uint32
	KeyLen    uint32
}

// DefaultArgon2Params are the production parameters: t=3, m=64 MiB, p=1, a
// 16-byte salt and a 32-byte key.
var DefaultArgon2Params = Argon2Params{Time: 3, MemoryKiB: 64 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}

// ErrHasherBusy is returned when the hashing queue is full; callers answer 503.
var ErrHasherBusy = &rampart.Error{Code: rampart.EUnavailable, Message: "The server is busy; retry shortly", RetryAfter: time.Second}

// Hasher hashes and verifies passwords with Argon2id through a bounded pool.
// Each hash holds MemoryKiB of memory while it runs, so at most Slots run at
// once and at most Queue callers wait; beyond that callers are refused at once
// instead of the process growing by 64 MiB per waiting request.
//
// Hashes run on worker threads of their own at the lowest CPU priority (on
// Linux), so that a burst of logins leaves the request-serving threads free to
// answer the surplus 503 at once; the server raises GOMAXPROCS by the number
// of slots to give those threads their own Ps.
type Hasher struct {
	params  Argon2Params
	slots   int
	queue   int64
	jobs    chan hashJob
	start   sync.Once
	pending atomic.Int64 // running + waiting
	running atomic.Int64
	refused atomic.Int64
	hashed  atomic.Int64 // Argon2 computations done (hashes and verifications)
	// dummy is a hash verified when a user does not exist, so that an
	// unknown account costs the same time as a wrong password.
	dummy string
}

type hashJob struct {
	fn   func()
	done chan struct{}
}

// NewHasher returns a Hasher with the given parameters, slots running hashes at
// once (0 means one per CPU) and queue callers allowed to wait (0 means 4 per slot).
func NewHasher(params Argon2Params, slots, queue int) *Hasher {
	if slots <= 0 {
		slots = runtime.NumCPU()
	}
	if queue <= 0 {
		queue = 4 * slots
	}
	h := &Hasher{params: params, slots: slots, queue: int64(queue), jobs: make(chan hashJob)}
	// The dummy's key never matches anything; only its cost matters, so it
	// is not computed (that would hold Argon2 memory from the first second).
	salt := make([]byte, params.SaltLen)
	rand.Read(salt)
	key := make([]byte, params.KeyLen)
	rand.Read(key)
	h.dummy = h.encode(salt, key, params)
	return h
}

// Slots returns how many hashes may run at once.
func (h *Hasher) Slots() int { return h.slots }

// worker runs hash jobs on a thread of its own at low CPU priority. Workers
// live as long as the process, like the pool they belong to.
func (h *Hasher) worker() {
	runtime.LockOSThread()
	lowerThreadPriority()
	for j := range h.jobs {
		h.running.Add(1)
		j.fn()
		h.hashed.Add(1)
		h.running.Add(-1)
		close(j.done)
	}
}

// run executes fn on a worker, waiting in the bounded queue if all are busy.
// A full queue, or a context that ends while waiting, returns ErrHasherBusy.
func (h *Hasher) run(ctx context.Context, fn func()) error {
	h.start.Do(func() {
		for i := 0; i < h.slots; i++ {
			go h.worker()
		}
	})
	if h.pending.Add(1) > int64(h.slots)+h.queue {
		h.pending.Add(-1)
		h.refused.Add(1)
		return ErrHasherBusy
	}
	defer h.pending.Add(-1)
	j := hashJob{fn: fn, done: make(chan struct{})}
	select {
	case h.jobs <- j:
	case <-ctx.Done():
		return ErrHasherBusy
	}
	<-j.done
	return nil
}

// Stats reports the pool's occupancy for metrics.
func (h *Hasher) Stats() (running, waiting, refused int64, slots int) {
	r := h.running.Load()
	return r, max(0, h.pending.Load()-r), h.refused.Load(), h.slots
}

// Computed returns how many Argon2 computations the pool has run.
func (h *Hasher) Computed() int64 { return h.hashed.Load() }

// Hash returns the PHC string of password under the configured parameters.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	var key []byte
	if err := h.run(ctx, func() {
		key = argon2.IDKey([]byte(password), salt, h.params.Time, h.params.MemoryKiB, h.params.Threads, h.params.KeyLen)
	}); err != nil {
		return "", err
	}
	return h.encode(salt, key, h.params), nil
}

// Verify reports whether password matches the PHC string encoded, and whether
// the hash should be replaced because its parameters differ from the
// configured ones. An empty encoded verifies against a dummy hash and reports
// false, taking the same time as a real verification.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (ok, rehash bool, err error) {
	dummy := encoded == ""
	if dummy {
		encoded = h.dummy
	}
	p, salt, want, err := decodePHC(encoded)
	if err != nil {
		return false, false, err
	}
	var got []byte
	if err := h.run(ctx, func() {
		got = argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	}); err != nil {
		return false, false, err
	}
	match := subtle.ConstantTimeCompare(got, want) == 1
	if dummy {
		return false, false, nil
	}
	rehash = p.Time != h.params.Time || p.MemoryKiB != h.params.MemoryKiB || p.Threads != h.params.Threads ||
		uint32(len(salt)) != h.params.SaltLen || uint32(len(want)) != h.params.KeyLen
	return match, match && rehash, nil
}

func (h *Hasher) encode(salt, key []byte, p Argon2Params) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

var errBadPHC = errors.New("identity: malformed argon2id PHC string")

// decodePHC parses "$argon2id$v=19$m=..,t=..,p=..$salt$hash".
func decodePHC(s string) (p Argon2Params, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, errBadPHC
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return p, nil, nil, errBadPHC
		}
		n, perr := strconv.ParseUint(v, 10, 32)
		if perr != nil || n == 0 {
			return p, nil, nil, errBadPHC
		}
		switch k {
		case "m":
			p.MemoryKiB = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, errBadPHC
			}
			p.Threads = uint8(n)
		default:
			return p, nil, nil, errBadPHC
		}
	}
	if p.MemoryKiB == 0 || p.Time == 0 || p.Threads == 0 {
		return p, nil, nil, errBadPHC
	}
	b64 := base64.RawStdEncoding
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, errBadPHC
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 {
		return p, nil, nil, errBadPHC
	}
	return p, salt, key, nil
}
