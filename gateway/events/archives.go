package events

import (
	"context"

	"github.com/signalbox/signalbox/integrations/bus"
)

type archive struct {
	ArchiveArn     string `json:"ArchiveArn,omitempty"`
	ArchiveName    string `json:"ArchiveName"`
	EventSourceArn string `json:"EventSourceArn"`
	Description    string `json:"Description,omitempty"`
	EventPattern   string `json:"EventPattern,omitempty"`
	State          string `json:"State"`
	StateReason    string `json:"StateReason,omitempty"`
	RetentionDays  int    `json:"RetentionDays"`
	SizeBytes      int64  `json:"SizeBytes"`
	EventCount     int64  `json:"EventCount"`
	CreationTime   *epoch `json:"CreationTime,omitempty"`
}

func toArchive(a *bus.Archive) archive {
	return archive{ArchiveArn: a.ArchiveArn, ArchiveName: a.ArchiveName, EventSourceArn: a.EventSourceArn, Description: a.Description,
		EventPattern: a.EventPattern, State: a.State, StateReason: a.StateReason, RetentionDays: a.RetentionDays,
		SizeBytes: a.SizeBytes, EventCount: a.EventCount, CreationTime: at(a.CreationTime)}
}

type createArchiveIn struct {
	ArchiveName    string `json:"ArchiveName"`
	EventSourceArn string `json:"EventSourceArn"`
	Description    string `json:"Description"`
	EventPattern   string `json:"EventPattern"`
	RetentionDays  int    `json:"RetentionDays"`
}

type archiveStateOut struct {
	ArchiveArn   string `json:"ArchiveArn"`
	State        string `json:"State"`
	StateReason  string `json:"StateReason,omitempty"`
	CreationTime *epoch `json:"CreationTime,omitempty"`
}

func createArchive(s *API, ctx context.Context, in *createArchiveIn) (*archiveStateOut, error) {
	a, err := s.b().CreateArchive(ctx, &bus.CreateArchiveInput{ArchiveName: in.ArchiveName, EventSourceArn: in.EventSourceArn,
		Description: in.Description, EventPattern: in.EventPattern, RetentionDays: in.RetentionDays})
	if err != nil {
		return nil, err
	}
	return &archiveStateOut{ArchiveArn: a.ArchiveArn, State: a.State, StateReason: a.StateReason, CreationTime: at(a.CreationTime)}, nil
}

type archiveNameIn struct {
	ArchiveName string `json:"ArchiveName"`
}

func describeArchive(s *API, ctx context.Context, in *archiveNameIn) (*archive, error) {
	a, err := s.b().DescribeArchive(ctx, in.ArchiveName)
	if err != nil {
		return nil, err
	}
	out := toArchive(a)
	return &out, nil
}

type updateArchiveIn struct {
	ArchiveName   string  `json:"ArchiveName"`
	Description   *string `json:"Description"`
	EventPattern  *string `json:"EventPattern"`
	RetentionDays *int    `json:"RetentionDays"`
}

func updateArchive(s *API, ctx context.Context, in *updateArchiveIn) (*archiveStateOut, error) {
	a, err := s.b().UpdateArchive(ctx, &bus.UpdateArchiveInput{ArchiveName: in.ArchiveName, Description: in.Description,
		EventPattern: in.EventPattern, RetentionDays: in.RetentionDays})
	if err != nil {
		return nil, err
	}
	return &archiveStateOut{ArchiveArn: a.ArchiveArn, State: a.State, StateReason: a.StateReason, CreationTime: at(a.CreationTime)}, nil
}

func deleteArchive(s *API, ctx context.Context, in *archiveNameIn) (*empty, error) {
	return &empty{}, s.b().DeleteArchive(ctx, in.ArchiveName)
}

type listArchivesIn struct {
	NamePrefix     string `json:"NamePrefix"`
	EventSourceArn string `json:"EventSourceArn"`
	State          string `json:"State"`
	NextToken      string `json:"NextToken"`
	Limit          int    `json:"Limit"`
}

type listArchivesOut struct {
	Archives  []archive `json:"Archives"`
	NextToken string    `json:"NextToken,omitempty"`
}

