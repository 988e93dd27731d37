package tea

// entretien patch (PATCH.md): the renderer loop sleeps while nothing is
// queued, and a new view is drawn at once.

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type idleModel struct{ text string }

type setTextMsg string

func (m *idleModel) Init() Cmd { return nil }

func (m *idleModel) Update(msg Msg) (Model, Cmd) {
	if s, ok := msg.(setTextMsg); ok {
		m.text = string(s)
	}
	return m, nil
}

func (m *idleModel) View() View { return NewView(m.text) }

func waitOutput(t *testing.T, out *lockedBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("%q never drawn; output %q", want, out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRendererSleepsWhileIdle(t *testing.T) {
	var out lockedBuffer
	p := NewProgram(&idleModel{text: "hello"}, WithInput(nil), WithOutput(&out),
		WithoutSignals(), WithFPS(60), WithWindowSize(80, 24))
	done := make(chan error, 1)
	go func() { _, err := p.Run(); done <- err }()
	waitOutput(t, &out, "hello")

	// The first empty frame stops the ticker; then a whole second of
	// nothing must not wake the loop (v2.1.1 wakes 60 times).
	time.Sleep(100 * time.Millisecond)
	before := p.rendererWakeups.Load()
	time.Sleep(time.Second)
	if n := p.rendererWakeups.Load() - before; n != 0 {
		t.Errorf("the renderer woke %d times in an idle second", n)
	}

	// A new view wakes it and is drawn.
	p.Send(setTextMsg("world"))
	waitOutput(t, &out, "world")
	if p.rendererWakeups.Load() == before {
		t.Error("the new view was drawn without a renderer wakeup")
	}

	// Quiet again: the loop goes back to sleep after one empty frame.
	time.Sleep(100 * time.Millisecond)
	before = p.rendererWakeups.Load()
	time.Sleep(500 * time.Millisecond)
	if n := p.rendererWakeups.Load() - before; n != 0 {
		t.Errorf("the renderer woke %d times in an idle half second after a change", n)
	}

	p.Quit()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
