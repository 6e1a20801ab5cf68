package fake

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Source is a stored S3 source, with the contract's JSON names.
type Source struct {
	IntegrationID              string          `json:"integrationId"`
	IntegrationLabel           string          `json:"integrationLabel"`
	AWSAccountID               string          `json:"awsAccountId"`
	S3Bucket                   string          `json:"s3Bucket"`
	KMSKey                     string          `json:"kmsKey"`
	LogProcessingRole          string          `json:"logProcessingRole"`
	LogStreamType              string          `json:"logStreamType"`
	LogStreamTypeOptions       *StreamOptions  `json:"logStreamTypeOptions"`
	ManagedBucketNotifications bool            `json:"managedBucketNotifications"`
	S3PrefixLogTypes           []PrefixMapping `json:"s3PrefixLogTypes"`
}

// StreamOptions are the S3LogStreamTypeOptions of a source.
type StreamOptions struct {
	JSONArrayEnvelopeField string `json:"jsonArrayEnvelopeField,omitempty"`
	RetainEnvelopeFields   bool   `json:"retainEnvelopeFields,omitempty"`
	XMLRootElement         string `json:"xmlRootElement,omitempty"`
}

// PrefixMapping is one PrefixLogTypesMapping of a source.
type PrefixMapping struct {
	Prefix           string   `json:"prefix"`
	LogTypes         []string `json:"logTypes"`
	ExcludedPrefixes []string `json:"excludedPrefixes"`
}

// clone returns a deep copy of src with nil arrays replaced by empty ones.
// LogStreamTypeOptions stays nil when it was nil.
func (src Source) clone() Source {
	out := src
	if src.LogStreamTypeOptions != nil {
		o := *src.LogStreamTypeOptions
		out.LogStreamTypeOptions = &o
	}
	out.S3PrefixLogTypes = make([]PrefixMapping, len(src.S3PrefixLogTypes))
	for i, m := range src.S3PrefixLogTypes {
		out.S3PrefixLogTypes[i] = PrefixMapping{
			Prefix:           m.Prefix,
			LogTypes:         append([]string{}, m.LogTypes...),
			ExcludedPrefixes: append([]string{}, m.ExcludedPrefixes...),
		}
	}
	return out
}

// wire returns src as the API renders it: kmsKey "" when unset,
// logStreamTypeOptions {} when none, arrays never null.
func (src Source) wire() Source {
	out := src.clone()
	if out.LogStreamTypeOptions == nil {
		out.LogStreamTypeOptions = &StreamOptions{}
	}
	return out
}

// logTypes returns the sorted union of the mappings' log types.
func (src Source) logTypes() []string {
	var all []string
	for _, m := range src.S3PrefixLogTypes {
		all = append(all, m.LogTypes...)
	}
	slices.Sort(all)
	return append([]string{}, slices.Compact(all)...)
}

type record struct {
	src      Source
	modified time.Time
}

type otherSource struct {
	id, label, integrationType string
	modified                   time.Time
}

// Sources returns deep copies of the stored S3 sources, sorted by label.
func (s *Server) Sources() []Source {
	s.mu.Lock()
	out := make([]Source, 0, len(s.sources))
	for _, rec := range s.sources {
		out = append(out, rec.src.clone())
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b Source) int {
		return cmp.Or(cmp.Compare(a.IntegrationLabel, b.IntegrationLabel), cmp.Compare(a.IntegrationID, b.IntegrationID))
	})
	return out
}

// Source returns a deep copy of the S3 source with the given id.
func (s *Server) Source(id string) (Source, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.sources[id]
	if !ok {
		return Source{}, false
	}
	return rec.src.clone(), true
}

// Put stores src as is (no validation, no label check), replacing any source
// with the same id. An empty IntegrationID gets a new UUID. It returns the
// stored copy.
func (s *Server) Put(src Source) Source {
	stored := src.clone()
	if stored.IntegrationID == "" {
		stored.IntegrationID = uuid.NewString()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sources[stored.IntegrationID] = &record{src: stored, modified: time.Now().UTC()}
	return stored.clone()
}

// AddOtherSource stores a non-S3 source (e.g. integrationType
// "aws-cloudtrail"), visible only to the GraphQL listing, and returns its id.
func (s *Server) AddOtherSource(label, integrationType string) string {
	id := uuid.NewString()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.others[id] = &otherSource{id: id, label: label, integrationType: integrationType, modified: time.Now().UTC()}
	return id
}

// labelTakenLocked reports whether another S3 source than id uses label.
func (s *Server) labelTakenLocked(label, id string) bool {
	for otherID, rec := range s.sources {
		if otherID != id && rec.src.IntegrationLabel == label {
			return true
		}
	}
	return false
}

func (s *Server) create(w http.ResponseWriter, body []byte) int {
	src, err := parseCreate(body)
	if err != nil {
		return writeJSON(w, http.StatusBadRequest, errorBody{Message: err.Error()})
	}
	s.mu.Lock()
	if s.labelTakenLocked(src.IntegrationLabel, "") {
		s.mu.Unlock()
		return writeJSON(w, http.StatusConflict, errorBody{Message: labelConflict(src.IntegrationLabel)})
	}
	src.IntegrationID = uuid.NewString()
	s.sources[src.IntegrationID] = &record{src: src.clone(), modified: time.Now().UTC()}
	s.mu.Unlock()
	return writeJSON(w, http.StatusCreated, src.wire())
}

func (s *Server) get(w http.ResponseWriter, id string) int {
	src, ok := s.Source(id)
	if !ok {
		return writeJSON(w, http.StatusNotFound, errorBody{Message: sourceNotFound(id)})
	}
	return writeJSON(w, http.StatusOK, src.wire())
}

func (s *Server) update(w http.ResponseWriter, id string, body []byte) int {
	mod, err := parseModify(body)
	if err != nil {
		return writeJSON(w, http.StatusBadRequest, errorBody{Message: err.Error()})
	}
	s.mu.Lock()
	rec, ok := s.sources[id]
	if !ok {
		s.mu.Unlock()
		return writeJSON(w, http.StatusNotFound, errorBody{Message: sourceNotFound(id)})
	}
	if s.labelTakenLocked(mod.IntegrationLabel, id) {
		s.mu.Unlock()
		return writeJSON(w, http.StatusConflict, errorBody{Message: labelConflict(mod.IntegrationLabel)})
	}
	mod.IntegrationID = id
	mod.AWSAccountID = rec.src.AWSAccountID
	mod.S3Bucket = rec.src.S3Bucket
	s.sources[id] = &record{src: mod.clone(), modified: time.Now().UTC()}
	s.mu.Unlock()
	return writeJSON(w, http.StatusOK, mod.wire())
}

func (s *Server) delete(w http.ResponseWriter, id string) int {
	s.mu.Lock()
	delete(s.sources, id)
	delete(s.health, id)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent
}

func labelConflict(label string) string {
	return fmt.Sprintf("an S3 source with integrationLabel %q already exists", label)
}

func sourceNotFound(id string) string {
	return fmt.Sprintf("S3 source %q not found", id)
}

type errorBody struct {
	Message string `json:"message"`
}

type forbiddenBody struct {
	Error string `json:"error"`
}

// writeJSON sends v as a JSON response and returns status.
func writeJSON(w http.ResponseWriter, status int, v any) int {
	data, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`{"message":"encoding the response failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
	return status
}
