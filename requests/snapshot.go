package requests

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// SnapshotFile is the file the build writes beside public/ (in the folder
// that is swapped with it) for the service: what it needs from the content.
const SnapshotFile = "requests.json"

// snapshotVersion changes when the file's format does.
const snapshotVersion = 1

// Snapshot is what the service knows of the site, taken from the content at
// build time, so that `serve --no-build` needs no content: the settings of
// site.yaml's requests: section, the agencies that take applications, the
// notices with their comment windows, and the working-day calendar.
type Snapshot struct {
	Version  int          `json:"version"`
	Settings Settings     `json:"settings"`
	Agencies []Option     `json:"agencies"`
	Notices  []NoticeInfo `json:"notices"`
	Calendar CalendarData `json:"calendar"`

	calOnce sync.Once
	cal     *Calendar
	calErr  error
}

// NoticeInfo is a published notice with its comment window.
type NoticeInfo struct {
	ID     string `json:"id"` // URL key: /notice/ID.html
	Title  string `json:"title"`
	URL    string `json:"url"`
	Agency string `json:"agency"` // name of the first issuing agency
	Opens  string `json:"opens"`  // YYYY-MM-DD, first day of the window
	Closes string `json:"closes"` // YYYY-MM-DD, last day of the window
}

// Window returns the days the window opens and closes.
func (n NoticeInfo) Window() (opens, closes time.Time) {
	opens, _ = time.ParseInLocation(time.DateOnly, n.Opens, China)
	closes, _ = time.ParseInLocation(time.DateOnly, n.Closes, China)
	return opens, closes
}

// OpenAt reports whether the window is open at t: from the opening day to
// the closing day, both included, in China's time.
func (n NoticeInfo) OpenAt(t time.Time) bool {
	o, c := n.Window()
	d := Day(t)
	return !o.IsZero() && !c.IsZero() && !d.Before(o) && !d.After(c)
}

// Settings are site.yaml's requests: section as the build publishes it.
// They hold no secrets: the database password and the key come from the
// environment or from files named here.
type Settings struct {
	Driver string `json:"driver"`            // DriverSQLite or DriverPostgres
	Path   string `json:"path,omitempty"`    // SQLite: the database file
	DSN    string `json:"dsn,omitempty"`     // PostgreSQL: connection string without a password
	DSNEnv string `json:"dsn_env,omitempty"` // PostgreSQL: the variable holding the connection string

	KeyFile string `json:"key_file,omitempty"` // file holding the key (64 hex digits)
	KeyEnv  string `json:"key_env,omitempty"`  // or the variable holding it

	RetentionDays      int      `json:"retention_days"`       // personal data of closed cases kept this long
	SubmissionsPerHour int      `json:"submissions_per_hour"` // per address: applications and comments
	LookupsPerHour     int      `json:"lookups_per_hour"`     // per address: status lookups
	TrustedProxies     []string `json:"trusted_proxies,omitempty"`
}

// Database drivers.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Defaults of Settings.
const (
	DefaultRetentionDays      = 1095
	DefaultSubmissionsPerHour = 10
	DefaultLookupsPerHour     = 60
)

// ApplyDefaults fills unset limits.
func (s *Settings) ApplyDefaults() {
	if s.Driver == "" {
		s.Driver = DriverSQLite
	}
	if s.RetentionDays == 0 {
		s.RetentionDays = DefaultRetentionDays
	}
	if s.SubmissionsPerHour == 0 {
		s.SubmissionsPerHour = DefaultSubmissionsPerHour
	}
	if s.LookupsPerHour == 0 {
		s.LookupsPerHour = DefaultLookupsPerHour
	}
}

// Validate reports the first problem of the settings, naming the field as
// site.yaml spells it.
func (s *Settings) Validate() error {
	switch s.Driver {
	case DriverSQLite:
		if s.Path == "" {
			return fmt.Errorf("database.path: required for sqlite")
		}
		if s.DSN != "" || s.DSNEnv != "" {
			return fmt.Errorf("database.dsn: only for postgres")
		}
	case DriverPostgres:
		if (s.DSN == "") == (s.DSNEnv == "") {
			return fmt.Errorf("database.dsn_env: give exactly one of dsn and dsn_env for postgres")
		}
		if s.DSN != "" && DSNHasPassword(s.DSN) {
			return fmt.Errorf("database.dsn: holds a password; put the connection string in an environment variable and name it in dsn_env")
		}
		if s.Path != "" {
			return fmt.Errorf("database.path: only for sqlite")
		}
	default:
		return fmt.Errorf("database.driver: want %s or %s, got %q", DriverSQLite, DriverPostgres, s.Driver)
	}
	if (s.KeyFile == "") == (s.KeyEnv == "") {
		return fmt.Errorf("key_file: give exactly one of key_file and key_env")
	}
	if s.RetentionDays < 30 {
		return fmt.Errorf("retention_days: want at least 30, got %d", s.RetentionDays)
	}
	if s.SubmissionsPerHour < 1 || s.LookupsPerHour < 1 {
		return fmt.Errorf("rate_limit: limits must be at least 1 an hour")
	}
	for _, p := range s.TrustedProxies {
		if _, err := parsePrefix(p); err != nil {
			return fmt.Errorf("trusted_proxies: %q is not an address or CIDR prefix", p)
		}
	}
	return nil
}

// DSNHasPassword reports whether a PostgreSQL connection string carries a
// password (URL or key=value form).
func DSNHasPassword(dsn string) bool {
	if i := strings.Index(dsn, "://"); i >= 0 {
		rest := dsn[i+3:]
		if at := strings.IndexByte(rest, '@'); at >= 0 && strings.Contains(rest[:at], ":") {
			return true
		}
		return strings.Contains(strings.ToLower(dsn), "password=")
	}
	return strings.Contains(strings.ToLower(dsn), "password")
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// Encode returns the snapshot as the JSON file the build writes.
func (s *Snapshot) Encode() ([]byte, error) {
	s.Version = snapshotVersion
	slices.SortFunc(s.Notices, func(a, b NoticeInfo) int { return strings.Compare(a.ID, b.ID) })
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// ReadSnapshot reads and checks the file written by the build.
func ReadSnapshot(path string) (*Snapshot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if s.Version != snapshotVersion {
		return nil, fmt.Errorf("read %s: version %d, want %d (rebuild the site)", path, s.Version, snapshotVersion)
	}
	if err := s.Settings.Validate(); err != nil {
		return nil, fmt.Errorf("read %s: settings: %w", path, err)
	}
	if _, err := s.Cal(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return &s, nil
}

// Cal returns the working-day calendar.
func (s *Snapshot) Cal() (*Calendar, error) {
	s.calOnce.Do(func() { s.cal, s.calErr = NewCalendar(s.Calendar) })
	return s.cal, s.calErr
}

// Notice returns the notice with the given id.
func (s *Snapshot) Notice(id string) (NoticeInfo, bool) {
	for _, n := range s.Notices {
		if n.ID == id {
			return n, true
		}
	}
	return NoticeInfo{}, false
}

// AgencyName returns the name of the agency with the given code.
func (s *Snapshot) AgencyName(code string) string { return optionName(s.Agencies, code) }
