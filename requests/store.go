package requests

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver
)

// Store is the database of applications, their events and comments: SQLite
// or PostgreSQL behind one schema.
type Store struct {
	db      *sql.DB
	d       dialect
	writeMu sync.Mutex // SQLite has one writer; queuing here beats its busy loop
	sealer  *Sealer
	log     *slog.Logger
}

// StoreOptions say which database to open.
type StoreOptions struct {
	Driver   string // DriverSQLite or DriverPostgres
	Source   string // SQLite: file path; PostgreSQL: connection string
	ReadOnly bool   // open without creating or migrating anything (check)
	Logger   *slog.Logger
}

// ErrNoDatabase is returned by a read-only open of a database that does not
// exist yet.
var ErrNoDatabase = errors.New("no database yet")

type dialect struct {
	name      string
	blob      string
	forUpdate string
	lock      string // statement that serialises migrations, in a transaction
}

var (
	sqliteDialect   = dialect{name: DriverSQLite, blob: "BLOB"}
	postgresDialect = dialect{name: DriverPostgres, blob: "BYTEA", forUpdate: " FOR UPDATE", lock: "SELECT pg_advisory_xact_lock(7310014)"}
)

// q adapts a query written with $1 placeholders to the dialect: SQLite
// takes ?1.
func (d dialect) q(query string) string {
	if d.name == DriverSQLite {
		return strings.ReplaceAll(query, "$", "?")
	}
	return query
}

// OpenStore opens the database and applies missing migrations.
func OpenStore(ctx context.Context, o StoreOptions) (*Store, error) {
	s := &Store{log: o.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	var err error
	switch o.Driver {
	case DriverSQLite:
		s.d = sqliteDialect
		s.db, err = openSQLite(o.Source, o.ReadOnly)
	case DriverPostgres:
		s.d = postgresDialect
		s.db, err = sql.Open("pgx", o.Source)
		if err == nil {
			s.db.SetMaxOpenConns(16)
			s.db.SetMaxIdleConns(16)
			s.db.SetConnMaxIdleTime(5 * time.Minute)
		}
	default:
		return nil, fmt.Errorf("open requests database: unknown driver %q", o.Driver)
	}
	if err != nil {
		return nil, fmt.Errorf("open requests database: %w", err)
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("open requests database: %w", err)
	}
	if o.ReadOnly {
		return s, nil
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

func openSQLite(path string, readOnly bool) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("no database path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("database path %q: ? and # are not allowed", path)
	}
	params := url.Values{}
	for _, p := range []string{"busy_timeout(15000)", "foreign_keys(1)", "synchronous(FULL)"} {
		params.Add("_pragma", p)
	}
	if readOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("%s: %w", path, ErrNoDatabase)
		}
		params.Set("mode", "ro")
	} else {
		// The file holds sealed personal data: create it (and its folder)
		// readable by the service's user only. SQLite gives the -wal and
		// -shm files the same permissions.
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, err
		}
		f.Close()
		params.Add("_pragma", "journal_mode(WAL)")
		params.Set("_txlock", "immediate")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?"+params.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	return db, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Driver returns the database driver's name.
func (s *Store) Driver() string { return s.d.name }

// migrations are the schema, step by step; a step is never edited once
// released, only followed by another. {blob} is the dialect's bytes type.
var migrations = []string{
	`CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE counters (name TEXT PRIMARY KEY, n BIGINT NOT NULL);
CREATE TABLE applications (
	case_no        TEXT PRIMARY KEY,
	code_hash      TEXT NOT NULL UNIQUE,
	submission_key TEXT NOT NULL UNIQUE,
	agency         TEXT NOT NULL,
	applicant_type TEXT NOT NULL,
	format         TEXT NOT NULL,
	delivery       TEXT NOT NULL,
	submitted_at   TEXT NOT NULL,
	received_on    TEXT NOT NULL,
	stage          TEXT NOT NULL,
	deadline       TEXT,
	reply_type     TEXT,
	replied_on     TEXT,
	closed_on      TEXT,
	personal       {blob},
	request        {blob},
	purged_on      TEXT
);
CREATE INDEX applications_received ON applications (received_on);
CREATE INDEX applications_replied ON applications (replied_on);
CREATE INDEX applications_stage ON applications (stage, deadline);
CREATE TABLE events (
	case_no     TEXT NOT NULL REFERENCES applications (case_no),
	seq         INTEGER NOT NULL,
	kind        TEXT NOT NULL,
	on_date     TEXT NOT NULL,
	until_date  TEXT,
	days        INTEGER NOT NULL DEFAULT 0,
	reply_type  TEXT,
	note        {blob},
	recorded_at TEXT NOT NULL,
	PRIMARY KEY (case_no, seq)
);
CREATE TABLE comments (
	id             TEXT PRIMARY KEY,
	submission_key TEXT NOT NULL UNIQUE,
	notice         TEXT NOT NULL,
	submitted_at   TEXT NOT NULL,
	received_on    TEXT NOT NULL,
	body           {blob},
	purged_on      TEXT
);
CREATE INDEX comments_notice ON comments (notice, submitted_at);`,
}

// SchemaVersion is the number of migrations this program knows.
func SchemaVersion() int { return len(migrations) }

// migrate applies the migrations the database lacks, in one transaction
// that also holds a lock, so instances starting together migrate once.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate requests database: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate requests database: %w", err)
	}
	defer tx.Rollback()
	if s.d.lock != "" {
		if _, err := tx.ExecContext(ctx, s.d.lock); err != nil {
			return fmt.Errorf("migrate requests database: %w", err)
		}
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("migrate requests database: %w", err)
	}
	if have > len(migrations) {
		return fmt.Errorf("migrate requests database: schema version %d is newer than this program's %d", have, len(migrations))
	}
	for v := have + 1; v <= len(migrations); v++ {
		for _, stmt := range strings.Split(migrations[v-1], ";\n") {
			stmt = strings.ReplaceAll(strings.TrimSpace(stmt), "{blob}", s.d.blob)
			if stmt == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("migrate requests database to version %d: %w", v, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.d.q(`INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`), v, time.Now().UTC().Format(time.RFC3339)); err != nil {
			return fmt.Errorf("migrate requests database to version %d: %w", v, err)
		}
		if v == 1 {
			if _, err := tx.ExecContext(ctx, s.d.q(`INSERT INTO meta (name, value) VALUES ('created_on', $1)`), Day(time.Now()).Format(time.DateOnly)); err != nil {
				return fmt.Errorf("migrate requests database: %w", err)
			}
		}
		s.log.Info("requests database migrated", "version", v)
	}
	return tx.Commit()
}

