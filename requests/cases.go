package requests

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Receipt is what an applicant gets back (受理回执).
type Receipt struct {
	CaseNo       string    // 申请编号
	Code         string    // tracking code, shown once
	Agency       string    // agency code
	Submitted    time.Time // when the form arrived
	Received     time.Time // 收到申请之日 (art. 31)
	Deadline     time.Time // 答复期限
	DeadlineSure bool      // false when a year on the way has no holiday data
	Replayed     bool      // the form had been submitted before; nothing new was stored
}

// ErrNotFound is returned for an unknown case, code or comment.
var ErrNotFound = errors.New("not found")

// ErrNoKey is returned by operations on personal data before UseKey.
var ErrNoKey = errors.New("no key: personal data cannot be sealed or opened")

// ReceivedOn returns the day an online application counts as received
// (条例 art. 31(3)): the receipt the service issues is the agency's
// confirmation, so a form sent on a working day is received that day; one
// sent on a day off is received on the next working day.
func ReceivedOn(cal *Calendar, submitted time.Time) time.Time { return cal.NextWorkday(submitted) }

func (s *Store) seal(v any, aad string) ([]byte, error) {
	if s.sealer == nil {
		return nil, ErrNoKey
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return s.sealer.Seal(b, []byte(aad)), nil
}

func (s *Store) open(sealed []byte, aad string, v any) error {
	if sealed == nil {
		return nil // purged
	}
	if s.sealer == nil {
		return ErrNoKey
	}
	b, err := s.sealer.Open(sealed, []byte(aad))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// submitApplication stores a valid application under the submission key,
// or returns the receipt of the earlier submission with the same key.
func (s *Store) submitApplication(ctx context.Context, cal *Calendar, a Application, key string, code []byte, now time.Time) (Receipt, error) {
	r := Receipt{Agency: a.Agency, Submitted: now}
	r.Received = ReceivedOn(cal, now)
	var st State
	if err := st.Apply(cal, Event{Kind: EvReceived, On: r.Received}); err != nil {
		return r, err
	}
	r.Deadline, r.DeadlineSure = st.Deadline, st.DeadlineSure
	err := s.write(ctx, func(tx *sql.Tx) error {
		if old, err := s.receiptByKey(ctx, tx, key); err == nil {
			r = old
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		n, err := s.next(ctx, tx, "case-"+strconv.Itoa(now.In(China).Year()))
		if err != nil {
			return err
		}
		r.CaseNo = fmt.Sprintf("%d-%06d", now.In(China).Year(), n)
		personal, err := s.seal(a.Personal, "applications.personal:"+r.CaseNo)
		if err != nil {
			return err
		}
		request, err := s.seal(struct {
			Description string `json:"description"`
		}{a.Description}, "applications.request:"+r.CaseNo)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.d.q(`INSERT INTO applications (case_no, code_hash, submission_key, agency, applicant_type,
			format, delivery, submitted_at, received_on, stage, deadline, personal, request)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (submission_key) DO NOTHING`),
			r.CaseNo, codeHash(code), key, a.Agency, a.ApplicantType, a.Format, a.Delivery,
			now.In(China).Format(time.RFC3339Nano), dateText(r.Received), StageReceived, dateText(r.Deadline), personal, request)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errReplayRace
		}
		_, err = tx.ExecContext(ctx, s.d.q(`INSERT INTO events (case_no, seq, kind, on_date, recorded_at) VALUES ($1, 1, $2, $3, $4)`),
			r.CaseNo, EvReceived, dateText(r.Received), now.UTC().Format(time.RFC3339))
		return err
	})
	if errors.Is(err, errReplayRace) {
		// Another instance stored the same form a moment ago.
		old, err := s.receiptByKey(ctx, s.db, key)
		return old, err
	}
	if err != nil {
		return r, fmt.Errorf("store application: %w", err)
	}
	return r, nil
}

var errReplayRace = errors.New("submission stored concurrently")

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) receiptByKey(ctx context.Context, q querier, key string) (Receipt, error) {
	var r Receipt
	var submitted string
	var received, deadline sql.NullString
	err := q.QueryRowContext(ctx, s.d.q(`SELECT case_no, agency, submitted_at, received_on, deadline FROM applications WHERE submission_key = $1`), key).
		Scan(&r.CaseNo, &r.Agency, &submitted, &received, &deadline)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	r.Submitted, _ = time.Parse(time.RFC3339Nano, submitted)
	r.Received, r.Deadline, r.DeadlineSure, r.Replayed = parseDate(received), parseDate(deadline), true, true
	return r, nil
}

