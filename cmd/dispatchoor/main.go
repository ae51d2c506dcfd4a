// Command dispatchoor is a GitHub Actions orchestrator for self-hosted
// runners: it keeps a prioritised queue per runner group and dispatches
// workflow runs only when a matching runner is idle.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Set at build time with -ldflags "-X main.Version=... -X main.GitCommit=... -X main.BuildDate=...".
var (
	Version   = "dev"
	GitCommit = "unknown"
	BuildDate = "unknown"
)

const usage = `dispatchoor: dispatch GitHub Actions workflows when matching self-hosted runners are idle

Usage:
  dispatchoor server --config FILE      run the server
  dispatchoor demo [--listen ADDR]      the server with a simulated GitHub, a demo config and logins
  dispatchoor sim --listen ADDR         the GitHub simulator alone
  dispatchoor replay --data DIR         audit the journal: events, --at TIME, --verify
  dispatchoor ctl COMMAND               operate a server: groups, queue, add, cancel, watch, ...
  dispatchoor version                   print the version

Run 'dispatchoor COMMAND --help' for a command's flags.
`

// errUsage marks a command-line mistake: exit code 2, like flag.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	var coded interface{ ExitCode() int }
	switch {
	case err == nil:
	case errors.Is(err, errUsage):
		os.Exit(2)
	case errors.As(err, &coded):
		fmt.Fprintln(os.Stderr, "dispatchoor:", err)
		os.Exit(coded.ExitCode())
	default:
		fmt.Fprintln(os.Stderr, "dispatchoor:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "server":
		return runServer(ctx, args[1:], stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "sim":
		return runSim(ctx, args[1:], stdout, stderr)
	case "replay":
		return runReplay(ctx, args[1:], stdout, stderr)
	case "ctl":
		return runCtl(ctx, args[1:], processCtlEnv(stdout, stderr))
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "dispatchoor %s\n  Git commit: %s\n  Build date: %s\n", Version, GitCommit, BuildDate)
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "dispatchoor: unknown command %q\n\n%s", args[0], usage)
	return errUsage
}
