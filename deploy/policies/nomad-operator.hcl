# entretien, operator: read-only plus what members do from the screens:
# restart or stop allocations, exec into them, drain nodes and toggle their
# eligibility, force a periodic job and dispatch a parameterized one.
# Exec into a task without filesystem isolation (raw_exec) also needs
# "alloc-node-exec", a shell on the member's machine: left out on purpose.
namespace "*" {
  policy = "read"
  capabilities = [
    "read-logs",
    "read-fs",
    "alloc-lifecycle",
    "alloc-exec",
    "submit-job",
    "dispatch-job",
  ]
}

node {
  policy = "write"
}

agent {
  policy = "read"
}