// CommentReceipt confirms a stored comment.
type CommentReceipt struct {
	ID        string
	Notice    string
	Submitted time.Time
	Replayed  bool
}

func (s *Store) submitComment(ctx context.Context, c Comment, key string, now time.Time) (CommentReceipt, error) {
	r := CommentReceipt{Notice: c.Notice, Submitted: now}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var id, submitted string
		err := tx.QueryRowContext(ctx, s.d.q(`SELECT id, submitted_at FROM comments WHERE submission_key = $1`), key).Scan(&id, &submitted)
		if err == nil {
			r.ID, r.Replayed = id, true
			r.Submitted, _ = time.Parse(time.RFC3339Nano, submitted)
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		n, err := s.next(ctx, tx, "comment-"+strconv.Itoa(now.In(China).Year()))
		if err != nil {
			return err
		}
		r.ID = fmt.Sprintf("C%d-%06d", now.In(China).Year(), n)
		body, err := s.seal(c, "comments.body:"+r.ID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.d.q(`INSERT INTO comments (id, submission_key, notice, submitted_at, received_on, body)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (submission_key) DO NOTHING`),
			r.ID, key, c.Notice, now.In(China).Format(time.RFC3339Nano), dateText(Day(now)), body)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errReplayRace
		}
		return nil
	})
	if errors.Is(err, errReplayRace) {
		var submitted string
		if err := s.db.QueryRowContext(ctx, s.d.q(`SELECT id, submitted_at FROM comments WHERE submission_key = $1`), key).Scan(&r.ID, &submitted); err != nil {
			return r, fmt.Errorf("store comment: %w", err)
		}
		r.Submitted, _ = time.Parse(time.RFC3339Nano, submitted)
		r.Replayed = true
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("store comment: %w", err)
	}
	return r, nil
}

// Case is one application with its history, as staff see it.
type Case struct {
	CaseNo        string
	Agency        string
	ApplicantType string
	Format        string
	Delivery      string
	Submitted     time.Time
	Received      time.Time
	Stage         string
	Deadline      time.Time
	ReplyType     string
	Replied       time.Time
	Closed        time.Time
	Purged        time.Time
	Events        []Event
	// Personal data and the request text; empty once purged, and when the
	// case was loaded without them.
	Personal    Personal
	Description string
}

const caseColumns = `case_no, agency, applicant_type, format, delivery, submitted_at, received_on, stage, deadline,
	reply_type, replied_on, closed_on, purged_on`

type scanner interface{ Scan(dest ...any) error }

