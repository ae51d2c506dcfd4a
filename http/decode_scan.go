package httpd

import (
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// A minimal walker over JSON that json.Valid accepted: it finds where
// values start and end, nothing more. Everything it cannot take a fast path
// for is handed to encoding/json, so the result is always what
// encoding/json would decode.

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return i
	}
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
		i++
	}
	return i
}

// plainString reports whether the quoted string raw decodes to its bytes
// as they are: no escapes, valid UTF-8 (json.Valid has ruled out control
// characters).
func plainString(raw []byte) bool {
	inner := raw[1 : len(raw)-1]
	for _, c := range inner {
		if c == '\\' {
			return false
		}
	}
	return utf8.Valid(inner)
}

// decodeString decodes the JSON string raw.
func decodeString(raw []byte) string {
	if plainString(raw) {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	_ = json.Unmarshal(raw, &s) // raw is a valid JSON string
	return s
}

// decodeValue decodes the JSON value raw into dst as json.Unmarshal does,
// with fast paths for the strings and string maps requests are made of.
func decodeValue(raw []byte, dst any) error {
	switch d := dst.(type) {
	case *string:
		if raw[0] == '"' {
			*d = decodeString(raw)
			return nil
		}
	case *map[string]string:
		if raw[0] == '{' {
			return decodeStringMap(raw, d)
		}
	}
	return json.Unmarshal(raw, dst)
}

// errNotString is what decodeStringMap returns for a value that is neither
// a string nor null; the caller turns it into a message naming the field.
var errNotString = errors.New("not a string")

// decodeStringMap decodes a JSON object of strings. Like json.Unmarshal it
// fills an existing map (a repeated key keeps its last value).
func decodeStringMap(raw []byte, d *map[string]string) error {
	m := *d
	if m == nil {
		m = map[string]string{}
	}
	for i := skipSpace(raw, 1); raw[i] != '}'; {
		end := skipString(raw, i)
		key := decodeString(raw[i:end])
		i = skipSpace(raw, skipSpace(raw, end)+1)
		switch {
		case raw[i] == '"':
			end = skipString(raw, i)
			m[key] = decodeString(raw[i:end])
		case raw[i] == 'n': // null: encoding/json stores the zero value
			end = i + len("null")
			m[key] = ""
		default:
			return errNotString
		}
		if i = skipSpace(raw, end); raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	*d = m
	return nil
}
