package config

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
)

// LoadOptions adjusts loading; the zero value reads the real environment,
// file system and network.
type LoadOptions struct {
	// LookupEnv resolves ${NAME} references; nil means os.LookupEnv.
	LookupEnv func(name string) (string, bool)

	// Test hooks, nil in production: readFile replaces os.ReadFile for
	// template files, fetch replaces the HTTP fetch of template URLs.
	readFile func(path string) ([]byte, error)
	fetch    func(ctx context.Context, f *fetcher, rawURL string) ([]byte, error)
}

// Load reads, expands, decodes and validates the config file at path. The
// format follows the extension: ".toml", or ".yaml"/".yml" for a reference
// system config. Template URLs are fetched without a deadline beyond
// templates.url_timeout; use LoadContext to bound or cancel the whole load.
func Load(path string, opts LoadOptions) (*Config, error) {
	return LoadContext(context.Background(), path, opts)
}

// LoadContext is Load with a context for the template URL fetches.
func LoadContext(ctx context.Context, path string, opts LoadOptions) (*Config, error) {
	f, err := parseFormat(filepath.Ext(path))
	if err != nil {
		return nil, fmt.Errorf("load config %s: %w", path, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	c, err := newLoader(filepath.Dir(path), opts).parse(ctx, data, f)
	if err != nil {
		return nil, fmt.Errorf("load config %s: %w", path, err)
	}
	c.Path = path
	return c, nil
}

// Parse loads a config from memory. format is "toml", "yaml" or "yml";
// relative template file paths are resolved against baseDir (the working
// directory if baseDir is empty).
func Parse(data []byte, format, baseDir string, opts LoadOptions) (*Config, error) {
	return ParseContext(context.Background(), data, format, baseDir, opts)
}

// ParseContext is Parse with a context for the template URL fetches.
func ParseContext(ctx context.Context, data []byte, format, baseDir string, opts LoadOptions) (*Config, error) {
	f, err := parseFormat(format)
	if err != nil {
		return nil, err
	}
	return newLoader(baseDir, opts).parse(ctx, data, f)
}

// loader carries what one load needs besides the document.
type loader struct {
	baseDir  string
	lookup   lookupFunc
	readFile func(path string) ([]byte, error)
	fetch    func(ctx context.Context, f *fetcher, rawURL string) ([]byte, error)
}

func newLoader(baseDir string, opts LoadOptions) *loader {
	l := &loader{
		baseDir:  baseDir,
		lookup:   opts.LookupEnv,
		readFile: opts.readFile,
		fetch:    opts.fetch,
	}
	if l.lookup == nil {
		l.lookup = os.LookupEnv
	}
	if l.readFile == nil {
		l.readFile = os.ReadFile
	}
	if l.fetch == nil {
		l.fetch = func(ctx context.Context, f *fetcher, rawURL string) ([]byte, error) {
			return f.fetch(ctx, rawURL)
		}
	}
	return l
}

// parse runs the whole pipeline described in the package documentation.
func (l *loader) parse(ctx context.Context, data []byte, f format) (*Config, error) {
	exp, err := expandEnv(string(data), f, l.lookup)
	if err != nil {
		return nil, fmt.Errorf("expand environment variables: %w", err)
	}
	doc := newDocument(Default())
	defined, unknown, err := decodeInto(exp.text, f, &doc)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", f, exp.decodeFailure(err))
	}
	var p problems
	p.add(unknown...)
	// The database section is never used, so it needs no variables.
	used := doc
	used.Database = nil
	p.add(exp.unsetErrors(used, "")...)
	c := doc.config()
	l.collectTemplates(ctx, c, &p)
	applyImplicitDefaults(c, defined)
	validate(c, &p)
	if err := p.err(); err != nil {
		return nil, exp.restoreRefs(err)
	}
	advise(c)
	return c, nil
}

// problems collects every error found, so the user sees them all at once.
type problems struct {
	errs []error
}

func (p *problems) add(errs ...error) { p.errs = append(p.errs, errs...) }

func (p *problems) addf(format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf(format, args...))
}

func (p *problems) err() error { return errors.Join(p.errs...) }

func parseURLPath(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	return u.Path, nil
}
