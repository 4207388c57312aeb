package search

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Settings holds what a site gives the search beyond its records: the
// synonyms, the words of the results page in the site's language (from the
// theme's i18n file), the names of the kinds of records (the same as the
// site's navigation), the columns to suggest when nothing is found, and the
// page for requesting information (依申请公开). Build stores them with the
// index (settings.json), so a server started without the content has them.
type Settings struct {
	// Synonyms are the synonym groups; nil means DefaultSynonyms.
	Synonyms [][]string `json:"synonyms"`
	// Labels maps the keys in LabelKeys to text. A missing key shows as
	// the key itself, so a gap is visible rather than silently English.
	Labels map[string]string `json:"labels,omitempty"`
	// KindLabels names the kinds of records ("policy" → 政策文件); a kind
	// without a name shows its code.
	KindLabels map[string]string `json:"kind_labels,omitempty"`
	// Columns are the site's columns, suggested when nothing is found.
	Columns []Column `json:"columns,omitempty"`
	// ApplyURL is the page that explains how to request information that
	// is not published (依申请公开); empty leaves the link out.
	ApplyURL string `json:"apply_url,omitempty"`

	once sync.Once
	an   *Analyzer
}

const settingsFile = "settings.json"

func writeSettings(dir string, s *Settings) error {
	if s == nil {
		return nil
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, settingsFile), append(b, '\n'), 0o644)
}

// readSettings reads the settings stored with an index; an index built
// without them gets nil.
func readSettings(dir string) (*Settings, error) {
	b, err := os.ReadFile(filepath.Join(dir, settingsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var s Settings
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("read %s: %w", settingsFile, err)
	}
	return &s, nil
}

// Column is a column of the site (a section of the navigation) that holds
// records of some kinds.
type Column struct {
	Label string   `json:"label"`
	URL   string   `json:"url"`
	Kinds []string `json:"kinds,omitempty"`
}

// LabelKeys lists every key of Settings.Labels the search uses, with what it
// is for. The theme's i18n file must define each (the CLI's tests check).
var LabelKeys = []string{
	"search_facet_kind", "search_facet_agency", "search_facet_topic", "search_facet_year", "search_facet_validity",
	"search_facet_category", // 类别: the disclosure directory's category
	"search_year_value",     // %s年
	"search_sort_relevance", // 按相关度
	"search_sort_date",      // 按日期
	"search_msg_query_too_long", "search_msg_too_many_terms", "search_msg_ignored_term",
	"search_msg_unknown_filter", "search_remove_value", "search_remove_all_filters",
	"search_msg_page_range", "search_msg_no_results", "search_msg_no_results_filters", "search_msg_no_results_terms",
	"search_msg_partial", "search_quote",
	"search_read_as", "search_read_dropped", "search_read_or", "search_read_sep",
	"search_intent", // ，%s排在前面: the kinds an intent puts first
	"search_did_you_mean", "search_nearest_columns", "search_apply", "search_apply_link",
	"search_unavailable",
	"search_matched", // before the words a partial match holds (the theme's results page)
}

var defaultSettings = &Settings{}

// Analyzer returns the analyser of the settings' synonyms.
func (s *Settings) Analyzer() *Analyzer {
	if s == nil || s.Synonyms == nil {
		return defaultAnalyzer
	}
	s.once.Do(func() { s.an = NewAnalyzer(s.Synonyms) })
	return s.an
}

// label returns the text for key, formatted with args when it has verbs.
func (s *Settings) label(key string, args ...any) string {
	t, ok := "", false
	if s != nil {
		t, ok = s.Labels[key]
	}
	if !ok {
		t = key
		for range args {
			t += " %v"
		}
	}
	if len(args) == 0 {
		return t
	}
	return fmt.Sprintf(t, args...)
}

func (s *Settings) kindLabel(k string) string {
	if s != nil {
		if l, ok := s.KindLabels[k]; ok {
			return l
		}
	}
	return k
}

// quoted puts words in the language's quotation marks, joined by sep.
func (s *Settings) quoted(words []string, sepKey string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = s.label("search_quote", w)
	}
	return strings.Join(q, s.label(sepKey))
}
