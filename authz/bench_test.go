package authz

import (
	"fmt"
	"sort"
	"testing"
	"time"
)

// BenchmarkCheck measures one in-process check for tenants with 10 and with
// 1,000 custom roles, side by side, and reports the p99 of batches of 1,000
// checks (per check) next to the mean:
//
//	go test -run '^$' -bench Check -benchmem ./authz
func BenchmarkCheck(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run(fmt.Sprintf("custom_roles=%d", n), func(b *testing.B) {
			custom := make([]Role, n)
			for i := range custom {
				custom[i] = Role{Name: fmt.Sprintf("role_%04d", i), Level: 1 + i%5, Permissions: []string{
					fmt.Sprintf("cat%d:read", i%50), fmt.Sprintf("cat%d:*", (i+7)%50), "conversations:read", fmt.Sprintf("docs:write:d-%d", i)}}
			}
			c, err := NewCatalogue(PresetChatbot, custom)
			if err != nil {
				b.Fatal(err)
			}
			s := Subject{Role: custom[n/2].Name, Permissions: []string{"conversations:delete:c-42", "billing:read"}}
			const batch = 1000
			var per []float64
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				start := time.Now()
				for j := 0; j < batch; j++ {
					c.Check(s, "docs:write", "d-500")
				}
				per = append(per, float64(time.Since(start).Nanoseconds())/batch)
			}
			b.StopTimer()
			sort.Float64s(per)
			b.ReportMetric(per[len(per)*99/100], "p99-ns/check")
		})
	}
}
