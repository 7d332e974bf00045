package runtime

import (
	"context"

	"github.com/signalbox/signalbox/integrations"
)

// Host is the runtime as the integrations see it (integrations.Host): what
// a queue's consumer, an activity's worker or a nested execution needs of
// the executions, without importing this package. The wiring hands it to
// the integrations that need it.
func (d *Durable) Host() integrations.Host { return durableHost{d} }

type durableHost struct{ d *Durable }

func (h durableHost) SendTaskSuccess(ctx context.Context, token string, output any) error {
	return h.d.SendTaskSuccess(ctx, token, output)
}

func (h durableHost) SendTaskFailure(ctx context.Context, token, errName, cause string) error {
	return h.d.SendTaskFailure(ctx, token, errName, cause)
}

func (h durableHost) SendTaskHeartbeat(ctx context.Context, token string) error {
	return h.d.SendTaskHeartbeat(ctx, token)
}

func (h durableHost) StartExecution(ctx context.Context, req integrations.StartRequest) (*integrations.Started, error) {
	st, err := h.d.startNested(ctx, req)
	if err != nil {
		return nil, err
	}
	return &integrations.Started{ExecutionARN: st.ExecutionARN, StartDate: st.StartDate}, nil
}
