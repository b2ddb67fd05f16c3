if [ ! -d "$path" ]; then
  install -d -m 0775 "$path"
  echo "created: $path" >&2
fi
echo "path=$path"
echo "free_gb=$(df --output=avail -BG "$path" | tail -n 1 | tr -dc '0-9')"
