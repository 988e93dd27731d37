package common

import (
	"context"

	"codeberg.org/entretien/entretien/sources"
)

// Cluster is the on-demand side of sources: what a screen fetches when it
// is opened (an allocation's whole task history, a task's logs), as opposed
// to the snapshot every screen follows. Screens call it only inside
// tea.Cmd closures; *sources.Watcher implements it.
type Cluster interface {
	AllocDetail(ctx context.Context, id string) (sources.AllocDetail, error)
	// FollowLogs streams a task's "stdout" or "stderr" from tailBytes
	// before the end, following it until ctx is done. The channel is
	// closed after the last chunk (or an error chunk).
	FollowLogs(ctx context.Context, allocID, task, stream string, tailBytes int64) <-chan sources.LogChunk
	// AgentChecks is the live output of the local Consul agent's checks
	// (the catalog lags on output), keyed by check ID.
	AgentChecks(ctx context.Context) (map[string]sources.AgentCheck, error)
	// ServiceCatalog reads the instances of a service registered without
	// checks in datacenter dc (the snapshot has none of them).
	ServiceCatalog(ctx context.Context, dc, name string) ([]sources.ServiceInstance, error)
}
