# enable_addon NAME [ARGS...]: enable NAME unless it already is.
enable_addon() {
  if [ "$(microk8s status --addon "$1" 2>/dev/null)" = enabled ]; then
    echo "addon_$1=already" | tr '-' '_'
  elif checking; then
    drift "addon $1" enabled "$(microk8s status --addon "$1" 2>/dev/null || echo unknown)"
  else
    microk8s enable "$@" >&2
    echo "addon_$1=enabled" | tr '-' '_'
  fi
}
for i in "${!addons[@]}"; do
  # Each add-on's extra arguments are one word of addon_args, split on spaces (constant flags from Lab.Model).
  read -r -a extra <<<"${addon_args[$i]}"
  enable_addon "${addons[$i]}" "${extra[@]}"
done
microk8s status --wait-ready --timeout 600 >/dev/null