func listArchives(s *API, ctx context.Context, in *listArchivesIn) (*listArchivesOut, error) {
	out, err := s.b().ListArchives(ctx, &bus.ListArchivesInput{NamePrefix: in.NamePrefix, EventSourceArn: in.EventSourceArn,
		State: in.State, NextToken: in.NextToken, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	res := &listArchivesOut{Archives: make([]archive, len(out.Archives)), NextToken: out.NextToken}
	for i := range out.Archives {
		res.Archives[i] = toArchive(&out.Archives[i])
		res.Archives[i].ArchiveArn = "" // ListArchives's entries carry no ARN
	}
	return res, nil
}

// Replays: the bus router's data plane carries them out.

type replayDestination = bus.ReplayDestination

type startReplayIn struct {
	ReplayName     string            `json:"ReplayName"`
	Description    string            `json:"Description"`
	EventSourceArn string            `json:"EventSourceArn"`
	EventStartTime float64           `json:"EventStartTime"`
	EventEndTime   float64           `json:"EventEndTime"`
	Destination    replayDestination `json:"Destination"`
}

type replayStateOut struct {
	ReplayArn       string `json:"ReplayArn"`
	State           string `json:"State"`
	StateReason     string `json:"StateReason,omitempty"`
	ReplayStartTime *epoch `json:"ReplayStartTime,omitempty"`
}

func startReplay(s *API, ctx context.Context, in *startReplayIn) (*replayStateOut, error) {
	r, err := s.b().StartReplay(ctx, &bus.StartReplayInput{ReplayName: in.ReplayName, Description: in.Description,
		EventSourceArn: in.EventSourceArn, EventStartTime: fromEpoch(in.EventStartTime), EventEndTime: fromEpoch(in.EventEndTime),
		Destination: in.Destination})
	if err != nil {
		return nil, err
	}
	return &replayStateOut{ReplayArn: r.ReplayArn, State: r.State, StateReason: r.StateReason, ReplayStartTime: at(r.ReplayStartTime)}, nil
}

type replay struct {
	ReplayName            string             `json:"ReplayName"`
	ReplayArn             string             `json:"ReplayArn,omitempty"`
	Description           string             `json:"Description,omitempty"`
	State                 string             `json:"State"`
	StateReason           string             `json:"StateReason,omitempty"`
	EventSourceArn        string             `json:"EventSourceArn"`
	Destination           *replayDestination `json:"Destination,omitempty"`
	EventStartTime        *epoch             `json:"EventStartTime,omitempty"`
	EventEndTime          *epoch             `json:"EventEndTime,omitempty"`
	EventLastReplayedTime *epoch             `json:"EventLastReplayedTime,omitempty"`
	ReplayStartTime       *epoch             `json:"ReplayStartTime,omitempty"`
	ReplayEndTime         *epoch             `json:"ReplayEndTime,omitempty"`
}

func toReplay(r *bus.Replay) replay {
	d := r.Destination
	return replay{ReplayName: r.ReplayName, ReplayArn: r.ReplayArn, Description: r.Description, State: r.State, StateReason: r.StateReason,
		EventSourceArn: r.EventSourceArn, Destination: &d, EventStartTime: at(r.EventStartTime), EventEndTime: at(r.EventEndTime),
		EventLastReplayedTime: at(r.EventLastReplayedTime), ReplayStartTime: at(r.ReplayStartTime), ReplayEndTime: at(r.ReplayEndTime)}
}

type replayNameIn struct {
	ReplayName string `json:"ReplayName"`
}

func describeReplay(s *API, ctx context.Context, in *replayNameIn) (*replay, error) {
	r, err := s.b().DescribeReplay(ctx, in.ReplayName)
	if err != nil {
		return nil, err
	}
	out := toReplay(r)
	return &out, nil
}

type listReplaysIn struct {
	NamePrefix     string `json:"NamePrefix"`
	State          string `json:"State"`
	EventSourceArn string `json:"EventSourceArn"`
	NextToken      string `json:"NextToken"`
	Limit          int    `json:"Limit"`
}

type listReplaysOut struct {
	Replays   []replay `json:"Replays"`
	NextToken string   `json:"NextToken,omitempty"`
}

func listReplays(s *API, ctx context.Context, in *listReplaysIn) (*listReplaysOut, error) {
	out, err := s.b().ListReplays(ctx, &bus.ListReplaysInput{NamePrefix: in.NamePrefix, State: in.State,
		EventSourceArn: in.EventSourceArn, NextToken: in.NextToken, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	res := &listReplaysOut{Replays: make([]replay, len(out.Replays)), NextToken: out.NextToken}
	for i := range out.Replays {
		res.Replays[i] = toReplay(&out.Replays[i])
		res.Replays[i].ReplayArn, res.Replays[i].Description, res.Replays[i].Destination = "", "", nil // ReplayList's fields
	}
	return res, nil
}

type cancelReplayOut struct {
	ReplayArn   string `json:"ReplayArn"`
	State       string `json:"State"`
	StateReason string `json:"StateReason,omitempty"`
}

func cancelReplay(s *API, ctx context.Context, in *replayNameIn) (*cancelReplayOut, error) {
	r, err := s.b().CancelReplay(ctx, in.ReplayName)
	if err != nil {
		return nil, err
	}
	return &cancelReplayOut{ReplayArn: r.ReplayArn, State: r.State, StateReason: r.StateReason}, nil
}
