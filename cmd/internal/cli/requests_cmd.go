package cli

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"gongkai/generator"
	"gongkai/requests"
)

// reqCommand is one subcommand of `gongkai requests`.
type reqCommand struct {
	name, args, help string
	run              func(ctx context.Context, rc *reqContext, args []string) int
}

func reqCommands() []reqCommand {
	return []reqCommand{
		{"list", "[-stage S|open] [-agency CODE] [-year Y] [-comments [-notice ID]]", "list cases (or comments) with their deadlines", reqList},
		{"show", "CASE", "show a case: the applicant, the request, every step and its deadline", reqShow},
		{"correct", "CASE [-days N | -until DATE] -note TEXT | CASE -received", "ask for a correction (补正; the clock stops) or record that it arrived (the clock restarts)", reqCorrect},
		{"extend", "CASE [-days 20] -note REASON", "extend the reply period once, by at most 20 working days", reqExtend},
		{"reply", "CASE -type TYPE [-note TEXT]", "record the reply (答复) with its table 3 type", reqReply},
		{"close", "CASE", "close a case that has been replied to", reqClose},
		{"export", "[-year Y] [-comments]", "write every case (or comment) with personal data as CSV to stdout", reqExport},
		{"purge", "[-dry-run]", "remove personal data of cases closed, and comments received, before the retention period", reqPurge},
		{"stats", "-year Y [-agency a,b]", "print table 3 of the annual report for a year as YAML", reqStats},
	}
}

// reqContext is what every subcommand shares: the settings and calendar
// from the build's snapshot, the database, the date and the output.
type reqContext struct {
	sf     siteFlags
	date   time.Time
	snap   *requests.Snapshot
	cal    *requests.Calendar
	store  *requests.Store
	stdout io.Writer
	stderr io.Writer
}