func scanCase(row scanner, extra ...any) (*Case, error) {
	var c Case
	var submitted string
	var received, deadline, replyType, replied, closed, purged sql.NullString
	dest := append([]any{&c.CaseNo, &c.Agency, &c.ApplicantType, &c.Format, &c.Delivery, &submitted, &received, &c.Stage,
		&deadline, &replyType, &replied, &closed, &purged}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	c.Submitted, _ = time.Parse(time.RFC3339Nano, submitted)
	c.Received, c.Deadline, c.Replied, c.Closed, c.Purged = parseDate(received), parseDate(deadline), parseDate(replied), parseDate(closed), parseDate(purged)
	c.ReplyType = replyType.String
	return &c, nil
}

// Case loads a case with its events; withPersonal also opens its sealed
// personal data, which needs the key.
func (s *Store) Case(ctx context.Context, caseNo string, withPersonal bool) (*Case, error) {
	return s.loadCase(ctx, s.db, caseNo, withPersonal, "")
}

func (s *Store) loadCase(ctx context.Context, q interface {
	querier
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, caseNo string, withPersonal bool, lock string) (*Case, error) {
	var personal, request []byte
	c, err := scanCase(q.QueryRowContext(ctx, s.d.q(`SELECT `+caseColumns+`, personal, request FROM applications WHERE case_no = $1`+lock), caseNo), &personal, &request)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("case %s: %w", caseNo, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("load case %s: %w", caseNo, err)
	}
	if withPersonal {
		var req struct {
			Description string `json:"description"`
		}
		if err := s.open(personal, "applications.personal:"+caseNo, &c.Personal); err != nil {
			return nil, fmt.Errorf("case %s: %w", caseNo, err)
		}
		if err := s.open(request, "applications.request:"+caseNo, &req); err != nil {
			return nil, fmt.Errorf("case %s: %w", caseNo, err)
		}
		c.Description = req.Description
	}
	rows, err := q.QueryContext(ctx, s.d.q(`SELECT seq, kind, on_date, until_date, days, reply_type, note FROM events WHERE case_no = $1 ORDER BY seq`), caseNo)
	if err != nil {
		return nil, fmt.Errorf("load case %s: %w", caseNo, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Event
		var seq int
		var on, until, replyType sql.NullString
		var note []byte
		if err := rows.Scan(&seq, &e.Kind, &on, &until, &e.Days, &replyType, &note); err != nil {
			return nil, fmt.Errorf("load case %s: %w", caseNo, err)
		}
		e.On, e.Until, e.ReplyType = parseDate(on), parseDate(until), replyType.String
		if withPersonal && note != nil {
			var text string
			if err := s.open(note, fmt.Sprintf("events.note:%s:%d", caseNo, seq), &text); err != nil {
				return nil, fmt.Errorf("case %s: %w", caseNo, err)
			}
			e.Note = text
		}
		c.Events = append(c.Events, e)
	}
	return c, rows.Err()
}

// AddEvent records a step taken on a case after checking it against the
// law and the case's history, and returns the resulting state (with the
// new deadline) and any warning about the step.
func (s *Store) AddEvent(ctx context.Context, cal *Calendar, caseNo string, e Event, now time.Time) (State, error) {
	var st State
	err := s.write(ctx, func(tx *sql.Tx) error {
		c, err := s.loadCase(ctx, tx, caseNo, false, s.d.forUpdate)
		if err != nil {
			return err
		}
		if st, err = Replay(cal, c.Events); err != nil {
			return err
		}
		e.On, e.Until = Day(e.On), Day(e.Until)
		if e.Kind != EvCorrection {
			e.Until = time.Time{}
		}
		if err := st.Apply(cal, e); err != nil {
			return err
		}
		seq := len(c.Events) + 1
		var note []byte
		if e.Note != "" {
			if note, err = s.seal(e.Note, fmt.Sprintf("events.note:%s:%d", caseNo, seq)); err != nil {
				return err
			}
		}
		var replyType any
		if e.ReplyType != "" {
			replyType = e.ReplyType
		}
		if _, err := tx.ExecContext(ctx, s.d.q(`INSERT INTO events (case_no, seq, kind, on_date, until_date, days, reply_type, note, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`), caseNo, seq, e.Kind, dateText(e.On), dateText(e.Until), e.Days, replyType, note,
			now.UTC().Format(time.RFC3339)); err != nil {
			return err
		}
		var rt any
		if st.ReplyType != "" {
			rt = st.ReplyType
		}
		_, err = tx.ExecContext(ctx, s.d.q(`UPDATE applications SET stage = $1, deadline = $2, reply_type = $3, replied_on = $4, closed_on = $5
			WHERE case_no = $6`), st.Stage, dateText(st.Deadline), rt, dateText(st.Replied), dateText(st.Closed), caseNo)
		return err
	})
	if err != nil {
		return st, fmt.Errorf("%s %s: %w", e.Kind, caseNo, err)
	}
	return st, nil
}

// Status is what the status page shows: the case's stage and dates, nothing
// about the applicant.
type Status struct {
	CaseNo string
	Agency string
	State  State
}

// Lookup finds a case by its tracking code.
func (s *Store) Lookup(ctx context.Context, cal *Calendar, code []byte) (*Status, error) {
	var caseNo string
	err := s.db.QueryRowContext(ctx, s.d.q(`SELECT case_no FROM applications WHERE code_hash = $1`), codeHash(code)).Scan(&caseNo)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("look up case: %w", err)
	}
	c, err := s.Case(ctx, caseNo, false)
	if err != nil {
		return nil, err
	}
	st, err := Replay(cal, c.Events)
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", caseNo, err)
	}
	return &Status{CaseNo: c.CaseNo, Agency: c.Agency, State: st}, nil
}

// Filter selects cases for List.
type Filter struct {
	Stage  string // one of the stages, "open" for every unanswered one, "" for all
	Agency string
	Year   int // received in this year; 0 for all
}

// List returns the cases matching f, oldest first, without personal data.
func (s *Store) List(ctx context.Context, f Filter) ([]*Case, error) {
	query := `SELECT ` + caseColumns + ` FROM applications WHERE 1 = 1`
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	switch f.Stage {
	case "":
	case "open":
		query += ` AND stage IN (` + arg(StageReceived) + `, ` + arg(StageCorrection) + `, ` + arg(StageExtended) + `)`
	default:
		query += ` AND stage = ` + arg(f.Stage)
	}
	if f.Agency != "" {
		query += ` AND agency = ` + arg(f.Agency)
	}
	if f.Year != 0 {
		query += ` AND received_on >= ` + arg(fmt.Sprintf("%d-01-01", f.Year)) + ` AND received_on <= ` + arg(fmt.Sprintf("%d-12-31", f.Year))
	}
	rows, err := s.db.QueryContext(ctx, s.d.q(query+` ORDER BY submitted_at, case_no`), args...)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	var out []*Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// StoredComment is a comment as staff read it.
type StoredComment struct {
	ID        string
	Notice    string
	Submitted time.Time
	Purged    time.Time
	Comment   Comment // empty once purged
}

// Comments returns the comments on a notice ("" for all), oldest first,
// opened with the key.
func (s *Store) Comments(ctx context.Context, notice string) ([]StoredComment, error) {
	query, args := `SELECT id, notice, submitted_at, purged_on, body FROM comments`, []any{}
	if notice != "" {
		query, args = query+` WHERE notice = $1`, append(args, notice)
	}
	rows, err := s.db.QueryContext(ctx, s.d.q(query+` ORDER BY submitted_at, id`), args...)
	if err != nil {
		return nil, fmt.Errorf("list comments: %w", err)
	}
	defer rows.Close()
	var out []StoredComment
	for rows.Next() {
		var c StoredComment
		var submitted string
		var purged sql.NullString
		var body []byte
		if err := rows.Scan(&c.ID, &c.Notice, &submitted, &purged, &body); err != nil {
			return nil, fmt.Errorf("list comments: %w", err)
		}
		c.Submitted, _ = time.Parse(time.RFC3339Nano, submitted)
		c.Purged = parseDate(purged)
		if err := s.open(body, "comments.body:"+c.ID, &c.Comment); err != nil {
			return nil, fmt.Errorf("comment %s: %w", c.ID, err)
		}
		c.Comment.Notice = c.Notice
		out = append(out, c)
	}
	return out, rows.Err()
}

// PurgeResult counts what Purge removed.
type PurgeResult struct {
	Cases, Comments int64
}

// Purge removes the personal data, request texts and staff notes of cases
// closed before the day before, and the texts of comments received before
// it. What the annual report counts (agency, applicant type, dates, reply
// type) stays. dryRun only counts.
func (s *Store) Purge(ctx context.Context, before, today time.Time, dryRun bool) (PurgeResult, error) {
	var r PurgeResult
	cut, now := dateText(Day(before)), dateText(Day(today))
	err := s.write(ctx, func(tx *sql.Tx) error {
		caseWhere := ` FROM applications WHERE stage = '` + StageClosed + `' AND closed_on < $1 AND purged_on IS NULL`
		commentWhere := ` FROM comments WHERE received_on < $1 AND purged_on IS NULL`
		if err := tx.QueryRowContext(ctx, s.d.q(`SELECT COUNT(*)`+caseWhere), cut).Scan(&r.Cases); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, s.d.q(`SELECT COUNT(*)`+commentWhere), cut).Scan(&r.Comments); err != nil {
			return err
		}
		if dryRun {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.d.q(`UPDATE events SET note = NULL WHERE case_no IN (SELECT case_no`+caseWhere+`)`), cut); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.d.q(`UPDATE applications SET personal = NULL, request = NULL, purged_on = $2
			WHERE stage = '`+StageClosed+`' AND closed_on < $1 AND purged_on IS NULL`), cut, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.d.q(`UPDATE comments SET body = NULL, purged_on = $2 WHERE received_on < $1 AND purged_on IS NULL`), cut, now)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("purge: %w", err)
	}
	return r, nil
}

// Counts returns the number of applications and comments stored.
func (s *Store) Counts(ctx context.Context) (applications, comments int, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM applications), (SELECT COUNT(*) FROM comments)`).Scan(&applications, &comments)
	return applications, comments, err
}