// CreatedOn returns the day the database was created: statistics for years
// before it cannot come from it.
func (s *Store) CreatedOn(ctx context.Context) (time.Time, error) {
	v, err := s.meta(ctx, "created_on")
	if err != nil || v == "" {
		return time.Time{}, err
	}
	return time.ParseInLocation(time.DateOnly, v, China)
}

func (s *Store) meta(ctx context.Context, name string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.d.q(`SELECT value FROM meta WHERE name = $1`), name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read requests database: %w", err)
	}
	return v, nil
}

// KeyID returns the fingerprint of the key the database's data is sealed
// with, or "" when no key was used yet.
func (s *Store) KeyID(ctx context.Context) (string, error) { return s.meta(ctx, "key_id") }

// UseKey sets the key for sealing and opening personal data. The first key
// used is recorded by its fingerprint; any other key is refused, so data is
// never sealed under two keys by mistake.
func (s *Store) UseKey(ctx context.Context, sealer *Sealer) error {
	if _, err := s.db.ExecContext(ctx, s.d.q(`INSERT INTO meta (name, value) VALUES ('key_id', $1) ON CONFLICT (name) DO NOTHING`), sealer.KeyID()); err != nil {
		return fmt.Errorf("record key: %w", err)
	}
	have, err := s.KeyID(ctx)
	if err != nil {
		return err
	}
	if have != sealer.KeyID() {
		return fmt.Errorf("requests database: %w: the database was sealed with key %s, this key is %s", ErrWrongKey, have, sealer.KeyID())
	}
	s.sealer = sealer
	return nil
}

// Empty reports whether the database holds no submission and no key yet.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM applications) + (SELECT COUNT(*) FROM comments) + (SELECT COUNT(*) FROM meta WHERE name = 'key_id')`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("read requests database: %w", err)
	}
	return n == 0, nil
}

// write runs fn in a transaction; on SQLite writers queue in the process.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.d.name == DriverSQLite {
		s.writeMu.Lock()
		defer s.writeMu.Unlock()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// next allocates the next number of a counter inside tx.
func (s *Store) next(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, s.d.q(`INSERT INTO counters (name, n) VALUES ($1, 1)
		ON CONFLICT (name) DO UPDATE SET n = counters.n + 1 RETURNING n`), name).Scan(&n)
	return n, err
}

func dateText(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(China).Format(time.DateOnly)
}

func parseDate(ns sql.NullString) time.Time {
	if !ns.Valid {
		return time.Time{}
	}
	t, _ := time.ParseInLocation(time.DateOnly, ns.String, China)
	return t
}
