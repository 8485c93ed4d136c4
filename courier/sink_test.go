package courier

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestSinkKeepsAndQueries(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	s := NewSink(3, func() time.Time { return now })
	var _ Mailer = s
	var _ SMSSender = s
	ctx := context.Background()
	s.Send(ctx, Mail{To: "Ada <Ada@Example.test>", Kind: KindOTPCode, Subject: "s1", Text: "t1", HTML: "h1", MessageID: "m1"})
	s.SendSMS(ctx, SMS{To: "+447911123456", Kind: KindOTPCode, Body: "b2", MessageID: "m2"})
	s.Send(ctx, Mail{To: "bob@example.test", Subject: "s3", Text: "t3"})

	got := s.Messages("ada@example.test")
	if len(got) != 1 || got[0].Subject != "s1" || got[0].HTML != "h1" || got[0].Channel != ChannelEmail ||
		got[0].To != "Ada@Example.test" || !got[0].SentAt.Equal(now) {
		t.Fatalf("ada: %+v", got)
	}
	if got := s.Messages("+447911123456"); len(got) != 1 || got[0].Text != "b2" || got[0].Channel != ChannelSMS {
		t.Fatalf("sms: %+v", got)
	}
	s.Send(ctx, Mail{To: "ada@example.test", Subject: "s4", Text: "t4"})
	s.Send(ctx, Mail{To: "ada@example.test", Subject: "s5", Text: "t5"})
	got = s.Messages("ADA@example.test")
	if len(got) != 2 || got[0].Subject != "s4" || got[1].Subject != "s5" {
		t.Fatalf("after wrap, oldest first: %+v", got)
	}
	if all := s.Messages(""); len(all) != 3 || all[0].Subject != "s3" {
		t.Fatalf("all: %+v", all)
	}
	if err := s.Send(ctx, Mail{To: "nobody", Text: "x"}); err == nil {
		t.Fatal("a bad address kept")
	}
}

func TestSinkConcurrent(t *testing.T) {
	s := NewSink(0, nil)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				s.Send(context.Background(), Mail{To: fmt.Sprintf("u%d@example.test", g), Text: "x"})
				s.Messages(fmt.Sprintf("u%d@example.test", g))
			}
		}()
	}
	wg.Wait()
	if n := len(s.Messages("")); n != DefaultSinkSize {
		t.Fatalf("kept %d, want %d", n, DefaultSinkSize)
	}
	// u3's messages may all have been pushed out by the others: only the
	// bound can be checked.
	if n := len(s.Messages("u3@example.test")); n > 200 {
		t.Fatalf("u3: %d", n)
	}
}
