package bus

import (
	"context"
	"encoding/json"
	"time"
)

// An archive keeps its events RetentionDays (0: for ever); every process's
// round removes the older ones, at most once a minute, a bounded number a
// time.

const (
	retentionEvery = time.Minute
	retentionBatch = 1000
)

func (s *Service) retentionRound(ctx context.Context, _ []string) {
	now := s.now()
	s.mu.Lock()
	due := now.Sub(s.retained) >= retentionEvery
	if due {
		s.retained = now
	}
	s.mu.Unlock()
	if !due {
		return
	}
	recs, err := s.st.Archives(ctx)
	if err != nil {
		return
	}
	for name, raw := range recs {
		var r struct {
			RetentionDays int `json:"RetentionDays"`
		}
		if json.Unmarshal([]byte(raw), &r) != nil || r.RetentionDays <= 0 {
			continue
		}
		cutoff := now.Add(-time.Duration(r.RetentionDays) * 24 * time.Hour)
		for {
			n, err := s.st.ArchiveTrim(ctx, name, cutoff, retentionBatch)
			if err != nil || n < retentionBatch {
				break
			}
		}
	}
}
