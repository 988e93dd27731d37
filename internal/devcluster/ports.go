package devcluster

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
)

// Port plan. Several clusters run at once (go test runs packages in
// parallel), so each cluster holds an exclusive flock on a slot file for its
// whole life and the slot number fixes every port: no free-port race between
// "pick a port" and "the agent binds it".
//
// Everything stays below the kernel's ephemeral range (32768+ here), so an
// outgoing connection cannot steal one of our ports between check and bind.
const (
	slotCount     = 13    // agent ports 30000..32599
	agentPortBase = 30000 // + slot*agentPortSpan
	agentPortSpan = 200
	dynPortBase   = 20000 // Nomad client dynamic ports: + slot*dynPortSpan
	dynPortSpan   = 750   // split between the clients of one slot
	clientPortOff = 20    // first site agent port, after consul (0..5) and server (10..12)
	sitePortSpan  = 5     // per site: Nomad client HTTP, RPC, Serf, then its Consul agent's HTTP, Serf LAN
)

type consulPorts struct{ HTTP, DNS, SerfLAN, SerfWAN, Server, GRPC int }

type nomadPorts struct{ HTTP, RPC, Serf int }

type clientPorts struct {
	nomadPorts
	ConsulHTTP, ConsulSerf int // the site's Consul client agent
	DynMin, DynMax         int // this client's slice of the dynamic port range
}

type portPlan struct {
	Slot    int
	Consul  consulPorts
	Server  nomadPorts
	Clients []clientPorts // index = site index
	DC2     consulPorts   // a second Consul datacenter (StartConsulDC): no DNS, no gRPC
}

func planFor(slot, nsites int) portPlan {
	base := agentPortBase + slot*agentPortSpan
	p := portPlan{
		Slot:   slot,
		Consul: consulPorts{HTTP: base, DNS: base + 1, SerfLAN: base + 2, SerfWAN: base + 3, Server: base + 4, GRPC: base + 5},
		Server: nomadPorts{HTTP: base + 10, RPC: base + 11, Serf: base + 12},
		// Slot offsets 6..9, between the first Consul's and the Nomad server's.
		DC2: consulPorts{HTTP: base + 6, DNS: -1, SerfLAN: base + 7, SerfWAN: base + 8, Server: base + 9, GRPC: -1},
	}
	width := dynPortSpan / nsites
	for i := range nsites {
		a := base + clientPortOff + sitePortSpan*i
		lo := dynPortBase + slot*dynPortSpan + i*width
		p.Clients = append(p.Clients, clientPorts{
			nomadPorts: nomadPorts{HTTP: a, RPC: a + 1, Serf: a + 2},
			ConsulHTTP: a + 3, ConsulSerf: a + 4,
			DynMin: lo, DynMax: lo + width - 1,
		})
	}
	return p
}

// useDefaultPorts swaps in the well-known Consul and Nomad server ports (the
// demo, so that plain `nomad status` / `consul members` just work).
func (p *portPlan) useDefaultPorts() {
	p.Consul = consulPorts{HTTP: 8500, DNS: 8600, SerfLAN: 8301, SerfWAN: 8302, Server: 8300, GRPC: 8502}
	p.Server = nomadPorts{HTTP: 4646, RPC: 4647, Serf: 4648}
}

func (p portPlan) agentPorts() []int {
	ps := []int{p.Consul.HTTP, p.Consul.DNS, p.Consul.SerfLAN, p.Consul.SerfWAN, p.Consul.Server, p.Consul.GRPC,
		p.Server.HTTP, p.Server.RPC, p.Server.Serf, p.DC2.HTTP, p.DC2.SerfLAN, p.DC2.SerfWAN, p.DC2.Server}
	for _, c := range p.Clients {
		ps = append(ps, c.HTTP, c.RPC, c.Serf, c.ConsulHTTP, c.ConsulSerf)
	}
	return ps
}

// maxSites keeps client agent ports inside the slot and dynamic ranges usable.
const maxSites = (agentPortSpan - clientPortOff) / sitePortSpan

// bindable reports whether every port can be bound on 127.0.0.1, TCP and UDP
// (serf and DNS use both).
func bindable(ports []int) error {
	for _, port := range ports {
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		l.Close()
		u, err := net.ListenPacket("udp", addr)
		if err != nil {
			return err
		}
		u.Close()
	}
	return nil
}

// portLock is an exclusive flock held for the cluster's life. The lock file
// itself stays (unlinking a flocked file lets a third process lock a new
// inode under the same name).
type portLock struct{ f *os.File }

func (l *portLock) release() {
	if l != nil && l.f != nil {
		l.f.Close() // closing drops the flock
		l.f = nil
	}
}

func lockDir() string { return filepath.Join(os.TempDir(), "entretien-devcluster") }

func lockName(slot int) string { return fmt.Sprintf("slot-%d.lock", slot) }

var errLocked = errors.New("locked by another cluster")

func tryLock(name string) (*portLock, error) {
	if err := os.MkdirAll(lockDir(), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(lockDir(), name), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errLocked
		}
		return nil, err
	}
	return &portLock{f: f}, nil
}

// acquirePorts locks the first slot whose ports are all bindable. With
// preferDefault it also tries the well-known ports (under their own lock) and
// keeps the slot ports when any of them is busy.
func acquirePorts(nsites int, preferDefault bool) (portPlan, []*portLock, error) {
	var lastErr error
	for slot := range slotCount {
		l, err := tryLock(lockName(slot))
		if err != nil {
			if !errors.Is(err, errLocked) {
				return portPlan{}, nil, err
			}
			continue
		}
		p := planFor(slot, nsites)
		if err := bindable(p.agentPorts()); err != nil {
			lastErr = fmt.Errorf("slot %d: %w", slot, err)
			l.release()
			continue
		}
		locks := []*portLock{l}
		if preferDefault {
			d := p
			d.useDefaultPorts()
			if dl, err := tryLock("default-ports.lock"); err == nil {
				if bindable(d.agentPorts()) == nil {
					p = d
					locks = append(locks, dl)
				} else {
					dl.release()
				}
			}
		}
		return p, locks, nil
	}
	if lastErr == nil {
		lastErr = errors.New("all slots locked")
	}
	return portPlan{}, nil, fmt.Errorf("no free port slot (%d slots under %s): %w", slotCount, lockDir(), lastErr)
}
