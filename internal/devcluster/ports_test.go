package devcluster

import (
	"testing"
)

func TestPortPlansDisjoint(t *testing.T) {
	for _, nsites := range []int{1, 3, 7} {
		seen := map[int]string{}
		type rng struct{ lo, hi int }
		var dyn []rng
		for slot := range slotCount {
			p := planFor(slot, nsites)
			if len(p.Clients) != nsites {
				t.Fatalf("slot %d: %d clients, want %d", slot, len(p.Clients), nsites)
			}
			for _, port := range p.agentPorts() {
				if port >= 32768 || port < 20000 {
					t.Errorf("slot %d: agent port %d outside 20000..32767 (ephemeral range starts at 32768)", slot, port)
				}
				if prev, ok := seen[port]; ok {
					t.Errorf("port %d used twice (%s and slot %d)", port, prev, slot)
				}
				seen[port] = "agent"
			}
			for i, c := range p.Clients {
				if c.DynMax-c.DynMin < 50 {
					t.Errorf("slot %d client %d: dynamic range %d..%d too small", slot, i, c.DynMin, c.DynMax)
				}
				if c.DynMax >= agentPortBase {
					t.Errorf("slot %d client %d: dynamic range reaches agent ports (%d)", slot, i, c.DynMax)
				}
				dyn = append(dyn, rng{c.DynMin, c.DynMax})
			}
		}
		for i := range dyn {
			for j := range i {
				if dyn[i].lo <= dyn[j].hi && dyn[j].lo <= dyn[i].hi {
					t.Errorf("nsites=%d: dynamic ranges overlap: %v %v", nsites, dyn[i], dyn[j])
				}
			}
		}
	}
}

func TestSlotLocksAreExclusive(t *testing.T) {
	a, la, err := acquirePorts(3, false)
	if err != nil {
		t.Fatal(err)
	}
	b, lb, err := acquirePorts(3, false)
	if err != nil {
		t.Fatal(err)
	}
	if a.Slot == b.Slot {
		t.Fatalf("two live holders got slot %d", a.Slot)
	}
	for _, l := range la {
		l.release()
	}
	if _, err := tryLock(lockName(b.Slot)); err != errLocked {
		t.Errorf("locking held slot %d: err = %v, want errLocked", b.Slot, err)
	}
	// A released slot can be taken again; a held one never.
	c, lc, err := acquirePorts(3, false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Slot == b.Slot {
		t.Errorf("slot %d handed out twice", b.Slot)
	}
	for _, l := range append(lb, lc...) {
		l.release()
	}
}

func TestContainsPath(t *testing.T) {
	dir := "/tmp/entretien-devcluster-12"
	for s, want := range map[string]bool{
		"/tmp/entretien-devcluster-12":                                   true,
		"/tmp/entretien-devcluster-12/nomad-lyon/alloc/x":                true,
		"nomad agent -config /tmp/entretien-devcluster-12/a":             true,
		`{"LogFile":"/tmp/entretien-devcluster-12/x"}`:                   true,
		"/tmp/entretien-devcluster-123/nomad-lyon":                       false,
		"/tmp/entretien-devcluster-1 /tmp/entretien-devcluster":          false,
		"/tmp/entretien-devcluster-12.old":                               false,
		"x /tmp/entretien-devcluster-123 /tmp/entretien-devcluster-12 y": true,
	} {
		if got := containsPath(s, dir); got != want {
			t.Errorf("containsPath(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestUnescapeMount(t *testing.T) {
	if got := unescapeMount(`/tmp/a\040b/secrets`); got != "/tmp/a b/secrets" {
		t.Errorf("got %q", got)
	}
}

func TestPreferDefaultPorts(t *testing.T) {
	probe := planFor(0, 3)
	probe.useDefaultPorts()
	free := bindable(probe.agentPorts()[:9]) == nil // consul + nomad server
	p, locks, err := acquirePorts(3, true)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, l := range locks {
			l.release()
		}
	}()
	if free && (p.Server.HTTP != 4646 || p.Consul.HTTP != 8500) {
		t.Errorf("default ports were free but plan has nomad %d consul %d", p.Server.HTTP, p.Consul.HTTP)
	}
	if !free && (p.Server.HTTP == 4646 || p.Consul.HTTP == 8500) {
		t.Errorf("default ports busy but plan uses them: nomad %d consul %d", p.Server.HTTP, p.Consul.HTTP)
	}
	if p.Clients[0].HTTP < agentPortBase {
		t.Errorf("clients keep slot ports, got %d", p.Clients[0].HTTP)
	}
	if free {
		// Held by us now: a second demo falls back to slot ports.
		q, qlocks, err := acquirePorts(3, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range qlocks {
			l.release()
		}
		if p.Server.HTTP == 4646 && q.Server.HTTP == 4646 {
			t.Error("default ports handed out twice")
		}
	}
}
