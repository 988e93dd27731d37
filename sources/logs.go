package sources

import (
	"context"

	nomadapi "github.com/hashicorp/nomad/api"
)

// LogChunk is a piece of a task's log stream. Err is set on the last chunk
// when the stream failed; the channel is closed after it.
type LogChunk struct {
	Data []byte
	Err  error
}

// FollowLogs streams a task's "stdout" or "stderr" through Nomad's fs logs
// API, starting tailBytes before the end, and follows it until ctx is done.
// Cancelling ctx aborts the HTTP request, so nothing is left running.
func (w *Watcher) FollowLogs(ctx context.Context, allocID, task, stream string, tailBytes int64) <-chan LogChunk {
	out := make(chan LogChunk, 16)
	go func() {
		defer close(out)
		send := func(c LogChunk) bool {
			select {
			case out <- c:
				return true
			case <-ctx.Done():
				return false
			}
		}
		q := (&nomadapi.QueryOptions{}).WithContext(ctx)
		alloc, _, err := w.nomad.Allocations().Info(allocID, q)
		if err != nil {
			send(LogChunk{Err: w.detailError("allocation", err)})
			return
		}
		frames, errs := w.nomad.AllocFS().Logs(alloc, true, task, stream, "end", tailBytes, ctx.Done(),
			(&nomadapi.QueryOptions{}).WithContext(ctx))
		for {
			select {
			case <-ctx.Done():
				// The api's reader goroutine may be blocked handing us a
				// frame: drain until it closes (the request is aborted).
				go func() {
					for range frames {
					}
				}()
				return
			case f, ok := <-frames:
				if !ok {
					return
				}
				if len(f.Data) > 0 && !send(LogChunk{Data: f.Data}) {
					go func() {
						for range frames {
						}
					}()
					return
				}
			case err := <-errs:
				if err != nil && ctx.Err() == nil {
					send(LogChunk{Err: w.detailError("logs of "+task, err)})
				}
				return
			}
		}
	}()
	return out
}
