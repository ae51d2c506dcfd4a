package httpd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/valyala/fasthttp/fasthttputil"
	"golang.org/x/crypto/bcrypt"

	"github.com/dispatchoor/dispatchoor/actors"
	"github.com/dispatchoor/dispatchoor/github/sim"
	"github.com/dispatchoor/dispatchoor/wal"
)

// signInJournal adapts wal.Journal to actors.Journal.
type signInJournal struct{ *wal.Journal }

func (w signInJournal) LatestSnapshot() (uint64, []byte, error) {
	s, err := w.Journal.LatestSnapshot()
	if errors.Is(err, wal.ErrNoSnapshot) {
		return 0, nil, actors.ErrNoSnapshot
	}
	if err != nil {
		return 0, nil, err
	}
	return s.Index, s.Data, nil
}

// startSystem starts the live state on a journal in dir.
func startSystem(t *testing.T, dir string, clock *fakeClock) *actors.System {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	opts := wal.DefaultOptions()
	opts.Sync = wal.SyncNone
	opts.Logger = slog.New(slog.DiscardHandler)
	j, err := wal.Open(dir, opts)
	if err != nil {
		t.Fatalf("open journal: %v", err)
	}
	var ids atomic.Int64
	sys, err := actors.Start(ctx, actors.Options{
		Journal: signInJournal{j}, Logger: opts.Logger, Now: clock.Now,
		NewID: func() string { return fmt.Sprintf("id-%d", ids.Add(1)) },
	})
	if err != nil {
		t.Fatalf("start system: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		if err := sys.Stop(ctx); err != nil {
			t.Errorf("stop system: %v", err)
		}
		if err := j.Close(); err != nil {
			t.Errorf("close journal: %v", err)
		}
	})
	return sys
}

// serveSystem starts an API server over sys with GitHub sign-in.
func serveSystem(t *testing.T, sys *actors.System, clock *fakeClock, oauth *OAuthOptions) *oauthEnv {
	t.Helper()
	logs := &syncBuffer{}
	srv, err := New(Options{
		Service: sys, Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		BasicAuthEnabled: true, BasicUsers: []BasicUser{{Username: adminUser, Password: adminPass, Role: RoleAdmin}},
		GitHubAuthEnabled: true, GitHubOAuth: oauth, Now: clock.Now, bcryptCost: bcrypt.MinCost,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ln := fasthttputil.NewInmemoryListener()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &oauthEnv{testEnv: &testEnv{t: t, srv: srv, clock: clock, ln: ln, logs: logs}}
}

// TestGitHubSignInOnTheLiveState runs sign-ins against the real actors and
// journal: the session and user are journaled, a changed mapping (a new
// config after a restart) revokes the old role's session, and neither the
// access token nor the client secret ever reaches the disk.
func TestGitHubSignInOnTheLiveState(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "journal")
	clock := newFakeClock()
	sys := startSystem(t, dir, clock)
	g := newSimGitHub(t, "", []sim.OAuthUser{{Login: "carol", ID: 102, Orgs: []string{"readers", "builders"}}})

	// Users is left nil: the System is the user store.
	asAdmin := g.oauthOptions()
	asAdmin.OrgRoleMapping = map[string]string{"builders": RoleAdmin, "readers": RoleReadonly}
	first := serveSystem(t, sys, clock, asAdmin)
	first.simGitHub = g
	adminLogin := finish(t, first, first.signIn("carol", ""), "carol", RoleAdmin)

	sess, ok := sys.LookupSession(HashToken(adminLogin.Token))
	if !ok || sess.Role != RoleAdmin || sess.Provider != ProviderGitHub || sess.Username != "carol" {
		t.Fatalf("journaled session %+v (found %v)", sess, ok)
	}
	user, ok := sys.UserByGitHubID("102")
	if !ok || user.Role != RoleAdmin || user.ID != sess.UserID || user.ID != adminLogin.User.ID {
		t.Fatalf("remembered user %+v (found %v), session %+v", user, ok, sess)
	}

	asReader := g.oauthOptions()
	asReader.OrgRoleMapping = map[string]string{"readers": RoleReadonly}
	second := serveSystem(t, sys, clock, asReader)
	second.simGitHub = g
	readerLogin := finish(t, second, second.signIn("carol", ""), "carol", RoleReadonly)
	if _, ok := sys.LookupSession(HashToken(adminLogin.Token)); ok {
		t.Fatal("the admin session survived the demotion")
	}
	if u, _ := sys.UserByGitHubID("102"); u.Role != RoleReadonly || u.ID != user.ID {
		t.Fatalf("user after demotion %+v; want the same id, read-only", u)
	}
	if _, ok := sys.LookupSession(HashToken(readerLogin.Token)); !ok {
		t.Fatal("the new session is not live")
	}

	_, issued := g.tokens.snapshot()
	if len(issued) != 2 {
		t.Fatalf("%d access tokens issued; want 2", len(issued))
	}
	secrets := append(issued, oauthClientSecret, adminLogin.Token, readerLogin.Token)
	// The scan must see the records: the session's token hash is in them.
	sawHash := false
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sawHash = sawHash || bytes.Contains(b, []byte(HashToken(adminLogin.Token)))
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains the secret %q", path, s)
			}
		}
		return nil
	})
	if err != nil || !sawHash {
		t.Fatalf("scan journal: %v (saw the session record: %v)", err, sawHash)
	}
}
