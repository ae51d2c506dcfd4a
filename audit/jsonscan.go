package audit

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"
)

// jsonScanner walks JSON text without building values.
type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *jsonScanner) peek() byte {
	s.ws()
	if s.i >= len(s.b) {
		return 0
	}
	return s.b[s.i]
}

func (s *jsonScanner) expect(c byte) error {
	if s.peek() != c {
		return fmt.Errorf("offset %d: want %q", s.i, c)
	}
	s.i++
	return nil
}

// object reads an object, calling field for each key with the scanner
// positioned at the value, which field must consume. A null counts as an
// empty object.
func (s *jsonScanner) object(field func(key []byte) error) error {
	if s.peek() == 'n' {
		return s.skip()
	}
	if err := s.expect('{'); err != nil {
		return errNotObject
	}
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		key, escaped, err := s.rawString()
		if err != nil {
			return err
		}
		if escaped {
			// Keys the encoder writes never need escapes; leave unusual
			// input to the full decoder.
			return errors.New("escaped key")
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := field(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return fmt.Errorf("offset %d: want ',' or '}'", s.i)
		}
	}
}

// rawString returns the bytes between the quotes of the next string, and
// whether they contain escapes. It jumps from quote to quote: strings are
// most of an event's bytes, and IndexByte crosses them far faster than a
// byte-by-byte loop.
func (s *jsonScanner) rawString() (raw []byte, escaped bool, err error) {
	if err := s.expect('"'); err != nil {
		return nil, false, err
	}
	start := s.i
	for {
		q := bytes.IndexByte(s.b[s.i:], '"')
		if q < 0 {
			return nil, false, errors.New("unterminated string")
		}
		end := s.i + q
		s.i = end + 1
		// A quote preceded by an odd number of backslashes is escaped.
		n := 0
		for k := end - 1; k >= start && s.b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			raw = s.b[start:end]
			return raw, bytes.IndexByte(raw, '\\') >= 0, nil
		}
	}
}

// plain reads a string value that needs no unescaping, or null as nil.
// The bytes alias the input. Escapes and invalid UTF-8 (which
// encoding/json turns into U+FFFD) are errNeedDecode.
func (s *jsonScanner) plain() ([]byte, error) {
	if s.peek() == 'n' {
		return nil, s.skip()
	}
	raw, escaped, err := s.rawString()
	if err != nil {
		return nil, err
	}
	if escaped || !utf8.Valid(raw) {
		return nil, errNeedDecode
	}
	return raw, nil
}

// plains reads an array of plain strings, or null.
func (s *jsonScanner) plains() ([][]byte, error) {
	if s.peek() == 'n' {
		return nil, s.skip()
	}
	if err := s.expect('['); err != nil {
		return nil, err
	}
	var out [][]byte
	if s.peek() == ']' {
		s.i++
		return out, nil
	}
	for {
		v, err := s.plain()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return out, nil
		default:
			return nil, fmt.Errorf("offset %d: want ',' or ']'", s.i)
		}
	}
}

// skip passes over one value of any kind. It checks only what it needs to
// find the value's end; the record's checksum already vouches for the
// bytes, and anything malformed is caught by the full decode later.
func (s *jsonScanner) skip() error {
	switch s.peek() {
	case 0:
		return errors.New("unexpected end of input")
	case '"':
		_, _, err := s.rawString()
		return err
	case '{', '[':
		return s.skipContainer()
	}
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return nil
		}
		s.i++
	}
	return nil
}

func (s *jsonScanner) skipContainer() error {
	depth := 0
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			if _, _, err := s.rawString(); err != nil {
				return err
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				s.i++
				return nil
			}
		}
		s.i++
	}
	return errors.New("unterminated container")
}
