package identity

import (
	"context"
	"errors"
	"regexp"
	"sync"
	"testing"
	"time"
)

// testParams keep tests fast; TestProductionParameters keeps the real ones.
var testParams = Argon2Params{Time: 1, MemoryKiB: 1024, Threads: 1, SaltLen: 16, KeyLen: 32}

var phcPattern = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)

func TestHashAndVerify(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(testParams, 1, 1)
	enc, err := h.Hash(ctx, "Tr1cky-Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if !phcPattern.MatchString(enc) {
		t.Fatalf("not a PHC string: %s", enc)
	}
	enc2, _ := h.Hash(ctx, "Tr1cky-Passw0rd!")
	if enc == enc2 {
		t.Fatal("two hashes of one password are equal: salt is not random")
	}
	if ok, rehash, err := h.Verify(ctx, "Tr1cky-Passw0rd!", enc); !ok || rehash || err != nil {
		t.Fatalf("verify right password: ok=%v rehash=%v err=%v", ok, rehash, err)
	}
	if ok, _, _ := h.Verify(ctx, "Tr1cky-Passw0rd?", enc); ok {
		t.Fatal("wrong password verified")
	}
	if ok, _, err := h.Verify(ctx, "anything", ""); ok || err != nil {
		t.Fatalf("dummy verify: ok=%v err=%v", ok, err)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaA", "$argon2id$v=19$m=0,t=1,p=1$x$y", "plain"} {
		if bad == "" {
			continue
		}
		if _, _, err := h.Verify(ctx, "x", bad); err == nil {
			t.Errorf("malformed hash %q accepted", bad)
		}
	}
}

func TestRehashWhenParametersChange(t *testing.T) {
	ctx := context.Background()
	old := NewHasher(testParams, 1, 1)
	enc, _ := old.Hash(ctx, "Tr1cky-Passw0rd!")
	stronger := testParams
	stronger.Time = 2
	h := NewHasher(stronger, 1, 1)
	ok, rehash, err := h.Verify(ctx, "Tr1cky-Passw0rd!", enc)
	if !ok || !rehash || err != nil {
		t.Fatalf("old-parameter hash: ok=%v rehash=%v err=%v", ok, rehash, err)
	}
	if _, rehash, _ := h.Verify(ctx, "wrong", enc); rehash {
		t.Fatal("rehash suggested for a wrong password")
	}
}

// TestProductionParameters keeps the design's parameters under test once.
func TestProductionParameters(t *testing.T) {
	h := NewHasher(DefaultArgon2Params, 1, 1)
	enc, err := h.Hash(context.Background(), "Tr1cky-Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	m := phcPattern.FindStringSubmatch(enc)
	if m == nil || m[1] != "65536" || m[2] != "3" || m[3] != "1" {
		t.Fatalf("production hash %s, want m=65536,t=3,p=1", enc)
	}
	if ok, rehash, _ := h.Verify(context.Background(), "Tr1cky-Passw0rd!", enc); !ok || rehash {
		t.Fatal("production hash does not verify")
	}
}

func TestPoolRefusesWhenQueueFull(t *testing.T) {
	slow := Argon2Params{Time: 3, MemoryKiB: 16 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}
	h := NewHasher(slow, 1, 2)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var busy, done int
	var worstRefusal time.Duration
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			_, err := h.Hash(ctx, "Tr1cky-Passw0rd!")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, ErrHasherBusy):
				busy++
				worstRefusal = max(worstRefusal, time.Since(start))
			case err == nil:
				done++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// One runs, two wait: at least 12-3 are refused, all at once.
	if busy < 9 || done < 1 || busy+done != 12 {
		t.Fatalf("busy=%d done=%d", busy, done)
	}
	if worstRefusal > 50*time.Millisecond {
		t.Logf("slowest refusal took %v (the benchmark measures this; the machine may be loaded)", worstRefusal)
	}
	running, waiting, refused, slots := h.Stats()
	if running != 0 || waiting != 0 || refused != int64(busy) || slots != 1 {
		t.Fatalf("stats running=%d waiting=%d refused=%d slots=%d", running, waiting, refused, slots)
	}
}

func TestPoolWaitHonoursContext(t *testing.T) {
	slow := Argon2Params{Time: 3, MemoryKiB: 32 * 1024, Threads: 1, SaltLen: 16, KeyLen: 32}
	h := NewHasher(slow, 1, 4)
	done := make(chan struct{})
	go func() { h.Hash(context.Background(), "first-holds-the-slot"); close(done) }()
	for running, _, _, _ := h.Stats(); running == 0; running, _, _, _ = h.Stats() {
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "x"); !errors.Is(err, ErrHasherBusy) {
		t.Fatalf("waiter past its deadline: %v, want ErrHasherBusy", err)
	}
	<-done
}
