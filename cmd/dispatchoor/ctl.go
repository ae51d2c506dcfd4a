package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"golang.org/x/term"
)

// `dispatchoor ctl` operates a running server through its REST API and
// WebSocket, for people (tables) and scripts (--json, exit codes).

const ctlUsage = `dispatchoor ctl: operate a dispatchoor server from the command line

Usage:
  dispatchoor ctl [--url URL] [--json] COMMAND [ARGS]

Commands:
  login [--username NAME] [--password-stdin | --token-stdin]
                                 sign in and store the session token
  logout                         end the stored session and forget it
  groups                         list runner groups with their counts
  queue GROUP                    list a group's active and pending jobs
  runners [GROUP]                list runners, or those a group can use
  job JOB                        show one job
  add GROUP --template ID [--input K=V]... [--auto-requeue] [--requeue-limit N] [--priority N]
  add GROUP --owner O --repo R --workflow FILE --ref REF [--name NAME] [--input K=V]... [--label K=V]...
                                 enqueue a job from a template, or a manual job
  cancel JOB                     cancel a job and its GitHub run
  pause GROUP | pause --job JOB  stop dispatching a group, or hold one pending job
  resume GROUP | resume --job JOB
  reorder GROUP JOB...           move pending jobs to the front, in this order
  watch JOB                      follow a job live until it finishes

Server and credentials:
  the server is --url, else $DISPATCHOOR_URL, else the URL stored by login,
  else http://127.0.0.1:9090; the token is $DISPATCHOOR_TOKEN, else the one
  login stored in $XDG_CONFIG_HOME/dispatchoor/token (~/.config when unset).

Output:
  tables for people; --json prints the server's JSON for scripts (watch: one
  JSON object per line, each change of the job).

Exit codes:
  0   success (watch: the job completed)
  1   error: network, server or unexpected failure
  2   usage: bad command line
  3   not found: no such group, job or template
  4   not signed in, session expired, or not allowed (the admin role is needed)
  5   refused: the server rejected the request (invalid input, or not possible
      in the job's current state)
  6   unavailable: rate-limited or the server is not ready; try again later
  10  watch: the job failed
  11  watch: the job was cancelled (or removed)
`

// Exit codes of ctl, documented in ctlUsage; scripts rely on them.
const (
	exitError        = 1
	exitUsage        = 2
	exitNotFound     = 3
	exitUnauthorized = 4
	exitRefused      = 5
	exitUnavailable  = 6
	exitJobFailed    = 10
	exitJobCancelled = 11
)

// ctlExit is an error with the exit code main should use.
type ctlExit struct {
	code int
	err  error
}

func (e *ctlExit) Error() string { return e.err.Error() }
func (e *ctlExit) Unwrap() error { return e.err }

// ExitCode is the process exit code for the error.
func (e *ctlExit) ExitCode() int { return e.code }

func exitWith(code int, format string, args ...any) error {
	return &ctlExit{code: code, err: fmt.Errorf(format, args...)}
}

// ctlEnv is what ctl needs of the process, injectable for tests.
type ctlEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// readPassword reads a password from the terminal without echo; nil
	// when stdin is not a terminal.
	readPassword func() (string, error)
	// transport sends the API requests; nil is http.DefaultTransport.
	transport http.RoundTripper
}

// processCtlEnv is the environment of the real process.
func processCtlEnv(stdout, stderr io.Writer) ctlEnv {
	env := ctlEnv{stdin: os.Stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		env.readPassword = func() (string, error) {
			b, err := term.ReadPassword(fd)
			return string(b), err
		}
	}
	return env
}

// ctl is one invocation: global options and the server connection.
type ctl struct {
	env    ctlEnv
	json   bool
	url    string
	client *apiClient
}

func runCtl(ctx context.Context, args []string, env ctlEnv) error {
	fs := flag.NewFlagSet("ctl", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() { fmt.Fprint(env.stderr, ctlUsage) }
	c := &ctl{env: env}
	fs.StringVar(&c.url, "url", "", "server URL")
	fs.BoolVar(&c.json, "json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprint(env.stderr, ctlUsage)
		return errUsage
	}
	if rest[0] == "help" {
		fmt.Fprint(env.stdout, ctlUsage)
		return nil
	}
	cmd, ok := ctlCommands[rest[0]]
	if !ok {
		fmt.Fprintf(env.stderr, "dispatchoor ctl: unknown command %q\n\n%s", rest[0], ctlUsage)
		return errUsage
	}
	if err := c.connect(); err != nil {
		return err
	}
	return cmd(ctx, c, rest[1:])
}

type ctlCommand func(ctx context.Context, c *ctl, args []string) error

// ctlCommands is filled in init to break the initialisation cycle between
// the table and the usage the commands print.
var ctlCommands map[string]ctlCommand

func init() {
	ctlCommands = map[string]ctlCommand{
		"login":   ctlLogin,
		"logout":  ctlLogout,
		"groups":  ctlGroups,
		"queue":   ctlQueue,
		"runners": ctlRunners,
		"job":     ctlShowJob,
		"add":     ctlAdd,
		"cancel":  ctlCancel,
		"pause":   ctlPause(true),
		"resume":  ctlPause(false),
		"reorder": ctlReorder,
		"watch":   ctlWatch,
	}
}

// usageError reports a command-line mistake of one command.
func (c *ctl) usageError(format string, args ...any) error {
	fmt.Fprintf(c.env.stderr, "dispatchoor ctl: "+format+"\n", args...)
	return errUsage
}

// flags makes a flag set for a command whose own usage is line.
func (c *ctl) flags(name, line string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.env.stderr)
	fs.Usage = func() { fmt.Fprintf(c.env.stderr, "usage: dispatchoor ctl %s\n", line) }
	fs.BoolVar(&c.json, "json", c.json, "print JSON")
	return fs
}

// parse parses a command's flags and checks its positional arguments: at
// least min, at most max (-1: any number).
func (c *ctl) parse(fs *flag.FlagSet, args []string, min, max int) ([]string, error) {
	// Flags may follow positional arguments ("queue ci --json" reads
	// naturally), so parse until every argument is consumed.
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	if len(pos) < min || (max >= 0 && len(pos) > max) {
		fs.Usage()
		return nil, errUsage
	}
	return pos, nil
}

// keyValues is a repeatable K=V flag.
type keyValues map[string]string

func (kv keyValues) String() string { return "" }

func (kv keyValues) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q: want KEY=VALUE", s)
	}
	kv[k] = v
	return nil
}
