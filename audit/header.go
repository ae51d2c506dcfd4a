package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// header is the part of an encoded event that filters and the job index
// need: who, when, what, where, and which jobs it names. Reading it with
// readHeader costs a fraction of decoding the whole event, which matters
// when a filter or the index start-up walks a million records.
type header struct {
	Type    state.Type
	Time    time.Time
	Actor   string
	IP      string
	GroupID string
	JobID   string
	JobIDs  []string // reorders and history pruning
	NewJob  string   // job.id of an enqueue
	// Previous is job.previous_job_id: the generation an auto-requeued job
	// was requeued from.
	Previous string
}

// jobs calls fn for every job the event names, the enqueued one included.
func (h *header) jobs(fn func(id string)) {
	if h.JobID != "" {
		fn(h.JobID)
	}
	if h.NewJob != "" && h.NewJob != h.JobID {
		fn(h.NewJob)
	}
	for _, id := range h.JobIDs {
		fn(id)
	}
}

var errNotObject = errors.New("not a JSON object")

// readHeader reads the header of an encoded event. It understands any JSON
// (whitespace, escapes, keys in any order) but reads only the keys it needs
// at the top level and inside "job", skipping everything else without
// decoding it: a key named "job_id" inside a job's inputs is not a
// reference. An input it cannot read falls back to a full decode, so the
// result never differs from decoding the event.
func readHeader(b []byte) (header, error) {
	h, err := scanHeader(b)
	if err == nil {
		return h, nil
	}
	e, derr := state.DecodeEvent(b)
	if derr != nil {
		return header{}, derr
	}
	return headerOf(e), nil
}

// headerOf takes the header from a decoded event.
func headerOf(e *state.Event) header {
	h := header{Type: e.Type, Time: e.Time, Actor: e.Actor, IP: e.IP, GroupID: e.GroupID, JobID: e.JobID, JobIDs: e.JobIDs}
	if e.Job != nil {
		h.NewJob, h.Previous = e.Job.ID, e.Job.PreviousJobID
	}
	return h
}

// eventKeys and jobKeys are the JSON keys of state.Event and state.Job.
// encoding/json matches keys case-insensitively; the scanner matches them
// exactly and leaves any other spelling to the full decoder, so the two
// never read a record differently.
var (
	eventKeys = jsonKeys(reflect.TypeFor[state.Event]())
	jobKeys   = jsonKeys(reflect.TypeFor[state.Job]())
)

func jsonKeys(t reflect.Type) map[string]bool {
	keys := map[string]bool{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			keys[name] = true
		}
	}
	return keys
}

var errOddKey = errors.New("key the encoder does not write")

func scanHeader(b []byte) (header, error) {
	var h header
	s := jsonScanner{b: b}
	err := s.object(func(key []byte) error {
		if !eventKeys[string(key)] {
			return errOddKey
		}
		switch string(key) {
		case "type":
			v, err := s.str()
			h.Type = state.Type(v)
			return err
		case "time":
			v, err := s.str()
			if err != nil {
				return err
			}
			h.Time, err = time.Parse(time.RFC3339Nano, v)
			return err
		case "actor":
			return s.strInto(&h.Actor)
		case "ip":
			return s.strInto(&h.IP)
		case "group_id":
			return s.strInto(&h.GroupID)
		case "job_id":
			return s.strInto(&h.JobID)
		case "job_ids":
			return s.strings(&h.JobIDs)
		case "job":
			if s.peek() == 'n' {
				h.NewJob, h.Previous = "", ""
			}
			return s.object(func(key []byte) error {
				if !jobKeys[string(key)] {
					return errOddKey
				}
				switch string(key) {
				case "id":
					return s.strInto(&h.NewJob)
				case "previous_job_id":
					return s.strInto(&h.Previous)
				}
				return s.skip()
			})
		}
		return s.skip()
	})
	if err != nil {
		return header{}, err
	}
	if h.Type == "" {
		return header{}, errors.New("event without type")
	}
	return h, nil
}

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
// whether they contain escapes.
func (s *jsonScanner) rawString() (raw []byte, escaped bool, err error) {
	if err := s.expect('"'); err != nil {
		return nil, false, err
	}
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			escaped = true
			s.i += 2
			continue
		case '"':
			raw = s.b[start:s.i]
			s.i++
			return raw, escaped, nil
		}
		s.i++
	}
	return nil, false, errors.New("unterminated string")
}

// str reads a string value, or null as "".
func (s *jsonScanner) str() (string, error) {
	if s.peek() == 'n' {
		return "", s.skip()
	}
	start := s.i
	raw, escaped, err := s.rawString()
	if err != nil {
		return "", err
	}
	if !escaped && utf8.Valid(raw) {
		return string(raw), nil
	}
	// Escapes, or invalid UTF-8 that encoding/json turns into U+FFFD.
	var v string
	if err := json.Unmarshal(s.b[start:s.i], &v); err != nil {
		return "", err
	}
	return v, nil
}

func (s *jsonScanner) strInto(dst *string) error {
	v, err := s.str()
	*dst = v
	return err
}

// strings reads an array of strings, or null, replacing *dst.
func (s *jsonScanner) strings(dst *[]string) error {
	*dst = nil
	if s.peek() == 'n' {
		return s.skip()
	}
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		v, err := s.str()
		if err != nil {
			return err
		}
		*dst = append(*dst, v)
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return fmt.Errorf("offset %d: want ',' or ']'", s.i)
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
