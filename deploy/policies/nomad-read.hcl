# entretien, read-only: every screen (jobs, allocations, deployments,
# evaluations, the event stream, task logs) in every namespace, and nodes.
namespace "*" {
  policy       = "read"
  capabilities = ["read-logs"]
}

node {
  policy = "read"
}

agent {
  policy = "read"
}
