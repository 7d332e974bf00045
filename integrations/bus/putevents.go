package bus

import (
	"context"
	"net/http"
)

// PutEvents puts entries (1 to 10) on their buses: each entry's outcome in
// its result, in order; the error only for the whole request.
func (s *Service) PutEvents(ctx context.Context, entries []PutEventsEntry) ([]PutEventsResult, error) {
	return nil, &Error{Code: "InternalException", Message: "PutEvents is not implemented yet", Status: http.StatusNotImplemented}
}
