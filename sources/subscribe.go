package sources

// subscriber is one SubscribeTransitions caller.
type subscriber struct {
	ch      chan Transition
	dropped uint64
}

// SubscribeTransitions returns a channel receiving every transition the
// watcher sees after this call (see Diff for what is reported and how Key
// is built), and a function that unsubscribes and closes the channel
// (safe to call more than once). The channel is also closed when Run
// returns.
//
// The watcher never blocks on a subscriber: when the channel's buffer (buf,
// at least 1) is full, the transition is dropped for that subscriber and
// counted (DroppedTransitions). Size buf for bursts (a site going dark
// yields one transition per allocation there) and read promptly.
func (w *Watcher) SubscribeTransitions(buf int) (<-chan Transition, func()) {
	s := &subscriber{ch: make(chan Transition, max(buf, 1))}
	w.subsMu.Lock()
	if w.subs == nil {
		w.subs = map[*subscriber]struct{}{}
	}
	closed := w.subsClosed
	if !closed {
		w.subs[s] = struct{}{}
	}
	w.subsMu.Unlock()
	if closed {
		close(s.ch)
		return s.ch, func() {}
	}
	return s.ch, func() {
		w.subsMu.Lock()
		defer w.subsMu.Unlock()
		if _, ok := w.subs[s]; ok {
			delete(w.subs, s)
			close(s.ch)
		}
	}
}

// DroppedTransitions counts transitions dropped because a subscriber's
// buffer was full, over all subscribers since the watcher was made.
func (w *Watcher) DroppedTransitions() uint64 { return w.dropped.Load() }

// emit hands transitions to every subscriber without blocking.
func (w *Watcher) emit(ts []Transition) {
	if len(ts) == 0 {
		return
	}
	w.subsMu.Lock()
	defer w.subsMu.Unlock()
	for s := range w.subs {
		for _, t := range ts {
			select {
			case s.ch <- t:
			default:
				s.dropped++
				w.dropped.Add(1)
			}
		}
	}
}

func (w *Watcher) closeSubscribers() {
	w.subsMu.Lock()
	defer w.subsMu.Unlock()
	for s := range w.subs {
		close(s.ch)
	}
	w.subs = nil
	w.subsClosed = true
}
