# Rendered by Lab.Model for one AppRole role of the lab.
# Least privilege: only the KV paths this role needs; no sudo, nothing outside the KV mount.

path "secret/data/huggingface" {
  capabilities = ["read"]
}
