package audit

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"time"

	"github.com/dispatchoor/dispatchoor/actors/state"
)

// header is the part of an encoded event that filters and the job index
// need: who, when, what, where, and which jobs it names. Reading it with
// readHeader costs a fraction of decoding the whole event, which matters
// when a filter or the index start-up walks a million records. The byte
// slices alias the payload: they are valid only while it is.
type header struct {
	Type    []byte
	Time    time.Time
	Actor   []byte
	IP      []byte
	GroupID []byte
	JobID   []byte
	JobIDs  [][]byte // reorders and history pruning
	NewJob  []byte   // job.id of an enqueue
	// Previous is job.previous_job_id: the generation an auto-requeued job
	// was requeued from.
	Previous []byte
}

// jobs calls fn for every job the event names, the enqueued one included.
func (h *header) jobs(fn func(id []byte)) {
	if len(h.JobID) > 0 {
		fn(h.JobID)
	}
	if len(h.NewJob) > 0 && !bytes.Equal(h.NewJob, h.JobID) {
		fn(h.NewJob)
	}
	for _, id := range h.JobIDs {
		fn(id)
	}
}

var errNotObject = errors.New("not a JSON object")

// readHeader reads the header of an encoded event. It understands any JSON
// (whitespace, keys in any order) but reads only the keys it needs at the
// top level and inside "job", skipping everything else without decoding
// it: a key named "job_id" inside a job's inputs is not a reference. What
// it does not handle itself (escapes in the strings it reads, unusual
// keys) it leaves to a full decode, so the result never differs from
// decoding the event.
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
	h := header{
		Type: []byte(e.Type), Time: e.Time, Actor: []byte(e.Actor), IP: []byte(e.IP),
		GroupID: []byte(e.GroupID), JobID: []byte(e.JobID),
	}
	for _, id := range e.JobIDs {
		h.JobIDs = append(h.JobIDs, []byte(id))
	}
	if e.Job != nil {
		h.NewJob, h.Previous = []byte(e.Job.ID), []byte(e.Job.PreviousJobID)
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

var (
	errOddKey     = errors.New("key the encoder does not write")
	errNeedDecode = errors.New("string needs unescaping")
)

func scanHeader(b []byte) (header, error) {
	var h header
	s := jsonScanner{b: b}
	err := s.object(func(key []byte) error {
		if !eventKeys[string(key)] {
			return errOddKey
		}
		var err error
		switch string(key) {
		case "type":
			h.Type, err = s.plain()
		case "time":
			var v []byte
			if v, err = s.plain(); err == nil {
				h.Time, err = parseTime(v)
			}
		case "actor":
			h.Actor, err = s.plain()
		case "ip":
			h.IP, err = s.plain()
		case "group_id":
			h.GroupID, err = s.plain()
		case "job_id":
			h.JobID, err = s.plain()
		case "job_ids":
			h.JobIDs, err = s.plains()
		case "job":
			if s.peek() == 'n' {
				h.NewJob, h.Previous = nil, nil
			}
			err = s.object(func(key []byte) error {
				if !jobKeys[string(key)] {
					return errOddKey
				}
				var err error
				switch string(key) {
				case "id":
					h.NewJob, err = s.plain()
				case "previous_job_id":
					h.Previous, err = s.plain()
				default:
					err = s.skip()
				}
				return err
			})
		default:
			err = s.skip()
		}
		return err
	})
	if err != nil {
		return header{}, err
	}
	if len(h.Type) == 0 {
		return header{}, errors.New("event without type")
	}
	return h, nil
}

// parseTime reads a time as encoding/json writes a UTC one
// ("2006-01-02T15:04:05.999999999Z") without time.Parse's generality;
// anything else goes to time.Parse.
func parseTime(b []byte) (time.Time, error) {
	num := func(from, to int) (int, bool) {
		n := 0
		for _, c := range b[from:to] {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	if len(b) >= 20 && b[len(b)-1] == 'Z' && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' {
		year, ok1 := num(0, 4)
		month, ok2 := num(5, 7)
		day, ok3 := num(8, 10)
		hour, ok4 := num(11, 13)
		minute, ok5 := num(14, 16)
		sec, ok6 := num(17, 19)
		nsec, ok7 := 0, true
		if frac := b[19 : len(b)-1]; len(frac) > 0 {
			ok7 = len(frac) >= 2 && len(frac) <= 10 && frac[0] == '.'
			if ok7 {
				nsec, ok7 = num(20, len(b)-1)
				for i := len(frac) - 1; i < 9; i++ {
					nsec *= 10
				}
			}
		}
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && month >= 1 && month <= 12 && day >= 1 &&
			day <= 31 && hour < 24 && minute < 60 && sec < 60 {
			t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
			if t.Day() == day { // refuse 31 February, as time.Parse does
				return t, nil
			}
		}
	}
	return time.Parse(time.RFC3339Nano, string(b))
}
