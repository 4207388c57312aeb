package requests

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Statutory time limits, in working days (条例 art. 30, 33).
const (
	ReplyDays          = 20 // 答复期限: 20 working days from receipt
	MaxExtensionDays   = 20 // one extension of at most 20 working days
	CorrectionNotice   = 7  // 补正告知 within 7 working days of receipt
	DefaultCorrectDays = 15 // a reasonable time to correct, when staff give none
)

// Event kinds of a case, in the order a case usually meets them.
const (
	EvReceived   = "received"   // 收到申请
	EvCorrection = "correction" // 补正告知: the clock stops until the correction arrives
	EvCorrected  = "corrected"  // 收到补正: the clock restarts from this day (art. 30)
	EvExtended   = "extended"   // 延期答复 (art. 33), once
	EvReplied    = "replied"    // 答复, with one of ReplyTypes
	EvClosed     = "closed"     // 办结
)

// Stages of a case, derived from its events.
const (
	StageReceived   = "received"   // 已收到，正在办理
	StageCorrection = "correction" // 补正中
	StageExtended   = "extended"   // 已延期
	StageReplied    = "replied"    // 已答复
	StageClosed     = "closed"     // 已办结
)

// Event is one step of a case.
type Event struct {
	Kind      string
	On        time.Time // the day it happened (CST midnight)
	Until     time.Time // EvCorrection: the day the correction is due
	Days      int       // EvExtended: working days added
	ReplyType string    // EvReplied: a ReplyTypes code
	Note      string    // staff's note; sealed in the database
}

// Step is an event with the reply deadline that holds after it.
type Step struct {
	Event
	Deadline     time.Time // zero while the clock is stopped
	DeadlineSure bool      // false when the calendar lacks a year on the way
	Warning      string    // a lawful but notable circumstance, for staff
}

// State is where a case stands after its events.
type State struct {
	Stage           string
	Received        time.Time // 收到申请之日 (art. 31)
	Deadline        time.Time // current reply deadline; zero during 补正
	DeadlineSure    bool
	CorrectionUntil time.Time // during 补正
	Corrections     int
	ExtendedDays    int
	ReplyType       string
	Replied         time.Time
	Closed          time.Time
	Steps           []Step
}

// Open reports whether the case still waits for a reply.
func (s *State) Open() bool { return s.Stage != StageReplied && s.Stage != StageClosed }

// Overdue reports whether the reply deadline has passed on day today
// without a reply.
func (s *State) Overdue(today time.Time) bool {
	return s.Open() && !s.Deadline.IsZero() && Day(today).After(s.Deadline)
}

// ErrStep is wrapped by every refusal of an event that the law or the case's
// state does not allow.
var ErrStep = errors.New("step not allowed")

func refuse(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrStep, fmt.Sprintf(format, args...))
}

// Replay applies events in order and returns the resulting state.
func Replay(cal *Calendar, events []Event) (State, error) {
	var s State
	for i, e := range events {
		if err := s.Apply(cal, e); err != nil {
			return s, fmt.Errorf("event %d (%s): %w", i+1, e.Kind, err)
		}
	}
	return s, nil
}

// Apply checks event e against the state and applies it, recording the
// deadline that holds afterwards.
func (s *State) Apply(cal *Calendar, e Event) error {
	e.On = Day(e.On)
	if e.Kind != EvReceived {
		if s.Steps == nil {
			return refuse("the case has no receipt")
		}
		if last := s.Steps[len(s.Steps)-1].On; e.On.Before(last) {
			return refuse("%s is before the previous step (%s)", e.On.Format(time.DateOnly), last.Format(time.DateOnly))
		}
	}
	step := Step{Event: e}
	switch e.Kind {
	case EvReceived:
		if s.Steps != nil {
			return refuse("the case was already received")
		}
		s.Stage, s.Received = StageReceived, e.On
		s.Deadline, s.DeadlineSure = cal.AddWorkdays(e.On, ReplyDays)
	case EvCorrection:
		switch {
		case !s.Open():
			return refuse("the case is %s", s.Stage)
		case s.Stage == StageCorrection:
			return refuse("a correction is already pending")
		case s.Corrections > 0:
			return refuse("a correction may be asked for only once (一次性告知, art. 30)")
		case !e.Until.After(e.On):
			return refuse("the correction must be due after %s", e.On.Format(time.DateOnly))
		}
		if n := cal.WorkdaysBetween(s.Received, e.On); n > CorrectionNotice {
			step.Warning = fmt.Sprintf("asked %d working days after receipt; art. 30 asks for it within %d", n, CorrectionNotice)
		}
		e.Until = Day(e.Until)
		step.Until = e.Until
		s.Stage, s.CorrectionUntil, s.Corrections = StageCorrection, e.Until, s.Corrections+1
		s.Deadline, s.DeadlineSure = time.Time{}, true
	case EvCorrected:
		if s.Stage != StageCorrection {
			return refuse("no correction is pending")
		}
		if e.On.After(s.CorrectionUntil) {
			step.Warning = fmt.Sprintf("the correction was due on %s", s.CorrectionUntil.Format(time.DateOnly))
		}
		// Art. 30: the reply period is counted from the day the corrected
		// application arrives, so it restarts in full.
		s.Stage, s.CorrectionUntil = StageReceived, time.Time{}
		if s.ExtendedDays > 0 {
			s.Stage = StageExtended
		}
		s.Deadline, s.DeadlineSure = cal.AddWorkdays(e.On, ReplyDays+s.ExtendedDays)
	case EvExtended:
		switch {
		case !s.Open():
			return refuse("the case is %s", s.Stage)
		case s.Stage == StageCorrection:
			return refuse("the clock is stopped while a correction is pending")
		case s.ExtendedDays > 0:
			return refuse("the reply period may be extended only once (art. 33)")
		case e.Days < 1 || e.Days > MaxExtensionDays:
			return refuse("an extension is 1 to %d working days, got %d", MaxExtensionDays, e.Days)
		case e.On.After(s.Deadline):
			return refuse("the deadline passed on %s; an extension must be decided before it", s.Deadline.Format(time.DateOnly))
		}
		d, sure := cal.AddWorkdays(s.Deadline, e.Days)
		s.Stage, s.ExtendedDays = StageExtended, e.Days
		s.Deadline, s.DeadlineSure = d, s.DeadlineSure && sure
	case EvReplied:
		if !s.Open() {
			return refuse("the case is %s", s.Stage)
		}
		if !slices.Contains(ReplyTypeCodes(), e.ReplyType) {
			return refuse("unknown reply type %q", e.ReplyType)
		}
		if e.ReplyType == "other.no_correction" && s.Stage != StageCorrection {
			return refuse("other.no_correction answers a correction that never came; none is pending")
		}
		if !s.Deadline.IsZero() && e.On.After(s.Deadline) {
			step.Warning = fmt.Sprintf("replied after the deadline %s", s.Deadline.Format(time.DateOnly))
		}
		s.Stage, s.ReplyType, s.Replied = StageReplied, e.ReplyType, e.On
	case EvClosed:
		if s.Stage != StageReplied {
			return refuse("only a case that has been replied to can be closed (stage %s)", s.Stage)
		}
		s.Stage, s.Closed = StageClosed, e.On
	default:
		return refuse("unknown event %q", e.Kind)
	}
	step.Deadline, step.DeadlineSure = s.Deadline, s.DeadlineSure
	s.Steps = append(s.Steps, step)
	return nil
}
