package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// defaultCtlURL is the server ctl talks to when nothing else says.
const defaultCtlURL = "http://127.0.0.1:9090"

// credentials are the stored login: the token and the server it is for,
// in $XDG_CONFIG_HOME/dispatchoor/{token,url}.
type credentials struct{ dir string }

func (c *ctl) credentials() (credentials, error) {
	base := c.env.getenv("XDG_CONFIG_HOME")
	if base == "" {
		home := c.env.getenv("HOME")
		if home == "" {
			return credentials{}, errors.New("neither XDG_CONFIG_HOME nor HOME is set: nowhere to keep the token")
		}
		base = filepath.Join(home, ".config")
	}
	return credentials{dir: filepath.Join(base, "dispatchoor")}, nil
}

func (s credentials) tokenPath() string { return filepath.Join(s.dir, "token") }
func (s credentials) urlPath() string   { return filepath.Join(s.dir, "url") }

// read returns a stored value, "" when there is none.
func (s credentials) read(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// save stores the token (readable by its owner only) and the server URL.
func (s credentials) save(token, url string) error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", s.dir, err)
	}
	if err := writePrivate(s.tokenPath(), token+"\n"); err != nil {
		return err
	}
	return writePrivate(s.urlPath(), url+"\n")
}

// writePrivate replaces path with data, mode 0600 from the first byte: the
// temp file is created with that mode, so the token is never readable by
// others, not even briefly.
func writePrivate(path, data string) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := f.WriteString(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func (s credentials) forget() error {
	for _, p := range []string{s.tokenPath(), s.urlPath()} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove %s: %w", p, err)
		}
	}
	return nil
}

// connect resolves the server URL and the token, and builds the client.
func (c *ctl) connect() error {
	creds, err := c.credentials()
	if err != nil {
		return &ctlExit{code: exitError, err: err}
	}
	url := c.url
	if url == "" {
		url = c.env.getenv("DISPATCHOOR_URL")
	}
	if url == "" {
		if url, err = creds.read(creds.urlPath()); err != nil {
			return err
		}
	}
	if url == "" {
		url = defaultCtlURL
	}
	token := c.env.getenv("DISPATCHOOR_TOKEN")
	if token == "" {
		if token, err = creds.read(creds.tokenPath()); err != nil {
			return err
		}
	}
	c.url = strings.TrimRight(url, "/")
	c.client, err = newAPIClient(c.url, token, c.env.transport)
	return err
}

// requireToken fails early, with the exit code for it, when no token is
// known: every command but login needs one.
func (c *ctl) requireToken() error {
	if c.client.token == "" {
		return exitWith(exitUnauthorized, "not signed in: run 'dispatchoor ctl login' or set DISPATCHOOR_TOKEN")
	}
	return nil
}

func ctlLogin(ctx context.Context, c *ctl, args []string) error {
	fs := c.flags("login", "login [--username NAME] [--password-stdin | --token-stdin]")
	username := fs.String("username", "", "basic-auth user (asked for when not given)")
	passwordStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	tokenStdin := fs.Bool("token-stdin", false, "read a session token (from a GitHub sign-in in the browser) from standard input")
	if _, err := c.parse(fs, args, 0, 0); err != nil {
		return err
	}
	if *passwordStdin && *tokenStdin {
		return c.usageError("login: --password-stdin and --token-stdin exclude each other")
	}
	in := bufio.NewReader(c.env.stdin)
	var token string
	if *tokenStdin {
		t, err := ctlReadLine(in)
		if err != nil || t == "" {
			return c.usageError("login: no token on standard input")
		}
		token = t
	} else {
		t, err := c.passwordLogin(ctx, in, *username, *passwordStdin)
		if err != nil {
			return err
		}
		token = t
	}
	// Check the token before keeping it: a pasted token may be wrong.
	c.client.token = token
	var me struct {
		Username string `json:"username"`
		Role     string `json:"role"`
	}
	if _, err := c.client.get(ctx, "/api/v1/auth/me", &me); err != nil {
		return err
	}
	creds, err := c.credentials()
	if err != nil {
		return err
	}
	if err := creds.save(token, c.url); err != nil {
		return err
	}
	fmt.Fprintf(c.env.stdout, "Signed in to %s as %s (%s).\n", c.url, me.Username, me.Role)
	return nil
}

// passwordLogin asks for what is missing and signs in with a password.
func (c *ctl) passwordLogin(ctx context.Context, in *bufio.Reader, username string, fromStdin bool) (string, error) {
	var err error
	if username == "" {
		if fromStdin {
			return "", c.usageError("login: --password-stdin needs --username")
		}
		fmt.Fprint(c.env.stderr, "Username: ")
		if username, err = ctlReadLine(in); err != nil || username == "" {
			return "", c.usageError("login: no username given")
		}
	}
	var password string
	switch {
	case fromStdin:
		password, err = ctlReadLine(in)
	case c.env.readPassword != nil:
		fmt.Fprint(c.env.stderr, "Password: ")
		password, err = c.env.readPassword()
		fmt.Fprintln(c.env.stderr)
	default:
		return "", c.usageError("login: standard input is not a terminal: use --password-stdin")
	}
	if err != nil || password == "" {
		return "", c.usageError("login: no password given")
	}
	var resp struct {
		Token string `json:"token"`
	}
	body := map[string]string{"username": username, "password": password}
	if _, err := c.client.send(ctx, "POST", "/api/v1/auth/login", body, &resp); err != nil {
		return "", err
	}
	return resp.Token, nil
}

// readLine reads one line without its line ending.
func ctlReadLine(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func ctlLogout(ctx context.Context, c *ctl, args []string) error {
	fs := c.flags("logout", "logout")
	if _, err := c.parse(fs, args, 0, 0); err != nil {
		return err
	}
	creds, err := c.credentials()
	if err != nil {
		return err
	}
	if c.client.token != "" {
		// An already expired session is fine: the point is that it ends.
		if _, err := c.client.do(ctx, "POST", "/api/v1/auth/logout", nil); err != nil {
			if ce, ok := errors.AsType[*ctlExit](err); !ok || ce.code != exitUnauthorized {
				return err
			}
		}
	}
	if err := creds.forget(); err != nil {
		return err
	}
	fmt.Fprintln(c.env.stdout, "Signed out.")
	return nil
}
