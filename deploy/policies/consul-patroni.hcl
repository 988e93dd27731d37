# Patroni on each bastion: its leader key and member keys live under
# service/<scope>/ (scope "entretien" in deploy/patroni/entretien.yml), held
# by a Consul session tied to the local agent's node. Nothing else.
key_prefix "service/entretien/" {
  policy = "write"
}

session_prefix "" {
  policy = "write"
}

node_prefix "" {
  policy = "read"
}

agent_prefix "" {
  policy = "read"
}
