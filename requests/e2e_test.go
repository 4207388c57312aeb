package requests

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestEndToEnd follows one application through real HTTP and the staff
// steps, on SQLite and PostgreSQL: submit, receipt, status, correction
// (the clock stops and restarts), extension, reply, statistics.
func TestEndToEnd(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		e := newEnv(t, b, envOptions{})
		ctx := context.Background()
		cal, _ := e.snap.Cal()
		br := e.browser()

		// Wednesday 30 September 2026, a working day before the National Day
		// holiday (1–7 October) and the make-up Saturday 10 October.
		rc := receiptOf(t, br.submit(validApplication()))
		if rc.CaseNo != "2026-000001" || rc.AgencyName != "云泽市发展和改革委员会" {
			t.Errorf("receipt case %q agency %q", rc.CaseNo, rc.AgencyName)
		}
		raw, ok := parseCode(rc.Code)
		if !ok || len(raw)*8 < 128 || rc.CodeBits != 128 {
			t.Fatalf("tracking code %q: parsed %v, %d bits", rc.Code, ok, len(raw)*8)
		}
		if got := rc.Received.In(China).Format(time.DateOnly); got != "2026-09-30" {
			t.Errorf("received on %s, want 2026-09-30 (a working day)", got)
		}
		// 20 working days: 8, 9, 10 (make-up Saturday), 12–16, 19–23, 26–30 October, 2 and 3 November.
		if got := rc.Deadline.In(China).Format(time.DateOnly); got != "2026-11-03" || !rc.DeadlineSure {
			t.Errorf("deadline %s (sure %v), want 2026-11-03", got, rc.DeadlineSure)
		}

		status := func(code string) StatusView {
			t.Helper()
			p := e.browser().post("/apply/status", url.Values{"code": {code}})
			var v StatusView
			p.data(&v)
			if p.Code != 200 || v.Found == nil {
				t.Fatalf("status of %s = %d %s", code, p.Code, p.Raw)
			}
			return v
		}
		// Codes are read the way people type them.
		v := status(strings.ToLower(strings.ReplaceAll(rc.Code, "-", " ")))
		if v.Found.Stage != StageReceived || v.Found.CaseNo != rc.CaseNo || !v.Found.Deadline.Equal(rc.Deadline) {
			t.Errorf("status after submit: %+v", v.Found)
		}
		if strings.Contains(string(mustJSON(v)), "张三") || strings.Contains(string(mustJSON(v)), "11010519491231002X") {
			t.Error("the status page shows the applicant's personal data")
		}

		// 补正: asked on 9 October; the clock stops until the correction arrives.
		st, err := e.store.AddEvent(ctx, cal, rc.CaseNo, Event{Kind: EvCorrection, On: day("2026-10-09"), Until: day("2026-10-23"), Note: "请补充文件名称"}, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if st.Stage != StageCorrection || !st.Deadline.IsZero() {
			t.Errorf("after correction request: stage %s deadline %v", st.Stage, st.Deadline)
		}
		v = status(rc.Code)
		if v.Found.Stage != StageCorrection || v.Found.CorrectionUntil.In(China).Format(time.DateOnly) != "2026-10-23" || !v.Found.Deadline.IsZero() {
			t.Errorf("status during correction: %+v", v.Found)
		}
		// The correction arrives on 14 October: 20 working days from then.
		st, err = e.store.AddEvent(ctx, cal, rc.CaseNo, Event{Kind: EvCorrected, On: day("2026-10-14")}, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Deadline.Format(time.DateOnly); got != "2026-11-11" {
			t.Errorf("deadline after correction %s, want 2026-11-11", got)
		}
		// A second correction request is refused (一次性告知).
		if _, err := e.store.AddEvent(ctx, cal, rc.CaseNo, Event{Kind: EvCorrection, On: day("2026-10-15"), Until: day("2026-10-30")}, e.clock.Now()); err == nil {
			t.Error("a second correction request was accepted")
		}
		// Extension by 20 working days, once.
		st, err = e.store.AddEvent(ctx, cal, rc.CaseNo, Event{Kind: EvExtended, On: day("2026-11-05"), Days: 20, Note: "需要调取档案"}, e.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Deadline.Format(time.DateOnly); got != "2026-12-09" || st.Stage != StageExtended {
			t.Errorf("after extension: stage %s deadline %s, want extended 2026-12-09", st.Stage, got)
		}
		if _, err := e.store.AddEvent(ctx, cal, rc.CaseNo, Event{Kind: EvExtended, On: day("2026-11-06"), Days: 5}, e.clock.Now()); err == nil {
			t.Error("a second extension was accepted")
		}
		v = status(rc.Code)
		if v.Found.Stage != StageExtended || v.Found.ExtendedDays != 20 || v.Found.Deadline.In(China).Format(time.DateOnly) != "2026-12-09" {
			t.Errorf("status after extension: %+v", v.Found)
		}
		// Reply: partly disclosed.
		if _, err := e.store.AddEvent(ctx, cal, rc.CaseNo, Event{Kind: EvReplied, On: day("2026-12-01"), ReplyType: "partly_disclosed"}, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		v = status(rc.Code)
		if v.Found.Stage != StageReplied || v.Found.ReplyName != "部分公开" || v.Found.Replied.In(China).Format(time.DateOnly) != "2026-12-01" {
			t.Errorf("status after reply: %+v", v.Found)
		}
		if len(v.Found.Steps) != 5 {
			t.Errorf("status lists %d steps, want 5", len(v.Found.Steps))
		}
		// Staff see the personal data, opened with the key.
		c, err := e.store.Case(ctx, rc.CaseNo, true)
		if err != nil {
			t.Fatal(err)
		}
		if c.Personal.Name != "张三" || c.Personal.IDNumber != "11010519491231002X" || c.Events[1].Note != "请补充文件名称" {
			t.Errorf("case as staff see it: %+v", c)
		}

		// A second application, from a business, received on a holiday:
		// counted on the next working day, and left open over the year end.
		e.clock.Set(time.Date(2026, 10, 3, 22, 0, 0, 0, China))
		biz := validApplication()
		biz.Set("applicant_type", "business")
		biz.Set("name", "云泽市某某科技有限公司")
		biz.Set("id_type", "uscc")
		biz.Set("id_number", "91350100M000100Y43")
		biz.Set("contact_person", "李四")
		biz.Set("agency", "czj")
		rc2 := receiptOf(t, br.submit(biz))
		if got := rc2.Received.In(China).Format(time.DateOnly); got != "2026-10-08" {
			t.Errorf("submitted on 3 October (holiday), received %s, want 2026-10-08", got)
		}

		tab, err := e.store.Stats(ctx, 2026, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][7]int{
			"new":              {1, 1, 0, 0, 0, 0, 2},
			"partly_disclosed": {1, 0, 0, 0, 0, 0, 1},
			"total":            {1, 0, 0, 0, 0, 0, 1},
			"carried_forward":  {0, 1, 0, 0, 0, 0, 1},
		}
		for _, row := range Table3Rows() {
			if *tab.Rows[row] != want[row] {
				t.Errorf("stats 2026 %s = %v, want %v", row, *tab.Rows[row], want[row])
			}
		}
		// Next year the open case is carried over.
		tab, _ = e.store.Stats(ctx, 2027, nil)
		if got := *tab.Rows["carried_over"]; got != [7]int{0, 1, 0, 0, 0, 0, 1} {
			t.Errorf("stats 2027 carried_over = %v", got)
		}
		tab, _ = e.store.Stats(ctx, 2026, []string{"czj"})
		if got := *tab.Rows["new"]; got != [7]int{0, 1, 0, 0, 0, 0, 1} {
			t.Errorf("stats 2026 for czj: new = %v", got)
		}
	})
}
