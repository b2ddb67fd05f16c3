# Rendered by Lab.Model for one AppRole role of the lab.
# Least privilege: only the KV paths this role needs; no sudo, nothing outside the KV mount.

path "secret/data/ngc" {
  capabilities = ["create", "read", "update", "patch"]
}

path "secret/metadata/ngc" {
  capabilities = ["read"]
}

path "secret/data/huggingface" {
  capabilities = ["create", "read", "update", "patch"]
}

path "secret/metadata/huggingface" {
  capabilities = ["read"]
}

path "secret/data/meta" {
  capabilities = ["create", "read", "update", "patch"]
}

path "secret/metadata/meta" {
  capabilities = ["read"]
}
