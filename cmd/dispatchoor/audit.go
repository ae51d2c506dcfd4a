package main

import (
	"context"

	"github.com/dispatchoor/dispatchoor/audit"
	httpd "github.com/dispatchoor/dispatchoor/http"
)

// startAudit serves the audit routes from an index of the journal. The
// index scans the journal in the background (queries wait for it) and then
// follows the committed events; the returned function stops it.
func startAudit(ctx context.Context, a *app) (stop func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	idx := audit.NewIndex(a.journal, audit.IndexOptions{Logger: a.log.With("component", "audit")})
	idx.Start(ctx, a.sys.Subscribe)
	stop = func() {
		cancel()
		<-idx.Done()
	}
	if err := httpd.RegisterAudit(a.http, idx); err != nil {
		stop()
		return nil, err
	}
	return stop, nil
}
