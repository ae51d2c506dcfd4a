package config

import "strings"

// lexContext is where a byte of a TOML document stands, as far as
// environment substitution cares.
type lexContext int

const (
	ctxRaw          lexContext = iota // outside strings and comments (and all of YAML)
	ctxComment                        // after # up to the end of the line
	ctxBasic                          // "..."
	ctxMultiBasic                     // """..."""
	ctxLiteral                        // '...'
	ctxMultiLiteral                   // '''...'''
)

// tomlLexer follows just enough of TOML's lexical grammar to know whether a
// position is in a comment or in which kind of string. It never fails: on
// malformed input it keeps going, and the TOML decoder reports the problem.
type tomlLexer struct {
	state lexContext
}

// advance consumes the token starting at src[i] (one byte, an escape pair, or
// a string delimiter), updates the state and returns the bytes consumed.
func (lx *tomlLexer) advance(src string, i int) int {
	rest := src[i:]
	switch lx.state {
	case ctxRaw:
		switch {
		case rest[0] == '#':
			lx.state = ctxComment
		case strings.HasPrefix(rest, `"""`):
			lx.state = ctxMultiBasic
			return 3
		case rest[0] == '"':
			lx.state = ctxBasic
		case strings.HasPrefix(rest, `'''`):
			lx.state = ctxMultiLiteral
			return 3
		case rest[0] == '\'':
			lx.state = ctxLiteral
		}
	case ctxComment:
		if rest[0] == '\n' {
			lx.state = ctxRaw
		}
	case ctxBasic:
		switch rest[0] {
		case '\\':
			return min(2, len(rest))
		case '"', '\n':
			lx.state = ctxRaw
		}
	case ctxLiteral:
		if rest[0] == '\'' || rest[0] == '\n' {
			lx.state = ctxRaw
		}
	case ctxMultiBasic:
		if rest[0] == '\\' {
			return min(2, len(rest))
		}
		if strings.HasPrefix(rest, `"""`) {
			lx.state = ctxRaw
			return closingRun(rest, '"')
		}
	case ctxMultiLiteral:
		if strings.HasPrefix(rest, `'''`) {
			lx.state = ctxRaw
			return closingRun(rest, '\'')
		}
	}
	return 1
}

// closingRun returns the length of a multi-line string's closing delimiter.
// TOML lets up to two quotes sit just inside it (`""""` is a quote followed
// by the delimiter), so the run of three to five quotes is consumed whole.
func closingRun(rest string, q byte) int {
	n := 0
	for n < len(rest) && n < 5 && rest[n] == q {
		n++
	}
	return n
}
