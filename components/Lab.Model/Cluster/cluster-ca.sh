# What a worker checks the cluster by before it sends its token: the cluster's CA (the worker keeps it as
# certs/ca.remote.crt) and, as `add-node` prints in its connection string, the first 12 hex digits of the
# sha256 of this node's API server certificate. Both are public; read on every run, changed nothing.
echo "ca_sha256=$(sha256sum "$snap_data/certs/ca.crt" | cut -d ' ' -f 1)"
echo "server_cert_check=$(openssl x509 -in "$snap_data/certs/server.crt" -outform der | sha256sum | cut -c 1-12)"
