package config

import (
	"errors"
	"fmt"
	"strings"
)

// Environment references are replaced in the raw text before decoding, so a
// variable can supply any value, numbers and booleans included. The rules:
//
//   - ${NAME} is replaced by the variable's value; NAME is
//     [A-Za-z_][A-Za-z0-9_]*.
//   - ${NAME:-default} uses default when NAME is unset or empty. The default
//     is taken verbatim up to the first '}'.
//   - $$ is a literal $. Any other $ (a bare $NAME included) is left alone,
//     so a password such as "pa$word" survives; the reference system
//     expanded $NAME and broke such passwords.
//   - A malformed ${...} is an error rather than literal text, so a typo in a
//     reference is reported instead of becoming part of a value.
//   - An unset NAME without a default is an error naming the variable and,
//     when the reference lands in a string value, the key (see unsetVar).
//
// TOML gets more care than YAML, because its lexical structure is simple
// enough to follow exactly: references inside comments are left untouched,
// and a value placed inside a "..." string is escaped, so a secret holding a
// quote or a backslash arrives intact. YAML text is substituted verbatim, as
// the reference system did.

// markerPrefix starts the placeholder that stands for an unset variable until
// decoding shows which key it landed in. It is plain ASCII so that it is a
// valid part of any string form in both TOML and YAML.
const markerPrefix = "__dispatchoor_unset_"

// unsetVar is a ${NAME} reference to a variable that is not set.
type unsetVar struct {
	name   string
	line   int
	marker string
}

// expansion is the text after substitution, with the unset references it
// contains.
type expansion struct {
	text  string
	unset []unsetVar
}

// lookupFunc reports a variable's value and whether it is set, like
// os.LookupEnv.
type lookupFunc func(name string) (string, bool)

// expandEnv substitutes environment references in src. The error lists every
// malformed reference and every value that cannot be written where its
// reference stands.
func expandEnv(src string, f format, lookup lookupFunc) (expansion, error) {
	var (
		out    strings.Builder
		exp    expansion
		errs   []error
		lx     tomlLexer
		line   = 1
		isTOML = f == formatTOML
	)
	out.Grow(len(src))
	for i := 0; i < len(src); {
		ctx := ctxRaw
		if isTOML {
			ctx = lx.state
		}
		if src[i] == '$' && ctx != ctxComment && i+1 < len(src) {
			switch src[i+1] {
			case '$':
				out.WriteByte('$')
				i += 2
				continue
			case '{':
				ref, n, err := parseRef(src[i:])
				if err != nil {
					errs = append(errs, fmt.Errorf("line %d: %w", line, err))
					i += n
					continue
				}
				text, err := resolveRef(ref, ctx, lookup, &exp, line)
				if err != nil {
					errs = append(errs, fmt.Errorf("line %d: %w", line, err))
				}
				out.WriteString(text)
				i += n
				continue
			}
		}
		n := 1
		if isTOML {
			n = lx.advance(src, i)
		}
		line += strings.Count(src[i:i+n], "\n")
		out.WriteString(src[i : i+n])
		i += n
	}
	exp.text = out.String()
	return exp, errors.Join(errs...)
}

// varRef is a parsed ${NAME} or ${NAME:-default}.
type varRef struct {
	name       string
	def        string
	hasDefault bool
}

// parseRef parses the reference at the start of s, which begins with "${".
// It returns the bytes consumed, also on error, so scanning can go on.
func parseRef(s string) (varRef, int, error) {
	end := strings.IndexAny(s, "}\n")
	if end < 0 || s[end] != '}' {
		return varRef{}, 2, errors.New(`unterminated "${" (write "$${" for a literal "${")`)
	}
	body := s[2:end]
	var ref varRef
	ref.name = body
	if k := strings.Index(body, ":-"); k >= 0 {
		ref.name, ref.def, ref.hasDefault = body[:k], body[k+2:], true
	}
	if !validVarName(ref.name) {
		return varRef{}, end + 1, fmt.Errorf("invalid environment variable name %q in %q", ref.name, s[:end+1])
	}
	return ref, end + 1, nil
}

func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// resolveRef returns the text that replaces ref in a lexical context. An
// unset variable without a default becomes a marker recorded in exp.
func resolveRef(ref varRef, ctx lexContext, lookup lookupFunc, exp *expansion, line int) (string, error) {
	value, ok := lookup(ref.name)
	if ref.hasDefault && value == "" {
		// The default is file text already written for this context.
		return ref.def, nil
	}
	if !ok {
		u := unsetVar{name: ref.name, line: line, marker: fmt.Sprintf("%s%d__", markerPrefix, len(exp.unset))}
		exp.unset = append(exp.unset, u)
		return u.marker, nil
	}
	text, err := escapeFor(ctx, value)
	if err != nil {
		return "", fmt.Errorf("the value of %s %w", ref.name, err)
	}
	return text, nil
}

// Refusals of escapeFor. They never include the value: it may be a secret.
var (
	errLiteralValue = errors.New(
		`contains a single quote or a control character, which a '...' string cannot hold; use a "..." string`)
	errMultiLiteralValue = errors.New(
		`contains ''', a leading newline or a control character, which a '''...''' string cannot hold; use a "..." string`)
)

// escapeFor writes value so that, decoded in ctx, it reads back exactly.
func escapeFor(ctx lexContext, value string) (string, error) {
	switch ctx {
	case ctxBasic, ctxMultiBasic:
		return escapeBasic(value), nil
	case ctxLiteral:
		if strings.ContainsFunc(value, func(r rune) bool { return r == '\'' || (isControl(r) && r != '\t') }) {
			return "", errLiteralValue
		}
	case ctxMultiLiteral:
		// TOML drops a newline right after the opening delimiter, so a value
		// starting with one could not be read back.
		bad := strings.HasPrefix(value, "\n") || strings.ContainsFunc(value, func(r rune) bool {
			return isControl(r) && r != '\t' && r != '\n'
		})
		if bad || strings.Contains(value, "'''") {
			return "", errMultiLiteralValue
		}
	}
	return value, nil
}

func escapeBasic(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteByte('\t')
		case isControl(r):
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