func runRequests(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	usage := func() {
		fmt.Fprintln(stderr, "usage: gongkai requests COMMAND [flags]\n\nStaff work on applications and comments, against the database named in\ncontent/site.yaml (requests:), as the last build published it beside -out.\n\ncommands:")
		for _, c := range reqCommands() {
			fmt.Fprintf(stderr, "  %-8s %s\n           %s\n", c.name, c.args, c.help)
		}
		fmt.Fprintln(stderr, "\nEvery command takes -out DIR (default public) and -date YYYY-MM-DD (the day of the step, default today).\nReply types (-type):")
		for _, t := range requests.ReplyTypes {
			fmt.Fprintf(stderr, "  %-27s %s\n", t.Code, t.Name)
		}
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		usage()
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range reqCommands() {
		if c.name == args[0] {
			rc := &reqContext{stdout: stdout, stderr: stderr}
			return c.run(ctx, rc, args[1:])
		}
	}
	fmt.Fprintf(stderr, "gongkai requests: unknown command %q\n", args[0])
	usage()
	return 2
}

// flags parses the subcommand's flags; a leading CASE argument may come
// before them. It opens the database unless parsing failed.
func (rc *reqContext) flags(ctx context.Context, name, argsHelp string, args []string, define func(fs *flag.FlagSet)) (pos []string, code int, ok bool) {
	fs := newFlagSet("requests "+name, argsHelp, rc.stderr)
	fs.StringVar(&rc.sf.out, "out", "public", "built site; the requests snapshot is beside it in OUT.search")
	fs.StringVar(&rc.sf.date, "date", "", "day of the step YYYY-MM-DD (default today, Asia/Shanghai)")
	if define != nil {
		define(fs)
	}
	var lead []string
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		lead, args = append(lead, args[0]), args[1:]
	}
	if code, done := parse(fs, args); done {
		return nil, code, false
	}
	pos = append(lead, fs.Args()...)
	var err error
	if rc.date, err = rc.sf.buildDate(); err != nil {
		fmt.Fprintln(rc.stderr, "gongkai requests:", err)
		return nil, 2, false
	}
	path := filepath.Join(rc.sf.indexDir(), requests.SnapshotFile)
	if rc.snap, err = requests.ReadSnapshot(path); err != nil {
		fmt.Fprintf(rc.stderr, "gongkai requests: %v\n(the service is switched on in content/site.yaml, requests:, and takes effect with the next build)\n", err)
		return nil, 1, false
	}
	if rc.cal, err = rc.snap.Cal(); err != nil {
		fmt.Fprintln(rc.stderr, "gongkai requests:", err)
		return nil, 1, false
	}
	st := rc.snap.Settings
	log := slog.New(slog.NewTextHandler(rc.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	rc.store, _, err = openRequests(ctx, &st, rc.stderr, log)
	if err != nil {
		fmt.Fprintln(rc.stderr, "gongkai requests:", err)
		return nil, 1, false
	}
	return pos, 0, true
}

func (rc *reqContext) close() {
	if rc.store != nil {
		rc.store.Close()
	}
}

func oneCase(rc *reqContext, name string, pos []string) (string, bool) {
	if len(pos) != 1 {
		fmt.Fprintf(rc.stderr, "gongkai requests %s: want one case number, got %d arguments\n", name, len(pos))
		return "", false
	}
	return pos[0], true
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(requests.China).Format(time.DateOnly)
}

func stageText(st requests.State, today time.Time) string {
	s := st.Stage
	switch {
	case st.Stage == requests.StageCorrection:
		s += " until " + day(st.CorrectionUntil)
	case st.Stage == requests.StageReplied || st.Stage == requests.StageClosed:
		s += " (" + st.ReplyType + ")"
	}
	if st.Overdue(today) {
		s += " OVERDUE"
	}
	return s
}

func reqList(ctx context.Context, rc *reqContext, args []string) int {
	var f requests.Filter
	var comments bool
	var notice string
	_, code, ok := rc.flags(ctx, "list", "[flags]", args, func(fs *flag.FlagSet) {
		fs.StringVar(&f.Stage, "stage", "", "received, correction, extended, replied, closed, or open (every unanswered case)")
		fs.StringVar(&f.Agency, "agency", "", "agency code")
		fs.IntVar(&f.Year, "year", 0, "received in this year")
		fs.BoolVar(&comments, "comments", false, "list comments on notices instead")
		fs.StringVar(&notice, "notice", "", "with -comments: only this notice (its URL key)")
	})
	if !ok {
		return code
	}
	defer rc.close()
	tw := tabwriter.NewWriter(rc.stdout, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	if comments {
		cs, err := rc.store.Comments(ctx, notice)
		if err != nil {
			fmt.Fprintln(rc.stderr, "gongkai requests list:", err)
			return 1
		}
		fmt.Fprintln(tw, "ID\tNOTICE\tSUBMITTED\tCOMMENT")
		for _, c := range cs {
			text := []rune(strings.ReplaceAll(c.Comment.Text, "\n", " "))
			if len(text) > 40 {
				text = append(text[:40], '…')
			}
			if !c.Purged.IsZero() {
				text = []rune("(purged " + day(c.Purged) + ")")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, c.Notice, c.Submitted.In(requests.China).Format("2006-01-02 15:04"), string(text))
		}
		return 0
	}
	cases, err := rc.store.List(ctx, f)
	if err != nil {
		fmt.Fprintln(rc.stderr, "gongkai requests list:", err)
		return 1
	}
	fmt.Fprintln(tw, "CASE\tAGENCY\tAPPLICANT\tRECEIVED\tDEADLINE\tSTAGE")
	for _, c := range cases {
		st, err := requests.Replay(rc.cal, c.Events)
		if len(c.Events) == 0 || err != nil {
			full, ferr := rc.store.Case(ctx, c.CaseNo, false)
			if ferr == nil {
				st, err = requests.Replay(rc.cal, full.Events)
			}
		}
		if err != nil {
			fmt.Fprintf(rc.stderr, "case %s: %v\n", c.CaseNo, err)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.CaseNo, c.Agency, c.ApplicantType, day(st.Received), day(st.Deadline), stageText(st, rc.date))
	}
	return 0
}

func reqShow(ctx context.Context, rc *reqContext, args []string) int {
	pos, code, ok := rc.flags(ctx, "show", "CASE", args, nil)
	if !ok {
		return code
	}
	defer rc.close()
	caseNo, ok := oneCase(rc, "show", pos)
	if !ok {
		return 2
	}
	c, err := rc.store.Case(ctx, caseNo, true)
	if err != nil {
		fmt.Fprintln(rc.stderr, "gongkai requests show:", err)
		return 1
	}
	st, err := requests.Replay(rc.cal, c.Events)
	if err != nil {
		fmt.Fprintln(rc.stderr, "gongkai requests show:", err)
		return 1
	}
	w := rc.stdout
	p := c.Personal
	fmt.Fprintf(w, "case        %s\nagency      %s %s\nsubmitted   %s\nstage       %s\n", c.CaseNo, c.Agency, rc.snap.AgencyName(c.Agency),
		c.Submitted.In(requests.China).Format("2006-01-02 15:04:05"), stageText(st, rc.date))
	if !c.Purged.IsZero() {
		fmt.Fprintf(w, "personal data purged on %s\n", day(c.Purged))
	} else {
		fmt.Fprintf(w, "applicant   %s (%s)\nidentity    %s %s\ncontact     %s; phone %s; email %s; address %s %s\n", p.Name, c.ApplicantType,
			p.IDType, p.IDNumber, p.ContactPerson, p.Phone, p.Email, p.Address, p.Postcode)
		fmt.Fprintf(w, "wants       %s (format %s, delivery %s)\n", c.Description, c.Format, c.Delivery)
	}
	fmt.Fprintln(w, "steps:")
	for _, s := range st.Steps {
		line := "  " + day(s.On) + "  " + s.Kind
		switch s.Kind {
		case requests.EvCorrection:
			line += ", correction due " + day(s.Until) + "; reply clock stopped"
		case requests.EvExtended:
			line += fmt.Sprintf(", %d working days", s.Days)
		case requests.EvReplied:
			line += " " + s.ReplyType + " " + requests.ReplyTypeName(s.ReplyType)
		}
		if !s.Deadline.IsZero() && s.Kind != requests.EvReplied && s.Kind != requests.EvClosed {
			line += " → reply due " + day(s.Deadline)
			if !s.DeadlineSure {
				line += " (holidays of a later year unknown: counted on weekends only)"
			}
		}
		if s.Note != "" {
			line += "  note: " + s.Note
		}
		if s.Warning != "" {
			line += "  WARNING: " + s.Warning
		}
		fmt.Fprintln(w, line)
	}
	return 0
}

// step records one event and prints where the case stands.
func (rc *reqContext) step(ctx context.Context, name, caseNo string, e requests.Event) int {
	e.On = rc.date
	st, err := rc.store.AddEvent(ctx, rc.cal, caseNo, e, time.Now())
	if err != nil {
		fmt.Fprintf(rc.stderr, "gongkai requests %s: %v\n", name, err)
		return 1
	}
	last := st.Steps[len(st.Steps)-1]
	fmt.Fprintf(rc.stdout, "%s: %s on %s; now %s", caseNo, e.Kind, day(e.On), stageText(st, rc.date))
	if !st.Deadline.IsZero() && st.Open() {
		fmt.Fprintf(rc.stdout, ", reply due %s", day(st.Deadline))
	}
	fmt.Fprintln(rc.stdout)
	if last.Warning != "" {
		fmt.Fprintf(rc.stderr, "warning: %s\n", last.Warning)
	}
	return 0
}

func reqCorrect(ctx context.Context, rc *reqContext, args []string) int {
	var days int
	var until, note string
	var received bool
	pos, code, ok := rc.flags(ctx, "correct", "CASE [-days N | -until DATE] -note TEXT | CASE -received", args, func(fs *flag.FlagSet) {
		fs.IntVar(&days, "days", requests.DefaultCorrectDays, "working days the applicant has to correct")
		fs.StringVar(&until, "until", "", "or the day the correction is due, YYYY-MM-DD")
		fs.StringVar(&note, "note", "", "what must be corrected (required when asking)")
		fs.BoolVar(&received, "received", false, "the corrected application arrived (-date): the reply period restarts")
	})
	if !ok {
		return code
	}
	defer rc.close()
	caseNo, ok := oneCase(rc, "correct", pos)
	if !ok {
		return 2
	}
	if received {
		return rc.step(ctx, "correct", caseNo, requests.Event{Kind: requests.EvCorrected, Note: note})
	}
	if strings.TrimSpace(note) == "" {
		fmt.Fprintln(rc.stderr, "gongkai requests correct: -note is required: say what must be corrected (art. 30)")
		return 2
	}
	due, _ := rc.cal.AddWorkdays(rc.date, days)
	if until != "" {
		t, err := time.ParseInLocation(time.DateOnly, until, requests.China)
		if err != nil {
			fmt.Fprintf(rc.stderr, "gongkai requests correct: -until: want YYYY-MM-DD, got %q\n", until)
			return 2
		}
		due = t
	}
	return rc.step(ctx, "correct", caseNo, requests.Event{Kind: requests.EvCorrection, Until: due, Note: note})
}

func reqExtend(ctx context.Context, rc *reqContext, args []string) int {
	var days int
	var note string
	pos, code, ok := rc.flags(ctx, "extend", "CASE [-days 20] -note REASON", args, func(fs *flag.FlagSet) {
		fs.IntVar(&days, "days", requests.MaxExtensionDays, "working days to add (at most 20)")
		fs.StringVar(&note, "note", "", "the reason, as told to the applicant (required)")
	})
	if !ok {
		return code
	}
	defer rc.close()
	caseNo, ok := oneCase(rc, "extend", pos)
	if !ok {
		return 2
	}
	if strings.TrimSpace(note) == "" {
		fmt.Fprintln(rc.stderr, "gongkai requests extend: -note is required: the reason the applicant is told (art. 33)")
		return 2
	}
	return rc.step(ctx, "extend", caseNo, requests.Event{Kind: requests.EvExtended, Days: days, Note: note})
}

func reqReply(ctx context.Context, rc *reqContext, args []string) int {
	var typ, note string
	pos, code, ok := rc.flags(ctx, "reply", "CASE -type TYPE [-note TEXT]", args, func(fs *flag.FlagSet) {
		fs.StringVar(&typ, "type", "", "reply type: "+strings.Join(requests.ReplyTypeCodes(), ", "))
		fs.StringVar(&note, "note", "", "a note for the file")
	})
	if !ok {
		return code
	}
	defer rc.close()
	caseNo, ok := oneCase(rc, "reply", pos)
	if !ok {
		return 2
	}
	return rc.step(ctx, "reply", caseNo, requests.Event{Kind: requests.EvReplied, ReplyType: typ, Note: note})
}

func reqClose(ctx context.Context, rc *reqContext, args []string) int {
	pos, code, ok := rc.flags(ctx, "close", "CASE", args, nil)
	if !ok {
		return code
	}
	defer rc.close()
	caseNo, ok := oneCase(rc, "close", pos)
	if !ok {
		return 2
	}
	return rc.step(ctx, "close", caseNo, requests.Event{Kind: requests.EvClosed})
}

// csvSafe keeps spreadsheet programs from running a cell as a formula:
// applicants write these texts.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func reqExport(ctx context.Context, rc *reqContext, args []string) int {
	var year int
	var comments bool
	_, code, ok := rc.flags(ctx, "export", "[flags]", args, func(fs *flag.FlagSet) {
		fs.IntVar(&year, "year", 0, "cases received in this year (default all)")
		fs.BoolVar(&comments, "comments", false, "export comments on notices instead")
	})
	if !ok {
		return code
	}
	defer rc.close()
	w := csv.NewWriter(rc.stdout)
	defer w.Flush()
	write := func(rec ...string) {
		for i := range rec {
			rec[i] = csvSafe(rec[i])
		}
		w.Write(rec)
	}
	if comments {
		cs, err := rc.store.Comments(ctx, "")
		if err != nil {
			fmt.Fprintln(rc.stderr, "gongkai requests export:", err)
			return 1
		}
		write("id", "notice", "submitted", "name", "contact", "comment", "purged")
		for _, c := range cs {
			write(c.ID, c.Notice, c.Submitted.In(requests.China).Format(time.RFC3339), c.Comment.Name, c.Comment.Contact, c.Comment.Text, day(c.Purged))
		}
		return 0
	}
	cases, err := rc.store.List(ctx, requests.Filter{Year: year})
	if err != nil {
		fmt.Fprintln(rc.stderr, "gongkai requests export:", err)
		return 1
	}
	write("case", "agency", "applicant_type", "name", "id_type", "id_number", "contact_person", "phone", "email", "address", "postcode",
		"description", "format", "delivery", "submitted", "received", "stage", "deadline", "reply_type", "replied", "closed", "purged")
	for _, s := range cases {
		c, err := rc.store.Case(ctx, s.CaseNo, true)
		if err != nil {
			fmt.Fprintln(rc.stderr, "gongkai requests export:", err)
			return 1
		}
		st, _ := requests.Replay(rc.cal, c.Events)
		p := c.Personal
		write(c.CaseNo, c.Agency, c.ApplicantType, p.Name, p.IDType, p.IDNumber, p.ContactPerson, p.Phone, p.Email, p.Address, p.Postcode,
			c.Description, c.Format, c.Delivery, c.Submitted.In(requests.China).Format(time.RFC3339), day(st.Received), st.Stage,
			day(st.Deadline), st.ReplyType, day(st.Replied), day(st.Closed), day(c.Purged))
	}
	return 0
}

func reqPurge(ctx context.Context, rc *reqContext, args []string) int {
	var dry bool
	_, code, ok := rc.flags(ctx, "purge", "[-dry-run]", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&dry, "dry-run", false, "count what would be removed, remove nothing")
	})
	if !ok {
		return code
	}
	defer rc.close()
	before := rc.date.AddDate(0, 0, -rc.snap.Settings.RetentionDays)
	res, err := rc.store.Purge(ctx, before, rc.date, dry)
	if err != nil {
		fmt.Fprintln(rc.stderr, "gongkai requests purge:", err)
		return 1
	}
	verb := "purged"
	if dry {
		verb = "would purge"
	}
	fmt.Fprintf(rc.stdout, "%s personal data of %d cases closed before %s and %d comments received before it (retention %d days)\n",
		verb, res.Cases, day(before), res.Comments, rc.snap.Settings.RetentionDays)
	return 0
}

