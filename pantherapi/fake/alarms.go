package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// The log-source alarm types. Only AlarmNoData can be set through the API;
// the others are managed by Panther.
const (
	AlarmNoData                 = "SOURCE_NO_DATA"
	alarmPermissionsChecks      = "SOURCE_PERMISSIONS_CHECKS"
	alarmClassificationFailures = "SOURCE_CLASSIFICATION_FAILURES"
	alarmLogProcessingErrors    = "SOURCE_LOG_PROCESSING_ERRORS"
	alarmScanningErrors         = "SOURCE_SCANNING_ERRORS"
)

// Panther's bounds of a no-data alarm's threshold, in minutes.
const (
	minAlarmMinutes = 15
	maxAlarmMinutes = 43200
)

// The states an alarm reports.
const (
	AlarmStateOK               = "OK"
	AlarmStateAlarm            = "ALARM"
	AlarmStateInsufficientData = "INSUFFICIENT_DATA"
)

func systemAlarm(t string) bool {
	return slices.Contains([]string{alarmPermissionsChecks, alarmClassificationFailures, alarmLogProcessingErrors, alarmScanningErrors}, t)
}

// Alarm is a no-data alarm as the API renders it. State is sent by GET only.
type Alarm struct {
	Type             string `json:"type"`
	MinutesThreshold int    `json:"minutesThreshold"`
	State            string `json:"state,omitempty"`
}

// SetAlarm sets the no-data alarm of a source without any check.
func (s *Server) SetAlarm(sourceID string, minutes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alarms[sourceID] = minutes
}

// Alarm returns the no-data alarm of a source, with its state now, and
// whether one is set.
func (s *Server) Alarm(sourceID string) (Alarm, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.alarmLocked(sourceID)
}

func (s *Server) alarmLocked(sourceID string) (Alarm, bool) {
	minutes, ok := s.alarms[sourceID]
	if !ok {
		return Alarm{}, false
	}
	return Alarm{Type: AlarmNoData, MinutesThreshold: minutes, State: s.alarmStateLocked(sourceID, minutes)}, true
}

// alarmStateLocked is INSUFFICIENT_DATA before the first event, ALARM when
// the last one is older than the threshold, OK otherwise.
func (s *Server) alarmStateLocked(sourceID string, minutes int) string {
	h := s.healthLocked(sourceID)
	switch {
	case h.LastEventReceived.IsZero():
		return AlarmStateInsufficientData
	case s.now().Sub(h.LastEventReceived) > time.Duration(minutes)*time.Minute:
		return AlarmStateAlarm
	}
	return AlarmStateOK
}

func (s *Server) sourceExistsLocked(id string) bool {
	_, s3 := s.sources[id]
	_, other := s.others[id]
	return s3 || other
}

// checkAlarmType answers 400 for a type that is unknown or, when setting,
// managed by Panther; it returns 0 when the type may be used.
func checkAlarmType(w http.ResponseWriter, alarmType string, changing bool) int {
	switch {
	case alarmType == AlarmNoData:
		return 0
	case systemAlarm(alarmType) && !changing:
		return 0
	case systemAlarm(alarmType):
		return writeJSON(w, http.StatusBadRequest, errorBody{Message: fmt.Sprintf(
			"alarm type %s is managed by Panther and cannot be changed; only %s can be set", alarmType, AlarmNoData)})
	}
	return writeJSON(w, http.StatusBadRequest, errorBody{Message: fmt.Sprintf(
		"invalid alarm type %q: must be one of %s, %s, %s, %s, %s", alarmType,
		AlarmNoData, alarmPermissionsChecks, alarmClassificationFailures, alarmLogProcessingErrors, alarmScanningErrors)})
}

func alarmNotFound(sourceID, alarmType string) errorBody {
	return errorBody{Message: fmt.Sprintf("no %s alarm is set for log source %q", alarmType, sourceID)}
}

func (s *Server) getAlarm(w http.ResponseWriter, sourceID, alarmType string) int {
	if status := checkAlarmType(w, alarmType, false); status != 0 {
		return status
	}
	if alarmType != AlarmNoData {
		return writeJSON(w, http.StatusNotFound, alarmNotFound(sourceID, alarmType))
	}
	a, ok := s.Alarm(sourceID)
	if !ok {
		return writeJSON(w, http.StatusNotFound, alarmNotFound(sourceID, alarmType))
	}
	return writeJSON(w, http.StatusOK, a)
}

func (s *Server) putAlarm(w http.ResponseWriter, sourceID, alarmType string, body []byte) int {
	if status := checkAlarmType(w, alarmType, true); status != 0 {
		return status
	}
	minutes, err := parseAlarm(body)
	if err != nil {
		return writeJSON(w, http.StatusBadRequest, errorBody{Message: err.Error()})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.sourceExistsLocked(sourceID) {
		return writeJSON(w, http.StatusNotFound, errorBody{Message: fmt.Sprintf("log source %q not found", sourceID)})
	}
	s.alarms[sourceID] = minutes
	return writeJSON(w, http.StatusOK, Alarm{Type: AlarmNoData, MinutesThreshold: minutes})
}

func (s *Server) deleteAlarm(w http.ResponseWriter, sourceID, alarmType string) int {
	if status := checkAlarmType(w, alarmType, true); status != 0 {
		return status
	}
	s.mu.Lock()
	_, ok := s.alarms[sourceID]
	delete(s.alarms, sourceID)
	s.mu.Unlock()
	if !ok {
		return writeJSON(w, http.StatusNotFound, alarmNotFound(sourceID, alarmType))
	}
	w.WriteHeader(http.StatusNoContent)
	return http.StatusNoContent
}

// parseAlarm decodes a PUT body: exactly {"minutesThreshold": N}, N an
// integer within Panther's bounds.
func parseAlarm(body []byte) (int, error) {
	obj, err := parseObject(body, "request body")
	if err != nil {
		return 0, err
	}
	if err := checkKnown(obj, "", "minutesThreshold"); err != nil {
		return 0, err
	}
	if err := checkRequired(obj, "", "minutesThreshold"); err != nil {
		return 0, err
	}
	dec := json.NewDecoder(bytes.NewReader(obj["minutesThreshold"]))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return 0, fmt.Errorf("minutesThreshold: %w", err)
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, typeError("minutesThreshold", "integer", v)
	}
	i, err := n.Int64()
	if err != nil {
		return 0, fmt.Errorf("minutesThreshold must be an integer, got %s", n)
	}
	if i < minAlarmMinutes || i > maxAlarmMinutes {
		return 0, fmt.Errorf("minutesThreshold must be between %d and %d, got %d", minAlarmMinutes, maxAlarmMinutes, i)
	}
	return int(i), nil
}
