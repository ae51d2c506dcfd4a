package config

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// A template document (a file or a URL) holds a list of templates with the
// same keys as an inline `[[groups.github.workflow_dispatch_templates]]`:
//
//   - TOML (a name ending in ".toml"): an array of tables named `templates`,
//     that is `[[templates]]` entries. TOML has no top-level arrays.
//   - YAML (any other name): a top-level list of templates, as in the
//     reference system, or a mapping with a `templates` list.
//
// Environment references are expanded in it as in the config file.

// templateFile is a TOML template document, and a YAML one in its mapping
// form.
type templateFile struct {
	Templates []Template `toml:"templates" yaml:"templates"`
}

// collectTemplates appends the templates of every file and URL of every
// group, in that order, after the inline ones. Problems are added to p; a
// source that fails contributes no templates.
func (l *loader) collectTemplates(ctx context.Context, c *Config, p *problems) {
	var f *fetcher
	if c.Templates.URLTimeout > 0 && c.Templates.URLMaxBytes > 0 {
		f = newFetcher(c.Templates)
		defer f.close()
	}
	for gi := range c.Groups {
		g := &c.Groups[gi]
		for _, name := range g.TemplateFiles {
			if strings.Contains(name, markerPrefix) {
				continue // holds an unset variable, already reported
			}
			data, err := l.readFile(l.resolvePath(name))
			if err != nil {
				p.addf("group %s: template file %q: %w", groupName(g, gi), name, err)
				continue
			}
			l.addTemplates(c, g, gi, data, formatOfName(name), SourceFile, name, p)
		}
		for _, u := range g.TemplateURLs {
			if f == nil || strings.Contains(u, markerPrefix) {
				continue // invalid fetch settings or an unset variable: reported elsewhere
			}
			data, err := l.fetch(ctx, f, u)
			if err != nil {
				p.addf("group %s: template URL %q: %w", groupName(g, gi), u, err)
				continue
			}
			urlPath := u
			if pu, err := parseURLPath(u); err == nil {
				urlPath = pu
			}
			l.addTemplates(c, g, gi, data, formatOfName(urlPath), SourceURL, u, p)
		}
	}
}

// addTemplates decodes one template document and appends its templates to g.
func (l *loader) addTemplates(c *Config, g *Group, gi int, data []byte, f format, source, where string, p *problems) {
	ts, warn, errs := l.parseTemplates(data, f)
	label := fmt.Sprintf("group %s: template %s %q", groupName(g, gi), sourceNoun(source), where)
	for _, err := range errs {
		p.addf("%s: %w", label, err)
	}
	if len(errs) > 0 {
		return
	}
	if warn != "" {
		c.Warnings = append(c.Warnings, label+": "+warn)
	}
	for _, t := range ts {
		t.GroupID, t.SourceType, t.SourcePath = g.ID, source, where
		g.Templates = append(g.Templates, t)
	}
}

// parseTemplates decodes a template document. It returns a warning for a
// document without templates, which is legal but most likely a mistake.
func (l *loader) parseTemplates(data []byte, f format) ([]Template, string, []error) {
	exp, err := expandEnv(string(data), f, l.lookup)
	if err != nil {
		return nil, "", []error{fmt.Errorf("expand environment variables: %w", err)}
	}
	var doc templateFile
	var decodeErr error
	var unknown []error
	if f == formatYAML && yamlRootIsList(exp.text) {
		_, unknown, decodeErr = decodeInto(exp.text, f, &doc.Templates)
	} else {
		_, unknown, decodeErr = decodeInto(exp.text, f, &doc)
	}
	if decodeErr != nil {
		return nil, "", []error{fmt.Errorf("parse: %w", exp.decodeFailure(decodeErr))}
	}
	errs := append(unknown, exp.unsetErrors(doc, "")...)
	if len(doc.Templates) == 0 && len(errs) == 0 {
		return nil, "document holds no templates", nil
	}
	return doc.Templates, "", errs
}

// yamlRootIsList reports whether a YAML document is a top-level sequence.
func yamlRootIsList(text string) bool {
	var root yaml.Node
	if yaml.Unmarshal([]byte(text), &root) != nil || len(root.Content) == 0 {
		return false
	}
	return root.Content[0].Kind == yaml.SequenceNode
}

// resolvePath resolves a template file path against the config file's
// directory.
func (l *loader) resolvePath(name string) string {
	if filepath.IsAbs(name) || l.baseDir == "" {
		return name
	}
	return filepath.Join(l.baseDir, name)
}

// groupName names a group in an error message: by id, or by position when
// the id is missing.
func groupName(g *Group, index int) string {
	if g.ID == "" {
		return fmt.Sprintf("groups.github[%d]", index)
	}
	return fmt.Sprintf("%q", g.ID)
}

// sourceNoun names a template source in messages: "file" or "URL".
func sourceNoun(source string) string {
	if source == SourceURL {
		return "URL"
	}
	return source
}
