# entretien, operator: read-only plus maintenance mode on services and
# nodes (a member taking a machine out for repairs).
node_prefix "" {
  policy = "write"
}

service_prefix "" {
  policy = "write"
}

agent_prefix "" {
  policy = "read"
}
