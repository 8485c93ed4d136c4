package main

import (
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// peakRSSMiB reads the process's peak resident set size (VmHWM) on Linux.
func peakRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

// BenchmarkConcurrentHashing sends bursts of 200 concurrent requests that
// each hash a password with the production parameters (t=3, m=64 MiB, p=1)
// to a server started through run, on the embedded default store. It reports
// the process's peak RSS and how fast the surplus is refused with 503.
// Run it alone so the peak belongs to it:
//
//	go test -run '^$' -bench ConcurrentHashing -benchtime 3x ./cmd/rampart
func BenchmarkConcurrentHashing(b *testing.B) {
	env := testEnv(b, "sqlite")
	env["RAMPART_DATA_DIR"] = b.TempDir()
	env["RAMPART_DATABASE_URL"] = ""
	delete(env, "RAMPART_ARGON2_TIME")
	delete(env, "RAMPART_ARGON2_MEMORY_KIB")
	delete(env, "GOMEMLIMIT") // let serve size the soft memory limit to the pool
	ts := start(b, env)
	const burst = 200
	// Connections are opened before the bursts, as behind a proxy that keeps
	// them alive; the bursts then measure only the requests.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: burst, MaxConnsPerHost: burst}}
	var warm sync.WaitGroup
	for i := 0; i < burst; i++ {
		warm.Add(1)
		go func() {
			defer warm.Done()
			if r, err := client.Get(ts.URL + "/healthz"); err == nil {
				r.Body.Close()
			}
		}()
	}
	warm.Wait()
	var refusals []time.Duration
	var ok, busy int
	n := 0
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for i := 0; i < burst; i++ {
			n++
			slug := fmt.Sprintf("load-%06d", n)
			wg.Add(1)
			go func() {
				defer wg.Done()
				start := time.Now()
				req, _ := http.NewRequest("POST", ts.URL+"/v1/tenants", strings.NewReader(
					`{"slug":"`+slug+`","name":"Load","owner":{"email":"o@load.io","password":"Tr1cky-Passw0rd!"}}`))
				req.Header.Set("Authorization", "Bearer "+testOperatorToken)
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				resp.Body.Close()
				mu.Lock()
				defer mu.Unlock()
				switch resp.StatusCode {
				case 503:
					busy++
					refusals = append(refusals, time.Since(start))
				case 201:
					ok++
				default:
					b.Errorf("status %d", resp.StatusCode)
				}
			}()
		}
		wg.Wait()
	}
	b.StopTimer()
	sort.Slice(refusals, func(i, j int) bool { return refusals[i] < refusals[j] })
	if len(refusals) > 0 {
		b.ReportMetric(float64(refusals[len(refusals)*99/100].Microseconds())/1000, "503-p99-ms")
	}
	b.ReportMetric(float64(busy)/float64(b.N), "503/burst")
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
}
