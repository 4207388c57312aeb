// Package requests is the small service through which citizens write back to
// the portal: online applications for government information (依申请公开,
// 《政府信息公开条例》 art. 27–33) and comments on notices of draft decisions
// (意见征集). It imports nothing of the generator: the CLI gives it a
// Snapshot of what it needs from the content (agencies, notices and their
// comment windows, the working-day calendar), written by the build beside
// public/, and a function that renders its pages inside the site's layout.
//
// Submissions are stored in SQLite (one file, WAL) or PostgreSQL (several
// instances behind a load balancer) with one schema migrated at start.
// Personal data is sealed with AES-GCM before it reaches the database; staff
// work on cases from the command line (gongkai requests), never through a web
// admin. docs/requests.md is the manual and holds the threat model.
package requests