func reqStats(ctx context.Context, rc *reqContext, args []string) int {
	var year int
	var agencies string
	_, code, ok := rc.flags(ctx, "stats", "-year Y [-agency a,b]", args, func(fs *flag.FlagSet) {
		fs.IntVar(&year, "year", 0, "the report's year (required)")
		fs.StringVar(&agencies, "agency", "", "count only these agencies (comma-separated codes; default all)")
	})
	if !ok {
		return code
	}
	defer rc.close()
	if year == 0 {
		fmt.Fprintln(rc.stderr, "gongkai requests stats: -year is required")
		return 2
	}
	var codes []string
	for _, a := range strings.Split(agencies, ",") {
		if a = strings.TrimSpace(a); a != "" {
			codes = append(codes, a)
		}
	}
	t, err := rc.store.Stats(ctx, year, codes)
	if err == nil {
		err = t.WriteYAML(rc.stdout)
	}
	if err != nil {
		fmt.Fprintln(rc.stderr, "gongkai requests stats:", err)
		return 1
	}
	return 0
}

// reportProblems compares table 3 of each published annual report with the
// requests database, for `check`. Notes say why a report was not compared.
func reportProblems(ctx context.Context, c *generator.Content, sf siteFlags, notes io.Writer) generator.Problems {
	st, probs := requestSettings(c, sf)
	if st == nil || len(probs) > 0 {
		return nil
	}
	source := st.Path
	if st.Driver == requests.DriverPostgres {
		if source = st.DSN; st.DSNEnv != "" {
			source = os.Getenv(st.DSNEnv)
		}
	}
	if source == "" {
		fmt.Fprintf(notes, "note: annual reports not compared with the requests database: %s is not set\n", st.DSNEnv)
		return nil
	}
	store, err := requests.OpenStore(ctx, requests.StoreOptions{Driver: st.Driver, Source: source, ReadOnly: true})
	if err != nil {
		fmt.Fprintf(notes, "note: annual reports not compared with the requests database: %v\n", err)
		return nil
	}
	defer store.Close()
	created, err := store.CreatedOn(ctx)
	if err != nil {
		fmt.Fprintf(notes, "note: annual reports not compared with the requests database: %v\n", err)
		return nil
	}
	var out generator.Problems
	for _, r := range c.ByKind("report") {
		rep := r.Entry.(*generator.Report)
		if first := time.Date(rep.Year, 1, 1, 0, 0, 0, 0, requests.China); created.After(first) {
			fmt.Fprintf(notes, "note: %s not compared with the requests database, which began on %s, after %d began\n", r.Path, day(created), rep.Year)
			continue
		}
		var codes []string
		for _, a := range rep.ScopeAgencies {
			codes = append(codes, a.Code)
		}
		t, err := store.Stats(ctx, rep.Year, codes)
		if err != nil {
			fmt.Fprintf(notes, "note: %s not compared: %v\n", r.Path, err)
			continue
		}
		for _, row := range rep.Applications.Rows() {
			field := strings.TrimPrefix(row.Field, "applications.")
			db := t.Rows[field]
			if db == nil {
				continue
			}
			if got := []int(row.Cells); len(got) != len(db) || !equalInts(got, db[:]) {
				out.Warnf(r.FieldPos(row.Field), row.Field, "the report says %v, the requests database counts %v (gongkai requests stats -year %d)", got, db[:], rep.Year)
			}
		}
	}
	return out
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
