package generator

import "strings"

// The structured fields that a kind's page shows beyond its Markdown body are
// searchable too: each kind returns them as plain text (Record.SearchText).

func joinText(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString(p)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// SearchText returns the guide's code, conditions, materials, legal basis,
// procedure and place.
func (a *Approval) SearchText() string {
	parts := []string{a.Code, a.Category, a.Quantity, a.Place.Address, a.Place.Window, a.Place.Hours, a.Phone}
	parts = append(parts, a.Conditions...)
	for _, m := range a.Materials {
		parts = append(parts, m.Name, m.Requirements, m.Source)
	}
	for _, p := range append(append([]Provision(nil), a.Basis.Setup...), a.Basis.Implementing...) {
		parts = append(parts, p.Law+p.Article, p.Text)
	}
	for _, s := range a.Steps {
		parts = append(parts, s.Name, s.Actor, s.Detail)
	}
	return joinText(parts...)
}

// SearchText returns the fee's sub-items, legal basis, payer and history.
func (f *Fee) SearchText() string {
	parts := []string{f.Payer, f.FundManagement}
	for _, s := range f.SubItems {
		parts = append(parts, s.Name, s.Note)
	}
	for _, d := range f.Basis {
		parts = append(parts, d.DocNo, d.Title)
	}
	for _, h := range f.History {
		parts = append(parts, h.Action, h.DocNo, h.DocTitle, h.Note)
	}
	return joinText(parts...)
}

// SearchText returns the channel's contact, hours, place and procedure.
func (ch *Channel) SearchText() string {
	parts := []string{ch.Type, ch.Contact, ch.Hours, ch.Place, ch.Progress, ch.TimeLimit}
	parts = append(parts, ch.Procedure...)
	return joinText(parts...)
}

// SearchText returns the notice's explanation, how to comment, the hearing
// and the outcome.
func (n *Notice) SearchText() string {
	parts := []string{n.Explanation, n.Comment.How, n.Comment.ShortReason}
	if h := n.Hearing; h != nil {
		parts = append(parts, h.Place, h.Selection, h.Summary)
	}
	if o := n.Outcome; o != nil {
		parts = append(parts, o.Result, o.Document, o.HowUsed)
	}
	return joinText(parts...)
}

// SearchText returns the report's sections.
func (r *Report) SearchText() string {
	s := r.Sections
	return joinText(s.Overview, s.Proactive, s.Applications, s.Review, s.Problems, s.Other)
}

// SearchText returns the statistics' period. Its page's tables (their labels
// and figures) reach the index as the page's main text.
func (h *Handling) SearchText() string { return h.Period.Name }
