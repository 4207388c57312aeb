// Package browsertest holds gongkai's real-browser tests. It has no code of
// its own: the tests build the sample portal (content/ at the repository
// root), serve it with the handler `gongkai serve` uses on 127.0.0.1, and
// drive Debian's Chromium through go-rod.
//
// They check what a citizen meets in a browser: every page type at 1280 and
// 360 px audited with axe-core (WCAG 2.1 A and AA), no request leaving
// 127.0.0.1, no console error or failed request, no sideways scrolling on a
// phone, search with and without JavaScript, keyboard-only use, the large-font
// and high-contrast options, printing and attachment downloads.
//
// Set-up: Chromium at /usr/lib/chromium/chromium (apt-get install chromium
// fonts-noto-cjk poppler-utils) and axe-core from the pinned package.json
// (npm ci in this folder). Without Chromium the tests skip with a message;
// GONGKAI_REQUIRE_BROWSER=1 (set by .ci/run) turns every skip into a failure.
//
//	go test ./cmd/internal/browsertest/ -v -args -shots /tmp/shots
//
// writes a full-page screenshot of every audited page to /tmp/shots.
package browsertest
