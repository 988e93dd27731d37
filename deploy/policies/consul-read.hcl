# entretien, read-only: services, their health and the nodes in the
# catalog, and the agent's checks with their output. The datacenters list
# needs no ACL; a token is local to its datacenter unless replicated.
node_prefix "" {
  policy = "read"
}

service_prefix "" {
  policy = "read"
}

agent_prefix "" {
  policy = "read"
}
